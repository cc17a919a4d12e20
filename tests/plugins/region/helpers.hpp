// Shared helpers of the region_policy tests: dates as milliseconds, a
// policy from configuration text, and a message that satisfies every rule
// so that each test changes one thing.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "region_policy.hpp"

namespace region_test {

namespace rp = presend::region;

// Noon UTC of a date, in ms since the epoch.
inline int64_t at(std::string_view date, int hour = 12) {
    auto d = rp::parse_day(date);
    EXPECT_TRUE(d.has_value()) << date;
    return (d.value_or(0) * 24 + hour) * 3'600'000;
}

inline rp::Policy policy(std::string_view config = "{}") {
    auto p = rp::make_policy(config);
    EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
    if (!p.ok()) return rp::make_policy("{}").value();
    return std::move(p).value();
}

inline std::string error_of(std::string_view config, const rp::FileReader &read = rp::read_file) {
    auto p = rp::make_policy(config, read);
    return p.ok() ? std::string("(no error)") : p.error().message;
}

// A commercial message that every jurisdiction's content rules accept: it
// has a List-Unsubscribe header, a From display name, and goes through
// eu-west-1 (the policy's settings declare the postal address).
inline rp::MessageInfo good_message() {
    rp::MessageInfo m;
    m.marketing = true;
    m.region = "eu-west-1";
    m.list = "weekly";
    m.from = "Example News <news@example.com>";
    m.headers = {{"List-Unsubscribe", "<https://example.com/u/abc>"},
                 {"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"}};
    return m;
}

// A record with full evidence, express consent, from `country`.
inline rp::ConsentFacts record(std::string_view country, std::string_view consented = "2025-01-10") {
    rp::ConsentFacts c;
    c.list = "weekly";
    c.status = "subscribed";
    c.method = "double";
    c.consented_at = at(consented);
    c.confirmed_at = at(consented) + 60'000;
    c.source = "https://example.com/signup";
    c.ip = "192.0.2.1";
    c.country = country;
    return c;
}

inline std::vector<std::string> codes(const std::vector<rp::Finding> &fs) {
    std::vector<std::string> out;
    for (const auto &f : fs) out.emplace_back(f.code);
    return out;
}

// The configuration most tests use: the postal address is declared, so the
// content rules pass unless a test changes the message.
constexpr std::string_view kBaseConfig = R"({"postal_address_in_template": true})";

}  // namespace region_test
