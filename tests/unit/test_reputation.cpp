// The reputation guard, on both sides of each limit, with events ingested
// the way a host ingests them and the clock moved by hand; and pauses.
#include "fixture.hpp"
#include "text.hpp"

namespace presend::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string config(const std::string &reputation = "{}") {
    return R"({"accounts": {"prod": {"aws_account_id": "123456789012", "regions": {
                 "us-east-1": {"max_24h": 10000000, "max_rate": 1000000, "burst": 1000000},
                 "eu-west-1": {"max_24h": 10000000, "max_rate": 1000000, "burst": 1000000}}}},
               "defaults": {"account": "prod", "region": "us-east-1"},
               "checks": {"consent": {"mode": "off"}, "unsubscribe": {"mode": "off"}, "reputation": )" +
           reputation + "}}";
}

std::string mail_json(int n, const std::string &to, int64_t at) {
    return R"("mail": {"timestamp": ")" + format_timestamp(at) + R"(", "messageId": "ses-)" + std::to_string(n) +
           R"(", "source": "news@example.com", "sourceArn": "arn:aws:ses:us-east-1:123456789012:identity/example.com",
           "sendingAccountId": "123456789012", "destination": [")" + to + R"("]})";
}

// An SES bounce notification for one recipient.
std::string one_line(std::string s) {
    for (auto &c : s) {
        if (c == '\n') c = ' ';
    }
    return s;
}

std::string bounce(int n, const std::string &to, int64_t at, const std::string &type = "Permanent",
                   const std::string &subtype = "General") {
    return one_line(R"({"notificationType": "Bounce", "bounce": {"bounceType": ")" + type + R"(", "bounceSubType": ")" + subtype +
           R"(", "bouncedRecipients": [{"emailAddress": ")" + to + R"(", "status": "5.1.1", "action": "failed"}],
           "timestamp": ")" + format_timestamp(at) + R"(", "feedbackId": "bounce-)" + std::to_string(n) + R"("}, )" +
           mail_json(n, to, at) + "}");
}

std::string complaint(int n, const std::string &to, int64_t at) {
    return one_line(R"({"notificationType": "Complaint", "complaint": {"complainedRecipients": [{"emailAddress": ")" + to +
           R"("}], "timestamp": ")" + format_timestamp(at) + R"(", "feedbackId": "complaint-)" + std::to_string(n) +
           R"(", "complaintFeedbackType": "abuse"}, )" + mail_json(100000 + n, to, at) + "}");
}

class ReputationTest : public EngineTest {
protected:
    // Reserves `n` recipients in us-east-1 (transactional, 50 per message).
    void send(int n) {
        for (int done = 0; done < n;) {
            std::vector<std::string> to;
            for (int i = 0; i < 50 && done < n; ++i, ++done) to.push_back("r" + std::to_string(sent_++) + "@example.org");
            auto d = check(txn(to));
            ASSERT_EQ(d->verdict, Verdict::allow);
        }
    }
    // Ingests `n` bounces (or complaints) as one JSON Lines input.
    void ingest(int n, bool complaints = false) {
        std::string lines;
        for (int i = 0; i < n; ++i) {
            int id = events_++;
            lines += (complaints ? complaint(id, "r" + std::to_string(id) + "@example.org", clock_.now)
                                 : bounce(id, "r" + std::to_string(id) + "@example.org", clock_.now)) + "\n";
        }
        std::string report = engine_->events_ingest(lines, "");
        ASSERT_THAT(report, HasSubstr(R"("ingested":)" + std::to_string(n) + ","));
    }
    std::vector<std::string> marketing_codes() {
        auto d = check(R"({"from": "News <news@example.com>", "to": ["m@example.net"], "list": "weekly"})", true);
        return message_codes(*d);
    }
    int sent_ = 0;
    int events_ = 0;
};

TEST_F(ReputationTest, BounceRateWarnsThenDefersMarketing) {
    open(config());
    send(1000);
    ingest(19);  // 1.9%
    EXPECT_THAT(marketing_codes(), IsEmpty());
    ingest(1);  // 2.0%: the warn level
    EXPECT_THAT(marketing_codes(), ElementsAre("reputation.bounce_rate_warning"));
    ingest(19);  // 3.9%
    EXPECT_THAT(marketing_codes(), ElementsAre("reputation.bounce_rate_warning"));
    ingest(1);  // 4.0%: the defer level
    auto d = check(R"({"from": "News <news@example.com>", "to": ["m@example.net"], "list": "weekly"})", true);
    EXPECT_THAT(message_codes(*d), ElementsAre("reputation.bounce_rate"));
    EXPECT_EQ(d->verdict, Verdict::defer);
    EXPECT_EQ(d->retry_after_ms, 3600 * 1000);
    EXPECT_THAT(d->reasons[0].message, HasSubstr("4.00% (1.00 points under the 5.00% SES review threshold)"));
    // Transactional mail still goes.
    EXPECT_EQ(check(txn({"t@example.net"}), true)->verdict, Verdict::allow);
}

TEST_F(ReputationTest, ComplaintRateWarnsThenDefersAtTheDefaults) {
    open(config());
    send(10000);
    ingest(4, true);  // 0.04%
    EXPECT_THAT(marketing_codes(), IsEmpty());
    ingest(1, true);  // 0.05%
    EXPECT_THAT(marketing_codes(), ElementsAre("reputation.complaint_rate_warning"));
    ingest(2, true);  // 0.07%
    EXPECT_THAT(marketing_codes(), ElementsAre("reputation.complaint_rate_warning"));
    ingest(1, true);  // 0.08%
    EXPECT_THAT(marketing_codes(), ElementsAre("reputation.complaint_rate"));
}

TEST_F(ReputationTest, NoRateCountsBelowTheMinimumVolume) {
    open(config(R"({"min_volume": 500})"));
    send(499);
    ingest(100);  // 20%, but over 499 sends
    EXPECT_THAT(marketing_codes(), IsEmpty());
    send(1);
    EXPECT_THAT(marketing_codes(), ElementsAre("reputation.bounce_rate"));
}

TEST_F(ReputationTest, TheWindowForgetsOldSendsAndBounces) {
    open(config(R"({"window_hours": 24})"));
    send(1000);
    ingest(50);
    clock_.now = kT0 + 24 * 3600 * 1000LL;  // the hour of the sends is still in the window
    EXPECT_THAT(marketing_codes(), ElementsAre("reputation.bounce_rate"));
    clock_.now = kT0 + 25 * 3600 * 1000LL;  // now it is not
    EXPECT_THAT(marketing_codes(), IsEmpty());
}

TEST_F(ReputationTest, ConfiguredLevelsAndMonitorMode) {
    open(config(R"({"bounce_warn": 0.01, "bounce_defer": 0.02, "complaint_warn": 0.002, "complaint_defer": 0.004})"));
    send(1000);
    ingest(20);
    ingest(3, true);
    EXPECT_THAT(marketing_codes(), ElementsAre("reputation.bounce_rate", "reputation.complaint_rate_warning"));
    open(config(R"({"mode": "monitor", "bounce_defer": 0.02})"));
    auto d = check(R"({"from": "News <news@example.com>", "to": ["m@example.net"], "list": "weekly"})", true);
    // 0.3% complaints is over the default complaint_defer (0.08%) too.
    EXPECT_THAT(message_codes(*d), ElementsAre("reputation.bounce_rate", "reputation.complaint_rate"));
    EXPECT_EQ(d->verdict, Verdict::allow) << "monitor mode reports without deferring";
}

TEST_F(ReputationTest, ReleasedSendsLeaveTheRate) {
    open(config());
    send(1000);
    ingest(30);  // 3%
    auto big = check(txn({"x1@example.org", "x2@example.org"}));
    EXPECT_THAT(marketing_codes(), ElementsAre("reputation.bounce_rate_warning"));
    engine_->release(big->id);
    std::string status = engine_->reputation_json("prod", "us-east-1");
    EXPECT_THAT(status, HasSubstr(R"("sends":1000,"bounces":30)"));
    EXPECT_THAT(status, HasSubstr(R"("status":"warn")"));
    EXPECT_THAT(status, HasSubstr("3.00% (2.00 points under the 5.00% review threshold)"));
    EXPECT_THAT(status, HasSubstr("3.00% (7.00 points under the 10.00% pause threshold)"));
}

TEST_F(ReputationTest, TransientAndAccountSuppressionListBouncesDoNotCount) {
    open(config());
    send(1000);
    std::string lines;
    for (int i = 0; i < 60; ++i) lines += bounce(i, "t" + std::to_string(i) + "@example.org", clock_.now, "Transient", "MailboxFull") + "\n";
    for (int i = 60; i < 120; ++i) {
        lines += bounce(i, "s" + std::to_string(i) + "@example.org", clock_.now, "Permanent", "OnAccountSuppressionList") + "\n";
    }
    std::string report = engine_->events_ingest(lines, "");
    EXPECT_THAT(report, HasSubstr(R"("ingested":120,"duplicates":0,"failed":0,"other":0,"suppressed":60,"bounces":0,"transient_bounces":60)"));
    EXPECT_THAT(marketing_codes(), IsEmpty());
    EXPECT_THAT(engine_->reputation_json("prod", "us-east-1"), HasSubstr(R"("bounces":0,"transient_bounces":60)"));
}

TEST_F(ReputationTest, APauseDefersEverythingUntilResumed) {
    open(config());
    std::string p = engine_->pause("prod", std::nullopt, "SES review notice");
    EXPECT_THAT(p, HasSubstr(R"("region":null)"));
    auto d = check(txn({"t@example.net"}));
    EXPECT_EQ(d->verdict, Verdict::defer);
    EXPECT_THAT(message_codes(*d), ElementsAre("reputation.paused"));
    EXPECT_THAT(d->reasons[0].message, HasSubstr("SES review notice"));
    EXPECT_THAT(marketing_codes(), ElementsAre("reputation.paused"));
    engine_->resume("prod", std::nullopt);
    EXPECT_EQ(check(txn({"t@example.net"}))->verdict, Verdict::allow);
    EXPECT_THROW(engine_->resume("prod", std::nullopt), Failure);
}

TEST_F(ReputationTest, ARegionPauseLeavesOtherRegions) {
    open(config());
    engine_->pause("prod", "eu-west-1", "");
    EXPECT_EQ(check(txn({"t@example.net"}, R"(, "region": "eu-west-1")"))->verdict, Verdict::defer);
    EXPECT_EQ(check(txn({"t@example.net"}, R"(, "region": "us-east-1")"))->verdict, Verdict::allow);
    EXPECT_THAT(engine_->reputation_json("prod", "eu-west-1"), HasSubstr(R"("status":"paused")"));
    // A pause survives the engine: it is in the store, for every process.
    open(config());
    EXPECT_EQ(check(txn({"t@example.net"}, R"(, "region": "eu-west-1")"))->verdict, Verdict::defer);
    try {
        engine_->pause("prod", "ap-south-1", "");
        FAIL();
    } catch (const Failure &f) {
        EXPECT_EQ(f.error.status, Status::invalid_argument);
    }
    EXPECT_THROW(engine_->pause("nobody", std::nullopt, ""), Failure);
}

}  // namespace
}  // namespace presend::test
