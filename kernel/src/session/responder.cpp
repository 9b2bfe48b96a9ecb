// responder.cpp — the responder: stateless until a first message authenticates; duplicates of an
// accepted first message get the same response again.
#include <algorithm>
#include <exception>
#include <string>
#include <utility>

#include "net/kernel/session/handshake.hpp"
#include "net/kernel/session/session_frame.hpp"

namespace net::kernel::session {

Responder::Responder(ResponderConfig config) noexcept : config_(std::move(config))
{
    if (config_.local_static.size() == crypto::kNoiseDhLen)
        local_public_ = crypto::noise_public_key(config_.local_static);
}

Responder::~Responder() = default;

ResponderOutcome Responder::reject(SessionResult result) noexcept
{
    ++counters_.handshake_messages_rejected;
    ResponderOutcome out;
    out.result = std::move(result);
    return out;
}

ResponderOutcome Responder::handle_initiation(std::span<const std::uint8_t> message) noexcept
{
    Initiation in;
    if (auto r = decode_initiation(message, in); !r) return reject(std::move(r));
    if (in.suite != suite_code(config_.suite)) {
        return reject(SessionResult::failure(SessionError::suite_mismatch,
                                             "suite mismatch: initiator uses " + describe_suite(in.suite) +
                                                 ", this node uses " + describe_suite(suite_code(config_.suite))));
    }
    if (!std::ranges::equal(in.responder_id, config_.local_node_id)) {
        return reject(SessionResult::failure(SessionError::node_id_mismatch,
                                             "node id mismatch: initiator addressed node " +
                                                 describe_node_id(in.responder_id) + ", this node is " +
                                                 describe_node_id(config_.local_node_id)));
    }
    for (const auto& a : answered_) {
        if (std::ranges::equal(a.initiation, message)) {
            ++counters_.handshake_duplicates_answered;
            ResponderOutcome out;
            out.response = a.response;
            out.duplicate = true;
            return out;
        }
    }

    ++counters_.handshakes_started;
    auto failed = [this](SessionResult r) {
        ++counters_.handshakes_failed;
        return reject(std::move(r));
    };
    try {
        crypto::NoiseHandshakeConfig nc;
        nc.protocol_name = protocol_name(config_.suite);
        nc.role = crypto::NoiseRole::responder;
        nc.prologue = handshake_prologue(in.initiator_id, config_.local_node_id, config_.suite);
        nc.local_static = config_.local_static;
        nc.local_static_public = local_public_;
        nc.psks.push_back(config_.psk);
        crypto::NoiseHandshake noise;
        if (auto r = noise.initialize(nc); !r) {
            return failed(SessionResult::failure(SessionError::bad_state, "handshake setup failed: " + r.message));
        }
        std::vector<std::uint8_t> payload;
        if (auto r = noise.read_message(in.noise_message, payload); !r) {
            return failed(SessionResult::failure(
                SessionError::auth_failed,
                "handshake initiation failed authentication (wrong PSK or responder static key, or the nodes "
                "disagree on ids or suite): " +
                    r.message));
        }
        ResponderOutcome out;
        encode_response_header(config_.suite, out.response);
        std::vector<std::uint8_t> noise_message;
        if (auto r = noise.write_message({}, noise_message); !r) {
            return failed(SessionResult::failure(SessionError::internal, "handshake response failed: " + r.message));
        }
        out.response.insert(out.response.end(), noise_message.begin(), noise_message.end());
        crypto::NoiseTransport transport;
        if (auto r = noise.split(transport); !r) {
            return failed(SessionResult::failure(SessionError::internal, "handshake split failed: " + r.message));
        }
        if (auto r = Session::create(std::move(transport), crypto::NoiseRole::responder, config_.suite, config_.clock,
                                     config_.limits, out.session);
            !r) {
            return failed(std::move(r));
        }
        if (config_.duplicate_cache_size > 0) {
            if (answered_.size() >= config_.duplicate_cache_size) answered_.pop_front();
            answered_.push_back(Answered{std::vector<std::uint8_t>(message.begin(), message.end()), out.response,
                                         out.session->id()});
        }
        ++counters_.handshakes_completed;
        return out;
    } catch (const std::exception& e) {
        return failed(SessionResult::failure(SessionError::internal, std::string("handshake failed: ") + e.what()));
    }
}

void Responder::forget(std::uint64_t session_id) noexcept
{
    std::erase_if(answered_, [&](const Answered& a) { return a.session_id == session_id; });
}

}  // namespace net::kernel::session
