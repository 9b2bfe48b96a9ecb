// Names and descriptions of the wire codecs' errors, generated from NET_WIRE_ERRORS.
#include "net/kernel/wire/result.hpp"

namespace net::kernel::wire {

std::string_view wire_error_name(WireError error) noexcept
{
    switch (error) {
#define NET_WIRE_ERROR_NAME(name, text) \
    case WireError::name:               \
        return #name;
        NET_WIRE_ERRORS(NET_WIRE_ERROR_NAME)
#undef NET_WIRE_ERROR_NAME
    }
    return "unknown";
}

std::string_view wire_error_description(WireError error) noexcept
{
    switch (error) {
#define NET_WIRE_ERROR_TEXT(name, text) \
    case WireError::name:               \
        return text;
        NET_WIRE_ERRORS(NET_WIRE_ERROR_TEXT)
#undef NET_WIRE_ERROR_TEXT
    }
    return "unknown error";
}

}  // namespace net::kernel::wire
