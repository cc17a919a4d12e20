// DMARC records (RFC 9989 / DMARCbis and RFC 7489), discovery over fixture
// zones in both modes, and identifier alignment.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dmarc.hpp"
#include "json.hpp"

namespace presend {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr DmarcMode kBis = DmarcMode::dmarcbis;
constexpr DmarcMode k7489 = DmarcMode::rfc7489;

std::vector<std::string> codes(const std::vector<AuthFinding> &findings) {
    std::vector<std::string> out;
    for (const auto &f : findings) out.push_back(f.code);
    return out;
}

const AuthFinding *find_code(const std::vector<AuthFinding> &findings, std::string_view code) {
    for (const auto &f : findings) {
        if (f.code == code) return &f;
    }
    return nullptr;
}

DmarcRecord parse_ok(std::string_view txt, DmarcMode mode = kBis) {
    auto r = dmarc_parse(txt, mode);
    EXPECT_TRUE(r.ok()) << txt << ": " << (r.ok() ? "" : r.error().message);
    return r.ok() ? std::move(*r) : DmarcRecord{};
}

// --- The record ---------------------------------------------------------------------

TEST(DmarcRecord, EveryTag) {
    const DmarcRecord r = parse_ok(
        "v=DMARC1; p=reject; sp=quarantine; np=reject; adkim=s; aspf=s; t=n; psd=n; "
        "rua=mailto:agg@example.com, mailto:agg@report.example.net; ruf=mailto:fail@example.com; fo=1:d:s");
    EXPECT_EQ(r.p, DmarcPolicy::reject);
    EXPECT_EQ(r.sp, DmarcPolicy::quarantine);
    EXPECT_EQ(r.np, DmarcPolicy::reject);
    EXPECT_TRUE(r.adkim_strict);
    EXPECT_TRUE(r.aspf_strict);
    EXPECT_FALSE(r.testing);
    EXPECT_EQ(r.psd, DmarcPsd::no);
    EXPECT_THAT(r.rua, ElementsAre("mailto:agg@example.com", "mailto:agg@report.example.net"));
    EXPECT_THAT(r.ruf, ElementsAre("mailto:fail@example.com"));
    EXPECT_THAT(r.fo, ElementsAre("1", "d", "s"));
    EXPECT_THAT(r.findings, IsEmpty());
    ASSERT_EQ(r.tags.size(), 11u);
    EXPECT_EQ(r.tags[1].name, "p");
    EXPECT_EQ(r.tags[1].position, 10u);
}

TEST(DmarcRecord, Defaults) {
    const DmarcRecord r = parse_ok("v=DMARC1; p=none");
    EXPECT_EQ(r.p, DmarcPolicy::none);
    EXPECT_FALSE(r.sp);
    EXPECT_FALSE(r.np);
    EXPECT_FALSE(r.adkim_strict);
    EXPECT_FALSE(r.aspf_strict);
    EXPECT_FALSE(r.testing);
    EXPECT_EQ(r.psd, DmarcPsd::unspecified);
    EXPECT_THAT(r.fo, ElementsAre("0"));
    EXPECT_EQ(r.pct, 100u);
    EXPECT_THAT(r.rf, ElementsAre("afrf"));
    EXPECT_EQ(r.ri, 86400u);
    EXPECT_THAT(codes(r.findings), ElementsAre("dmarc.policy_none", "dmarc.no_rua"));
}

TEST(DmarcRecord, WhiteSpaceAndCase) {
    // dmarc-sep and equals allow WSP; tag names and keyword values are ABNF
    // literals (case-insensitive); the version is %s"DMARC1" (case-sensitive).
    const DmarcRecord r = parse_ok(" v = DMARC1 ;\tP = Reject ; ADKIM=S;aspf = r ;rua = mailto:a@example.com ; ");
    EXPECT_EQ(r.p, DmarcPolicy::reject);
    EXPECT_TRUE(r.adkim_strict);
    EXPECT_FALSE(r.aspf_strict);
    EXPECT_THAT(r.rua, ElementsAre("mailto:a@example.com"));
    EXPECT_THAT(r.findings, IsEmpty());
    EXPECT_FALSE(dmarc_parse("v=dmarc1; p=none"));
}

struct PolicyCase {
    const char *value;
    std::optional<DmarcPolicy> policy;
};

void PrintTo(const PolicyCase &c, std::ostream *os) { *os << ::testing::PrintToString(c.value); }

class DmarcPolicyValues : public ::testing::TestWithParam<PolicyCase> {};

TEST_P(DmarcPolicyValues, InEachPolicyTag) {
    const PolicyCase &c = GetParam();
    for (const char *tag : {"p", "sp", "np"}) {
        const std::string txt = std::string("v=DMARC1; ") + (std::string(tag) == "p" ? "" : "p=reject; ") + tag + "=" +
                                c.value + "; rua=mailto:d@example.com";
        const DmarcRecord r = parse_ok(txt);
        const auto &got = std::string(tag) == "p" ? r.p : std::string(tag) == "sp" ? r.sp : r.np;
        EXPECT_EQ(got, c.policy) << txt;
        EXPECT_EQ(find_code(r.findings, "dmarc.invalid_policy") != nullptr, !c.policy) << txt;
    }
}

INSTANTIATE_TEST_SUITE_P(DmarcValues, DmarcPolicyValues,
                         ::testing::Values(PolicyCase{"none", DmarcPolicy::none},
                                           PolicyCase{"quarantine", DmarcPolicy::quarantine},
                                           PolicyCase{"reject", DmarcPolicy::reject},
                                           PolicyCase{"REJECT", DmarcPolicy::reject}, PolicyCase{"rejected", {}},
                                           PolicyCase{"block", {}}, PolicyCase{"", {}},
                                           PolicyCase{"none reject", {}}));

struct LintCase {
    std::string txt;
    DmarcMode mode;
    std::vector<std::string> codes;
};

void PrintTo(const LintCase &c, std::ostream *os) {
    *os << dmarc_mode_name(c.mode) << " " << ::testing::PrintToString(c.txt);
}

class DmarcRecordLint : public ::testing::TestWithParam<LintCase> {};

TEST_P(DmarcRecordLint, Findings) {
    const LintCase &c = GetParam();
    EXPECT_EQ(codes(parse_ok(c.txt, c.mode).findings), c.codes) << c.txt;
}

const std::string kOk = "v=DMARC1; p=reject; rua=mailto:d@example.com";

INSTANTIATE_TEST_SUITE_P(
    DmarcEveryFinding, DmarcRecordLint,
    ::testing::Values(
        LintCase{kOk, kBis, {}}, LintCase{kOk, k7489, {}},
        // p= missing: none in DMARCbis (4.7), required by RFC 7489 (6.3).
        LintCase{"v=DMARC1; rua=mailto:d@example.com", kBis, {"dmarc.no_policy"}},
        LintCase{"v=DMARC1; rua=mailto:d@example.com", k7489, {"dmarc.no_policy"}},
        LintCase{"v=DMARC1; p=none; rua=mailto:d@example.com", kBis, {"dmarc.policy_none"}},
        LintCase{kOk + "; t=y", kBis, {"dmarc.testing"}},
        LintCase{"v=DMARC1; p=none; t=y; rua=mailto:d@example.com", kBis, {"dmarc.policy_none"}},
        LintCase{kOk + "; t=y", k7489, {"dmarc.unknown_tag"}},
        LintCase{kOk + "; t=maybe", kBis, {"dmarc.syntax"}},
        LintCase{kOk + "; adkim=x", kBis, {"dmarc.syntax"}}, LintCase{kOk + "; aspf=", kBis, {"dmarc.syntax"}},
        LintCase{kOk + "; psd=y", kBis, {}}, LintCase{kOk + "; psd=u", kBis, {}},
        LintCase{kOk + "; psd=yes", kBis, {"dmarc.syntax"}}, LintCase{kOk + "; psd=n", k7489, {"dmarc.unknown_tag"}},
        LintCase{kOk + "; np=reject", k7489, {"dmarc.unknown_tag"}},
        LintCase{kOk + "; np=bogus", k7489, {"dmarc.unknown_tag"}},
        LintCase{kOk + "; np=bogus", kBis, {"dmarc.invalid_policy"}},
        LintCase{kOk + "; sp=bogus", k7489, {"dmarc.invalid_policy"}},
        // pct: RFC 7489 only, 0..100, both sides of each end.
        LintCase{kOk + "; pct=100", k7489, {}}, LintCase{kOk + "; pct=99", k7489, {"dmarc.pct_partial"}},
        LintCase{kOk + "; pct=0", k7489, {"dmarc.pct_partial"}}, LintCase{kOk + "; pct=101", k7489, {"dmarc.syntax"}},
        LintCase{kOk + "; pct=-1", k7489, {"dmarc.syntax"}}, LintCase{kOk + "; pct=0100", k7489, {"dmarc.syntax"}},
        LintCase{kOk + "; pct=050", k7489, {"dmarc.pct_partial"}},
        LintCase{kOk + "; pct=50", kBis, {"dmarc.obsolete_tag", "dmarc.pct_partial"}},
        LintCase{kOk + "; pct=100", kBis, {"dmarc.obsolete_tag"}},
        LintCase{kOk + "; rf=afrf", k7489, {}}, LintCase{kOk + "; rf=afrf:iodef", k7489, {}},
        LintCase{kOk + "; rf=", k7489, {"dmarc.syntax"}}, LintCase{kOk + "; rf=afrf", kBis, {"dmarc.obsolete_tag"}},
        LintCase{kOk + "; ri=3600", k7489, {}}, LintCase{kOk + "; ri=4294967295", k7489, {}},
        LintCase{kOk + "; ri=4294967296", k7489, {"dmarc.syntax"}}, LintCase{kOk + "; ri=1h", k7489, {"dmarc.syntax"}},
        LintCase{kOk + "; ri=86400", kBis, {"dmarc.obsolete_tag"}},
        LintCase{kOk + "; fo=0", kBis, {}}, LintCase{kOk + "; fo=d:s:1", kBis, {}},
        LintCase{kOk + "; fo=0:1", kBis, {"dmarc.syntax"}}, LintCase{kOk + "; fo=d:d", kBis, {"dmarc.syntax"}},
        LintCase{kOk + "; fo=x", kBis, {"dmarc.syntax"}}, LintCase{kOk + "; fo=", kBis, {"dmarc.syntax"}},
        // Unknown tags are ignored (with a note); malformed parts are syntax findings.
        LintCase{kOk + "; foo=bar", kBis, {"dmarc.unknown_tag"}},
        LintCase{kOk + "; rua2=mailto:x@example.com", kBis, {"dmarc.syntax"}},
        LintCase{kOk + "; reject", kBis, {"dmarc.syntax"}}, LintCase{kOk + ";; sp=none", kBis, {"dmarc.syntax"}},
        LintCase{kOk + ";", kBis, {}}, LintCase{kOk + " ;  ", kBis, {}},
        // RFC 7489 6.3: p= right after v=.
        LintCase{"v=DMARC1; rua=mailto:d@example.com; p=reject", k7489, {"dmarc.syntax"}},
        LintCase{"v=DMARC1; rua=mailto:d@example.com; p=reject", kBis, {}},
        // URIs.
        LintCase{"v=DMARC1; p=reject", kBis, {"dmarc.no_rua"}},
        LintCase{"v=DMARC1; p=reject; rua=mailto:d@example.com!10m", k7489, {}},
        LintCase{"v=DMARC1; p=reject; rua=mailto:d@example.com!10m", kBis, {"dmarc.obsolete_tag"}},
        LintCase{"v=DMARC1; p=reject; rua=mailto:d@example.com!x", kBis, {"dmarc.invalid_uri", "dmarc.no_rua"}},
        LintCase{"v=DMARC1; p=reject; rua=d@example.com", kBis, {"dmarc.invalid_uri", "dmarc.no_rua"}},
        LintCase{"v=DMARC1; p=reject; rua=mailto:", kBis, {"dmarc.invalid_uri", "dmarc.no_rua"}},
        LintCase{"v=DMARC1; p=reject; rua=mailto:nobody", kBis, {"dmarc.invalid_uri", "dmarc.no_rua"}},
        LintCase{"v=DMARC1; p=reject; rua=mailto:a b@example.com", kBis, {"dmarc.invalid_uri", "dmarc.no_rua"}},
        LintCase{"v=DMARC1; p=reject; rua=mailto:a@exa_mple.com", kBis, {"dmarc.invalid_uri", "dmarc.no_rua"}},
        LintCase{"v=DMARC1; p=reject; rua=mailto:a@example.com,", kBis, {"dmarc.invalid_uri"}},
        LintCase{"v=DMARC1; p=reject; rua=https://report.example.com/dmarc", kBis, {}},
        LintCase{"v=DMARC1; p=reject; rua=mailto:a%2Cb@example.com?subject=x", kBis, {}},
        LintCase{"v=DMARC1; p=reject; rua=mailto:a@example.com; ruf=bogus", kBis, {"dmarc.invalid_uri"}}));

TEST(DmarcRecord, UriListsKeepTheValidOnes) {
    const DmarcRecord r =
        parse_ok("v=DMARC1; p=none; rua = mailto:a@example.com , bogus ,mailto:b@example.net!5m; ruf=mailto:c@x.org");
    EXPECT_THAT(r.rua, ElementsAre("mailto:a@example.com", "mailto:b@example.net"));
    EXPECT_THAT(r.ruf, ElementsAre("mailto:c@x.org"));
    const AuthFinding *bad = find_code(r.findings, "dmarc.invalid_uri");
    ASSERT_NE(bad, nullptr);
    EXPECT_THAT(bad->message, HasSubstr("rua=bogus"));
}

struct VersionCase {
    std::string txt;
    size_t position;
    const char *message;
};

void PrintTo(const VersionCase &c, std::ostream *os) { *os << ::testing::PrintToString(c.txt); }

class DmarcRecordErrors : public ::testing::TestWithParam<VersionCase> {};

TEST_P(DmarcRecordErrors, MakeTheRecordIgnored) {
    const VersionCase &c = GetParam();
    for (DmarcMode mode : {kBis, k7489}) {
        auto r = dmarc_parse(c.txt, mode);
        ASSERT_FALSE(r) << c.txt;
        EXPECT_EQ(r.error().position, c.position) << c.txt << ": " << r.error().message;
        EXPECT_THAT(r.error().message, HasSubstr(c.message));
    }
}

INSTANTIATE_TEST_SUITE_P(
    DmarcVersionFirstNoDuplicates, DmarcRecordErrors,
    ::testing::Values(VersionCase{"", 0, "empty record"}, VersionCase{"p=reject; v=DMARC1", 0, "must start with v=DMARC1"},
                      VersionCase{"v=DMARC2; p=reject", 0, "v=DMARC2 is not DMARC1"},
                      VersionCase{"v=DMARC1 p=reject", 0, "a ';' missing after DMARC1?"},
                      VersionCase{"  v=DMARC1.0; p=none", 2, "is not DMARC1"},
                      VersionCase{"v=spf1 -all", 0, "is not DMARC1"}, VersionCase{"DMARC1", 0, "must start with"},
                      VersionCase{"v=DMARC1; p=none; p=reject", 18, "duplicate tag p="},
                      VersionCase{"v=DMARC1; p=none; P=reject", 18, "duplicate tag p="},
                      VersionCase{"v=DMARC1; p=none; v=DMARC1", 18, "duplicate tag v="}));

TEST(DmarcRecord, IsRecord) {
    for (const char *yes : {"v=DMARC1", "v=DMARC1;", "v=DMARC1; p=none", " v = DMARC1 ;p=none", "V=DMARC1; p=none"}) {
        EXPECT_TRUE(dmarc_is_record(yes)) << yes;
    }
    for (const char *no : {"", "v=DMARC1x", "v=DMARC1 p=none", "v=dmarc1", "p=none; v=DMARC1", "v=spf1 -all",
                           "x v=DMARC1"}) {
        EXPECT_FALSE(dmarc_is_record(no)) << no;
    }
}

struct RecordPolicyCase {
    std::string txt;
    DmarcMode mode;
    std::optional<DmarcPolicy> p, sp, np;
};

void PrintTo(const RecordPolicyCase &c, std::ostream *os) {
    *os << dmarc_mode_name(c.mode) << " " << ::testing::PrintToString(c.txt);
}

class DmarcRecordPolicy : public ::testing::TestWithParam<RecordPolicyCase> {};

TEST_P(DmarcRecordPolicy, TagFallbacksAndInvalidValues) {
    const RecordPolicyCase &c = GetParam();
    const DmarcRecord r = parse_ok(c.txt, c.mode);
    EXPECT_EQ(dmarc_record_policy(r, DmarcPolicyTag::p, c.mode), c.p) << c.txt;
    EXPECT_EQ(dmarc_record_policy(r, DmarcPolicyTag::sp, c.mode), c.sp) << c.txt;
    EXPECT_EQ(dmarc_record_policy(r, DmarcPolicyTag::np, c.mode), c.np) << c.txt;
}

constexpr auto kNone = DmarcPolicy::none;
constexpr auto kQuar = DmarcPolicy::quarantine;
constexpr auto kRej = DmarcPolicy::reject;

INSTANTIATE_TEST_SUITE_P(
    DmarcBothModes, DmarcRecordPolicy,
    ::testing::Values(
        RecordPolicyCase{"v=DMARC1; p=reject", kBis, kRej, kRej, kRej},
        RecordPolicyCase{"v=DMARC1; p=reject; sp=quarantine", kBis, kRej, kQuar, kQuar},
        RecordPolicyCase{"v=DMARC1; p=reject; sp=none; np=quarantine", kBis, kRej, kNone, kQuar},
        RecordPolicyCase{"v=DMARC1; p=reject; np=none", kBis, kRej, kRej, kNone},
        // np= is not an RFC 7489 tag: non-existent subdomains get sp.
        RecordPolicyCase{"v=DMARC1; p=reject; sp=quarantine; np=none", k7489, kRej, kQuar, kQuar},
        // No p=: none in DMARCbis; RFC 7489 needs a valid rua= to act as p=none.
        RecordPolicyCase{"v=DMARC1; sp=reject", kBis, kNone, kRej, kRej},
        RecordPolicyCase{"v=DMARC1; sp=reject", k7489, std::nullopt, std::nullopt, std::nullopt},
        RecordPolicyCase{"v=DMARC1; sp=reject; rua=mailto:d@example.com", k7489, kNone, kNone, kNone},
        // An invalid p=, sp= or np=: p=none with a valid rua=, else no DMARC.
        RecordPolicyCase{"v=DMARC1; p=bogus", kBis, std::nullopt, std::nullopt, std::nullopt},
        RecordPolicyCase{"v=DMARC1; p=bogus; rua=mailto:d@example.com", kBis, kNone, kNone, kNone},
        RecordPolicyCase{"v=DMARC1; p=reject; sp=bogus; rua=mailto:d@example.com", kBis, kNone, kNone, kNone},
        RecordPolicyCase{"v=DMARC1; p=reject; sp=bogus; rua=bogus", k7489, std::nullopt, std::nullopt, std::nullopt},
        RecordPolicyCase{"v=DMARC1; p=reject; np=bogus", kBis, std::nullopt, std::nullopt, std::nullopt},
        RecordPolicyCase{"v=DMARC1; p=reject; np=bogus", k7489, kRej, kRej, kRej}));

TEST(DmarcRecord, CheckRecordAndJson) {
    const DmarcRecordCheck bad = dmarc_check_record("v=DMARC1; p=none; p=reject");
    EXPECT_FALSE(bad.parsed);
    ASSERT_THAT(codes(bad.findings), ElementsAre("dmarc.syntax"));
    EXPECT_EQ(bad.findings[0].severity, AuthSeverity::error);

    std::string out;
    JsonWriter w(out);
    write_dmarc_record_check_json(
        w, dmarc_check_record("v=DMARC1; p=quarantine; sp=none; pct=20; rua=mailto:d@example.com; x=y", k7489));
    ASSERT_TRUE(json_parse(out, 1 << 20)) << out;
    EXPECT_THAT(out, HasSubstr(R"("mode":"rfc7489","valid":true)"));
    EXPECT_THAT(out, HasSubstr(R"("tags":{"v":"DMARC1","p":"quarantine","sp":"none","pct":"20",)"));
    EXPECT_THAT(out, HasSubstr(R"("p":"quarantine","sp":"none","np":null,"adkim":"r","aspf":"r")"));
    EXPECT_THAT(out, HasSubstr(R"("rua":["mailto:d@example.com"])"));
    EXPECT_THAT(out, HasSubstr(R"("pct":20,)"));
    EXPECT_THAT(out, HasSubstr(R"("error":null,"policy":"quarantine")"));
    EXPECT_THAT(out, HasSubstr(R"("code":"dmarc.pct_partial")"));
    EXPECT_THAT(out, HasSubstr(R"("code":"dmarc.unknown_tag","severity":"info")"));
}

// --- The tree walk --------------------------------------------------------------------

TEST(DmarcTreeWalk, NamesFollowTheDmarcbisWalk) {
    EXPECT_THAT(dmarc_tree_walk_names("com"), ElementsAre("com"));
    EXPECT_THAT(dmarc_tree_walk_names("example.com"), ElementsAre("example.com", "com"));
    EXPECT_THAT(dmarc_tree_walk_names("a.mail.example.com"),
                ElementsAre("a.mail.example.com", "mail.example.com", "example.com", "com"));
    // The example of bis 4.10: 13 labels, eight queries.
    EXPECT_THAT(dmarc_tree_walk_names("a.b.c.d.e.f.g.h.i.j.mail.example.com"),
                ElementsAre("a.b.c.d.e.f.g.h.i.j.mail.example.com", "g.h.i.j.mail.example.com", "h.i.j.mail.example.com",
                            "i.j.mail.example.com", "j.mail.example.com", "mail.example.com", "example.com", "com"));
    // Both sides of the limit: 7, 8 and 9 labels.
    EXPECT_EQ(dmarc_tree_walk_names("a.b.c.d.e.f.g").size(), 7u);
    EXPECT_THAT(dmarc_tree_walk_names("a.b.c.d.e.f.g.h"),
                ElementsAre("a.b.c.d.e.f.g.h", "b.c.d.e.f.g.h", "c.d.e.f.g.h", "d.e.f.g.h", "e.f.g.h", "f.g.h", "g.h", "h"));
    EXPECT_THAT(dmarc_tree_walk_names("z.a.b.c.d.e.f.g.h"),
                ElementsAre("z.a.b.c.d.e.f.g.h", "b.c.d.e.f.g.h", "c.d.e.f.g.h", "d.e.f.g.h", "e.f.g.h", "f.g.h", "g.h", "h"));
    EXPECT_THAT(dmarc_tree_walk_names(""), IsEmpty());
}

// --- Discovery over fixture zones ------------------------------------------------------

class DmarcDiscover : public ::testing::Test {
protected:
    void SetUp() override {
        auto r = FixtureResolver::from_json("{}");
        ASSERT_TRUE(r);
        dns = std::move(*r);
    }
    void txt(const std::string &domain, const std::string &value) {
        dns->zone()["_dmarc." + domain].records[RRType::TXT].push_back(value);
    }
    void host(const std::string &name) { dns->zone()[name].records[RRType::A].push_back("192.0.2.1"); }
    void fail(const std::string &name, DnsStatus status) { dns->zone()[name].all_failure = status; }
    std::vector<std::string> queried(const DmarcDiscovery &d) {
        std::vector<std::string> out;
        for (const auto &l : d.lookups) out.push_back(l.domain);
        return out;
    }
    std::unique_ptr<FixtureResolver> dns;
};

TEST_F(DmarcDiscover, RecordAtTheFromDomain) {
    txt("example.com", "v=DMARC1; p=reject; rua=mailto:d@example.com");
    for (DmarcMode mode : {kBis, k7489}) {
        const DmarcDiscovery d = dmarc_discover(*dns, "Example.COM.", mode);
        EXPECT_EQ(d.status, DmarcStatus::found);
        EXPECT_EQ(d.from_domain, "example.com");
        EXPECT_EQ(d.record_domain, "example.com");
        EXPECT_EQ(d.org_domain, "example.com");
        EXPECT_EQ(d.policy, DmarcPolicy::reject);
        EXPECT_EQ(d.enforced_policy, DmarcPolicy::reject);
        EXPECT_EQ(d.policy_tag, DmarcPolicyTag::p);
        EXPECT_THAT(d.findings, IsEmpty());
        ASSERT_TRUE(d.record);
        EXPECT_EQ(d.record->p, DmarcPolicy::reject);
    }
    // DMARCbis walks on to the top for the organizational domain; RFC 7489 stops.
    EXPECT_THAT(queried(dmarc_discover(*dns, "example.com", kBis)), ElementsAre("example.com", "com"));
    EXPECT_EQ(dmarc_discover(*dns, "example.com", kBis).queries, 2u);
    EXPECT_THAT(queried(dmarc_discover(*dns, "example.com", k7489)), ElementsAre("example.com"));
}

TEST_F(DmarcDiscover, RecordAtTheOrganizationalDomain) {
    txt("example.com", "v=DMARC1; p=reject; sp=quarantine; rua=mailto:d@example.com");
    host("mail.example.com");
    for (DmarcMode mode : {kBis, k7489}) {
        const DmarcDiscovery d = dmarc_discover(*dns, "mail.example.com", mode);
        EXPECT_EQ(d.status, DmarcStatus::found);
        EXPECT_EQ(d.record_domain, "example.com");
        EXPECT_EQ(d.org_domain, "example.com");
        EXPECT_EQ(d.policy_tag, DmarcPolicyTag::sp);
        EXPECT_EQ(d.policy, DmarcPolicy::quarantine);
        EXPECT_THAT(d.findings, IsEmpty());
        EXPECT_FALSE(d.from_domain_exists);  // no np=: not asked
    }
    const DmarcDiscovery bis = dmarc_discover(*dns, "mail.example.com", kBis);
    EXPECT_THAT(queried(bis), ElementsAre("mail.example.com", "example.com", "com"));
    EXPECT_EQ(bis.queries, 3u);
    const DmarcDiscovery old = dmarc_discover(*dns, "mail.example.com", k7489);
    EXPECT_THAT(queried(old), ElementsAre("mail.example.com", "example.com"));
    EXPECT_EQ(old.queries, 2u);
}

TEST_F(DmarcDiscover, NoRecordAnywhere) {
    host("example.com");
    const DmarcDiscovery bis = dmarc_discover(*dns, "mail.example.com", kBis);
    EXPECT_EQ(bis.status, DmarcStatus::none);
    EXPECT_FALSE(bis.record);
    EXPECT_FALSE(bis.policy);
    EXPECT_EQ(bis.org_domain, "mail.example.com");  // bis 4.10.2: the initial target
    ASSERT_THAT(codes(bis.findings), ElementsAre("dmarc.missing"));
    EXPECT_EQ(bis.findings[0].severity, AuthSeverity::error);
    EXPECT_EQ(bis.queries, 3u);

    const DmarcDiscovery old = dmarc_discover(*dns, "mail.example.com", k7489);
    EXPECT_EQ(old.status, DmarcStatus::none);
    EXPECT_EQ(old.org_domain, "example.com");  // the public suffix list
    EXPECT_THAT(codes(old.findings), ElementsAre("dmarc.missing"));
    EXPECT_THAT(old.findings[0].message, HasSubstr("_dmarc.mail.example.com or _dmarc.example.com"));
}

TEST_F(DmarcDiscover, DeepNamesMakeAtMostEightQueries) {
    txt("example.com", "v=DMARC1; p=reject");
    const std::string deep = "a.b.c.d.e.f.g.h.i.j.k.example.com";  // 13 labels
    const DmarcDiscovery d = dmarc_discover(*dns, deep, kBis);
    EXPECT_EQ(d.queries, 8u);
    EXPECT_EQ(dns->queries(), 8u);
    EXPECT_THAT(queried(d), ElementsAre(deep, "g.h.i.j.k.example.com", "h.i.j.k.example.com", "i.j.k.example.com",
                                        "j.k.example.com", "k.example.com", "example.com", "com"));
    EXPECT_EQ(d.status, DmarcStatus::found);
    EXPECT_EQ(d.org_domain, "example.com");
    EXPECT_EQ(d.policy_tag, DmarcPolicyTag::sp);

    // A record on a skipped name is never seen (bis 5.1.8) ...
    txt("c.d.e.f.g.h.i.j.k.example.com", "v=DMARC1; p=none; psd=n");
    EXPECT_EQ(dmarc_discover(*dns, deep, kBis).record_domain, "example.com");
    // ... but the From domain's own record always is.
    txt(deep, "v=DMARC1; p=quarantine");
    const DmarcDiscovery own = dmarc_discover(*dns, deep, kBis);
    EXPECT_EQ(own.record_domain, deep);
    EXPECT_EQ(own.policy, DmarcPolicy::quarantine);
    EXPECT_LE(own.queries, 8u);
}

TEST_F(DmarcDiscover, PsdNStopsTheWalkAndMakesTheOrganizationalDomain) {
    txt("example.com", "v=DMARC1; p=reject");
    txt("mail.example.com", "v=DMARC1; p=none; psd=n");
    host("a.mail.example.com");
    const DmarcDiscovery d = dmarc_discover(*dns, "a.mail.example.com", kBis);
    EXPECT_THAT(queried(d), ElementsAre("a.mail.example.com", "mail.example.com"));
    EXPECT_EQ(d.org_domain, "mail.example.com");
    EXPECT_EQ(d.record_domain, "mail.example.com");
    EXPECT_EQ(d.policy, DmarcPolicy::none);
    EXPECT_EQ(d.policy_tag, DmarcPolicyTag::sp);
    // Without psd=n the record with the fewest labels wins (bis 4.10.2 step 3).
    dns->zone()["_dmarc.mail.example.com"].records[RRType::TXT] = {"v=DMARC1; p=none"};
    const DmarcDiscovery u = dmarc_discover(*dns, "a.mail.example.com", kBis);
    EXPECT_EQ(u.org_domain, "example.com");
    EXPECT_EQ(u.record_domain, "example.com");
    EXPECT_EQ(u.policy, DmarcPolicy::reject);
}

// The example of bis Appendix B.2.3: a PSD record at bank.example.
TEST_F(DmarcDiscover, PsdYMarksAPublicSuffixDomain) {
    txt("bank.example", "v=DMARC1; p=reject; psd=y; rua=mailto:psd@bank.example");
    txt("giant.bank.example", "v=DMARC1; p=quarantine; rua=mailto:d@giant.bank.example");
    host("mail.giant.bank.example");
    host("mail.mega.bank.example");

    const DmarcDiscovery giant = dmarc_discover(*dns, "giant.bank.example", kBis);
    EXPECT_THAT(queried(giant), ElementsAre("giant.bank.example", "bank.example"));
    EXPECT_EQ(giant.org_domain, "giant.bank.example");
    EXPECT_EQ(giant.record_domain, "giant.bank.example");
    EXPECT_EQ(giant.policy, DmarcPolicy::quarantine);

    const DmarcDiscovery mail = dmarc_discover(*dns, "mail.giant.bank.example", kBis);
    EXPECT_EQ(mail.org_domain, "giant.bank.example");
    EXPECT_EQ(mail.record_domain, "giant.bank.example");
    EXPECT_EQ(mail.policy_tag, DmarcPolicyTag::sp);

    const DmarcDiscovery mega = dmarc_discover(*dns, "mail.mega.bank.example", kBis);
    EXPECT_EQ(mega.org_domain, "mega.bank.example");
    EXPECT_EQ(mega.record_domain, "bank.example");  // the PSD's record applies
    EXPECT_EQ(mega.policy, DmarcPolicy::reject);
    EXPECT_THAT(codes(mega.findings), ElementsAre("dmarc.psd_policy"));

    // The walk's start is never "one label below" its own psd=y record.
    const DmarcDiscovery psd = dmarc_discover(*dns, "bank.example", kBis);
    EXPECT_THAT(queried(psd), ElementsAre("bank.example"));
    EXPECT_EQ(psd.org_domain, "bank.example");
    EXPECT_EQ(psd.policy_tag, DmarcPolicyTag::p);

    // RFC 7489 knows no psd=: bank.example is not on the public suffix list.
    const DmarcDiscovery old = dmarc_discover(*dns, "mail.mega.bank.example", k7489);
    EXPECT_EQ(old.org_domain, "bank.example");
    EXPECT_EQ(old.record_domain, "bank.example");
}

TEST_F(DmarcDiscover, NpAppliesToNonExistentSubdomains) {
    txt("example.com", "v=DMARC1; p=reject; sp=quarantine; np=none; rua=mailto:d@example.com");
    host("www.example.com");

    const DmarcDiscovery exists = dmarc_discover(*dns, "www.example.com", kBis);
    EXPECT_EQ(exists.from_domain_exists, true);
    EXPECT_EQ(exists.policy_tag, DmarcPolicyTag::sp);
    EXPECT_EQ(exists.policy, DmarcPolicy::quarantine);
    EXPECT_EQ(exists.queries, 4u);  // three _dmarc names and the existence test

    const DmarcDiscovery ghost = dmarc_discover(*dns, "ghost.example.com", kBis);
    EXPECT_EQ(ghost.from_domain_exists, false);
    EXPECT_EQ(ghost.policy_tag, DmarcPolicyTag::np);
    EXPECT_EQ(ghost.policy, DmarcPolicy::none);
    EXPECT_THAT(codes(ghost.findings), ElementsAre("dmarc.policy_none"));

    // The organizational domain itself gets p=, whatever np= says.
    EXPECT_EQ(dmarc_discover(*dns, "example.com", kBis).policy, DmarcPolicy::reject);
    // RFC 7489 has no np=: sp= applies, and nothing asks whether the name exists.
    const DmarcDiscovery old = dmarc_discover(*dns, "ghost.example.com", k7489);
    EXPECT_FALSE(old.from_domain_exists);
    EXPECT_EQ(old.policy, DmarcPolicy::quarantine);
    EXPECT_EQ(old.queries, 2u);

    // A name that exists only as a CNAME exists.
    dns->zone()["alias.example.com"].records[RRType::CNAME].push_back("nowhere.example.net");
    EXPECT_EQ(dmarc_discover(*dns, "alias.example.com", kBis).from_domain_exists, true);
}

TEST_F(DmarcDiscover, NpExistenceTestFailure) {
    txt("example.com", "v=DMARC1; p=reject; np=quarantine; rua=mailto:d@example.com");
    dns->zone()["slow.example.com"].failures[RRType::A] = DnsStatus::timeout;
    const DmarcDiscovery d = dmarc_discover(*dns, "slow.example.com", kBis);
    EXPECT_EQ(d.status, DmarcStatus::found);
    EXPECT_FALSE(d.from_domain_exists);
    EXPECT_EQ(d.policy_tag, DmarcPolicyTag::sp);
    EXPECT_EQ(d.policy, DmarcPolicy::reject);
    const AuthFinding *f = find_code(d.findings, "dmarc.dns_error");
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->severity, AuthSeverity::warning);
}

TEST_F(DmarcDiscover, SeveralRecordsAtOneName) {
    txt("example.com", "v=DMARC1; p=reject");
    txt("mail.example.com", "v=DMARC1; p=none");
    txt("mail.example.com", "v=DMARC1; p=quarantine");
    txt("mail.example.com", "some other text");
    // DMARCbis discards them all and walks on (4.10 step 2).
    const DmarcDiscovery bis = dmarc_discover(*dns, "mail.example.com", kBis);
    EXPECT_EQ(bis.status, DmarcStatus::found);
    EXPECT_EQ(bis.record_domain, "example.com");
    EXPECT_EQ(bis.policy, DmarcPolicy::reject);
    EXPECT_THAT(codes(bis.findings), ElementsAre("dmarc.several_records", "dmarc.no_rua"));
    EXPECT_EQ(bis.lookups[0].dmarc_records, 2u);
    // RFC 7489 6.6.3 step 5 ends the discovery: no record.
    const DmarcDiscovery old = dmarc_discover(*dns, "mail.example.com", k7489);
    EXPECT_EQ(old.status, DmarcStatus::none);
    EXPECT_FALSE(old.policy);
    EXPECT_THAT(codes(old.findings), ElementsAre("dmarc.several_records", "dmarc.missing"));
    EXPECT_EQ(old.queries, 1u);
}

TEST_F(DmarcDiscover, InvalidRecordsAreIgnored) {
    txt("example.com", "v=DMARC1; p=quarantine");
    txt("mail.example.com", "v=DMARC1; p=reject; p=none");      // a duplicate tag
    txt("www.example.com", "v=DMARC1 p=reject");                 // not v=DMARC1 then ';'
    const DmarcDiscovery dup = dmarc_discover(*dns, "mail.example.com", kBis);
    EXPECT_EQ(dup.record_domain, "example.com");
    EXPECT_THAT(codes(dup.findings), ElementsAre("dmarc.syntax", "dmarc.no_rua"));
    EXPECT_EQ(dmarc_discover(*dns, "mail.example.com", k7489).status, DmarcStatus::none);

    const DmarcDiscovery typo = dmarc_discover(*dns, "www.example.com", kBis);
    EXPECT_EQ(typo.record_domain, "example.com");
    EXPECT_THAT(typo.findings[0].message, HasSubstr("does not start with v=DMARC1"));
}

TEST_F(DmarcDiscover, DnsErrorsAreNotMissingRecords) {
    fail("_dmarc.slow.example", DnsStatus::timeout);
    const DmarcDiscovery slow = dmarc_discover(*dns, "slow.example", kBis);
    EXPECT_EQ(slow.status, DmarcStatus::dns_error);
    EXPECT_EQ(slow.org_domain, "");
    EXPECT_THAT(codes(slow.findings), ElementsAre("dmarc.dns_error"));
    EXPECT_EQ(slow.queries, 1u);
    EXPECT_EQ(dmarc_discover(*dns, "slow.example", k7489).status, DmarcStatus::dns_error);

    // No record at the From domain and a failure above: unknown.
    fail("_dmarc.example.net", DnsStatus::servfail);
    const DmarcDiscovery above = dmarc_discover(*dns, "mail.example.net", kBis);
    EXPECT_EQ(above.status, DmarcStatus::dns_error);
    EXPECT_THAT(codes(above.findings), ElementsAre("dmarc.dns_error"));

    // The From domain's own record is known even if the walk above fails;
    // the organizational domain is not.
    txt("mail.example.net", "v=DMARC1; p=reject; rua=mailto:d@example.net");
    const DmarcDiscovery own = dmarc_discover(*dns, "mail.example.net", kBis);
    EXPECT_EQ(own.status, DmarcStatus::found);
    EXPECT_EQ(own.policy, DmarcPolicy::reject);
    EXPECT_EQ(own.org_domain, "");
    EXPECT_THAT(codes(own.findings), ElementsAre("dmarc.dns_error"));

    // RFC 7489: a failure at the organizational domain.
    const DmarcDiscovery old = dmarc_discover(*dns, "www.example.net", k7489);
    EXPECT_EQ(old.status, DmarcStatus::dns_error);
    EXPECT_EQ(old.org_domain, "example.net");
}

TEST_F(DmarcDiscover, TestingModeLowersTheEnforcedPolicy) {
    txt("example.com", "v=DMARC1; p=reject; t=y; rua=mailto:d@example.com");
    txt("example.org", "v=DMARC1; p=quarantine; t=y; rua=mailto:d@example.org");
    const DmarcDiscovery com = dmarc_discover(*dns, "example.com", kBis);
    EXPECT_EQ(com.policy, DmarcPolicy::reject);
    EXPECT_EQ(com.enforced_policy, DmarcPolicy::quarantine);
    EXPECT_THAT(codes(com.findings), ElementsAre("dmarc.testing"));
    EXPECT_EQ(dmarc_discover(*dns, "example.org", kBis).enforced_policy, DmarcPolicy::none);
    // RFC 7489 has no t=.
    EXPECT_EQ(dmarc_discover(*dns, "example.com", k7489).enforced_policy, DmarcPolicy::reject);
}

TEST_F(DmarcDiscover, RecordsFindingsFollowTheMode) {
    txt("example.com", "v=DMARC1; p=reject; pct=50; rua=mailto:d@example.com");
    EXPECT_THAT(codes(dmarc_discover(*dns, "example.com", kBis).findings),
                ElementsAre("dmarc.obsolete_tag", "dmarc.pct_partial"));
    EXPECT_THAT(codes(dmarc_discover(*dns, "example.com", k7489).findings), ElementsAre("dmarc.pct_partial"));
}

TEST_F(DmarcDiscover, RecordsReachedThroughACname) {
    dns->zone()["_dmarc.example.com"].records[RRType::CNAME].push_back("example.com.dmarc.provider.net");
    dns->zone()["example.com.dmarc.provider.net"].records[RRType::TXT].push_back("v=DMARC1; p=reject");
    const DmarcDiscovery d = dmarc_discover(*dns, "example.com", kBis);
    EXPECT_EQ(d.status, DmarcStatus::found);
    EXPECT_THAT(d.lookups[0].cnames, ElementsAre("example.com.dmarc.provider.net"));
}

TEST_F(DmarcDiscover, PublicSuffixListInRfc7489Mode) {
    txt("example.co.uk", "v=DMARC1; p=reject; sp=none");
    const DmarcDiscovery d = dmarc_discover(*dns, "mail.example.co.uk", k7489);
    EXPECT_EQ(d.org_domain, "example.co.uk");
    EXPECT_EQ(d.record_domain, "example.co.uk");
    EXPECT_EQ(d.policy, DmarcPolicy::none);
    EXPECT_THAT(queried(d), ElementsAre("mail.example.co.uk", "example.co.uk"));
    // A public suffix is its own organizational domain.
    EXPECT_EQ(dmarc_discover(*dns, "co.uk", k7489).org_domain, "co.uk");
}

TEST_F(DmarcDiscover, InvalidDomains) {
    for (const char *bad : {"", "exa mple.com", "[192.0.2.1]", "a..b"}) {
        const DmarcDiscovery d = dmarc_discover(*dns, bad, kBis);
        EXPECT_EQ(d.status, DmarcStatus::none);
        EXPECT_THAT(codes(d.findings), ElementsAre("dmarc.invalid_domain")) << bad;
        EXPECT_EQ(d.queries, 0u);
    }
    // International domains are queried as A-labels.
    txt("xn--bcher-kva.example", "v=DMARC1; p=none");
    EXPECT_EQ(dmarc_discover(*dns, "B\xC3\xBC" "cher.example", kBis).record_domain, "xn--bcher-kva.example");
}

TEST_F(DmarcDiscover, Json) {
    txt("example.com", "v=DMARC1; p=reject; sp=quarantine; np=none; rua=mailto:d@example.com");
    const DmarcDiscovery d = dmarc_discover(*dns, "ghost.example.com", kBis);
    std::string out;
    JsonWriter w(out);
    write_dmarc_discovery_json(w, d);
    ASSERT_TRUE(json_parse(out, 1 << 20)) << out;
    EXPECT_THAT(out, HasSubstr(R"({"domain":"ghost.example.com","mode":"dmarcbis","status":"found",)"
                               R"("record_domain":"example.com","org_domain":"example.com","policy":"none",)"
                               R"("policy_tag":"np","enforced_policy":"none","from_domain_exists":false,"queries":4,)"));
    EXPECT_THAT(out, HasSubstr(R"({"name":"_dmarc.example.com","dns_status":"ok")"));
    EXPECT_THAT(out, HasSubstr(R"("dmarc_records":1,"valid":true,"psd":"u","error":null})"));
    EXPECT_THAT(out, HasSubstr(R"("record":{"tags":{"v":"DMARC1","p":"reject")"));
    EXPECT_THAT(out, HasSubstr(R"("findings":[{"code":"dmarc.policy_none")"));

    std::string none;
    JsonWriter wn(none);
    write_dmarc_discovery_json(wn, dmarc_discover(*dns, "example.org", kBis));
    ASSERT_TRUE(json_parse(none, 1 << 20)) << none;
    EXPECT_THAT(none, HasSubstr(R"("status":"none","record_domain":null,"org_domain":"example.org","policy":null)"));
}

// --- Alignment -------------------------------------------------------------------------

TEST(DmarcAligned, PublicSuffixListStrictAndRelaxed) {
    PslOrgDomains psl;
    EXPECT_TRUE(dmarc_aligned("example.com", "mail.example.com", false, psl));
    EXPECT_FALSE(dmarc_aligned("example.com", "mail.example.com", true, psl));
    EXPECT_TRUE(dmarc_aligned("a.example.com", "b.example.com", false, psl));
    EXPECT_TRUE(dmarc_aligned("EXAMPLE.com.", "example.COM", true, psl));
    EXPECT_FALSE(dmarc_aligned("example.com", "example.net", false, psl));
    EXPECT_FALSE(dmarc_aligned("example.com", "notexample.com", false, psl));
    EXPECT_TRUE(dmarc_aligned("news.example.co.uk", "bounce.example.co.uk", false, psl));
    EXPECT_FALSE(dmarc_aligned("example.co.uk", "other.co.uk", false, psl));
    // U-labels and A-labels are the same domain.
    EXPECT_TRUE(dmarc_aligned("b\xC3\xBC" "cher.example", "xn--bcher-kva.example", true, psl));
    EXPECT_TRUE(dmarc_aligned("mail.b\xC3\xBC" "cher.de", "xn--bcher-kva.de", false, psl));
    EXPECT_FALSE(dmarc_aligned("example.com", "not a domain", false, psl));
    EXPECT_EQ(psl.org_domain("mail.xn--bcher-kva.de"), "xn--bcher-kva.de");
}

class DmarcAlign : public DmarcDiscover {};

TEST_F(DmarcAlign, TreeWalkStrictAndRelaxed) {
    txt("example.com", "v=DMARC1; p=reject");
    TreeWalkOrgDomains walk(*dns);
    EXPECT_TRUE(dmarc_aligned("news.example.com", "bounce.example.com", false, walk));
    EXPECT_FALSE(dmarc_aligned("news.example.com", "bounce.example.com", true, walk));
    EXPECT_TRUE(dmarc_aligned("news.example.com", "NEWS.example.com.", true, walk));
    EXPECT_FALSE(dmarc_aligned("news.example.com", "example.net", false, walk));
    // _dmarc.example.com and _dmarc.com were asked once for all the walks.
    EXPECT_EQ(walk.queries(), dns->queries());
    EXPECT_EQ(walk.queries(), 6u);  // news.example.com, example.com, com, bounce.example.com, example.net, net
}

TEST_F(DmarcAlign, ModesDisagreeWherePsdTagsDrawBoundaries) {
    // A department that declares itself an organizational domain (psd=n)
    // is aligned with its parent under RFC 7489, not under DMARCbis.
    txt("example.com", "v=DMARC1; p=reject");
    txt("dept.example.com", "v=DMARC1; p=reject; psd=n");
    TreeWalkOrgDomains walk(*dns);
    PslOrgDomains psl;
    EXPECT_FALSE(dmarc_aligned("dept.example.com", "example.com", false, walk));
    EXPECT_FALSE(dmarc_aligned("mail.dept.example.com", "bounce.example.com", false, walk));
    EXPECT_TRUE(dmarc_aligned("mail.dept.example.com", "bounce.dept.example.com", false, walk));
    EXPECT_TRUE(dmarc_aligned("dept.example.com", "example.com", false, psl));
    // And a name with no record anywhere is only its own organizational domain.
    EXPECT_FALSE(dmarc_aligned("a.example.org", "b.example.org", false, walk));
    EXPECT_TRUE(dmarc_aligned("a.example.org", "b.example.org", false, psl));
}

TEST_F(DmarcAlign, FromADiscoveryReusingItsAnswers) {
    txt("example.com", "v=DMARC1; p=reject; adkim=s; rua=mailto:d@example.com");
    const DmarcDiscovery d = dmarc_discover(*dns, "news.example.com", kBis);
    ASSERT_EQ(d.org_domain, "example.com");
    const uint64_t before = dns->queries();

    // adkim=s: DKIM d= must equal the From domain; no lookups needed.
    const auto dkim_parent = dmarc_check_alignment(*dns, d, "example.com", DmarcIdentifier::dkim);
    EXPECT_TRUE(dkim_parent.strict);
    EXPECT_FALSE(dkim_parent.aligned);
    EXPECT_EQ(dkim_parent.queries, 0u);
    EXPECT_TRUE(dmarc_check_alignment(*dns, d, "News.Example.com", DmarcIdentifier::dkim).aligned);

    // aspf=r (the default): the MAIL FROM domain's walk reuses the discovery's
    // answers for example.com and com; only its own name is new.
    const auto spf = dmarc_check_alignment(*dns, d, "bounce.example.com", DmarcIdentifier::spf);
    EXPECT_FALSE(spf.strict);
    EXPECT_TRUE(spf.aligned);
    EXPECT_EQ(spf.from_org, "example.com");
    EXPECT_EQ(spf.other_org, "example.com");
    EXPECT_EQ(spf.queries, 1u);
    const auto spf_org = dmarc_check_alignment(*dns, d, "example.com", DmarcIdentifier::spf);
    EXPECT_TRUE(spf_org.aligned);
    EXPECT_EQ(spf_org.queries, 0u);
    EXPECT_EQ(dns->queries() - before, 1u);

    const auto other = dmarc_check_alignment(*dns, d, "esp.example.net", DmarcIdentifier::spf);
    EXPECT_FALSE(other.aligned);
    EXPECT_EQ(other.other_org, "esp.example.net");

    std::string out;
    JsonWriter w(out);
    write_dmarc_alignment_json(w, spf);
    ASSERT_TRUE(json_parse(out, 1 << 20)) << out;
    EXPECT_EQ(out, R"({"identifier":"spf","aligned":true,"strict":false,"from_domain":"news.example.com",)"
                   R"("other_domain":"bounce.example.com","from_org":"example.com","other_org":"example.com",)"
                   R"("dns_error":false,"queries":1})");
}

TEST_F(DmarcAlign, Rfc7489DiscoveryUsesThePublicSuffixList) {
    txt("example.com", "v=DMARC1; p=reject");
    const DmarcDiscovery d = dmarc_discover(*dns, "news.example.com", k7489);
    const uint64_t before = dns->queries();
    const auto a = dmarc_check_alignment(*dns, d, "bounce.example.com", DmarcIdentifier::dkim);
    EXPECT_TRUE(a.aligned);
    EXPECT_EQ(a.queries, 0u);
    EXPECT_EQ(dns->queries(), before);
}

TEST_F(DmarcAlign, DnsErrorsAreReported) {
    txt("example.com", "v=DMARC1; p=reject");
    fail("_dmarc.bounce.example.com", DnsStatus::timeout);
    const DmarcDiscovery d = dmarc_discover(*dns, "news.example.com", kBis);
    const auto a = dmarc_check_alignment(*dns, d, "bounce.example.com", DmarcIdentifier::spf);
    EXPECT_FALSE(a.aligned);
    EXPECT_TRUE(a.dns_error);
    EXPECT_EQ(a.other_org, "");
    TreeWalkOrgDomains walk(*dns);
    EXPECT_FALSE(walk.org_domain("bounce.example.com"));
    EXPECT_FALSE(dmarc_aligned("news.example.com", "bounce.example.com", false, walk));
}

TEST_F(DmarcAlign, DeepOtherDomainsCostAtMostEightQueries) {
    txt("example.com", "v=DMARC1; p=reject");
    TreeWalkOrgDomains walk(*dns);
    EXPECT_EQ(walk.org_domain("a.b.c.d.e.f.g.h.i.j.k.example.com"), "example.com");
    EXPECT_EQ(walk.queries(), 8u);
}

}  // namespace
}  // namespace presend
