// The built-in checks through the engine, on a real store: consent,
// suppression, unsubscribe, recipients, frequency, and the modes.
#include <gtest/gtest.h>

#include "fixture.hpp"

namespace presend::test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr const char *kHeaders =
    R"([["List-Unsubscribe", "<https://example.com/u/Zx8Kq2LmN4pR7sT1vW3y>"],
        ["List-Unsubscribe-Post", "List-Unsubscribe=One-Click"]])";

std::string marketing(const std::vector<std::string> &to, const std::string &headers = kHeaders,
                      const std::string &list = "weekly") {
    std::string m = R"({"from": "News <news@example.com>", "stream": "marketing", "list": ")" + list + R"(", "to": )";
    return m + json_list(to) + ", \"headers\": " + headers + "}";
}

class ChecksTest : public EngineTest {
protected:
    void SetUp() override {
        EngineTest::SetUp();
        open(simple_config(1000000, 1000, 1000));
    }
    void consent(const std::string &json) { engine_->consent_put_json(json); }
    void suppress(const std::string &json) { engine_->suppression_put_json(json); }
};

TEST_F(ChecksTest, ConsentStatesGiveTheirReasons) {
    consent(R"({"address": "ok@example.org", "list": "weekly", "method": "double", "consented_at": "2026-01-01T00:00:00Z", "confirmed_at": "2026-01-01T00:05:00Z"})");
    consent(R"({"address": "gone@example.org", "list": "weekly", "status": "unsubscribed"})");
    consent(R"({"address": "pending@example.org", "list": "weekly", "status": "unconfirmed", "method": "double"})");
    consent(R"({"address": "old@example.org", "list": "weekly", "expires_at": "2026-06-01T00:00:00Z"})");
    consent(R"({"address": "other@example.org", "list": "monthly"})");
    auto d = check(marketing({"ok@example.org", "gone@example.org", "pending@example.org", "old@example.org",
                              "other@example.org", "nobody@example.org"}));
    EXPECT_EQ(d->verdict, Verdict::partial);
    EXPECT_THAT(codes(*d, 0), IsEmpty());
    EXPECT_THAT(codes(*d, 1), ElementsAre("consent.withdrawn"));
    EXPECT_THAT(codes(*d, 2), ElementsAre("consent.unconfirmed"));
    EXPECT_THAT(codes(*d, 3), ElementsAre("consent.expired"));
    EXPECT_THAT(codes(*d, 4), ElementsAre("consent.missing"));
    EXPECT_THAT(codes(*d, 5), ElementsAre("consent.missing"));
}

TEST_F(ChecksTest, ExpiryIsExactToTheMillisecond) {
    consent(R"({"address": "a@example.org", "list": "weekly", "expires_at": "2026-11-02T09:00:00.500Z"})");
    clock_.now = kT0 + 499;
    EXPECT_EQ(check(marketing({"a@example.org"}))->verdict, Verdict::allow);
    clock_.now = kT0 + 500;
    auto d = check(marketing({"a@example.org"}));
    EXPECT_THAT(codes(*d, 0), ElementsAre("consent.expired"));
}

TEST_F(ChecksTest, ConsentForEveryListAndWithdrawal) {
    consent(R"({"address": "a@example.org", "list": "*"})");
    EXPECT_EQ(check(marketing({"a@example.org"}))->verdict, Verdict::allow);
    EXPECT_EQ(check(marketing({"a@example.org"}, kHeaders, "monthly"))->verdict, Verdict::allow);
    // A list-specific record wins over the one for every list.
    consent(R"({"address": "a@example.org", "list": "monthly", "status": "unsubscribed"})");
    EXPECT_EQ(check(marketing({"a@example.org"}, kHeaders, "monthly"))->verdict, Verdict::block);
    EXPECT_EQ(check(marketing({"a@example.org"}))->verdict, Verdict::allow);
    engine_->consent_withdraw("a@EXAMPLE.ORG", "*");
    auto d = check(marketing({"a@example.org"}));
    EXPECT_THAT(codes(*d, 0), ElementsAre("consent.withdrawn"));
    EXPECT_THROW(engine_->consent_withdraw("a@example.org", "daily"), Failure);
}

TEST_F(ChecksTest, DoubleOptInCanBeRequired) {
    open(simple_config(1000000, 1000, 1000, R"({"consent": {"require_double_opt_in": true}})"));
    consent(R"({"address": "single@example.org", "list": "weekly", "method": "single"})");
    consent(R"({"address": "double@example.org", "list": "weekly", "method": "double", "confirmed_at": "2026-01-01T00:00:00Z", "consented_at": "2025-12-31T23:59:00Z"})");
    consent(R"({"address": "noconfirm@example.org", "list": "weekly", "method": "double"})");
    auto d = check(marketing({"single@example.org", "double@example.org", "noconfirm@example.org"}));
    EXPECT_THAT(codes(*d, 0), ElementsAre("consent.unconfirmed"));
    EXPECT_THAT(codes(*d, 1), IsEmpty());
    EXPECT_THAT(codes(*d, 2), ElementsAre("consent.unconfirmed"));
}

TEST_F(ChecksTest, TransactionalMailSkipsConsentAndUnsubscribe) {
    auto d = check(txn({"nobody@example.org"}));
    EXPECT_EQ(d->verdict, Verdict::allow);
    EXPECT_THAT(message_codes(*d), IsEmpty());
}

TEST_F(ChecksTest, SuppressedAddressesNeverReceiveMail) {
    for (const char *a : {"b@example.org", "c@example.org", "m@example.org", "u@example.org", "l@example.org",
                          "x@gone.example", "e@example.org"}) {
        consent(std::string(R"({"address": ")") + a + R"(", "list": "*"})");
    }
    suppress(R"({"address": "b@example.org", "reason": "bounce"})");
    suppress(R"({"address": "c@example.org", "reason": "complaint"})");
    suppress(R"({"address": "m@example.org", "reason": "manual"})");
    suppress(R"({"address": "u@example.org", "reason": "unsubscribe"})");
    suppress(R"({"address": "l@example.org", "reason": "manual", "list": "weekly"})");
    suppress(R"({"address": "@GONE.example", "reason": "bounce"})");
    suppress(R"({"address": "e@example.org", "reason": "manual", "expires_at": "2026-11-01T00:00:00Z"})");
    auto d = check(marketing({"b@example.org", "c@example.org", "m@example.org", "u@example.org", "l@example.org",
                              "x@gone.example", "e@example.org"}));
    EXPECT_THAT(codes(*d, 0), ElementsAre("suppression.bounce"));
    EXPECT_THAT(codes(*d, 1), ElementsAre("suppression.complaint"));
    EXPECT_THAT(codes(*d, 2), ElementsAre("suppression.manual"));
    EXPECT_THAT(codes(*d, 3), ElementsAre("suppression.unsubscribe"));
    EXPECT_THAT(codes(*d, 4), ElementsAre("suppression.manual"));
    EXPECT_THAT(codes(*d, 5), ElementsAre("suppression.bounce"));
    EXPECT_THAT(codes(*d, 6), IsEmpty()) << "an expired suppression no longer applies";

    // Transactional mail: bounces, complaints and manual suppressions still
    // apply; an unsubscribe and a list-scoped suppression do not.
    d = check(txn({"b@example.org", "c@example.org", "m@example.org", "u@example.org", "l@example.org",
                   "x@gone.example"}, R"(, "list": "weekly")"));
    EXPECT_EQ(d->recipients[0].verdict, Verdict::block);
    EXPECT_EQ(d->recipients[1].verdict, Verdict::block);
    EXPECT_EQ(d->recipients[2].verdict, Verdict::block);
    EXPECT_EQ(d->recipients[3].verdict, Verdict::allow);
    EXPECT_EQ(d->recipients[4].verdict, Verdict::allow);
    EXPECT_EQ(d->recipients[5].verdict, Verdict::block);

    engine_->suppression_remove("b@example.org", std::nullopt);
    EXPECT_EQ(check(txn({"b@example.org"}))->verdict, Verdict::allow);
    EXPECT_THROW(engine_->suppression_remove("b@example.org", std::nullopt), Failure);
}

// Acceptance: a marketing message with each unsubscribe fault gets its code;
// the same message as transactional passes the unsubscribe check.
struct UnsubscribeCase {
    const char *name;
    const char *headers;
    const char *code;
};

class UnsubscribeFaults : public ChecksTest, public ::testing::WithParamInterface<UnsubscribeCase> {};

TEST_P(UnsubscribeFaults, MarketingGetsTheCodeTransactionalPasses) {
    const auto &c = GetParam();
    consent(R"({"address": "a@example.org", "list": "weekly"})");
    auto d = check(marketing({"a@example.org"}, c.headers));
    std::vector<std::string> got = message_codes(*d);
    EXPECT_NE(std::find(got.begin(), got.end(), c.code), got.end())
        << c.name << ": expected " << c.code << " in " << ::testing::PrintToString(got);
    if (find_reason(c.code)->severity == Severity::block) {
        EXPECT_EQ(d->verdict, Verdict::block) << c.name;
    }

    std::string t = R"({"from": "News <news@example.com>", "stream": "transactional", "to": ["a@example.org"], "headers": )" +
                    std::string(c.headers) + "}";
    auto dt = check(t);
    EXPECT_EQ(dt->verdict, Verdict::allow) << c.name;
    for (const auto &code : message_codes(*dt)) EXPECT_NE(code.rfind("unsubscribe.", 0), 0u) << code;
}

INSTANTIATE_TEST_SUITE_P(
    Acceptance, UnsubscribeFaults,
    ::testing::Values(
        UnsubscribeCase{"missing", "[]", "unsubscribe.missing"},
        UnsubscribeCase{"duplicate",
                        R"([["List-Unsubscribe", "<https://example.com/u/Zx8Kq2LmN4pR7sT1vW3y>"],
                            ["List-Unsubscribe", "<https://example.com/u/Zx8Kq2LmN4pR7sT1vW3y>"],
                            ["List-Unsubscribe-Post", "List-Unsubscribe=One-Click"]])",
                        "unsubscribe.duplicate"},
        UnsubscribeCase{"duplicate post",
                        R"([["List-Unsubscribe", "<https://example.com/u/Zx8Kq2LmN4pR7sT1vW3y>"],
                            ["List-Unsubscribe-Post", "List-Unsubscribe=One-Click"],
                            ["List-Unsubscribe-Post", "List-Unsubscribe=One-Click"]])",
                        "unsubscribe.duplicate"},
        UnsubscribeCase{"malformed", R"([["List-Unsubscribe", "https://example.com/u/Zx8Kq2LmN4pR7sT1vW3y"],
                                          ["List-Unsubscribe-Post", "List-Unsubscribe=One-Click"]])",
                        "unsubscribe.malformed"},
        UnsubscribeCase{"http only", R"([["List-Unsubscribe", "<http://example.com/u/Zx8Kq2LmN4pR7sT1vW3y>"],
                                          ["List-Unsubscribe-Post", "List-Unsubscribe=One-Click"]])",
                        "unsubscribe.not_https"},
        UnsubscribeCase{"mailto only", R"([["List-Unsubscribe", "<mailto:u+Zx8Kq2LmN4pR7sT1vW3y@example.com>"]])",
                        "unsubscribe.not_https"},
        UnsubscribeCase{"no post", R"([["List-Unsubscribe", "<https://example.com/u/Zx8Kq2LmN4pR7sT1vW3y>"]])",
                        "unsubscribe.one_click_missing"},
        UnsubscribeCase{"wrong post", R"([["List-Unsubscribe", "<https://example.com/u/Zx8Kq2LmN4pR7sT1vW3y>"],
                                          ["List-Unsubscribe-Post", "List-Unsubscribe=one-click"]])",
                        "unsubscribe.one_click_invalid"},
        UnsubscribeCase{"not signed", R"([["List-Unsubscribe", "<https://example.com/u/Zx8Kq2LmN4pR7sT1vW3y>"],
                                          ["List-Unsubscribe-Post", "List-Unsubscribe=One-Click"],
                                          ["DKIM-Signature", "v=1; a=rsa-sha256; d=example.com; s=s1; c=relaxed/relaxed; h=from:to:subject:list-unsubscribe; bh=abc=; b=def="]])",
                        "unsubscribe.not_signed"},
        UnsubscribeCase{"no token", R"([["List-Unsubscribe", "<https://example.com/unsubscribe>"],
                                        ["List-Unsubscribe-Post", "List-Unsubscribe=One-Click"]])",
                        "unsubscribe.no_token"}),
    [](const ::testing::TestParamInfo<UnsubscribeCase> &param) {
        std::string n = param.param.name;
        for (auto &ch : n) {
            if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
        }
        return n;
    });

TEST_F(ChecksTest, MailtoOnlyIsAcceptedWhenConfigured) {
    open(simple_config(1000000, 1000, 1000, R"({"unsubscribe": {"accept_mailto_only": true}})"));
    consent(R"({"address": "a@example.org", "list": "weekly"})");
    auto d = check(marketing({"a@example.org"}, R"([["List-Unsubscribe", "<mailto:u+Zx8Kq2LmN4pR7sT1vW3y@example.com>"]])"));
    EXPECT_EQ(d->verdict, Verdict::allow);
    EXPECT_THAT(message_codes(*d), ElementsAre("unsubscribe.mailto_only"));
}

TEST_F(ChecksTest, SignedUnsubscribeHeadersPass) {
    consent(R"({"address": "a@example.org", "list": "weekly"})");
    auto d = check(marketing({"a@example.org"}, R"([["List-Unsubscribe", "<https://example.com/u/Zx8Kq2LmN4pR7sT1vW3y>"],
        ["List-Unsubscribe-Post", "List-Unsubscribe=One-Click"],
        ["DKIM-Signature", "v=1; a=rsa-sha256; d=example.com; s=s1; h=from:to:list-unsubscribe:list-unsubscribe-post; bh=abc=; b=def="]])"));
    EXPECT_EQ(d->verdict, Verdict::allow);
    EXPECT_THAT(message_codes(*d), IsEmpty());
}

TEST_F(ChecksTest, RecipientsAreParsedNormalizedAndMerged) {
    auto d = check(txn({"Ann <ANN@Example.ORG>", "ann@example.org", "\"Doe, John\" <john@bücher.example>",
                        "not an address", "team: x@example.org, y@example.org;"}));
    ASSERT_EQ(d->recipients.size(), 6u);
    EXPECT_EQ(d->recipients[0].address, "ANN@example.org");
    EXPECT_EQ(d->recipients[1].address, "ann@example.org") << "local parts are case-sensitive by default";
    EXPECT_EQ(d->recipients[2].address, "john@xn--bcher-kva.example");
    EXPECT_THAT(codes(*d, 3), ElementsAre("recipient.invalid"));
    EXPECT_EQ(d->recipients[4].address, "x@example.org");
    EXPECT_EQ(d->recipients[5].address, "y@example.org");
    EXPECT_EQ(d->verdict, Verdict::partial);

    open(R"({"address": {"local_part_case_insensitive": true},
             "accounts": {"prod": {"regions": {"us-east-1": {}}}}})");
    d = check(txn({"Ann <ANN@Example.ORG>", "ann@example.org"}, R"(, "cc": ["ann@EXAMPLE.org"])"));
    ASSERT_EQ(d->recipients.size(), 1u);
    EXPECT_THAT(codes(*d, 0), ElementsAre("recipient.duplicate"));
}

TEST_F(ChecksTest, MessageLevelRecipientFaults) {
    auto d = check(R"({"from": "nobody", "stream": "transactional", "to": ["a@example.org"]})");
    EXPECT_EQ(d->verdict, Verdict::block);
    EXPECT_THAT(message_codes(*d), ElementsAre("recipient.from_invalid"));

    d = check(R"({"from": "a@example.com", "stream": "transactional", "to": []})");
    EXPECT_EQ(d->verdict, Verdict::block);
    EXPECT_THAT(message_codes(*d), ElementsAre("recipient.none"));

    std::vector<std::string> many;
    for (int i = 0; i < 51; ++i) many.push_back("r" + std::to_string(i) + "@example.org");
    d = check(txn(many));
    EXPECT_EQ(d->verdict, Verdict::block);
    EXPECT_THAT(message_codes(*d), ElementsAre("recipient.too_many"));
    many.pop_back();
    EXPECT_EQ(check(txn(many))->verdict, Verdict::allow) << "50 recipients is SES's limit, and allowed";
}

TEST_F(ChecksTest, FrequencyCapDefersUntilTheOldestSendLeavesThePeriod) {
    open(simple_config(1000000, 1000, 1000,
                       R"({"frequency": {"mode": "enforce", "max_messages": 2, "period_hours": 24, "per_list": false}})"));
    consent(R"({"address": "a@example.org", "list": "*"})");
    ASSERT_EQ(check(marketing({"a@example.org"}))->verdict, Verdict::allow);
    clock_.now = kT0 + 3600000;
    ASSERT_EQ(check(marketing({"a@example.org"}, kHeaders, "monthly"))->verdict, Verdict::allow);
    clock_.now = kT0 + 7200000;
    auto d = check(marketing({"a@example.org"}));
    ASSERT_EQ(d->verdict, Verdict::defer);
    EXPECT_THAT(codes(*d, 0), ElementsAre("frequency.capped"));
    EXPECT_EQ(d->retry_after_ms, kT0 + 86400000 - clock_.now);
    // Transactional mail is not capped, and a released send does not count.
    EXPECT_EQ(check(txn({"a@example.org"}))->verdict, Verdict::allow);
    clock_.now = kT0 + 86400000;
    auto ok = check(marketing({"a@example.org"}));
    ASSERT_EQ(ok->verdict, Verdict::allow);
    EXPECT_EQ(check(marketing({"a@example.org"}))->verdict, Verdict::defer);
    engine_->release(ok->id);
    EXPECT_EQ(check(marketing({"a@example.org"}))->verdict, Verdict::allow);
}

TEST_F(ChecksTest, MonitorModeRecordsWithoutApplyingAndOffSkips) {
    open(simple_config(1000000, 1000, 1000, R"({"consent": {"mode": "monitor"}, "unsubscribe": {"mode": "off"}})"));
    auto d = check(marketing({"nobody@example.org"}, "[]"));
    EXPECT_EQ(d->verdict, Verdict::allow);
    ASSERT_THAT(codes(*d, 0), ElementsAre("consent.missing"));
    EXPECT_FALSE(d->recipients[0].reasons[0].enforced);
    EXPECT_THAT(message_codes(*d), IsEmpty());
    EXPECT_NE(d->json().find("\"enforced\":false"), std::string::npos);
}

}  // namespace
}  // namespace presend::test
