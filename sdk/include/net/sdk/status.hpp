// net/sdk/status.hpp — exceptions inside a plugin, status codes at the ABI boundary.
//
// Plugin code written in C++ throws net::sdk::Error (or anything derived from std::exception);
// guard() runs such code and turns whatever escapes into a net_status_t plus a message, so no
// exception ever crosses the C ABI.
#pragma once

#include <exception>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <string>
#include <utility>

#include "net/status.h"

namespace net::sdk {

// An error with the status code it should become at the ABI boundary.
class Error : public std::runtime_error {
public:
    Error(net_status_t status, const std::string& message) : std::runtime_error(message), status_(status) {}
    net_status_t status() const noexcept { return status_; }

private:
    net_status_t status_;
};

// Runs `body` (returning void or net_status_t). Returns NET_OK or the body's status; if it
// throws, returns the matching status and stores the message in `*last_error` (when non-null).
template <class Body>
net_status_t guard(std::string* last_error, Body&& body) noexcept
{
    auto record = [last_error](const char* what) noexcept {
        if (last_error == nullptr) return;
        try {
            *last_error = what;
        } catch (...) {
            last_error->clear();
        }
    };
    try {
        if constexpr (std::is_same_v<decltype(body()), void>) {
            std::forward<Body>(body)();
            return NET_OK;
        } else {
            return std::forward<Body>(body)();
        }
    } catch (const Error& e) {
        record(e.what());
        return e.status();
    } catch (const std::bad_alloc&) {
        record("out of memory");
        return NET_E_NO_MEMORY;
    } catch (const std::exception& e) {
        record(e.what());
        return NET_E_EXCEPTION;
    } catch (...) {
        record("unknown exception");
        return NET_E_EXCEPTION;
    }
}

}  // namespace net::sdk
