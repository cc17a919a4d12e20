// The jurisdiction rules, table-driven: each rule of each jurisdiction, and
// both sides of every limit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "helpers.hpp"

namespace rp = presend::region;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using region_test::at;
using region_test::codes;
using region_test::good_message;
using region_test::kBaseConfig;
using region_test::policy;
using region_test::record;

namespace {

using Codes = std::vector<std::string>;

Codes eval(const rp::Policy &p, const rp::ConsentFacts *c, int64_t now, rp::MessageInfo m = good_message()) {
    return codes(rp::evaluate_recipient(p, m, c, now));
}

// --- A clean baseline: every jurisdiction accepts the good message ----------

TEST(RegionRules, AGoodMessageToAConsentingRecipientPassesEverywhere) {
    const rp::Policy p = policy(R"({"postal_address_in_template": true, "data_residency": true})");
    for (const char *country : {"DE", "FR", "NO", "GB", "US", "CA", "AU"}) {
        const auto c = record(country, "2026-01-05");
        EXPECT_THAT(eval(p, &c, at("2026-02-01")), IsEmpty()) << country;
    }
}

// --- Consent in opt-in jurisdictions -------------------------------------------

struct ConsentCase {
    const char *name;
    const char *country;
    const char *status;
    int64_t expires_at;
    Codes expected;
};

TEST(RegionRules, OptInJurisdictionsNeedAValidRecord) {
    const rp::Policy p = policy(kBaseConfig);
    const int64_t now = at("2026-02-01");
    const ConsentCase cases[] = {
        {"EU subscribed", "DE", "subscribed", -1, {}},
        {"EU unconfirmed", "DE", "unconfirmed", -1, {"region.consent_missing"}},
        {"EU expired yesterday", "DE", "subscribed", at("2026-01-31"), {"region.consent_missing"}},
        {"EU expires at this instant", "DE", "subscribed", now, {"region.consent_missing"}},
        {"EU expires a ms later", "DE", "subscribed", now + 1, {}},
        {"EU odd status", "DE", "pending", -1, {"region.consent_missing"}},
        {"GB unconfirmed", "GB", "unconfirmed", -1, {"region.consent_missing"}},
        {"CA unconfirmed", "CA", "unconfirmed", -1, {"region.consent_missing"}},
        {"AU expired", "AU", "subscribed", at("2026-01-01"), {"region.consent_missing"}},
        // CAN-SPAM needs no consent: an unconfirmed or expired record changes nothing.
        {"US unconfirmed", "US", "unconfirmed", -1, {}},
        {"US expired", "US", "subscribed", at("2026-01-01"), {}},
    };
    for (const auto &c : cases) {
        auto r = record(c.country, "2026-01-05");
        r.status = c.status;
        r.expires_at = c.expires_at;
        EXPECT_EQ(eval(p, &r, now), c.expected) << c.name;
    }
}

TEST(RegionRules, NoRecordMeansNoConsentExceptUnderCanSpam) {
    const rp::Policy p = policy(R"({"postal_address_in_template": true, "list_jurisdictions": {"weekly": "EU"},
                                    "default_jurisdiction": "US"})");
    // The list's default applies to a recipient without a record.
    EXPECT_EQ(eval(p, nullptr, at("2026-02-01")), Codes{"region.consent_missing"});
    rp::MessageInfo other = good_message();
    other.list = "offers";  // no list default: the configured default, US
    EXPECT_THAT(eval(p, nullptr, at("2026-02-01"), other), IsEmpty());
}

// --- Consent bases ----------------------------------------------------------

struct BasisCase {
    const char *country;
    const char *source;
    bool accepted;
};

TEST(RegionRules, EachJurisdictionAcceptsItsBases) {
    const rp::Policy p = policy(kBaseConfig);
    const BasisCase cases[] = {
        {"DE", "https://example.com/signup", true}, {"DE", "customer", true},  // ePrivacy Art. 13(2)
        {"DE", "purchase:o-1", true},               {"DE", "inquiry", false},
        {"GB", "customer", true},                   {"GB", "inquiry", true},   // PECR 22(3): negotiations
        {"CA", "inquiry", true},                    {"CA", "purchase", true},
        {"AU", "customer", true},                   {"AU", "inquiry", false},
        {"US", "inquiry", true},                    // no consent needed at all
    };
    for (const auto &c : cases) {
        auto r = record(c.country, "2026-01-05");
        r.source = c.source;
        const Codes got = eval(p, &r, at("2026-02-01"));
        if (c.accepted) {
            EXPECT_THAT(got, IsEmpty()) << c.country << " " << c.source;
        } else {
            EXPECT_EQ(got, Codes{"region.consent_basis_not_accepted"}) << c.country << " " << c.source;
        }
    }
}

TEST(RegionRules, BasisNotAcceptedSaysWhatIs) {
    const rp::Policy p = policy(kBaseConfig);
    auto r = record("DE");
    r.source = "inquiry:ticket-7";
    rp::MessageInfo m = good_message();
    auto fs = rp::evaluate_recipient(p, m, &r, at("2026-02-01"));
    ASSERT_EQ(fs.size(), 1u);
    EXPECT_EQ(fs[0].severity, rp::Severity::block);
    EXPECT_THAT(fs[0].message, HasSubstr("implied_inquiry"));
    EXPECT_THAT(fs[0].message, HasSubstr("\"inquiry:ticket-7\""));
    EXPECT_THAT(fs[0].message, HasSubstr("accepts express, existing_customer, implied_purchase"));
    EXPECT_THAT(fs[0].message, HasSubstr("[EU from the record's country DE; policy pack "));
}

// --- CASL implied consent: 6 months after an inquiry, 2 years after a purchase

struct LapseCase {
    const char *what;
    const char *source;
    const char *consented;
    const char *now;
    Codes expected;
};

TEST(RegionRules, CaslImpliedConsentLapsesOnTheDay) {
    const rp::Policy p = policy(R"({"postal_address_in_template": true, "expiring_notice_days": 0})");
    const LapseCase cases[] = {
        // CASL s. 10(10)(b): an inquiry within the six months before the day of sending.
        {"inquiry, 5 months 29 days", "inquiry", "2025-01-10", "2025-07-09", {}},
        {"inquiry, exactly 6 months", "inquiry", "2025-01-10", "2025-07-10", {}},
        {"inquiry, 6 months 1 day", "inquiry", "2025-01-10", "2025-07-11", {"region.implied_consent_expired"}},
        {"inquiry, a year", "inquiry", "2025-01-10", "2026-01-10", {"region.implied_consent_expired"}},
        {"inquiry on 31 August, 28 February", "inquiry", "2025-08-31", "2026-02-28", {}},
        {"inquiry on 31 August, 1 March", "inquiry", "2025-08-31", "2026-03-01", {"region.implied_consent_expired"}},
        // CASL s. 10(10)(a): a purchase within the two years before.
        {"purchase, 23 months 29 days", "purchase", "2024-03-15", "2026-03-14", {}},
        {"purchase, exactly 24 months", "purchase:order-77", "2024-03-15", "2026-03-15", {}},
        {"purchase, 24 months 1 day", "purchase", "2024-03-15", "2026-03-16", {"region.implied_consent_expired"}},
        {"existing customer, 24 months 1 day", "customer", "2024-03-15", "2026-03-16", {"region.implied_consent_expired"}},
        // Express consent does not lapse.
        {"express, 10 years", "https://example.com/form", "2016-01-10", "2026-01-11", {}},
    };
    for (const auto &c : cases) {
        auto r = record("CA", c.consented);
        r.source = c.source;
        EXPECT_EQ(eval(p, &r, at(c.now)), c.expected) << c.what;
    }
}

TEST(RegionRules, TheLapseIsJudgedByUtcDayNotByTheHour) {
    const rp::Policy p = policy(R"({"postal_address_in_template": true, "expiring_notice_days": 0})");
    auto r = record("CA", "2025-01-10");
    r.source = "inquiry";
    r.consented_at = at("2025-01-10", 23);  // late in the day
    EXPECT_THAT(eval(p, &r, at("2025-07-10", 23) + 3'599'999), IsEmpty());  // last ms of the last day
    EXPECT_EQ(eval(p, &r, at("2025-07-11", 0)), Codes{"region.implied_consent_expired"});
}

TEST(RegionRules, ImpliedConsentExpiringIsNoticedBeforehand) {
    const rp::Policy p = policy(kBaseConfig);  // 30 days' notice by default
    auto r = record("CA", "2025-01-10");
    r.source = "inquiry";  // its last day is 2025-07-10
    EXPECT_THAT(eval(p, &r, at("2025-06-10")), IsEmpty());  // 30 days left
    EXPECT_EQ(eval(p, &r, at("2025-06-11")), Codes{"region.implied_consent_expiring"});  // 29
    EXPECT_EQ(eval(p, &r, at("2025-07-10")), Codes{"region.implied_consent_expiring"});  // the last day
    EXPECT_EQ(eval(p, &r, at("2025-07-11")), Codes{"region.implied_consent_expired"});
    rp::MessageInfo m = good_message();
    auto fs = rp::evaluate_recipient(p, m, &r, at("2025-07-10"));
    ASSERT_EQ(fs.size(), 1u);
    EXPECT_EQ(fs[0].severity, rp::Severity::info);
    EXPECT_THAT(fs[0].message, HasSubstr("its last day is 2025-07-10, today"));
}

// --- Evidence ---------------------------------------------------------------

struct EvidenceCase {
    const char *country;
    const char *drop;  // the field emptied
    Codes expected;
};

TEST(RegionRules, EvidenceOfConsentIsRequiredWhereTheSenderMustProveIt) {
    const rp::Policy p = policy(kBaseConfig);
    const EvidenceCase cases[] = {
        {"DE", "", {}},
        {"DE", "source", {"region.consent_evidence_missing"}},
        {"DE", "consented_at", {"region.consent_evidence_missing"}},
        {"DE", "method", {"region.consent_evidence_missing"}},
        {"DE", "ip", {}},            // not required by the shipped pack
        {"DE", "confirmed_at", {}},  // nor this
        {"GB", "source", {"region.consent_evidence_missing"}},
        {"CA", "source", {"region.consent_evidence_missing"}},  // CASL s. 13
        {"AU", "source", {"region.consent_evidence_missing"}},  // Spam Act s. 16(5)
        {"US", "source", {}},
    };
    for (const auto &c : cases) {
        auto r = record(c.country);
        const std::string_view d = c.drop;
        if (d == "source") r.source = "";
        if (d == "consented_at") r.consented_at = 0;
        if (d == "method") r.method = "";
        if (d == "ip") r.ip = "";
        if (d == "confirmed_at") r.confirmed_at = -1;
        EXPECT_EQ(eval(p, &r, at("2026-02-01")), c.expected) << c.country << " without " << c.drop;
    }
}

TEST(RegionRules, EvidenceFindingListsEveryMissingField) {
    const rp::Policy p = policy(R"({"postal_address_in_template": true,
        "pack": {"jurisdictions": {"EU": {"evidence": ["consented_at", "method", "source", "ip", "confirmed_at"]}}}})");
    auto r = record("DE");
    r.source = "";
    r.ip = "";
    r.confirmed_at = -1;
    r.method = "single";
    rp::MessageInfo m = good_message();
    auto fs = rp::evaluate_recipient(p, m, &r, at("2026-02-01"));
    ASSERT_EQ(codes(fs), Codes{"region.consent_evidence_missing"});
    EXPECT_THAT(fs[0].message, HasSubstr("has no source, ip, confirmed_at;"));
}

// --- Double opt-in ----------------------------------------------------------

struct DoiCase {
    const char *what;
    const char *country;
    const char *method;
    bool confirmed;
    const char *source;
    Codes expected;
};

TEST(RegionRules, DoubleOptInWhereConfigured) {
    const rp::Policy p = policy(R"({"postal_address_in_template": true, "require_double_opt_in": ["EU"]})");
    const DoiCase cases[] = {
        {"EU confirmed double", "DE", "double", true, "web", {}},
        {"EU single", "DE", "single", true, "web", {"region.double_opt_in_required"}},
        {"EU double, no confirmation", "DE", "double", false, "web", {"region.double_opt_in_required"}},
        {"EU import", "DE", "import", true, "web", {"region.double_opt_in_required"}},
        {"EU customer, single", "DE", "single", false, "customer", {}},  // soft opt-in: no DOI
        {"GB single", "GB", "single", false, "web", {}},
        {"CA single", "CA", "single", false, "web", {}},
    };
    for (const auto &c : cases) {
        auto r = record(c.country);
        r.method = c.method;
        r.confirmed_at = c.confirmed ? r.consented_at + 1000 : -1;
        r.source = c.source;
        EXPECT_EQ(eval(p, &r, at("2026-02-01")), c.expected) << c.what;
    }
    // true: every opt-in jurisdiction; the pack can also ask for it.
    const rp::Policy all = policy(R"({"postal_address_in_template": true, "require_double_opt_in": true})");
    auto r = record("CA");
    r.method = "single";
    EXPECT_EQ(eval(all, &r, at("2026-02-01")), Codes{"region.double_opt_in_required"});
    const rp::Policy pack = policy(R"({"postal_address_in_template": true,
                                       "pack": {"jurisdictions": {"GB": {"double_opt_in": true}}}})");
    r = record("GB");
    r.method = "api";
    EXPECT_EQ(eval(pack, &r, at("2026-02-01")), Codes{"region.double_opt_in_required"});
}

// --- Opt-outs: at once, and the law's deadline ------------------------------

struct OptOutCase {
    const char *what;
    const char *country;
    const char *withdrawn;  // "" : no withdrawal time
    const char *now;
    Codes expected;
};

TEST(RegionRules, OptOutsStopMailAtOnceAndOverdueOnesAreReported) {
    const rp::Policy p = policy(kBaseConfig);
    const OptOutCase cases[] = {
        // CAN-SPAM 15 U.S.C. 7704(a)(4)(A): 10 business days after the request.
        {"US same day", "US", "2026-03-02", "2026-03-02", {"region.opted_out"}},
        {"US Mon + 10 business days (Mon)", "US", "2026-03-02", "2026-03-16", {"region.opted_out"}},
        {"US Mon + 11 business days (Tue)", "US", "2026-03-02", "2026-03-17", {"region.opt_out_overdue"}},
        {"US Fri + 10 business days (Fri)", "US", "2026-03-06", "2026-03-20", {"region.opted_out"}},
        {"US Fri, the Saturday after", "US", "2026-03-06", "2026-03-21", {"region.opt_out_overdue"}},
        {"US Fri + 11 business days (Mon)", "US", "2026-03-06", "2026-03-23", {"region.opt_out_overdue"}},
        {"US Sat request, 10th business day", "US", "2026-03-07", "2026-03-20", {"region.opted_out"}},
        {"US Sat request, 11th business day", "US", "2026-03-07", "2026-03-23", {"region.opt_out_overdue"}},
        {"US no time recorded", "US", "", "2030-01-01", {"region.opted_out"}},
        {"US request in the future", "US", "2026-04-01", "2026-03-02", {"region.opted_out"}},
        // CASL s. 11(3): 10 business days.
        {"CA 10th business day", "CA", "2026-03-02", "2026-03-16", {"region.opted_out"}},
        {"CA 11th business day", "CA", "2026-03-02", "2026-03-17", {"region.opt_out_overdue"}},
        // Spam Act Sch. 2 cl. 6: 5 business days.
        {"AU 5th business day", "AU", "2026-03-02", "2026-03-09", {"region.opted_out"}},
        {"AU 6th business day", "AU", "2026-03-02", "2026-03-10", {"region.opt_out_overdue"}},
        // GDPR Art. 21(3), PECR: no grace period in the pack.
        {"EU a year later", "DE", "2025-03-02", "2026-03-02", {"region.opted_out"}},
        {"GB a year later", "GB", "2025-03-02", "2026-03-02", {"region.opted_out"}},
    };
    for (const auto &c : cases) {
        auto r = record(c.country, "2025-01-05");
        r.status = "unsubscribed";
        r.withdrawn_at = *c.withdrawn != '\0' ? at(c.withdrawn) : -1;
        EXPECT_EQ(eval(p, &r, at(c.now)), c.expected) << c.what;
    }
}

TEST(RegionRules, OptOutFindingsBlockAndGiveTheDates) {
    const rp::Policy p = policy(kBaseConfig);
    auto r = record("US");
    r.status = "unsubscribed";
    r.withdrawn_at = at("2026-03-02");
    rp::MessageInfo m = good_message();
    auto within = rp::evaluate_recipient(p, m, &r, at("2026-03-03"));
    ASSERT_EQ(within.size(), 1u);
    EXPECT_EQ(within[0].severity, rp::Severity::block);
    EXPECT_THAT(within[0].message, HasSubstr("allows 10 business days, until 2026-03-16"));
    auto overdue = rp::evaluate_recipient(p, m, &r, at("2026-03-17"));
    ASSERT_EQ(overdue.size(), 1u);
    EXPECT_EQ(overdue[0].severity, rp::Severity::block);
    EXPECT_THAT(overdue[0].message, HasSubstr("opted out on 2026-03-02"));
    EXPECT_THAT(overdue[0].message, HasSubstr("ended on 2026-03-16"));
}

TEST(RegionRules, HolidaysInThePackExtendTheDeadline) {
    const rp::Policy p = policy(R"({"postal_address_in_template": true,
        "pack": {"jurisdictions": {"US": {"opt_out_deadline": {"business_days": 10,
                                                               "holidays": ["2026-03-09", "2026-03-13"]}}}}})");
    auto r = record("US");
    r.status = "unsubscribed";
    r.withdrawn_at = at("2026-03-06");
    EXPECT_EQ(eval(p, &r, at("2026-03-24")), Codes{"region.opted_out"});
    EXPECT_EQ(eval(p, &r, at("2026-03-25")), Codes{"region.opt_out_overdue"});
}

TEST(RegionRules, AWithdrawalSkipsTheConsentRules) {
    // Withdrawn is reported once, not also as missing consent or evidence.
    const rp::Policy p = policy(kBaseConfig);
    auto r = record("DE");
    r.status = "unsubscribed";
    r.withdrawn_at = at("2026-01-01");
    r.source = "";
    EXPECT_EQ(eval(p, &r, at("2026-02-01")), Codes{"region.opted_out"});
}

// --- Data residency ---------------------------------------------------------

struct ResidencyCase {
    const char *country;
    const char *region;  // "" : the message names none
    bool marketing;
    Codes expected;
};

TEST(RegionRules, EuRecipientsOnlyThroughEuRegions) {
    const rp::Policy p = policy(R"({"postal_address_in_template": true, "data_residency": ["EU"]})");
    const ResidencyCase cases[] = {
        {"DE", "eu-west-1", true, {}},       {"DE", "eu-west-3", true, {}},       {"DE", "eu-central-1", true, {}},
        {"DE", "eu-south-1", true, {}},      {"DE", "eu-south-2", true, {}},      {"DE", "eu-north-1", true, {}},
        {"DE", "eusc-de-east-1", true, {}},
        {"DE", "eu-west-2", true, {"region.residency_violation"}},     // London
        {"DE", "eu-central-2", true, {"region.residency_violation"}},  // Zurich
        {"NO", "us-east-1", true, {"region.residency_violation"}},
        {"DE", "", true, {"region.residency_violation"}},
        {"DE", "EU-WEST-1", true, {"region.residency_violation"}},  // region codes are exact
        {"DE", "us-east-1", false, {"region.residency_violation"}},  // transactional too
        {"DE", "eu-west-1", false, {}},
        {"US", "eu-west-1", true, {}},
        {"GB", "us-east-1", true, {}},
    };
    for (const auto &c : cases) {
        auto r = record(c.country);
        rp::MessageInfo m = good_message();
        m.marketing = c.marketing;
        if (*c.region != '\0') m.region = c.region;
        else m.region.reset();
        EXPECT_EQ(eval(p, &r, at("2026-02-01"), m), c.expected) << c.country << " via " << c.region;
    }
}

TEST(RegionRules, ResidencyIsOffUnlessConfigured) {
    const rp::Policy p = policy(kBaseConfig);
    auto r = record("DE");
    rp::MessageInfo m = good_message();
    m.region = "us-east-1";
    EXPECT_THAT(eval(p, &r, at("2026-02-01"), m), IsEmpty());
}

TEST(RegionRules, ResidencyFindingNamesTheRegion) {
    const rp::Policy p = policy(R"({"data_residency": true, "postal_address_in_template": true})");
    auto r = record("FR");
    rp::MessageInfo m = good_message();
    m.region = "eu-west-2";
    auto fs = rp::evaluate_recipient(p, m, &r, at("2026-02-01"));
    ASSERT_EQ(codes(fs), Codes{"region.residency_violation"});
    EXPECT_EQ(fs[0].severity, rp::Severity::block);
    EXPECT_THAT(fs[0].message, HasSubstr("\"eu-west-2\" (Europe (London), GB)"));
}

// --- Content: unsubscribe, postal address, sender identification -------------

struct ContentCase {
    const char *what;
    const char *country;
    bool unsubscribe;
    bool display_name;
    Codes expected;
};

TEST(RegionRules, ContentRulesPerJurisdiction) {
    const rp::Policy p = policy(kBaseConfig);
    const ContentCase cases[] = {
        {"EU no List-Unsubscribe", "DE", false, true, {"region.unsubscribe_missing"}},
        {"GB no List-Unsubscribe", "GB", false, true, {"region.unsubscribe_missing"}},
        {"US no List-Unsubscribe", "US", false, true, {"region.unsubscribe_missing"}},
        {"CA no List-Unsubscribe", "CA", false, true, {"region.unsubscribe_missing"}},
        {"AU no List-Unsubscribe", "AU", false, true, {"region.unsubscribe_missing"}},
        {"CA no display name", "CA", true, false, {"region.sender_identification_missing"}},
        {"AU no display name", "AU", true, false, {"region.sender_identification_missing"}},
        {"US no display name", "US", true, false, {}},
        {"EU no display name", "DE", true, false, {}},
        {"CA neither", "CA", false, false, {"region.unsubscribe_missing", "region.sender_identification_missing"}},
    };
    for (const auto &c : cases) {
        auto r = record(c.country);
        rp::MessageInfo m = good_message();
        if (!c.unsubscribe) m.headers = {{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"}};
        if (!c.display_name) m.from = "news@example.com";
        EXPECT_EQ(eval(p, &r, at("2026-02-01"), m), c.expected) << c.what;
    }
}

TEST(RegionRules, AnEmptyListUnsubscribeIsNoOptOut) {
    const rp::Policy p = policy(kBaseConfig);
    auto r = record("US");
    rp::MessageInfo m = good_message();
    m.headers = {{"list-unsubscribe", "  "}};
    EXPECT_EQ(eval(p, &r, at("2026-02-01"), m), Codes{"region.unsubscribe_missing"});
    m.headers = {{"list-unsubscribe", "<mailto:u@example.com>"}};  // any case of the name
    EXPECT_THAT(eval(p, &r, at("2026-02-01"), m), IsEmpty());
}

struct PostalCase {
    const char *what;
    const char *config;
    const char *raw;          // nullptr: a structured message
    const char *header;       // X-Presend-Postal-Address value, or nullptr
    bool present;
};

TEST(RegionRules, PostalAddressUnderCanSpamAndCasl) {
    const char *with_address = "From: a@example.com\r\nSubject: Sale\r\n\r\nBig sale!\r\nExample Inc., 1 Main Street, "
                               "Springfield, IL 62701\r\n";
    const char *without = "From: a@example.com\r\nSubject: Sale\r\n\r\nBig sale!\r\n";
    const char *addr = R"({"sender": {"postal_address": "1 Main Street\nSpringfield, IL 62701"}})";
    const PostalCase cases[] = {
        {"raw with the address", addr, with_address, nullptr, true},
        {"raw without it", addr, without, nullptr, false},
        {"raw, nothing configured", "{}", with_address, nullptr, false},
        {"structured, nothing declared", addr, nullptr, nullptr, false},
        {"structured, header declares it", addr, nullptr, "1 Main Street, Springfield", true},
        {"structured, empty header", addr, nullptr, " ", false},
        {"structured, declared by configuration", R"({"postal_address_in_template": true})", nullptr, nullptr, true},
        {"raw, another of several addresses",
         R"({"sender": {"postal_address": ["PO Box 9, Toronto ON", "1 Main Street Springfield IL 62701"]}})",
         with_address, nullptr, true},
    };
    for (const char *country : {"US", "CA"}) {
        for (const auto &c : cases) {
            const rp::Policy p = policy(c.config);
            auto r = record(country);
            rp::MessageInfo m = good_message();
            if (c.raw != nullptr) m.raw = c.raw;
            if (c.header != nullptr) m.headers.push_back({"X-Presend-Postal-Address", c.header});
            const Codes got = eval(p, &r, at("2026-02-01"), m);
            if (c.present) {
                EXPECT_THAT(got, IsEmpty()) << country << ": " << c.what;
            } else {
                EXPECT_EQ(got, Codes{"region.postal_address_missing"}) << country << ": " << c.what;
            }
        }
    }
    // Not a rule of the EU, the UK or Australia.
    const rp::Policy p = policy("{}");
    for (const char *country : {"DE", "GB", "AU"}) {
        auto r = record(country);
        EXPECT_THAT(eval(p, &r, at("2026-02-01")), IsEmpty()) << country;
    }
}

TEST(RegionRules, PostalFindingSaysHowToDeclareTheAddress) {
    const rp::Policy p = policy("{}");
    auto r = record("US");
    rp::MessageInfo m = good_message();
    auto fs = rp::evaluate_recipient(p, m, &r, at("2026-02-01"));
    ASSERT_EQ(codes(fs), Codes{"region.postal_address_missing"});
    EXPECT_THAT(fs[0].message, HasSubstr("postal_address_in_template or the X-Presend-Postal-Address header"));
}

TEST(RegionRules, SenderNameFoundInTheText) {
    const rp::Policy p = policy(R"({"postal_address_in_template": true, "sender": {"name": "Example Outfitters Ltd."}})");
    auto r = record("AU");
    rp::MessageInfo m = good_message();
    m.from = "news@example.com";
    m.raw = "From: news@example.com\r\n\r\n<p>Sent by <b>Example&nbsp;Outfitters</b> Ltd, Sydney</p>";
    EXPECT_THAT(eval(p, &r, at("2026-02-01"), m), IsEmpty());
    m.raw = "From: news@example.com\r\n\r\nSent by us";
    EXPECT_EQ(eval(p, &r, at("2026-02-01"), m), Codes{"region.sender_identification_missing"});
}

// --- Transactional mail -----------------------------------------------------

TEST(RegionRules, TransactionalMailIsExemptFromTheCommercialRules) {
    const rp::Policy p = policy("{}");
    for (const char *country : {"DE", "GB", "US", "CA", "AU"}) {
        auto r = record(country);
        r.status = "unsubscribed";
        r.withdrawn_at = at("2020-01-01");
        r.source = "";
        rp::MessageInfo m;
        m.marketing = false;
        m.from = "a@example.com";
        EXPECT_THAT(eval(p, &r, at("2026-02-01"), m), IsEmpty()) << country;
        EXPECT_THAT(eval(p, nullptr, at("2026-02-01"), m), IsEmpty()) << country;
    }
}

// --- Which jurisdiction ------------------------------------------------------

struct ResolveCase {
    const char *what;
    const char *jurisdiction;
    const char *country;
    const char *list;
    const char *expected;  // id, or "" for none
    bool unknown;
};

TEST(RegionRules, JurisdictionComesFromTheRecordThenTheListThenTheDefault) {
    const rp::Policy p = policy(R"({"list_jurisdictions": {"weekly": "EU", "ca": "CA"}, "default_jurisdiction": "US"})");
    const ResolveCase cases[] = {
        {"record's jurisdiction", "CASL", "DE", "weekly", "CA", false},
        {"record's jurisdiction, any case", "gb", "", "", "GB", false},
        {"unknown jurisdiction falls to the country", "Narnia", "FR", "", "EU", true},
        {"country", "", "AU", "weekly", "AU", false},
        {"lower-case country", "", "de", "", "EU", false},
        {"country not in the pack: the list", "", "JP", "ca", "CA", false},
        {"no country: the list", "", "", "weekly", "EU", false},
        {"no list default: the default", "", "", "monthly", "US", false},
        {"nothing at all: the default", "", "", "", "US", false},
    };
    for (const auto &c : cases) {
        rp::ConsentFacts r = record(c.country);
        r.jurisdiction = c.jurisdiction;
        const rp::Resolution res = rp::resolve_jurisdiction(p, &r, c.list);
        ASSERT_NE(res.jurisdiction, nullptr) << c.what;
        EXPECT_EQ(res.jurisdiction->id, c.expected) << c.what;
        EXPECT_EQ(!res.unknown_name.empty(), c.unknown) << c.what;
    }
    EXPECT_EQ(rp::resolve_jurisdiction(p, nullptr, "ca").jurisdiction->id, "CA");
}

TEST(RegionRules, UnknownAndUnresolvedJurisdictionsAreReported) {
    const rp::Policy none = policy(kBaseConfig);
    auto r = record("JP");
    rp::MessageInfo m = good_message();
    auto fs = rp::evaluate_recipient(none, m, &r, at("2026-02-01"));
    ASSERT_EQ(codes(fs), Codes{"region.jurisdiction_unresolved"});
    EXPECT_EQ(fs[0].severity, rp::Severity::warn);
    EXPECT_THAT(eval(none, nullptr, at("2026-02-01")), ElementsAre("region.jurisdiction_unresolved"));

    r = record("DE");
    r.jurisdiction = "Narnia";
    fs = rp::evaluate_recipient(none, m, &r, at("2026-02-01"));
    ASSERT_EQ(codes(fs), Codes{"region.jurisdiction_unknown"});
    EXPECT_EQ(fs[0].severity, rp::Severity::warn);
    EXPECT_THAT(fs[0].message, HasSubstr("\"Narnia\""));
    EXPECT_THAT(fs[0].message, HasSubstr("[EU from the record's country DE;"));
}

TEST(RegionRules, MessagesStayShortWhateverTheRecordHolds) {
    const rp::Policy p = policy(kBaseConfig);
    auto r = record("DE");
    const std::string long_source = "inquiry:" + std::string(10000, 'x');
    r.source = long_source;
    const std::string long_jurisdiction(5000, 'J');
    r.jurisdiction = long_jurisdiction;
    rp::MessageInfo m = good_message();
    auto fs = rp::evaluate_recipient(p, m, &r, at("2026-02-01"));
    ASSERT_EQ(codes(fs), (Codes{"region.jurisdiction_unknown", "region.consent_basis_not_accepted"}));
    for (const auto &f : fs) EXPECT_LT(f.message.size(), 4096u);
}

}  // namespace
