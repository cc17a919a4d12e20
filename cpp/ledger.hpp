// The quota ledger, with Amazon SES semantics, per account and region:
//
//  - a rolling 24-hour maximum, exact at one-second resolution: the count of
//    recipients sent in the 86,400 whole seconds up to and including the
//    current one, kept as per-second buckets with a running total;
//  - a maximum rate in recipients per second that may be exceeded in short
//    bursts, as a generic cell rate algorithm (GCRA): each recipient moves
//    the theoretical arrival time (TAT) on by 1/rate seconds, and a recipient
//    may go when TAT - now stays within burst/rate seconds. Time is counted
//    in units of 1/rate milliseconds so that every step is an exact integer.
//
// A QuotaWindow is loaded inside a store transaction (IMMEDIATE for a real
// check, so that the read-modify-write is atomic across threads and
// processes), consulted and changed in memory, then saved.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "config.hpp"
#include "store.hpp"

namespace presend {

inline constexpr int64_t kWindowSeconds = 86400;

// Pure GCRA arithmetic, in units of 1/rate ms (one recipient = 1000 units).
struct Gcra {
    static constexpr int64_t kUnitsPerRecipient = 1000;
    // Whether n recipients may go at time t (units), given tat and burst.
    static bool allows(int64_t tat, int64_t t, int64_t burst, int64_t n = 1) noexcept;
    // The TAT after n recipients go at time t.
    static int64_t take(int64_t tat, int64_t t, int64_t n = 1) noexcept;
    // Milliseconds (rounded up) until one more recipient may go.
    static int64_t retry_ms(int64_t tat, int64_t t, int64_t burst, int64_t rate) noexcept;
    // Re-expresses a TAT measured at rate `from` in units of rate `to`,
    // rounding up (never earlier than it was).
    static int64_t rescale(int64_t tat, int64_t from, int64_t to) noexcept;
};

struct EffectiveLimits {
    int64_t max_24h = 0;
    int64_t max_rate = 0;
    int64_t burst = 0;
    bool from_ses = false;
};

class QuotaWindow {
public:
    // Loads (and, when `writable`, creates and expires) the ledger row. The
    // clock is read here, under the transaction's lock: `clock_ms` is
    // corrected to never precede the last reading the store has seen.
    static QuotaWindow load(Conn &c, const std::string &account, const std::string &region,
                            const RegionLimits &configured, int64_t clock_ms, bool writable);

    int64_t now_ms() const noexcept { return now_ms_; }
    const EffectiveLimits &limits() const noexcept { return limits_; }
    int64_t sent_24h() const noexcept { return total_ + pending_; }
    int64_t pending() const noexcept { return pending_; }
    int64_t current_second() const noexcept { return now_ms_ / 1000; }

    struct Take {
        bool ok = true;
        bool daily = false;  // the 24-hour maximum (rather than the rate) refused
        int64_t retry_ms = 0;
    };
    // Takes one recipient if both limits allow, else says why and when a
    // retry can succeed (exact to the millisecond, rounded up).
    Take take_one(Conn &c);

    // Returns `n` recipients counted in `second` (a release).
    void give_back(Conn &c, int64_t n, int64_t second);
    // Adds `n` sends in the current second (quota sync from SES).
    void add_external(int64_t n) { pending_ += n; }
    void set_ses_limits(int64_t max_24h, int64_t max_rate, int64_t synced_at, const RegionLimits &configured);
    std::optional<int64_t> synced_at() const noexcept { return synced_at_; }
    // Milliseconds until the oldest counted send leaves the window; 0 if none.
    int64_t next_release_ms(Conn &c) const;
    // Recipients that could go right now under the rate limit alone.
    int64_t rate_available() const noexcept;

    // Writes the pending sends and the state back (writable windows only).
    void save(Conn &c);

private:
    int64_t daily_retry_ms(Conn &c, int64_t need) const;
    void apply_limits(const RegionLimits &configured);

    std::string account_, region_;
    int64_t now_ms_ = 0;
    int64_t total_ = 0;  // stored sends inside the window
    int64_t pending_ = 0;  // sends taken in this transaction, all in the current second
    std::optional<int64_t> oldest_second_;
    int64_t tat_ = 0;
    int64_t tat_rate_ = 1;
    std::optional<int64_t> ses_max_24h_, ses_max_rate_, synced_at_;
    EffectiveLimits limits_;
    bool writable_ = false;
    bool exists_ = false;
};

}  // namespace presend
