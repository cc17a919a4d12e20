#include "ledger.hpp"

#include <algorithm>

namespace presend {

bool Gcra::allows(int64_t tat, int64_t t, int64_t burst, int64_t n) noexcept {
    return std::max(tat, t) + n * kUnitsPerRecipient <= t + burst * kUnitsPerRecipient;
}

int64_t Gcra::take(int64_t tat, int64_t t, int64_t n) noexcept { return std::max(tat, t) + n * kUnitsPerRecipient; }

int64_t Gcra::retry_ms(int64_t tat, int64_t t, int64_t burst, int64_t rate) noexcept {
    int64_t wait_units = std::max(tat, t) + kUnitsPerRecipient - burst * kUnitsPerRecipient - t;
    if (wait_units <= 0) return 0;
    return (wait_units + rate - 1) / rate;
}

int64_t Gcra::rescale(int64_t tat, int64_t from, int64_t to) noexcept {
    if (from == to || from <= 0 || tat <= 0) return tat;
    // tat * to / from, rounded up, without overflowing: tat is a time in
    // units of 1/from ms, so tat / from is milliseconds (fits), and the
    // remainder times `to` is below from * to <= 10^12.
    int64_t ms = tat / from;
    int64_t rem = tat % from;
    return ms * to + (rem * to + from - 1) / from;
}

namespace {

constexpr const char *kLoad =
    "SELECT total, oldest_second, tat, tat_rate, last_ms, max_24h, max_rate, synced_at FROM quota_window "
    "WHERE account = ?1 AND region = ?2";
constexpr const char *kExpiredSum =
    "SELECT coalesce(sum(count), 0) FROM quota_second WHERE account = ?1 AND region = ?2 AND second < ?3";
constexpr const char *kExpire = "DELETE FROM quota_second WHERE account = ?1 AND region = ?2 AND second < ?3";
constexpr const char *kOldest = "SELECT min(second) FROM quota_second WHERE account = ?1 AND region = ?2";
constexpr const char *kBuckets =
    "SELECT second, count FROM quota_second WHERE account = ?1 AND region = ?2 AND second >= ?3 ORDER BY second";
constexpr const char *kAddBucket =
    "INSERT INTO quota_second(account, region, second, count) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT(account, region, second) DO UPDATE SET count = count + excluded.count";
constexpr const char *kBucketCount =
    "SELECT count FROM quota_second WHERE account = ?1 AND region = ?2 AND second = ?3";
constexpr const char *kSave =
    "INSERT INTO quota_window(account, region, total, oldest_second, tat, tat_rate, last_ms, max_24h, max_rate, "
    "synced_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
    "ON CONFLICT(account, region) DO UPDATE SET total = excluded.total, oldest_second = excluded.oldest_second, "
    "tat = excluded.tat, tat_rate = excluded.tat_rate, last_ms = excluded.last_ms, max_24h = excluded.max_24h, "
    "max_rate = excluded.max_rate, synced_at = excluded.synced_at";

}  // namespace

void QuotaWindow::apply_limits(const RegionLimits &configured) {
    limits_.max_24h = ses_max_24h_.value_or(configured.max_24h);
    limits_.max_rate = std::max<int64_t>(1, ses_max_rate_.value_or(configured.max_rate));
    // The configured burst keeps its proportion to the rate when SES reports
    // a different rate (by default the burst is one second's worth).
    limits_.burst = configured.burst;
    if (ses_max_rate_ && configured.max_rate > 0) {
        limits_.burst = std::max<int64_t>(1, configured.burst * limits_.max_rate / configured.max_rate);
    }
    limits_.from_ses = ses_max_24h_.has_value() || ses_max_rate_.has_value();
}

QuotaWindow QuotaWindow::load(Conn &c, const std::string &account, const std::string &region,
                              const RegionLimits &configured, int64_t clock_ms, bool writable) {
    QuotaWindow w;
    w.account_ = account;
    w.region_ = region;
    w.writable_ = writable;
    int64_t last_ms = 0;
    {
        Use s(c.stmt(kLoad));
        s->bind(1, account).bind(2, region);
        if (s->step()) {
            w.exists_ = true;
            w.total_ = s->int64(0);
            w.oldest_second_ = s->opt_int64(1);
            w.tat_ = s->int64(2);
            w.tat_rate_ = s->int64(3);
            last_ms = s->int64(4);
            w.ses_max_24h_ = s->opt_int64(5);
            w.ses_max_rate_ = s->opt_int64(6);
            w.synced_at_ = s->opt_int64(7);
        }
    }
    // Time never goes backwards, whichever process or clock read it last.
    w.now_ms_ = std::max(clock_ms, last_ms);
    w.apply_limits(configured);

    int64_t rate = w.limits_.max_rate;
    if (w.tat_rate_ != rate) {
        w.tat_ = Gcra::rescale(w.tat_, w.tat_rate_, rate);
        w.tat_rate_ = rate;
    }

    // Sends in seconds before `cutoff` have left the 24-hour window.
    int64_t cutoff = w.current_second() - (kWindowSeconds - 1);
    if (w.oldest_second_ && *w.oldest_second_ < cutoff) {
        int64_t expired = 0;
        {
            Use s(c.stmt(kExpiredSum));
            s->bind(1, account).bind(2, region).bind(3, cutoff);
            if (s->step()) expired = s->int64(0);
        }
        w.total_ = std::max<int64_t>(0, w.total_ - expired);
        if (writable) {
            Use d(c.stmt(kExpire));
            d->bind(1, account).bind(2, region).bind(3, cutoff);
            d->run();
            Use o(c.stmt(kOldest));
            o->bind(1, account).bind(2, region);
            w.oldest_second_ = o->step() ? o->opt_int64(0) : std::nullopt;
        } else {
            w.oldest_second_ = cutoff;  // only a lower bound matters for a read-only view
        }
    }
    return w;
}

int64_t QuotaWindow::daily_retry_ms(Conn &c, int64_t need) const {
    // Walk the buckets from the oldest until `need` sends have been seen:
    // the window has room once that bucket's second has left it.
    if (limits_.max_24h <= 0) return kWindowSeconds * 1000;  // sending is switched off
    int64_t cutoff = current_second() - (kWindowSeconds - 1);
    int64_t seen = 0;
    bool current_seen = false;
    Use s(c.stmt(kBuckets));
    s->bind(1, account_).bind(2, region_).bind(3, cutoff);
    while (s->step()) {
        int64_t second = s->int64(0);
        int64_t count = s->int64(1);
        if (second == current_second()) {
            count += pending_;
            current_seen = true;
        }
        seen += count;
        if (seen >= need) return (second + kWindowSeconds) * 1000 - now_ms_;
    }
    if (!current_seen && pending_ > 0 && seen + pending_ >= need) {
        return (current_second() + kWindowSeconds) * 1000 - now_ms_;
    }
    // The counts disagree with the total (a sync added sends): be conservative.
    return (current_second() + kWindowSeconds) * 1000 - now_ms_;
}

QuotaWindow::Take QuotaWindow::take_one(Conn &c) {
    Take t;
    int64_t t_units = now_ms_ * limits_.max_rate;
    bool daily_ok = sent_24h() < limits_.max_24h;
    bool rate_ok = Gcra::allows(tat_, t_units, limits_.burst);
    if (daily_ok && rate_ok) {
        tat_ = Gcra::take(tat_, t_units);
        ++pending_;
        return t;
    }
    t.ok = false;
    int64_t daily_wait = daily_ok ? 0 : daily_retry_ms(c, sent_24h() - limits_.max_24h + 1);
    int64_t rate_wait = rate_ok ? 0 : Gcra::retry_ms(tat_, t_units, limits_.burst, limits_.max_rate);
    t.daily = !daily_ok;
    t.retry_ms = std::max<int64_t>(1, std::max(daily_wait, rate_wait));
    return t;
}

void QuotaWindow::give_back(Conn &c, int64_t n, int64_t second) {
    if (n <= 0) return;
    int64_t cutoff = current_second() - (kWindowSeconds - 1);
    if (second >= cutoff) {
        int64_t have = 0;
        {
            Use s(c.stmt(kBucketCount));
            s->bind(1, account_).bind(2, region_).bind(3, second);
            if (s->step()) have = s->int64(0);
        }
        int64_t take = std::min(have, n);
        if (take > 0) {
            Use u(c.stmt(kAddBucket));
            u->bind(1, account_).bind(2, region_).bind(3, second).bind(4, -take);
            u->run();
            total_ = std::max<int64_t>(0, total_ - take);
        }
    }
    // The rate cells come back too, but never before now.
    int64_t t_units = now_ms_ * limits_.max_rate;
    tat_ = std::max(t_units, tat_ - n * Gcra::kUnitsPerRecipient);
}

void QuotaWindow::set_ses_limits(int64_t max_24h, int64_t max_rate, int64_t synced_at,
                                 const RegionLimits &configured) {
    ses_max_24h_ = max_24h;
    ses_max_rate_ = std::max<int64_t>(1, max_rate);
    synced_at_ = synced_at;
    apply_limits(configured);
    if (tat_rate_ != limits_.max_rate) {
        tat_ = Gcra::rescale(tat_, tat_rate_, limits_.max_rate);
        tat_rate_ = limits_.max_rate;
    }
}

int64_t QuotaWindow::next_release_ms(Conn &c) const {
    if (sent_24h() == 0) return 0;
    return daily_retry_ms(c, 1);
}

int64_t QuotaWindow::rate_available() const noexcept {
    int64_t t_units = now_ms_ * limits_.max_rate;
    int64_t room = t_units + limits_.burst * Gcra::kUnitsPerRecipient - std::max(tat_, t_units);
    return std::max<int64_t>(0, room / Gcra::kUnitsPerRecipient);
}

void QuotaWindow::save(Conn &c) {
    if (!writable_) return;
    int64_t second = current_second();
    if (pending_ > 0) {
        Use s(c.stmt(kAddBucket));
        s->bind(1, account_).bind(2, region_).bind(3, second).bind(4, pending_);
        s->run();
        total_ += pending_;
        pending_ = 0;
        if (!oldest_second_ || *oldest_second_ > second) oldest_second_ = second;
    }
    Use s(c.stmt(kSave));
    s->bind(1, account_).bind(2, region_).bind(3, total_).bind(4, oldest_second_).bind(5, tat_).bind(6, tat_rate_);
    s->bind(7, now_ms_).bind(8, ses_max_24h_).bind(9, ses_max_rate_).bind(10, synced_at_);
    s->run();
}

}  // namespace presend
