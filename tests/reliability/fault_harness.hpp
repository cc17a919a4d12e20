// Support for the fault-injection tests: an engine through the C API on a
// store in a temporary directory, the store read directly (past any VFS
// shim), the workload the sweeps run, and the sweep's points.
#pragma once

#include <gtest/gtest.h>
#include <presend/presend.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace presend::test {

// A decision, freed with presend_decision_free.
using DecisionPtr = std::unique_ptr<presend_decision, decltype(&presend_decision_free)>;

// A temporary directory, on tmpfs (/dev/shm) when there is one: the faults
// come from the tests' hooks, and a real disk's fsyncs (a sweep commits
// thousands of times) would only make the sweeps slow.
class TempDir {
public:
    TempDir() {
        std::error_code ec;
        std::filesystem::path base = std::filesystem::temp_directory_path();
        if (std::filesystem::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK | X_OK) == 0) base = "/dev/shm";
        std::string tmpl = (base / "presend-faults-XXXXXX").string();
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        if (::mkdtemp(buf.data()) == nullptr) std::abort();
        path_ = buf.data();
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;
    std::string file(const std::string &name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

// PRESEND_RELIABILITY_SWEEP=full: every fault point; otherwise at most
// `fast_cap` points per kind of fault, evenly spaced, always with the first
// and the last.
inline bool full_sweep() {
    const char *v = std::getenv("PRESEND_RELIABILITY_SWEEP");
    return v != nullptr && std::string(v) == "full";
}

// The points 1..count to try: all of them, or `cap` of them with a stride
// (first and last included).
inline std::vector<int64_t> sweep_points(int64_t count, int64_t cap) {
    std::vector<int64_t> out;
    if (count <= 0) return out;
    if (count <= cap || cap < 2) {
        for (int64_t k = 1; k <= count; ++k) out.push_back(k);
        return out;
    }
    int64_t stride = (count - 1 + cap - 2) / (cap - 1);  // ceil((count - 1) / (cap - 1))
    for (int64_t k = 1; k < count; k += stride) out.push_back(k);
    out.push_back(count);
    return out;
}

// A clock the tests move by hand (2026-11-02T09:00:00Z at the start).
struct TestClock {
    std::atomic<int64_t> now{1793610000000};
    static int64_t read(void *self) { return static_cast<TestClock *>(self)->now.load(); }
};

// The configuration of the workload: one account with limits no test
// reaches, the frequency cap on (so that checks also write the send log),
// the reputation guard off (ingested bounces must not defer the checks).
inline std::string workload_config(const std::string &durability) {
    return R"({"accounts": {"prod": {"regions": {"us-east-1": {"max_24h": 100000000, "max_rate": 1000000, "burst": 1000000}}}},
  "defaults": {"account": "prod", "region": "us-east-1"},
  "durability": ")" + durability + R"(", "busy_timeout_ms": 2000,
  "checks": {"frequency": {"mode": "enforce", "max_messages": 1000000, "period_hours": 24},
             "reputation": {"mode": "off"}}})";
}

// The recipients of the workload's check, each with consent for "weekly".
inline const std::vector<std::string> &workload_recipients() {
    static const std::vector<std::string> r = {"ann@example.org", "bob@example.org", "cat@example.net",
                                               "dan@example.com"};
    return r;
}

// A marketing message to every workload recipient that presend allows.
inline std::string workload_message() {
    std::string to;
    for (const auto &a : workload_recipients()) to += (to.empty() ? "\"" : ", \"") + a + "\"";
    return R"({"from": "News <news@example.com>", "to": [)" + to +
           R"(], "stream": "marketing", "list": "weekly", "message_id": "<m@example.com>",
  "headers": [["List-Unsubscribe", "<https://example.com/u/Zx8Kq2LmN4pR7sT1vW3y>"],
              ["List-Unsubscribe-Post", "List-Unsubscribe=One-Click"]]})";
}

// An engine through the C API.
class CEngine {
public:
    CEngine(const std::string &config, const std::string &store, TestClock *clock) {
        presend_engine_options o;
        presend_engine_options_init(&o);
        o.store_path = store.c_str();
        o.clock = &TestClock::read;
        o.clock_user_data = clock;
        char *err = nullptr;
        presend_status st = presend_engine_open_json(&e_, config.data(), config.size(), &o, &err);
        if (st != PRESEND_OK) ADD_FAILURE() << "open: " << presend_status_str(st) << ": " << (err ? err : "");
        presend_free(err);
    }
    ~CEngine() { presend_engine_free(e_); }
    CEngine(const CEngine &) = delete;
    CEngine &operator=(const CEngine &) = delete;
    presend_engine *get() const { return e_; }
    explicit operator bool() const { return e_ != nullptr; }

private:
    presend_engine *e_ = nullptr;
};

// Owned text from the C API.
struct OwnedText {
    char *p = nullptr;
    ~OwnedText() { presend_free(p); }
    std::string str() const { return p != nullptr ? std::string(p) : std::string(); }
};

// Message-level reason codes of a decision.
inline std::vector<std::string> message_codes(const presend_decision *d) {
    std::vector<std::string> out;
    for (size_t j = 0; j < presend_decision_reason_count(d, PRESEND_MESSAGE_LEVEL); ++j) {
        out.emplace_back(presend_decision_reason_code(d, PRESEND_MESSAGE_LEVEL, j));
    }
    return out;
}

// The store, opened past the engine (and past any VFS shim: `vfs` names the
// real one), read-only.
class StoreReader {
public:
    StoreReader(const std::string &path, const char *vfs) {
        if (sqlite3_open_v2(path.c_str(), &h_, SQLITE_OPEN_READONLY, vfs) != SQLITE_OK) {
            ADD_FAILURE() << "cannot open " << path << ": " << sqlite3_errmsg(h_);
        }
    }
    ~StoreReader() { sqlite3_close(h_); }
    StoreReader(const StoreReader &) = delete;
    StoreReader &operator=(const StoreReader &) = delete;

    // The first column of the first row as an integer (-1: no row).
    int64_t integer(const std::string &sql) const {
        sqlite3_stmt *s = nullptr;
        if (sqlite3_prepare_v2(h_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
            ADD_FAILURE() << sql << ": " << sqlite3_errmsg(h_);
            return -1;
        }
        int64_t v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
        sqlite3_finalize(s);
        return v;
    }
    // Every row's first column as text, joined with newlines.
    std::string text(const std::string &sql) const {
        sqlite3_stmt *s = nullptr;
        if (sqlite3_prepare_v2(h_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
            ADD_FAILURE() << sql << ": " << sqlite3_errmsg(h_);
            return "";
        }
        std::string out;
        int rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            if (!out.empty()) out += "\n";
            const unsigned char *t = sqlite3_column_text(s, 0);
            out += t != nullptr ? reinterpret_cast<const char *>(t) : "NULL";
        }
        if (rc != SQLITE_DONE) out += "\n(error: " + std::string(sqlite3_errmsg(h_)) + ")";
        sqlite3_finalize(s);
        return out;
    }

private:
    sqlite3 *h_ = nullptr;
};

// What the store must hold: every operation that reported success added its
// rows, every one that failed added none.
struct Expected {
    int64_t decisions = 0;
    int64_t released = 0;
    int64_t suppressions = 0;
    int64_t consent = 0;
    int64_t events = 0;
    int64_t audit = 0;
};

// The rows stored before a sweep begins -- the first `decisions` decisions,
// the workload's consent records, every suppression of a whole domain -- as
// text, to compare after each fault point.
inline std::string earlier_rows(const std::string &path, const char *vfs, int64_t decisions) {
    StoreReader db(path, vfs);
    return db.text("SELECT id || ' ' || verdict || ' ' || reserved || ' ' || coalesce(released_at, '-') FROM "
                   "(SELECT * FROM decision ORDER BY created_at, id LIMIT " + std::to_string(decisions) + ")") +
           "\n" +
           db.text("SELECT address || ' ' || list || ' ' || status || ' ' || consented_at FROM consent "
                   "WHERE address IN ('ann@example.org', 'bob@example.org', 'cat@example.net', 'dan@example.com') "
                   "ORDER BY address") +
           "\n" + db.text("SELECT address || ' ' || reason || ' ' || created_at FROM suppression "
                          "WHERE address LIKE '@%' ORDER BY address");
}

// Checks the store's invariants and the expected contents; returns a
// description of every violation ("" when none).
inline std::string store_problems(const std::string &path, const char *vfs, const Expected &x) {
    StoreReader db(path, vfs);
    std::string out;
    auto expect = [&](const std::string &what, int64_t got, int64_t want) {
        if (got != want) out += what + ": " + std::to_string(got) + " (expected " + std::to_string(want) + "); ";
    };
    std::string integrity = db.text("PRAGMA integrity_check");
    if (integrity != "ok") out += "integrity_check: " + integrity + "; ";
    // The ledger, the per-second buckets, the reputation guard's sends and
    // the stored decisions all count the same reservations.
    int64_t reserved = db.integer("SELECT coalesce(sum(reserved), 0) FROM decision WHERE released_at IS NULL");
    expect("quota_window.total", db.integer("SELECT coalesce(sum(total), 0) FROM quota_window"), reserved);
    expect("sum(quota_second.count)", db.integer("SELECT coalesce(sum(count), 0) FROM quota_second"), reserved);
    expect("sum(reputation_hour.sends)", db.integer("SELECT coalesce(sum(sends), 0) FROM reputation_hour"), reserved);
    expect("send_log rows",
           db.integer("SELECT count(*) FROM send_log"),
           db.integer("SELECT count(*) FROM decision_recipient r JOIN decision d ON d.id = r.decision_id "
                      "WHERE r.verdict = 'allow' AND d.released_at IS NULL"));
    expect("decision_recipient rows", db.integer("SELECT count(*) FROM decision_recipient"),
           db.integer("SELECT count(*) FROM decision d JOIN decision_recipient r ON r.decision_id = d.id"));
    expect("decisions", db.integer("SELECT count(*) FROM decision"), x.decisions);
    expect("released decisions", db.integer("SELECT count(*) FROM decision WHERE released_at IS NOT NULL"), x.released);
    expect("suppressions", db.integer("SELECT count(*) FROM suppression"), x.suppressions);
    expect("consent records", db.integer("SELECT count(*) FROM consent"), x.consent);
    expect("events", db.integer("SELECT count(*) FROM event"), x.events);
    expect("audit records", db.integer("SELECT count(*) FROM audit"), x.audit);
    return out;
}

}  // namespace presend::test
