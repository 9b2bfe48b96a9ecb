// A SAX-driven DOM builder over nlohmann's (iterative) parser, so depth and duplicate keys are
// checked while reading: deep documents never reach the recursive parts of nlohmann::json.
#include "manifest/json_reader.hpp"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "manifest/json_text.hpp"

namespace net::kernel {
namespace {

using json = nlohmann::json;

struct StructureError {
    std::string pointer;
    std::string detail;
};

struct SyntaxError {
    std::size_t position = 0;
    std::string message;
};

class DomBuilder final : public nlohmann::json_sax<json> {
public:
    explicit DomBuilder(std::size_t max_depth) : max_depth_(max_depth) {}

    bool null() override { return put(json(nullptr)); }
    bool boolean(bool v) override { return put(json(v)); }
    bool number_integer(number_integer_t v) override { return put(json(v)); }
    bool number_unsigned(number_unsigned_t v) override { return put(json(v)); }
    bool number_float(number_float_t v, const string_t&) override { return put(json(v)); }
    bool string(string_t& v) override { return put(json(std::move(v))); }
    bool binary(binary_t&) override { return false; }  // unreachable for JSON text

    bool start_object(std::size_t) override { return open(json::object()); }
    bool start_array(std::size_t) override { return open(json::array()); }
    bool end_object() override { return close(); }
    bool end_array() override { return close(); }

    bool key(string_t& k) override
    {
        if (stack_.back()->contains(k)) {
            structure_ = StructureError{child_pointer(current_pointer(), k), "duplicate key " + quote_for_message(k)};
            return false;
        }
        key_ = std::move(k);
        return true;
    }

    bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) override
    {
        syntax_ = SyntaxError{position, ex.what()};
        return false;
    }

    json take_root() { return std::move(root_); }
    const std::optional<StructureError>& structure_error() const { return structure_; }
    const std::optional<SyntaxError>& syntax_error() const { return syntax_; }

private:
    // Pointer of the container on top of the stack.
    std::string current_pointer() const
    {
        std::string p;
        for (const auto& t : tokens_) append_pointer_token(p, t);
        return p;
    }

    // Token naming the next value inside the container on top of the stack.
    std::string next_token() const
    {
        const json& top = *stack_.back();
        return top.is_array() ? std::to_string(top.size()) : key_;
    }

    json* put(json value)
    {
        if (stack_.empty()) {
            root_ = std::move(value);
            return &root_;
        }
        json& top = *stack_.back();
        if (top.is_array()) {
            top.push_back(std::move(value));
            return &top.back();
        }
        return &(top[key_] = std::move(value));
    }

    bool open(json container)
    {
        if (stack_.size() >= max_depth_) {
            std::string p = current_pointer();
            if (!stack_.empty()) append_pointer_token(p, next_token());
            structure_ = StructureError{p, "JSON nested deeper than " + std::to_string(max_depth_) + " levels"};
            return false;
        }
        if (!stack_.empty()) tokens_.push_back(next_token());
        // Safe to keep: a parent only grows again after this child is closed.
        stack_.push_back(put(std::move(container)));
        return true;
    }

    bool close()
    {
        stack_.pop_back();
        if (!tokens_.empty()) tokens_.pop_back();
        return true;
    }

    std::size_t max_depth_;
    json root_;
    std::vector<json*> stack_;
    std::vector<std::string> tokens_;  // tokens_[i] names stack_[i + 1] inside stack_[i]
    std::string key_;
    std::optional<StructureError> structure_;
    std::optional<SyntaxError> syntax_;
};

// nlohmann's messages look like "[json.exception.parse_error.101] parse error at line 1,
// column 7: syntax error ..."; keep only the explanation, since we compute the location.
std::string explanation(std::string_view what)
{
    if (const auto bracket = what.find("] ");
        what.starts_with("[json.exception.") && bracket != std::string_view::npos) {
        what.remove_prefix(bracket + 2);
    }
    if (what.starts_with("parse error")) {
        if (const auto colon = what.find(": "); colon != std::string_view::npos) what.remove_prefix(colon + 2);
    }
    return printable(what, 300);
}

}  // namespace

JsonReadError::JsonReadError(std::string at, std::size_t at_line, std::size_t at_column, std::string what_failed)
    : std::runtime_error(what_failed),
      pointer(std::move(at)),
      line(at_line),
      column(at_column),
      detail(std::move(what_failed))
{
}

json read_json_text(std::string_view text, std::size_t max_depth)
{
    DomBuilder builder(max_depth);
    bool ok = false;
    try {
        ok = json::sax_parse(text.begin(), text.end(), &builder);
    } catch (const json::exception& e) {
        throw JsonReadError("", 0, 0, "invalid JSON: " + explanation(e.what()));
    }
    if (ok) return builder.take_root();
    if (const auto& s = builder.structure_error()) throw JsonReadError(s->pointer, 0, 0, s->detail);
    std::size_t position = 0;
    std::string message = "invalid JSON";
    if (const auto& s = builder.syntax_error()) {
        position = s->position;
        message = explanation(s->message);
    }
    // nlohmann reports the count of bytes read, so the offending byte is the one before.
    const std::size_t end = std::min(position > 0 ? position - 1 : 0, text.size());
    std::size_t line = 1;
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < end; ++i) {
        if (text[i] == '\n') {
            ++line;
            line_start = i + 1;
        }
    }
    const std::size_t column = utf8_length(text.substr(line_start, end - line_start)) + 1;
    throw JsonReadError("", line, column,
                        "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + message);
}

}  // namespace net::kernel
