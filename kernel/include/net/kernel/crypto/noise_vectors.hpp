// noise_vectors.hpp — runs Noise test vectors in the cacophony JSON format through the engine.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace net::kernel::crypto {

enum class NoiseVectorOutcome { pass, fail, unsupported };

const char* noise_vector_outcome_name(NoiseVectorOutcome outcome) noexcept;  // "pass" / "fail" / ...

struct NoiseVectorResult {
    std::size_t index = 0;
    std::string protocol_name;
    NoiseVectorOutcome outcome = NoiseVectorOutcome::fail;
    std::string reason;  // why it failed or what is unsupported; empty on pass
};

struct NoiseVectorReport {
    bool loaded = false;  // false: the file could not be read or is not a vector file
    std::string error;    // why it was not loaded
    std::vector<NoiseVectorResult> results;

    std::size_t count(NoiseVectorOutcome outcome) const noexcept;
    bool all_passed_or_unsupported() const noexcept { return loaded && count(NoiseVectorOutcome::fail) == 0; }
};

// Each vector: both sides are set up from its keys, ephemerals, prologues and PSKs; every
// handshake message must match its ciphertext and decrypt to its payload, both handshake hashes
// must equal handshake_hash, and the transport messages after split must match too.
NoiseVectorReport run_noise_vectors(std::string_view json_text) noexcept;
NoiseVectorReport run_noise_vector_file(const std::filesystem::path& path) noexcept;

}  // namespace net::kernel::crypto
