// test_noise_vectors.cpp — the Noise engine against the cacophony vectors in tests/vectors/ (which
// must exist: a missing file fails), protocol name parsing, and the vector runner's own failures.
#define BOOST_TEST_MODULE noise_vectors
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "net/kernel/crypto/noise_protocol.hpp"
#include "net/kernel/crypto/noise_vectors.hpp"

using namespace net::kernel::crypto;

namespace {

const std::filesystem::path kVectorFile = std::filesystem::path(NET_TEST_SOURCE_DIR) / "tests/vectors/noise.json";

std::string read_vectors()
{
    std::ifstream file(kVectorFile);
    BOOST_REQUIRE_MESSAGE(file, "missing test vectors: " << kVectorFile);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

bool supported_suite(const std::string& name)
{
    return name.find("_25519_") != std::string::npos && name.ends_with("_BLAKE2b");
}

}  // namespace

BOOST_AUTO_TEST_CASE(vector_file_is_present)
{
    BOOST_REQUIRE_MESSAGE(std::filesystem::is_regular_file(kVectorFile), "missing test vectors: " << kVectorFile);
    const auto document = nlohmann::json::parse(read_vectors());
    BOOST_TEST(document.at("vectors").size() == 8u);
}

BOOST_AUTO_TEST_CASE(every_supported_vector_passes_and_the_rest_are_unsupported)
{
    const auto report = run_noise_vectors(read_vectors());
    BOOST_REQUIRE_MESSAGE(report.loaded, report.error);
    BOOST_REQUIRE_EQUAL(report.results.size(), 8u);
    for (const auto& r : report.results) {
        BOOST_TEST_CONTEXT(r.protocol_name)
        {
            if (supported_suite(r.protocol_name)) {
                BOOST_TEST((r.outcome == NoiseVectorOutcome::pass), r.reason);
            } else {
                BOOST_TEST((r.outcome == NoiseVectorOutcome::unsupported));
                BOOST_TEST(r.reason.starts_with("unsupported: "));
            }
        }
    }
    BOOST_TEST(report.count(NoiseVectorOutcome::pass) == 6u);
    BOOST_TEST(report.count(NoiseVectorOutcome::unsupported) == 2u);
    BOOST_TEST(report.count(NoiseVectorOutcome::fail) == 0u);
    BOOST_TEST(report.all_passed_or_unsupported());
}

BOOST_AUTO_TEST_CASE(vector_file_runner_reads_the_file)
{
    const auto report = run_noise_vector_file(kVectorFile);
    BOOST_REQUIRE_MESSAGE(report.loaded, report.error);
    BOOST_TEST(report.count(NoiseVectorOutcome::pass) == 6u);
}

BOOST_AUTO_TEST_CASE(unsupported_parts_are_named)
{
    NoiseProtocol protocol;
    auto r = parse_noise_protocol("Noise_NKpsk0_25519_ChaChaPoly_BLAKE2s", protocol);
    BOOST_TEST((r.status == NoiseStatus::unsupported));
    BOOST_TEST(r.message == "unsupported: BLAKE2s");
    r = parse_noise_protocol("Noise_NKpsk0_25519_ChaChaPoly_SHA256", protocol);
    BOOST_TEST(r.message == "unsupported: SHA256");
    r = parse_noise_protocol("Noise_XX_448_AESGCM_BLAKE2b", protocol);
    BOOST_TEST(r.message == "unsupported: 448");
    r = parse_noise_protocol("Noise_KN_25519_ChaChaPoly_BLAKE2b", protocol);
    BOOST_TEST(r.message == "unsupported: KN");
    r = parse_noise_protocol("Noise_XXfallback_25519_ChaChaPoly_BLAKE2b", protocol);
    BOOST_TEST(r.message == "unsupported: fallback");
    r = parse_noise_protocol("Noise_NK_448_ChaChaPoly_SHA512", protocol);
    BOOST_TEST(r.message == "unsupported: 448, SHA512");
}

BOOST_AUTO_TEST_CASE(malformed_names_are_invalid)
{
    NoiseProtocol protocol;
    for (const char* name : {"", "Noise", "Noise_NK_25519_ChaChaPoly", "Noise_NK_25519_ChaChaPoly_BLAKE2b_x",
                             "Nois_NK_25519_ChaChaPoly_BLAKE2b", "Noise__25519_ChaChaPoly_BLAKE2b"}) {
        BOOST_TEST_CONTEXT(name)
        {
            BOOST_TEST((parse_noise_protocol(name, protocol).status == NoiseStatus::invalid_argument));
        }
    }
}

BOOST_AUTO_TEST_CASE(supported_names_parse)
{
    NoiseProtocol protocol;
    BOOST_REQUIRE(parse_noise_protocol("Noise_NKpsk0_25519_AESGCM_BLAKE2b", protocol).ok());
    BOOST_TEST((protocol.cipher == NoiseCipher::aes_gcm));
    BOOST_TEST(protocol.pattern.name == "NKpsk0");
    BOOST_REQUIRE_EQUAL(protocol.pattern.messages.size(), 2u);
    BOOST_TEST((protocol.pattern.messages[0].front() == NoiseToken::psk));
    BOOST_TEST(protocol.pattern.psk_count() == 1u);
    BOOST_TEST(protocol.pattern.needs_remote_static(NoiseRole::initiator));
    BOOST_TEST(protocol.pattern.needs_local_static(NoiseRole::responder));
    BOOST_TEST(!protocol.pattern.needs_local_static(NoiseRole::initiator));

    BOOST_REQUIRE(parse_noise_protocol("Noise_XXpsk3_25519_ChaChaPoly_BLAKE2b", protocol).ok());
    BOOST_TEST((protocol.pattern.messages[2].back() == NoiseToken::psk));
    BOOST_TEST(
        (parse_noise_protocol("Noise_NKpsk3_25519_ChaChaPoly_BLAKE2b", protocol).status == NoiseStatus::unsupported));
}

BOOST_AUTO_TEST_CASE(a_wrong_ciphertext_in_a_vector_is_a_failure_with_a_reason)
{
    auto document = nlohmann::json::parse(read_vectors());
    auto& vector = document["vectors"][0];
    auto text = vector["messages"][1]["ciphertext"].get<std::string>();
    text[10] = text[10] == '0' ? '1' : '0';
    vector["messages"][1]["ciphertext"] = text;
    document["vectors"][1]["handshake_hash"] = std::string(128, '0');
    const auto report = run_noise_vectors(document.dump());
    BOOST_REQUIRE(report.loaded);
    BOOST_TEST((report.results[0].outcome == NoiseVectorOutcome::fail));
    BOOST_TEST(report.results[0].reason.find("message 1 (responder) ciphertext differs") != std::string::npos,
               report.results[0].reason);
    BOOST_TEST((report.results[1].outcome == NoiseVectorOutcome::fail));
    BOOST_TEST(report.results[1].reason.find("handshake hash differs") != std::string::npos, report.results[1].reason);
    BOOST_TEST(!report.all_passed_or_unsupported());
}

BOOST_AUTO_TEST_CASE(malformed_vector_files_are_reported)
{
    BOOST_TEST(!run_noise_vectors("not json").loaded);
    BOOST_TEST(!run_noise_vectors("{\"vectors\": 3}").loaded);
    BOOST_TEST(!run_noise_vector_file("/nonexistent/noise.json").loaded);
    const auto report = run_noise_vectors(R"({"vectors": [{"protocol_name": "Noise_NK_25519_ChaChaPoly_BLAKE2b",
        "init_ephemeral": "zz"}, 7, {}]})");
    BOOST_REQUIRE(report.loaded);
    BOOST_REQUIRE_EQUAL(report.results.size(), 3u);
    for (const auto& r : report.results) BOOST_TEST((r.outcome == NoiseVectorOutcome::fail));
}
