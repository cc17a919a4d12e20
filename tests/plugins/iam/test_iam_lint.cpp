// Every lint finding: a policy that must raise it (with its severity) and a
// close policy that must not.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "iam.hpp"

namespace {

namespace iam = presend::iam;
using iam::Severity;

std::vector<iam::Finding> lint_all(const std::vector<std::string> &docs, std::optional<iam::SendProfile> profile = {}) {
    std::vector<iam::Policy> ps;
    for (size_t i = 0; i < docs.size(); ++i) {
        auto p = iam::parse_policy(docs[i], "p" + std::to_string(i) + ".json");
        EXPECT_TRUE(p.ok()) << docs[i] << ": " << p.error().message;
        if (p) ps.push_back(std::move(*p));
    }
    iam::LintOptions opts;
    opts.profile = std::move(profile);
    return iam::lint(ps, opts);
}

std::string dump(const std::vector<iam::Finding> &fs) { return iam::findings_json(fs); }

const iam::Finding *find(const std::vector<iam::Finding> &fs, const std::string &code) {
    auto it = std::find_if(fs.begin(), fs.end(), [&](const iam::Finding &f) { return f.code == code; });
    return it == fs.end() ? nullptr : &*it;
}

const std::string kId = "arn:aws:ses:us-east-1:123456789012:identity/example.com";
const std::string kSet = "arn:aws:ses:us-east-1:123456789012:configuration-set/marketing";

// Least privilege for a mailer: send from one identity and configuration set,
// From addresses of its domain only; read the quota.
const std::string kClean = R"({"Version":"2012-10-17","Statement":[
  {"Sid":"Send","Effect":"Allow","Action":["ses:SendEmail","ses:SendRawEmail"],
   "Resource":[")" + kId + R"(",")" + kSet + R"("],
   "Condition":{"StringLike":{"ses:FromAddress":"*@example.com"}}},
  {"Sid":"Quota","Effect":"Allow","Action":["ses:GetSendQuota","ses:GetAccount"],"Resource":"*"}]})";

// One Allow statement with the given body fields.
std::string allow(const std::string &fields) {
    return R"({"Version":"2012-10-17","Statement":[{"Sid":"S","Effect":"Allow",)" + fields + "}]}";
}
std::string send_if(const std::string &condition) {
    return allow(R"("Action":"ses:SendEmail","Resource":")" + kId + R"(","Condition":)" + condition);
}

iam::SendProfile profile(iam::Api api, std::string set = "") {
    iam::SendProfile p;
    p.api = api;
    p.aws_account_id = "123456789012";
    p.region = "us-east-1";
    p.configuration_set = std::move(set);
    return p;
}

struct LintCase {
    std::string code;
    Severity severity;
    std::vector<std::string> bad;   // raises the code
    std::vector<std::string> good;  // a close policy that does not
    std::optional<iam::SendProfile> prof = std::nullopt;
};

void PrintTo(const LintCase &c, std::ostream *os) { *os << c.code; }

std::vector<LintCase> lint_cases() {
    return {
        {"iam.wildcard_action", Severity::error, {allow(R"("Action":"*","Resource":"*")")}, {kClean}},
        {"iam.service_wildcard", Severity::warning,
         {allow(R"("Action":"ses:*","Resource":")" + kId + R"(","Condition":{"StringEquals":{"ses:FromAddress":"a@example.com"}})")},
         {kClean}},
        {"iam.permissions_management", Severity::error,
         {allow(R"("Action":["ses:SendEmail","iam:PutUserPolicy"],"Resource":"*")")},
         {allow(R"("Action":"iam:GetUser","Resource":"*")")}},
        {"iam.iam_access", Severity::warning, {allow(R"("Action":"iam:GetUser","Resource":"*")")}, {kClean}},
        {"iam.passrole_wildcard", Severity::error, {allow(R"("Action":"iam:PassRole","Resource":"*")")},
         {allow(R"("Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/ses-events")")}},
        {"iam.allow_not_action", Severity::warning, {allow(R"("NotAction":"iam:*","Resource":")" + kId + "\"")},
         {kClean}},
        {"iam.allow_not_resource", Severity::warning,
         {allow(R"("Action":"ses:SendEmail","NotResource":"arn:aws:ses:*:*:identity/other.example")")}, {kClean}},
        {"iam.send_unrestricted_from", Severity::warning, {allow(R"("Action":"ses:SendRawEmail","Resource":"*")")},
         {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:SendRawEmail","Resource":"*"},
            {"Effect":"Deny","Action":"ses:Send*","Resource":"*","Condition":{"StringNotLike":{"ses:FromAddress":"*@example.com"}}}]})"}},
        {"iam.wildcard_in_string_equals", Severity::warning, {send_if(R"({"StringEquals":{"ses:FromAddress":"*@example.com"}})")},
         {send_if(R"({"StringEquals":{"ses:FromAddress":"news${*}@example.com"}})")}},
        {"iam.loose_pattern", Severity::warning, {send_if(R"({"StringLike":{"ses:FromAddress":"*example.com"}})")},
         {send_if(R"({"StringLike":{"ses:FromAddress":["*@example.com","*@*.example.com"]}})")}},
        {"iam.if_exists_allow", Severity::warning, {send_if(R"({"StringEqualsIfExists":{"ses:FromAddress":"a@example.com"}})")},
         {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:SendEmail","Resource":")" + kId +
          R"("},{"Effect":"Deny","Action":"ses:SendEmail","Resource":"*","Condition":{"StringNotEqualsIfExists":{"ses:FromAddress":"a@example.com"}}}]})"}},
        {"iam.for_all_values_single_valued", Severity::warning,
         {send_if(R"({"ForAllValues:StringEquals":{"ses:FromAddress":"a@example.com"}})")},
         {send_if(R"({"StringEquals":{"ses:FromAddress":"a@example.com"}})")}},
        {"iam.multivalued_without_set", Severity::warning, {send_if(R"({"StringLike":{"ses:Recipients":"*@example.org"}})")},
         {send_if(R"({"ForAllValues:StringLike":{"ses:Recipients":"*@example.org"},"Null":{"ses:Recipients":"false"}})")}},
        {"iam.for_all_values_missing_key", Severity::info,
         {send_if(R"({"ForAllValues:StringLike":{"ses:Recipients":"*@example.org"}})")},
         {send_if(R"({"ForAllValues:StringLike":{"ses:Recipients":"*@example.org"},"Null":{"ses:Recipients":"false"}})")}},
        {"iam.version_missing", Severity::warning,
         {R"({"Statement":[{"Effect":"Allow","Action":"ses:SendEmail","Resource":")" + kId + R"("}]})"}, {kClean}},
        {"iam.version_old", Severity::warning,
         {R"({"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"ses:SendEmail","Resource":")" + kId + R"("}]})"},
         {kClean}},
        {"iam.variables_not_substituted", Severity::error,
         {R"({"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"ses:SendEmail","Resource":"arn:aws:ses:us-east-1:123456789012:identity/${aws:username}"}]})"},
         {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:SendEmail","Resource":"arn:aws:ses:us-east-1:123456789012:identity/${aws:username}"}]})"}},
        {"iam.from_condition_blocks_quota", Severity::warning,
         {allow(R"("Action":"ses:*","Resource":"*","Condition":{"StringEquals":{"ses:FromAddress":"a@example.com"}})")},
         {kClean}},
        {"iam.configuration_set_not_allowed", Severity::error,
         {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:SendEmail","Resource":")" + kId +
          R"(","Condition":{"StringEquals":{"ses:FromAddress":"a@example.com"}}}]})"},
         {kClean}, profile(iam::Api::v2, "marketing")},
        {"iam.send_action_not_allowed", Severity::error,
         {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:SendEmail","Resource":")" + kId +
          R"(","Condition":{"StringEquals":{"ses:FromAddress":"a@example.com"}}}]})"},
         {kClean}, profile(iam::Api::smtp)},
        {"iam.principal_ignored", Severity::warning,
         {allow(R"("Principal":"*","Action":"ses:SendEmail","Resource":")" + kId + "\"")}, {kClean}},
        {"iam.unknown_action", Severity::warning, {allow(R"("Action":"ses:SendMail","Resource":")" + kId + "\"")},
         {allow(R"("Action":"SES:sendemail","Resource":")" + kId + "\"")}},
        {"iam.duplicate_sid", Severity::warning,
         {R"({"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"ses:SendEmail","Resource":")" + kId +
          R"("},{"Sid":"A","Effect":"Allow","Action":"ses:GetSendQuota","Resource":"*"}]})"},
         {kClean}},
        {"iam.condition_value_invalid", Severity::error, {send_if(R"({"IpAddress":{"aws:SourceIp":"300.1.2.3/24"}})")},
         {send_if(R"({"IpAddress":{"aws:SourceIp":"198.51.100.0/24"}})")}},
    };
}

class Lint : public ::testing::TestWithParam<LintCase> {};

TEST_P(Lint, RaisedByTheBadPolicyOnly) {
    const LintCase &c = GetParam();
    auto bad = lint_all(c.bad, c.prof);
    const iam::Finding *f = find(bad, c.code);
    ASSERT_NE(f, nullptr) << c.code << " not raised: " << dump(bad);
    EXPECT_EQ(iam::severity_name(f->severity), iam::severity_name(c.severity));
    EXPECT_FALSE(f->message.empty());
    EXPECT_EQ(f->policy, "p0.json");
    auto good = lint_all(c.good, c.prof);
    EXPECT_EQ(find(good, c.code), nullptr) << dump(good);
}

INSTANTIATE_TEST_SUITE_P(Codes, Lint, ::testing::ValuesIn(lint_cases()), [](const ::testing::TestParamInfo<LintCase> &p) {
    std::string n = p.param.code.substr(4);
    return n;
});

TEST(LintCodes, EveryCodeHasACase) {
    std::set<std::string> tested;
    for (const auto &c : lint_cases()) tested.insert(c.code);
    for (const auto &c : iam::lint_codes()) {
        EXPECT_TRUE(tested.count(std::string(c.code))) << c.code << " has no lint test";
        EXPECT_EQ(c.code.rfind("iam.", 0), 0u);
    }
    EXPECT_EQ(tested.size(), iam::lint_codes().size());
}

TEST(Lint, CleanPolicyHasNoFindings) {
    EXPECT_TRUE(lint_all({kClean}).empty()) << dump(lint_all({kClean}));
    EXPECT_TRUE(lint_all({kClean}, profile(iam::Api::v2, "marketing")).empty());
    EXPECT_TRUE(lint_all({kClean}, profile(iam::Api::v1, "marketing")).empty());
    EXPECT_TRUE(lint_all({kClean}, profile(iam::Api::smtp)).empty());
}

TEST(Lint, StatementAndSidAreReported) {
    auto fs = lint_all({R"({"Version":"2012-10-17","Statement":[{"Sid":"Quota","Effect":"Allow","Action":"ses:GetSendQuota","Resource":"*"},
        {"Sid":"Admin","Effect":"Allow","Action":"*","Resource":"*"}]})"});
    const iam::Finding *f = find(fs, "iam.wildcard_action");
    ASSERT_NE(f, nullptr);
    ASSERT_TRUE(f->statement.has_value());
    EXPECT_EQ(*f->statement, 1u);
    EXPECT_EQ(f->sid, "Admin");
}

TEST(Lint, ConfigurationSetWithoutProfileIsInfo) {
    auto fs = lint_all({send_if(R"({"StringEquals":{"ses:FromAddress":"a@example.com"}})")});
    const iam::Finding *f = find(fs, "iam.configuration_set_not_allowed");
    ASSERT_NE(f, nullptr) << dump(fs);
    EXPECT_EQ(f->severity, Severity::info);
}

TEST(Lint, DenyOnFromAddressBlocksQuota) {
    auto fs = lint_all({R"({"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":["ses:SendEmail","ses:GetSendQuota"],"Resource":"*"},
        {"Sid":"OnlyNews","Effect":"Deny","Action":"ses:*","Resource":"*","Condition":{"StringNotEquals":{"ses:FromAddress":"news@example.com"}}}]})"});
    const iam::Finding *f = find(fs, "iam.from_condition_blocks_quota");
    ASSERT_NE(f, nullptr) << dump(fs);
    EXPECT_EQ(f->sid, "OnlyNews");
    EXPECT_NE(f->message.find("ses:GetSendQuota"), std::string::npos);
}

TEST(Lint, LooseStringNotLikeInDenyToo) {
    auto fs = lint_all({R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:SendEmail","Resource":")" + kId +
                        R"("},{"Effect":"Deny","Action":"ses:SendEmail","Resource":"*","Condition":{"StringNotLike":{"ses:FromAddress":"*example.com"}}}]})"});
    EXPECT_NE(find(fs, "iam.loose_pattern"), nullptr) << dump(fs);
}

TEST(Lint, FindingsJsonIsStable) {
    auto fs = lint_all({allow(R"("Action":"*","Resource":"*")")});
    std::string json = iam::findings_json(fs);
    EXPECT_NE(json.find(R"({"code":"iam.wildcard_action","severity":"error","policy":"p0.json","statement":0,"sid":"S",)"),
              std::string::npos)
        << json;
}

}  // namespace
