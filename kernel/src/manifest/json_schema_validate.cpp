// JsonSchema::validate: walks the instance against the compiled node table, building the
// instance pointer in one reusable buffer, and renders messages that say expected vs found.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>

#include "manifest/edit_distance.hpp"
#include "manifest/json_schema_node.hpp"
#include "manifest/json_text.hpp"
#include "net/kernel/json_schema.hpp"

namespace net::kernel {
namespace {

using json = nlohmann::json;
using schema::Node;

// Descents plus in-place applicators; only a schema that recurses through $ref over a deep
// instance gets near it.
constexpr std::size_t max_eval_depth = 256;
constexpr std::size_t max_compared_depth = 64;

bool is_integral(const json& v)
{
    if (v.is_number_integer()) return true;  // also true for unsigned
    if (!v.is_number_float()) return false;
    const double d = v.get<double>();
    return std::isfinite(d) && std::floor(d) == d;
}

bool matches_type(std::uint8_t types, const json& v)
{
    using namespace schema;
    switch (v.type()) {
        case json::value_t::null:
            return (types & type_null) != 0;
        case json::value_t::boolean:
            return (types & type_boolean) != 0;
        case json::value_t::object:
            return (types & type_object) != 0;
        case json::value_t::array:
            return (types & type_array) != 0;
        case json::value_t::string:
            return (types & type_string) != 0;
        case json::value_t::number_integer:
        case json::value_t::number_unsigned:
            return (types & (type_integer | type_number)) != 0;
        case json::value_t::number_float:
            return (types & type_number) != 0 || ((types & type_integer) != 0 && is_integral(v));
        default:
            return false;
    }
}

// Sign and magnitude of an integer-typed json number, so int64 and uint64 compare exactly.
struct Magnitude {
    bool negative;
    std::uint64_t value;
};

Magnitude magnitude(const json& v)
{
    if (v.is_number_unsigned()) return {false, v.get<std::uint64_t>()};
    const std::int64_t i = v.get<std::int64_t>();
    // Negate in unsigned arithmetic: -INT64_MIN does not fit an int64.
    return i < 0 ? Magnitude{true, 0 - static_cast<std::uint64_t>(i)} : Magnitude{false, static_cast<std::uint64_t>(i)};
}

// <0, 0, >0. Exact for two integers; otherwise through long double, which holds every int64
// and uint64 exactly on x86-64 and aarch64.
int compare_numbers(const json& a, const json& b)
{
    if (a.is_number_integer() && b.is_number_integer()) {
        const Magnitude x = magnitude(a);
        const Magnitude y = magnitude(b);
        if (x.negative != y.negative) return x.negative ? -1 : 1;
        if (x.value == y.value) return 0;
        return ((x.value < y.value) != x.negative) ? -1 : 1;
    }
    const auto x = a.get<long double>();
    const auto y = b.get<long double>();
    return x < y ? -1 : (x > y ? 1 : 0);
}

bool is_multiple_of(const json& v, const json& divisor)
{
    if (v.is_number_integer() && divisor.is_number_integer()) {
        return magnitude(v).value % magnitude(divisor).value == 0;
    }
    const long double q = v.get<long double>() / divisor.get<long double>();
    if (!std::isfinite(q)) return false;
    return std::fabs(q - std::round(q)) <= 1e-9L * std::max(1.0L, std::fabs(q));
}

std::string plural(std::size_t n, const char* one, const char* many)
{
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

bool pattern_matches(const schema::Pattern& p, const std::string& s, bool& failed)
{
    try {
        return std::regex_search(s, p.regex);
    } catch (const std::regex_error&) {
        failed = true;
        return false;
    }
}

class Validator {
public:
    Validator(const std::vector<Node>& nodes, std::size_t limit, std::string pointer)
        : nodes_(nodes), limit_(limit), pointer_(std::move(pointer))
    {
    }

    void check(int index, const json& v, std::size_t depth)
    {
        if (full()) return;
        if (depth > max_eval_depth) {
            report("too deeply nested to validate (more than " + std::to_string(max_eval_depth) + " levels of schema)");
            return;
        }
        const Node& n = nodes_[static_cast<std::size_t>(index)];
        if (n.reject_all) {
            report("no value is allowed here, got " + describe_value(v));
            return;
        }
        if (n.types != 0 && !matches_type(n.types, v)) {
            report("expected " + n.types_text + ", got " + describe_value(v));
            return;  // the other keywords would only repeat the same complaint
        }
        if (n.const_value && *n.const_value != v) report("must be " + n.const_text + ", got " + render_value(v));
        if (n.enum_values && std::find(n.enum_values->begin(), n.enum_values->end(), v) == n.enum_values->end()) {
            std::string hint;
            if (v.is_string()) hint = did_you_mean(v.get_ref<const std::string&>(), n.enum_strings);
            report("must be one of " + n.enum_text + ", got " + render_value(v) + hint);
        }
        if (v.is_number()) check_number(n, v);
        if (v.is_string()) check_string(n, v.get_ref<const std::string&>());
        if (v.is_array()) check_array(n, v, depth);
        if (v.is_object()) check_object(n, v, depth);
        check_applicators(n, v, depth);
    }

    std::vector<SchemaViolation> take() { return std::move(out_); }
    bool passed() const { return out_.empty(); }
    const std::vector<SchemaViolation>& violations() const { return out_; }

private:
    bool full() const { return out_.size() >= limit_; }

    void report(std::string message)
    {
        if (!full()) out_.push_back({pointer_, std::move(message)});
    }

    void descend(std::string_view token, int index, const json& v, std::size_t depth)
    {
        const std::size_t mark = pointer_.size();
        append_pointer_token(pointer_, token);
        check(index, v, depth + 1);
        pointer_.resize(mark);
    }

    void check_number(const Node& n, const json& v)
    {
        const std::string got = ", got " + format_number(v);
        if (n.minimum && compare_numbers(v, *n.minimum) < 0) report("must be >= " + format_number(*n.minimum) + got);
        if (n.maximum && compare_numbers(v, *n.maximum) > 0) report("must be <= " + format_number(*n.maximum) + got);
        if (n.exclusive_minimum && compare_numbers(v, *n.exclusive_minimum) <= 0) {
            report("must be > " + format_number(*n.exclusive_minimum) + got);
        }
        if (n.exclusive_maximum && compare_numbers(v, *n.exclusive_maximum) >= 0) {
            report("must be < " + format_number(*n.exclusive_maximum) + got);
        }
        if (n.multiple_of && !is_multiple_of(v, *n.multiple_of)) {
            report("must be a multiple of " + format_number(*n.multiple_of) + got);
        }
    }

    void check_string(const Node& n, const std::string& s)
    {
        if (n.min_length || n.max_length) {
            const std::size_t length = utf8_length(s);
            if (n.min_length && length < *n.min_length) {
                report("must be at least " + plural(*n.min_length, "character", "characters") + " long, got " +
                       plural(length, "character", "characters"));
            }
            if (n.max_length && length > *n.max_length) {
                report("must be at most " + plural(*n.max_length, "character", "characters") + " long, got " +
                       plural(length, "character", "characters"));
            }
        }
        if (n.pattern) {
            bool failed = false;
            if (!pattern_matches(*n.pattern, s, failed)) {
                report(failed ? "could not be matched against pattern " + quote_for_message(n.pattern->source)
                              : "must match pattern " + quote_for_message(n.pattern->source) + ", got " +
                                    quote_for_message(s));
            }
        }
    }

    void check_array(const Node& n, const json& v, std::size_t depth)
    {
        if (n.min_items && v.size() < *n.min_items) {
            report("must have at least " + plural(*n.min_items, "item", "items") + ", got " + std::to_string(v.size()));
        }
        if (n.max_items && v.size() > *n.max_items) {
            report("must have at most " + plural(*n.max_items, "item", "items") + ", got " + std::to_string(v.size()));
        }
        if (n.unique_items) check_unique(v);
        if (n.items != schema::no_node) {
            for (std::size_t i = 0; i < v.size() && !full(); ++i) descend(std::to_string(i), n.items, v[i], depth);
        }
    }

    void check_unique(const json& v)
    {
        // json's ordering treats 1 and 1.0 as equal, as JSON Schema equality requires.
        std::map<json, std::size_t> first_index;
        for (std::size_t i = 0; i < v.size() && !full(); ++i) {
            if (nested_deeper_than(v[i], max_compared_depth)) {
                report("items nested too deeply to compare for uniqueness");
                return;
            }
            const auto [it, inserted] = first_index.emplace(v[i], i);
            if (!inserted) {
                const std::size_t mark = pointer_.size();
                append_pointer_token(pointer_, std::to_string(i));
                const std::string shown = v[i].is_structured() ? "" : " " + render_value(v[i]);
                report("duplicate item" + shown + " (same as item " + std::to_string(it->second) +
                       "); items must be unique");
                pointer_.resize(mark);
            }
        }
    }

    void check_object(const Node& n, const json& v, std::size_t depth)
    {
        for (const auto& [key, value] : v.items()) {
            if (full()) return;
            bool known = false;
            const auto it = std::lower_bound(n.properties.begin(), n.properties.end(), key,
                                             [](const auto& p, const std::string& k) { return p.first < k; });
            if (it != n.properties.end() && it->first == key) {
                known = true;
                descend(key, it->second, value, depth);
            }
            for (const auto& [pattern, index] : n.pattern_properties) {
                bool failed = false;
                if (pattern_matches(pattern, key, failed)) {
                    known = true;
                    descend(key, index, value, depth);
                }
            }
            if (!known && n.additional_properties != schema::no_node) {
                if (nodes_[static_cast<std::size_t>(n.additional_properties)].reject_all) {
                    report_unknown_property(n, key);
                } else {
                    descend(key, n.additional_properties, value, depth);
                }
            }
        }
        for (const auto& name : n.required) {
            if (!v.contains(name)) report("missing required property " + quote_for_message(name));
        }
        if (n.min_properties && v.size() < *n.min_properties) {
            report("must have at least " + plural(*n.min_properties, "property", "properties") + ", got " +
                   std::to_string(v.size()));
        }
        if (n.max_properties && v.size() > *n.max_properties) {
            report("must have at most " + plural(*n.max_properties, "property", "properties") + ", got " +
                   std::to_string(v.size()));
        }
    }

    void report_unknown_property(const Node& n, const std::string& key)
    {
        const std::size_t mark = pointer_.size();
        append_pointer_token(pointer_, key);
        std::string message = "unknown property " + quote_for_message(key);
        const std::string hint = did_you_mean(key, n.property_names);
        if (!hint.empty()) {
            message += hint;
        } else if (!n.property_names.empty() && n.property_names.size() <= 12) {
            message += "; expected one of ";
            for (std::size_t i = 0; i < n.property_names.size(); ++i) {
                message += (i > 0 ? ", " : "") + quote_for_message(n.property_names[i]);
            }
        }
        report(std::move(message));
        pointer_.resize(mark);
    }

    // First violation of `index` against v, or nullopt when v passes.
    std::optional<SchemaViolation> first_violation(int index, const json& v, std::size_t depth) const
    {
        Validator sub(nodes_, 1, pointer_);
        sub.check(index, v, depth + 1);
        if (sub.passed()) return std::nullopt;
        return sub.violations().front();
    }

    // "[0] expected string, got integer 5; [1] at /a: missing required property "b""
    std::string branch_summary(const std::vector<std::optional<SchemaViolation>>& failures) const
    {
        std::string out;
        for (std::size_t i = 0; i < failures.size(); ++i) {
            if (!failures[i]) continue;
            if (!out.empty()) out += "; ";
            out += "[" + std::to_string(i) + "] ";
            const std::string& p = failures[i]->pointer;
            if (p.size() > pointer_.size()) out += "at " + p.substr(pointer_.size()) + ": ";
            out += failures[i]->message;
        }
        return out;
    }

    void check_applicators(const Node& n, const json& v, std::size_t depth)
    {
        if (n.ref != schema::no_node) check(n.ref, v, depth + 1);
        for (int index : n.all_of) check(index, v, depth + 1);
        if (full()) return;
        if (!n.any_of.empty()) {
            std::vector<std::optional<SchemaViolation>> failures;
            bool any = false;
            for (int index : n.any_of) {
                failures.push_back(first_violation(index, v, depth));
                if (!failures.back()) {
                    any = true;
                    break;
                }
            }
            if (!any) report("must match at least one schema in anyOf: " + branch_summary(failures));
        }
        if (!n.one_of.empty()) {
            std::vector<std::optional<SchemaViolation>> failures;
            std::vector<std::size_t> passing;
            for (std::size_t i = 0; i < n.one_of.size(); ++i) {
                failures.push_back(first_violation(n.one_of[i], v, depth));
                if (!failures.back()) passing.push_back(i);
            }
            if (passing.empty()) {
                report("must match exactly one schema in oneOf, matches none: " + branch_summary(failures));
            } else if (passing.size() > 1) {
                std::string which;
                for (std::size_t i = 0; i < passing.size(); ++i)
                    which += (i > 0 ? ", " : "") + std::to_string(passing[i]);
                report("must match exactly one schema in oneOf, matches " + std::to_string(passing.size()) + " (" +
                       which + ")");
            }
        }
        if (n.not_schema != schema::no_node && !first_violation(n.not_schema, v, depth)) {
            report("must not match the schema in \"not\" (" + nodes_[static_cast<std::size_t>(n.not_schema)].pointer +
                   ")");
        }
    }

    const std::vector<Node>& nodes_;
    std::size_t limit_;
    std::string pointer_;
    std::vector<SchemaViolation> out_;
};

}  // namespace

std::vector<SchemaViolation> JsonSchema::validate(const json& instance, const std::string& base_pointer) const
{
    Validator validator(compiled_->nodes, max_violations, base_pointer);
    validator.check(0, instance, 0);
    return validator.take();
}

bool JsonSchema::accepts(const json& instance) const
{
    Validator validator(compiled_->nodes, 1, "");
    validator.check(0, instance, 0);
    return validator.passed();
}

}  // namespace net::kernel
