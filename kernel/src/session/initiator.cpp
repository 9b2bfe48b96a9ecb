// initiator.cpp — the initiator's handshake state machine (first message, retries, response).
#include <exception>
#include <string>
#include <utility>

#include "net/kernel/session/handshake.hpp"
#include "net/kernel/session/session_frame.hpp"

namespace net::kernel::session {

Initiator::Initiator(InitiatorConfig config) noexcept : config_(std::move(config)) {}

Initiator::~Initiator() = default;

SessionResult Initiator::fail(SessionResult result) noexcept
{
    state_ = InitiatorState::failed;
    ++counters_.handshakes_failed;
    failure_ = result;
    return result;
}

SessionResult Initiator::write_first_message() noexcept
{
    try {
        crypto::NoiseHandshakeConfig nc;
        nc.protocol_name = protocol_name(config_.suite);
        nc.role = crypto::NoiseRole::initiator;
        nc.prologue = handshake_prologue(config_.local_node_id, config_.remote_node_id, config_.suite);
        nc.remote_static = config_.remote_static;
        nc.psks.push_back(config_.psk);
        nc.fixed_ephemeral = ephemeral_;
        crypto::NoiseHandshake noise;
        if (auto r = noise.initialize(nc); !r) {
            return SessionResult::failure(SessionError::bad_state, "handshake setup failed: " + r.message);
        }
        std::vector<std::uint8_t> noise_message;
        if (auto r = noise.write_message({}, noise_message); !r) {
            return SessionResult::failure(SessionError::internal, "handshake message failed: " + r.message);
        }
        std::vector<std::uint8_t> frame;
        encode_initiation_header(config_.suite, config_.local_node_id, config_.remote_node_id, frame);
        frame.insert(frame.end(), noise_message.begin(), noise_message.end());
        noise_ = std::move(noise);
        first_message_ = std::move(frame);
        return SessionResult::success();
    } catch (const std::exception& e) {
        return SessionResult::failure(SessionError::internal, std::string("handshake setup failed: ") + e.what());
    }
}

SessionResult Initiator::start(std::vector<std::uint8_t>& message) noexcept
{
    message.clear();
    if (state_ != InitiatorState::idle)
        return SessionResult::failure(SessionError::bad_state, "handshake already started");
    ++counters_.handshakes_started;
    for (const auto* id : {&config_.local_node_id, &config_.remote_node_id}) {
        if (id->empty() || id->size() > kMaxNodeIdSize) {
            return fail(SessionResult::failure(SessionError::bad_state, "node ids must be 1 to 255 bytes"));
        }
    }
    try {
        ephemeral_ = crypto::noise_generate_private_key();
    } catch (const std::exception& e) {
        return fail(SessionResult::failure(SessionError::internal, std::string("ephemeral key: ") + e.what()));
    }
    if (auto r = write_first_message(); !r) return fail(std::move(r));
    state_ = InitiatorState::awaiting_response;
    attempts_ = 1;
    deadline_ = clock_now(config_.clock) + config_.handshake_timeout;
    message = first_message_;
    return SessionResult::success();
}

SessionResult Initiator::poll(std::vector<std::uint8_t>& message) noexcept
{
    message.clear();
    if (state_ == InitiatorState::failed) return failure_;
    if (state_ != InitiatorState::awaiting_response) return SessionResult::success();
    const auto now = clock_now(config_.clock);
    if (now < deadline_) return SessionResult::success();
    if (attempts_ > config_.handshake_retries) {
        return fail(SessionResult::failure(SessionError::timed_out,
                                           "handshake timed out after " + std::to_string(attempts_) + " attempts"));
    }
    ++attempts_;
    ++counters_.handshake_retransmits;
    deadline_ = now + config_.handshake_timeout;
    message = first_message_;
    return SessionResult::success();
}

SessionResult Initiator::handle_response(std::span<const std::uint8_t> message,
                                         std::unique_ptr<Session>& session) noexcept
{
    auto rejected = [this](SessionResult r) {
        ++counters_.handshake_messages_rejected;
        return r;
    };
    if (state_ != InitiatorState::awaiting_response) {
        return rejected(SessionResult::failure(SessionError::bad_state, "no handshake is waiting for a response"));
    }
    Response response;
    if (auto r = decode_response(message, response); !r) return rejected(std::move(r));
    if (response.suite != suite_code(config_.suite)) {
        return rejected(SessionResult::failure(SessionError::suite_mismatch,
                                               "suite mismatch: responder uses " + describe_suite(response.suite) +
                                                   ", this node uses " + describe_suite(suite_code(config_.suite))));
    }
    std::vector<std::uint8_t> payload;
    if (auto r = noise_.read_message(response.noise_message, payload); !r) {
        // The Noise state is now failed; rebuild it (same ephemeral, same first message) and wait on.
        if (auto rebuilt = write_first_message(); !rebuilt) return fail(std::move(rebuilt));
        return rejected(SessionResult::failure(SessionError::auth_failed,
                                               "handshake response failed authentication: " + r.message));
    }
    crypto::NoiseTransport transport;
    if (auto r = noise_.split(transport); !r) {
        return fail(SessionResult::failure(SessionError::internal, "handshake split failed: " + r.message));
    }
    if (auto r = Session::create(std::move(transport), crypto::NoiseRole::initiator, config_.suite, config_.clock,
                                 config_.limits, session);
        !r) {
        return fail(std::move(r));
    }
    state_ = InitiatorState::established;
    ++counters_.handshakes_completed;
    return SessionResult::success();
}

}  // namespace net::kernel::session
