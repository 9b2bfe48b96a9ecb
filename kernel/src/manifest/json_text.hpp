// Text helpers shared by the schema validator and the manifest loader: JSON pointer tokens,
// value descriptions for messages, UTF-8 length, and quoting that survives hostile bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace net::kernel {

// Appends "/" + token to `pointer`, escaping '~' and '/' as RFC 6901 requires.
void append_pointer_token(std::string& pointer, std::string_view token);
std::string child_pointer(std::string_view pointer, std::string_view token);
std::string child_pointer(std::string_view pointer, std::size_t index);

// Number of UTF-8 code points (bytes that are not continuation bytes).
std::size_t utf8_length(std::string_view text) noexcept;

// Length of the valid UTF-8 sequence starting at text[0], or 0 if it is invalid.
std::size_t utf8_sequence_length(std::string_view text) noexcept;

// `text` with control characters and invalid UTF-8 escaped (\n, \xNN), so messages stay
// printable; at most `max_chars` code points, then "...".
std::string printable(std::string_view text, std::size_t max_chars = 200);

// printable() in double quotes, at most 64 code points.
std::string quote_for_message(std::string_view text);

// "integer", "number", "string", "boolean", "null", "object" or "array".
std::string_view json_type_name(const nlohmann::json& value) noexcept;

// A number as JSON text ("inf" and "nan" for values JSON cannot hold).
std::string format_number(const nlohmann::json& number);

// A short rendering of any value: numbers and literals as JSON, strings quoted, containers
// as compact JSON truncated to a readable length.
std::string render_value(const nlohmann::json& value);

// Whether `value` nests more than `limit` levels (a scalar is 1 level). Iterative, so it is safe
// on documents too deep for nlohmann's recursive comparison and copy.
bool nested_deeper_than(const nlohmann::json& value, std::size_t limit);

// Type and value, for "got ..." clauses: `string "abc"`, `integer 5`, `object`, `null`.
std::string describe_value(const nlohmann::json& value);

}  // namespace net::kernel
