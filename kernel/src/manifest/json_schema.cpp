// JsonSchema::compile: decodes every keyword once into the node table, resolves local $refs
// and rejects anything it does not understand, so typos in a schema fail loudly.
#include "net/kernel/json_schema.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <utility>

#include "manifest/edit_distance.hpp"
#include "manifest/json_schema_node.hpp"
#include "manifest/json_text.hpp"

namespace net::kernel {
namespace {

using json = nlohmann::json;
using schema::Node;

constexpr std::size_t max_schema_depth = 64;     // nested subschemas
constexpr std::size_t max_value_depth = 64;      // nesting inside const/enum values
constexpr std::size_t max_pattern_bytes = 1024;  // libstdc++ compiles regexes recursively
constexpr std::size_t max_count_digits = 6;

const std::vector<std::string>& known_keywords()
{
    static const std::vector<std::string> names = {"type",
                                                   "enum",
                                                   "const",
                                                   "properties",
                                                   "required",
                                                   "additionalProperties",
                                                   "patternProperties",
                                                   "items",
                                                   "minItems",
                                                   "maxItems",
                                                   "uniqueItems",
                                                   "minimum",
                                                   "maximum",
                                                   "exclusiveMinimum",
                                                   "exclusiveMaximum",
                                                   "multipleOf",
                                                   "minLength",
                                                   "maxLength",
                                                   "pattern",
                                                   "minProperties",
                                                   "maxProperties",
                                                   "oneOf",
                                                   "anyOf",
                                                   "allOf",
                                                   "not",
                                                   "$defs",
                                                   "$ref",
                                                   "default",
                                                   "title",
                                                   "description",
                                                   "$schema",
                                                   "$id",
                                                   "$comment",
                                                   "examples",
                                                   "deprecated",
                                                   "readOnly",
                                                   "writeOnly"};
    return names;
}

const std::vector<std::string>& type_names()
{
    static const std::vector<std::string> names = {"null", "boolean", "object", "array", "number", "string", "integer"};
    return names;
}

std::string join_rendered(const std::vector<json>& values)
{
    std::string out;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i == 8) {
            out += ", ... (" + std::to_string(values.size()) + " values)";
            break;
        }
        if (i > 0) out += ", ";
        out += render_value(values[i]);
    }
    return out;
}

std::string join_types(const std::vector<std::string>& names)
{
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) out += (i + 1 == names.size()) ? " or " : ", ";
        out += names[i];
    }
    return out;
}

// True when a {n,m} quantifier or a \N back-reference carries a number libstdc++ would overflow
// while parsing it (undefined behaviour there, found by fuzzing). Digits inside [...] are literal.
bool has_oversized_count(std::string_view pattern)
{
    const auto digit_run = [&](std::size_t from) {
        std::size_t n = 0;
        while (from + n < pattern.size() && std::isdigit(static_cast<unsigned char>(pattern[from + n]))) ++n;
        return n;
    };
    bool in_class = false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c == '\\') {
            if (digit_run(i + 1) > max_count_digits) return true;
            ++i;
        } else if (in_class) {
            in_class = c != ']';
        } else if (c == '[') {
            in_class = true;
        } else if (c == '{') {
            for (std::size_t j = i + 1;
                 j < pattern.size() && (std::isdigit(static_cast<unsigned char>(pattern[j])) || pattern[j] == ',');) {
                const std::size_t run = digit_run(j);
                if (run > max_count_digits) return true;
                j += run == 0 ? 1 : run;
            }
        }
    }
    return false;
}

// "#/$defs/a%20b" -> "/$defs/a b"; nullopt when it is not a local reference.
std::optional<std::string> decode_local_ref(const std::string& ref)
{
    if (ref.empty() || ref[0] != '#') return std::nullopt;
    std::string out;
    for (std::size_t i = 1; i < ref.size(); ++i) {
        if (ref[i] == '%' && i + 2 < ref.size() && std::isxdigit(static_cast<unsigned char>(ref[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(ref[i + 2]))) {
            out.push_back(static_cast<char>(std::stoi(ref.substr(i + 1, 2), nullptr, 16)));
            i += 2;
        } else {
            out.push_back(ref[i]);
        }
    }
    if (!out.empty() && out[0] != '/') return std::nullopt;
    return out;
}

class SchemaCompiler {
public:
    std::vector<Node> run(const json& root)
    {
        compile_node(root, "", 0);
        resolve_refs();
        reject_ref_cycles();
        return std::move(nodes_);
    }

private:
    [[noreturn]] static void fail(const std::string& pointer, const std::string& detail)
    {
        throw SchemaCompileError(pointer, detail);
    }

    int compile_node(const json& s, const std::string& pointer, std::size_t depth)
    {
        if (depth > max_schema_depth) {
            fail(pointer, "subschemas nested deeper than " + std::to_string(max_schema_depth) + " levels");
        }
        const int index = static_cast<int>(nodes_.size());
        nodes_.emplace_back();
        by_pointer_.emplace(pointer, index);
        Node node;
        node.pointer = pointer;
        if (s.is_boolean()) {
            node.reject_all = !s.get<bool>();
        } else if (!s.is_object()) {
            fail(pointer, "a schema must be an object or a boolean, got " + describe_value(s));
        } else {
            for (const auto& [key, value] : s.items())
                compile_keyword(node, key, value, child_pointer(pointer, key), depth);
        }
        // nodes_ may have grown (and moved) while compiling children, so assign by index at the end.
        nodes_[static_cast<std::size_t>(index)] = std::move(node);
        return index;
    }

    void compile_keyword(Node& node, const std::string& key, const json& value, const std::string& at,
                         std::size_t depth)
    {
        if (key == "type") {
            compile_type(node, value, at);
        } else if (key == "enum") {
            if (!value.is_array() || value.empty()) fail(at, "must be a non-empty array, got " + describe_value(value));
            check_value_depth(value, at);
            node.enum_values = value.get<std::vector<json>>();
            node.enum_text = join_rendered(*node.enum_values);
            for (const auto& v : *node.enum_values) {
                if (v.is_string()) node.enum_strings.push_back(v.get<std::string>());
            }
        } else if (key == "const") {
            check_value_depth(value, at);
            node.const_value = value;
            node.const_text = render_value(value);
        } else if (key == "properties") {
            require_object(value, at);
            for (const auto& [name, sub] : value.items()) {
                node.properties.emplace_back(name, compile_node(sub, child_pointer(at, name), depth + 1));
                node.property_names.push_back(name);
            }
            std::sort(node.properties.begin(), node.properties.end(),
                      [](const auto& a, const auto& b) { return a.first < b.first; });
        } else if (key == "patternProperties") {
            require_object(value, at);
            for (const auto& [source, sub] : value.items()) {
                const std::string sub_at = child_pointer(at, source);
                node.pattern_properties.emplace_back(compile_pattern(source, sub_at),
                                                     compile_node(sub, sub_at, depth + 1));
            }
        } else if (key == "additionalProperties") {
            node.additional_properties = compile_node(value, at, depth + 1);
        } else if (key == "required") {
            node.required = read_unique_strings(value, at);
        } else if (key == "items") {
            if (value.is_array()) fail(at, "must be a schema; the array form is prefixItems, which is not supported");
            node.items = compile_node(value, at, depth + 1);
        } else if (key == "minItems") {
            node.min_items = read_count(value, at);
        } else if (key == "maxItems") {
            node.max_items = read_count(value, at);
        } else if (key == "uniqueItems") {
            node.unique_items = read_bool(value, at);
        } else if (key == "minimum") {
            node.minimum = read_number(value, at);
        } else if (key == "maximum") {
            node.maximum = read_number(value, at);
        } else if (key == "exclusiveMinimum") {
            node.exclusive_minimum = read_number(value, at);
        } else if (key == "exclusiveMaximum") {
            node.exclusive_maximum = read_number(value, at);
        } else if (key == "multipleOf") {
            node.multiple_of = read_number(value, at);
            if (!(value.get<double>() > 0)) fail(at, "must be greater than 0, got " + format_number(value));
        } else if (key == "minLength") {
            node.min_length = read_count(value, at);
        } else if (key == "maxLength") {
            node.max_length = read_count(value, at);
        } else if (key == "pattern") {
            if (!value.is_string()) fail(at, "must be a string, got " + describe_value(value));
            node.pattern = compile_pattern(value.get<std::string>(), at);
        } else if (key == "minProperties") {
            node.min_properties = read_count(value, at);
        } else if (key == "maxProperties") {
            node.max_properties = read_count(value, at);
        } else if (key == "allOf") {
            node.all_of = compile_list(value, at, depth);
        } else if (key == "anyOf") {
            node.any_of = compile_list(value, at, depth);
        } else if (key == "oneOf") {
            node.one_of = compile_list(value, at, depth);
        } else if (key == "not") {
            node.not_schema = compile_node(value, at, depth + 1);
        } else if (key == "$defs") {
            require_object(value, at);
            for (const auto& [name, sub] : value.items()) compile_node(sub, child_pointer(at, name), depth + 1);
        } else if (key == "$ref") {
            if (!value.is_string()) fail(at, "must be a string, got " + describe_value(value));
            // Targets may be compiled later; the owner is found again by its pointer.
            pending_refs_.push_back({value.get<std::string>(), at, node.pointer});
        } else if (key == "title" || key == "description" || key == "$comment" || key == "$schema" || key == "$id") {
            if (!value.is_string()) fail(at, "must be a string, got " + describe_value(value));
        } else if (key == "deprecated" || key == "readOnly" || key == "writeOnly") {
            read_bool(value, at);
        } else if (key == "default" || key == "examples") {
            // Annotations: not validated.
        } else {
            fail(at, "unsupported keyword " + quote_for_message(key) + did_you_mean(key, known_keywords()));
        }
    }

    void compile_type(Node& node, const json& value, const std::string& at)
    {
        std::vector<std::string> names;
        if (value.is_string()) {
            names.push_back(value.get<std::string>());
        } else if (value.is_array() && !value.empty()) {
            names = read_unique_strings(value, at);
        } else {
            fail(at, "must be a type name or a non-empty array of type names, got " + describe_value(value));
        }
        for (std::size_t i = 0; i < names.size(); ++i) {
            const auto& all = type_names();
            const auto it = std::find(all.begin(), all.end(), names[i]);
            const std::string name_at = value.is_array() ? child_pointer(at, i) : at;
            if (it == all.end())
                fail(name_at, "unknown type " + quote_for_message(names[i]) + did_you_mean(names[i], all));
            node.types = static_cast<std::uint8_t>(node.types | (1U << static_cast<unsigned>(it - all.begin())));
        }
        node.types_text = join_types(names);
    }

    std::vector<int> compile_list(const json& value, const std::string& at, std::size_t depth)
    {
        if (!value.is_array() || value.empty())
            fail(at, "must be a non-empty array of schemas, got " + describe_value(value));
        std::vector<int> out;
        for (std::size_t i = 0; i < value.size(); ++i)
            out.push_back(compile_node(value[i], child_pointer(at, i), depth + 1));
        return out;
    }

    static schema::Pattern compile_pattern(const std::string& source, const std::string& at)
    {
        if (source.size() > max_pattern_bytes) {
            fail(at, "regular expression longer than " + std::to_string(max_pattern_bytes) + " bytes");
        }
        if (has_oversized_count(source)) {
            fail(at, "invalid regular expression " + quote_for_message(source) +
                         ": a repetition count or back-reference "
                         "number has more than " +
                         std::to_string(max_count_digits) + " digits");
        }
        auto flags = std::regex::ECMAScript;
#if defined(__GLIBCXX__)
        // Thompson-NFA matching: stack use does not grow with the subject's length (the default
        // backtracking executor recurses once per character and overflows on long strings).
        flags |= std::regex_constants::__polynomial;
#endif
        try {
            return schema::Pattern{source, std::regex(source, flags)};
        } catch (const std::regex_error& e) {
            fail(at, "invalid regular expression " + quote_for_message(source) + ": " + e.what());
        }
    }

    static void require_object(const json& value, const std::string& at)
    {
        if (!value.is_object()) fail(at, "must be an object, got " + describe_value(value));
    }

    static void check_value_depth(const json& value, const std::string& at)
    {
        if (nested_deeper_than(value, max_value_depth))
            fail(at, "value nested deeper than " + std::to_string(max_value_depth) + " levels");
    }

    static bool read_bool(const json& value, const std::string& at)
    {
        if (!value.is_boolean()) fail(at, "must be a boolean, got " + describe_value(value));
        return value.get<bool>();
    }

    static json read_number(const json& value, const std::string& at)
    {
        if (!value.is_number() || (value.is_number_float() && !std::isfinite(value.get<double>()))) {
            fail(at, "must be a number, got " + describe_value(value));
        }
        return value;
    }

    static std::size_t read_count(const json& value, const std::string& at)
    {
        if (value.is_number_unsigned()) return static_cast<std::size_t>(value.get<std::uint64_t>());
        if (value.is_number_integer() && value.get<std::int64_t>() >= 0)
            return static_cast<std::size_t>(value.get<std::int64_t>());
        if (value.is_number_float()) {
            const double d = value.get<double>();
            if (d >= 0 && std::isfinite(d) && std::floor(d) == d) {
                constexpr auto cap = static_cast<double>(std::numeric_limits<std::uint32_t>::max());
                return d > cap ? std::numeric_limits<std::size_t>::max() : static_cast<std::size_t>(d);
            }
        }
        fail(at, "must be a non-negative integer, got " + describe_value(value));
    }

    static std::vector<std::string> read_unique_strings(const json& value, const std::string& at)
    {
        if (!value.is_array()) fail(at, "must be an array of strings, got " + describe_value(value));
        std::vector<std::string> out;
        for (std::size_t i = 0; i < value.size(); ++i) {
            if (!value[i].is_string()) fail(child_pointer(at, i), "must be a string, got " + describe_value(value[i]));
            const auto& s = value[i].get_ref<const std::string&>();
            if (std::find(out.begin(), out.end(), s) != out.end())
                fail(child_pointer(at, i), "duplicate entry " + quote_for_message(s));
            out.push_back(s);
        }
        return out;
    }

    void resolve_refs()
    {
        for (const auto& pending : pending_refs_) {
            const int owner = by_pointer_.at(pending.owner_pointer);
            const auto target = decode_local_ref(pending.ref);
            if (!target) {
                fail(pending.at, "unsupported $ref " + quote_for_message(pending.ref) +
                                     ": only local references such as \"#/$defs/name\" are supported");
            }
            const auto it = by_pointer_.find(*target);
            if (it == by_pointer_.end()) {
                std::vector<std::string> known;
                for (const auto& [p, i] : by_pointer_) {
                    if (p.find("/$defs/") != std::string::npos) known.push_back("#" + p);
                }
                fail(pending.at, "cannot resolve $ref " + quote_for_message(pending.ref) +
                                     ": no subschema at that location" + did_you_mean(pending.ref, known));
            }
            nodes_[static_cast<std::size_t>(owner)].ref = it->second;
        }
    }

    // Subschemas applied to the same instance location as their parent.
    std::vector<int> in_place_edges(const Node& n) const
    {
        std::vector<int> out(n.all_of.begin(), n.all_of.end());
        out.insert(out.end(), n.any_of.begin(), n.any_of.end());
        out.insert(out.end(), n.one_of.begin(), n.one_of.end());
        if (n.not_schema != schema::no_node) out.push_back(n.not_schema);
        if (n.ref != schema::no_node) out.push_back(n.ref);
        return out;
    }

    // A cycle made only of in-place applicators ($ref, allOf, ...) would validate forever.
    // Iterative DFS: a chain of thousands of $defs must not exhaust the stack here.
    void reject_ref_cycles() const
    {
        enum class Mark : std::uint8_t { unvisited, active, done };
        std::vector<Mark> mark(nodes_.size(), Mark::unvisited);
        struct Frame {
            int node;
            std::vector<int> edges;
            std::size_t next = 0;
        };
        for (std::size_t start = 0; start < nodes_.size(); ++start) {
            if (mark[start] != Mark::unvisited) continue;
            std::vector<Frame> stack;
            stack.push_back({static_cast<int>(start), in_place_edges(nodes_[start])});
            mark[start] = Mark::active;
            while (!stack.empty()) {
                Frame& top = stack.back();
                if (top.next == top.edges.size()) {
                    mark[static_cast<std::size_t>(top.node)] = Mark::done;
                    stack.pop_back();
                    continue;
                }
                const int next = top.edges[top.next++];
                const auto next_index = static_cast<std::size_t>(next);
                if (mark[next_index] == Mark::active) {
                    std::string chain;
                    bool in_cycle = false;
                    for (const auto& f : stack) {
                        in_cycle = in_cycle || f.node == next;
                        if (in_cycle) chain += "#" + nodes_[static_cast<std::size_t>(f.node)].pointer + " -> ";
                    }
                    chain += "#" + nodes_[next_index].pointer;
                    fail(nodes_[static_cast<std::size_t>(stack.back().node)].pointer,
                         "reference cycle that never descends into the instance: " + chain);
                }
                if (mark[next_index] == Mark::unvisited) {
                    mark[next_index] = Mark::active;
                    stack.push_back({next, in_place_edges(nodes_[next_index])});
                }
            }
        }
    }

    struct PendingRef {
        std::string ref;
        std::string at;
        std::string owner_pointer;
    };

    std::vector<Node> nodes_;
    std::map<std::string, int> by_pointer_;
    std::vector<PendingRef> pending_refs_;
};

std::string compile_error_text(const std::string& pointer, const std::string& detail)
{
    return pointer.empty() ? "json schema: " + detail : "json schema at " + pointer + ": " + detail;
}

}  // namespace

SchemaCompileError::SchemaCompileError(std::string at, std::string what_failed)
    : std::runtime_error(compile_error_text(at, what_failed)), pointer(std::move(at)), detail(std::move(what_failed))
{
}

JsonSchema::JsonSchema() : JsonSchema(std::make_shared<Compiled>(Compiled{{Node{}}})) {}

JsonSchema::JsonSchema(std::shared_ptr<const Compiled> compiled) : compiled_(std::move(compiled)) {}

JsonSchema JsonSchema::compile(const json& schema)
{
    try {
        auto compiled = std::make_shared<Compiled>();
        compiled->nodes = SchemaCompiler{}.run(schema);
        return JsonSchema(std::move(compiled));
    } catch (const json::exception& e) {
        // Every access above is type-checked first; this only keeps the contract if one is missed.
        throw SchemaCompileError("", std::string("malformed schema: ") + e.what());
    }
}

}  // namespace net::kernel
