// JsonSchema: every supported keyword with a passing and a failing instance (exact pointers and
// messages), compile errors, and hostile input.
#define BOOST_TEST_MODULE json_schema
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "net/kernel/json_schema.hpp"

using net::kernel::JsonSchema;
using net::kernel::SchemaCompileError;
using net::kernel::SchemaViolation;
using nlohmann::json;

namespace {

std::vector<SchemaViolation> check(const std::string& schema, const json& instance)
{
    return JsonSchema::compile(json::parse(schema)).validate(instance);
}

std::string dump(const std::vector<SchemaViolation>& v)
{
    std::string out;
    for (const auto& x : v) out += "[" + x.pointer + "] " + x.message + "\n";
    return out;
}

// Exactly one violation, at `pointer`, with exactly `message`.
void expect_one(const std::vector<SchemaViolation>& v, const std::string& pointer, const std::string& message)
{
    BOOST_TEST_INFO("violations:\n" << dump(v));
    BOOST_REQUIRE_EQUAL(v.size(), 1u);
    BOOST_TEST(v[0].pointer == pointer);
    BOOST_TEST(v[0].message == message);
}

void expect_valid(const std::string& schema, const json& instance)
{
    const auto v = check(schema, instance);
    BOOST_TEST_INFO("instance " << instance.dump() << " violations:\n" << dump(v));
    BOOST_TEST(v.empty());
}

// Compiling `schema` fails at `pointer` with a detail containing `part`.
void expect_compile_error(const std::string& schema, const std::string& pointer, const std::string& part)
{
    try {
        JsonSchema::compile(json::parse(schema));
        BOOST_FAIL("compiled: " + schema);
    } catch (const SchemaCompileError& e) {
        BOOST_TEST_INFO("what(): " << e.what());
        BOOST_TEST(e.pointer == pointer);
        BOOST_TEST(e.detail.find(part) != std::string::npos);
    }
}

// The example plugin's config schema (sdk/examples/greeter), the documented reference case.
const std::string greeter_schema = R"({
    "type": "object",
    "additionalProperties": false,
    "properties": {
        "greeting":    {"type": "string", "minLength": 1, "maxLength": 200},
        "interval_ms": {"type": "integer", "minimum": 10, "maximum": 60000},
        "count":       {"type": "integer", "minimum": 0}
    }
})";

}  // namespace

BOOST_AUTO_TEST_SUITE(types)

BOOST_AUTO_TEST_CASE(each_type_accepts_its_values_and_names_what_it_got)
{
    expect_valid(R"({"type": "string"})", "abc");
    expect_one(check(R"({"type": "integer"})", "abc"), "", R"(expected integer, got string "abc")");
    expect_valid(R"({"type": "integer"})", 5);
    expect_valid(R"({"type": "integer"})", -5);
    expect_valid(R"({"type": "integer"})", 2.0);  // 2020-12: a zero fraction is an integer
    expect_one(check(R"({"type": "integer"})", 2.5), "", "expected integer, got number 2.5");
    expect_valid(R"({"type": "number"})", 2.5);
    expect_valid(R"({"type": "number"})", 7);
    expect_one(check(R"({"type": "number"})", true), "", "expected number, got boolean true");
    expect_valid(R"({"type": "boolean"})", false);
    expect_one(check(R"({"type": "boolean"})", nullptr), "", "expected boolean, got null");
    expect_valid(R"({"type": "null"})", nullptr);
    expect_valid(R"({"type": "object"})", json::object());
    expect_one(check(R"({"type": "object"})", json::array()), "", "expected object, got array");
    expect_valid(R"({"type": "array"})", json::array());
    expect_one(check(R"({"type": "array"})", json::object()), "", "expected array, got object");
    expect_one(check(R"({"type": "string"})", 12), "", "expected string, got integer 12");
}

BOOST_AUTO_TEST_CASE(type_list)
{
    expect_valid(R"({"type": ["string", "null"]})", nullptr);
    expect_valid(R"({"type": ["string", "null"]})", "x");
    expect_one(check(R"({"type": ["string", "integer", "null"]})", 1.5), "",
               "expected string, integer or null, got number 1.5");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(values)

BOOST_AUTO_TEST_CASE(enum_keyword)
{
    const std::string s = R"({"enum": ["trace", "debug", "info", 3, null]})";
    expect_valid(s, "debug");
    expect_valid(s, 3);
    expect_valid(s, 3.0);  // JSON Schema equality: 3 == 3.0
    expect_valid(s, nullptr);
    expect_one(check(s, "debgu"), "",
               R"(must be one of "trace", "debug", "info", 3, null, got "debgu" (did you mean "debug"?))");
    expect_one(check(s, "verbose"), "", R"(must be one of "trace", "debug", "info", 3, null, got "verbose")");
    expect_one(check(s, 4), "", R"(must be one of "trace", "debug", "info", 3, null, got 4)");
}

BOOST_AUTO_TEST_CASE(const_keyword)
{
    expect_valid(R"({"const": {"a": [1, 2]}})", json::parse(R"({"a": [1, 2]})"));
    expect_one(check(R"({"const": 5})", 6), "", "must be 5, got 6");
    expect_one(check(R"({"const": "x"})", "y"), "", R"(must be "x", got "y")");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(objects)

BOOST_AUTO_TEST_CASE(properties_point_at_the_nested_value)
{
    const std::string s = R"({"properties": {"a": {"properties": {"b~/c": {"type": "integer"}}}}})";
    expect_valid(s, json::parse(R"({"a": {"b~/c": 1}, "other": true})"));
    expect_one(check(s, json::parse(R"({"a": {"b~/c": "x"}})")), "/a/b~0~1c", R"(expected integer, got string "x")");
}

BOOST_AUTO_TEST_CASE(required_names_the_missing_property_at_the_object)
{
    const std::string s = R"({"properties": {"o": {"required": ["name", "library"]}}})";
    expect_valid(s, json::parse(R"({"o": {"name": 1, "library": 2}})"));
    const auto v = check(s, json::parse(R"({"o": {}})"));
    BOOST_REQUIRE_EQUAL(v.size(), 2u);
    BOOST_TEST(v[0].pointer == "/o");
    BOOST_TEST(v[0].message == R"(missing required property "name")");
    BOOST_TEST(v[1].message == R"(missing required property "library")");
}

BOOST_AUTO_TEST_CASE(additional_properties_false_suggests_the_closest_name)
{
    expect_valid(greeter_schema, json::parse(R"({"greeting": "hi", "interval_ms": 100})"));
    expect_one(check(greeter_schema, json::parse(R"({"intreval_ms": 100})")), "/intreval_ms",
               R"(unknown property "intreval_ms" (did you mean "interval_ms"?))");
    expect_one(check(greeter_schema, json::parse(R"({"greting": "x"})")), "/greting",
               R"(unknown property "greting" (did you mean "greeting"?))");
    // Nothing close: list what is allowed instead.
    expect_one(check(greeter_schema, json::parse(R"({"zzzzzzzzzzzzzzzzzzzzzz": 1})")), "/zzzzzzzzzzzzzzzzzzzzzz",
               R"(unknown property "zzzzzzzzzzzzzzzzzzzzzz"; expected one of "count", "greeting", "interval_ms")");
}

BOOST_AUTO_TEST_CASE(greeter_config_messages)
{
    expect_one(check(greeter_schema, json::parse(R"({"interval_ms": 99999})")), "/interval_ms",
               "must be <= 60000, got 99999");
    expect_one(check(greeter_schema, json::parse(R"({"interval_ms": "abc"})")), "/interval_ms",
               R"(expected integer, got string "abc")");
    expect_one(check(greeter_schema, json::parse(R"({"greeting": ""})")), "/greeting",
               "must be at least 1 character long, got 0 characters");
    expect_one(check(greeter_schema, json::parse(R"({"count": -1})")), "/count", "must be >= 0, got -1");
}

BOOST_AUTO_TEST_CASE(additional_properties_schema)
{
    const std::string s = R"({"properties": {"a": true}, "additionalProperties": {"type": "integer"}})";
    expect_valid(s, json::parse(R"({"a": "anything", "b": 1})"));
    expect_one(check(s, json::parse(R"({"a": "x", "b": "y"})")), "/b", R"(expected integer, got string "y")");
}

BOOST_AUTO_TEST_CASE(pattern_properties)
{
    const std::string s = R"({"patternProperties": {"^x-": {"type": "string"}}, "additionalProperties": false})";
    expect_valid(s, json::parse(R"({"x-a": "1", "x-b": "2"})"));
    expect_one(check(s, json::parse(R"({"x-a": 1})")), "/x-a", "expected string, got integer 1");
    expect_one(check(s, json::parse(R"({"y": "1"})")), "/y", R"(unknown property "y")");
}

BOOST_AUTO_TEST_CASE(min_and_max_properties)
{
    const std::string s = R"({"minProperties": 1, "maxProperties": 2})";
    expect_valid(s, json::parse(R"({"a": 1})"));
    expect_one(check(s, json::object()), "", "must have at least 1 property, got 0");
    expect_one(check(s, json::parse(R"({"a": 1, "b": 2, "c": 3})")), "", "must have at most 2 properties, got 3");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(arrays)

BOOST_AUTO_TEST_CASE(items_point_at_the_element)
{
    const std::string s = R"({"items": {"type": "string"}})";
    expect_valid(s, json::parse(R"(["a", "b"])"));
    expect_one(check(s, json::parse(R"(["a", "b", 3])")), "/2", "expected string, got integer 3");
}

BOOST_AUTO_TEST_CASE(min_and_max_items)
{
    const std::string s = R"({"minItems": 1, "maxItems": 2})";
    expect_valid(s, json::parse("[1]"));
    expect_one(check(s, json::array()), "", "must have at least 1 item, got 0");
    expect_one(check(s, json::parse("[1, 2, 3]")), "", "must have at most 2 items, got 3");
}

BOOST_AUTO_TEST_CASE(unique_items_points_at_the_repeat)
{
    const std::string s = R"({"uniqueItems": true})";
    expect_valid(s, json::parse(R"([1, "1", [1], {"a": 1}])"));
    expect_one(check(s, json::parse(R"(["a", "b", "a"])")), "/2",
               R"(duplicate item "a" (same as item 0); items must be unique)");
    expect_one(check(s, json::parse("[1, 1.0]")), "/1", "duplicate item 1.0 (same as item 0); items must be unique");
    expect_one(check(s, json::parse(R"([{"a": [1]}, {"a": [1]}])")), "/1",
               "duplicate item (same as item 0); items must be unique");
    expect_valid(R"({"uniqueItems": false})", json::parse("[1, 1]"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(numbers)

BOOST_AUTO_TEST_CASE(inclusive_bounds)
{
    const std::string s = R"({"minimum": 10, "maximum": 60000})";
    expect_valid(s, 10);
    expect_valid(s, 60000);
    expect_valid(s, 10.5);
    expect_one(check(s, 9), "", "must be >= 10, got 9");
    expect_one(check(s, 60000.5), "", "must be <= 60000, got 60000.5");
}

BOOST_AUTO_TEST_CASE(exclusive_bounds)
{
    const std::string s = R"({"exclusiveMinimum": 0, "exclusiveMaximum": 1.5})";
    expect_valid(s, 1);
    expect_one(check(s, 0), "", "must be > 0, got 0");
    expect_one(check(s, 1.5), "", "must be < 1.5, got 1.5");
}

BOOST_AUTO_TEST_CASE(extreme_integers_compare_exactly)
{
    const std::uint64_t big = 18446744073709551615ull;
    expect_one(check(R"({"maximum": 9223372036854775807})", big), "",
               "must be <= 9223372036854775807, got 18446744073709551615");
    expect_valid(R"({"minimum": -9223372036854775808})", json(std::int64_t{-9223372036854775807LL - 1}));
    expect_one(check(R"({"minimum": 0})", json(std::int64_t{-9223372036854775807LL - 1})), "",
               "must be >= 0, got -9223372036854775808");
    expect_valid(R"({"maximum": 18446744073709551615})", big);
    // 2^53 + 1 is not representable as a double; an exact comparison still separates them.
    expect_one(check(R"({"maximum": 9007199254740992})", json(std::uint64_t{9007199254740993ull})), "",
               "must be <= 9007199254740992, got 9007199254740993");
}

BOOST_AUTO_TEST_CASE(multiple_of)
{
    expect_valid(R"({"multipleOf": 5})", 15);
    expect_one(check(R"({"multipleOf": 5})", 7), "", "must be a multiple of 5, got 7");
    expect_valid(R"({"multipleOf": 0.1})", 0.3);  // not exact in binary floating point
    expect_one(check(R"({"multipleOf": 0.1})", 0.35), "", "must be a multiple of 0.1, got 0.35");
    expect_valid(R"({"multipleOf": 3})", json(std::int64_t{-9}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(strings)

BOOST_AUTO_TEST_CASE(lengths_count_code_points)
{
    const std::string s = R"({"minLength": 2, "maxLength": 5})";
    expect_valid(s, "h\u00e9llo");  // 6 bytes, 5 code points
    expect_valid(s, "\U0001F600\U0001F600");
    expect_one(check(s, "\u00e9"), "", "must be at least 2 characters long, got 1 character");
    expect_one(check(s, "h\u00e9llo!"), "", "must be at most 5 characters long, got 6 characters");
}

BOOST_AUTO_TEST_CASE(pattern_is_an_unanchored_search)
{
    expect_valid(R"({"pattern": "b+"})", "abbbc");
    expect_valid(R"({"pattern": "^[a-z0-9][a-z0-9._-]{0,63}$"})", "greeter-2");
    expect_one(check(R"({"pattern": "^[a-z0-9][a-z0-9._-]{0,63}$"})", "Greeter"), "",
               R"(must match pattern "^[a-z0-9][a-z0-9._-]{0,63}$", got "Greeter")");
}

BOOST_AUTO_TEST_CASE(pattern_on_a_very_long_string_does_not_exhaust_the_stack)
{
    const std::string long_text(2'000'000, 'a');
    expect_valid(R"({"pattern": "^(a|b)*$"})", long_text);
    const auto v = check(R"({"pattern": "^[a-z]*c$"})", long_text);
    BOOST_REQUIRE_EQUAL(v.size(), 1u);
    BOOST_TEST(v[0].message.size() < 300u);  // the value is truncated in the message
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(combinators)

BOOST_AUTO_TEST_CASE(all_of_reports_every_failure)
{
    const std::string s = R"({"allOf": [{"type": "integer"}, {"minimum": 3}, {"maximum": 4}]})";
    expect_valid(s, 3);
    expect_one(check(s, 2), "", "must be >= 3, got 2");
    expect_one(check(s, "x"), "", R"(expected integer, got string "x")");
}

BOOST_AUTO_TEST_CASE(any_of)
{
    const std::string s =
        R"({"anyOf": [{"type": "string"}, {"properties": {"a": {"type": "integer"}}, "required": ["a"]}]})";
    expect_valid(s, "x");
    expect_valid(s, json::parse(R"({"a": 1})"));
    expect_one(
        check(s, json::parse(R"({"a": "no"})")), "",
        R"(must match at least one schema in anyOf: [0] expected string, got object; [1] at /a: expected integer, got string "no")");
}

BOOST_AUTO_TEST_CASE(one_of)
{
    const std::string s = R"({"oneOf": [{"type": "integer"}, {"minimum": 10}]})";
    expect_valid(s, 5);
    expect_valid(s, 10.5);
    expect_one(check(s, 11), "", "must match exactly one schema in oneOf, matches 2 (0, 1)");
    expect_one(check(s, 2.5), "",
               "must match exactly one schema in oneOf, matches none: [0] expected integer, got number 2.5; [1] must "
               "be >= 10, got 2.5");
}

BOOST_AUTO_TEST_CASE(not_keyword)
{
    const std::string s = R"({"not": {"type": "string"}})";
    expect_valid(s, 1);
    expect_one(check(s, "x"), "", R"(must not match the schema in "not" (/not))");
}

BOOST_AUTO_TEST_CASE(boolean_schemas)
{
    expect_valid("true", json::parse(R"({"any": ["thing"]})"));
    expect_one(check("false", 1), "", "no value is allowed here, got integer 1");
    expect_one(check(R"({"properties": {"gone": false}})", json::parse(R"({"gone": 1})")), "/gone",
               "no value is allowed here, got integer 1");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(references)

BOOST_AUTO_TEST_CASE(local_defs_ref)
{
    const std::string s = R"({
        "$defs": {"port": {"type": "integer", "minimum": 1, "maximum": 65535}},
        "properties": {"listen": {"$ref": "#/$defs/port"}, "peers": {"items": {"$ref": "#/$defs/port"}}}
    })";
    expect_valid(s, json::parse(R"({"listen": 80, "peers": [1, 2]})"));
    expect_one(check(s, json::parse(R"({"listen": 80, "peers": [1, 0]})")), "/peers/1", "must be >= 1, got 0");
}

BOOST_AUTO_TEST_CASE(recursive_ref_follows_the_instance)
{
    const std::string s =
        R"({"type": "object", "properties": {"v": {"type": "integer"}, "children": {"items": {"$ref": "#"}}}})";
    json tree = json::parse(R"({"v": 1})");
    json* leaf = &tree;
    for (int i = 0; i < 40; ++i) {
        (*leaf)["children"] = json::array({json::object({{"v", i}})});
        leaf = &(*leaf)["children"][0];
    }
    BOOST_TEST(JsonSchema::compile(json::parse(s)).validate(tree).empty());
    (*leaf)["v"] = "bad";
    const auto v = JsonSchema::compile(json::parse(s)).validate(tree);
    BOOST_REQUIRE_EQUAL(v.size(), 1u);
    BOOST_TEST(v[0].pointer.ends_with("/children/0/v"));
}

BOOST_AUTO_TEST_CASE(ref_with_escaped_and_percent_encoded_names)
{
    expect_valid(R"({"$defs": {"a b": {"type": "null"}}, "$ref": "#/$defs/a%20b"})", nullptr);
    expect_one(check(R"({"$defs": {"a/b": {"type": "null"}}, "$ref": "#/$defs/a~1b"})", 1), "",
               "expected null, got integer 1");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(validation_api)

BOOST_AUTO_TEST_CASE(base_pointer_prefixes_every_pointer)
{
    const auto schema = JsonSchema::compile(json::parse(greeter_schema));
    const auto v = schema.validate(json::parse(R"({"interval_ms": 1})"), "/plugins/0/config");
    BOOST_REQUIRE_EQUAL(v.size(), 1u);
    BOOST_TEST(v[0].pointer == "/plugins/0/config/interval_ms");
}

BOOST_AUTO_TEST_CASE(annotations_are_accepted_and_ignored)
{
    expect_valid(R"({"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "urn:x", "$comment": "c",
                     "title": "t", "description": "d", "default": 3, "examples": [1], "deprecated": false,
                     "readOnly": false, "writeOnly": false, "type": "integer"})",
                 3);
}

BOOST_AUTO_TEST_CASE(violations_are_capped)
{
    json items = json::array();
    for (int i = 0; i < 1000; ++i) items.push_back("x");
    const auto v = check(R"({"items": {"type": "integer"}})", items);
    BOOST_TEST(v.size() == JsonSchema::max_violations);
    BOOST_TEST(v.back().pointer == "/" + std::to_string(JsonSchema::max_violations - 1));
}

BOOST_AUTO_TEST_CASE(accepts_matches_validate)
{
    const auto schema = JsonSchema::compile(json::parse(greeter_schema));
    BOOST_TEST(schema.accepts(json::parse(R"({"count": 3})")));
    BOOST_TEST(!schema.accepts(json::parse(R"({"count": -3})")));
    BOOST_TEST(JsonSchema().accepts(json::parse(R"([1, {"x": null}])")));
}

BOOST_AUTO_TEST_CASE(compiled_schema_is_reusable_and_copyable)
{
    const auto schema = JsonSchema::compile(json::parse(greeter_schema));
    const JsonSchema copy = schema;
    for (int i = 0; i < 100; ++i) {
        BOOST_TEST(copy.validate(json::parse(R"({"interval_ms": 20})")).empty());
        BOOST_TEST(schema.validate(json::parse(R"({"interval_ms": 2})")).size() == 1u);
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(compile_errors)

BOOST_AUTO_TEST_CASE(unknown_keyword_is_rejected_with_a_suggestion)
{
    expect_compile_error(R"({"properties": {"x": {"type": "integer", "minimun": 1}}})", "/properties/x/minimun",
                         R"(unsupported keyword "minimun" (did you mean "minimum"?))");
    expect_compile_error(R"({"format": "ipv4"})", "/format", R"(unsupported keyword "format")");
    expect_compile_error(R"({"definitions": {}})", "/definitions", "unsupported keyword");
}

BOOST_AUTO_TEST_CASE(compile_error_what_names_the_pointer)
{
    try {
        JsonSchema::compile(json::parse(R"({"items": {"minLength": -1}})"));
        BOOST_FAIL("compiled");
    } catch (const SchemaCompileError& e) {
        BOOST_TEST(std::string(e.what()) ==
                   "json schema at /items/minLength: must be a non-negative integer, got integer -1");
    }
}

BOOST_AUTO_TEST_CASE(malformed_keywords)
{
    expect_compile_error(R"({"type": "strnig"})", "/type", R"(unknown type "strnig" (did you mean "string"?))");
    expect_compile_error(R"({"type": ["string", "nul"]})", "/type/1", "unknown type");
    expect_compile_error(R"({"type": []})", "/type", "non-empty array");
    expect_compile_error(R"({"required": "name"})", "/required", "must be an array of strings");
    expect_compile_error(R"({"required": ["a", "a"]})", "/required/1", "duplicate entry");
    expect_compile_error(R"({"enum": []})", "/enum", "non-empty array");
    expect_compile_error(R"({"minimum": "1"})", "/minimum", "must be a number");
    expect_compile_error(R"({"multipleOf": 0})", "/multipleOf", "greater than 0");
    expect_compile_error(R"({"maxItems": 1.5})", "/maxItems", "non-negative integer");
    expect_compile_error(R"({"uniqueItems": 1})", "/uniqueItems", "must be a boolean");
    expect_compile_error(R"({"pattern": "(unclosed"})", "/pattern", "invalid regular expression");
    expect_compile_error(R"({"patternProperties": {"[": {}}})", "/patternProperties/[", "invalid regular expression");
    expect_compile_error(R"({"items": [{}]})", "/items", "prefixItems");
    expect_compile_error(R"({"properties": {"a": 3}})", "/properties/a", "must be an object or a boolean");
    expect_compile_error(R"({"allOf": []})", "/allOf", "non-empty array of schemas");
    expect_compile_error(R"({"title": 3})", "/title", "must be a string");
    expect_compile_error("42", "", "must be an object or a boolean");
}

BOOST_AUTO_TEST_CASE(bad_refs)
{
    expect_compile_error(
        R"({"$defs": {"port": {}}, "$ref": "#/$defs/prot"})", "/$ref",
        R"(cannot resolve $ref "#/$defs/prot": no subschema at that location (did you mean "#/$defs/port"?))");
    expect_compile_error(R"({"$ref": "other.json#/x"})", "/$ref", "only local references");
    expect_compile_error(R"({"$ref": 3})", "/$ref", "must be a string");
    expect_compile_error(R"({"properties": {"x": {}}, "$ref": "#/properties"})", "/$ref", "cannot resolve");
    expect_compile_error(R"({"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"allOf": [{"$ref": "#/$defs/a"}]}}})",
                         "/$defs/b/allOf/0", "reference cycle");
    expect_compile_error(R"({"$ref": "#"})", "", "reference cycle");
}

BOOST_AUTO_TEST_CASE(hostile_schemas_fail_cleanly)
{
    std::string deep = "true";
    for (int i = 0; i < 200; ++i) deep = R"({"items": )" + deep + "}";
    try {
        JsonSchema::compile(json::parse(deep));
        BOOST_FAIL("compiled");
    } catch (const SchemaCompileError& e) {
        BOOST_TEST(e.detail.find("deeper than") != std::string::npos);
    }
    expect_compile_error(R"({"pattern": ")" + std::string(5000, 'a') + R"("})", "/pattern", "longer than");
    expect_compile_error(R"({"pattern": "a{1000}{1000}"})", "/pattern", "invalid regular expression");
    // libstdc++ overflows a signed long parsing these counts; they must be refused first.
    expect_compile_error(R"({"pattern": "a{88888866666666666666}"})", "/pattern", "more than 6 digits");
    expect_compile_error(R"({"pattern": "a{1,99999999999}"})", "/pattern", "more than 6 digits");
    expect_compile_error(R"({"pattern": "(a)\\99999999999999999999"})", "/pattern", "more than 6 digits");
    expect_valid(R"({"pattern": "[{12345678901234}]"})", "{");  // literal inside a class
    json deep_const = 1;
    for (int i = 0; i < 100; ++i) deep_const = json::array({deep_const});
    try {
        JsonSchema::compile(json{{"const", deep_const}});
        BOOST_FAIL("compiled");
    } catch (const SchemaCompileError& e) {
        BOOST_TEST(e.pointer == "/const");
    }
}

BOOST_AUTO_TEST_CASE(random_schemas_only_ever_throw_schema_compile_error)
{
    // Mutates a valid schema at random; compile either succeeds or throws SchemaCompileError,
    // and a compiled schema validates random instances without throwing.
    const std::vector<json> values = {nullptr,
                                      true,
                                      false,
                                      0,
                                      -1,
                                      1.5,
                                      "x",
                                      "^(",
                                      "#/$defs/a",
                                      json::array(),
                                      json::object(),
                                      json::array({"a", 1}),
                                      json::parse(R"({"type": "string"})")};
    const std::vector<std::string> keys = {"type",
                                           "enum",
                                           "const",
                                           "properties",
                                           "required",
                                           "additionalProperties",
                                           "patternProperties",
                                           "items",
                                           "minItems",
                                           "uniqueItems",
                                           "minimum",
                                           "multipleOf",
                                           "minLength",
                                           "pattern",
                                           "oneOf",
                                           "anyOf",
                                           "allOf",
                                           "not",
                                           "$defs",
                                           "$ref",
                                           "bogus"};
    std::mt19937 rng(1234);
    int compiled = 0;
    for (int round = 0; round < 3000; ++round) {
        json schema = json::parse(greeter_schema);
        json* target = &schema;
        for (int edits = 0; edits < 4; ++edits) {
            const auto& key = keys[rng() % keys.size()];
            (*target)[key] = values[rng() % values.size()];
            if ((*target)[key].is_object() && rng() % 2 == 0) target = &(*target)[key];
        }
        try {
            const auto s = JsonSchema::compile(schema);
            ++compiled;
            for (const auto& v : values) (void)s.validate(v);
        } catch (const SchemaCompileError&) {
        }
    }
    BOOST_TEST(compiled > 0);
}

BOOST_AUTO_TEST_SUITE_END()
