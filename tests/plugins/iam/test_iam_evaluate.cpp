// The evaluator against a table of policy/request pairs, each with the exact
// decision AWS makes and the statement that decides it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "iam.hpp"

namespace {

using presend::iam::Decision;

constexpr const char *kIdentity = "arn:aws:ses:us-east-1:123456789012:identity/example.com";
constexpr const char *kConfigSet = "arn:aws:ses:us-east-1:123456789012:configuration-set/marketing";

struct Key {
    Key(std::string k, std::vector<std::string> v, bool m = false) : key(std::move(k)), values(std::move(v)), multi(m) {}
    std::string key;
    std::vector<std::string> values;
    bool multi;
};

struct Case {
    Case(std::string n, std::vector<std::string> p, std::string a, std::string r, std::vector<Key> ctx, Decision e,
         int pol = -1, int st = -1, std::string s = "")
        : name(std::move(n)), policies(std::move(p)), action(std::move(a)), resource(std::move(r)),
          context(std::move(ctx)), expect(e), policy(pol), statement(st), sid(std::move(s)) {}
    std::string name;
    std::vector<std::string> policies;
    std::string action;
    std::string resource;
    std::vector<Key> context;
    Decision expect;
    int policy;  // the deciding statement, or -1 for none
    int statement;
    std::string sid;
};

void PrintTo(const Case &c, std::ostream *os) { *os << c.name; }

// An Allow of ses:SendEmail on the example.com identity, with a condition.
std::string allow_if(const std::string &condition, const std::string &version = "2012-10-17") {
    std::string v = version.empty() ? "" : "\"Version\":\"" + version + "\",";
    return "{" + v + R"("Statement":[{"Sid":"Send","Effect":"Allow","Action":"ses:SendEmail","Resource":")" + kIdentity +
           R"(","Condition":)" + condition + "}]}";
}

// A broad Allow plus a Deny with a condition.
std::string deny_if(const std::string &condition) {
    return std::string(R"({"Version":"2012-10-17","Statement":[{"Sid":"Send","Effect":"Allow","Action":"ses:Send*","Resource":"*"},)") +
           R"({"Sid":"Guard","Effect":"Deny","Action":"ses:*","Resource":"*","Condition":)" + condition + "}]}";
}

const std::string kPlain = std::string(R"({"Version":"2012-10-17","Statement":[{"Sid":"Send","Effect":"Allow","Action":"ses:SendEmail","Resource":")") +
                           kIdentity + R"("}]})";

Key from(std::string v) { return {"ses:FromAddress", {std::move(v)}}; }
Key rcpt(std::vector<std::string> v) { return {"ses:Recipients", std::move(v), true}; }

const Decision A = Decision::allow;
const Decision X = Decision::explicit_deny;
const Decision I = Decision::implicit_deny;

std::vector<Case> cases() {
    const std::string send = "ses:SendEmail";
    const std::string raw = "ses:SendRawEmail";
    return {
        // --- Action / Resource ---------------------------------------------------
        {"exact_action_and_resource", {kPlain}, send, kIdentity, {}, A, 0, 0, "Send"},
        {"default_deny_other_action", {kPlain}, raw, kIdentity, {}, I},
        {"default_deny_no_policies", {}, send, kIdentity, {}, I},
        {"action_case_insensitive",
         {std::string(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"SES:SENDEMAIL","Resource":"*"}]})")},
         send, kIdentity, {}, A, 0, 0},
        {"action_star_wildcard",
         {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:Send*","Resource":"*"}]})"}, raw,
         kIdentity, {}, A, 0, 0},
        {"action_question_wildcard",
         {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:Send???Email","Resource":"*"}]})"}, raw,
         kIdentity, {}, A, 0, 0},
        {"action_question_needs_exact_count",
         {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:Send??Email","Resource":"*"}]})"}, raw,
         kIdentity, {}, I},
        {"action_array",
         {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ses:GetSendQuota","ses:SendRawEmail"],"Resource":"*"}]})"},
         raw, kIdentity, {}, A, 0, 0},
        {"not_action_allows_the_rest",
         {R"({"Version":"2012-10-17","Statement":[{"Sid":"All","Effect":"Allow","NotAction":"iam:*","Resource":"*"}]})"},
         send, kIdentity, {}, A, 0, 0, "All"},
        {"not_action_excludes",
         {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["ses:Send*"],"Resource":"*"}]})"}, send,
         kIdentity, {}, I},
        {"resource_wildcards",
         {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:SendEmail","Resource":"arn:aws:ses:*:123456789012:identity/*"}]})"},
         send, kIdentity, {}, A, 0, 0},
        {"resource_question_wildcard",
         {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:SendEmail","Resource":"arn:aws:ses:us-east-?:123456789012:identity/example.com"}]})"},
         send, kIdentity, {}, A, 0, 0},
        {"resource_case_sensitive",
         {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:SendEmail","Resource":"arn:aws:ses:us-east-1:123456789012:identity/Example.com"}]})"},
         send, kIdentity, {}, I},
        {"resource_other_account",
         {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:SendEmail","Resource":"arn:aws:ses:us-east-1:999999999999:identity/*"}]})"},
         send, kIdentity, {}, I},
        {"resource_array_second_entry",
         {std::string(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:SendEmail","Resource":[")") +
          kIdentity + R"(",")" + kConfigSet + R"("]}]})"},
         send, kConfigSet, {}, A, 0, 0},
        {"identity_only_denies_configuration_set", {kPlain}, send, kConfigSet, {}, I},
        {"not_resource_allows_the_rest",
         {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:SendEmail","NotResource":"arn:aws:ses:*:*:configuration-set/*"}]})"},
         send, kIdentity, {}, A, 0, 0},
        {"not_resource_excludes",
         {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:SendEmail","NotResource":"arn:aws:ses:*:*:configuration-set/*"}]})"},
         send, kConfigSet, {}, I},
        {"statement_as_object",
         {R"({"Version":"2012-10-17","Statement":{"Sid":"One","Effect":"Allow","Action":"ses:SendEmail","Resource":"*"}})"},
         send, kIdentity, {}, A, 0, 0, "One"},
        {"principal_ignored",
         {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"ses:SendEmail","Resource":"*"}]})"},
         send, kIdentity, {}, A, 0, 0},
        // --- Allow, Deny, several policies ---------------------------------------
        {"explicit_deny_beats_allow",
         {R"({"Version":"2012-10-17","Statement":[{"Sid":"Yes","Effect":"Allow","Action":"ses:*","Resource":"*"},{"Sid":"No","Effect":"Deny","Action":"ses:SendEmail","Resource":"*"}]})"},
         send, kIdentity, {}, X, 0, 1, "No"},
        {"deny_in_second_policy_beats_allow_in_first",
         {kPlain, R"({"Version":"2012-10-17","Statement":[{"Sid":"Stop","Effect":"Deny","Action":"ses:Send*","Resource":"*"}]})"},
         send, kIdentity, {}, X, 1, 0, "Stop"},
        {"allow_in_second_policy",
         {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:GetSendQuota","Resource":"*"}]})", kPlain},
         send, kIdentity, {}, A, 1, 0, "Send"},
        {"first_matching_allow_decides",
         {R"({"Version":"2012-10-17","Statement":[{"Sid":"A1","Effect":"Allow","Action":"ses:*","Resource":"*"},{"Sid":"A2","Effect":"Allow","Action":"ses:SendEmail","Resource":"*"}]})"},
         send, kIdentity, {}, A, 0, 0, "A1"},
        {"deny_for_other_action_does_not_apply",
         {R"({"Version":"2012-10-17","Statement":[{"Sid":"Yes","Effect":"Allow","Action":"ses:*","Resource":"*"},{"Effect":"Deny","Action":"ses:SendRawEmail","Resource":"*"}]})"},
         send, kIdentity, {}, A, 0, 0, "Yes"},
        // --- String operators -------------------------------------------------------
        {"string_equals_match", {allow_if(R"({"StringEquals":{"ses:FromAddress":"news@example.com"}})")}, send, kIdentity,
         {from("news@example.com")}, A, 0, 0, "Send"},
        {"string_equals_case_sensitive_value", {allow_if(R"({"StringEquals":{"ses:FromAddress":"news@example.com"}})")},
         send, kIdentity, {from("News@example.com")}, I},
        {"condition_key_case_insensitive", {allow_if(R"({"StringEquals":{"SES:fromaddress":"news@example.com"}})")}, send,
         kIdentity, {from("news@example.com")}, A, 0, 0, "Send"},
        {"string_equals_ignore_case", {allow_if(R"({"StringEqualsIgnoreCase":{"ses:FromAddress":"NEWS@example.com"}})")},
         send, kIdentity, {from("news@Example.com")}, A, 0, 0, "Send"},
        {"string_equals_star_is_literal", {allow_if(R"({"StringEquals":{"ses:FromAddress":"*@example.com"}})")}, send,
         kIdentity, {from("news@example.com")}, I},
        {"string_like_star", {allow_if(R"({"StringLike":{"ses:FromAddress":"*@example.com"}})")}, send, kIdentity,
         {from("news@example.com")}, A, 0, 0, "Send"},
        {"string_like_anchored_rejects_lookalike", {allow_if(R"({"StringLike":{"ses:FromAddress":"*@example.com"}})")},
         send, kIdentity, {from("news@evilexample.com")}, I},
        {"string_like_loose_accepts_lookalike", {allow_if(R"({"StringLike":{"ses:FromAddress":"*example.com"}})")}, send,
         kIdentity, {from("news@evilexample.com")}, A, 0, 0, "Send"},
        {"string_like_question", {allow_if(R"({"StringLike":{"ses:FromAddress":"news?@example.com"}})")}, send, kIdentity,
         {from("news1@example.com")}, A, 0, 0, "Send"},
        {"values_or", {allow_if(R"({"StringEquals":{"ses:FromAddress":["a@example.com","b@example.com"]}})")}, send,
         kIdentity, {from("b@example.com")}, A, 0, 0, "Send"},
        {"keys_and", {allow_if(R"({"StringEquals":{"ses:FromAddress":"a@example.com","ses:FeedbackAddress":"bounce@example.com"}})")},
         send, kIdentity, {from("a@example.com"), {"ses:FeedbackAddress", {"other@example.com"}}}, I},
        {"operators_and", {allow_if(R"({"StringEquals":{"ses:FromAddress":"a@example.com"},"StringLike":{"ses:FromDisplayName":"Shop*"}})")},
         send, kIdentity, {from("a@example.com"), {"ses:FromDisplayName", {"Shop Team"}}}, A, 0, 0, "Send"},
        {"negated_values_nor_not_denied", {deny_if(R"({"StringNotEquals":{"ses:FromAddress":["a@example.com","b@example.com"]}})")},
         send, kIdentity, {from("b@example.com")}, A, 0, 0, "Send"},
        {"negated_values_nor_denied", {deny_if(R"({"StringNotEquals":{"ses:FromAddress":["a@example.com","b@example.com"]}})")},
         send, kIdentity, {from("c@example.com")}, X, 0, 1, "Guard"},
        {"string_not_like_deny", {deny_if(R"({"StringNotLike":{"ses:FromAddress":"*@example.com"}})")}, send, kIdentity,
         {from("x@evil.test")}, X, 0, 1, "Guard"},
        // --- Missing keys, IfExists, Null -------------------------------------------
        {"missing_key_condition_false", {allow_if(R"({"StringEquals":{"ses:FeedbackAddress":"bounce@example.com"}})")},
         send, kIdentity, {from("a@example.com")}, I},
        {"missing_key_negated_true", {deny_if(R"({"StringNotEquals":{"ses:FeedbackAddress":"bounce@example.com"}})")},
         send, kIdentity, {from("a@example.com")}, X, 0, 1, "Guard"},
        {"if_exists_missing_key_passes", {allow_if(R"({"StringEqualsIfExists":{"ses:FeedbackAddress":"bounce@example.com"}})")},
         send, kIdentity, {}, A, 0, 0, "Send"},
        {"if_exists_present_key_checked", {allow_if(R"({"StringEqualsIfExists":{"ses:FeedbackAddress":"bounce@example.com"}})")},
         send, kIdentity, {{"ses:FeedbackAddress", {"x@example.com"}}}, I},
        {"null_true_key_missing", {deny_if(R"({"Null":{"ses:FromAddress":"true"}})")}, send, kIdentity, {}, X, 0, 1, "Guard"},
        {"null_true_key_present", {deny_if(R"({"Null":{"ses:FromAddress":"true"}})")}, send, kIdentity,
         {from("a@example.com")}, A, 0, 0, "Send"},
        {"null_false_boolean_value", {allow_if(R"({"Null":{"ses:Recipients":false}})")}, send, kIdentity,
         {rcpt({"a@example.org"})}, A, 0, 0, "Send"},
        // --- Set operators --------------------------------------------------------------
        {"for_all_values_all_match", {allow_if(R"({"ForAllValues:StringLike":{"ses:Recipients":["*@example.org","*@example.net"]}})")},
         send, kIdentity, {rcpt({"a@example.org", "b@example.net"})}, A, 0, 0, "Send"},
        {"for_all_values_one_outside", {allow_if(R"({"ForAllValues:StringLike":{"ses:Recipients":"*@example.org"}})")},
         send, kIdentity, {rcpt({"a@example.org", "b@evil.test"})}, I},
        {"for_all_values_missing_key_true", {allow_if(R"({"ForAllValues:StringLike":{"ses:Recipients":"*@example.org"}})")},
         send, kIdentity, {}, A, 0, 0, "Send"},
        {"for_any_value_one_matches", {allow_if(R"({"ForAnyValue:StringEquals":{"ses:Recipients":"vip@example.org"}})")},
         send, kIdentity, {rcpt({"a@example.org", "vip@example.org"})}, A, 0, 0, "Send"},
        {"for_any_value_missing_key_false", {allow_if(R"({"ForAnyValue:StringEquals":{"ses:Recipients":"vip@example.org"}})")},
         send, kIdentity, {}, I},
        {"for_any_value_negated_deny", {deny_if(R"({"ForAnyValue:StringNotLike":{"ses:Recipients":"*@example.org"}})")},
         send, kIdentity, {rcpt({"a@example.org", "b@evil.test"})}, X, 0, 1, "Guard"},
        {"for_all_values_negated_deny_not_all", {deny_if(R"({"ForAllValues:StringNotLike":{"ses:Recipients":"*@example.org"}})")},
         send, kIdentity, {rcpt({"a@example.org", "b@evil.test"})}, A, 0, 0, "Send"},
        {"multivalued_without_set_any_matches", {allow_if(R"({"StringEquals":{"ses:Recipients":"vip@example.org"}})")},
         send, kIdentity, {rcpt({"a@example.org", "vip@example.org"})}, A, 0, 0, "Send"},
        // --- Numeric, Date, Bool, IP, ARN, Binary -----------------------------------
        {"numeric_less_than", {allow_if(R"({"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}})")}, send, kIdentity,
         {{"aws:MultiFactorAuthAge", {"120"}}}, A, 0, 0, "Send"},
        {"numeric_greater_than_equals_fails", {allow_if(R"({"NumericGreaterThanEquals":{"aws:MultiFactorAuthAge":10.5}})")},
         send, kIdentity, {{"aws:MultiFactorAuthAge", {"10"}}}, I},
        {"numeric_not_a_number", {allow_if(R"({"NumericEquals":{"aws:MultiFactorAuthAge":"ten"}})")}, send, kIdentity,
         {{"aws:MultiFactorAuthAge", {"10"}}}, I},
        {"date_less_than_before", {allow_if(R"({"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}})")}, send,
         kIdentity, {{"aws:CurrentTime", {"2026-05-01T12:00:00Z"}}}, A, 0, 0, "Send"},
        {"date_less_than_after", {allow_if(R"({"DateLessThan":{"aws:CurrentTime":"2024-01-01"}})")}, send, kIdentity,
         {{"aws:CurrentTime", {"2026-05-01T12:00:00Z"}}}, I},
        {"date_epoch_against_iso", {allow_if(R"({"DateGreaterThan":{"aws:EpochTime":"2021-08-31T12:00Z"}})")}, send,
         kIdentity, {{"aws:EpochTime", {"1700000000"}}}, A, 0, 0, "Send"},
        {"date_with_offset", {allow_if(R"({"DateEquals":{"aws:CurrentTime":"2026-05-01T14:00:00+02:00"}})")}, send,
         kIdentity, {{"aws:CurrentTime", {"2026-05-01T12:00:00Z"}}}, A, 0, 0, "Send"},
        {"bool_json_true", {allow_if(R"({"Bool":{"aws:SecureTransport":true}})")}, send, kIdentity,
         {{"aws:SecureTransport", {"true"}}}, A, 0, 0, "Send"},
        {"bool_mismatch", {allow_if(R"({"Bool":{"aws:SecureTransport":"true"}})")}, send, kIdentity,
         {{"aws:SecureTransport", {"false"}}}, I},
        {"ip_address_cidr", {allow_if(R"({"IpAddress":{"aws:SourceIp":["192.0.2.0/24","2001:db8::/32"]}})")}, send,
         kIdentity, {{"aws:SourceIp", {"192.0.2.77"}}}, A, 0, 0, "Send"},
        {"ip_address_v6", {allow_if(R"({"IpAddress":{"aws:SourceIp":"2001:db8::/32"}})")}, send, kIdentity,
         {{"aws:SourceIp", {"2001:db8:ffff::1"}}}, A, 0, 0, "Send"},
        {"not_ip_address_deny", {deny_if(R"({"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}})")}, send, kIdentity,
         {{"aws:SourceIp", {"198.51.100.9"}}}, X, 0, 1, "Guard"},
        {"arn_like_components", {allow_if(R"({"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/mail-*"}})")},
         send, kIdentity, {{"aws:PrincipalArn", {"arn:aws:iam::123456789012:role/mail-sender"}}}, A, 0, 0, "Send"},
        {"arn_equals_wildcards_too", {allow_if(R"({"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::*:role/mailer"}})")},
         send, kIdentity, {{"aws:PrincipalArn", {"arn:aws:iam::123456789012:role/mailer"}}}, A, 0, 0, "Send"},
        {"arn_like_no_span_across_colons", {allow_if(R"({"ArnLike":{"aws:PrincipalArn":"arn:aws:*:role/mailer"}})")},
         send, kIdentity, {{"aws:PrincipalArn", {"arn:aws:iam::123456789012:role/mailer"}}}, I},
        {"arn_not_like_deny", {deny_if(R"({"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/mail-*"}})")},
         send, kIdentity, {{"aws:PrincipalArn", {"arn:aws:iam::123456789012:user/intruder"}}}, X, 0, 1, "Guard"},
        {"binary_equals", {allow_if(R"({"BinaryEquals":{"aws:Token":"QmluYXJ5"}})")}, send, kIdentity,
         {{"aws:Token", {"QmluYXJ5"}}}, A, 0, 0, "Send"},
        // --- Policy variables -----------------------------------------------------------
        {"variable_in_resource",
         {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:SendEmail","Resource":"arn:aws:ses:us-east-1:123456789012:identity/${aws:username}.com"}]})"},
         send, kIdentity, {{"aws:username", {"example"}}}, A, 0, 0},
        {"variable_without_value_matches_nothing",
         {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:SendEmail","Resource":"arn:aws:ses:us-east-1:123456789012:identity/${aws:username}.com"}]})"},
         send, kIdentity, {}, I},
        {"variable_default_value", {allow_if(R"({"StringEquals":{"ses:FromAddress":"${aws:username, 'news'}@example.com"}})")},
         send, kIdentity, {from("news@example.com")}, A, 0, 0, "Send"},
        {"variable_in_condition", {allow_if(R"({"StringLike":{"ses:FromAddress":"${aws:username}+*@example.com"}})")}, send,
         kIdentity, {from("ann+x@example.com"), {"aws:username", {"ann"}}}, A, 0, 0, "Send"},
        {"variable_value_is_literal", {allow_if(R"({"StringLike":{"ses:FromAddress":"${aws:username}@example.com"}})")},
         send, kIdentity, {from("anything@example.com"), {"aws:username", {"*"}}}, I},
        {"escape_star_literal", {allow_if(R"({"StringLike":{"ses:FromAddress":"news${*}@example.com"}})")}, send, kIdentity,
         {from("news1@example.com")}, I},
        {"escape_star_matches_asterisk", {allow_if(R"({"StringLike":{"ses:FromAddress":"news${*}@example.com"}})")}, send,
         kIdentity, {from("news*@example.com")}, A, 0, 0, "Send"},
        {"escape_dollar_and_question", {allow_if(R"({"StringLike":{"ses:FromDisplayName":"${$}${?} deals"}})")}, send,
         kIdentity, {{"ses:FromDisplayName", {"$? deals"}}}, A, 0, 0, "Send"},
        {"multivalued_key_is_no_variable", {allow_if(R"({"StringEquals":{"ses:FromAddress":"${ses:Recipients}"}})")}, send,
         kIdentity, {from("a@example.org"), rcpt({"a@example.org"})}, I},
        {"version_2008_variables_literal", {allow_if(R"({"StringEquals":{"ses:FromAddress":"${aws:username}@example.com"}})", "2008-10-17")},
         send, kIdentity, {from("ann@example.com"), {"aws:username", {"ann"}}}, I},
        {"version_2008_matches_literal_text", {allow_if(R"({"StringEquals":{"ses:FromAddress":"${aws:username}@example.com"}})", "2008-10-17")},
         send, kIdentity, {from("${aws:username}@example.com"), {"aws:username", {"ann"}}}, A, 0, 0, "Send"},
        {"no_version_variables_literal", {allow_if(R"({"StringEquals":{"ses:FromAddress":"${aws:username}@example.com"}})", "")},
         send, kIdentity, {from("ann@example.com"), {"aws:username", {"ann"}}}, I},
    };
}

class Evaluate : public ::testing::TestWithParam<Case> {};

TEST_P(Evaluate, DecisionAndDecidingStatement) {
    const Case &c = GetParam();
    std::vector<presend::iam::Policy> policies;
    for (size_t i = 0; i < c.policies.size(); ++i) {
        auto p = presend::iam::parse_policy(c.policies[i], "p" + std::to_string(i));
        ASSERT_TRUE(p.ok()) << c.policies[i] << ": " << p.error().message;
        policies.push_back(std::move(*p));
    }
    presend::iam::Request req{c.action, c.resource, {}};
    for (const auto &k : c.context) {
        if (k.multi) req.context.set_list(k.key, k.values);
        else req.context.set(k.key, k.values.front());
    }
    auto e = presend::iam::evaluate(policies, req);
    EXPECT_EQ(presend::iam::decision_name(e.decision), presend::iam::decision_name(c.expect));
    if (c.policy < 0) {
        EXPECT_FALSE(e.deciding.has_value()) << presend::iam::describe(policies, *e.deciding);
    } else {
        ASSERT_TRUE(e.deciding.has_value());
        EXPECT_EQ(e.deciding->policy, static_cast<size_t>(c.policy));
        EXPECT_EQ(e.deciding->statement, static_cast<size_t>(c.statement));
        EXPECT_EQ(policies[e.deciding->policy].statements[e.deciding->statement].sid, c.sid);
    }
}

INSTANTIATE_TEST_SUITE_P(Table, Evaluate, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case> &p) { return p.param.name; });

TEST(EvaluateTable, CoversEnoughPairs) { EXPECT_GE(cases().size(), 40u); }

TEST(Evaluate, NearMissNamesTheFailedCondition) {
    auto p = presend::iam::parse_policy(allow_if(R"({"StringEquals":{"ses:FromAddress":"news@example.com"}})"), "p");
    ASSERT_TRUE(p.ok());
    presend::iam::Request req{"ses:SendEmail", kIdentity, {}};
    req.context.set("ses:FromAddress", "other@example.com");
    std::vector<presend::iam::Policy> ps{*p};
    auto e = presend::iam::evaluate(ps, req);
    ASSERT_EQ(e.near_misses.size(), 1u);
    EXPECT_EQ(e.near_misses[0].condition, 0u);
    std::string json = presend::iam::evaluation_json(ps, req, e);
    EXPECT_NE(json.find(R"("decision":"ImplicitDeny")"), std::string::npos) << json;
    EXPECT_NE(json.find(R"("failed_condition":{"operator":"StringEquals","key":"ses:FromAddress"})"), std::string::npos);
}

TEST(Wildcard, Matching) {
    using presend::iam::wildcard_match;
    EXPECT_TRUE(wildcard_match("*", ""));
    EXPECT_TRUE(wildcard_match("a*b*c", "aXbYbZc"));
    EXPECT_FALSE(wildcard_match("a*b*c", "aXbYbZ"));
    EXPECT_TRUE(wildcard_match("?", "\xC3\xA9"));  // one character, two bytes
    EXPECT_FALSE(wildcard_match("??", "\xC3\xA9"));
    EXPECT_TRUE(wildcard_match("SES:send*", "ses:SendEmail", true));
    EXPECT_FALSE(wildcard_match("SES:send*", "ses:SendEmail", false));
}

}  // namespace
