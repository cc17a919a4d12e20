// The built presend_iam_least_privilege.so, loaded as presend loads it
// (dlopen RTLD_NOW | RTLD_LOCAL, the entry symbol) and driven through a fake
// host table: init, check, findings, reasons, shutdown.
#include <cjson/cJSON.h>
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <presend/presend_plugin.h>

#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "../fake_host.hpp"

namespace {

using fake_host::g_init_error;
using fake_host::g_log;

presend_plugin_host host_table() {
    presend_plugin_host h = fake_host::table();
    h.alloc = nullptr;  // optional services: the plugin must cope without them
    h.free = nullptr;
    return h;
}

const presend_plugin_host kHost = host_table();

// Sends from *@example.com on the example.com identity, to example.org only.
const char *kConfig = R"({"api":"v2","accounts":{"prod":{"aws_account_id":"123456789012","region":"us-east-1",
  "policies":[{"Version":"2012-10-17","Statement":[
    {"Sid":"Send","Effect":"Allow","Action":"ses:SendEmail","Resource":"arn:aws:ses:us-east-1:123456789012:identity/example.com",
     "Condition":{"StringLike":{"ses:FromAddress":"*@example.com"}}},
    {"Sid":"OnlyOrg","Effect":"Deny","Action":"ses:SendEmail","Resource":"*",
     "Condition":{"ForAnyValue:StringNotLike":{"ses:Recipients":"*@example.org"}}}]}]}}})";

class PluginSo : public ::testing::Test {
protected:
    void SetUp() override {
        handle_ = dlopen(PRESEND_IAM_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
        ASSERT_NE(handle_, nullptr) << dlerror();
        void *sym = dlsym(handle_, PRESEND_PLUGIN_ENTRY);
        ASSERT_NE(sym, nullptr);
        presend_plugin_entry_fn entry;
        std::memcpy(&entry, &sym, sizeof entry);
        plugin_ = entry(&kHost);
        ASSERT_NE(plugin_, nullptr);
    }
    void TearDown() override {
        if (state_ != nullptr) plugin_->shutdown(state_);
        if (handle_ != nullptr) dlclose(handle_);
    }
    int32_t init(const std::string &config) {
        g_init_error.clear();
        g_log.clear();
        return plugin_->init(&kHost, config.data(), config.size(), &state_);
    }
    static presend_plugin_context message(std::string from, std::vector<std::string> to) {
        presend_plugin_context c;
        c.fields = {{"from", std::move(from)}, {"account", "prod"}, {"region", "us-east-1"}, {"stream", "transactional"}};
        c.recipients = std::move(to);
        c.now = 1767225600000;  // 2026-01-01T00:00:00Z
        return c;
    }
    void *handle_ = nullptr;
    const presend_plugin *plugin_ = nullptr;
    void *state_ = nullptr;
};

TEST_F(PluginSo, Table) {
    EXPECT_STREQ(plugin_->name, "iam_least_privilege");
    EXPECT_EQ(plugin_->abi_version, static_cast<uint32_t>(PRESEND_PLUGIN_ABI_VERSION));
    EXPECT_EQ(plugin_->struct_size, sizeof(presend_plugin));
    EXPECT_NE(plugin_->flags & PRESEND_PLUGIN_THREAD_SAFE, 0u);
    ASSERT_NE(plugin_->reasons_json, nullptr);
    cJSON *doc = cJSON_Parse(plugin_->reasons_json(nullptr));
    ASSERT_TRUE(cJSON_IsArray(doc));
    std::vector<std::string> codes;
    for (const cJSON *r = doc->child; r != nullptr; r = r->next) {
        codes.emplace_back(cJSON_GetObjectItem(r, "code")->valuestring);
        EXPECT_TRUE(cJSON_IsString(cJSON_GetObjectItem(r, "severity")));
    }
    cJSON_Delete(doc);
    EXPECT_EQ(codes, (std::vector<std::string>{"iam.send_denied", "iam.recipient_denied", "iam.account_unmapped",
                                               "iam.request_incomplete"}));
}

TEST_F(PluginSo, RefusesAHostTooSmall) {
    presend_plugin_host small = kHost;
    small.struct_size = 8;
    void *sym = dlsym(handle_, PRESEND_PLUGIN_ENTRY);
    presend_plugin_entry_fn entry;
    std::memcpy(&entry, &sym, sizeof entry);
    EXPECT_EQ(entry(&small), nullptr);
}

TEST_F(PluginSo, AllowedSendHasNoFinding) {
    ASSERT_EQ(init(kConfig), 0) << g_init_error;
    auto c = message("Shop <orders@example.com>", {"a@example.org"});
    ASSERT_EQ(plugin_->check(state_, &c), 0) << c.error;
    EXPECT_TRUE(c.findings.empty());
}

TEST_F(PluginSo, DeniedFromBlocksTheMessage) {
    ASSERT_EQ(init(kConfig), 0) << g_init_error;
    auto c = message("Shop <orders@evil.test>", {"a@example.org"});
    ASSERT_EQ(plugin_->check(state_, &c), 0) << c.error;
    ASSERT_EQ(c.findings.size(), 1u);
    EXPECT_EQ(c.findings[0].code, "iam.send_denied");
    EXPECT_EQ(c.findings[0].severity, PRESEND_PLUGIN_BLOCK);
    EXPECT_EQ(c.findings[0].recipient, PRESEND_PLUGIN_MESSAGE);
    // The identity of evil.test is not in Resource: an implicit deny.
    EXPECT_NE(c.findings[0].message.find("ImplicitDeny"), std::string::npos) << c.findings[0].message;
    EXPECT_NE(c.findings[0].message.find("identity/evil.test"), std::string::npos);
}

TEST_F(PluginSo, ImplicitDenyWithoutACloseAllow) {
    ASSERT_EQ(init(kConfig), 0) << g_init_error;
    // A subdomain's identity (identity/mail.example.com) is in no Resource.
    auto c = message("orders@mail.example.com", {"a@example.org"});
    ASSERT_EQ(plugin_->check(state_, &c), 0) << c.error;
    ASSERT_EQ(c.findings.size(), 1u);
    EXPECT_NE(c.findings[0].message.find("no statement allows this action on this resource"), std::string::npos)
        << c.findings[0].message;
}

TEST_F(PluginSo, ImplicitDenyCitesAFailedAllowCondition) {
    const std::string cfg = R"({"accounts":{"prod":{"aws_account_id":"123456789012","region":"us-east-1","identity":"example.com",
      "policies":[{"Version":"2012-10-17","Statement":[
        {"Sid":"Guard","Effect":"Deny","Action":"ses:SendEmail","Resource":"*","Condition":{"StringEquals":{"ses:FromDisplayName":"Spam"}}},
        {"Sid":"Send","Effect":"Allow","Action":"ses:SendEmail","Resource":"*","Condition":{"StringLike":{"ses:FromAddress":"*@example.com"}}}]}]}}})";
    ASSERT_EQ(init(cfg), 0) << g_init_error;
    auto c = message("orders@mail.example.com", {"a@example.org"});
    ASSERT_EQ(plugin_->check(state_, &c), 0) << c.error;
    ASSERT_EQ(c.findings.size(), 1u);
    EXPECT_NE(c.findings[0].message.find("statement \"Send\" (index 1) of prod inline policy 0 would, but its condition "
                                         "StringLike ses:FromAddress does not hold"),
              std::string::npos)
        << c.findings[0].message;
}

TEST_F(PluginSo, ExplicitDenyNamesTheStatement) {
    ASSERT_EQ(init(kConfig), 0) << g_init_error;
    auto c = message("orders@example.com", {"x@evil.test"});
    ASSERT_EQ(plugin_->check(state_, &c), 0) << c.error;
    ASSERT_EQ(c.findings.size(), 1u);
    EXPECT_EQ(c.findings[0].code, "iam.send_denied");
    EXPECT_NE(c.findings[0].message.find("ExplicitDeny by statement \"OnlyOrg\""), std::string::npos)
        << c.findings[0].message;
}

TEST_F(PluginSo, RecipientConditionBlocksOnlyThoseRecipients) {
    ASSERT_EQ(init(kConfig), 0) << g_init_error;
    auto c = message("orders@example.com", {"a@example.org", "x@evil.test", "b@example.org"});
    ASSERT_EQ(plugin_->check(state_, &c), 0) << c.error;
    ASSERT_EQ(c.findings.size(), 1u);
    EXPECT_EQ(c.findings[0].code, "iam.recipient_denied");
    EXPECT_EQ(c.findings[0].recipient, 1u);
    EXPECT_EQ(c.findings[0].severity, PRESEND_PLUGIN_BLOCK);
}

TEST_F(PluginSo, RecipientsAlreadyBlockedAreNotSent) {
    ASSERT_EQ(init(kConfig), 0) << g_init_error;
    auto c = message("orders@example.com", {"a@example.org", "x@evil.test"});
    c.allowed = {1, 0};  // a built-in check already blocked x@evil.test
    ASSERT_EQ(plugin_->check(state_, &c), 0) << c.error;
    EXPECT_TRUE(c.findings.empty());
}

TEST_F(PluginSo, ConfigurationSetHeaderNeedsItsResource) {
    ASSERT_EQ(init(kConfig), 0) << g_init_error;
    auto c = message("orders@example.com", {"a@example.org"});
    c.headers = {{"X-SES-CONFIGURATION-SET", "marketing"}};
    ASSERT_EQ(plugin_->check(state_, &c), 0) << c.error;
    ASSERT_EQ(c.findings.size(), 1u);
    EXPECT_NE(c.findings[0].message.find("configuration-set/marketing"), std::string::npos);
}

TEST_F(PluginSo, RawMessageFromHeader) {
    ASSERT_EQ(init(kConfig), 0) << g_init_error;
    auto c = message("", {"a@example.org"});
    c.fields.erase("from");
    c.fields["raw"] = "From: orders@evil.test\r\n\r\nhi";
    c.headers = {{"From", "orders@evil.test"}};
    ASSERT_EQ(plugin_->check(state_, &c), 0) << c.error;
    ASSERT_EQ(c.findings.size(), 1u);
    EXPECT_EQ(c.findings[0].code, "iam.send_denied");
}

TEST_F(PluginSo, UnmappedAccountAndIncompleteRequestWarn) {
    ASSERT_EQ(init(kConfig), 0) << g_init_error;
    auto c = message("orders@example.com", {"a@example.org"});
    c.fields["account"] = "test";
    ASSERT_EQ(plugin_->check(state_, &c), 0);
    ASSERT_EQ(c.findings.size(), 1u);
    EXPECT_EQ(c.findings[0].code, "iam.account_unmapped");
    EXPECT_EQ(c.findings[0].severity, PRESEND_PLUGIN_WARN);
    auto d = message("nobody", {"a@example.org"});
    ASSERT_EQ(plugin_->check(state_, &d), 0);
    ASSERT_EQ(d.findings.size(), 1u);
    EXPECT_EQ(d.findings[0].code, "iam.request_incomplete");
}

TEST_F(PluginSo, InitRefusesABadConfiguration) {
    EXPECT_NE(init(R"({"accounts":{}})"), 0);
    EXPECT_NE(g_init_error.find("\"accounts\""), std::string::npos) << g_init_error;
    EXPECT_EQ(state_, nullptr);
}

TEST_F(PluginSo, LintAtInitLogsOrFailsWhenStrict) {
    const std::string wide = R"({"accounts":{"prod":{"aws_account_id":"123456789012","region":"us-east-1",
      "policies":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}]}}})";
    ASSERT_EQ(init(wide), 0) << g_init_error;
    bool logged = false;
    for (const auto &l : g_log) logged = logged || l.find("iam.wildcard_action (error)") != std::string::npos;
    EXPECT_TRUE(logged);
    plugin_->shutdown(state_);
    state_ = nullptr;
    std::string strict = wide;
    strict.insert(1, R"("lint":"strict",)");
    EXPECT_NE(init(strict), 0);
    EXPECT_NE(g_init_error.find("iam.wildcard_action"), std::string::npos) << g_init_error;
}

TEST_F(PluginSo, ChecksRunConcurrently) {
    ASSERT_EQ(init(kConfig), 0) << g_init_error;
    std::vector<std::thread> threads;
    std::vector<int> denied(8, 0);
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 200; ++i) {
                auto c = message(t % 2 ? "orders@example.com" : "orders@evil.test", {"a@example.org"});
                if (plugin_->check(state_, &c) == 0 && !c.findings.empty()) ++denied[t];
            }
        });
    }
    for (auto &th : threads) th.join();
    for (int t = 0; t < 8; ++t) EXPECT_EQ(denied[t], t % 2 ? 0 : 200);
}

}  // namespace
