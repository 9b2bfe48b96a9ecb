// JSON Schema (a draft 2020-12 subset) compiled once and validated many times. Used for the
// manifest format and for plugin config schemas.
//
// Keywords: type (name or list; 1.0 counts as an integer), enum, const, properties, required,
// additionalProperties (bool or schema), patternProperties, items (a schema; the array form is
// prefixItems, unsupported), minItems, maxItems, uniqueItems, minimum, maximum,
// exclusiveMinimum, exclusiveMaximum, multipleOf, minLength and maxLength (in code points),
// pattern, minProperties, maxProperties, allOf, anyOf, oneOf, not, $defs, and local $ref
// ("#", "#/$defs/name", any "#/pointer" to a subschema). Annotations accepted and ignored:
// $schema, $id, $comment, title, description, default, examples, deprecated, readOnly,
// writeOnly. Anything else (format, if/then/else, remote $ref, ...) is a compile error, so a
// misspelt keyword never silently validates nothing.
// Regular expressions are ECMAScript (std::regex), unanchored, matched byte-wise, at most
// 1024 bytes long.
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace net::kernel {

// One failed check. `pointer` is the RFC 6901 pointer of the offending value in the instance
// (prefixed by validate's base_pointer); `message` says what was expected and what was found,
// e.g. `expected integer, got string "abc"`.
struct SchemaViolation {
    std::string pointer;
    std::string message;
};

// The schema itself is unusable: an unsupported or misspelt keyword, a malformed keyword value,
// an unresolvable or cyclic $ref, an invalid regular expression. what() is
// "json schema at <pointer>: <detail>" ("json schema: <detail>" for the root).
struct SchemaCompileError : std::runtime_error {
    SchemaCompileError(std::string pointer, std::string detail);
    std::string pointer;  // RFC 6901 pointer into the schema document
    std::string detail;
};

class JsonSchema {
public:
    // At most this many violations are reported by one validate call.
    static constexpr std::size_t max_violations = 100;

    // A schema that accepts every instance (the same as compiling `true`).
    JsonSchema();

    // Throws SchemaCompileError (and nothing else but std::bad_alloc), whatever `schema` holds.
    static JsonSchema compile(const nlohmann::json& schema);

    // Every violation (up to max_violations) in document order; empty when the instance is valid.
    // Never throws anything but std::bad_alloc. Thread-safe: a compiled schema is immutable.
    std::vector<SchemaViolation> validate(const nlohmann::json& instance, const std::string& base_pointer = "") const;

    // Same verdict as validate().empty(), stopping at the first violation.
    bool accepts(const nlohmann::json& instance) const;

    struct Compiled;  // private representation (kernel/src/manifest/json_schema_node.hpp)

private:
    explicit JsonSchema(std::shared_ptr<const Compiled> compiled);
    std::shared_ptr<const Compiled> compiled_;
};

}  // namespace net::kernel
