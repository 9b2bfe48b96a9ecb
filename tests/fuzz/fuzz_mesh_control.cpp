// Fuzzes what the mesh reads from a datagram before and after decryption: the probe and pingwave
// payload decoders (mesh_protocol.hpp) and the session data path (wire::decode_packet, then
// Session::open_in_place on a copy). The whole input is all three at once.
//
// Properties:
// - decode_probe / decode_pingwave accept exactly the 17-byte payloads their layout allows, and
//   what they accept re-encodes to the input bytes.
// - A datagram that decodes is offered to both sessions of one established pair (initiator and
//   responder, built once with the real handshake, fixed PSK and responder key, frozen clock).
//   open_in_place succeeds only for a genuine packet (one this fixture sealed, byte for byte except
//   the hop count, which relays change and the AEAD does not cover), only at its own receiver, and
//   only the first time; it then yields exactly the sealed plaintext. At its receiver a genuine
//   packet gets exactly what a model of the replay windows predicts: replay_too_old at or below
//   highest admitted - window (one genuine packet is sealed past the window to reach that), else
//   replay_duplicate after its first arrival, else success. A rejected packet's bytes are
//   unchanged (a replay included: it is refused before the AEAD).
//
// The session keys come from fresh ephemerals on every run, so genuine packets cannot be committed
// as seeds: the fixture seals a pool of them (both directions, two send epochs, data, probe,
// pingwave, heartbeat and fragment headers) and the custom mutator below sometimes starts from one
// of them, so the fuzzer explores near-valid packets. The session state (replay windows, receive
// epoch) lives across inputs on purpose: that is what a node sees.
#include <botan/secmem.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <span>
#include <utility>
#include <vector>

#include "net/kernel/crypto/noise_handshake.hpp"
#include "net/kernel/mesh/mesh_protocol.hpp"
#include "net/kernel/session/handshake.hpp"
#include "net/kernel/session/session_frame.hpp"
#include "net/kernel/wire/packet_header.hpp"

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

namespace {

namespace mesh = net::kernel::mesh;
namespace session = net::kernel::session;
namespace wire = net::kernel::wire;
using Bytes = std::vector<std::uint8_t>;

struct Genuine {
    Bytes packet;
    Bytes plaintext;
    session::Session* receiver = nullptr;
    std::uint8_t epoch = 0;    // from the nonce: the top byte of its u64 counter field
    std::uint64_t counter = 0;  // the rest of it
    bool opened = false;
};

struct Fixture {
    std::unique_ptr<session::Session> initiator;  // receives responder -> initiator packets
    std::unique_ptr<session::Session> responder;  // receives initiator -> responder packets
    std::vector<Genuine> genuine;
    // The model of the receivers' replay windows: the highest counter admitted per (receiver, epoch).
    std::map<std::pair<const session::Session*, std::uint8_t>, std::uint64_t> highest;
    std::uint64_t window = 0;
};

Botan::secure_vector<std::uint8_t> fixed_key(std::uint8_t seed)
{
    Botan::secure_vector<std::uint8_t> key(32);
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(seed + i * 7);
    return key;
}

Bytes probe_bytes(std::uint8_t kind, std::uint64_t id)
{
    Bytes out(mesh::Probe::size);
    mesh::encode(mesh::Probe{kind, id, 1'000'000'000ull + id}, out.data());
    return out;
}

Bytes pingwave_bytes(std::uint64_t origin, std::uint64_t sequence, std::uint8_t hops)
{
    Bytes out(mesh::Pingwave::size);
    mesh::encode(mesh::Pingwave{origin, sequence, hops}, out.data());
    return out;
}

Bytes events_bytes()  // two framed events: "hello" and an empty one
{
    return Bytes{5, 0, 0, 0, 'h', 'e', 'l', 'l', 'o', 0, 0, 0, 0};
}

void seal(Fixture& f, session::Session& sender, session::Session& receiver, wire::PacketHeader header, Bytes plaintext)
{
    Bytes packet(session::kMinDataPacket + plaintext.size());
    std::copy(plaintext.begin(), plaintext.end(), packet.begin() + wire::kPacketHeaderSize);
    if (!sender.seal_in_place(header, packet, plaintext.size())) __builtin_trap();
    const auto nonce_counter = wire::load_le<std::uint64_t>(packet.data() + wire::packet_offset::nonce + 4);
    f.genuine.push_back(Genuine{std::move(packet), std::move(plaintext), &receiver,
                                static_cast<std::uint8_t>(nonce_counter >> session::kEpochShift),
                                nonce_counter & session::kCounterMask, false});
}

wire::PacketHeader header_for(std::uint16_t subprotocol, std::uint8_t flags = 0)
{
    wire::PacketHeader h{};
    h.subprotocol_id = subprotocol;
    h.flags = flags;
    h.hop_ttl = 4;
    h.origin_hash = 0xA1B2C3D4;
    return h;
}

Fixture make_fixture()
{
    Fixture f;
    const auto responder_static = fixed_key(5);
    const auto now = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
    session::InitiatorConfig ic;
    session::ResponderConfig rc;
    ic.clock = rc.clock = [now] { return now; };  // frozen: no rekey by age, the grace never ends
    ic.psk = rc.psk = fixed_key(3);
    f.window = rc.limits.replay_window;
    ic.local_node_id = Bytes{'n', 'o', 'd', 'e', '-', 'a'};
    ic.remote_node_id = rc.local_node_id = Bytes{'n', 'o', 'd', 'e', '-', 'b'};
    ic.remote_static = net::kernel::crypto::noise_public_key(responder_static);
    rc.local_static = responder_static;
    session::Initiator initiator(ic);
    session::Responder responder(rc);
    Bytes first;
    if (!initiator.start(first)) __builtin_trap();
    auto outcome = responder.handle_initiation(first);
    if (!outcome.result || !outcome.session) __builtin_trap();
    if (!initiator.handle_response(outcome.response, f.initiator) || !f.initiator) __builtin_trap();
    f.responder = std::move(outcome.session);
    auto& a = *f.initiator;
    auto& b = *f.responder;

    // Initiator -> responder, epoch 0.
    auto data = header_for(mesh::subprotocol::stream, wire::packet_flag::reliable);
    data.stream_id = 7;
    data.sequence = 1;
    data.event_count = 2;
    data.channel_hash = 0x1234;
    seal(f, a, b, data, events_bytes());
    seal(f, a, b, header_for(mesh::subprotocol::probe), probe_bytes(mesh::Probe::ping, 1));
    auto wave = header_for(mesh::subprotocol::pingwave);
    wave.hop_count = 2;  // already relayed twice
    seal(f, a, b, wave, pingwave_bytes(0x0000'1234'5678'9ABCull, 42, 2));
    seal(f, a, b, header_for(0, wire::packet_flag::heartbeat), Bytes{});
    auto fragment = header_for(mesh::subprotocol::stream, wire::packet_flag::reliable | wire::packet_flag::fin);
    fragment.fragment_flags = wire::fragment_flag::fragment | wire::fragment_flag::last;
    fragment.fragment_id = 9;
    fragment.fragment_offset = 100;
    seal(f, a, b, fragment, Bytes(40, 0xEE));
    auto nack = header_for(mesh::subprotocol::stream, wire::packet_flag::nack | wire::packet_flag::priority);
    nack.priority = 3;
    Bytes ack(17, 0);
    ack[0] = 1;
    seal(f, a, b, nack, ack);
    // Far enough ahead that, once it opened, the packets above fall below the replay window.
    Bytes burn;
    for (std::uint64_t i = 0; i < f.window + 100; ++i) {
        if (!a.seal(Bytes{}, burn)) __builtin_trap();
    }
    seal(f, a, b, header_for(mesh::subprotocol::probe), probe_bytes(mesh::Probe::ping, 3));
    // Initiator -> responder, epoch 1 (the responder accepts the next epoch and keeps epoch 0 in
    // its grace period, which the frozen clock never ends).
    if (!a.rekey_send()) __builtin_trap();
    seal(f, a, b, header_for(mesh::subprotocol::probe), probe_bytes(mesh::Probe::ping, 2));
    seal(f, a, b, data, events_bytes());
    // Responder -> initiator, epoch 0.
    seal(f, b, a, header_for(mesh::subprotocol::probe), probe_bytes(mesh::Probe::pong, 1));
    seal(f, b, a, header_for(mesh::subprotocol::pingwave), pingwave_bytes(0xFFFF'FFFF'FFFFull, 0, 0));
    seal(f, b, a, header_for(0, wire::packet_flag::heartbeat), Bytes{});
    return f;
}

Fixture& fixture()
{
    static Fixture f = make_fixture();
    return f;
}

// The genuine packet `bytes` is, if any: equal to one but for the hop count.
Genuine* genuine_match(Fixture& f, std::span<const std::uint8_t> bytes)
{
    for (auto& g : f.genuine) {
        if (g.packet.size() != bytes.size()) continue;
        bool same = true;
        for (std::size_t i = 0; i < bytes.size() && same; ++i) {
            same = i == wire::packet_offset::hop_count || g.packet[i] == bytes[i];
        }
        if (same) return &g;
    }
    return nullptr;
}

void check_mesh_payloads(std::span<const std::uint8_t> bytes)
{
    std::array<std::uint8_t, mesh::Probe::size> again{};
    const auto probe = mesh::decode_probe(bytes);
    const bool probe_ok =
        bytes.size() == mesh::Probe::size && (bytes[0] == mesh::Probe::ping || bytes[0] == mesh::Probe::pong);
    if (probe.has_value() != probe_ok) __builtin_trap();
    if (probe) {
        mesh::encode(*probe, again.data());
        if (std::memcmp(again.data(), bytes.data(), again.size()) != 0) __builtin_trap();
    }
    const auto wave = mesh::decode_pingwave(bytes);
    // origin is a u64 LE at bytes 0..7 and must fit 48 bits: its top two bytes are zero.
    const bool wave_ok = bytes.size() == mesh::Pingwave::size && bytes[6] == 0 && bytes[7] == 0;
    if (wave.has_value() != wave_ok) __builtin_trap();
    if (wave) {
        if (wave->origin >= (std::uint64_t{1} << 48)) __builtin_trap();
        mesh::encode(*wave, again.data());
        if (std::memcmp(again.data(), bytes.data(), again.size()) != 0) __builtin_trap();
    }
}

void open_at(Fixture& f, session::Session& receiver, const wire::DecodedPacket& decoded,
             std::span<const std::uint8_t> bytes, Genuine* match)
{
    Bytes copy(bytes.begin(), bytes.end());
    std::size_t plaintext_len = 12345;
    const auto r = receiver.open_in_place(decoded.header, copy, plaintext_len);
    const bool mine = match != nullptr && match->receiver == &receiver;
    // What a genuine packet must get at its receiver: too old below the window, else a duplicate
    // after its first arrival, else opened.
    std::uint64_t* highest = nullptr;
    auto expected = session::SessionError::none;
    if (mine) {
        highest = &f.highest[{&receiver, match->epoch}];
        if (*highest >= f.window && match->counter <= *highest - f.window) {
            expected = session::SessionError::replay_too_old;
        } else if (match->opened) {
            expected = session::SessionError::replay_duplicate;
        }
    }
    if (mine && r.error != expected) __builtin_trap();
    if (r.ok()) {
        if (!mine) __builtin_trap();  // forged or misdirected
        match->opened = true;
        *highest = std::max(*highest, match->counter);
        if (plaintext_len != match->plaintext.size() ||
            !std::equal(match->plaintext.begin(), match->plaintext.end(), copy.begin() + wire::kPacketHeaderSize)) {
            __builtin_trap();
        }
        if (!std::equal(copy.begin(), copy.begin() + wire::kPacketHeaderSize, bytes.begin())) __builtin_trap();
        // What the mesh does next with an opened probe or pingwave.
        check_mesh_payloads(std::span<const std::uint8_t>(copy).subspan(wire::kPacketHeaderSize, plaintext_len));
        return;
    }
    if (plaintext_len != 0 || r.reason.empty()) __builtin_trap();
    if (!std::equal(copy.begin(), copy.end(), bytes.begin())) __builtin_trap();  // rejected: bytes unchanged
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    auto& f = fixture();
    const std::span<const std::uint8_t> bytes(data, size);
    check_mesh_payloads(bytes);

    const auto decoded = wire::decode_packet(bytes);
    if (!decoded) return 0;
    if (decoded->payload.data() != data + wire::kPacketHeaderSize ||
        decoded->payload.size() != decoded->header.payload_length) {
        __builtin_trap();
    }
    Genuine* match = genuine_match(f, bytes);
    open_at(f, *f.responder, *decoded, bytes, match);
    open_at(f, *f.initiator, *decoded, bytes, match);
    return 0;
}

// One mutation in eight starts over from a genuine sealed packet (one in two of those is then
// mutated further), so the corpus gains packets that authenticate and their near misses.
extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned int seed)
{
    std::minstd_rand rng(seed);
    if (rng() % 8 == 0) {
        const auto& pool = fixture().genuine;
        const auto& g = pool[rng() % pool.size()];
        if (g.packet.size() <= max_size) {
            std::memcpy(data, g.packet.data(), g.packet.size());
            size = g.packet.size();
            if (rng() % 2 == 0) return size;
        }
    }
    return LLVMFuzzerMutate(data, size, max_size);
}
