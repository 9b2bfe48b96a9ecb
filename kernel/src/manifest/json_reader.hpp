// Strict JSON reading for manifests: nesting depth capped, duplicate keys rejected, and errors
// located by line and column (syntax) or JSON pointer (structure).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace net::kernel {

struct JsonReadError : std::runtime_error {
    JsonReadError(std::string at, std::size_t at_line, std::size_t at_column, std::string what_failed);
    std::string pointer;   // set for structural errors (depth, duplicate key)
    std::size_t line = 0;  // 1-based; 0 when the error has a pointer instead
    std::size_t column = 0;
    std::string detail;
};

inline constexpr std::size_t max_json_depth = 64;

// Parses one JSON document. Throws JsonReadError and nothing else (besides std::bad_alloc).
nlohmann::json read_json_text(std::string_view text, std::size_t max_depth = max_json_depth);

}  // namespace net::kernel
