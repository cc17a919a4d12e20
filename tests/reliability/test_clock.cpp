// Clock faults: two hosts check against one ledger (one shared store with
// SQLite; their own stores and one Redis in fleet mode), each with a clock
// callback. The clocks run forward with the checks and jump, now and then,
// hours backwards and forwards, independently (one host's clock hours
// behind the other's, as after a bad NTP step), once by more than a day,
// once by a month. Afterwards, from the stored decisions:
//   - a decision's time never goes backwards, is never earlier than the
//     reading of the clock that made it, and never later than the latest
//     reading of any clock (presend does not invent time);
//   - in every 24-hour window of the ledger's time (86,400 one-second
//     buckets) at most max_24h recipients were allowed;
//   - between any two decisions t1 <= t2 at most
//     burst + floor((t2 - t1) * max_rate / 1000) recipients were allowed (the
//     GCRA's bound);
//   - a forward jump past the 24-hour window frees it (more than max_24h are
//     allowed over the run), and no call fails.
//
//   PRESEND_RELIABILITY_CLOCK_CHECKS  checks (default 1500)
#include <algorithm>
#include <atomic>

#include "ledgers.hpp"

namespace reliability {
namespace {

struct Clock {
    std::atomic<int64_t> now{0};
    static int64_t read(void *self) { return static_cast<Clock *>(self)->now.load(); }
};

constexpr int64_t kHour = 3600 * 1000;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kT0 = 1793610000000;  // 2026-11-02T09:00:00Z
constexpr int64_t kMax24h = 40, kRate = 2, kBurst = 3;

struct Made {
    std::string id;
    int host;
    int64_t reading;      // what that host's clock said
    int64_t max_reading;  // the latest reading of any clock so far
    int allowed;
};

class ClockFaults : public ::testing::TestWithParam<LedgerKind> {};

TEST_P(ClockFaults, JumpsNeverLetMoreThroughThanTheLimits) {
    if (!Ledger::available(GetParam())) GTEST_SKIP() << "built without hiredis or redis-server";
    const int checks = static_cast<int>(param("PRESEND_RELIABILITY_CLOCK_CHECKS", 1500));
    TempDir dir;
    Ledger ledger(GetParam(), dir);
    const std::string config = ledger.config(kMax24h, kRate, kBurst);
    Clock clocks[2];
    Engine hosts[2];
    for (int h = 0; h < 2; ++h) {
        clocks[h].now = kT0;
        std::string why;
        hosts[h] = open_engine(config, {ledger.store(h), &Clock::read, &clocks[h]}, &why);
        ASSERT_TRUE(hosts[h]) << why;
    }

    Rng rng(seed());
    int64_t truth = kT0, offset[2] = {0, 0}, max_reading = kT0;
    int jumps = 0;
    std::vector<Made> made;
    int64_t errors = 0, unavailable = 0;
    for (int i = 0; i < checks; ++i) {
        truth += rng.range(20, 400);
        int h = static_cast<int>(rng.range(0, 1));
        int64_t jump = 0;
        if (i == checks / 3) jump = 25 * kHour;  // past the window: it must be freed
        else if (i == 2 * checks / 3) jump = -26 * kHour;
        else if (i == 9 * checks / 10) jump = 31 * kDay;  // far ahead (the Redis ledger rebases its times)
        else if (rng.chance(2)) {
            switch (rng.range(0, 3)) {
                case 0: jump = rng.range(1, 30) * kHour + rng.range(0, 999); break;
                case 1: jump = -(rng.range(1, 30) * kHour + rng.range(0, 999)); break;
                case 2: jump = kDay + rng.range(-1500, 1500); break;  // around the window's edge
                default: jump = -kDay + rng.range(-1500, 1500); break;
            }
        }
        if (jump != 0) {
            offset[h] = std::clamp<int64_t>(offset[h] + jump, -50 * kHour, 40 * kDay);
            ++jumps;
        }
        int64_t reading = truth + offset[h];
        clocks[h].now = reading;
        max_reading = std::max(max_reading, reading);

        int n = static_cast<int>(rng.range(1, 3));
        std::string m = txn_message(recipients("c" + std::to_string(i), n));
        presend_decision *d = nullptr;
        if (presend_engine_check(hosts[h].get(), m.data(), m.size(), 0, &d) != PRESEND_OK) {
            ADD_FAILURE() << "check " << i << ": " << presend_engine_errmsg(hosts[h].get());
            ++errors;
            continue;
        }
        if (has_reason(d, "engine.unavailable")) {
            ADD_FAILURE() << "check " << i << ": " << presend_decision_json(d);
            ++unavailable;
        }
        made.push_back(Made{presend_decision_id(d), h, reading, max_reading, allowed_recipients(d)});
        presend_decision_free(d);
    }
    for (auto &h : hosts) h.reset();

    std::map<std::string, StoredDecision> stored;
    for (int h = 0; h < (GetParam() == LedgerKind::sqlite ? 1 : 2); ++h) stored.merge(stored_decisions(ledger.store(h)));
    ASSERT_EQ(stored.size(), made.size());

    // Time as the decisions record it.
    std::vector<std::pair<int64_t, int64_t>> timeline;  // (created_at, reserved), in the order of the checks
    int64_t previous = 0, allowed = 0, backwards = 0;
    for (const auto &m : made) {
        auto it = stored.find(m.id);
        ASSERT_NE(it, stored.end()) << "decision " << m.id << " was not stored";
        const StoredDecision &s = it->second;
        EXPECT_EQ(s.reserved, m.allowed) << m.id;
        if (s.created_at < previous) {
            ++backwards;
            ADD_FAILURE() << "decision " << m.id << " is dated " << s.created_at << ", before the previous one (" << previous << ")";
        }
        EXPECT_GE(s.created_at, m.reading) << "earlier than host " << m.host << "'s clock said";
        EXPECT_LE(s.created_at, m.max_reading) << "later than any clock said";
        previous = std::max(previous, s.created_at);
        timeline.emplace_back(s.created_at, s.reserved);
        allowed += s.reserved;
    }

    // Every 24-hour window of one-second buckets: at most max_24h.
    int64_t worst_day = 0;
    int64_t in_window = 0;
    for (size_t j = 0, i = 0; j < timeline.size(); ++j) {
        in_window += timeline[j].second;
        int64_t second = timeline[j].first / 1000;
        while (timeline[i].first / 1000 < second - 86399) in_window -= timeline[i++].second;
        worst_day = std::max(worst_day, in_window);
    }
    EXPECT_LE(worst_day, kMax24h) << "a 24-hour window held more than the maximum";

    // Any interval [t1, t2]: at most burst + (t2 - t1) * rate / 1000.
    int64_t rate_violations = 0;
    for (size_t i = 0; i < timeline.size(); ++i) {
        int64_t sum = 0;
        for (size_t j = i; j < timeline.size(); ++j) {
            int64_t span = timeline[j].first - timeline[i].first;
            if (span * kRate / 1000 > kMax24h) break;  // the daily bound is the tighter one from here
            sum += timeline[j].second;
            if (sum > kBurst + span * kRate / 1000) {
                if (rate_violations++ == 0) {
                    ADD_FAILURE() << sum << " recipients allowed within " << span << " ms at " << timeline[i].first
                                  << ": more than burst " << kBurst << " + rate " << kRate << "/s";
                }
            }
        }
    }
    EXPECT_EQ(rate_violations, 0);
    EXPECT_GT(allowed, kMax24h) << "jumps past the window must free it";
    EXPECT_EQ(errors, 0);
    EXPECT_EQ(unavailable, 0);
    summary(std::string("clock ledger=") + (GetParam() == LedgerKind::sqlite ? "sqlite" : "redis") +
            " checks=" + std::to_string(made.size()) + " jumps=" + std::to_string(jumps) + " allowed=" +
            std::to_string(allowed) + " worst_24h=" + std::to_string(worst_day) + "/" + std::to_string(kMax24h) +
            " backwards=" + std::to_string(backwards) + " rate_violations=" + std::to_string(rate_violations) +
            " failures=" + std::to_string(::testing::Test::HasFailure() ? 1 : 0));
}

INSTANTIATE_TEST_SUITE_P(Ledgers, ClockFaults, ::testing::Values(LedgerKind::sqlite, LedgerKind::redis), ledger_name);

}  // namespace
}  // namespace reliability
