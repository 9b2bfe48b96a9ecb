// The compiled form of a JSON Schema: a flat table of nodes that refer to each other by index,
// with every keyword already decoded and every message fragment that does not depend on the
// instance already rendered.
#pragma once

#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "net/kernel/json_schema.hpp"

namespace net::kernel::schema {

enum TypeBit : std::uint8_t {
    type_null = 1U << 0U,
    type_boolean = 1U << 1U,
    type_object = 1U << 2U,
    type_array = 1U << 3U,
    type_number = 1U << 4U,
    type_string = 1U << 5U,
    type_integer = 1U << 6U,
};

struct Pattern {
    std::string source;
    std::regex regex;
};

inline constexpr int no_node = -1;

struct Node {
    std::string pointer;      // where the subschema sits in the schema document
    bool reject_all = false;  // the boolean schema `false`

    std::uint8_t types = 0;  // 0: no type keyword
    std::string types_text;  // "string or null"

    std::optional<nlohmann::json> const_value;
    std::string const_text;
    std::optional<std::vector<nlohmann::json>> enum_values;
    std::string enum_text;                  // `"a", "b", "c"`
    std::vector<std::string> enum_strings;  // for did-you-mean

    std::optional<nlohmann::json> minimum, maximum, exclusive_minimum, exclusive_maximum, multiple_of;

    std::optional<std::size_t> min_length, max_length;
    std::optional<Pattern> pattern;

    int items = no_node;
    std::optional<std::size_t> min_items, max_items;
    bool unique_items = false;

    std::vector<std::pair<std::string, int>> properties;  // sorted by name
    std::vector<std::string> property_names;              // for suggestions and "expected one of"
    std::vector<std::pair<Pattern, int>> pattern_properties;
    int additional_properties = no_node;
    std::vector<std::string> required;
    std::optional<std::size_t> min_properties, max_properties;

    int ref = no_node;
    std::vector<int> all_of, any_of, one_of;
    int not_schema = no_node;
};

}  // namespace net::kernel::schema

namespace net::kernel {

struct JsonSchema::Compiled {
    std::vector<schema::Node> nodes;  // nodes[0] is the root
};

}  // namespace net::kernel
