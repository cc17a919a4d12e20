// The request SES authorizes for a send, and the plugin's configuration.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "iam.hpp"
#include "ses.hpp"

namespace {

namespace iam = presend::iam;

const iam::ContextValue &get(const iam::Request &r, const char *key) {
    static const iam::ContextValue none;
    const iam::ContextValue *v = r.context.find(key);
    return v != nullptr ? *v : none;
}

std::string one(const iam::Request &r, const char *key) {
    const auto &v = get(r, key);
    return v.values.empty() ? std::string("(absent)") : v.values[0];
}

iam::AccountProfile profile(iam::Api api = iam::Api::v2) {
    iam::AccountProfile p;
    p.account = "prod";
    p.api = api;
    p.aws_account_id = "123456789012";
    p.region = "us-east-1";
    return p;
}

iam::SendMessage message() {
    iam::SendMessage m;
    m.from = "\"Shop, Inc.\" <Orders@Example.COM>";
    m.recipients = {"a@example.org", "b@example.net"};
    m.now_ms = 1767225600000;  // 2026-01-01T00:00:00Z
    return m;
}

TEST(Mailbox, Forms) {
    auto m = iam::parse_mailbox("News <news@example.com>");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->display, "News");
    EXPECT_EQ(m->address, "news@example.com");
    m = iam::parse_mailbox("\"Doe, John\" <j@example.com>, other@example.com");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->display, "Doe, John");
    EXPECT_EQ(m->address, "j@example.com");
    m = iam::parse_mailbox("  j@example.com (John) ");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->display, "");
    EXPECT_EQ(m->address, "j@example.com");
    m = iam::parse_mailbox("\"a \\\"quoted\\\" name\" <q@example.com>");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->display, "a \"quoted\" name");
    EXPECT_FALSE(iam::parse_mailbox("no address"));
    EXPECT_FALSE(iam::parse_mailbox("Name <broken"));
    EXPECT_FALSE(iam::parse_mailbox(""));
}

TEST(SendRequest, ActionByApi) {
    iam::SendMessage m = message();
    EXPECT_EQ(iam::send_action(profile(iam::Api::v2), m), "ses:SendEmail");
    m.raw = true;
    EXPECT_EQ(iam::send_action(profile(iam::Api::v2), m), "ses:SendEmail");  // v2 raw content is SendEmail too
    EXPECT_EQ(iam::send_action(profile(iam::Api::smtp), m), "ses:SendRawEmail");
    EXPECT_EQ(iam::send_action(profile(iam::Api::v1), m), "ses:SendRawEmail");
    m.raw = false;
    EXPECT_EQ(iam::send_action(profile(iam::Api::v1), m), "ses:SendEmail");
    m.custom_headers = true;  // List-Unsubscribe needs SendRawEmail in v1
    EXPECT_EQ(iam::send_action(profile(iam::Api::v1), m), "ses:SendRawEmail");
    auto p = profile(iam::Api::v1);
    p.v1_action = iam::AccountProfile::V1Action::send_email;
    EXPECT_EQ(iam::send_action(p, m), "ses:SendEmail");
}

TEST(SendRequest, ContextAndResources) {
    auto p = profile();
    p.configuration_set = "marketing";
    iam::SendMessage m = message();
    m.mail_from = "bounce@mail.example.com";
    auto reqs = iam::send_requests(p, m);
    ASSERT_TRUE(reqs.ok()) << reqs.error().message;
    ASSERT_EQ(reqs->size(), 2u);
    const auto &r = (*reqs)[0];
    EXPECT_EQ(r.action, "ses:SendEmail");
    EXPECT_EQ(r.resource, "arn:aws:ses:us-east-1:123456789012:identity/example.com");
    EXPECT_EQ((*reqs)[1].resource, "arn:aws:ses:us-east-1:123456789012:configuration-set/marketing");
    EXPECT_EQ(one(r, "ses:FromAddress"), "Orders@Example.COM");
    EXPECT_EQ(one(r, "ses:FromDisplayName"), "Shop, Inc.");
    EXPECT_TRUE(get(r, "ses:Recipients").multi);
    EXPECT_EQ(get(r, "ses:Recipients").values, (std::vector<std::string>{"a@example.org", "b@example.net"}));
    EXPECT_EQ(one(r, "ses:FeedbackAddress"), "bounce@mail.example.com");
    EXPECT_EQ(one(r, "ses:ApiVersion"), "2");
    EXPECT_EQ(one(r, "aws:RequestedRegion"), "us-east-1");
    EXPECT_EQ(one(r, "aws:CurrentTime"), "2026-01-01T00:00:00Z");
    EXPECT_EQ(one(r, "aws:EpochTime"), "1767225600");
    EXPECT_EQ(one(r, "aws:SecureTransport"), "true");
}

TEST(SendRequest, IdentityRegionAndOverrides) {
    auto p = profile(iam::Api::smtp);
    p.identity = "address";
    p.context.set("aws:username", "mailer");
    p.context.set("ses:ApiVersion", "1");
    iam::SendMessage m = message();
    m.region = "eu-west-1";
    m.configuration_set = "transactional";
    m.from = "orders@example.com";
    auto reqs = iam::send_requests(p, m);
    ASSERT_TRUE(reqs.ok());
    ASSERT_EQ(reqs->size(), 2u);
    EXPECT_EQ((*reqs)[0].resource, "arn:aws:ses:eu-west-1:123456789012:identity/orders@example.com");
    EXPECT_EQ((*reqs)[1].resource, "arn:aws:ses:eu-west-1:123456789012:configuration-set/transactional");
    EXPECT_EQ((*reqs)[0].action, "ses:SendRawEmail");
    EXPECT_EQ(one((*reqs)[0], "aws:username"), "mailer");
    EXPECT_EQ(one((*reqs)[0], "ses:ApiVersion"), "1");  // the configuration's context wins
    EXPECT_EQ(one((*reqs)[0], "ses:FromDisplayName"), "(absent)");
    p.identity = "mail.example.com";
    p.partition = "aws-us-gov";
    reqs = iam::send_requests(p, m);
    ASSERT_TRUE(reqs.ok());
    EXPECT_EQ((*reqs)[0].resource, "arn:aws-us-gov:ses:eu-west-1:123456789012:identity/mail.example.com");
}

TEST(SendRequest, WhatCannotBeBuilt) {
    iam::SendMessage m = message();
    m.from = "undisclosed";
    auto r = iam::send_requests(profile(), m);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("no From address"), std::string::npos);
    auto p = profile();
    p.region.clear();
    r = iam::send_requests(p, message());
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("no region"), std::string::npos);
}

TEST(Iso8601, Utc) {
    EXPECT_EQ(iam::iso8601_utc(0), "1970-01-01T00:00:00Z");
    EXPECT_EQ(iam::iso8601_utc(951782400000), "2000-02-29T00:00:00Z");
    EXPECT_EQ(iam::iso8601_utc(1700000000123), "2023-11-14T22:13:20Z");
}

// --- configuration ----------------------------------------------------------------

const std::string kPolicy =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:SendEmail","Resource":"*"}]})";

iam::Result<iam::PluginConfig> config(const std::string &json, std::map<std::string, std::string> files = {}) {
    return iam::parse_plugin_config(json, [files](const std::string &path) -> iam::Result<std::string> {
        auto it = files.find(path);
        if (it == files.end()) return iam::Error{"cannot read it: No such file or directory", iam::Error::npos};
        return it->second;
    });
}

TEST(PluginConfig, FilesInlineAndDefaults) {
    auto c = config(R"({"api":"v1","lint":"strict","policy_dir":"/etc/presend/iam","default_account":"prod",
        "accounts":{"prod":{"aws_account_id":"123456789012","policies":["sender.json",)" + kPolicy + R"(],
                            "region":"us-east-1","identity":"address","configuration_set":"m",
                            "context":{"aws:username":"mailer","aws:PrincipalTag/team":["a","b"]}},
                    "*":{"aws_account_id":"210987654321","api":"smtp","policies":["/abs/other.json"]}}})",
                    {{"/etc/presend/iam/sender.json", kPolicy}, {"/abs/other.json", kPolicy}});
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(c->lint, iam::LintMode::strict);
    ASSERT_EQ(c->accounts.size(), 2u);
    const iam::AccountProfile *prod = c->find("prod");
    ASSERT_NE(prod, nullptr);
    EXPECT_EQ(prod->api, iam::Api::v1);
    EXPECT_EQ(prod->policies.size(), 2u);
    EXPECT_EQ(prod->policies[0].name, "/etc/presend/iam/sender.json");
    EXPECT_EQ(prod->policies[1].name, "prod inline policy 1");
    EXPECT_EQ(prod->identity, "address");
    EXPECT_TRUE(prod->context.find("aws:PrincipalTag/team")->multi);
    const iam::AccountProfile *other = c->find("staging");
    ASSERT_NE(other, nullptr);
    EXPECT_EQ(other->account, "*");
    EXPECT_EQ(other->api, iam::Api::smtp);
}

TEST(PluginConfig, Errors) {
    struct Bad {
        std::string json;
        const char *message;
    };
    const std::string acc = R"("aws_account_id":"123456789012","policies":[)" + kPolicy + "]";
    const Bad bad[] = {
        {"[]", "not a JSON object"},
        {"{}", "\"accounts\" must map"},
        {R"({"accounts":{"prod":{)" + acc + R"(}},"lint":"loud"})", "\"lint\" must be"},
        {R"({"accounts":{"prod":{)" + acc + R"(}},"api":"v3"})", "\"api\" must be"},
        {R"({"accounts":{"prod":{)" + acc + R"(}},"polcy_dir":"x"})", "unknown key \"polcy_dir\""},
        {R"({"accounts":{"prod":{)" + acc + R"(,"regoin":"x"}}})", "unknown key \"regoin\""},
        {R"({"accounts":{"prod":{"aws_account_id":"1234","policies":[)" + kPolicy + "]}}}", "12-digit"},
        {R"({"accounts":{"prod":{"aws_account_id":"123456789012"}}})", "\"policies\" must list"},
        {R"({"accounts":{"prod":{"aws_account_id":"123456789012","policies":["missing.json"]}}})",
         "policy missing.json: cannot read it"},
        {R"({"accounts":{"prod":{"aws_account_id":"123456789012","policies":[{"Statement":"x"}]}}})",
         "Statement must be an object"},
        {R"({"accounts":{"prod":{)" + acc + R"(}},"default_account":"test"})", "\"default_account\" \"test\" is not"},
        {R"({"accounts":{"prod":{)" + acc + R"(,"context":{"aws:username":1}}}})", "must be a string or an array"},
        {R"({"accounts":{"prod":{)" + acc + R"(,"v1_action":"Send"}}})", "\"v1_action\" must be"},
    };
    for (const auto &b : bad) {
        auto c = config(b.json);
        ASSERT_FALSE(c.ok()) << b.json;
        EXPECT_NE(c.error().message.find(b.message), std::string::npos) << b.json << " -> " << c.error().message;
        EXPECT_EQ(c.error().message.rfind("iam_least_privilege configuration: ", 0), 0u);
    }
}

TEST(PluginConfig, LintProfileFollowsTheAccount) {
    auto p = profile(iam::Api::smtp);
    p.configuration_set = "m";
    p.identity = "mail.example.com";
    iam::SendProfile s = iam::lint_profile(p);
    EXPECT_EQ(s.api, iam::Api::smtp);
    EXPECT_EQ(s.configuration_set, "m");
    EXPECT_EQ(s.identity, "mail.example.com");
    EXPECT_EQ(s.region, "us-east-1");
}

}  // namespace
