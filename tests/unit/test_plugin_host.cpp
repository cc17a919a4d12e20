// The plugin host: loading, ABI negotiation, failures, and plugin findings
// in the pipeline (tests/plugins/test_plugin.c builds the plugins).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "fixture.hpp"

namespace presend::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string plugin_config(const std::string &plugins, const std::string &extra = "") {
    return R"({"accounts": {"prod": {"regions": {"us-east-1": {"max_24h": 100000, "max_rate": 1000}}}},
             "plugin_dirs": [")" PRESEND_TEST_PLUGIN_DIR R"("], "plugins": )" + plugins + extra + "}";
}

class PluginTest : public EngineTest {
protected:
    Error open_error(const std::string &config) {
        try {
            open(config);
        } catch (const Failure &f) {
            return f.error;
        }
        return Error{Status::ok, ""};
    }
};

TEST_F(PluginTest, FindingsJoinThePipeline) {
    open(plugin_config(R"([{"name": "testplug", "config": {"rule": "block:blocked.example"}}])"));
    engine_->consent_put_json(R"({"address": "ok@example.org", "list": "*", "method": "double", "source": "form", "country": "DE"})");
    auto d = check(txn({"ok@example.org", "x@blocked.example"}));
    EXPECT_EQ(d->verdict, Verdict::partial);
    EXPECT_THAT(codes(*d, 0), ElementsAre("testplug.consent_seen"));
    EXPECT_THAT(codes(*d, 1), ElementsAre("testplug.blocked", "testplug.no_consent"));
    EXPECT_EQ(d->recipients[1].verdict, Verdict::block);
    EXPECT_EQ(d->recipients[1].reasons[1].severity(), Severity::warn);
    ASSERT_THAT(message_codes(*d), ElementsAre("testplug.seen"));
    // The host's services: routing, stream, recipients, clock and consent.
    EXPECT_EQ(d->reasons[0].message, "prod/us-east-1 transactional, 2 recipients, at " + std::to_string(kT0));
    EXPECT_EQ(d->recipients[0].reasons[0].message, "consent double via form in DE");
    EXPECT_NE(d->json().find(R"("code":"testplug.blocked","severity":"block","check":"testplug")"), std::string::npos)
        << d->json();
}

TEST_F(PluginTest, BuiltInChecksRunFirstAndQuotaCountsOnlyWhatGoes) {
    open(plugin_config(R"([{"name": "testplug", "config": {"rule": "block:blocked.example"}}])"));
    auto d = check(txn({"a@example.org", "b@blocked.example"}));
    ASSERT_TRUE(d->quota);
    EXPECT_EQ(d->quota->sent_24h, 1) << "the blocked recipient reserves no quota";
}

TEST_F(PluginTest, MonitorModeRecordsWithoutApplying) {
    open(plugin_config(R"([{"name": "testplug", "mode": "monitor", "config": {"rule": "block:blocked.example"}}])"));
    auto d = check(txn({"x@blocked.example"}));
    EXPECT_EQ(d->verdict, Verdict::allow);
    EXPECT_FALSE(d->recipients[0].reasons[0].enforced);
    open(plugin_config(R"([{"name": "testplug", "mode": "off", "config": {"rule": "block:blocked.example"}}])"));
    EXPECT_TRUE(check(txn({"x@blocked.example"}))->recipients[0].reasons.empty());
}

TEST_F(PluginTest, AFailingCheckFailsClosedOrOpenAsConfigured) {
    open(plugin_config(R"([{"name": "testplug", "config": {"rule": "fail_on:trouble"}}])"));
    auto d = check(txn({"a@example.org", "trouble@example.org"}));
    EXPECT_EQ(d->verdict, Verdict::defer);
    ASSERT_THAT(message_codes(*d), ElementsAre("engine.plugin_failed"));
    EXPECT_THAT(d->reasons[0].message, HasSubstr("cannot judge trouble@example.org"));
    EXPECT_EQ(d->retry_after_ms, 30000);
    EXPECT_TRUE(codes(*d, 0).empty()) << "findings of a failed check are not trusted";

    open(plugin_config(R"([{"name": "testplug", "config": {"rule": "fail_on:trouble"}}])", R"(, "fail_open": true)"));
    d = check(txn({"trouble@example.org"}));
    EXPECT_EQ(d->verdict, Verdict::allow);
    ASSERT_THAT(message_codes(*d), ElementsAre("engine.plugin_failed"));
    EXPECT_FALSE(d->reasons[0].enforced);
}

TEST_F(PluginTest, MalformedFindingsCountAsAFailedCheck) {
    for (const char *kind : {"prefix", "severity", "index", "utf8"}) {
        open(plugin_config(std::string(R"([{"name": "testplug", "config": {"rule": "bad:)") + kind + R"("}}])"));
        auto d = check(txn({"a@example.org"}));
        EXPECT_EQ(d->verdict, Verdict::defer) << kind;
        ASSERT_THAT(message_codes(*d), ElementsAre("engine.plugin_failed")) << kind;
        EXPECT_THAT(d->reasons[0].message, HasSubstr("malformed finding")) << kind;
    }
}

TEST_F(PluginTest, LoadFailuresStopTheEngineFromOpening) {
    struct Case {
        std::string plugins, extra, status_text;
    } cases[] = {
        {R"([{"name": "newabi"}])", "", "built for plugin ABI 2; this presend loads ABI 1 to 1"},
        {R"([{"name": "declines"}])", "", "declined to work with this presend"},
        {R"([{"name": "noentry"}])", "", "does not export presend_plugin_entry"},
        {R"([{"name": "testplug", "config": {"rule": "fail_init"}}])", "", "init failed: the configuration asks init to fail"},
        {R"([{"name": "absent"}])", "", "presend_absent.so is in none of plugin_dirs"},
    };
    for (const auto &c : cases) {
        Error e = open_error(plugin_config(c.plugins, c.extra));
        EXPECT_EQ(e.status, Status::plugin) << c.plugins;
        EXPECT_THAT(e.message, HasSubstr(c.status_text)) << c.plugins;
    }
    // Plugins load only from the directories the configuration names.
    auto cfg = parse_config(R"({"accounts": {"prod": {"regions": {"us-east-1": {}}}}, "plugins": [{"name": "testplug"}]})");
    ASSERT_FALSE(cfg);
    EXPECT_THAT(cfg.error().message, HasSubstr("plugin_dirs"));
    EXPECT_FALSE(parse_config(R"({"accounts": {"p": {"regions": {"r": {}}}}, "plugin_dirs": ["x"], "plugins": [{"name": "../evil"}]})"));
}

TEST_F(PluginTest, AReasonPrefixOtherThanTheName) {
    open(plugin_config(R"([{"name": "prefixed"}])"));
    auto d = check(txn({"a@example.org"}));
    EXPECT_THAT(message_codes(*d), ElementsAre("pp.seen"));
    EXPECT_EQ(d->reasons[0].def->check, "prefixed");
    // presend's own prefixes are not for plugins, and two plugins may not share one.
    EXPECT_THAT(open_error(plugin_config(R"([{"name": "usurper"}])")).message, HasSubstr("belongs to presend"));
    EXPECT_EQ(open_error(plugin_config(R"([{"name": "testplug"}, {"name": "prefixed"}])")).status, Status::ok);
    EXPECT_THAT(open_error(plugin_config(R"([{"name": "prefixed"}, {"name": "twin"}])")).message,
                HasSubstr("both report reasons under \"pp.\""));
}

TEST_F(PluginTest, DeclaredReasonsAreListed) {
    open(plugin_config(R"([{"name": "testplug"}])"));
    std::string json = engine_->reasons_json();
    EXPECT_THAT(json, HasSubstr(R"("code":"testplug.blocked","severity":"block","check":"testplug")"));
    EXPECT_THAT(json, HasSubstr(R"("source":"plugin testplug 0.1.0")"));
    EXPECT_THAT(json, HasSubstr(R"("code":"consent.missing")"));
}

TEST_F(PluginTest, DecisionsOutliveTheEngineAndItsPlugins) {
    open(plugin_config(R"([{"name": "testplug", "config": {"rule": "block:blocked.example"}}])"));
    auto d = check(txn({"x@blocked.example"}));
    engine_.reset();  // the plugin is shut down and unloaded
    EXPECT_NE(d->json().find("testplug.blocked"), std::string::npos);
    EXPECT_EQ(d->recipients[0].reasons[0].def->code, "testplug.blocked");
}

TEST_F(PluginTest, PluginsThatAreNotThreadSafeAreSerialized) {
    EngineOptions o;
    o.store_path = dir_.file("threads.db");
    std::unique_ptr<Engine> engine;
    try {
        engine = Engine::open(config_from(plugin_config(R"([{"name": "slowplug"}])")), o);
    } catch (const Failure &f) {
        FAIL() << f.error.message;
    }
    std::vector<std::thread> threads;
    std::atomic<int> allowed{0};
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 50; ++i) {
                auto d = engine->check(txn({"a@example.org"}), true);
                if (d->verdict == Verdict::allow) ++allowed;
                for (const auto &f : d->reasons) EXPECT_NE(f.def->code, "engine.plugin_failed") << f.message;
            }
        });
    }
    for (auto &t : threads) t.join();
    EXPECT_EQ(allowed.load(), 200);
}

}  // namespace
}  // namespace presend::test
