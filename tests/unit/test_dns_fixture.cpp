// The DNS fixture format of DESIGN.md, as the fixture resolver reads it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dns.hpp"

namespace presend {
namespace {

using ::testing::ElementsAre;

constexpr const char *kZone = R"({
  "Example.COM.": [ {"TXT": "v=spf1 include:amazonses.com -all"},
                    {"TXT": ["v=DKIM1; k=rsa; ", "p=MIIB"]},
                    {"A": "192.0.2.10"}, {"AAAA": "2001:db8::1"},
                    {"MX": [10, "MX.example.com."]}, {"MX": [20, "backup.example.com"]} ],
  "10.2.0.192.in-addr.arpa": [ {"PTR": "Host.Example.com."} ],
  "tok._domainkey.example.com": [ {"CNAME": "tok.dkim.amazonses.com"} ],
  "tok.dkim.amazonses.com": [ {"TXT": "v=DKIM1; p=abc"} ],
  "loop1.example": [ {"CNAME": "loop2.example"} ], "loop2.example": [ {"CNAME": "loop1.example"} ],
  "slow.example.net": ["TIMEOUT"],
  "broken.example.net": ["SERVFAIL", {"A": "192.0.2.99"}],
  "partial.example.net": [ {"A": "192.0.2.7"}, {"TXT": "TIMEOUT"} ]
})";

std::unique_ptr<FixtureResolver> zone() {
    auto r = FixtureResolver::from_json(kZone);
    if (!r) ADD_FAILURE() << r.error().message;
    return std::move(*r);
}

TEST(DnsFixture, RecordsOfEachType) {
    auto z = zone();
    auto txt = z->query("example.com", RRType::TXT);
    ASSERT_EQ(txt.status, DnsStatus::ok);
    EXPECT_THAT(txt.records, ElementsAre("v=spf1 include:amazonses.com -all", "v=DKIM1; k=rsa; p=MIIB"));
    EXPECT_THAT(z->query("EXAMPLE.com.", RRType::A).records, ElementsAre("192.0.2.10"));
    EXPECT_THAT(z->query("example.com", RRType::AAAA).records, ElementsAre("2001:db8::1"));
    auto mx = z->query("example.com", RRType::MX);
    ASSERT_EQ(mx.mx.size(), 2u);
    EXPECT_EQ(mx.mx[0].preference, 10);
    EXPECT_EQ(mx.mx[0].exchange, "mx.example.com");
    EXPECT_THAT(z->query("10.2.0.192.in-addr.arpa", RRType::PTR).records, ElementsAre("host.example.com"));
    EXPECT_EQ(z->queries(), 5u);
}

TEST(DnsFixture, AbsentNamesDoNotExistPresentNamesHaveNoData) {
    auto z = zone();
    EXPECT_EQ(z->query("nowhere.example", RRType::TXT).status, DnsStatus::nxdomain);
    EXPECT_EQ(z->query("10.2.0.192.in-addr.arpa", RRType::TXT).status, DnsStatus::nodata);
}

TEST(DnsFixture, CnamesAreFollowedAndReported) {
    auto z = zone();
    auto a = z->query("tok._domainkey.example.com", RRType::TXT);
    ASSERT_EQ(a.status, DnsStatus::ok);
    EXPECT_THAT(a.records, ElementsAre("v=DKIM1; p=abc"));
    EXPECT_THAT(a.cnames, ElementsAre("tok.dkim.amazonses.com"));
    EXPECT_THAT(z->query("tok._domainkey.example.com", RRType::CNAME).records, ElementsAre("tok.dkim.amazonses.com"));
    EXPECT_EQ(z->query("loop1.example", RRType::TXT).status, DnsStatus::servfail);
}

TEST(DnsFixture, TimeoutsAndServerFailures) {
    auto z = zone();
    EXPECT_EQ(z->query("slow.example.net", RRType::TXT).status, DnsStatus::timeout);
    EXPECT_EQ(z->query("slow.example.net", RRType::A).status, DnsStatus::timeout);
    // A bare failure applies to the types without records.
    EXPECT_EQ(z->query("broken.example.net", RRType::TXT).status, DnsStatus::servfail);
    EXPECT_EQ(z->query("broken.example.net", RRType::A).status, DnsStatus::ok);
    EXPECT_EQ(z->query("partial.example.net", RRType::TXT).status, DnsStatus::timeout);
    EXPECT_TRUE(z->query("partial.example.net", RRType::TXT).failed());
    EXPECT_EQ(z->query("partial.example.net", RRType::A).status, DnsStatus::ok);
}

TEST(DnsFixture, BadFixturesAreClearErrors) {
    for (const char *bad : {"[]", R"({"a": {}})", R"({"a": [{"SRV": "x"}]})", R"({"a": [{"A": "1", "B": "2"}]})",
                            R"({"a": ["LATER"]})", R"({"a": [{"MX": "mx"}]})", R"({"a": [{"MX": [70000, "mx"]}]})",
                            R"({"a": [{"TXT": [1]}]})", "{"}) {
        auto r = FixtureResolver::from_json(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_THAT(r.error().message, ::testing::HasSubstr("DNS fixture")) << bad;
    }
}

}  // namespace
}  // namespace presend
