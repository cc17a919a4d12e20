// The built presend_region_policy.so, loaded with dlopen and driven through
// presend_plugin.h by a fake host: the entry, init errors, findings, a
// store error, a refused finding, and checks on many threads at once.
#include <dlfcn.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <presend/presend_plugin.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "../fake_host.hpp"
#include "helpers.hpp"

using ::testing::HasSubstr;
using region_test::at;

using fake_host::g_init_error;
using fake_host::g_log;

namespace {

class RegionPluginAbi : public ::testing::Test {
protected:
    void SetUp() override {
        handle_ = dlopen(REGION_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
        ASSERT_NE(handle_, nullptr) << dlerror();
        void *sym = dlsym(handle_, PRESEND_PLUGIN_ENTRY);
        ASSERT_NE(sym, nullptr);
        std::memcpy(&entry_, &sym, sizeof entry_);
        host_ = fake_host::table();
        table_ = entry_(&host_);
        ASSERT_NE(table_, nullptr);
    }
    void TearDown() override {
        if (state_ != nullptr) table_->shutdown(state_);
        if (handle_ != nullptr) dlclose(handle_);
    }
    void init(const std::string &config) {
        ASSERT_EQ(table_->init(&host_, config.data(), config.size(), &state_), 0) << g_init_error;
    }
    // A marketing message to one recipient of `country` with express consent.
    static presend_plugin_context message(const char *country) {
        presend_plugin_context c;
        c.fields = {{"stream", "marketing"}, {"region", "eu-west-1"}, {"list", "weekly"},
                    {"from", "News <news@example.com>"}};
        c.headers = {{"List-Unsubscribe", "<https://example.com/u/1>"}};
        c.recipients = {"a@example.org"};
        presend_plugin_context::Consent r;
        r.country = country;
        r.consented_at = at("2026-01-05");
        r.confirmed_at = r.consented_at + 1000;
        c.consents = {r};
        c.now = at("2026-02-01");
        return c;
    }

    void *handle_ = nullptr;
    presend_plugin_entry_fn entry_ = nullptr;
    presend_plugin_host host_{};
    const presend_plugin *table_ = nullptr;
    void *state_ = nullptr;
};

TEST_F(RegionPluginAbi, TheTableDescribesThePlugin) {
    EXPECT_EQ(table_->abi_version, static_cast<uint32_t>(PRESEND_PLUGIN_ABI_VERSION));
    EXPECT_EQ(table_->struct_size, sizeof(presend_plugin));
    EXPECT_STREQ(table_->name, "region_policy");
    EXPECT_NE(table_->flags & PRESEND_PLUGIN_THREAD_SAFE, 0u);
    ASSERT_NE(table_->reasons_json, nullptr);
    EXPECT_EQ(std::string(table_->reasons_json(nullptr)), presend::region::reasons_json());
}

TEST_F(RegionPluginAbi, AnOlderOrSmallerHostIsDeclined) {
    presend_plugin_host old = fake_host::table();
    old.abi_version = 0;
    EXPECT_EQ(entry_(&old), nullptr);
    presend_plugin_host small = fake_host::table();
    small.struct_size = offsetof(presend_plugin_host, set_error);
    EXPECT_EQ(entry_(&small), nullptr);
    EXPECT_EQ(entry_(nullptr), nullptr);
}

TEST_F(RegionPluginAbi, InitErrorsReachTheHost) {
    g_init_error.clear();
    const std::string bad = R"({"default_jurisdiction": "Mars"})";
    void *state = reinterpret_cast<void *>(1);
    EXPECT_NE(table_->init(&host_, bad.data(), bad.size(), &state), 0);
    EXPECT_EQ(state, nullptr);
    EXPECT_THAT(g_init_error, HasSubstr("default_jurisdiction: \"Mars\""));
    // Only `len` bytes are read: the rest of the buffer is not configuration.
    const std::string padded = R"({"default_jurisdiction": "US"}garbage)";
    EXPECT_EQ(table_->init(&host_, padded.data(), padded.size() - 7, &state), 0) << g_init_error;
    table_->shutdown(state);
    table_->shutdown(nullptr);
}

TEST_F(RegionPluginAbi, FindingsReachTheHost) {
    init(R"({"data_residency": true})");
    presend_plugin_context c = message("DE");
    c.fields["region"] = "us-east-1";
    ASSERT_EQ(table_->check(state_, &c), 0) << c.error;
    ASSERT_EQ(c.findings.size(), 1u);
    EXPECT_EQ(c.findings[0].recipient, 0u);
    EXPECT_EQ(c.findings[0].code, "region.residency_violation");
    EXPECT_EQ(c.findings[0].severity, PRESEND_PLUGIN_BLOCK);
    // b has no record and its list no default: no jurisdiction.
    presend_plugin_context d = message("DE");
    d.recipients.push_back("b@example.org");
    d.consents.push_back(std::nullopt);
    d.fields["region"] = "eu-west-1";
    ASSERT_EQ(table_->check(state_, &d), 0) << d.error;
    ASSERT_EQ(d.findings.size(), 1u);
    EXPECT_EQ(d.findings[0].recipient, 1u);
    EXPECT_EQ(d.findings[0].code, "region.jurisdiction_unresolved");
    EXPECT_EQ(d.findings[0].severity, PRESEND_PLUGIN_WARN);
}

TEST_F(RegionPluginAbi, RawMessagesAreSearchedForThePostalAddress) {
    init(R"({"sender": {"postal_address": "1 Main Street, Springfield, IL 62701"}})");
    presend_plugin_context c = message("US");
    c.fields["raw"] = "From: News <news@example.com>\r\nTo: a@example.org\r\n\r\nSale!\r\n1 Main Street\r\nSpringfield IL 62701\r\n";
    ASSERT_EQ(table_->check(state_, &c), 0) << c.error;
    EXPECT_TRUE(c.findings.empty());
    presend_plugin_context d = message("US");
    d.fields["raw"] = "From: News <news@example.com>\r\n\r\nSale!\r\n";
    ASSERT_EQ(table_->check(state_, &d), 0) << d.error;
    ASSERT_EQ(d.findings.size(), 1u);
    EXPECT_EQ(d.findings[0].code, "region.postal_address_missing");
}

TEST_F(RegionPluginAbi, TheFromHeaderStandsInForAMissingFromField) {
    init("{}");
    presend_plugin_context c = message("AU");
    c.fields.erase("from");
    c.headers.push_back({"FROM", "news@example.com"});
    ASSERT_EQ(table_->check(state_, &c), 0) << c.error;
    ASSERT_EQ(c.findings.size(), 1u);
    EXPECT_EQ(c.findings[0].code, "region.sender_identification_missing");
    presend_plugin_context d = message("AU");
    d.fields.erase("from");
    d.headers.push_back({"From", "Example News <news@example.com>"});
    ASSERT_EQ(table_->check(state_, &d), 0) << d.error;
    EXPECT_TRUE(d.findings.empty());
}

TEST_F(RegionPluginAbi, AStoreErrorFailsTheCheck) {
    init("{}");
    presend_plugin_context c = message("DE");
    c.consent_error = -10;  // PRESEND_ESTORE
    EXPECT_NE(table_->check(state_, &c), 0);
    EXPECT_THAT(c.error, HasSubstr("reading the consent record of recipient 0 failed (status -10)"));
}

TEST_F(RegionPluginAbi, TransactionalMailReadsNoRecordWithoutResidency) {
    init("{}");
    presend_plugin_context c = message("DE");
    c.fields["stream"] = "transactional";
    c.consent_error = -10;  // would fail if read
    EXPECT_EQ(table_->check(state_, &c), 0) << c.error;
    EXPECT_TRUE(c.findings.empty());
}

TEST_F(RegionPluginAbi, ARefusedFindingFailsTheCheck) {
    init("{}");
    presend_plugin_context c = message("DE");
    c.consents = {std::nullopt};
    c.fields["list"] = "";
    c.finding_error = -2;
    EXPECT_NE(table_->check(state_, &c), 0);
    EXPECT_THAT(c.error, HasSubstr("refused finding region.jurisdiction_unresolved"));
}

TEST_F(RegionPluginAbi, ChecksRunOnManyThreadsAtOnce) {
    init(R"({"data_residency": true, "postal_address_in_template": true, "list_jurisdictions": {"weekly": "EU"}})");
    constexpr int kThreads = 8, kChecks = 200;
    std::vector<std::thread> threads;
    std::vector<int> wrong(kThreads, 0);
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int k = 0; k < kChecks; ++k) {
                const bool eu = (t + k) % 2 == 0;
                presend_plugin_context c = message(eu ? "FR" : "US");
                c.fields["region"] = "us-east-1";
                if (table_->check(state_, &c) != 0) {
                    ++wrong[t];
                    continue;
                }
                const size_t expected = eu ? 1 : 0;  // residency, for the EU recipient only
                if (c.findings.size() != expected) ++wrong[t];
            }
        });
    }
    for (auto &th : threads) th.join();
    for (int t = 0; t < kThreads; ++t) EXPECT_EQ(wrong[t], 0) << "thread " << t;
}

}  // namespace
