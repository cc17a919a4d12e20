// The quota ledger with the injected clock: the rolling 24-hour maximum, the
// per-second rate with bursts, exact retry times, the sandbox, release, sync.
// One suite, both ledgers: every QuotaTest runs against the SQLite ledger and
// against the Redis ledger (fleet mode) on a real redis-server.
#include <gtest/gtest.h>

#include "fixture.hpp"
#include "ledger.hpp"

#include <cjson/cJSON.h>

#include <map>
#ifdef PRESEND_REDIS_SERVER
#include "redis_server.hpp"
#endif

namespace presend::test {
namespace {

using ::testing::ElementsAre;

TEST(Gcra, OnePerSecondWithoutBurst) {
    const int64_t rate = 1, burst = 1;
    int64_t tat = 0;
    int64_t t = 5000 * rate;  // 5 s, in units of 1/rate ms
    ASSERT_TRUE(Gcra::allows(tat, t, burst));
    tat = Gcra::take(tat, t);
    EXPECT_FALSE(Gcra::allows(tat, t, burst));
    EXPECT_EQ(Gcra::retry_ms(tat, t, burst, rate), 1000);
    EXPECT_FALSE(Gcra::allows(tat, (5000 + 999) * rate, burst));
    EXPECT_TRUE(Gcra::allows(tat, (5000 + 1000) * rate, burst));
}

TEST(Gcra, FourteenPerSecondRoundsRetryUpToTheMillisecond) {
    const int64_t rate = 14, burst = 14;
    int64_t tat = 0, t = 1000 * rate;
    for (int i = 0; i < 14; ++i) {
        ASSERT_TRUE(Gcra::allows(tat, t, burst)) << i;
        tat = Gcra::take(tat, t);
    }
    ASSERT_FALSE(Gcra::allows(tat, t, burst));
    // One emission interval is 1000/14 = 71.43 ms: the next cell fits after 72 ms, not 71.
    EXPECT_EQ(Gcra::retry_ms(tat, t, burst, rate), 72);
    EXPECT_FALSE(Gcra::allows(tat, (1000 + 71) * rate, burst));
    EXPECT_TRUE(Gcra::allows(tat, (1000 + 72) * rate, burst));
}

TEST(Gcra, BurstAllowsAShortExcessThenTheSustainedRate) {
    const int64_t rate = 2, burst = 6;
    int64_t tat = 0, t = 0;
    int allowed = 0;
    while (Gcra::allows(tat, t, burst)) {
        tat = Gcra::take(tat, t);
        ++allowed;
    }
    EXPECT_EQ(allowed, 6);
    // Afterwards one every 500 ms.
    EXPECT_EQ(Gcra::retry_ms(tat, t, burst, rate), 500);
}

TEST(Gcra, RescaleNeverMovesTheArrivalTimeEarlier) {
    EXPECT_EQ(Gcra::rescale(14000, 14, 14), 14000);
    EXPECT_EQ(Gcra::rescale(14000, 14, 28), 28000);
    EXPECT_EQ(Gcra::rescale(1001, 14, 1), 72);  // 71.5 ms rounds up
    EXPECT_EQ(Gcra::rescale(int64_t{1793610000000} * 14, 14, 1000000), int64_t{1793610000000} * 1000000);
}

// The members of a flat JSON object, each as its JSON text.
std::map<std::string, std::string> members(const std::string &json) {
    std::map<std::string, std::string> out;
    auto doc = json_parse(json, 1 << 20);
    if (!doc) {
        ADD_FAILURE() << json;
        return out;
    }
    for (const cJSON *m = json_child(doc->get()); m != nullptr; m = json_next(m)) {
        char *text = cJSON_PrintUnformatted(m);
        out[std::string(json_key(m))] = text;
        cJSON_free(text);
    }
    return out;
}

enum class Ledger { sqlite, redis };

class QuotaTest : public EngineTest, public ::testing::WithParamInterface<Ledger> {
protected:
    // The test's configuration, with the ledger of the run.
    void open(const std::string &config_json) {
        if (GetParam() == Ledger::sqlite) return EngineTest::open(config_json);
#ifdef PRESEND_REDIS_SERVER
        if (!redis_) redis_ = std::make_unique<RedisServer>();
        std::string ledger = R"("ledger": {"backend": "redis", "url": ")" + redis_->url() +
                             R"(", "prefix": "presend-quota-test:"}, )";
        std::string json = config_json;
        json.insert(json.find('{') + 1, ledger);
        EngineTest::open(json);
#endif
    }
#ifdef PRESEND_REDIS_SERVER
    std::unique_ptr<RedisServer> redis_;
#endif
};

std::string ledger_name(const ::testing::TestParamInfo<Ledger> &info) {
    return info.param == Ledger::sqlite ? "sqlite" : "redis";
}

#ifdef PRESEND_REDIS_SERVER
INSTANTIATE_TEST_SUITE_P(Ledgers, QuotaTest, ::testing::Values(Ledger::sqlite, Ledger::redis), ledger_name);
#else
INSTANTIATE_TEST_SUITE_P(Ledgers, QuotaTest, ::testing::Values(Ledger::sqlite), ledger_name);
#endif

TEST_P(QuotaTest, DailyMaximumFreesExactlyWhenTheOldestSendsLeaveTheWindow) {
    open(simple_config(5, 1000, 1000));
    // Five sends spread over the day: at 0 s, 10 s, 3600 s, 3600.5 s, 7200 s.
    const int64_t offsets[] = {0, 10000, 3600000, 3600500, 7200000};
    for (int64_t off : offsets) {
        clock_.now = kT0 + off;
        auto d = check(txn({"a@example.org"}));
        ASSERT_EQ(d->verdict, Verdict::allow) << off;
    }
    clock_.now = kT0 + 20 * 3600000;
    auto d = check(txn({"a@example.org"}));
    ASSERT_EQ(d->verdict, Verdict::defer);
    EXPECT_THAT(codes(*d, 0), ElementsAre("quota.daily_exhausted"));
    // The send at kT0 (second kT0/1000) leaves when that second is 86,400 s old.
    const int64_t frees_at = kT0 + 86400000;
    EXPECT_EQ(d->retry_after_ms, frees_at - clock_.now);

    clock_.now = frees_at - 1;
    d = check(txn({"a@example.org"}));
    EXPECT_EQ(d->verdict, Verdict::defer);
    EXPECT_EQ(d->retry_after_ms, 1);

    clock_.now = frees_at;
    d = check(txn({"a@example.org"}));
    EXPECT_EQ(d->verdict, Verdict::allow);
    // Full again: the next room opens when the send at +10 s leaves.
    d = check(txn({"a@example.org"}));
    ASSERT_EQ(d->verdict, Verdict::defer);
    EXPECT_EQ(d->retry_after_ms, kT0 + 10000 + 86400000 - clock_.now);
}

TEST_P(QuotaTest, TwoSendsInTheSameSecondLeaveTogether) {
    open(simple_config(2, 1000, 1000));
    clock_.now = kT0 + 100;
    ASSERT_EQ(check(txn({"a@example.org"}))->verdict, Verdict::allow);
    clock_.now = kT0 + 900;
    ASSERT_EQ(check(txn({"b@example.org"}))->verdict, Verdict::allow);
    clock_.now = kT0 + 5000;
    auto d = check(txn({"c@example.org"}));
    ASSERT_EQ(d->verdict, Verdict::defer);
    // Counted at one-second resolution: both leave when second kT0/1000 leaves.
    EXPECT_EQ(d->retry_after_ms, kT0 + 86400000 - clock_.now);
    clock_.now = kT0 + 86400000;
    d = check(txn({"c@example.org", "d@example.org", "e@example.org"}));
    EXPECT_EQ(d->verdict, Verdict::partial);
    EXPECT_EQ(d->recipients[2].verdict, Verdict::defer);
}

TEST_P(QuotaTest, PerSecondRateDefersWithAnExactRetry) {
    open(simple_config(1000000, 14, 14));
    auto d = check(txn({"1@example.org", "2@example.org", "3@example.org", "4@example.org", "5@example.org",
                        "6@example.org", "7@example.org", "8@example.org", "9@example.org", "10@example.org",
                        "11@example.org", "12@example.org", "13@example.org", "14@example.org", "15@example.org"}));
    ASSERT_EQ(d->verdict, Verdict::partial);
    for (size_t i = 0; i < 14; ++i) EXPECT_EQ(d->recipients[i].verdict, Verdict::allow) << i;
    EXPECT_EQ(d->recipients[14].verdict, Verdict::defer);
    EXPECT_THAT(codes(*d, 14), ElementsAre("quota.rate_exceeded"));
    EXPECT_EQ(d->retry_after_ms, 72);
    EXPECT_EQ(d->recipients[14].retry_after_ms, 72);

    clock_.now = kT0 + 71;
    d = check(txn({"15@example.org"}));
    EXPECT_EQ(d->verdict, Verdict::defer);
    EXPECT_EQ(d->retry_after_ms, 1);
    clock_.now = kT0 + 72;
    EXPECT_EQ(check(txn({"15@example.org"}))->verdict, Verdict::allow);
    // The sustained rate: the next one 1000/14 ms later again, rounded up.
    d = check(txn({"16@example.org"}));
    EXPECT_EQ(d->verdict, Verdict::defer);
    // TAT is 15000 units (of 1/14 ms) and now is 1008: the next cell fits
    // from 2000 units (142.86 ms), 70.86 ms away, rounded up to 71.
    EXPECT_EQ(d->retry_after_ms, 71);
}

TEST_P(QuotaTest, OnePerSecondWithoutBurst) {
    open(simple_config(1000, 1, 1));
    EXPECT_EQ(check(txn({"a@example.org"}))->verdict, Verdict::allow);
    auto d = check(txn({"b@example.org"}));
    EXPECT_EQ(d->verdict, Verdict::defer);
    EXPECT_EQ(d->retry_after_ms, 1000);
    clock_.now += 999;
    EXPECT_EQ(check(txn({"b@example.org"}))->verdict, Verdict::defer);
    clock_.now += 1;
    EXPECT_EQ(check(txn({"b@example.org"}))->verdict, Verdict::allow);
}

TEST_P(QuotaTest, BothLimitsRefuseAndTheLaterTimeWins) {
    open(simple_config(1, 1, 1));
    ASSERT_EQ(check(txn({"a@example.org"}))->verdict, Verdict::allow);
    auto d = check(txn({"b@example.org"}));
    ASSERT_EQ(d->verdict, Verdict::defer);
    EXPECT_THAT(codes(*d, 0), ElementsAre("quota.daily_exhausted"));
    EXPECT_EQ(d->retry_after_ms, 86400000);
}

TEST_P(QuotaTest, DryRunsConsumeNothing) {
    open(simple_config(2, 1000, 1000));
    for (int i = 0; i < 5; ++i) EXPECT_EQ(check(txn({"a@example.org"}), true)->verdict, Verdict::allow);
    EXPECT_EQ(check(txn({"a@example.org", "b@example.org"}))->verdict, Verdict::allow);
    auto d = check(txn({"c@example.org"}), true);
    EXPECT_EQ(d->verdict, Verdict::defer);
    EXPECT_TRUE(d->dry_run);
}

TEST_P(QuotaTest, ApproachingIsReportedFromNinetyPercent) {
    open(simple_config(10, 1000, 1000));
    for (int i = 0; i < 8; ++i) {
        auto d = check(txn({"a@example.org"}));
        EXPECT_TRUE(message_codes(*d).empty()) << i;
    }
    auto d = check(txn({"a@example.org"}));  // the 9th of 10
    EXPECT_EQ(d->verdict, Verdict::allow);
    EXPECT_THAT(message_codes(*d), ElementsAre("quota.approaching"));
}

TEST_P(QuotaTest, SandboxAccountsGetSesSandboxLimitsAndVerifiedRecipientsOnly) {
    open(R"({"accounts": {"test": {"tier": "sandbox", "verified_recipients": ["qa@example.com", "example.net"],
             "regions": {"us-east-1": {}}}}})");
    auto d = check(txn({"qa@example.com", "someone@example.org"}));
    ASSERT_EQ(d->verdict, Verdict::partial);
    EXPECT_EQ(d->recipients[0].verdict, Verdict::allow);
    EXPECT_THAT(codes(*d, 1), ElementsAre("quota.sandbox_unverified"));
    ASSERT_TRUE(d->quota);
    EXPECT_EQ(d->quota->max_24h, 200);
    EXPECT_EQ(d->quota->max_rate, 1);
    // A verified domain counts; the rate is one per second.
    d = check(txn({"anyone@example.net"}));
    EXPECT_EQ(d->verdict, Verdict::defer);
    EXPECT_EQ(d->retry_after_ms, 1000);
    clock_.now += 1000;
    EXPECT_EQ(check(txn({"anyone@example.net"}))->verdict, Verdict::allow);
}

TEST_P(QuotaTest, SandboxDailyMaximumIsTwoHundred) {
    open(R"({"accounts": {"test": {"tier": "sandbox", "verified_recipients": ["example.com"],
             "regions": {"us-east-1": {}}}}})");
    int allowed = 0;
    for (int i = 0; i < 250; ++i) {
        clock_.now += 1000;
        if (check(txn({"qa@example.com"}))->verdict == Verdict::allow) ++allowed;
    }
    EXPECT_EQ(allowed, 200);
}

TEST_P(QuotaTest, ReleaseReturnsTheReservationOnce) {
    open(simple_config(2, 1000, 1000));
    auto first = check(txn({"a@example.org", "b@example.org"}));
    ASSERT_EQ(first->verdict, Verdict::allow);
    EXPECT_EQ(check(txn({"c@example.org"}))->verdict, Verdict::defer);
    engine_->release(first->id);
    EXPECT_EQ(check(txn({"c@example.org"}))->verdict, Verdict::allow);
    try {
        engine_->release(first->id);
        FAIL() << "a second release must fail";
    } catch (const Failure &f) {
        EXPECT_EQ(f.error.status, Status::state);
    }
    try {
        engine_->release("01a19b7c-0000-7000-8000-000000000000");
        FAIL() << "an unknown decision must fail";
    } catch (const Failure &f) {
        EXPECT_EQ(f.error.status, Status::not_found);
    }
    auto dry = check(txn({"c@example.org"}), true);
    EXPECT_THROW(engine_->release(dry->id), Failure);
}

TEST_P(QuotaTest, ReleaseAfterTheSendLeftTheWindowChangesNothing) {
    open(simple_config(1, 1000, 1000));
    auto d = check(txn({"a@example.org"}));
    clock_.now += 86400000;
    ASSERT_EQ(check(txn({"b@example.org"}))->verdict, Verdict::allow);
    engine_->release(d->id);  // its second left the window: the count must not go below the truth
    EXPECT_EQ(check(txn({"c@example.org"}))->verdict, Verdict::defer);
}

TEST_P(QuotaTest, TheClockNeverGoesBackwards) {
    open(simple_config(1000, 1, 1));
    ASSERT_EQ(check(txn({"a@example.org"}))->verdict, Verdict::allow);
    // A clock that jumps back an hour must not reopen the rate or the window.
    clock_.now -= 3600000;
    auto d = check(txn({"b@example.org"}));
    EXPECT_EQ(d->verdict, Verdict::defer);
    EXPECT_EQ(d->retry_after_ms, 1000);
    EXPECT_EQ(d->created_at, kT0);
    clock_.now = kT0 + 1000;
    EXPECT_EQ(check(txn({"b@example.org"}))->verdict, Verdict::allow);
}

TEST_P(QuotaTest, SyncTakesSesLimitsAndNeverLowersTheCount) {
    open(simple_config(1000, 14, 14));
    for (int i = 0; i < 3; ++i) ASSERT_EQ(check(txn({"a@example.org"}))->verdict, Verdict::allow);
    // SES saw more (another sender on the account): the ledger takes the larger count.
    std::string report = engine_->quota_sync_json("prod", "us-east-1",
                                                  R"({"Max24HourSend": 10, "MaxSendRate": 2, "SentLast24Hours": 8})");
    EXPECT_NE(report.find("\"added_to_ledger\":5"), std::string::npos) << report;
    clock_.now += 1000;
    auto d = check(txn({"a@example.org", "b@example.org", "c@example.org"}));
    ASSERT_EQ(d->verdict, Verdict::partial);
    EXPECT_EQ(d->quota->max_24h, 10);
    EXPECT_EQ(d->quota->max_rate, 2);
    EXPECT_EQ(d->recipients[2].verdict, Verdict::defer);  // 8 + 2 = 10
    // SES saw fewer (its counter lags): the ledger keeps its own.
    report = engine_->quota_sync_json("prod", "us-east-1",
                                      R"({"Max24HourSend": 10, "MaxSendRate": 2, "SentLast24Hours": 1})");
    EXPECT_NE(report.find("\"added_to_ledger\":0"), std::string::npos) << report;
    clock_.now += 10000;
    EXPECT_EQ(check(txn({"d@example.org"}))->verdict, Verdict::defer);
    EXPECT_THROW(engine_->quota_sync_json("prod", "us-east-1", R"({"Max24HourSend": 10})"), Failure);
}

TEST_P(QuotaTest, MonitorModeReportsButCountsWhatIsSent) {
    open(simple_config(1, 1000, 1000, R"({"quota": {"mode": "monitor"}})"));
    ASSERT_EQ(check(txn({"a@example.org"}))->verdict, Verdict::allow);
    auto d = check(txn({"b@example.org"}));
    EXPECT_EQ(d->verdict, Verdict::allow);
    ASSERT_EQ(codes(*d, 0).size(), 1u);
    EXPECT_EQ(codes(*d, 0)[0], "quota.daily_exhausted");
    EXPECT_FALSE(d->recipients[0].reasons[0].enforced);
    EXPECT_EQ(d->quota->sent_24h, 2);
}

TEST_P(QuotaTest, StatusShowsTheLedgerInUse) {
    open(simple_config(10, 5, 5));
    ASSERT_EQ(check(txn({"a@example.org", "b@example.org", "c@example.org"}))->verdict, Verdict::allow);
    auto status = members(engine_->quota_status_json("prod", "us-east-1"));
    EXPECT_EQ(status.at("ledger"), GetParam() == Ledger::sqlite ? "\"sqlite\"" : "\"redis\"");
    EXPECT_EQ(status.at("sent_24h"), "3");
    EXPECT_EQ(status.at("remaining_24h"), "7");
    EXPECT_EQ(status.at("rate_available"), "2");
    EXPECT_EQ(status.at("next_release_ms"), "86400000");
    EXPECT_EQ(status.at("limits_source"), "\"config\"");
}

}  // namespace
}  // namespace presend::test
