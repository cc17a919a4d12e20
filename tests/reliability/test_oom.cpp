// Out of memory: every allocation of a reserving check -- SQLite's (through
// its allocator), C++'s (operator new) and cJSON's -- fails in turn, once,
// and then from that point on until memory comes back; the same for opening
// an engine. Each time the call must fail closed: the check returns
// PRESEND_ENOMEM (no decision) or a decision that defers with
// engine.unavailable, or, when the failure was absorbed, an allowed decision
// that really was stored; the open returns a status (no engine). No
// exception may leave the C API (a crash fails the test), nothing may leak
// (the asan preset's LeakSanitizer checks at exit), and afterwards the store
// is consistent, its locks are free, and the same engine checks again.
//
// PRESEND_RELIABILITY_SWEEP=full tries every allocation point; otherwise the
// first kDense points one by one, then at most kSparse more with a stride
// (the last point always included).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>

#include "fault_harness.hpp"
#include "oom_alloc.hpp"

namespace presend::test {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

constexpr int64_t kDense = 200;
constexpr int64_t kSparse = 40;

const char *source_name(AllocSource s) {
    switch (s) {
        case AllocSource::sqlite: return "SQLite allocation";
        case AllocSource::cxx: return "operator new";
        case AllocSource::cjson: return "cJSON allocation";
    }
    return "?";
}

// 1..kDense, then a stride over the rest (or everything, in a full sweep).
std::vector<int64_t> oom_points(int64_t count) {
    if (full_sweep() || count <= kDense) return sweep_points(count, INT64_MAX);
    std::vector<int64_t> out = sweep_points(kDense, INT64_MAX);
    for (int64_t k : sweep_points(count - kDense, kSparse)) out.push_back(kDense + k);
    return out;
}

class Oom : public ::testing::Test {
protected:
    void SetUp() override {
        store_ = dir_.file("store.db");
        engine_ = std::make_unique<CEngine>(workload_config("normal"), store_, &clock_);
        ASSERT_TRUE(*engine_);
        for (const auto &a : workload_recipients()) {
            std::string rec = R"({"address": ")" + a + R"(", "list": "weekly"})";
            ASSERT_EQ(presend_consent_put(e(), rec.data(), rec.size()), PRESEND_OK) << presend_engine_errmsg(e());
        }
        ASSERT_EQ(check(), Outcome::allowed);
        StoreReader db(store_, nullptr);
        x_.decisions = db.integer("SELECT count(*) FROM decision");
        x_.suppressions = db.integer("SELECT count(*) FROM suppression");
        x_.consent = db.integer("SELECT count(*) FROM consent");
        x_.audit = db.integer("SELECT count(*) FROM audit");
        ASSERT_EQ(store_problems(store_, nullptr, x_), "");
        earlier_decisions_ = x_.decisions;
        earlier_ = earlier_rows(store_, nullptr, earlier_decisions_);
        clock_.now += 1000;  // later decisions sort after these
    }

    presend_engine *e() const { return engine_->get(); }

    // How a call under memory pressure ended.
    enum class Outcome {
        allowed,     // a check allowed (and stored); an open succeeded
        deferred,    // a check deferred with engine.unavailable
        no_memory,   // PRESEND_ENOMEM
        other_error, // another status, with a message (cJSON's failures: see parse_error)
        wrong,       // anything else: the test fails
    };

    Outcome check() {
        std::string m = workload_message();
        presend_decision *raw = nullptr;
        presend_status st = presend_engine_check(e(), m.data(), m.size(), 0, &raw);
        DecisionPtr d(raw, &presend_decision_free);
        return judge_check(st, d.get(), false);
    }

    // The check with the allocation fault armed (the message text is made,
    // and the decision freed, unarmed).
    Outcome armed_check(AllocSource source, int64_t at, bool lasting) {
        std::string m = workload_message();
        presend_decision *raw = nullptr;
        AllocFaults::begin(source, at, lasting);
        presend_status st = presend_engine_check(e(), m.data(), m.size(), 0, &raw);
        AllocFaults::end();
        DecisionPtr d(raw, &presend_decision_free);
        return judge_check(st, d.get(), source == AllocSource::cjson);
    }

    // cJSON reports a failed allocation as a parse failure (NULL, like bad
    // syntax), so presend says PRESEND_EJSON for a well-formed message when
    // cJSON ran out of memory: not sent, but for the wrong reason.
    Outcome parse_error(presend_status st, const std::string &message) {
        EXPECT_EQ(st, PRESEND_EJSON) << message;
        EXPECT_NE(message, "");
        return Outcome::other_error;
    }

    Outcome judge_check(presend_status st, const presend_decision *d, bool cjson) {
        if (st == PRESEND_ENOMEM) {
            EXPECT_EQ(d, nullptr);
            return Outcome::no_memory;
        }
        if (st != PRESEND_OK) {
            EXPECT_EQ(d, nullptr);
            if (cjson) return parse_error(st, presend_engine_errmsg(e()));
            ADD_FAILURE() << "check: " << presend_status_str(st) << ": " << presend_engine_errmsg(e());
            return Outcome::wrong;
        }
        size_t n = presend_decision_recipient_count(d);
        EXPECT_EQ(n, workload_recipients().size());
        if (presend_decision_verdict(d) == PRESEND_ALLOW) {
            for (size_t i = 0; i < n; ++i) EXPECT_EQ(presend_decision_recipient_verdict(d, i), PRESEND_ALLOW);
            ++x_.decisions;
            ++x_.audit;
            return Outcome::allowed;
        }
        EXPECT_EQ(presend_decision_verdict(d), PRESEND_DEFER) << presend_decision_json(d);
        EXPECT_THAT(message_codes(d), Contains("engine.unavailable")) << presend_decision_json(d);
        for (size_t i = 0; i < n; ++i) EXPECT_EQ(presend_decision_recipient_verdict(d, i), PRESEND_DEFER);
        return Outcome::deferred;
    }

    // Opens (and closes) another engine on the store with the fault armed.
    Outcome armed_open(AllocSource source, int64_t at, bool lasting) {
        std::string config = workload_config("normal");
        presend_engine_options o;
        presend_engine_options_init(&o);
        o.store_path = store_.c_str();
        o.clock = &TestClock::read;
        o.clock_user_data = &clock_;
        presend_engine *other = nullptr;
        char *err = nullptr;
        AllocFaults::begin(source, at, lasting);
        presend_status st = presend_engine_open_json(&other, config.data(), config.size(), &o, &err);
        AllocFaults::end();
        std::string msg = err != nullptr ? err : "";
        presend_free(err);
        presend_engine_free(other);
        if (st == PRESEND_OK) return Outcome::allowed;
        EXPECT_EQ(other, nullptr);
        if (st == PRESEND_ENOMEM) return Outcome::no_memory;
        if (source == AllocSource::cjson) return parse_error(st, msg);
        ADD_FAILURE() << "open: " << presend_status_str(st) << ": " << msg;
        return Outcome::wrong;
    }

    void verify(const std::string &label) {
        EXPECT_EQ(store_problems(store_, nullptr, x_), "") << label;
        EXPECT_EQ(earlier_rows(store_, nullptr, earlier_decisions_), earlier_)
            << label << ": what was stored before changed";
        OwnedText audit;
        ASSERT_EQ(presend_audit_verify(e(), &audit.p), PRESEND_OK) << label << ": " << presend_engine_errmsg(e());
        EXPECT_THAT(audit.str(), HasSubstr(R"("ok":true,"records":)" + std::to_string(x_.audit) + ","))
            << label << ": " << audit.str();
        EXPECT_EQ(check(), Outcome::allowed) << label << ": the engine did not recover";
        // Nothing holds the store's locks: another engine (another process,
        // as far as SQLite can tell) checks too.
        if (!other_) other_ = std::make_unique<CEngine>(workload_config("normal"), store_, &clock_);
        std::swap(engine_, other_);
        Outcome o = check();
        std::swap(engine_, other_);
        EXPECT_EQ(o, Outcome::allowed) << label << ": another engine could not check";
    }

    enum class Target { check, open };

    void sweep(Target target, AllocSource source) {
        const char *what = target == Target::check ? "check" : "engine open";
        auto run = [&](int64_t at, bool lasting) {
            return target == Target::check ? armed_check(source, at, lasting) : armed_open(source, at, lasting);
        };
        AllocFaults::begin();
        ASSERT_EQ(run(0, false), Outcome::allowed) << what << " unarmed";
        AllocCounts counts = AllocFaults::end();
        verify(std::string(what) + " unarmed");
        ASSERT_FALSE(HasFailure());
        int64_t calls = counts.of(source);
        ASSERT_GT(calls, 0) << "the hook saw no " << source_name(source);

        std::printf("%s: %lld C++, %lld SQLite and %lld cJSON allocations; %s failing (%s sweep):\n", what,
                    static_cast<long long>(counts.cxx), static_cast<long long>(counts.sqlite),
                    static_cast<long long>(counts.cjson), source_name(source), full_sweep() ? "full" : "fast");
        for (bool lasting : {false, true}) {
            int64_t tried = 0, fired = 0, n[5] = {0, 0, 0, 0, 0};
            for (int64_t k : oom_points(calls)) {
                clock_.now += 1000;
                Outcome o = run(k, lasting);
                bool hit = AllocFaults::fired();
                std::string label = std::string(what) + ", " + source_name(source) +
                                    (lasting ? " failing from call " : " failing at call ") + std::to_string(k) +
                                    " of " + std::to_string(calls) + (hit ? "" : " (not reached)");
                ++tried;
                fired += hit ? 1 : 0;
                ++n[static_cast<int>(o)];
                if (!hit) {
                    EXPECT_EQ(o, Outcome::allowed) << label;
                }
                verify(label);
                if (HasFailure()) {
                    ADD_FAILURE() << "stopping the sweep at " << label;
                    return;
                }
            }
            std::printf("  %s: %lld points tried, %lld failures injected: %lld succeeded (absorbed), %lld deferred "
                        "(engine.unavailable), %lld PRESEND_ENOMEM, %lld other status\n",
                        lasting ? "until memory comes back" : "once", static_cast<long long>(tried),
                        static_cast<long long>(fired), static_cast<long long>(n[0]), static_cast<long long>(n[1]),
                        static_cast<long long>(n[2]), static_cast<long long>(n[3]));
            EXPECT_GT(fired, 0);
        }
    }

    TempDir dir_;
    TestClock clock_;
    std::string store_;
    std::unique_ptr<CEngine> engine_;
    std::unique_ptr<CEngine> other_;  // checks after each point: the store is not left locked
    Expected x_;
    int64_t earlier_decisions_ = 0;
    std::string earlier_;  // earlier_rows() before the sweep
};

TEST_F(Oom, CheckFailsClosedWhenSqliteRunsOutOfMemory) { sweep(Target::check, AllocSource::sqlite); }
TEST_F(Oom, CheckFailsClosedWhenOperatorNewFails) { sweep(Target::check, AllocSource::cxx); }
TEST_F(Oom, CheckFailsClosedWhenCjsonRunsOutOfMemory) { sweep(Target::check, AllocSource::cjson); }
TEST_F(Oom, OpenFailsCleanlyWhenSqliteRunsOutOfMemory) { sweep(Target::open, AllocSource::sqlite); }
TEST_F(Oom, OpenFailsCleanlyWhenOperatorNewFails) { sweep(Target::open, AllocSource::cxx); }
TEST_F(Oom, OpenFailsCleanlyWhenCjsonRunsOutOfMemory) { sweep(Target::open, AllocSource::cjson); }

}  // namespace
}  // namespace presend::test

int main(int argc, char **argv) {
    // Before anything initializes SQLite or allocates with cJSON.
    presend::test::AllocFaults::install();
    ::testing::InitGoogleMock(&argc, argv);
    return RUN_ALL_TESTS();
}
