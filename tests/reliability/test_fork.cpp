// Fork safety under a forking server. What the unit and C tests already
// cover: an engine used before fork() and then by the parent and 4 children
// at once (exact count, integrity), and a fork while the parent's checkpoint
// thread exists. This adds what a PHP-FPM master (or gunicorn --preload)
// does over its life, with one quota that runs out on the way:
//   - the master writes enough before forking that its checkpoint thread
//     runs; it forks generations of workers that check on the inherited
//     engine handle and exit (pm.max_requests), while it keeps checking;
//   - a worker forks a worker of its own (nested fork);
//   - while a generation runs, the master closes its engine and opens a new
//     one (a reload);
//   - a process forks while another of its threads is inside a check.
// Every child's checks must succeed without engine.unavailable (a child
// that used, or inherited the locks of, the parent's SQLite connections
// would wait on locks nobody holds, deadlock, or corrupt the store), the
// allowed recipients must add up to exactly the quota, every reported
// decision must be stored, and the store must pass integrity_check and
// audit verify.
#include <atomic>
#include <thread>

#include "support.hpp"

namespace reliability {
namespace {

std::string config(int64_t max_24h) {
    return R"({"busy_timeout_ms": 5000, "accounts": {"prod": {"regions": {"us-east-1": {"max_24h": )" +
           std::to_string(max_24h) + R"(, "max_rate": 1000000, "burst": 1000000}}}}})";
}

// What one process saw.
struct Seen {
    int64_t allowed = 0;     // recipients allowed
    int64_t exhausted = 0;   // recipients deferred with quota.daily_exhausted
    int64_t other = 0;       // recipients with any other verdict (engine.unavailable...)
    int64_t errors = 0;      // failed calls
    int64_t decisions = 0;
    void add(const Seen &s) {
        allowed += s.allowed;
        exhausted += s.exhausted;
        other += s.other;
        errors += s.errors;
        decisions += s.decisions;
    }
};

// `n` checks of 1 or 2 recipients; each allowing decision is written to `fd`.
Seen run_checks(presend_engine *e, const std::string &tag, int n, int fd, Rng &rng) {
    Seen s;
    for (int i = 0; i < n; ++i) {
        std::string m = txn_message(recipients(tag + "-" + std::to_string(i), static_cast<int>(rng.range(1, 2))));
        presend_decision *d = nullptr;
        if (presend_engine_check(e, m.data(), m.size(), 0, &d) != PRESEND_OK) {
            std::fprintf(stderr, "%s: check failed: %s\n", tag.c_str(), presend_engine_errmsg(e));
            ++s.errors;
            continue;
        }
        ++s.decisions;
        for (size_t r = 0; r < presend_decision_recipient_count(d); ++r) {
            presend_verdict v = presend_decision_recipient_verdict(d, r);
            if (v == PRESEND_ALLOW) {
                ++s.allowed;
            } else if (v == PRESEND_DEFER && std::strcmp(presend_decision_reason_code(d, r, 0), "quota.daily_exhausted") == 0) {
                ++s.exhausted;
            } else {
                ++s.other;
                std::fprintf(stderr, "%s: %s\n", tag.c_str(), presend_decision_json(d));
            }
        }
        int allowed = allowed_recipients(d);
        if (allowed > 0 && fd >= 0) append_line(fd, std::string(presend_decision_id(d)) + " " + std::to_string(allowed));
        presend_decision_free(d);
    }
    return s;
}

// Checks the store against what the processes were told.
void verify_store(const std::string &store, const std::string &cfg, const std::string &reports, int64_t want_allowed,
                  const Seen &seen) {
    EXPECT_EQ(Sqlite(store).integrity(), "ok");
    auto decisions = stored_decisions(store);
    EXPECT_EQ(static_cast<int64_t>(decisions.size()), seen.decisions) << "decisions returned and decisions stored";
    int64_t reported = 0, missing = 0;
    for (const auto &line : read_lines(reports)) {
        auto f = split(line);
        ASSERT_EQ(f.size(), 2u) << line;
        ++reported;
        auto it = decisions.find(f[0]);
        if (it == decisions.end() || it->second.reserved != std::stoll(f[1])) {
            if (missing++ < 5) ADD_FAILURE() << "decision " << f[0] << " (" << f[1] << " allowed) is not stored as reported";
        }
    }
    EXPECT_EQ(missing, 0) << "of " << reported << " reported decisions";
    int64_t reserved = 0;
    for (const auto &[id, d] : decisions) reserved += d.reserved;
    EXPECT_EQ(reserved, want_allowed);
    Engine e = open_engine(cfg, {store});
    ASSERT_TRUE(e);
    EXPECT_EQ(sent_24h(e.get()), want_allowed) << "the ledger's count";
    std::string verify = audit_verify(e.get());
    EXPECT_TRUE(json_true(verify, "ok")) << verify;
}

TEST(ForkSafety, APreforkingMasterRecyclesWorkersAndReloads) {
    constexpr int kGenerations = 3, kWorkers = 3, kChecks = 40;
    constexpr int64_t kQuota = 1400;
    TempDir dir;
    const std::string store = dir.file("store.db"), reports = dir.file("reports");
    const std::string cfg = config(kQuota);
    std::string why;
    Engine master = open_engine(cfg, {store}, &why);
    ASSERT_TRUE(master) << why;
    int fd = open_append(reports);
    ASSERT_GE(fd, 0);
    Rng rng(seed());
    // Preloading and warming up: 1,000 recipients in 200 commits, enough WAL
    // for the master's checkpoint thread to start.
    Seen total;
    for (int i = 0; i < 200; ++i) {
        std::string m = txn_message(recipients("warm" + std::to_string(i), 5));
        presend_decision *d = nullptr;
        ASSERT_EQ(presend_engine_check(master.get(), m.data(), m.size(), 0, &d), PRESEND_OK);
        ASSERT_EQ(presend_decision_verdict(d), PRESEND_ALLOW);
        append_line(fd, std::string(presend_decision_id(d)) + " 5");
        presend_decision_free(d);
        total.allowed += 5;
        ++total.decisions;
    }

    int results[2];
    ASSERT_EQ(::pipe(results), 0);
    std::vector<pid_t> hung;
    int failed_children = 0;
    for (int g = 0; g < kGenerations; ++g) {
        std::vector<pid_t> pids;
        for (int w = 0; w < kWorkers; ++w) {
            uint64_t child_seed = rng.next();
            pids.push_back(spawn([&, g, w, child_seed] {
                Rng r(child_seed);
                std::string tag = "g" + std::to_string(g) + "w" + std::to_string(w);
                Seen s = run_checks(master.get(), tag, kChecks, fd, r);
                if (g == 1 && w == 0) {
                    // A worker that forks: the grandchild uses the engine it inherited in turn.
                    pid_t grandchild = spawn([&] {
                        Seen gs = run_checks(master.get(), tag + "-child", kChecks / 2, fd, r);
                        master.reset();
                        return ::write(results[1], &gs, sizeof gs) == static_cast<ssize_t>(sizeof gs) ? 0 : 5;
                    });
                    s.add(run_checks(master.get(), tag + "-after", kChecks / 2, fd, r));
                    int st = 0;
                    ::waitpid(grandchild, &st, 0);
                    if (!exited_ok(st)) return 6;
                }
                master.reset();
                return ::write(results[1], &s, sizeof s) == static_cast<ssize_t>(sizeof s) ? 0 : 5;
            }));
        }
        if (g == 1) {
            // A reload while this generation runs: the master closes the engine
            // its workers inherited and opens a new one.
            master.reset();
            master = open_engine(cfg, {store}, &why);
            ASSERT_TRUE(master) << why;
        }
        total.add(run_checks(master.get(), "master" + std::to_string(g), kChecks, fd, rng));
        auto statuses = wait_all(pids, std::chrono::minutes(3), &hung);
        for (int st : statuses) {
            if (!exited_ok(st)) {
                ++failed_children;
                ADD_FAILURE() << "a worker of generation " << g << " failed: " << describe(st);
            }
        }
    }
    ::close(results[1]);
    Seen s;
    int reports_read = 0;
    while (::read(results[0], &s, sizeof s) == static_cast<ssize_t>(sizeof s)) {
        total.add(s);
        ++reports_read;
    }
    ::close(results[0]);
    ::close(fd);
    master.reset();
    EXPECT_TRUE(hung.empty()) << hung.size() << " workers hung (deadlocked after fork)";
    EXPECT_EQ(reports_read, kGenerations * kWorkers + 1);
    EXPECT_EQ(total.errors, 0);
    EXPECT_EQ(total.other, 0) << "no check may defer for another reason than the quota (engine.unavailable: locks)";
    ASSERT_GT(total.allowed + total.exhausted, kQuota) << "the run must ask for more than the quota";
    EXPECT_EQ(total.allowed, kQuota) << "master and workers together";
    verify_store(store, cfg, reports, kQuota, total);
    summary("fork preforking generations=" + std::to_string(kGenerations) + " workers=" +
            std::to_string(kGenerations * kWorkers + 1) + " checks=" + std::to_string(total.decisions) +
            " allowed=" + std::to_string(total.allowed) + "/" + std::to_string(kQuota) + " hung=" +
            std::to_string(hung.size()) + " failed=" + std::to_string(failed_children) +
            " failures=" + std::to_string(::testing::Test::HasFailure() ? 1 : 0));
}

TEST(ForkSafety, ForkWhileAnotherThreadIsInACheck) {
    const int children = static_cast<int>(param("PRESEND_RELIABILITY_FORKS", 12));
    constexpr int kChecks = 15;
    TempDir dir;
    const std::string store = dir.file("store.db"), reports = dir.file("reports");
    const std::string cfg = config(100000000);
    std::string why;
    Engine e = open_engine(cfg, {store}, &why);
    ASSERT_TRUE(e) << why;
    int fd = open_append(reports);
    ASSERT_GE(fd, 0);
    std::atomic<bool> stop{false};
    Seen threads_seen;
    std::thread checker([&] {
        Rng r(seed() + 1);
        for (int round = 0; !stop; ++round) threads_seen.add(run_checks(e.get(), "thread" + std::to_string(round), 5, fd, r));
    });
    int results[2];
    ASSERT_EQ(::pipe(results), 0);
    std::vector<pid_t> hung;
    Seen total;
    int failed_children = 0;
    Rng rng(seed());
    for (int c = 0; c < children; ++c) {
        // Fork at a random moment of the other thread's checks.
        std::this_thread::sleep_for(std::chrono::microseconds(rng.range(0, 3000)));
        uint64_t child_seed = rng.next();
        pid_t pid = spawn([&, c, child_seed] {
            Rng r(child_seed);
            Seen s = run_checks(e.get(), "child" + std::to_string(c), kChecks, fd, r);
            e.release();  // the parent's thread is not here to stop; leave the engine as it is
            return ::write(results[1], &s, sizeof s) == static_cast<ssize_t>(sizeof s) ? 0 : 5;
        });
        for (int st : wait_all({pid}, std::chrono::minutes(2), &hung)) {
            if (!exited_ok(st)) {
                ++failed_children;
                ADD_FAILURE() << "child " << c << " failed: " << describe(st);
            }
        }
    }
    stop = true;
    checker.join();
    ::close(results[1]);
    Seen s;
    while (::read(results[0], &s, sizeof s) == static_cast<ssize_t>(sizeof s)) total.add(s);
    ::close(results[0]);
    total.add(threads_seen);
    e.reset();
    ::close(fd);
    EXPECT_TRUE(hung.empty()) << hung.size() << " children hung (deadlocked on a lock the other thread held at fork)";
    EXPECT_EQ(total.errors, 0);
    EXPECT_EQ(total.other, 0) << "engine.unavailable in a child: it inherited a lock it can never take";
    EXPECT_EQ(total.exhausted, 0);
    verify_store(store, cfg, reports, total.allowed, total);
    summary("fork threaded children=" + std::to_string(children) + " checks=" + std::to_string(total.decisions) +
            " hung=" + std::to_string(hung.size()) + " failed=" + std::to_string(failed_children) +
            " failures=" + std::to_string(::testing::Test::HasFailure() ? 1 : 0));
}

}  // namespace
}  // namespace reliability
