// The per-send authentication check: it reads the status `auth refresh`
// stored and never resolves DNS.
#include <gtest/gtest.h>

#include "dns.hpp"
#include "fixture.hpp"
#include "store.hpp"
#include "json.hpp"
#include <cjson/cJSON.h>

namespace presend::test {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;

// Fails the test if a check asks it anything.
class NoDnsDuringChecks final : public Resolver {
public:
    DnsAnswer query(std::string_view name, RRType type) override {
        ADD_FAILURE() << "DNS lookup during a check: " << name << " " << rrtype_name(type);
        return {};
    }
};

std::string config(const std::string &auth = "{}", const std::string &extra = "") {
    return R"({"accounts": {"prod": {"regions": {"us-east-1": {"max_24h": 100000, "max_rate": 1000},
                                                 "eu-west-1": {"max_24h": 100000, "max_rate": 1000}}}},
             "defaults": {"account": "prod", "region": "us-east-1"},
             "identities": {"example.com": {"regions": ["us-east-1"], "mail_from": "mail.example.com",
                                            "easy_dkim_tokens": ["tok1", "tok2", "tok3"]},
                            "solo@other.example": {"regions": ["us-east-1", "eu-west-1"]}},
             "checks": {"auth": )" + auth + "}" + extra + "}";
}

class AuthCheckTest : public EngineTest {
protected:
    void open_auth(const std::string &json) {
        engine_.reset();
        EngineOptions o;
        o.store_path = dir_.file("store.db");
        o.clock = &ManualClock::read;
        o.clock_user_data = &clock_;
        o.resolver = std::make_shared<NoDnsDuringChecks>();
        engine_ = Engine::open(config_from(json), o);
    }

    // Stores a status as a refresh would, through a second connection.
    void store(const AuthStatus &s) {
        StoreOptions so;
        so.path = dir_.file("store.db");
        Conn c(so);
        auth_status_put(c, s);
    }

    static AuthStatus healthy(const std::string &domain = "example.com") {
        AuthStatus s;
        s.domain = domain;
        s.checked_at = kT0 - 3600000;
        s.spf = "pass";
        s.mail_from = "mail." + domain;
        s.dkim = "ok";
        s.dkim_bits = 2048;
        s.dmarc = "present";
        s.dmarc_policy = "reject";
        s.org_domain = domain;
        s.report = "{}";
        return s;
    }

    std::unique_ptr<Decision> send(const std::string &from, const std::string &region = "us-east-1",
                                   const std::string &extra = "") {
        return check(R"({"from": ")" + from + R"(", "to": ["a@example.org"], "stream": "transactional", "region": ")" +
                     region + "\"" + extra + "}");
    }
};

TEST_F(AuthCheckTest, WithoutIdentitiesTheCheckIsOff) {
    open(simple_config(100, 10, 10));
    auto d = check(txn({"a@example.org"}));
    EXPECT_EQ(d->verdict, Verdict::allow);
    EXPECT_THAT(message_codes(*d), IsEmpty());
}

// Acceptance: a domain not verified in the sending region is blocked; the
// same message in a verified region is not.
TEST_F(AuthCheckTest, IdentityMustBeVerifiedInTheSendingRegion) {
    open_auth(config());
    store(healthy());
    auto d = send("News <news@example.com>", "eu-west-1");
    EXPECT_EQ(d->verdict, Verdict::block);
    EXPECT_THAT(message_codes(*d), ElementsAre("auth.identity_unverified"));
    EXPECT_NE(d->reasons[0].message.find("not verified in eu-west-1"), std::string::npos) << d->reasons[0].message;

    d = send("News <news@example.com>", "us-east-1");
    EXPECT_EQ(d->verdict, Verdict::allow);
    EXPECT_THAT(message_codes(*d), IsEmpty());
}

TEST_F(AuthCheckTest, DomainsCoverSubdomainsAddressesOnlyThemselves) {
    open_auth(config());
    store(healthy());
    store(healthy("other.example"));
    EXPECT_EQ(send("a@news.example.com")->verdict, Verdict::allow) << "a verified domain covers its subdomains";
    EXPECT_EQ(send("solo@other.example", "eu-west-1")->verdict, Verdict::allow);
    auto d = send("someone-else@other.example");
    EXPECT_THAT(message_codes(*d), ElementsAre("auth.identity_unverified"));
    d = send("x@example.net");
    EXPECT_THAT(message_codes(*d), ElementsAre("auth.identity_unverified"));
}

TEST_F(AuthCheckTest, MissingAndStaleStatusWarn) {
    open_auth(config());
    auto d = send("news@example.com");
    EXPECT_EQ(d->verdict, Verdict::allow);
    EXPECT_THAT(message_codes(*d), ElementsAre("auth.status_missing"));

    AuthStatus s = healthy();
    s.checked_at = kT0 - 24 * 3600000;  // exactly the limit: not stale yet
    store(s);
    EXPECT_THAT(message_codes(*send("news@example.com")), IsEmpty());
    s.checked_at = kT0 - 24 * 3600000 - 1;
    store(s);
    d = send("news@example.com");
    EXPECT_EQ(d->verdict, Verdict::allow);
    EXPECT_THAT(message_codes(*d), ElementsAre("auth.status_stale"));
    EXPECT_EQ(d->reasons[0].severity(), Severity::warn);
}

TEST_F(AuthCheckTest, SmallSendersNeedSpfOrDkim) {
    open_auth(config(R"({"bulk_sender": false})"));
    AuthStatus s = healthy();
    s.dkim = "missing";
    s.dmarc = "missing";
    store(s);
    auto d = send("news@example.com");
    EXPECT_EQ(d->verdict, Verdict::allow) << "SPF passes: the rest only warns";
    EXPECT_THAT(message_codes(*d), ElementsAre("auth.dkim_missing", "auth.dmarc_missing"));
    for (const auto &f : d->reasons) EXPECT_EQ(f.severity(), Severity::warn) << f.def->code;

    s.spf = "fail";
    store(s);
    d = send("news@example.com");
    EXPECT_EQ(d->verdict, Verdict::block) << "neither SPF nor DKIM passes";
    EXPECT_THAT(message_codes(*d), Contains("auth.spf_fail"));
}

TEST_F(AuthCheckTest, BulkSendersNeedBothDmarcAndAlignment) {
    open_auth(config(R"({"bulk_sender": true})"));
    store(healthy());
    EXPECT_EQ(send("news@example.com")->verdict, Verdict::allow);

    AuthStatus s = healthy();
    s.dmarc = "missing";
    store(s);
    auto d = send("news@example.com");
    EXPECT_EQ(d->verdict, Verdict::block);
    EXPECT_THAT(message_codes(*d), ElementsAre("auth.dmarc_missing"));

    s = healthy();
    s.dkim = "missing";
    store(s);
    d = send("news@example.com");
    EXPECT_EQ(d->verdict, Verdict::block) << "bulk senders need DKIM as well as SPF";

    // SPF passes for a MAIL FROM outside the From domain, and DKIM signs
    // as another domain: nothing is aligned.
    store(healthy());
    d = send("news@example.com", "us-east-1",
             R"(, "mail_from": "bounce@mail.example.com", "headers": [["DKIM-Signature", "v=1; a=rsa-sha256; d=esp.example.net; s=s1; h=from:to; bh=x; b=y"]])");
    EXPECT_EQ(d->verdict, Verdict::allow) << "SPF is aligned (mail.example.com is under example.com)";
    AuthStatus strict = healthy();
    strict.aspf = "s";
    store(strict);
    d = send("news@example.com", "us-east-1",
             R"(, "mail_from": "bounce@mail.example.com", "headers": [["DKIM-Signature", "v=1; a=rsa-sha256; d=esp.example.net; s=s1; h=from:to; bh=x; b=y"]])");
    EXPECT_EQ(d->verdict, Verdict::block);
    EXPECT_THAT(message_codes(*d), ElementsAre("auth.dmarc_misaligned"));
}

TEST_F(AuthCheckTest, BulkIsDecidedByTheDailyVolume) {
    open_auth(config(R"({"bulk_sender": "auto", "bulk_threshold": 3})"));
    AuthStatus s = healthy();
    s.dmarc = "missing";
    store(s);
    // Volume before each check: 0, 1, 2 (not bulk), then 3 (bulk).
    for (int i = 0; i < 3; ++i) EXPECT_EQ(send("news@example.com")->verdict, Verdict::allow) << i;
    auto d = send("news@example.com");
    EXPECT_EQ(d->verdict, Verdict::block);
    EXPECT_THAT(message_codes(*d), ElementsAre("auth.dmarc_missing"));
}

TEST_F(AuthCheckTest, DkimKeysRevokedWeakAndShort) {
    open_auth(config(R"({"bulk_sender": false})"));
    AuthStatus s = healthy();
    s.dkim = "weak";
    s.dkim_bits = 768;
    store(s);
    auto d = send("news@example.com");
    EXPECT_EQ(d->verdict, Verdict::block) << "receivers fail keys under 1024 bits";
    EXPECT_THAT(message_codes(*d), ElementsAre("auth.dkim_weak_key"));

    s.dkim = "short";
    s.dkim_bits = 1024;
    store(s);
    d = send("news@example.com");
    EXPECT_EQ(d->verdict, Verdict::allow);
    EXPECT_THAT(message_codes(*d), ElementsAre("auth.dkim_weak_key"));
    EXPECT_EQ(d->reasons[0].severity(), Severity::warn);

    s.dkim = "revoked";
    store(s);
    EXPECT_THAT(message_codes(*send("news@example.com")), ElementsAre("auth.dkim_revoked"));
}

TEST_F(AuthCheckTest, WarningsCanBeRaisedToBlocks) {
    open_auth(config(R"({"bulk_sender": false, "block": ["auth.dkim_weak_key", "auth.status_stale"]})"));
    AuthStatus s = healthy();
    s.dkim = "short";
    s.dkim_bits = 1024;
    store(s);
    auto d = send("news@example.com");
    EXPECT_EQ(d->verdict, Verdict::block);
    EXPECT_EQ(d->reasons[0].severity(), Severity::block);
    EXPECT_NE(d->json().find(R"("code":"auth.dkim_weak_key","severity":"block")"), std::string::npos) << d->json();
}

TEST_F(AuthCheckTest, DnsErrorsOfTheLastRefreshWarn) {
    open_auth(config());
    AuthStatus s = healthy();
    s.dns_errors = "TXT query for _dmarc.example.com timed out";
    store(s);
    auto d = send("news@example.com");
    EXPECT_THAT(message_codes(*d), ElementsAre("auth.dns_error"));
    EXPECT_EQ(d->reasons[0].message, s.dns_errors);
}

TEST_F(AuthCheckTest, MonitorModeRecordsWithoutBlocking) {
    open_auth(config(R"({"mode": "monitor"})"));
    auto d = send("x@example.net");
    EXPECT_EQ(d->verdict, Verdict::allow);
    ASSERT_THAT(message_codes(*d), ElementsAre("auth.identity_unverified"));
    EXPECT_FALSE(d->reasons[0].enforced);
}

TEST(AuthConfig, IdentitiesAreValidated) {
    auto base = [](const std::string &identities) {
        return R"({"accounts": {"p": {"regions": {"r": {}}}}, "identities": )" + identities + "}";
    };
    EXPECT_TRUE(parse_config(base(R"({"Example.COM": {"regions": ["r"]}})")));
    EXPECT_EQ(parse_config(base(R"({"Example.COM": {"regions": ["r"]}})"))->identities.begin()->first, "example.com");
    EXPECT_FALSE(parse_config(base(R"({"example.com": {}})")));
    EXPECT_FALSE(parse_config(base(R"({"example.com": {"regions": ["r"], "mail_from": "mail.other.com"}})")));
    EXPECT_FALSE(parse_config(base(R"({"example.com": {"regions": ["r"], "sending_ips": ["300.1.1.1"]}})")));
    EXPECT_FALSE(parse_config(base(R"({"example.com": {"regions": ["r"], "dkim_selector": ["s1"]}})")));
    EXPECT_FALSE(parse_config(base(R"({"not a domain!": {"regions": ["r"]}})")));
    auto c = parse_config(R"({"accounts": {"p": {"regions": {"r": {}}}}, "checks": {"auth": {"block": ["consent.missing"]}}})");
    EXPECT_FALSE(c);
}

}  // namespace
}  // namespace presend::test

namespace presend::test {
namespace {

// --- auth refresh over the fixture zones in tests/auth/zones ----------------------

// Delegates to a fixture, and fails the test if asked while armed (during checks).
class GuardedResolver final : public Resolver {
public:
    explicit GuardedResolver(std::unique_ptr<FixtureResolver> inner) : inner_(std::move(inner)) {}
    DnsAnswer query(std::string_view name, RRType type) override {
        if (armed) ADD_FAILURE() << "DNS lookup during a check: " << name << " " << rrtype_name(type);
        ++queries;
        return inner_->query(name, type);
    }
    bool armed = false;
    int queries = 0;

private:
    std::unique_ptr<FixtureResolver> inner_;
};

std::string zone_path(const std::string &name) { return std::string(PRESEND_TEST_ZONES_DIR) + "/" + name + ".json"; }

constexpr const char *kIdentityConfig = R"({
  "accounts": {"prod": {"regions": {"us-east-1": {"max_24h": 100000, "max_rate": 1000}}}},
  "identities": {"example.com": {"regions": ["us-east-1"], "mail_from": "mail.example.com",
                                 "easy_dkim_tokens": ["tok1", "tok2", "tok3"]}},
  "checks": {"auth": {"bulk_sender": true}}})";

struct ZoneCase {
    const char *zone;
    const char *spf, *dkim, *dmarc;
    bool dns_errors;
    std::vector<std::string> codes;  // what a check of a message from example.com reports
    Verdict verdict;
};

class RefreshTest : public EngineTest, public ::testing::WithParamInterface<ZoneCase> {};

TEST_P(RefreshTest, StoresWhatTheZoneSaysAndChecksReadOnlyThat) {
    const ZoneCase &c = GetParam();
    auto fixture = FixtureResolver::from_file(zone_path(c.zone));
    ASSERT_TRUE(fixture) << fixture.error().message;
    auto dns = std::make_shared<GuardedResolver>(std::move(*fixture));
    EngineOptions o;
    o.store_path = dir_.file("store.db");
    o.clock = &ManualClock::read;
    o.clock_user_data = &clock_;
    o.resolver = dns;
    engine_ = Engine::open(config_from(kIdentityConfig), o);

    std::string report = engine_->auth_refresh_json();
    EXPECT_GT(dns->queries, 0);
    auto status = engine_->auth_status_json("example.com");
    auto doc = json_parse(status, 1 << 20);
    ASSERT_TRUE(doc) << status;
    const cJSON *summary = cJSON_GetObjectItem(doc->get(), "summary");
    ASSERT_NE(summary, nullptr) << status;
    EXPECT_STREQ(cJSON_GetObjectItem(summary, "spf")->valuestring, c.spf) << status;
    EXPECT_STREQ(cJSON_GetObjectItem(summary, "dkim")->valuestring, c.dkim) << status;
    EXPECT_STREQ(cJSON_GetObjectItem(summary, "dmarc")->valuestring, c.dmarc) << status;
    EXPECT_EQ(std::string(cJSON_GetObjectItem(summary, "dns_errors")->valuestring).empty(), !c.dns_errors) << status;

    // Checks read the stored status: no DNS at all from here on.
    int after_refresh = dns->queries;
    dns->armed = true;
    for (int i = 0; i < 20; ++i) {
        auto d = check(R"({"from": "News <news@example.com>", "to": ["a@example.org"], "stream": "transactional"})");
        EXPECT_EQ(d->verdict, c.verdict) << d->json();
        EXPECT_EQ(message_codes(*d), c.codes) << d->json();
    }
    EXPECT_EQ(dns->queries, after_refresh);
}

INSTANTIATE_TEST_SUITE_P(
    Zones, RefreshTest,
    ::testing::Values(
        ZoneCase{"healthy", "pass", "ok", "present", false, {}, Verdict::allow},
        ZoneCase{"spf_missing", "missing", "ok", "present", false, {"auth.spf_fail"}, Verdict::block},
        ZoneCase{"spf_fail", "fail", "ok", "present", false, {"auth.spf_fail"}, Verdict::block},
        ZoneCase{"dkim_missing", "pass", "missing", "present", false, {"auth.dkim_missing"}, Verdict::block},
        ZoneCase{"dkim_revoked", "pass", "revoked", "present", false, {"auth.dkim_revoked"}, Verdict::block},
        ZoneCase{"dkim_weak", "pass", "weak", "present", false, {"auth.dkim_weak_key"}, Verdict::block},
        ZoneCase{"dkim_short", "pass", "short", "present", false, {"auth.dkim_weak_key"}, Verdict::allow},
        ZoneCase{"dmarc_missing", "pass", "ok", "missing", false, {"auth.dmarc_missing"}, Verdict::block},
        ZoneCase{"dmarc_none", "pass", "ok", "present", false, {}, Verdict::allow},
        ZoneCase{"dns_timeout", "pass", "ok", "error", true, {"auth.dns_error", "auth.dmarc_missing"}, Verdict::block}),
    [](const ::testing::TestParamInfo<ZoneCase> &p) { return std::string(p.param.zone); });

TEST_F(EngineTest, RefreshCachesDnsAnswersForTheirTtl) {
    auto fixture = FixtureResolver::from_file(zone_path("healthy"));
    ASSERT_TRUE(fixture);
    auto dns = std::make_shared<GuardedResolver>(std::move(*fixture));
    EngineOptions o;
    o.store_path = dir_.file("store.db");
    o.clock = &ManualClock::read;
    o.clock_user_data = &clock_;
    o.resolver = dns;
    engine_ = Engine::open(config_from(kIdentityConfig), o);
    engine_->auth_refresh_json();
    int first = dns->queries;
    ASSERT_GT(first, 0);
    clock_.now += 299 * 1000;  // the fixture's TTL is 300 s
    engine_->auth_refresh_json();
    EXPECT_EQ(dns->queries, first) << "answers are reused within their TTL";
    clock_.now += 2000;
    engine_->auth_refresh_json();
    EXPECT_EQ(dns->queries, 2 * first) << "and asked again after it";
}

}  // namespace
}  // namespace presend::test
