// The reputation guard's data: recipients sent, permanent and transient
// bounces and complaints per account, region and hour; manual pauses. The
// check (in checks.cpp) reads the sums over its window; the quota step adds
// sends, event ingestion adds bounces and complaints.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store.hpp"

namespace presend {

struct ReputationCounts {
    int64_t sends = 0;
    int64_t bounces = 0;    // permanent: what SES's bounce rate counts
    int64_t transient = 0;  // counted, not in the rate
    int64_t complaints = 0;
};

// Adds to the hour of `at_ms` (negative deltas give back, e.g. a release).
void reputation_add(Conn &c, std::string_view account, std::string_view region, int64_t at_ms,
                    const ReputationCounts &delta);
// Sums the hours that overlap [since_ms, now]: whole hours, so the window is
// at most an hour longer than asked.
ReputationCounts reputation_window(Conn &c, std::string_view account, std::string_view region, int64_t since_ms);

struct ReputationDay {
    std::string date;  // YYYY-MM-DD (UTC)
    ReputationCounts counts;
};
// Per UTC day in [from_ms, to_ms), every day present (zeros included).
std::vector<ReputationDay> reputation_days(Conn &c, std::string_view account, std::string_view region, int64_t from_ms,
                                           int64_t to_ms);

struct PauseRecord {
    std::string account, region;  // region "" pauses every region of the account
    int64_t paused_at = 0;
    std::string reason;
};
// The pause that applies to (account, region): the region's own, else the account's.
std::optional<PauseRecord> pause_find(Conn &c, std::string_view account, std::string_view region);
void pause_put(Conn &c, const PauseRecord &p);
bool pause_remove(Conn &c, std::string_view account, std::string_view region);
std::vector<PauseRecord> pause_list(Conn &c);

// How far a rate is from a threshold, for people: "2.30% (2.70 points under the 5% review threshold)".
std::string describe_rate(double rate, double threshold, std::string_view threshold_name);
std::string format_percent(double rate);

}  // namespace presend
