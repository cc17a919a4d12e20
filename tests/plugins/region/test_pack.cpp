// The policy pack (the shipped one, validation, RFC 7396 merge) and the
// plugin's configuration.
#include <cjson/cJSON.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>

#include "helpers.hpp"

namespace rp = presend::region;
using ::testing::HasSubstr;
using region_test::error_of;
using region_test::policy;

namespace {

bool has(const std::vector<std::string> &v, std::string_view s) { return std::find(v.begin(), v.end(), s) != v.end(); }

TEST(RegionPack, TheShippedPackParses) {
    auto pack = rp::parse_pack(rp::shipped_pack_json());
    ASSERT_TRUE(pack.ok()) << pack.error().message;
    EXPECT_FALSE(pack->version.empty());
    for (const char *id : {"EU", "GB", "US", "CA", "AU"}) EXPECT_NE(pack->find(id), nullptr) << id;
}

TEST(RegionPack, CountriesMapToTheirJurisdictions) {
    auto pack = rp::parse_pack(rp::shipped_pack_json()).value();
    const std::map<std::string, std::string> expected{
        {"DE", "EU"}, {"FR", "EU"}, {"GR", "EU"}, {"HU", "EU"}, {"IE", "EU"}, {"NO", "EU"}, {"IS", "EU"},
        {"LI", "EU"}, {"RE", "EU"}, {"GB", "GB"}, {"UK", "GB"}, {"US", "US"}, {"PR", "US"}, {"CA", "CA"},
        {"AU", "AU"}, {"de", "EU"}, {"ca", "CA"}};
    for (const auto &[country, id] : expected) {
        const rp::Jurisdiction *j = pack.for_country(country);
        ASSERT_NE(j, nullptr) << country;
        EXPECT_EQ(j->id, id) << country;
    }
    // Not EU/EEA, and not in the pack: Switzerland, Japan, the Channel Islands.
    for (const char *other : {"CH", "JP", "JE", "XX", "", "DEU"}) EXPECT_EQ(pack.for_country(other), nullptr) << other;
}

TEST(RegionPack, TheEuHasTwentySevenMembersAndTheEea) {
    auto pack = rp::parse_pack(rp::shipped_pack_json()).value();
    const rp::Jurisdiction *eu = pack.find("EU");
    ASSERT_NE(eu, nullptr);
    const char *members[] = {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
                             "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"};
    EXPECT_EQ(std::size(members), 27u);
    for (const char *m : members) EXPECT_TRUE(has(eu->countries, m)) << m;
    for (const char *m : {"IS", "LI", "NO"}) EXPECT_TRUE(has(eu->countries, m)) << m;
}

TEST(RegionPack, EuResidencyRegionsAreInsideTheEu) {
    auto pack = rp::parse_pack(rp::shipped_pack_json()).value();
    const rp::Jurisdiction *eu = pack.find("EU");
    ASSERT_NE(eu, nullptr);
    for (const char *r : {"eu-west-1", "eu-west-3", "eu-central-1", "eu-south-1", "eu-south-2", "eu-north-1"}) {
        EXPECT_TRUE(has(eu->residency_regions, r)) << r;
    }
    // London (UK) and Zurich (Switzerland) are outside the EU/EEA.
    for (const char *r : {"eu-west-2", "eu-central-2", "us-east-1"}) EXPECT_FALSE(has(eu->residency_regions, r)) << r;
    // Every residency region is in the region table, in an EU/EEA country.
    for (const auto &r : eu->residency_regions) {
        auto it = pack.aws_regions.find(r);
        ASSERT_NE(it, pack.aws_regions.end()) << r;
        EXPECT_TRUE(has(eu->countries, it->second.country)) << r;
    }
}

TEST(RegionPack, TheLawsNumbersAreInThePack) {
    auto pack = rp::parse_pack(rp::shipped_pack_json()).value();
    const rp::Jurisdiction &ca = *pack.find("CASL");
    EXPECT_EQ(ca.bases[size_t(rp::Basis::implied_purchase)].months, 24);
    EXPECT_EQ(ca.bases[size_t(rp::Basis::implied_inquiry)].months, 6);
    EXPECT_TRUE(ca.bases[size_t(rp::Basis::express)].accepted);
    EXPECT_EQ(ca.bases[size_t(rp::Basis::express)].months, 0);
    EXPECT_EQ(ca.opt_out_business_days, 10);
    EXPECT_EQ(pack.find("US")->opt_out_business_days, 10);
    EXPECT_EQ(pack.find("US")->regime, rp::Regime::opt_out);
    EXPECT_TRUE(pack.find("US")->postal_address);
    EXPECT_EQ(pack.find("AU")->opt_out_business_days, 5);
    EXPECT_EQ(pack.find("EU")->opt_out_business_days, -1);
    EXPECT_TRUE(pack.find("GB")->bases[size_t(rp::Basis::existing_customer)].accepted);
    EXPECT_FALSE(pack.find("EU")->bases[size_t(rp::Basis::implied_inquiry)].accepted);
}

TEST(RegionPack, NamesAreCaseInsensitiveAndAliasesWork) {
    auto pack = rp::parse_pack(rp::shipped_pack_json()).value();
    const std::map<std::string, std::string> names{{"eu", "EU"},   {"gdpr", "EU"},     {"EEA", "EU"}, {"uk", "GB"},
                                                   {"PECR", "GB"}, {"can-spam", "US"}, {"casl", "CA"}};
    for (const auto &[name, id] : names) {
        ASSERT_NE(pack.find(name), nullptr) << name;
        EXPECT_EQ(pack.find(name)->id, id) << name;
    }
    EXPECT_EQ(pack.find("EUR"), nullptr);
    EXPECT_EQ(pack.find(""), nullptr);
}

struct BadPack {
    const char *json;
    const char *error;
};

constexpr const char *kMinimal =
    R"({"format":1,"version":"t","jurisdictions":{"X":{"name":"X","regime":"opt_in","bases":{"express":{}}}}})";

TEST(RegionPack, AMinimalPackParses) {
    auto pack = rp::parse_pack(kMinimal);
    ASSERT_TRUE(pack.ok()) << pack.error().message;
    EXPECT_EQ(pack->jurisdictions.size(), 1u);
    EXPECT_EQ(pack->jurisdictions[0].law, "X");
    EXPECT_TRUE(pack->jurisdictions[0].evidence.empty());
}

TEST(RegionPack, ValidationNamesWhatIsWrong) {
    const BadPack cases[] = {
        {"", "not well-formed JSON"},
        {"[]", "must be an object"},
        {R"({"format":1,"version":"t","jurisdictions":{}} x)", "text after the JSON value"},
        {"{\"format\":1,\"version\":\"\xff\"}", "not valid UTF-8"},
        {R"({"format":2,"version":"t","jurisdictions":{}})", "format 2 is not supported"},
        {R"({"version":"t","jurisdictions":{"X":{"name":"X","regime":"opt_out"}}})", "needs \"format\": 1"},
        {R"({"format":1,"jurisdictions":{"X":{"name":"X","regime":"opt_out"}}})", "needs a version"},
        {R"({"format":1,"version":"a b","jurisdictions":{}})", "spaces"},
        {R"({"format":1,"version":"t"})", "needs jurisdictions"},
        {R"({"format":1,"version":"t","jurisdictions":{}})", "at least one"},
        {R"({"format":1,"version":"t","extra":1,"jurisdictions":{}})", "unknown key \"extra\""},
        {R"({"format":1,"format":1,"version":"t","jurisdictions":{}})", "key \"format\" twice"},
        {R"({"format":1,"version":"t","jurisdictions":{"eu":{"name":"X","regime":"opt_out"}}})", "upper-case"},
        {R"({"format":1,"version":"t","jurisdictions":{"X":{"regime":"opt_out"}}})", "needs a name"},
        {R"({"format":1,"version":"t","jurisdictions":{"X":{"name":"X"}}})", "needs a regime"},
        {R"({"format":1,"version":"t","jurisdictions":{"X":{"name":"X","regime":"maybe"}}})", "opt_in\" or \"opt_out"},
        {R"({"format":1,"version":"t","jurisdictions":{"X":{"name":"X","regime":"opt_in"}}})", "accepts no consent basis"},
        {R"({"format":1,"version":"t","jurisdictions":{"X":{"name":"X","regime":"opt_in","bases":{"implied":{}}}}})",
         "unknown basis"},
        {R"({"format":1,"version":"t","jurisdictions":{"X":{"name":"X","regime":"opt_in","bases":{"express":{"months":0}}}}})",
         "from 1 to 1200"},
        {R"({"format":1,"version":"t","jurisdictions":{"X":{"name":"X","regime":"opt_in","bases":{"express":{"months":1.5}}}}})",
         "whole number"},
        {R"({"format":1,"version":"t","jurisdictions":{"X":{"name":"X","regime":"opt_out","countries":["de"]}}})",
         "ISO 3166-1"},
        {R"({"format":1,"version":"t","jurisdictions":{"X":{"name":"X","regime":"opt_out","countries":["DE","DE"]}}})",
         "listed twice"},
        {R"({"format":1,"version":"t","jurisdictions":{"X":{"name":"X","regime":"opt_out","countries":["DE"]},"Y":{"name":"Y","regime":"opt_out","countries":["DE"]}}})",
         "country DE is in both X and Y"},
        {R"({"format":1,"version":"t","jurisdictions":{"X":{"name":"X","regime":"opt_out","aliases":["Y"]},"Y":{"name":"Y","regime":"opt_out"}}})",
         "stands for both"},
        {R"({"format":1,"version":"t","jurisdictions":{"X":{"name":"X","regime":"opt_out","evidence":["time"]}}})",
         "consented_at, method, source"},
        {R"({"format":1,"version":"t","jurisdictions":{"X":{"name":"X","regime":"opt_out","residency_regions":["EU-WEST-1"]}}})",
         "AWS region code"},
        {R"({"format":1,"version":"t","jurisdictions":{"X":{"name":"X","regime":"opt_out","opt_out_deadline":{}}}})",
         "needs business_days"},
        {R"({"format":1,"version":"t","jurisdictions":{"X":{"name":"X","regime":"opt_out","opt_out_deadline":{"business_days":400}}}})",
         "from 0 to 365"},
        {R"({"format":1,"version":"t","jurisdictions":{"X":{"name":"X","regime":"opt_out","opt_out_deadline":{"business_days":10,"holidays":["2026-02-30"]}}}})",
         "YYYY-MM-DD"},
        {R"({"format":1,"version":"t","jurisdictions":{"X":{"name":"X","regime":"opt_out","postal_address":"yes"}}})",
         "true or false"},
        {R"({"format":1,"version":"t","aws_regions":{"eu-west-1":{"name":"x","country":"Ireland"}},"jurisdictions":{"X":{"name":"X","regime":"opt_out"}}})",
         "aws_regions.eu-west-1.country"},
        {R"({"format":1,"version":"t","aws_regions":{"eu west":{}},"jurisdictions":{"X":{"name":"X","regime":"opt_out"}}})",
         "not an AWS region code"},
    };
    for (const auto &c : cases) {
        auto pack = rp::parse_pack(c.json);
        ASSERT_FALSE(pack.ok()) << c.json;
        EXPECT_THAT(pack.error().message, HasSubstr(c.error)) << c.json;
    }
}

TEST(RegionPack, APackOverTheSizeLimitIsRefused) {
    std::string big(rp::kMaxPackBytes + 1, ' ');
    auto pack = rp::parse_pack(big);
    ASSERT_FALSE(pack.ok());
    EXPECT_THAT(pack.error().message, HasSubstr("the limit is"));
}

// RFC 7396, Appendix A.
struct MergeCase {
    const char *target, *patch, *result;
};

TEST(RegionPack, MergePatchFollowsRfc7396) {
    const MergeCase cases[] = {
        {R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
        {R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
        {R"({"a":"b"})", R"({"a":null})", R"({})"},
        {R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
        {R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
        {R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
        {R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
        {R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
        {R"(["a","b"])", R"(["c","d"])", R"(["c","d"])"},
        {R"({"a":"b"})", R"(["c"])", R"(["c"])"},
        {R"({"a":"foo"})", "null", "null"},
        {R"({"a":"foo"})", R"("bar")", R"("bar")"},
        {R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
        {R"([1,2])", R"({"a":"b","c":null})", R"({"a":"b"})"},
        {R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
    };
    for (const auto &c : cases) {
        auto merged = rp::merge_patch(c.target, c.patch);
        ASSERT_TRUE(merged.ok()) << merged.error().message;
        EXPECT_EQ(*merged, c.result) << c.target << " + " << c.patch;
    }
}

// --- Configuration ----------------------------------------------------------

TEST(RegionConfig, EmptyConfigurationUsesTheShippedPack) {
    rp::Policy p = policy("{}");
    EXPECT_EQ(p.pack.version, rp::parse_pack(rp::shipped_pack_json())->version);
    EXPECT_TRUE(p.settings.default_jurisdiction.empty());
    EXPECT_TRUE(p.settings.residency.empty());
    EXPECT_EQ(p.settings.default_basis, rp::Basis::express);
    EXPECT_EQ(p.settings.expiring_notice_days, 30);
}

TEST(RegionConfig, SettingsAreRead) {
    rp::Policy p = policy(R"({
        "default_jurisdiction": "us",
        "list_jurisdictions": {"weekly": "GDPR", "ca-news": "CA"},
        "require_double_opt_in": ["EU"],
        "data_residency": true,
        "sender": {"name": "Example Inc.", "postal_address": ["1 Main St", "2 Side St"]},
        "postal_address_header": "X-Postal",
        "consent_bases": {"sources": {"Checkout": "implied_purchase"}, "methods": {"import": "existing_customer"},
                          "default": "express"},
        "expiring_notice_days": 0})");
    const rp::Settings &s = p.settings;
    EXPECT_EQ(s.default_jurisdiction, "US");
    EXPECT_EQ(s.list_jurisdictions.at("weekly"), "EU");
    EXPECT_EQ(s.list_jurisdictions.at("ca-news"), "CA");
    EXPECT_TRUE(p.double_opt_in(*p.pack.find("EU")));
    EXPECT_FALSE(p.double_opt_in(*p.pack.find("GB")));
    EXPECT_TRUE(p.residency(*p.pack.find("EU")));
    EXPECT_FALSE(p.residency(*p.pack.find("US")));  // no residency regions
    EXPECT_EQ(s.sender_name, "Example Inc.");
    EXPECT_EQ(s.postal_addresses.size(), 2u);
    EXPECT_EQ(s.postal_address_header, "X-Postal");
    EXPECT_EQ(s.expiring_notice_days, 0);
    EXPECT_EQ(s.basis_of("checkout", "single"), rp::Basis::implied_purchase);
    EXPECT_EQ(s.basis_of("", "import"), rp::Basis::existing_customer);
}

struct BasisCase {
    const char *source, *method;
    rp::Basis basis;
};

TEST(RegionConfig, TheRecordsSourceAndMethodGiveItsBasis) {
    rp::Policy p = policy(R"({"consent_bases": {"sources": {"web-form": "implied_inquiry"},
                                                "methods": {"import": "existing_customer"}}})");
    const BasisCase cases[] = {
        {"purchase", "single", rp::Basis::implied_purchase},
        {"Purchase:order-1234", "api", rp::Basis::implied_purchase},  // prefix before ':' and any case
        {"inquiry", "single", rp::Basis::implied_inquiry},
        {"inquiry:ticket 9", "single", rp::Basis::implied_inquiry},
        {"customer", "single", rp::Basis::existing_customer},
        {"existing_customer", "single", rp::Basis::existing_customer},
        {"web-form", "double", rp::Basis::implied_inquiry},
        {"https://example.com/signup", "double", rp::Basis::express},
        {"purchases", "single", rp::Basis::express},  // whole words only
        {"", "import", rp::Basis::existing_customer},
        {"crm", "import", rp::Basis::existing_customer},
        {"purchase", "import", rp::Basis::implied_purchase},  // the source wins
        {"", "single", rp::Basis::express},
    };
    for (const auto &c : cases) EXPECT_EQ(p.settings.basis_of(c.source, c.method), c.basis) << c.source << "/" << c.method;
}

TEST(RegionConfig, ASourceMappingCanBeTurnedBackToExpress) {
    rp::Policy p = policy(R"({"consent_bases": {"sources": {"purchase": "express"}, "default": "implied_inquiry"}})");
    EXPECT_EQ(p.settings.basis_of("purchase", "single"), rp::Basis::express);
    EXPECT_EQ(p.settings.basis_of("other", "single"), rp::Basis::implied_inquiry);
}

struct BadConfig {
    const char *json;
    const char *error;
};

TEST(RegionConfig, MistakesAreInitErrorsThatNameTheKey) {
    const BadConfig cases[] = {
        {"", "not well-formed JSON"},
        {"[]", "must be an object"},
        {R"({"default_jurisdcition": "US"})", "unknown key \"default_jurisdcition\""},
        {R"({"default_jurisdiction": "Mars"})", "default_jurisdiction: \"Mars\" is not a jurisdiction"},
        {R"({"default_jurisdiction": 1})", "default_jurisdiction must be a string"},
        {R"({"list_jurisdictions": {"weekly": "XX"}})", "list_jurisdictions.weekly"},
        {R"({"list_jurisdictions": []})", "list_jurisdictions must be an object"},
        {R"({"require_double_opt_in": ["US"]})", "US needs no consent"},
        {R"({"require_double_opt_in": "EU"})", "true, false or an array"},
        {R"({"data_residency": ["GB"]})", "GB has no residency_regions"},
        {R"({"data_residency": ["Atlantis"]})", "data_residency[0]"},
        {R"({"sender": {"name": "..."}})", "sender.name has no letters or digits"},
        {R"({"sender": {"postal_address": [""]}})", "sender.postal_address[0] must not be empty"},
        {R"({"sender": {"postal_address": "--"}})", "has no letters or digits"},
        {R"({"sender": {"phone": "1"}})", "unknown key \"phone\""},
        {R"({"postal_address_in_template": "yes"})", "true or false"},
        {R"({"postal_address_header": "X Postal"})", "header field name"},
        {R"({"consent_bases": {"sources": {"purchase": "implied"}}})", "consent_bases.sources.purchase must be"},
        {R"({"consent_bases": {"methods": {"email": "express"}}})", "not a method"},
        {R"({"consent_bases": {"default": "opt_in"}})", "consent_bases.default must be"},
        {R"({"expiring_notice_days": -1})", "from 0 to 3650"},
        {R"({"pack_mode": "merge"})", "pack_mode needs a pack"},
        {R"({"pack": {}, "pack_mode": "overlay"})", "\"merge\" or \"replace\""},
        {R"({"pack": 3})", "file name or a policy pack object"},
        {R"({"pack": {"jurisdictions": {"EU": {"regime": "sometimes"}}}})",
         "merged over the shipped pack): jurisdictions.EU.regime"},
        {R"({"pack": {"format": 1}, "pack_mode": "replace"})", "needs a version"},
    };
    for (const auto &c : cases) EXPECT_THAT(error_of(c.json), HasSubstr(c.error)) << c.json;
}

TEST(RegionConfig, AnInlinePackIsMergedOverTheShippedOne) {
    rp::Policy p = policy(R"j({"pack": {"version": "acme-1",
        "jurisdictions": {"EU": {"double_opt_in": true, "countries": ["DE", "AT"]},
                          "CH": {"name": "Switzerland", "law": "UWG Art. 3(1)(o)", "countries": ["CH"],
                                 "regime": "opt_in", "bases": {"express": {}}, "unsubscribe": true},
                          "AU": null}}})j");
    EXPECT_EQ(p.pack.version, "acme-1");
    const rp::Jurisdiction *eu = p.pack.find("EU");
    ASSERT_NE(eu, nullptr);
    EXPECT_TRUE(eu->double_opt_in);
    EXPECT_EQ(eu->countries.size(), 2u);                      // arrays are replaced
    EXPECT_FALSE(eu->residency_regions.empty());              // untouched keys stay
    EXPECT_EQ(p.pack.for_country("CH")->id, "CH");           // added
    EXPECT_EQ(p.pack.find("AU"), nullptr);                    // removed
    EXPECT_EQ(p.pack.for_country("FR"), nullptr);
}

TEST(RegionConfig, APackFileIsReadAndCanReplaceTheShippedOne) {
    std::string asked;
    auto reader = [&](const std::string &path) -> rp::Result<std::string> {
        asked = path;
        return std::string(R"({"format":1,"version":"only-us","jurisdictions":{"US":{"name":"United States",
            "regime":"opt_out","countries":["US"],"postal_address":true,"unsubscribe":true}}})");
    };
    auto p = rp::make_policy(R"({"pack": "packs/acme.json", "pack_mode": "replace", "default_jurisdiction": "US"})", reader);
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(asked, "packs/acme.json");
    EXPECT_EQ(p->pack.version, "only-us");
    EXPECT_EQ(p->pack.jurisdictions.size(), 1u);
    EXPECT_EQ(p->pack.find("EU"), nullptr);
}

TEST(RegionConfig, AnUnreadablePackFileIsAnInitError) {
    auto reader = [](const std::string &path) -> rp::Result<std::string> { return rp::Error{"cannot open " + path}; };
    EXPECT_THAT(error_of(R"({"pack": "missing.json"})", reader), HasSubstr("pack: cannot open missing.json"));
    // And the real reader says why.
    EXPECT_THAT(error_of(R"({"pack": "/nonexistent/region-pack.json"})"), HasSubstr("cannot open /nonexistent/region-pack.json"));
}

TEST(RegionConfig, ABrokenPackFileNamesTheFile) {
    auto reader = [](const std::string &) -> rp::Result<std::string> { return std::string("{\"jurisdictions\": "); };
    EXPECT_THAT(error_of(R"({"pack": "acme.json"})", reader), HasSubstr("pack acme.json: the pack override is not well-formed"));
}

// --- Reasons ----------------------------------------------------------------

TEST(RegionReasons, EveryCodeIsDeclaredOnceWithItsPrefix) {
    std::vector<std::string> seen;
    for (const auto &r : rp::reasons()) {
        EXPECT_EQ(r.code.substr(0, 7), "region.") << r.code;
        EXPECT_FALSE(has(seen, r.code)) << r.code;
        EXPECT_FALSE(r.description.empty()) << r.code;
        seen.emplace_back(r.code);
    }
    EXPECT_EQ(seen.size(), 14u);
}

TEST(RegionReasons, ReasonsJsonIsTheTable) {
    const std::string &json = rp::reasons_json();
    cJSON *doc = cJSON_Parse(json.c_str());
    ASSERT_NE(doc, nullptr);
    ASSERT_TRUE(cJSON_IsArray(doc));
    ASSERT_EQ(static_cast<size_t>(cJSON_GetArraySize(doc)), rp::reasons().size());
    size_t i = 0;
    for (const cJSON *e = doc->child; e != nullptr; e = e->next, ++i) {
        const auto &r = rp::reasons()[i];
        EXPECT_EQ(cJSON_GetObjectItem(e, "code")->valuestring, r.code);
        EXPECT_EQ(cJSON_GetObjectItem(e, "severity")->valuestring, rp::severity_name(r.severity));
        EXPECT_EQ(cJSON_GetObjectItem(e, "description")->valuestring, r.description);
    }
    cJSON_Delete(doc);
    EXPECT_EQ(rp::find_reason("region.opt_out_overdue")->severity, rp::Severity::block);
    EXPECT_EQ(rp::find_reason("region.implied_consent_expiring")->severity, rp::Severity::info);
    EXPECT_EQ(rp::find_reason("region.nothing"), nullptr);
}

}  // namespace
