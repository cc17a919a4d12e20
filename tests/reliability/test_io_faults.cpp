// I/O faults: every read, write, sync, truncate, lock, WAL-index map ... of
// an operation fails in turn (through a VFS shim registered as SQLite's
// default, so presend runs unchanged), and the disk fills up at every write.
// Each time the operation must fail closed -- a check defers with
// engine.unavailable, any other call returns a store error with a message --
// or, when SQLite absorbed the fault, really succeed. Then, with the fault
// gone: the file passes PRAGMA integrity_check, the audit trail verifies,
// the ledger counts exactly the reservations of the stored decisions, what
// was stored before is all there, and the same engine checks again.
//
// Each operation runs from three states of the engine's connection: warm
// (its page cache is current), cold (another engine wrote since: pages are
// read again, from the WAL and through the memory map) and checkpointed (the
// WAL was checkpointed and truncated: the operation restarts it). A sweep
// that opens a second engine covers opening the files and the WAL index.
//
// PRESEND_RELIABILITY_SWEEP=full tries every fault point; otherwise at most
// kFastCap points per kind of fault, operation and state (with a stride,
// always the first and the last).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <memory>

#include "fault_harness.hpp"
#include "fault_vfs.hpp"

namespace presend::test {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

constexpr int64_t kFastCap = 40;

enum class State { warm, cold, checkpointed };
constexpr State kAllStates[] = {State::warm, State::cold, State::checkpointed};
const char *state_name(State s) {
    switch (s) {
        case State::warm: return "warm";
        case State::cold: return "cold";
        case State::checkpointed: return "checkpointed";
    }
    return "?";
}

class IoFaults : public ::testing::Test {
protected:
    void open(const std::string &durability) {
        FaultVfs::install();
        durability_ = durability;
        store_ = dir_.file("store.db");
        engine_ = std::make_unique<CEngine>(workload_config(durability), store_, &clock_);
        ASSERT_TRUE(*engine_);
        for (const auto &a : workload_recipients()) {
            std::string rec = R"({"address": ")" + a + R"(", "list": "weekly"})";
            ASSERT_EQ(presend_consent_put(e(), rec.data(), rec.size()), PRESEND_OK) << presend_engine_errmsg(e());
        }
        // Something stored before the faults begin: a decision and a suppression.
        ASSERT_TRUE(check());
        std::string s = R"({"address": "@blocked.example", "reason": "manual"})";
        ASSERT_EQ(presend_suppression_put(e(), s.data(), s.size()), PRESEND_OK) << presend_engine_errmsg(e());
        StoreReader db(store_, FaultVfs::real_name());
        x_.decisions = db.integer("SELECT count(*) FROM decision");
        x_.released = 0;
        x_.suppressions = db.integer("SELECT count(*) FROM suppression");
        x_.consent = db.integer("SELECT count(*) FROM consent");
        x_.events = 0;
        x_.audit = db.integer("SELECT count(*) FROM audit");
        ASSERT_EQ(store_problems(store_, FaultVfs::real_name(), x_), "");
        earlier_decisions_ = x_.decisions;
        earlier_ = earlier_rows(store_, FaultVfs::real_name(), earlier_decisions_);
        clock_.now += 1000;  // later decisions sort after these
    }

    presend_engine *e() const { return engine_->get(); }

    // Puts the engine's connection in `state` (unarmed).
    void enter(State state) {
        if (state == State::warm) return;
        // Another engine (another process, as far as SQLite can tell) writes.
        if (!other_) other_ = std::make_unique<CEngine>(workload_config(durability_), store_, &clock_);
        std::swap(engine_, other_);
        bool ok = check();
        std::swap(engine_, other_);
        ASSERT_TRUE(ok) << "the other engine's check";
        if (state == State::checkpointed) {
            sqlite3 *h = nullptr;
            ASSERT_EQ(sqlite3_open_v2(store_.c_str(), &h, SQLITE_OPEN_READWRITE, FaultVfs::real_name()), SQLITE_OK);
            // (Reading the schema first opens the WAL: the connection learns the mode.)
            int rc = sqlite3_exec(h, "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr);
            int log = -1, done = -1;
            if (rc == SQLITE_OK) rc = sqlite3_wal_checkpoint_v2(h, nullptr, SQLITE_CHECKPOINT_TRUNCATE, &log, &done);
            sqlite3_close(h);
            ASSERT_EQ(rc, SQLITE_OK) << "checkpoint";
            ASSERT_EQ(log, 0) << "the WAL was not truncated";
        }
    }

    // A store failure of a call other than a check: a status that says so,
    // and a message.
    void expect_store_failure(presend_status st, const char *what) {
        EXPECT_EQ(st, PRESEND_ESTORE) << what << ": " << presend_status_str(st) << ": " << presend_engine_errmsg(e());
        EXPECT_STRNE(presend_engine_errmsg(e()), "") << what;
    }

    // The workload's reserving check: true when allowed (and so stored),
    // false when it failed closed.
    bool check(std::string *id = nullptr) {
        std::string m = workload_message();
        presend_decision *raw = nullptr;
        presend_status st = presend_engine_check(e(), m.data(), m.size(), 0, &raw);
        DecisionPtr d(raw, &presend_decision_free);
        if (st != PRESEND_OK) {
            ADD_FAILURE() << "check: " << presend_status_str(st) << ": " << presend_engine_errmsg(e());
            return false;
        }
        size_t n = presend_decision_recipient_count(d.get());
        EXPECT_EQ(n, workload_recipients().size());
        if (presend_decision_verdict(d.get()) == PRESEND_ALLOW) {
            for (size_t i = 0; i < n; ++i) EXPECT_EQ(presend_decision_recipient_verdict(d.get(), i), PRESEND_ALLOW);
            ++x_.decisions;
            ++x_.audit;
            if (id != nullptr) *id = presend_decision_id(d.get());
            return true;
        }
        // Failing closed: the message and every recipient wait.
        EXPECT_EQ(presend_decision_verdict(d.get()), PRESEND_DEFER) << presend_decision_json(d.get());
        EXPECT_THAT(message_codes(d.get()), Contains("engine.unavailable")) << presend_decision_json(d.get());
        EXPECT_GT(presend_decision_retry_after_ms(d.get()), 0);
        for (size_t i = 0; i < n; ++i) EXPECT_EQ(presend_decision_recipient_verdict(d.get(), i), PRESEND_DEFER);
        return false;
    }

    bool suppress(int n) {
        std::string s = R"({"address": "s)" + std::to_string(n) + R"(@example.com", "reason": "manual"})";
        presend_status st = presend_suppression_put(e(), s.data(), s.size());
        if (st == PRESEND_OK) {
            ++x_.suppressions;
            ++x_.audit;
            return true;
        }
        expect_store_failure(st, "suppression put");
        return false;
    }

    bool import_consent(int n) {
        static constexpr int kRows = 10;
        std::string csv = "address,list,status\n";
        for (int i = 0; i < kRows; ++i) {
            csv += "imp" + std::to_string(n) + "-" + std::to_string(i) + "@example.com,weekly,subscribed\n";
        }
        OwnedText report;
        presend_status st = presend_consent_import_data(e(), csv.data(), csv.size(), PRESEND_IMPORT_CSV, &report.p);
        if (st == PRESEND_OK) {
            EXPECT_THAT(report.str(), HasSubstr(R"("imported":10,"rejected":0)"));
            x_.consent += kRows;
            ++x_.audit;
            return true;
        }
        EXPECT_EQ(report.p, nullptr);
        expect_store_failure(st, "consent import");
        return false;
    }

    bool ingest(int n) {
        std::string who = "gone" + std::to_string(n) + "@example.org";
        std::string doc =
            R"({"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bounceSubType":"General","bouncedRecipients":[{"emailAddress":")" +
            who + R"("}],"timestamp":"2026-11-02T08:00:00.000Z","feedbackId":"fb-)" + std::to_string(n) +
            R"("},"mail":{"timestamp":"2026-11-02T07:59:58.000Z","messageId":"ses-)" + std::to_string(n) +
            R"(","source":"news@example.com","destination":[")" + who + R"("]}})";
        OwnedText report;
        presend_status st = presend_events_ingest(e(), doc.data(), doc.size(), nullptr, &report.p);
        if (st == PRESEND_OK) {
            EXPECT_THAT(report.str(), HasSubstr(R"("ingested":1,)"));
            EXPECT_THAT(report.str(), HasSubstr(R"("suppressed":1,)"));
            ++x_.events;
            ++x_.suppressions;
            ++x_.audit;
            return true;
        }
        expect_store_failure(st, "events ingest");
        return false;
    }

    bool release(const std::string &id) {
        presend_status st = presend_engine_release(e(), id.c_str());
        if (st == PRESEND_OK) {
            ++x_.released;
            ++x_.audit;
            return true;
        }
        expect_store_failure(st, "release");
        return false;
    }

    // Opens (and closes) another engine on the store: true when it opened.
    bool open_another() {
        std::string config = workload_config(durability_);
        presend_engine_options o;
        presend_engine_options_init(&o);
        o.store_path = store_.c_str();
        o.clock = &TestClock::read;
        o.clock_user_data = &clock_;
        presend_engine *other = nullptr;
        char *err = nullptr;
        presend_status st = presend_engine_open_json(&other, config.data(), config.size(), &o, &err);
        std::string msg = err != nullptr ? err : "";
        presend_free(err);
        presend_engine_free(other);
        if (st == PRESEND_OK) return true;
        EXPECT_EQ(other, nullptr);
        EXPECT_EQ(st, PRESEND_ESTORE) << "open: " << presend_status_str(st) << ": " << msg;
        EXPECT_NE(msg, "") << "open";
        return false;
    }

    // The checks after a fault point, with the fault gone.
    void verify(const std::string &label) {
        EXPECT_EQ(store_problems(store_, FaultVfs::real_name(), x_), "") << label;
        EXPECT_EQ(earlier_rows(store_, FaultVfs::real_name(), earlier_decisions_), earlier_)
            << label << ": what was stored before changed";
        OwnedText audit;
        ASSERT_EQ(presend_audit_verify(e(), &audit.p), PRESEND_OK) << label << ": " << presend_engine_errmsg(e());
        EXPECT_THAT(audit.str(), HasSubstr(R"("ok":true,"records":)" + std::to_string(x_.audit) + ","))
            << label << ": " << audit.str();
        // The same engine, without reopening, checks (and reserves) again.
        EXPECT_TRUE(check()) << label << ": the engine did not recover";
    }

    struct Tally {
        int64_t tried = 0, fired = 0, failed = 0;
    };

    // Runs `op` from each state: once unarmed to count its calls, then once
    // per fault point of every kind, verifying after each. `prepare` runs
    // (unarmed) before each run, before the state is entered; `after` (when
    // given) runs after a run that failed, before the verification.
    void sweep(const std::string &name, const std::function<void(int)> &prepare, const std::function<bool(int)> &op,
               const std::function<void(int)> &after = nullptr) {
        for (State state : kAllStates) {
            sweep_from(name + " (" + state_name(state) + ")", state, prepare, op, after);
            if (HasFailure()) return;
        }
    }

    void sweep_from(const std::string &name, State state, const std::function<void(int)> &prepare,
                    const std::function<bool(int)> &op, const std::function<void(int)> &after) {
        ++run_;
        prepare(run_);
        enter(state);
        FaultVfs::begin();
        bool ok = op(run_);
        IoCounts counts = FaultVfs::end();
        ASSERT_TRUE(ok) << name << ": the unarmed run failed";
        verify(name + " unarmed");
        ASSERT_FALSE(HasFailure());

        int64_t cap = full_sweep() ? INT64_MAX : kFastCap;
        std::string line;
        int64_t total_tried = 0, total_fired = 0;
        for (IoOp kind : kAllIoOps) {
            int64_t calls = counts[static_cast<size_t>(kind)];
            if (calls == 0) continue;
            line += std::string(" ") + io_op_name(kind) + " " + std::to_string(calls);
            // A fault that happens once, then one that lasts until it is
            // cleared (a full disk always lasts).
            for (bool lasting : {false, true}) {
                if (kind == IoOp::full && !lasting) continue;
                Tally t;
                for (int64_t k : sweep_points(calls, cap)) {
                    ++run_;
                    clock_.now += 1000;
                    prepare(run_);
                    enter(state);
                    if (HasFailure()) return;
                    FaultVfs::begin(kind, k, lasting);
                    ok = op(run_);
                    FaultVfs::end();
                    bool fired = FaultVfs::fired();
                    std::string label = name + ": " + io_op_name(kind) + " fault at call " + std::to_string(k) +
                                        (lasting ? " and after" : "") + " of " + std::to_string(calls) +
                                        (fired ? "" : " (not reached)");
                    ++t.tried;
                    t.fired += fired ? 1 : 0;
                    t.failed += ok ? 0 : 1;
                    // Nothing injected: the operation must simply have worked.
                    if (!fired) {
                        EXPECT_TRUE(ok) << label;
                    }
                    if (!ok && after) after(run_);
                    verify(label);
                    if (HasFailure()) {
                        ADD_FAILURE() << "stopping the sweep at " << label;
                        return;
                    }
                }
                total_tried += t.tried;
                total_fired += t.fired;
                line += std::string(lasting ? " lasting " : " once ") + std::to_string(t.tried) + "/" +
                        std::to_string(t.fired) + "/" + std::to_string(t.failed);
            }
            line += ";";
        }
        std::printf("%s: %lld points tried, %lld faults injected (%s sweep). Per kind: calls, then "
                    "tried/injected/failed closed:%s\n",
                    name.c_str(), static_cast<long long>(total_tried), static_cast<long long>(total_fired),
                    full_sweep() ? "full" : "fast", line.c_str());
        // The shim must have reached the operation's I/O.
        EXPECT_GT(total_fired, 0) << name;
    }

    TempDir dir_;
    TestClock clock_;
    std::string durability_;
    std::string store_;
    std::unique_ptr<CEngine> engine_;
    std::unique_ptr<CEngine> other_;  // the engine that writes between runs
    Expected x_;
    int64_t earlier_decisions_ = 0;
    std::string earlier_;  // earlier_rows() before the sweep
    int run_ = 0;
};

void nothing(int) {}

TEST_F(IoFaults, ReservingCheckFailsClosed) {
    open("full");
    sweep("check (durability full)", nothing, [&](int) { return check(); });
}

TEST_F(IoFaults, ReservingCheckFailsClosedWithNormalDurability) {
    open("normal");
    sweep("check (durability normal)", nothing, [&](int) { return check(); });
}

TEST_F(IoFaults, OpeningAnEngineFailsCleanly) {
    open("full");
    sweep("engine open", nothing, [&](int) { return open_another(); });
}

TEST_F(IoFaults, SuppressionPutIsAllOrNothing) {
    open("full");
    sweep("suppression put", nothing, [&](int n) { return suppress(n); });
}

TEST_F(IoFaults, ConsentImportIsAllOrNothing) {
    open("full");
    sweep("consent import", nothing, [&](int n) { return import_consent(n); });
}

TEST_F(IoFaults, EventsIngestIsAllOrNothing) {
    open("full");
    sweep("events ingest", nothing, [&](int n) { return ingest(n); });
}

TEST_F(IoFaults, ReleaseIsAllOrNothingAndCanBeRetried) {
    open("full");
    std::string id;
    sweep(
        "release", [&](int) { ASSERT_TRUE(check(&id)); }, [&](int) { return release(id); },
        // A release that failed left the decision reserved: it can be released now.
        [&](int) { EXPECT_TRUE(release(id)) << "retrying a failed release"; });
}

}  // namespace
}  // namespace presend::test
