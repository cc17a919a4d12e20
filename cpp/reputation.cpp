#include "reputation.hpp"

#include <cmath>
#include <cstdio>

#include "text.hpp"

namespace presend {

namespace {

constexpr int64_t kHourMs = 3600 * 1000;
constexpr int64_t kDayMs = 24 * kHourMs;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

void reputation_add(Conn &c, std::string_view account, std::string_view region, int64_t at_ms,
                    const ReputationCounts &d) {
    static constexpr const char *kSql =
        "INSERT INTO reputation_hour(account, region, hour, sends, bounces, transient, complaints) "
        "VALUES (?1, ?2, ?3, max(?4, 0), max(?5, 0), max(?6, 0), max(?7, 0)) "
        "ON CONFLICT(account, region, hour) DO UPDATE SET sends = max(sends + ?4, 0), "
        "bounces = max(bounces + ?5, 0), transient = max(transient + ?6, 0), complaints = max(complaints + ?7, 0)";
    Use s(c.stmt(kSql));
    s->bind(1, account).bind(2, region).bind(3, floor_div(at_ms, kHourMs));
    s->bind(4, d.sends).bind(5, d.bounces).bind(6, d.transient).bind(7, d.complaints);
    s->run();
}

ReputationCounts reputation_window(Conn &c, std::string_view account, std::string_view region, int64_t since_ms) {
    static constexpr const char *kSql =
        "SELECT total(sends), total(bounces), total(transient), total(complaints) FROM reputation_hour "
        "WHERE account = ?1 AND region = ?2 AND hour >= ?3";
    Use s(c.stmt(kSql));
    s->bind(1, account).bind(2, region).bind(3, floor_div(since_ms, kHourMs));
    ReputationCounts r;
    if (s->step()) {
        r.sends = static_cast<int64_t>(s->real(0));
        r.bounces = static_cast<int64_t>(s->real(1));
        r.transient = static_cast<int64_t>(s->real(2));
        r.complaints = static_cast<int64_t>(s->real(3));
    }
    return r;
}

std::vector<ReputationDay> reputation_days(Conn &c, std::string_view account, std::string_view region, int64_t from_ms,
                                           int64_t to_ms) {
    static constexpr const char *kSql =
        "SELECT hour / 24, total(sends), total(bounces), total(transient), total(complaints) FROM reputation_hour "
        "WHERE account = ?1 AND region = ?2 AND hour >= ?3 AND hour < ?4 GROUP BY hour / 24 ORDER BY 1";
    int64_t first_day = floor_div(from_ms, kDayMs);
    int64_t end_day = floor_div(to_ms + kDayMs - 1, kDayMs);
    std::vector<ReputationDay> out;
    if (end_day <= first_day) return out;
    out.resize(static_cast<size_t>(end_day - first_day));
    for (int64_t d = first_day; d < end_day; ++d) {
        out[static_cast<size_t>(d - first_day)].date = format_timestamp(d * kDayMs).substr(0, 10);
    }
    Use s(c.stmt(kSql));
    s->bind(1, account).bind(2, region).bind(3, first_day * 24).bind(4, end_day * 24);
    while (s->step()) {
        int64_t d = s->int64(0);
        if (d < first_day || d >= end_day) continue;
        auto &day = out[static_cast<size_t>(d - first_day)].counts;
        day.sends = static_cast<int64_t>(s->real(1));
        day.bounces = static_cast<int64_t>(s->real(2));
        day.transient = static_cast<int64_t>(s->real(3));
        day.complaints = static_cast<int64_t>(s->real(4));
    }
    return out;
}

std::optional<PauseRecord> pause_find(Conn &c, std::string_view account, std::string_view region) {
    // The region's own pause, else the account-wide one (region ''): point
    // lookups on the primary key. (One statement with IN and ORDER BY made
    // SQLite build a temporary b-tree on every check.)
    static constexpr const char *kSql =
        "SELECT account, region, paused_at, reason FROM pause WHERE account = ?1 AND region = ?2";
    Use s(c.stmt(kSql));
    for (std::string_view r : {region, std::string_view("")}) {  // "", not a null view: that binds NULL
        s->reset();
        s->bind(1, account).bind(2, r);
        if (!s->step()) continue;
        PauseRecord p;
        p.account = s->text(0);
        p.region = s->text(1);
        p.paused_at = s->int64(2);
        p.reason = s->text(3);
        return p;
    }
    return std::nullopt;
}

void pause_put(Conn &c, const PauseRecord &p) {
    static constexpr const char *kSql =
        "INSERT OR REPLACE INTO pause(account, region, paused_at, reason) VALUES (?1, ?2, ?3, ?4)";
    Use s(c.stmt(kSql));
    s->bind(1, p.account).bind(2, p.region).bind(3, p.paused_at).bind(4, p.reason);
    s->run();
}

bool pause_remove(Conn &c, std::string_view account, std::string_view region) {
    static constexpr const char *kSql = "DELETE FROM pause WHERE account = ?1 AND region = ?2";
    Use s(c.stmt(kSql));
    s->bind(1, account).bind(2, region);
    s->run();
    return c.db().changes() > 0;
}

std::vector<PauseRecord> pause_list(Conn &c) {
    static constexpr const char *kSql = "SELECT account, region, paused_at, reason FROM pause ORDER BY account, region";
    Use s(c.stmt(kSql));
    std::vector<PauseRecord> out;
    while (s->step()) {
        PauseRecord p;
        p.account = s->text(0);
        p.region = s->text(1);
        p.paused_at = s->int64(2);
        p.reason = s->text(3);
        out.push_back(std::move(p));
    }
    return out;
}

std::string format_percent(double rate) {
    char buf[32];
    double pct = rate * 100;
    // Two significant decimals where it matters: complaint rates live in hundredths of a percent.
    std::snprintf(buf, sizeof buf, pct != 0 && std::fabs(pct) < 1 ? "%.3f%%" : "%.2f%%", pct);
    return buf;
}

std::string describe_rate(double rate, double threshold, std::string_view threshold_name) {
    double gap = (threshold - rate) * 100;
    char buf[64];
    std::snprintf(buf, sizeof buf, std::fabs(gap) < 1 ? "%.3f" : "%.2f", std::fabs(gap));
    return format_percent(rate) + " (" + buf + " points " + (gap > 0 ? "under" : "at or over") + " the " +
           format_percent(threshold) + " " + std::string(threshold_name) + ")";
}

}  // namespace presend
