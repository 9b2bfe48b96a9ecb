// noise_status.cpp — names of the Noise status codes.
#include "net/kernel/crypto/noise_status.hpp"

namespace net::kernel::crypto {

const char* noise_status_name(NoiseStatus status) noexcept
{
    switch (status) {
        case NoiseStatus::ok:
            return "ok";
        case NoiseStatus::unsupported:
            return "unsupported";
        case NoiseStatus::invalid_argument:
            return "invalid_argument";
        case NoiseStatus::bad_state:
            return "bad_state";
        case NoiseStatus::message_too_large:
            return "message_too_large";
        case NoiseStatus::truncated:
            return "truncated";
        case NoiseStatus::decrypt_failed:
            return "decrypt_failed";
        case NoiseStatus::dh_failed:
            return "dh_failed";
        case NoiseStatus::nonce_exhausted:
            return "nonce_exhausted";
        case NoiseStatus::internal_error:
            return "internal_error";
    }
    return "unknown";
}

}  // namespace net::kernel::crypto
