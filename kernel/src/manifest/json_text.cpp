// Pointer escaping, UTF-8 counting and message-safe rendering of JSON values.
#include "manifest/json_text.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <utility>
#include <vector>

namespace net::kernel {

void append_pointer_token(std::string& pointer, std::string_view token)
{
    pointer.push_back('/');
    for (char c : token) {
        if (c == '~') {
            pointer += "~0";
        } else if (c == '/') {
            pointer += "~1";
        } else {
            pointer.push_back(c);
        }
    }
}

std::string child_pointer(std::string_view pointer, std::string_view token)
{
    std::string out(pointer);
    append_pointer_token(out, token);
    return out;
}

std::string child_pointer(std::string_view pointer, std::size_t index)
{
    return child_pointer(pointer, std::to_string(index));
}

std::size_t utf8_length(std::string_view text) noexcept
{
    std::size_t n = 0;
    for (char c : text) {
        if ((static_cast<unsigned char>(c) & 0xC0U) != 0x80U) ++n;
    }
    return n;
}

std::size_t utf8_sequence_length(std::string_view text) noexcept
{
    if (text.empty()) return 0;
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned lead = byte(0);
    if (lead < 0x80U) return 1;
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (lead >= 0xC2U && lead <= 0xDFU) {
        len = 2;
        cp = lead & 0x1FU;
    } else if (lead >= 0xE0U && lead <= 0xEFU) {
        len = 3;
        cp = lead & 0x0FU;
    } else if (lead >= 0xF0U && lead <= 0xF4U) {
        len = 4;
        cp = lead & 0x07U;
    } else {
        return 0;
    }
    if (text.size() < len) return 0;
    for (std::size_t i = 1; i < len; ++i) {
        if ((byte(i) & 0xC0U) != 0x80U) return 0;
        cp = (cp << 6U) | (byte(i) & 0x3FU);
    }
    const bool overlong = (len == 3 && cp < 0x800U) || (len == 4 && cp < 0x10000U);
    const bool surrogate = cp >= 0xD800U && cp <= 0xDFFFU;
    if (overlong || surrogate || cp > 0x10FFFFU) return 0;
    return len;
}

std::string printable(std::string_view text, std::size_t max_chars)
{
    std::string out;
    std::size_t chars = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        if (chars == max_chars) {
            out += "...";
            break;
        }
        const auto c = static_cast<unsigned char>(text[i]);
        const std::size_t len = utf8_sequence_length(text.substr(i));
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(static_cast<char>(c));
        } else if (len == 0 || c < 0x20U || c == 0x7FU) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02X", c);
            out += hex;
            ++i;
            ++chars;
            continue;
        } else {
            out.append(text.substr(i, len));
            i += len;
            ++chars;
            continue;
        }
        ++i;
        ++chars;
    }
    return out;
}

std::string quote_for_message(std::string_view text)
{
    return "\"" + printable(text, 64) + "\"";
}

std::string_view json_type_name(const nlohmann::json& value) noexcept
{
    switch (value.type()) {
        case nlohmann::json::value_t::null:
            return "null";
        case nlohmann::json::value_t::boolean:
            return "boolean";
        case nlohmann::json::value_t::number_integer:
        case nlohmann::json::value_t::number_unsigned:
            return "integer";
        case nlohmann::json::value_t::number_float:
            return "number";
        case nlohmann::json::value_t::string:
            return "string";
        case nlohmann::json::value_t::array:
            return "array";
        case nlohmann::json::value_t::object:
            return "object";
        default:
            return "binary";
    }
}

std::string format_number(const nlohmann::json& number)
{
    if (number.is_number_float()) {
        const double d = number.get<double>();
        if (std::isnan(d)) return "nan";
        if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
    }
    return number.dump();
}

std::string render_value(const nlohmann::json& value)
{
    if (value.is_string()) return quote_for_message(value.get_ref<const std::string&>());
    if (value.is_number()) return format_number(value);
    // replace: a string holding invalid UTF-8 must not make the message itself throw.
    const std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return printable(text, 80);
}

bool nested_deeper_than(const nlohmann::json& value, std::size_t limit)
{
    std::vector<std::pair<const nlohmann::json*, std::size_t>> todo{{&value, 1}};
    while (!todo.empty()) {
        auto [v, depth] = todo.back();
        todo.pop_back();
        if (!v->is_structured()) continue;
        if (depth > limit) return true;
        for (const auto& child : *v) todo.emplace_back(&child, depth + 1);
    }
    return false;
}

std::string describe_value(const nlohmann::json& value)
{
    if (value.is_null()) return "null";
    if (value.is_object()) return "object";
    if (value.is_array()) return "array";
    return std::string(json_type_name(value)) + " " + render_value(value);
}

}  // namespace net::kernel
