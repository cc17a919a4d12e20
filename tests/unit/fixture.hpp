// Test support: a temporary directory, an engine on a store in it, and a
// clock the test moves by hand.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "config.hpp"
#include "decision.hpp"
#include "engine.hpp"
#include "json.hpp"

namespace presend::test {

class TempDir {
public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "presend-test-XXXXXX").string();
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        if (::mkdtemp(buf.data()) == nullptr) std::abort();
        path_ = buf.data();
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    const std::string &path() const { return path_; }
    std::string file(const std::string &name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

struct ManualClock {
    std::atomic<int64_t> now{0};
    static int64_t read(void *self) { return static_cast<ManualClock *>(self)->now.load(); }
};

// 2026-11-02T09:00:00Z
inline constexpr int64_t kT0 = 1793610000000;

inline Config config_from(const std::string &json) {
    auto c = parse_config(json);
    if (!c) {
        ADD_FAILURE() << "bad test configuration: " << c.error().message;
        std::abort();
    }
    return std::move(*c);
}

// A production account "prod" in us-east-1 with the given limits.
inline std::string simple_config(int64_t max_24h, int64_t max_rate, int64_t burst, const std::string &checks = "{}") {
    return R"({"accounts": {"prod": {"regions": {"us-east-1": {"max_24h": )" + std::to_string(max_24h) +
           R"(, "max_rate": )" + std::to_string(max_rate) + R"(, "burst": )" + std::to_string(burst) +
           R"(}}}}, "checks": )" + checks + "}";
}

// The first column of the first row of a query on a store file, read
// directly (not through presend); -1 when there is no row.
inline int64_t count_rows(const std::string &path, const std::string &sql) {
    sqlite3 *h = nullptr;
    sqlite3_open_v2(path.c_str(), &h, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt *s = nullptr;
    sqlite3_prepare_v2(h, sql.c_str(), -1, &s, nullptr);
    int64_t v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_finalize(s);
    sqlite3_close(h);
    return v;
}

// A JSON array of strings.
inline std::string json_list(const std::vector<std::string> &items) {
    std::string out = "[";
    for (size_t i = 0; i < items.size(); ++i) {
        if (i) out += ",";
        json_append_string(out, items[i]);
    }
    return out + "]";
}

class EngineTest : public ::testing::Test {
protected:
    void open(const std::string &config_json, bool read_only = false) {
        engine_.reset();
        EngineOptions o;
        o.store_path = dir_.file("store.db");
        o.clock = &ManualClock::read;
        o.clock_user_data = &clock_;
        o.read_only = read_only;
        engine_ = Engine::open(config_from(config_json), o);
    }

    // A transactional message (no consent or unsubscribe rules) to `to`.
    static std::string txn(const std::vector<std::string> &to, const std::string &extra = "") {
        std::string m = R"({"from": "App <app@example.com>", "stream": "transactional", "to": )";
        return m + json_list(to) + extra + "}";
    }

    std::unique_ptr<Decision> check(const std::string &json, bool dry_run = false) {
        return engine_->check(json, dry_run);
    }

    static std::vector<std::string> codes(const Decision &d, size_t recipient) {
        std::vector<std::string> out;
        for (const auto &f : d.recipients.at(recipient).reasons) out.emplace_back(f.def->code);
        return out;
    }
    static std::vector<std::string> message_codes(const Decision &d) {
        std::vector<std::string> out;
        for (const auto &f : d.reasons) out.emplace_back(f.def->code);
        return out;
    }

    TempDir dir_;
    ManualClock clock_{};
    std::unique_ptr<Engine> engine_;

    void SetUp() override { clock_.now = kT0; }
};

}  // namespace presend::test
