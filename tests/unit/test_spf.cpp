// SPF (RFC 7208): the parser, check_host() over the fixture resolver, macro
// expansion (the examples of RFC 7208 7.4), the processing limits on both
// sides, lint findings, and the JSON output.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cjson/cJSON.h>

#include <algorithm>
#include <string>
#include <vector>

#include "dns.hpp"
#include "json.hpp"
#include "spf.hpp"

namespace presend {
namespace {

using ::testing::HasSubstr;

// --- Parser ---------------------------------------------------------------------

TEST(SpfParse, EveryMechanismAndModifier) {
    const std::string rec =
        "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a -a:example.com/28//64 mx:mail.example.com//48 ?ptr "
        "ptr:example.org exists:%{i}.bl.example.com ~include:_spf.example.net redirect=other.example "
        "exp=explain.%{d} foo.bar_x=%{l}baz -all";
    auto r = spf_parse(rec);
    ASSERT_TRUE(r) << r.error().message;
    const auto &t = r->terms;
    ASSERT_EQ(t.size(), 13u);

    struct Want {
        bool modifier;
        std::string name;
        char qualifier;
        std::string value;
        int cidr4, cidr6;
    };
    const Want want[] = {
        {false, "ip4", '+', "192.0.2.0", 24, -1},
        {false, "ip6", '+', "2001:db8::", -1, 32},
        {false, "a", '+', "", -1, -1},
        {false, "a", '-', "example.com", 28, 64},
        {false, "mx", '+', "mail.example.com", -1, 48},
        {false, "ptr", '?', "", -1, -1},
        {false, "ptr", '+', "example.org", -1, -1},
        {false, "exists", '+', "%{i}.bl.example.com", -1, -1},
        {false, "include", '~', "_spf.example.net", -1, -1},
        {true, "redirect", 0, "other.example", -1, -1},
        {true, "exp", 0, "explain.%{d}", -1, -1},
        {true, "foo.bar_x", 0, "%{l}baz", -1, -1},
        {false, "all", '-', "", -1, -1},
    };
    for (size_t i = 0; i < t.size(); ++i) {
        const Want &w = want[i];
        SCOPED_TRACE(t[i].text);
        EXPECT_EQ(t[i].is_modifier, w.modifier);
        EXPECT_EQ(t[i].name, w.name);
        if (!w.modifier) {
            EXPECT_EQ(static_cast<char>(t[i].qualifier), w.qualifier);
        }
        EXPECT_EQ(t[i].value, w.value);
        EXPECT_EQ(t[i].cidr4, w.cidr4);
        EXPECT_EQ(t[i].cidr6, w.cidr6);
        EXPECT_EQ(rec.substr(t[i].position, t[i].text.size()), t[i].text);
    }
    EXPECT_EQ(t[0].network[0], 192);
    EXPECT_EQ(t[0].network[2], 2);
    EXPECT_EQ(t[1].network[0], 0x20);
    EXPECT_EQ(t[1].network[3], 0xb8);
    EXPECT_EQ(r->redirect()->value, "other.example");
    EXPECT_EQ(r->exp()->value, "explain.%{d}");
    EXPECT_EQ(r->terms[11].modifier, SpfModifier::unknown);
    // a, -a, mx, ?ptr, ptr, exists, ~include and redirect
    EXPECT_EQ(r->lookup_terms(), 8u);
    EXPECT_FALSE(r->terms[2].qualifier_written);
    EXPECT_TRUE(r->terms[3].qualifier_written);
}

TEST(SpfParse, AcceptedForms) {
    const char *ok[] = {
        "v=spf1",
        "V=SpF1 -ALL",
        "v=spf1 a  -all",               // several spaces between terms
        "v=spf1 a -all ",               // trailing space
        "v=spf1 a:foo:bar/baz.example.com",  // ':' and '/' inside a domain
        "v=spf1 a:foo.example.xn--zckzah -all",
        "v=spf1 a:mail.example...com",  // valid syntax; not a queryable name
        "v=spf1 include:o.spf.example.com.",
        "v=spf1 redirect=%{d}.d.spf.example.com.",
        "v=spf1 a:%{d}",
        "v=spf1 a:%{d}.",
        "v=spf1 exists:%{l2r+-}.user.%{D2}",
        "v=spf1 a:macro%%percent%_%_space%-url-space.example.com",
        "v=spf1 moo.cow-far_out=man:dog/cat ip4:1.2.3.4 -all",
        "v=spf1 default=+",
        "v=spf1 ip4:0.0.0.0/0 ip6:::/0 ip6:::ffff:1.2.3.4 ip4:255.255.255.255/32",
        "v=spf1 a/0 mx//0 a/32//128",
        "v=spf1 exists:%{d127r}.example.com",
        "v=spf1 redirect=_spf.example.com exp=%{d}.exp.example.com",
    };
    for (const char *rec : ok) {
        auto r = spf_parse(rec);
        EXPECT_TRUE(r) << rec << ": " << r.error().message;
    }
}

struct ParseErrorCase {
    std::string record;
    size_t position;
    std::string message;  // a part of it
};

class SpfParseError : public ::testing::TestWithParam<ParseErrorCase> {};

TEST_P(SpfParseError, PositionAndMessage) {
    const auto &c = GetParam();
    auto r = spf_parse(c.record);
    ASSERT_FALSE(r) << c.record;
    EXPECT_EQ(r.error().status, Status::parse);
    EXPECT_EQ(r.error().position, c.position) << r.error().message;
    EXPECT_THAT(r.error().message, HasSubstr(c.message));
}

INSTANTIATE_TEST_SUITE_P(
    SpfRecords, SpfParseError,
    ::testing::Values(
        ParseErrorCase{"spf1 -all", 0, "starts with \"v=spf1\""},
        ParseErrorCase{"v=spf10 -all", 6, "followed by a space"},
        ParseErrorCase{"v=spf1 ip4:1.2.3.4 -all moo", 24, "unknown mechanism \"moo\""},
        ParseErrorCase{"v=spf1 -all.", 11, "all takes no argument"},
        ParseErrorCase{"v=spf1 -all:foobar", 11, "all takes no argument"},
        ParseErrorCase{"v=spf1 -all/8", 11, "all takes no argument"},
        ParseErrorCase{"v=spf1 ip4:1.2.3.4/33", 19, "invalid CIDR length \"33\""},
        ParseErrorCase{"v=spf1 ip4:1.2.3.4/032", 19, "no leading zeros"},
        ParseErrorCase{"v=spf1 ip4:01.2.3.4", 11, "is not an IPv4 address"},
        ParseErrorCase{"v=spf1 ip4:1.2.3", 11, "is not an IPv4 address"},
        ParseErrorCase{"v=spf1 ip4:1.2.3.4:8080", 11, "is not an IPv4 address"},
        ParseErrorCase{"v=spf1 ip4:1.2.3.4//32", 19, "invalid CIDR length"},
        ParseErrorCase{"v=spf1 ip4", 10, "ip4 needs an address"},
        ParseErrorCase{"v=spf1 ip6::CAFE::BABE", 11, "is not an IPv6 address"},
        ParseErrorCase{"v=spf1 ip6:::1.1.1.1/129", 21, "0 to 128"},
        ParseErrorCase{"v=spf1 ip6:::1.1.1.1//33", 21, "invalid CIDR length"},
        ParseErrorCase{"v=spf1 a/33 -all", 9, "invalid IPv4 CIDR length \"33\""},
        ParseErrorCase{"v=spf1 a//129 -all", 10, "invalid IPv6 CIDR length \"129\""},
        ParseErrorCase{"v=spf1 a/24/64 -all", 11, "invalid CIDR lengths; write /N, //N or /N//N"},
        ParseErrorCase{"v=spf1 mx/024 -all", 10, "invalid IPv4 CIDR length \"024\""},
        ParseErrorCase{"v=spf1 a:example.com/24/64 -all", 24, "invalid IPv4 CIDR length \"64\""},
        ParseErrorCase{"v=spf1 a:example.com:8080", 17, "\"com:8080\" is not a valid top-level label"},
        ParseErrorCase{"v=spf1 a:museum", 9, "must end in a top-level label"},
        ParseErrorCase{"v=spf1 a:museum.", 9, "must end in a top-level label"},
        ParseErrorCase{"v=spf1 a:abc.123", 13, "not all digits"},
        ParseErrorCase{"v=spf1 a:111.222.33.44", 20, "not a valid top-level label"},
        ParseErrorCase{"v=spf1 a:example.-com", 17, "not a valid top-level label"},
        ParseErrorCase{"v=spf1 a:", 9, "empty domain"},
        ParseErrorCase{"v=spf1 mx: -all", 10, "empty domain"},
        ParseErrorCase{"v=spf1 a:foo-bar -all", 9, "must end in a top-level label"},
        ParseErrorCase{std::string("v=spf1 a:foo.example.com\0", 25), 24, "control byte 0x00"},
        ParseErrorCase{"v=spf1 a:ctrl.example.com\rptr -all", 25, "control byte 0x0D"},
        ParseErrorCase{"v=spf1 \x80" "a:example.net -all", 7, "non-ASCII byte 0x80"},
        ParseErrorCase{"v=spf1 include +all", 14, "include needs a domain"},
        ParseErrorCase{"v=spf1 include: -all", 15, "empty domain"},
        ParseErrorCase{"v=spf1 include:ip5.example.com/24 -all", 30, "include takes no CIDR length"},
        ParseErrorCase{"v=spf1 exists", 13, "exists needs a domain"},
        ParseErrorCase{"v=spf1 exists:mail.example.com/24", 30, "exists takes no CIDR length"},
        ParseErrorCase{"v=spf1 ptr/0 -all", 10, "ptr takes no CIDR length"},
        ParseErrorCase{"v=spf1 ptr:", 11, "empty domain"},
        ParseErrorCase{"v=spf1 ip4:1.2.3.4 redirect:t2.example.com", 19, "redirect is a modifier"},
        ParseErrorCase{"v=spf1 redirect=a.example redirect=b.example", 26, "may appear only once"},
        ParseErrorCase{"v=spf1 exp=a.example -all exp=b.example", 26, "may appear only once"},
        ParseErrorCase{"v=spf1 exp= -all", 11, "exp= needs a domain"},
        ParseErrorCase{"v=spf1 redirect=-all ?all", 16, "must end in a top-level label"},
        ParseErrorCase{"v=spf1 1up=foo", 7, "unknown mechanism \"1up\""},
        ParseErrorCase{"v=spf1 =all", 7, "expected a mechanism or modifier, found '='"},
        ParseErrorCase{"v=spf1 moo.cow/far_out=man:dog/cat", 7, "unknown mechanism \"moo\""},
        ParseErrorCase{"v=spf1 -all foo=%abc", 16, "'%' must be followed by"},
        ParseErrorCase{"v=spf1 a:%{a}.example.com -all", 11, "unknown macro letter 'a'"},
        ParseErrorCase{"v=spf1 exists:%(ir).sbl.example.com", 14, "'%' must be followed by"},
        ParseErrorCase{"v=spf1 exists:foo%.sbl.example.com", 17, "'%' must be followed by"},
        ParseErrorCase{"v=spf1 a:%{d0}.example.com", 12, "must not be zero"},
        ParseErrorCase{"v=spf1 a:%{d.example.com", 13, "in a macro"},
        ParseErrorCase{"v=spf1 -all exp=%{r}.example.com", 18, "only allowed in explanation text"},
        ParseErrorCase{"v=spf1 exists:%{c}.example.com", 16, "only allowed in explanation text"},
        ParseErrorCase{"v=spf1 -", 1 + 7, "a qualifier must be followed by a mechanism"}));

// --- check_host() over a fixture zone ------------------------------------------------

constexpr const char *kZone = R"({
  "example.com": [ {"A": "192.0.2.10"}, {"AAAA": "2001:db8::10"},
                   {"MX": [10, "mx1.example.com"]}, {"MX": [20, "mx2.example.com"]} ],
  "mx1.example.com": [ {"A": "192.0.2.20"}, {"AAAA": "2001:db8::20"} ],
  "mx2.example.com": [ {"A": "192.0.2.21"} ],
  "host.example.com": [ {"A": "192.0.2.10"}, {"AAAA": "2001:db8::10"} ],
  "liar.example.com": [ {"A": "192.0.2.99"} ],
  "10.2.0.192.in-addr.arpa": [ {"PTR": "host.example.com"} ],
  "11.2.0.192.in-addr.arpa": [ {"PTR": "liar.example.com"} ],
  "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa": [ {"PTR": "host.example.com"} ],
  "inc-pass.example.net": [ {"TXT": "v=spf1 ip4:198.51.100.0/24 -all"} ],
  "inc-soft.example.net": [ {"TXT": "v=spf1 ~all"} ],
  "inc-neutral.example.net": [ {"TXT": "v=spf1 ?all"} ],
  "inc-none.example.net": [ {"A": "192.0.2.1"} ],
  "inc-temp.example.net": [ "TIMEOUT" ],
  "inc-perm.example.net": [ {"TXT": "v=spf1 moo"} ],
  "inc-multi.example.net": [ {"TXT": "v=spf1 -all"}, {"TXT": "v=spf1 +all"} ],
  "redir.example.net": [ {"TXT": "v=spf1 ip4:203.0.113.0/24 -all exp=why.example.net"} ],
  "why.example.net": [ {"TXT": "%{i} is not one of %{d}'s senders"} ],
  "exists.example.net": [ {"A": "127.0.0.2"} ],
  "timeout.example.net": [ "TIMEOUT" ],
  "mx-timeout.example.net": [ {"MX": [10, "timeout.example.net"]} ]
})";

class Zone {
public:
    Zone() {
        auto r = FixtureResolver::from_json(kZone);
        if (!r) ADD_FAILURE() << r.error().message;
        dns_ = std::move(*r);
    }
    // Serves `record` (and only it) as the TXT records of `name`.
    Zone &txt(const std::string &name, std::vector<std::string> records) {
        dns_->zone()[name].records[RRType::TXT] = std::move(records);
        return *this;
    }
    Zone &a(const std::string &name, const std::string &addr) {
        dns_->zone()[name].records[RRType::A].push_back(addr);
        return *this;
    }
    Zone &add(const std::string &name, RRType type, const std::string &value) {
        dns_->zone()[name].records[type].push_back(value);
        return *this;
    }
    FixtureResolver &dns() { return *dns_; }

private:
    std::unique_ptr<FixtureResolver> dns_;
};

SpfOutcome check(Zone &z, const std::string &ip, const std::string &mail_from = "user@example.com",
                 const std::string &helo = "mail.example.com") {
    SpfRequest req;
    req.ip = ip;
    req.mail_from = mail_from;
    req.helo = helo;
    return spf_check_host(z.dns(), req);
}

struct EvalCase {
    std::string record;  // served at example.com
    std::string ip;
    SpfResult result;
    std::string matched;  // the deciding term; "" when none matched
};

void PrintTo(const EvalCase &c, std::ostream *os) { *os << "\"" << c.record << "\" from " << c.ip; }

class SpfMechanisms : public ::testing::TestWithParam<EvalCase> {};

TEST_P(SpfMechanisms, Result) {
    const auto &c = GetParam();
    Zone z;
    z.txt("example.com", {c.record, "google-site-verification=abc"});
    SpfOutcome o = check(z, c.ip);
    EXPECT_EQ(spf_result_name(o.result), spf_result_name(c.result)) << o.problem;
    EXPECT_EQ(o.matched, c.matched);
    EXPECT_EQ(o.record, c.record);
}

INSTANTIATE_TEST_SUITE_P(
    SpfEachMechanism, SpfMechanisms,
    ::testing::Values(
        // all and the four qualifiers
        EvalCase{"v=spf1 -all", "192.0.2.10", SpfResult::fail, "-all"},
        EvalCase{"v=spf1 +all", "192.0.2.10", SpfResult::pass, "+all"},
        EvalCase{"v=spf1 all", "192.0.2.10", SpfResult::pass, "all"},
        EvalCase{"v=spf1 ~all", "192.0.2.10", SpfResult::softfail, "~all"},
        EvalCase{"v=spf1 ?all", "192.0.2.10", SpfResult::neutral, "?all"},
        EvalCase{"v=spf1", "192.0.2.10", SpfResult::neutral, ""},
        EvalCase{"V=SPF1 ip4:192.0.2.0/24", "198.51.100.1", SpfResult::neutral, ""},
        // ip4, including IPv4-mapped IPv6 clients and /0
        EvalCase{"v=spf1 ip4:192.0.2.0/24 -all", "192.0.2.10", SpfResult::pass, "ip4:192.0.2.0/24"},
        EvalCase{"v=spf1 ip4:192.0.2.0/24 -all", "192.0.3.1", SpfResult::fail, "-all"},
        EvalCase{"v=spf1 ip4:192.0.2.10 -all", "192.0.2.11", SpfResult::fail, "-all"},
        EvalCase{"v=spf1 ip4:192.0.2.0/24 -all", "::ffff:192.0.2.10", SpfResult::pass, "ip4:192.0.2.0/24"},
        EvalCase{"v=spf1 ip4:192.0.2.0/24 -all", "2001:db8::10", SpfResult::fail, "-all"},
        EvalCase{"v=spf1 ip4:0.0.0.0/0 -all", "203.0.113.5", SpfResult::pass, "ip4:0.0.0.0/0"},
        EvalCase{"v=spf1 ip4:192.0.2.128/25 -all", "192.0.2.127", SpfResult::fail, "-all"},
        // ip6: prefixes, zero compression either side, IPv4 clients never match
        EvalCase{"v=spf1 ip6:2001:db8::/32 -all", "2001:db8:ffff::1", SpfResult::pass, "ip6:2001:db8::/32"},
        EvalCase{"v=spf1 ip6:2001:db8::/32 -all", "2001:db9::1", SpfResult::fail, "-all"},
        EvalCase{"v=spf1 ip6:2001:db8:0:0:0:0:0:10 -all", "2001:db8::10", SpfResult::pass,
                 "ip6:2001:db8:0:0:0:0:0:10"},
        EvalCase{"v=spf1 ip6:2001:DB8::10 -all", "2001:0db8:0::0:10", SpfResult::pass, "ip6:2001:DB8::10"},
        EvalCase{"v=spf1 ip6:Cafe:Babe:8000::/33 -all", "cafe:babe:ffff::", SpfResult::pass,
                 "ip6:Cafe:Babe:8000::/33"},
        EvalCase{"v=spf1 ip6:::/0 -all", "192.0.2.10", SpfResult::fail, "-all"},
        EvalCase{"v=spf1 ip6:::ffff:192.0.2.10 -all", "::ffff:192.0.2.10", SpfResult::fail, "-all"},
        // a: the domain's own addresses, a named host, CIDR lengths per family
        EvalCase{"v=spf1 a -all", "192.0.2.10", SpfResult::pass, "a"},
        EvalCase{"v=spf1 a -all", "192.0.2.11", SpfResult::fail, "-all"},
        EvalCase{"v=spf1 a/24 -all", "192.0.2.11", SpfResult::pass, "a/24"},
        EvalCase{"v=spf1 a -all", "2001:db8::10", SpfResult::pass, "a"},
        EvalCase{"v=spf1 a//64 -all", "2001:db8::ffff", SpfResult::pass, "a//64"},
        EvalCase{"v=spf1 a/24 -all", "2001:db8::ffff", SpfResult::fail, "-all"},
        EvalCase{"v=spf1 a:mx2.example.com -all", "192.0.2.21", SpfResult::pass, "a:mx2.example.com"},
        EvalCase{"v=spf1 a:mx2.example.com -all", "2001:db8::21", SpfResult::fail, "-all"},
        // mx: every exchange's addresses
        EvalCase{"v=spf1 mx -all", "192.0.2.20", SpfResult::pass, "mx"},
        EvalCase{"v=spf1 mx -all", "192.0.2.21", SpfResult::pass, "mx"},
        EvalCase{"v=spf1 mx -all", "2001:db8::20", SpfResult::pass, "mx"},
        EvalCase{"v=spf1 mx -all", "192.0.2.10", SpfResult::fail, "-all"},
        EvalCase{"v=spf1 mx:example.com/30 -all", "192.0.2.22", SpfResult::pass, "mx:example.com/30"},
        EvalCase{"v=spf1 mx:mx1.example.com -all", "192.0.2.20", SpfResult::fail, "-all"},  // no MX there
        EvalCase{"v=spf1 mx:mx-timeout.example.net -all", "192.0.2.20", SpfResult::temperror, ""},
        // ptr: forward-confirmed names only
        EvalCase{"v=spf1 ptr -all", "192.0.2.10", SpfResult::pass, "ptr"},
        EvalCase{"v=spf1 ptr -all", "2001:db8::10", SpfResult::pass, "ptr"},
        EvalCase{"v=spf1 ptr -all", "192.0.2.11", SpfResult::fail, "-all"},
        EvalCase{"v=spf1 ptr:other.example -all", "192.0.2.10", SpfResult::fail, "-all"},
        EvalCase{"v=spf1 ptr:Example.COM -all", "192.0.2.10", SpfResult::pass, "ptr:Example.COM"},
        // exists: an A record, whatever the client's family
        EvalCase{"v=spf1 exists:exists.example.net -all", "2001:db8::1", SpfResult::pass,
                 "exists:exists.example.net"},
        EvalCase{"v=spf1 exists:nothing.example.net -all", "192.0.2.10", SpfResult::fail, "-all"},
        EvalCase{"v=spf1 exists:timeout.example.net -all", "192.0.2.10", SpfResult::temperror, ""},
        EvalCase{"v=spf1 a:timeout.example.net -all", "192.0.2.10", SpfResult::temperror, ""},
        // include: RFC 7208 5.2's table
        EvalCase{"v=spf1 include:inc-pass.example.net -all", "198.51.100.1", SpfResult::pass,
                 "include:inc-pass.example.net"},
        EvalCase{"v=spf1 include:inc-pass.example.net -all", "192.0.2.10", SpfResult::fail, "-all"},
        EvalCase{"v=spf1 include:inc-soft.example.net -all", "192.0.2.10", SpfResult::fail, "-all"},
        EvalCase{"v=spf1 include:inc-neutral.example.net ~all", "192.0.2.10", SpfResult::softfail, "~all"},
        EvalCase{"v=spf1 -include:inc-pass.example.net +all", "198.51.100.1", SpfResult::fail,
                 "-include:inc-pass.example.net"},
        EvalCase{"v=spf1 include:inc-none.example.net -all", "192.0.2.10", SpfResult::permerror, ""},
        EvalCase{"v=spf1 include:nowhere.example.net -all", "192.0.2.10", SpfResult::permerror, ""},
        EvalCase{"v=spf1 include:inc-temp.example.net -all", "192.0.2.10", SpfResult::temperror, ""},
        EvalCase{"v=spf1 include:inc-perm.example.net -all", "192.0.2.10", SpfResult::permerror, ""},
        EvalCase{"v=spf1 include:inc-multi.example.net -all", "192.0.2.10", SpfResult::permerror, ""},
        // redirect: only when nothing matched, and never with all
        EvalCase{"v=spf1 redirect=redir.example.net", "203.0.113.5", SpfResult::pass, "ip4:203.0.113.0/24"},
        EvalCase{"v=spf1 redirect=redir.example.net", "192.0.2.10", SpfResult::fail, "-all"},
        EvalCase{"v=spf1 redirect=redir.example.net ip4:192.0.2.10", "192.0.2.10", SpfResult::pass,
                 "ip4:192.0.2.10"},
        EvalCase{"v=spf1 ?all redirect=redir.example.net", "203.0.113.5", SpfResult::neutral, "?all"},
        EvalCase{"v=spf1 redirect=nowhere.example.net", "192.0.2.10", SpfResult::permerror, ""},
        EvalCase{"v=spf1 redirect=inc-temp.example.net", "192.0.2.10", SpfResult::temperror, ""},
        // invalid target names match nothing
        EvalCase{"v=spf1 a:mail.example...com -all", "192.0.2.10", SpfResult::fail, "-all"},
        // syntax errors anywhere are permerror, even after a match
        EvalCase{"v=spf1 ip4:192.0.2.10 moo", "192.0.2.10", SpfResult::permerror, ""}));

TEST(SpfCheckHost, RecordSelection) {
    struct Case {
        std::vector<std::string> txt;
        SpfResult result;
        std::string problem;
    };
    const Case cases[] = {
        {{}, SpfResult::none, "no SPF record"},
        {{"v=spf10 -all", "spf1 -all", "hello"}, SpfResult::none, "no SPF record"},
        {{"v=spf1 -all", "v=spf1 -all"}, SpfResult::permerror, "2 SPF records"},
        {{"v=spf1 -all", "V=SPF1 +all"}, SpfResult::permerror, "2 SPF records"},
        {{"other", "v=spf1 -all"}, SpfResult::fail, ""},
        {{"v=spf1 -all moo"}, SpfResult::permerror, "at byte 12: term \"moo\": unknown mechanism"},
    };
    for (const auto &c : cases) {
        Zone z;
        z.txt("example.com", c.txt);
        SpfOutcome o = check(z, "192.0.2.10");
        EXPECT_EQ(o.result, c.result) << o.problem;
        EXPECT_THAT(o.problem, HasSubstr(c.problem));
    }
    Zone z;
    EXPECT_EQ(check(z, "192.0.2.10", "user@nowhere.example").result, SpfResult::none);
    EXPECT_THAT(check(z, "192.0.2.10", "user@nowhere.example").problem, HasSubstr("does not exist"));
    SpfOutcome t = check(z, "192.0.2.10", "user@timeout.example.net");
    EXPECT_EQ(t.result, SpfResult::temperror);
    EXPECT_THAT(t.problem, HasSubstr("TXT lookup for timeout.example.net failed (timeout)"));
}

TEST(SpfCheckHost, InitialDomainChecks) {
    Zone z;
    z.txt("example.com", {"v=spf1 -all"});
    const std::string long_label(64, 'a');
    const std::string max_label(63, 'a');
    z.txt(max_label + ".example.com", {"v=spf1 -all"});
    struct Case {
        std::string mail_from, helo;
        SpfResult result;
    };
    const Case cases[] = {
        {"user@" + long_label + ".example.com", "mail.example.com", SpfResult::none},
        {"user@" + max_label + ".example.com", "mail.example.com", SpfResult::fail},
        {"user@a...example.com", "mail.example.com", SpfResult::none},
        {"user@[192.0.2.10]", "mail.example.com", SpfResult::none},
        {"user@localhost", "mail.example.com", SpfResult::none},
        {"user@", "mail.example.com", SpfResult::none},
        {"", "A2345678", SpfResult::none},
        {"", "[192.0.2.10]", SpfResult::none},
        {"", "example.com", SpfResult::fail},
        {"user@example.com.", "x", SpfResult::fail},
    };
    for (const auto &c : cases) {
        SpfOutcome o = check(z, "192.0.2.10", c.mail_from, c.helo);
        EXPECT_EQ(o.result, c.result) << c.mail_from << " / " << c.helo << ": " << o.problem;
    }
}

TEST(SpfCheckHost, IdentityAndSender) {
    Zone z;
    z.txt("example.com", {"v=spf1 -all exp=why.example.com"}).txt("why.example.com", {"%{s} %{l} %{o} %{h}"});
    SpfOutcome helo = check(z, "192.0.2.10", "", "example.com");
    EXPECT_EQ(helo.scope, "helo");
    EXPECT_EQ(helo.sender, "postmaster@example.com");
    EXPECT_EQ(helo.explanation, "postmaster@example.com postmaster example.com example.com");

    SpfOutcome nolocal = check(z, "192.0.2.10", "@example.com", "mail.example.org");
    EXPECT_EQ(nolocal.scope, "mfrom");
    EXPECT_EQ(nolocal.sender, "postmaster@example.com");
    EXPECT_EQ(nolocal.explanation, "postmaster@example.com postmaster example.com mail.example.org");

    SpfOutcome spaced = check(z, "192.0.2.10", "Macro Error@example.com");
    EXPECT_EQ(spaced.explanation, "Macro Error@example.com Macro Error example.com mail.example.com");

    SpfOutcome bad = check(z, "192.0.2.300");
    EXPECT_EQ(bad.result, SpfResult::permerror);
    EXPECT_THAT(bad.problem, HasSubstr("is not an IPv4 or IPv6 address"));
}

TEST(SpfCheckHost, OutcomeDescribesTheDecision) {
    Zone z;
    z.txt("example.com", {"v=spf1 a:nothing.example.com include:inc-pass.example.net redirect=redir.example.net"});
    SpfOutcome o = check(z, "203.0.113.9");
    EXPECT_EQ(o.result, SpfResult::pass);
    EXPECT_EQ(o.domain, "example.com");
    EXPECT_EQ(o.record, "v=spf1 a:nothing.example.com include:inc-pass.example.net redirect=redir.example.net");
    EXPECT_EQ(o.matched, "ip4:203.0.113.0/24");
    EXPECT_EQ(o.matched_domain, "redir.example.net");
    EXPECT_EQ(o.lookups, 3);       // a, include, redirect
    EXPECT_EQ(o.void_lookups, 1);  // nothing.example.com
    EXPECT_TRUE(o.explanation.empty());
    EXPECT_TRUE(o.problem.empty());
}

TEST(SpfCheckHost, Explanations) {
    struct Case {
        std::vector<std::string> exp_txt;  // TXT records at exp.example.com
        std::string record;
        std::string ip;
        std::string explanation;
    };
    const Case cases[] = {
        {{"Not from %{i}. See http://%{d}/spf"}, "v=spf1 -all exp=exp.example.com", "192.0.2.10",
         "Not from 192.0.2.10. See http://example.com/spf"},
        {{"trailing dot stays."}, "v=spf1 -all exp=exp.example.com.", "192.0.2.10", "trailing dot stays."},
        // only for fail
        {{"unused"}, "v=spf1 ~all exp=exp.example.com", "192.0.2.10", ""},
        // failures of exp are ignored: default explanation
        {{"one", "two"}, "v=spf1 -all exp=exp.example.com", "192.0.2.10", "DEFAULT"},
        {{}, "v=spf1 -all exp=exp.example.com", "192.0.2.10", "DEFAULT"},
        {{"The %{x}-files."}, "v=spf1 -all exp=exp.example.com", "192.0.2.10", "DEFAULT"},
        {{"\xEF\xBB\xBFnon-ASCII"}, "v=spf1 -all exp=exp.example.com", "192.0.2.10", "DEFAULT"},
        {{"x"}, "v=spf1 -all exp=timeout.example.net", "192.0.2.10", "DEFAULT"},
        {{"x"}, "v=spf1 -all exp=nowhere.example.com", "192.0.2.10", "DEFAULT"},
        {{"x"}, "v=spf1 -all", "192.0.2.10", "DEFAULT"},
        // include: the included record's exp is not used
        {{"outer"}, "v=spf1 include:redir.example.net -all exp=exp.example.com", "192.0.2.10", "outer"},
        // redirect: the target's exp replaces the original's
        {{"original"}, "v=spf1 exp=exp.example.com redirect=redir.example.net", "192.0.2.10",
         "192.0.2.10 is not one of redir.example.net's senders"},
        {{"original"}, "v=spf1 exp=exp.example.com redirect=inc-pass.example.net", "192.0.2.10", "DEFAULT"},
    };
    for (const auto &c : cases) {
        Zone z;
        z.txt("example.com", {c.record}).txt("exp.example.com", c.exp_txt);
        SpfRequest req;
        req.ip = c.ip;
        req.mail_from = "user@example.com";
        req.helo = "mail.example.com";
        req.default_explanation = "DEFAULT";
        SpfOutcome o = spf_check_host(z.dns(), req);
        EXPECT_EQ(o.explanation, c.explanation) << c.record;
    }
}

// --- Macros: RFC 7208 7.4's examples -----------------------------------------------------

// Expands `macro` as explanation text of a fail for strong-bad@email.example.com
// from `ip` (the setting of RFC 7208 7.4).
std::string expand(const std::string &macro, const std::string &ip = "192.0.2.3",
                   const std::string &mail_from = "strong-bad@email.example.com") {
    Zone z;
    z.txt("email.example.com", {"v=spf1 -all exp=exp.example.net"}).txt("exp.example.net", {macro});
    z.add("3.2.0.192.in-addr.arpa", RRType::PTR, "mx.example.org").a("mx.example.org", "192.0.2.3");
    SpfRequest req;
    req.ip = ip;
    req.mail_from = mail_from;
    req.helo = "mx.example.org";
    req.receiver = "receiver.example.net";
    req.now = 1700000000;
    req.default_explanation = "(macro did not expand)";
    return spf_check_host(z.dns(), req).explanation;
}

struct MacroCase {
    std::string macro;
    std::string expansion;
};

class SpfMacroRfcExamples : public ::testing::TestWithParam<MacroCase> {};

TEST_P(SpfMacroRfcExamples, Expansion) { EXPECT_EQ(expand(GetParam().macro), GetParam().expansion); }

INSTANTIATE_TEST_SUITE_P(
    SpfRfc7208Section7_4, SpfMacroRfcExamples,
    ::testing::Values(MacroCase{"%{s}", "strong-bad@email.example.com"}, MacroCase{"%{o}", "email.example.com"},
                      MacroCase{"%{d}", "email.example.com"}, MacroCase{"%{d4}", "email.example.com"},
                      MacroCase{"%{d3}", "email.example.com"}, MacroCase{"%{d2}", "example.com"},
                      MacroCase{"%{d1}", "com"}, MacroCase{"%{dr}", "com.example.email"},
                      MacroCase{"%{d2r}", "example.email"}, MacroCase{"%{l}", "strong-bad"},
                      MacroCase{"%{l-}", "strong.bad"}, MacroCase{"%{lr}", "strong-bad"},
                      MacroCase{"%{lr-}", "bad.strong"}, MacroCase{"%{l1r-}", "strong"},
                      MacroCase{"%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"},
                      MacroCase{"%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"},
                      MacroCase{"%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
                      MacroCase{"%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"},
                      MacroCase{"%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"}));

TEST(SpfMacro, RfcIpv6Example) {
    EXPECT_EQ(expand("%{ir}.%{v}._spf.%{d2}", "2001:db8::cb01"),
              "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com");
}

TEST(SpfMacro, OtherLettersAndEscapes) {
    const MacroCase cases[] = {
        {"%{p}", "mx.example.org"},              // validated PTR name
        {"%{h}", "mx.example.org"},              // HELO
        {"%{c}", "192.0.2.3"},                   // readable client address
        {"%{i}", "192.0.2.3"},
        {"%{r}", "receiver.example.net"},        // receiving host
        {"%{t}", "1700000000"},                  // timestamp
        {"%{v}", "in-addr"},
        {"100%% sure%_really%-", "100% sure really%20"},
        {"%{L}", "strong-bad"},                  // nothing to escape
        {"%{S}", "strong-bad%40email.example.com"},
        {"%{d9999}", "email.example.com"},       // more parts than there are
        {"%{l2r+-}", "bad.strong"},
        {"%{dr.}", "com.example.email"},         // '.' given explicitly
        {"%{D2R}", "example.email"},             // upper-case transformer
    };
    for (const auto &c : cases) EXPECT_EQ(expand(c.macro), c.expansion) << c.macro;

    EXPECT_EQ(expand("%{L}", "192.0.2.3", "~jack&jill=up-a_b3.c@email.example.com"), "~jack%26jill%3Dup-a_b3.c");
    EXPECT_EQ(expand("%{l2r+-}", "192.0.2.3", "foo-bar+zip+quux@email.example.com"), "bar.foo");
    // IPv6: %{c} is the usual text form, %{i} the nibbles, %{v} "ip6"
    EXPECT_EQ(expand("%{c} %{v}", "2001:DB8::CB01"), "2001:db8::cb01 ip6");
    EXPECT_EQ(expand("%{i}", "2001:db8::cb01"),
              "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1");
    // IPv4-mapped clients are IPv4
    EXPECT_EQ(expand("%{i} %{v}", "::ffff:192.0.2.3"), "192.0.2.3 in-addr");
    // %{p} of an address whose PTR does not lead back
    EXPECT_EQ(expand("%{p}", "192.0.2.4"), "unknown");
}

TEST(SpfMacro, PPrefersTheDomainThenASubdomain) {
    Zone z;
    z.txt("e7.example.com", {"v=spf1 exists:%{p}.should.example.com ~all"});
    z.add("42.2.0.192.in-addr.arpa", RRType::PTR, "mx.example.org")
        .add("42.2.0.192.in-addr.arpa", RRType::PTR, "mx.e7.example.com")
        .a("mx.example.org", "192.0.2.42")
        .a("mx.e7.example.com", "192.0.2.42")
        .a("mx.e7.example.com.should.example.com", "127.0.0.2");
    EXPECT_EQ(check(z, "192.0.2.42", "user@e7.example.com").result, SpfResult::pass);
}

TEST(SpfMacro, InDomainSpecs) {
    Zone z;
    z.txt("example.com", {"v=spf1 exists:%{ir}.%{v}._spf.%{d2} a:macro%%percent%_space%-x.example.com -all"});
    z.a("10.2.0.192.in-addr._spf.example.com", "127.0.0.2");
    z.a("macro%percent space%20x.example.com", "192.0.2.11");
    EXPECT_EQ(check(z, "192.0.2.10").matched, "exists:%{ir}.%{v}._spf.%{d2}");
    EXPECT_EQ(check(z, "192.0.2.11").matched, "a:macro%%percent%_space%-x.example.com");
    EXPECT_EQ(check(z, "192.0.2.12").result, SpfResult::fail);
}

TEST(SpfMacro, LongExpansionsLoseLeftLabels) {
    // RFC 7208 7.3: over 253 bytes, labels are removed from the left.
    const std::string o = "somewhat.long.exp.example.com";
    std::string target;
    for (int i = 0; i < 8; ++i) target += o + ".";
    target += "example.com";  // 251 bytes; with "foobar." in front 258
    ASSERT_EQ(target.size(), 251u);
    Zone z;
    z.txt(o, {"v=spf1 -all exp=foobar.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.example.com"});
    z.txt(target, {"That was tricky."});
    SpfRequest req;
    req.ip = "192.0.2.10";
    req.mail_from = "test@" + o;
    req.helo = "x.example";
    EXPECT_EQ(spf_check_host(z.dns(), req).explanation, "That was tricky.");
}

// --- Limits, on both sides -------------------------------------------------------------

std::string a_terms(int n, const char *prefix = "h") {
    std::string s;
    for (int i = 1; i <= n; ++i) s += std::string(" a:") + prefix + std::to_string(i) + ".example.org";
    return s;
}

Zone limit_zone() {
    Zone z;
    for (int i = 1; i <= 12; ++i) z.a("h" + std::to_string(i) + ".example.org", "198.51.100." + std::to_string(i));
    return z;
}

TEST(SpfLimits, TenLookupsPassElevenFail) {
    Zone z = limit_zone();
    z.txt("example.com", {"v=spf1" + a_terms(10) + " -all"});
    SpfOutcome ten = check(z, "192.0.2.10");
    EXPECT_EQ(ten.result, SpfResult::fail);
    EXPECT_EQ(ten.lookups, 10);

    z.txt("example.com", {"v=spf1" + a_terms(11) + " -all"});
    SpfOutcome eleven = check(z, "192.0.2.10");
    EXPECT_EQ(eleven.result, SpfResult::permerror);
    EXPECT_EQ(eleven.lookups, 11);
    EXPECT_THAT(eleven.problem, HasSubstr("a:h11.example.org: more than 10 DNS-lookup terms"));

    // Terms after a match are not evaluated, so they do not count.
    z.txt("example.com", {"v=spf1" + a_terms(10) + " ip4:192.0.2.10" + a_terms(5) + " -all"});
    EXPECT_EQ(check(z, "192.0.2.10").result, SpfResult::pass);
}

TEST(SpfLimits, LookupsCountThroughIncludesAndRedirects) {
    Zone z = limit_zone();
    z.txt("inc.example.org", {"v=spf1" + a_terms(8)});
    // a + include + 8 in the include = 10: the ip4 after it still decides.
    z.txt("example.com", {"v=spf1 a include:inc.example.org ip4:192.0.2.99 mx -all"});
    SpfOutcome at = check(z, "192.0.2.99");
    EXPECT_EQ(at.result, SpfResult::pass);
    EXPECT_EQ(at.lookups, 10);
    // One more lookup term before the ip4: permerror.
    z.txt("example.com", {"v=spf1 a include:inc.example.org a ip4:192.0.2.99 -all"});
    EXPECT_EQ(check(z, "192.0.2.99").result, SpfResult::permerror);

    z.txt("example.com", {"v=spf1 include:example.com"});
    SpfOutcome loop = check(z, "192.0.2.10");
    EXPECT_EQ(loop.result, SpfResult::permerror);
    EXPECT_EQ(loop.lookups, 11);
    z.txt("example.com", {"v=spf1 ip4:192.0.2.1 redirect=example.com"});
    EXPECT_EQ(check(z, "192.0.2.10").result, SpfResult::permerror);
}

TEST(SpfLimits, TwoVoidLookupsPassThreeFail) {
    Zone z;
    z.txt("example.com", {"v=spf1 a:nx1.example.org mx:nx2.example.org ?all"});
    SpfOutcome two = check(z, "192.0.2.10");
    EXPECT_EQ(two.result, SpfResult::neutral);
    EXPECT_EQ(two.void_lookups, 2);

    z.txt("example.com", {"v=spf1 a:nx1.example.org mx:nx2.example.org exists:nx3.example.org ?all"});
    SpfOutcome three = check(z, "192.0.2.10");
    EXPECT_EQ(three.result, SpfResult::permerror);
    EXPECT_EQ(three.void_lookups, 3);
    EXPECT_THAT(three.problem, HasSubstr("void lookup limit"));

    // A name that exists without data is void too; an exp= lookup is not counted.
    z.txt("example.com", {"v=spf1 a:nx1.example.org a:inc-none.example.net exp=nx4.example.org -all"});
    SpfOutcome exp = check(z, "2001:db8::99");
    EXPECT_EQ(exp.result, SpfResult::fail);
    EXPECT_EQ(exp.void_lookups, 2);
}

TEST(SpfLimits, TenMxNamesPassElevenFail) {
    Zone z;
    for (int i = 0; i < 10; ++i) {
        z.add("ten.example.org", RRType::MX, std::to_string(i) + " mx1.example.com");
        z.add("eleven.example.org", RRType::MX, std::to_string(i) + " mx1.example.com");
    }
    z.add("eleven.example.org", RRType::MX, "10 mx1.example.com");
    z.txt("example.com", {"v=spf1 mx:ten.example.org -all"});
    EXPECT_EQ(check(z, "192.0.2.20").result, SpfResult::pass);
    z.txt("example.com", {"v=spf1 mx:eleven.example.org -all"});
    SpfOutcome o = check(z, "192.0.2.20");
    EXPECT_EQ(o.result, SpfResult::permerror);
    EXPECT_THAT(o.problem, HasSubstr("11 MX records"));
}

TEST(SpfLimits, OnlyTenPtrNamesAreLookedAt) {
    for (int valid : {10, 11}) {
        Zone z;
        z.txt("example.com", {"v=spf1 ptr -all"});
        for (int i = 1; i <= 11; ++i) {
            std::string name = "n" + std::to_string(i) + ".example.com";
            z.add("77.2.0.192.in-addr.arpa", RRType::PTR, name);
            z.a(name, i == valid ? "192.0.2.77" : "198.51.100.1");
        }
        SpfOutcome o = check(z, "192.0.2.77");
        EXPECT_EQ(o.result, valid == 10 ? SpfResult::pass : SpfResult::fail) << "valid name #" << valid;
    }
}

TEST(SpfLimits, ManyAddressRecordsAreFine) {
    Zone z;
    z.txt("example.com", {"v=spf1 a:many.example.org -all"});
    for (int i = 1; i <= 40; ++i) z.a("many.example.org", "198.51.100." + std::to_string(i));
    EXPECT_EQ(check(z, "198.51.100.40").result, SpfResult::pass);
}

// --- Lint ---------------------------------------------------------------------------------

std::vector<std::string> codes(const std::vector<SpfFinding> &f) {
    std::vector<std::string> c;
    for (const auto &x : f) c.push_back(x.code);
    return c;
}

const SpfFinding *find(const std::vector<SpfFinding> &f, const std::string &code) {
    auto it = std::find_if(f.begin(), f.end(), [&](const SpfFinding &x) { return x.code == code; });
    return it == f.end() ? nullptr : &*it;
}

struct LintCase {
    std::string record;
    std::string code;
    SpfSeverity severity;
    size_t position;
};

std::string long_record() {
    std::string s = "v=spf1";
    for (int i = 0; i < 30; ++i) s += " ip4:192.0.2.0/24";
    return s + " -all";  // 516 bytes
}

class SpfLintRecord : public ::testing::TestWithParam<LintCase> {};

TEST_P(SpfLintRecord, Finding) {
    const auto &c = GetParam();
    auto f = spf_lint_record(c.record);
    const SpfFinding *x = find(f, c.code);
    ASSERT_NE(x, nullptr) << c.record << " gave " << ::testing::PrintToString(codes(f));
    EXPECT_EQ(x->severity, c.severity);
    EXPECT_EQ(x->position, c.position);
    EXPECT_FALSE(x->message.empty());
}

INSTANTIATE_TEST_SUITE_P(
    SpfEachCode, SpfLintRecord,
    ::testing::Values(LintCase{"v=spf1 +all", "spf.plus_all", SpfSeverity::error, 7},
                      LintCase{"v=spf1 mx all", "spf.plus_all", SpfSeverity::error, 10},
                      LintCase{"v=spf1 mx ?all", "spf.neutral_all", SpfSeverity::warning, 10},
                      LintCase{"v=spf1 ptr -all", "spf.ptr", SpfSeverity::warning, 7},
                      LintCase{"v=spf1 a a a a a a a a a a a -all", "spf.too_many_lookups", SpfSeverity::error,
                               Error::npos},
                      LintCase{"v=spf1 ip4:192.0.2.1 a:foo -all", "spf.syntax", SpfSeverity::error, 23},
                      LintCase{"v=spf1 -all ip4:192.0.2.1", "spf.after_all", SpfSeverity::warning, 12},
                      LintCase{"v=spf1 a -all redirect=_spf.example.com", "spf.redirect_with_all",
                               SpfSeverity::warning, 14},
                      LintCase{"v=spf1 ip4:192.0.2.1", "spf.no_all", SpfSeverity::info, Error::npos},
                      LintCase{"v=spf1 foo=bar -all", "spf.unknown_modifier", SpfSeverity::info, 7},
                      LintCase{"v=spf1 ip4:192.0.2.1/24 -all", "spf.cidr_host_bits", SpfSeverity::info, 7},
                      LintCase{long_record(), "spf.long_record", SpfSeverity::warning, Error::npos}));

TEST(SpfLintRecordClean, GoodRecordsHaveNoFindings) {
    EXPECT_TRUE(spf_lint_record("v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 include:_spf.example.net -all").empty());
    EXPECT_TRUE(spf_lint_record("v=spf1 mx ~all").empty());
    EXPECT_TRUE(spf_lint_record("v=spf1 redirect=_spf.example.net").empty());
    // Ten lookup terms are fine; so is a record of exactly the recommended size.
    EXPECT_TRUE(spf_lint_record("v=spf1 a a a a a a a a a a -all").empty());
}

TEST(SpfLint, NoRecordAndSeveralRecords) {
    Zone z;
    EXPECT_EQ(codes(spf_lint(z.dns(), "example.com")), std::vector<std::string>{"spf.no_record"});
    EXPECT_EQ(codes(spf_lint(z.dns(), "nowhere.example")), std::vector<std::string>{"spf.no_record"});
    z.txt("example.com", {"v=spf1 -all", "v=spf1 mx -all"});
    auto f = spf_lint(z.dns(), "Example.COM.");
    ASSERT_EQ(codes(f), std::vector<std::string>{"spf.multiple_records"});
    EXPECT_EQ(f[0].domain, "example.com");
    EXPECT_THAT(f[0].message, HasSubstr("2 SPF records"));
    auto t = spf_lint(z.dns(), "timeout.example.net");
    EXPECT_EQ(codes(t), std::vector<std::string>{"spf.dns_error"});
}

TEST(SpfLint, CountsLookupsThroughIncludes) {
    Zone z = limit_zone();
    z.txt("example.com", {"v=spf1 include:a.example.org include:b.example.org include:a.example.org -all"});
    z.txt("a.example.org", {"v=spf1" + a_terms(3) + " -all"});
    z.txt("b.example.org", {"v=spf1 a:h4.example.org redirect=c.example.org"});
    z.txt("c.example.org", {"v=spf1 a:h5.example.org -all"});
    auto f = spf_lint(z.dns(), "example.com");
    // 3 includes + 3 + 3 (a.example.org twice) + b: 1 a + redirect + c: 1 a = 12
    const SpfFinding *too = find(f, "spf.too_many_lookups");
    ASSERT_NE(too, nullptr) << ::testing::PrintToString(codes(f));
    EXPECT_EQ(too->severity, SpfSeverity::error);
    EXPECT_THAT(too->message, HasSubstr("12 DNS lookups"));
    EXPECT_THAT(find(f, "spf.lookups")->message, HasSubstr("12 of 10 DNS lookups, 0 of 2 void lookups"));

    z.txt("example.com", {"v=spf1 include:b.example.org -all"});
    auto ok = spf_lint(z.dns(), "example.com");
    EXPECT_EQ(find(ok, "spf.too_many_lookups"), nullptr);
    EXPECT_THAT(find(ok, "spf.lookups")->message, HasSubstr("4 of 10 DNS lookups"));
}

TEST(SpfLint, IncludeLoopNamesTheCycle) {
    Zone z;
    z.txt("example.com", {"v=spf1 include:a.example.org -all"});
    z.txt("a.example.org", {"v=spf1 include:b.example.org -all"});
    z.txt("b.example.org", {"v=spf1 ip4:192.0.2.1 include:a.example.org -all"});
    auto f = spf_lint(z.dns(), "example.com");
    const SpfFinding *loop = find(f, "spf.include_loop");
    ASSERT_NE(loop, nullptr) << ::testing::PrintToString(codes(f));
    EXPECT_EQ(loop->severity, SpfSeverity::error);
    EXPECT_EQ(loop->domain, "b.example.org");
    EXPECT_EQ(loop->position, 21u);
    EXPECT_THAT(loop->message, HasSubstr("a.example.org -> b.example.org -> a.example.org"));

    z.txt("example.com", {"v=spf1 include:example.com"});
    EXPECT_THAT(find(spf_lint(z.dns(), "example.com"), "spf.include_loop")->message,
                HasSubstr("example.com -> example.com"));
}

TEST(SpfLint, VoidLookupsAndBrokenIncludes) {
    Zone z;
    z.txt("example.com", {"v=spf1 a:nx1.example.org mx:nx2.example.org include:inc.example.org -all"});
    z.txt("inc.example.org", {"v=spf1 exists:nx3.example.org -all"});
    auto f = spf_lint(z.dns(), "example.com");
    const SpfFinding *v = find(f, "spf.void_lookups");
    ASSERT_NE(v, nullptr) << ::testing::PrintToString(codes(f));
    EXPECT_THAT(v->message, HasSubstr("3 lookups return no records"));

    z.txt("example.com", {"v=spf1 a:nx1.example.org mx:nx2.example.org -all"});
    EXPECT_EQ(find(spf_lint(z.dns(), "example.com"), "spf.void_lookups"), nullptr);

    z.txt("example.com", {"v=spf1 include:inc-none.example.net include:inc-perm.example.net "
                          "include:inc-multi.example.net include:inc-temp.example.net -all"});
    auto b = spf_lint(z.dns(), "example.com");
    EXPECT_NE(find(b, "spf.include_no_record"), nullptr);
    EXPECT_EQ(find(b, "spf.include_no_record")->position, 7u);
    const SpfFinding *syntax = find(b, "spf.syntax");
    ASSERT_NE(syntax, nullptr);
    EXPECT_EQ(syntax->domain, "inc-perm.example.net");
    EXPECT_EQ(syntax->position, 7u);
    EXPECT_EQ(find(b, "spf.multiple_records")->domain, "inc-multi.example.net");
    EXPECT_NE(find(b, "spf.dns_error"), nullptr);

    z.txt("example.com", {"v=spf1 a:timeout.example.net -all"});
    auto t = spf_lint(z.dns(), "example.com");
    const SpfFinding *dns = find(t, "spf.dns_error");
    ASSERT_NE(dns, nullptr);
    EXPECT_EQ(dns->domain, "example.com");
    EXPECT_EQ(dns->position, 7u);
    EXPECT_THAT(dns->message, HasSubstr("A lookup for timeout.example.net failed (timeout)"));
}

TEST(SpfLint, RecordFindingsOfIncludedDomainsAndTooManyMx) {
    Zone z;
    z.txt("example.com", {"v=spf1 include:inc.example.org mx:many.example.org -all"});
    z.txt("inc.example.org", {"v=spf1 ptr +all"});
    for (int i = 0; i < 11; ++i) z.add("many.example.org", RRType::MX, std::to_string(i) + " mx1.example.com");
    auto f = spf_lint(z.dns(), "example.com");
    EXPECT_EQ(find(f, "spf.plus_all")->domain, "inc.example.org");
    EXPECT_EQ(find(f, "spf.ptr")->domain, "inc.example.org");
    ASSERT_NE(find(f, "spf.too_many_mx"), nullptr);
    EXPECT_EQ(find(f, "spf.too_many_mx")->severity, SpfSeverity::error);
}

// --- JSON ------------------------------------------------------------------------------------

TEST(SpfJson, OutcomeIsSelfExplanatory) {
    Zone z;
    z.txt("example.com", {"v=spf1 redirect=redir.example.net"});
    SpfOutcome o = check(z, "192.0.2.10");
    std::string out;
    JsonWriter w(out);
    write_spf_outcome_json(w, o);
    auto doc = json_parse(out, 1 << 20);
    ASSERT_TRUE(doc) << out;
    auto s = [&](const char *k) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc->get(), k);
        return cJSON_IsString(v) ? std::string(v->valuestring) : std::string("<not a string>");
    };
    EXPECT_EQ(s("result"), "fail");
    EXPECT_EQ(s("description"), "the host is not authorized to send mail for the domain");
    EXPECT_EQ(s("scope"), "mfrom");
    EXPECT_EQ(s("domain"), "example.com");
    EXPECT_EQ(s("matched"), "-all");
    EXPECT_EQ(s("matched_domain"), "redir.example.net");
    EXPECT_EQ(s("explanation"), "192.0.2.10 is not one of redir.example.net's senders");
    EXPECT_TRUE(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(doc->get(), "problem")));
    EXPECT_EQ(cJSON_GetObjectItemCaseSensitive(doc->get(), "lookups")->valuedouble, 1);
    EXPECT_EQ(cJSON_GetObjectItemCaseSensitive(doc->get(), "lookup_limit")->valuedouble, 10);
    EXPECT_EQ(cJSON_GetObjectItemCaseSensitive(doc->get(), "void_lookup_limit")->valuedouble, 2);
}

TEST(SpfJson, RecordTermsAndFindings) {
    const std::string rec = "v=spf1 a:mail.example.com/24//64 ?all foo=bar";
    auto r = spf_parse(rec);
    ASSERT_TRUE(r);
    std::string out;
    JsonWriter w(out);
    write_spf_record_json(w, *r, spf_lint_record(rec));
    auto doc = json_parse(out, 1 << 20);
    ASSERT_TRUE(doc) << out;
    const cJSON *terms = cJSON_GetObjectItemCaseSensitive(doc->get(), "terms");
    ASSERT_EQ(cJSON_GetArraySize(terms), 3);
    const cJSON *a = cJSON_GetArrayItem(terms, 0);
    EXPECT_STREQ(cJSON_GetObjectItemCaseSensitive(a, "type")->valuestring, "mechanism");
    EXPECT_STREQ(cJSON_GetObjectItemCaseSensitive(a, "qualifier")->valuestring, "+");
    EXPECT_STREQ(cJSON_GetObjectItemCaseSensitive(a, "result")->valuestring, "pass");
    EXPECT_STREQ(cJSON_GetObjectItemCaseSensitive(a, "name")->valuestring, "a");
    EXPECT_STREQ(cJSON_GetObjectItemCaseSensitive(a, "value")->valuestring, "mail.example.com");
    EXPECT_EQ(cJSON_GetObjectItemCaseSensitive(a, "cidr4")->valuedouble, 24);
    EXPECT_EQ(cJSON_GetObjectItemCaseSensitive(a, "cidr6")->valuedouble, 64);
    EXPECT_TRUE(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "lookup")));
    const cJSON *all = cJSON_GetArrayItem(terms, 1);
    EXPECT_STREQ(cJSON_GetObjectItemCaseSensitive(all, "result")->valuestring, "neutral");
    EXPECT_TRUE(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(all, "value")));
    EXPECT_TRUE(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(all, "cidr4")));
    const cJSON *mod = cJSON_GetArrayItem(terms, 2);
    EXPECT_STREQ(cJSON_GetObjectItemCaseSensitive(mod, "type")->valuestring, "modifier");
    EXPECT_TRUE(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(mod, "qualifier")));
    EXPECT_EQ(cJSON_GetObjectItemCaseSensitive(doc->get(), "lookup_terms")->valuedouble, 1);
    EXPECT_EQ(cJSON_GetObjectItemCaseSensitive(doc->get(), "warnings")->valuedouble, 1);
    const cJSON *findings = cJSON_GetObjectItemCaseSensitive(doc->get(), "findings");
    ASSERT_EQ(cJSON_GetArraySize(findings), 2);  // spf.neutral_all, spf.unknown_modifier
    const cJSON *f0 = cJSON_GetArrayItem(findings, 0);
    EXPECT_TRUE(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(f0, "position")));
}

TEST(SpfJson, UnparsedRecordCarriesTheSyntaxError) {
    std::string out;
    JsonWriter w(out);
    write_spf_record_json(w, SpfRecord{}, spf_lint_record("v=spf1 moo"));
    auto doc = json_parse(out, 1 << 20);
    ASSERT_TRUE(doc) << out;
    EXPECT_EQ(cJSON_GetObjectItemCaseSensitive(doc->get(), "errors")->valuedouble, 1);
    const cJSON *f0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc->get(), "findings"), 0);
    EXPECT_STREQ(cJSON_GetObjectItemCaseSensitive(f0, "code")->valuestring, "spf.syntax");
    EXPECT_EQ(cJSON_GetObjectItemCaseSensitive(f0, "position")->valuedouble, 7);
}

}  // namespace
}  // namespace presend
