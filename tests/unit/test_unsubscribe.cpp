#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mail.hpp"

namespace presend {
namespace {

const std::string kHttps = "<https://example.com/u/8f3a1c9e2b7d4f60a1b2>";
const std::string kMailto = "<mailto:unsub+8f3a1c9e2b7d4f60@example.com>";
const std::string kOneClick = "List-Unsubscribe=One-Click";
const std::string kSigned =
    "v=1; a=rsa-sha256; d=example.com; s=s1; h=From:To:Subject:List-Unsubscribe:List-Unsubscribe-Post; "
    "bh=AA==; b=BB==";
const std::string kSignedLuOnly = "v=1; a=rsa-sha256; d=example.com; s=s1; h=From:List-Unsubscribe; bh=AA==; b=BB==";
const std::string kSignedLupOnly =
    "v=1; a=rsa-sha256; d=example.com; s=s1; h=From:List-Unsubscribe-Post; bh=AA==; b=BB==";
const std::string kSignedNeither = "v=1; a=rsa-sha256; d=esp.example; s=s1; h=From:To; bh=AA==; b=BB==";
const std::string kBroken = "v=1; a=rsa-sha256; d=example.com";

std::vector<std::string> codes(const std::vector<UnsubscribeFinding> &findings) {
    std::vector<std::string> out;
    for (const auto &f : findings) out.push_back(f.code);
    return out;
}

struct Case {
    std::string name;
    std::vector<Header> headers;
    bool accept_mailto_only;
    std::vector<std::string> codes;
    std::string message_part;  // in the first finding's message, when set
};

TEST(EvaluateUnsubscribe, Table) {
    using C = std::vector<std::string>;
    const Header from{"From", "a@example.com"};
    const std::vector<Case> cases = {
        {"compliant", {from, {"List-Unsubscribe", kMailto + ", " + kHttps}, {"List-Unsubscribe-Post", kOneClick}},
         false, C{}, ""},
        {"compliant and signed",
         {{"DKIM-Signature", kSigned}, from, {"List-Unsubscribe", kHttps}, {"List-Unsubscribe-Post", kOneClick}},
         false, C{}, ""},
        {"header names are case-insensitive",
         {{"dkim-signature", kSigned}, {"LIST-UNSUBSCRIBE", kHttps}, {"list-unsubscribe-post", kOneClick}}, false,
         C{}, ""},
        {"one-click value is trimmed", {{"List-Unsubscribe", kHttps}, {"List-Unsubscribe-Post", "  " + kOneClick + "\r\n"}},
         false, C{}, ""},

        {"missing", {from}, false, C{"unsubscribe.missing"}, "no List-Unsubscribe header"},
        {"missing, with only the Post header", {{"List-Unsubscribe-Post", kOneClick}}, false,
         C{"unsubscribe.missing"}, ""},
        {"nothing at all", {}, true, C{"unsubscribe.missing"}, ""},

        {"two List-Unsubscribe",
         {{"List-Unsubscribe", kHttps}, {"List-Unsubscribe", kMailto}, {"List-Unsubscribe-Post", kOneClick}}, false,
         C{"unsubscribe.duplicate"}, "2 List-Unsubscribe headers"},
        {"two List-Unsubscribe-Post",
         {{"List-Unsubscribe", kHttps}, {"List-Unsubscribe-Post", kOneClick}, {"List-Unsubscribe-Post", kOneClick}},
         false, C{"unsubscribe.duplicate"}, "2 List-Unsubscribe-Post headers"},
        {"both duplicated, one finding",
         {{"List-Unsubscribe", kHttps},
          {"list-unsubscribe", kHttps},
          {"List-Unsubscribe", kHttps},
          {"List-Unsubscribe-Post", kOneClick},
          {"List-Unsubscribe-Post", kOneClick}},
         false, C{"unsubscribe.duplicate"}, "3 List-Unsubscribe headers and 2 List-Unsubscribe-Post headers"},
        {"duplicate: the first one is checked",
         {{"List-Unsubscribe", "<mailto:u@x>"}, {"List-Unsubscribe", kHttps}, {"List-Unsubscribe-Post", kOneClick}},
         false, C{"unsubscribe.duplicate", "unsubscribe.not_https", "unsubscribe.no_token"}, ""},

        {"malformed", {{"List-Unsubscribe", "https://example.com/u"}, {"List-Unsubscribe-Post", kOneClick}}, false,
         C{"unsubscribe.malformed"}, "expected '<' at byte 0"},
        {"malformed stops after duplicate",
         {{"List-Unsubscribe", "<>"}, {"List-Unsubscribe", kHttps}}, false,
         C{"unsubscribe.duplicate", "unsubscribe.malformed"}, ""},
        {"empty value is malformed", {{"List-Unsubscribe", ""}}, false, C{"unsubscribe.malformed"}, "no URI"},

        {"mailto only", {{"List-Unsubscribe", kMailto}}, false, C{"unsubscribe.not_https"},
         "List-Unsubscribe has no https URI (found: mailto)"},
        {"mailto only, accepted", {{"List-Unsubscribe", kMailto}}, true, C{"unsubscribe.mailto_only"}, "Gmail"},
        {"mailto only, accepted, with a Post header", {{"List-Unsubscribe", kMailto}, {"List-Unsubscribe-Post", "x"}},
         true, C{"unsubscribe.mailto_only"}, ""},
        {"http only", {{"List-Unsubscribe", "<http://example.com/u/8f3a1c9e2b7d4f60a1b2>"}}, false,
         C{"unsubscribe.not_https"}, "(found: http)"},
        {"http only is not accepted as mailto", {{"List-Unsubscribe", "<http://example.com/u/8f3a1c9e2b7d4f60a1b2>"}},
         true, C{"unsubscribe.not_https"}, ""},
        {"http and mailto, accepted", {{"List-Unsubscribe", kMailto + "," + "<http://x/u/8f3a1c9e2b7d4f60a1b2>"}},
         true, C{"unsubscribe.mailto_only"}, "(found: mailto, http)"},
        {"schemes listed once", {{"List-Unsubscribe", "<mailto:a@x>, <HTTP://x/a>, <mailto:b@x>, <ftp:x>"}}, false,
         C{"unsubscribe.not_https", "unsubscribe.no_token"}, "(found: mailto, http, ftp)"},
        {"HTTPS in capitals counts", {{"List-Unsubscribe", "<HTTPS://x/u/8f3a1c9e2b7d4f60a1b2>"},
                                      {"List-Unsubscribe-Post", kOneClick}},
         false, C{}, ""},

        {"no Post header", {{"List-Unsubscribe", kHttps}}, false, C{"unsubscribe.one_click_missing"},
         "no List-Unsubscribe-Post"},
        {"no Post header, mailto accepted does not matter", {{"List-Unsubscribe", kMailto + "," + kHttps}}, true,
         C{"unsubscribe.one_click_missing"}, ""},
        {"Post value wrong case", {{"List-Unsubscribe", kHttps}, {"List-Unsubscribe-Post", "list-unsubscribe=one-click"}},
         false, C{"unsubscribe.one_click_invalid"}, "\"list-unsubscribe=one-click\""},
        {"Post value with extra pair",
         {{"List-Unsubscribe", kHttps}, {"List-Unsubscribe-Post", kOneClick + "; foo=bar"}}, false,
         C{"unsubscribe.one_click_invalid"}, ""},
        {"Post value empty", {{"List-Unsubscribe", kHttps}, {"List-Unsubscribe-Post", ""}}, false,
         C{"unsubscribe.one_click_invalid"}, "expected \"List-Unsubscribe=One-Click\""},

        {"signature without List-Unsubscribe",
         {{"DKIM-Signature", kSignedLupOnly}, {"List-Unsubscribe", kHttps}, {"List-Unsubscribe-Post", kOneClick}},
         false, C{"unsubscribe.not_signed"}, "does not sign List-Unsubscribe"},
        {"signature without List-Unsubscribe-Post",
         {{"DKIM-Signature", kSignedLuOnly}, {"List-Unsubscribe", kHttps}, {"List-Unsubscribe-Post", kOneClick}},
         false, C{"unsubscribe.not_signed"}, "(d=example.com) does not sign List-Unsubscribe-Post"},
        {"signature covering neither",
         {{"DKIM-Signature", kSignedNeither}, {"List-Unsubscribe", kHttps}, {"List-Unsubscribe-Post", kOneClick}},
         false, C{"unsubscribe.not_signed"}, "(d=esp.example) does not sign List-Unsubscribe and List-Unsubscribe-Post"},
        {"Post header need not be signed when absent",
         {{"DKIM-Signature", kSignedLuOnly}, {"List-Unsubscribe", kMailto}}, true, C{"unsubscribe.mailto_only"}, ""},
        {"signature that does not parse",
         {{"DKIM-Signature", kBroken}, {"List-Unsubscribe", kHttps}, {"List-Unsubscribe-Post", kOneClick}}, false,
         C{"unsubscribe.not_signed"}, "DKIM-Signature does not parse: missing required tag"},
        {"one good signature among others",
         {{"DKIM-Signature", kBroken},
          {"DKIM-Signature", kSignedNeither},
          {"DKIM-Signature", kSigned},
          {"List-Unsubscribe", kHttps},
          {"List-Unsubscribe-Post", kOneClick}},
         false, C{}, ""},
        {"a parsing signature explains better than a broken one",
         {{"DKIM-Signature", kBroken},
          {"DKIM-Signature", kSignedNeither},
          {"List-Unsubscribe", kHttps},
          {"List-Unsubscribe-Post", kOneClick}},
         false, C{"unsubscribe.not_signed"}, "(d=esp.example)"},

        {"no token", {{"List-Unsubscribe", "<https://example.com/unsubscribe>"}, {"List-Unsubscribe-Post", kOneClick}},
         false, C{"unsubscribe.no_token"}, "per-recipient token"},
        {"token in the mailto URI is enough",
         {{"List-Unsubscribe", kMailto + ", <https://example.com/unsubscribe>"}, {"List-Unsubscribe-Post", kOneClick}},
         false, C{}, ""},

        {"everything wrong at once",
         {{"DKIM-Signature", kSignedNeither},
          {"List-Unsubscribe", "<http://example.com/unsubscribe>"},
          {"List-Unsubscribe", kHttps},
          {"List-Unsubscribe-Post", "yes"}},
         false, C{"unsubscribe.duplicate", "unsubscribe.not_https", "unsubscribe.not_signed", "unsubscribe.no_token"},
         ""},
        {"https without Post, unsigned, no token",
         {{"DKIM-Signature", kSignedNeither}, {"List-Unsubscribe", "<https://example.com/unsubscribe>"}}, false,
         C{"unsubscribe.one_click_missing", "unsubscribe.not_signed", "unsubscribe.no_token"}, ""},
    };
    for (const auto &c : cases) {
        SCOPED_TRACE(c.name);
        UnsubscribePolicy policy;
        policy.accept_mailto_only = c.accept_mailto_only;
        const auto findings = evaluate_unsubscribe(c.headers, policy);
        EXPECT_EQ(codes(findings), c.codes);
        for (const auto &f : findings) EXPECT_FALSE(f.message.empty()) << f.code;
        if (!c.message_part.empty() && !findings.empty()) {
            EXPECT_NE(findings[0].message.find(c.message_part), std::string::npos) << findings[0].message;
        }
    }
}

TEST(EvaluateUnsubscribe, MalformedMessageNamesPosition) {
    const auto findings = evaluate_unsubscribe({{"List-Unsubscribe", "<https://x/u> junk"}}, UnsubscribePolicy{});
    ASSERT_EQ(codes(findings), std::vector<std::string>{"unsubscribe.malformed"});
    EXPECT_NE(findings[0].message.find("List-Unsubscribe does not parse"), std::string::npos);
    EXPECT_NE(findings[0].message.find("byte 14"), std::string::npos) << findings[0].message;
}

TEST(EvaluateUnsubscribe, LongValuesAreCutInMessages) {
    const std::string junk(10000, 'x');
    const auto findings =
        evaluate_unsubscribe({{"List-Unsubscribe", kHttps}, {"List-Unsubscribe-Post", junk}}, UnsubscribePolicy{});
    ASSERT_EQ(codes(findings), std::vector<std::string>{"unsubscribe.one_click_invalid"});
    EXPECT_LT(findings[0].message.size(), 200u);
}

TEST(EvaluateUnsubscribe, ManySchemesAreCutInMessages) {
    std::string value;
    for (int i = 0; i < 1000; ++i) value += (i ? "," : "") + std::string("<s") + std::to_string(i) + ":x>";
    const auto findings = evaluate_unsubscribe({{"List-Unsubscribe", value}}, UnsubscribePolicy{});
    ASSERT_EQ(codes(findings), (std::vector<std::string>{"unsubscribe.not_https", "unsubscribe.no_token"}));
    EXPECT_NE(findings[0].message.find("s7, ..."), std::string::npos) << findings[0].message;
    EXPECT_EQ(findings[0].message.find("s8"), std::string::npos) << findings[0].message;
}

}  // namespace
}  // namespace presend
