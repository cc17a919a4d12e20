// The policy parser: what IAM accepts, and a clear error for what it refuses.
#include <gtest/gtest.h>

#include <string>

#include "iam.hpp"

namespace {

namespace iam = presend::iam;

std::string parse_error(const std::string &json) {
    auto p = iam::parse_policy(json, "t");
    return p ? std::string("(parsed)") : p.error().message;
}

TEST(ParsePolicy, ShapesIamAccepts) {
    auto p = iam::parse_policy(R"({"Version":"2012-10-17","Id":"mailer","Statement":{"Sid":"One","Effect":"Deny",
        "NotAction":["ses:Get*","ses:List*"],"NotResource":"arn:aws:ses:*:*:identity/*",
        "Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":3600},"Bool":{"aws:SecureTransport":false},
                     "ForAnyValue:StringLikeIfExists":{"ses:Recipients":["*@a.example","*@b.example"]}}}})",
                               "mailer.json");
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(p->name, "mailer.json");
    EXPECT_EQ(p->id, "mailer");
    EXPECT_TRUE(p->variables());
    ASSERT_EQ(p->statements.size(), 1u);
    const auto &st = p->statements[0];
    EXPECT_EQ(st.sid, "One");
    EXPECT_EQ(st.effect, iam::Effect::deny);
    EXPECT_TRUE(st.not_action);
    EXPECT_TRUE(st.not_resource);
    ASSERT_EQ(st.conditions.size(), 3u);
    EXPECT_EQ(st.conditions[0].op, iam::Op::numeric_less_than);
    EXPECT_EQ(st.conditions[0].values, std::vector<std::string>{"3600"});
    EXPECT_EQ(st.conditions[1].values, std::vector<std::string>{"false"});
    EXPECT_EQ(st.conditions[2].set, iam::SetOp::for_any_value);
    EXPECT_TRUE(st.conditions[2].if_exists);
    EXPECT_EQ(st.conditions[2].op, iam::Op::string_like);
    EXPECT_EQ(st.conditions[2].values.size(), 2u);
}

TEST(ParsePolicy, VersionDecidesVariables) {
    auto old = iam::parse_policy(R"({"Version":"2008-10-17","Statement":[]})");
    ASSERT_TRUE(old.ok());
    EXPECT_FALSE(old->variables());
    auto none = iam::parse_policy(R"({"Statement":[]})");
    ASSERT_TRUE(none.ok());
    EXPECT_EQ(none->version, "");
    EXPECT_FALSE(none->variables());
}

TEST(ParsePolicy, JsonErrorsHaveAPosition) {
    auto p = iam::parse_policy("{\"Version\": \"2012-10-17\",\n \"Statement\": [}", "t");
    ASSERT_FALSE(p.ok());
    EXPECT_NE(p.error().position, iam::Error::npos);
    EXPECT_NE(p.error().message.find("not valid JSON"), std::string::npos);
    EXPECT_NE(parse_error(R"({"Statement":[]} x)").find("text after the document"), std::string::npos);
    EXPECT_NE(parse_error("").find("not valid JSON"), std::string::npos);
}

TEST(ParsePolicy, RefusesWhatIamRefuses) {
    struct Bad {
        const char *json;
        const char *message;
    };
    const Bad bad[] = {
        {R"([])", "must be a JSON object"},
        {R"({"Version":"2012-10-17"})", "Statement is missing"},
        {R"({"Version":"2019-01-01","Statement":[]})", "Version must be"},
        {R"({"Version":"2012-10-17","Statement":[],"Extra":1})", "unknown element \"Extra\""},
        {R"({"Statement":"x"})", "Statement must be an object or an array"},
        {R"({"Statement":[{"Effect":"allow","Action":"ses:SendEmail","Resource":"*"}]})", "Effect must be \"Allow\" or \"Deny\""},
        {R"({"Statement":[{"Action":"ses:SendEmail","Resource":"*"}]})", "Effect is missing"},
        {R"({"Statement":[{"Effect":"Allow","Resource":"*"}]})", "Action (or NotAction) is missing"},
        {R"({"Statement":[{"Effect":"Allow","Action":"ses:SendEmail"}]})", "Resource (or NotResource) is missing"},
        {R"({"Statement":[{"Effect":"Allow","Action":"ses:SendEmail","NotAction":"iam:*","Resource":"*"}]})", "not both"},
        {R"({"Statement":[{"Effect":"Allow","Action":"SendEmail","Resource":"*"}]})", "is not an action"},
        {R"({"Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]})", "must not be empty"},
        {R"({"Statement":[{"Effect":"Allow","Action":[1],"Resource":"*"}]})", "only strings"},
        {R"({"Statement":[{"Effect":"Allow","Action":"ses:SendEmail","Resource":"example.com"}]})", "must be an ARN"},
        {R"({"Statement":[{"Effect":"Allow","Action":"ses:SendEmail","Resource":"*","Condition":{"StringMatches":{"a:b":"c"}}}]})",
         "unknown condition operator \"StringMatches\""},
        {R"({"Statement":[{"Effect":"Allow","Action":"ses:SendEmail","Resource":"*","Condition":{"NullIfExists":{"a:b":"true"}}}]})",
         "unknown condition operator"},
        {R"({"Statement":[{"Effect":"Allow","Action":"ses:SendEmail","Resource":"*","Condition":{"StringEquals":{"a:b":{"x":1}}}}]})",
         "a condition value must be"},
        {R"({"Statement":[{"Effect":"Allow","Action":"ses:SendEmail","Resource":"*","Condition":{"StringEquals":{}}}]})",
         "must map condition keys"},
        {R"({"Statement":[{"Effect":"Allow","Effect":"Deny","Action":"ses:SendEmail","Resource":"*"}]})",
         "duplicate element \"Effect\""},
        {R"({"Statement":[{"Effect":"Allow","Action":"ses:SendEmail","Resource":"*","Condition":{"StringEquals":{"a:b":"1","a:b":"2"}}}]})",
         "duplicate key \"a:b\""},
        {R"({"Statement":[{"Effect":"Allow","Action":"ses:SendEmail","Resource":"*","Actions":"x"}]})", "unknown element \"Actions\""},
    };
    for (const auto &b : bad) {
        std::string msg = parse_error(b.json);
        EXPECT_NE(msg.find(b.message), std::string::npos) << b.json << " -> " << msg;
    }
}

TEST(ParsePolicy, ErrorsNameTheStatement) {
    std::string msg = parse_error(
        R"({"Statement":[{"Effect":"Allow","Action":"ses:SendEmail","Resource":"*"},{"Sid":"Second","Effect":"Maybe","Action":"ses:SendEmail","Resource":"*"}]})");
    EXPECT_NE(msg.find("statement 1 (\"Second\")"), std::string::npos) << msg;
}

TEST(ParsePolicy, OperatorNamesAreRecognisedInAnyCase) {
    auto p = iam::parse_policy(
        R"({"Statement":[{"Effect":"Allow","Action":"ses:SendEmail","Resource":"*","Condition":{"forallvalues:stringequalsifexists":{"ses:Recipients":"a@b.example"}}}]})");
    ASSERT_TRUE(p.ok()) << p.error().message;
    const auto &c = p->statements[0].conditions[0];
    EXPECT_EQ(c.set, iam::SetOp::for_all_values);
    EXPECT_TRUE(c.if_exists);
    EXPECT_EQ(c.op, iam::Op::string_equals);
    EXPECT_EQ(iam::op_name(c.op), "StringEquals");
}

TEST(JsonQuote, ReplacesInvalidUtf8AndEscapes) {
    EXPECT_EQ(iam::json_quote("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
    EXPECT_EQ(iam::json_quote("\xC3\xA9"), "\"\xC3\xA9\"");
    EXPECT_EQ(iam::json_quote("\xFF"), "\"\xEF\xBF\xBD\"");
    EXPECT_EQ(iam::json_quote("\xC0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");  // overlong
}

}  // namespace
