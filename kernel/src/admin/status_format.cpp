// Text rendering of the status and ping answers: plain aligned columns, numbers right-aligned,
// durations in the unit a person reads fastest.
#include "net/kernel/admin/status_format.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <span>
#include <sstream>
#include <string_view>
#include <vector>

namespace net::kernel::admin {

using nlohmann::json;

namespace {

constexpr const char* kMissing = "-";

enum class Kind {
    text,     // strings as they are
    count,    // integers, right-aligned
    micros,   // a duration in microseconds, shown in ms or s
    millis,   // a duration in milliseconds, shown in ms, s, min, h or d
    yes_no,   // booleans
};

struct Column {
    const char* title;
    const char* key;
    Kind kind;
};

constexpr Column kPeerColumns[] = {
    {"NAME", "name", Kind::text},
    {"ADDRESS", "address", Kind::text},
    {"ENDPOINT", "endpoint", Kind::text},
    {"HEALTH", "health", Kind::text},
    {"SESSION", "session", Kind::text},
    {"SESSION ID", "session_id", Kind::text},
    {"RTT", "rtt_us", Kind::micros},
    {"LAST HEARD", "last_heard_ms", Kind::millis},
    {"SENT", "packets_sent", Kind::count},
    {"RECEIVED", "packets_received", Kind::count},
    {"RELAYED", "relayed", Kind::yes_no},
};

constexpr Column kRouteColumns[] = {
    {"DESTINATION", "destination", Kind::text},
    {"NEXT HOP", "next_hop", Kind::text},
    {"HOPS", "hops", Kind::count},
    {"SOURCE", "source", Kind::text},
    {"AGE", "age_ms", Kind::millis},
};

constexpr Column kStreamColumns[] = {
    {"PEER", "peer", Kind::text},
    {"STREAM", "stream_id", Kind::count},
    {"MODE", "mode", Kind::text},
    {"SENT", "events_sent", Kind::count},
    {"DELIVERED", "events_delivered", Kind::count},
    {"RETRANSMITS", "retransmits", Kind::count},
    {"RTT", "rtt_us", Kind::micros},
    {"CWND", "cwnd", Kind::count},
    {"CREDIT", "credit_bytes", Kind::count},
    {"BACKPRESSURE", "backpressure", Kind::count},
};

constexpr Column kCounterColumns[] = {
    {"COUNTER", "name", Kind::text},
    {"VALUE", "value", Kind::count},
};

std::string fixed(double value, int decimals)
{
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.*f", decimals, value);
    return buf;
}

std::string format_millis(double ms)
{
    if (ms < 1000) return fixed(ms, 0) + " ms";
    if (ms < 60'000) return fixed(ms / 1000, 1) + " s";
    auto total = static_cast<std::uint64_t>(ms / 1000);
    auto pair = [](std::uint64_t big, const char* big_unit, std::uint64_t small, const char* small_unit) {
        return std::to_string(big) + " " + big_unit + " " + std::to_string(small) + " " + small_unit;
    };
    if (total < 3600) return pair(total / 60, "min", total % 60, "s");
    if (total < 86'400) return pair(total / 3600, "h", total / 60 % 60, "min");
    return pair(total / 86'400, "d", total / 3600 % 24, "h");
}

std::string format_micros(double us)
{
    if (us < 1'000'000) return fixed(us / 1000, 3) + " ms";
    return fixed(us / 1'000'000, 3) + " s";
}

std::string plain_text(const json& value)
{
    if (value.is_null()) return kMissing;
    if (value.is_string()) return value.get<std::string>();
    if (value.is_boolean()) return value.get<bool>() ? "yes" : "no";
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string cell_text(const json& row, const Column& column)
{
    const auto it = row.find(column.key);
    if (it == row.end() || it->is_null()) return kMissing;
    const json& value = *it;
    if (!value.is_number()) return plain_text(value);
    switch (column.kind) {
    case Kind::micros:
        return format_micros(value.get<double>());
    case Kind::millis:
        return format_millis(value.get<double>());
    default:
        return plain_text(value);
    }
}

bool right_aligned(Kind kind) { return kind == Kind::count || kind == Kind::micros || kind == Kind::millis; }

// Terminal columns a UTF-8 string takes, near enough: one per code point.
std::size_t display_width(std::string_view s)
{
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

void render_table(std::ostream& out, const std::string& title, const json& rows, std::span<const Column> columns)
{
    const std::size_t count = rows.is_array() ? rows.size() : 0;
    if (count == 0) {
        out << "\n" << title << ": none\n";
        return;
    }
    std::vector<std::vector<std::string>> cells;
    cells.emplace_back();
    for (const Column& c : columns) cells.back().emplace_back(c.title);
    for (const json& row : rows) {
        cells.emplace_back();
        for (const Column& c : columns) cells.back().push_back(row.is_object() ? cell_text(row, c) : kMissing);
    }
    std::vector<std::size_t> widths(columns.size(), 0);
    for (const auto& line : cells) {
        for (std::size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], display_width(line[i]));
    }

    out << "\n" << title << " (" << count << ")\n";
    for (const auto& line : cells) {
        std::string text = " ";
        for (std::size_t i = 0; i < line.size(); ++i) {
            const std::string padding(widths[i] - display_width(line[i]), ' ');
            text += " ";
            text += right_aligned(columns[i].kind) ? padding + line[i] : line[i] + padding;
            if (i + 1 < line.size()) text += " ";
        }
        text.erase(text.find_last_not_of(' ') + 1);
        out << text << "\n";
    }
}

std::string header_line(const json& node)
{
    auto field = [&](const char* key) {
        return node.is_object() && node.contains(key) ? plain_text(node[key]) : std::string(kMissing);
    };
    std::string line = "node " + field("name") + " (" + field("address") + ") at " + field("endpoint");
    if (node.is_object() && node.contains("uptime_ms") && node["uptime_ms"].is_number()) {
        line += ", up " + format_millis(node["uptime_ms"].get<double>());
    }
    return line + ", fingerprint " + field("fingerprint");
}

json counter_rows(const json& counters)
{
    json rows = json::array();
    if (counters.is_object()) {
        for (const auto& [name, value] : counters.items()) rows.push_back({{"name", name}, {"value", value}});
    }
    return rows;
}

const json& section(const json& status, const char* name)
{
    static const json empty;
    return status.is_object() && status.contains(name) ? status[name] : empty;
}

}  // namespace

std::string format_status(const json& status)
{
    std::ostringstream out;
    out << header_line(section(status, "node")) << "\n";
    render_table(out, "peers", section(status, "peers"), kPeerColumns);
    render_table(out, "routes", section(status, "routes"), kRouteColumns);
    render_table(out, "streams", section(status, "streams"), kStreamColumns);
    render_table(out, "counters", counter_rows(section(status, "counters")), kCounterColumns);
    return out.str();
}

PingReport format_ping(const json& answer, long long timeout_ms)
{
    const std::string address = answer.contains("address") ? plain_text(answer["address"]) : std::string(kMissing);

    std::map<long long, const json*> replies;  // by seq; a lost probe maps to nullptr
    const json& listed = section(answer, "replies");
    if (listed.is_array()) {
        for (const json& r : listed) {
            if (!r.is_object() || !r.contains("seq") || !r["seq"].is_number_integer()) continue;
            const bool answered = r.contains("rtt_us") && r["rtt_us"].is_number();
            replies[r["seq"].get<long long>()] = answered ? &r : nullptr;
        }
    }
    PingReport report;
    if (answer.contains("sent") && answer["sent"].is_number_integer() && answer["sent"].get<long long>() >= 0) {
        report.sent = answer["sent"].get<std::size_t>();
    } else if (!replies.empty()) {
        report.sent = static_cast<std::size_t>(std::max(0LL, replies.rbegin()->first + 1));
    }
    for (std::size_t seq = 0; seq < report.sent; ++seq) replies.try_emplace(static_cast<long long>(seq), nullptr);

    std::ostringstream out;
    std::vector<double> rtts_ms;
    for (const auto& [seq, reply] : replies) {
        if (reply == nullptr) {
            out << "no reply from " << address << ": seq=" << seq;
            if (timeout_ms > 0) out << " (timed out after " << timeout_ms << " ms)";
            out << "\n";
            continue;
        }
        const double rtt_ms = (*reply)["rtt_us"].get<double>() / 1000;
        rtts_ms.push_back(rtt_ms);
        out << "reply from " << address << ": seq=" << seq << " hops="
            << (reply->contains("hops") ? plain_text((*reply)["hops"]) : std::string(kMissing)) << " time=" << fixed(rtt_ms, 3)
            << " ms\n";
    }
    report.received = rtts_ms.size();
    const std::size_t lost = report.sent > report.received ? report.sent - report.received : 0;
    const std::size_t lost_percent = report.sent == 0 ? 0 : (lost * 100 + report.sent / 2) / report.sent;
    out << "--- " << address << ": " << report.sent << " sent, " << report.received << " received, " << lost_percent
        << "% lost\n";
    if (!rtts_ms.empty()) {
        std::sort(rtts_ms.begin(), rtts_ms.end());
        double sum = 0;
        for (double r : rtts_ms) sum += r;
        const double p50 = rtts_ms[(rtts_ms.size() - 1) / 2];
        out << "rtt min/avg/p50/max = " << fixed(rtts_ms.front(), 3) << "/" << fixed(sum / static_cast<double>(rtts_ms.size()), 3)
            << "/" << fixed(p50, 3) << "/" << fixed(rtts_ms.back(), 3) << " ms\n";
    }
    report.text = out.str();
    return report;
}

}  // namespace net::kernel::admin
