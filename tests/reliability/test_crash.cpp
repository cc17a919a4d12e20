// Crash safety: worker processes check, release, and edit consent and
// suppressions on one store as fast as they can, and the test kills them
// with SIGKILL at random moments (random delays), starting a new worker in
// each one's place. Each worker writes what presend told it (the id of every
// decision that allowed recipients, with their number; every release that
// succeeded) to an append-only file *after* the call returns, so a decision
// may be stored without being reported, never the reverse. Afterwards:
//   - PRAGMA integrity_check is ok (the store opened with sqlite3 directly);
//   - every reported decision is stored with the recipients it reserved,
//     every reported release is recorded;
//   - the ledger's count (presend_quota_status "sent_24h") is the sum of
//     what the stored, unreleased decisions reserved: nothing counted twice,
//     nothing lost;
//   - every stored decision has its record in the audit trail, and
//     presend_audit_verify finds the chain intact;
//   - a consent record written before the run is unchanged, and the store
//     still takes checks.
//
//   PRESEND_RELIABILITY_KILLS    kills (default 20; scripts/reliability: 200)
//   PRESEND_RELIABILITY_WORKERS  processes running at once (default 3)
#include <sys/mman.h>

#include <atomic>
#include <set>

#include "support.hpp"

namespace reliability {
namespace {

// What a worker is doing, in memory the test shares with it, so that each
// kill can be attributed.
enum Phase : int { kIdle, kOpening, kChecking, kBatch, kReleasing, kConsent, kSuppressing, kPhases };
const char *const kPhaseNames[kPhases] = {"idle", "open", "check", "batch", "release", "consent", "suppress"};

struct Shared {
    std::atomic<int> stop;
    std::atomic<int> phase[64];
};

// Limits the workers never reach: a long run (1,000 kills) sends over a
// million recipients, and the check after the kills must be allowed.
const char *kConfig =
    R"({"accounts": {"prod": {"regions": {"us-east-1": {"max_24h": 1000000000000, "max_rate": 1000000, "burst": 1000000}}}}})";

const char *kCanary =
    R"({"address": "canary@example.net", "list": "weekly", "status": "subscribed", "method": "double",
        "consented_at": "2026-01-02T03:04:05Z", "confirmed_at": "2026-01-02T03:09:00Z", "source": "signup-form"})";

// A worker: runs until killed or told to stop. Returns its exit code.
int worker(const std::string &store, const std::string &report, Shared *shared, int slot, uint64_t seed) {
    int fd = open_append(report);
    if (fd < 0) return 3;
    auto &phase = shared->phase[slot];
    Rng rng(seed);
    phase = kOpening;
    std::string why;
    Engine e = open_engine(kConfig, {store}, &why);
    phase = kIdle;
    if (!e) {
        append_line(fd, "E open " + why);
        return 4;
    }
    std::vector<std::string> mine;  // reported allowed decisions not yet released
    auto report_decision = [&](const presend_decision *d, std::string &lines) {
        int n = allowed_recipients(d);
        if (has_reason(d, "engine.unavailable")) lines += std::string("U ") + presend_decision_id(d) + "\n";
        if (n == 0) return;
        lines += std::string("A ") + presend_decision_id(d) + " " + std::to_string(n) + "\n";
        mine.emplace_back(presend_decision_id(d));
    };
    for (uint64_t i = 0; shared->stop.load() == 0; ++i) {
        std::string tag = "p" + std::to_string(::getpid()) + "-" + std::to_string(i);
        int what = static_cast<int>(rng.range(0, 99));
        std::string lines;
        if (what < 70) {
            auto to = recipients(tag, static_cast<int>(rng.range(1, 3)));
            if (rng.chance(5)) to.push_back("not-an-address");  // partial: the valid ones reserve
            std::string m = txn_message(to);
            presend_decision *d = nullptr;
            phase = kChecking;
            presend_status st = presend_engine_check(e.get(), m.data(), m.size(), 0, &d);
            phase = kIdle;
            if (st != PRESEND_OK) lines = std::string("E check ") + presend_status_str(st) + " " + presend_engine_errmsg(e.get()) + "\n";
            else report_decision(d, lines);
            presend_decision_free(d);
        } else if (what < 80) {
            std::string batch = "[";
            for (int k = 0, n = static_cast<int>(rng.range(2, 4)); k < n; ++k) {
                batch += (k ? "," : "") + txn_message(recipients(tag + "b" + std::to_string(k), static_cast<int>(rng.range(1, 2))));
            }
            batch += "]";
            presend_batch *b = nullptr;
            phase = kBatch;
            presend_status st = presend_engine_check_batch(e.get(), batch.data(), batch.size(), 0, &b);
            phase = kIdle;
            if (st != PRESEND_OK) {
                lines = std::string("E batch ") + presend_status_str(st) + " " + presend_engine_errmsg(e.get()) + "\n";
            } else {
                for (size_t k = 0; k < presend_batch_count(b); ++k) {
                    if (presend_batch_status(b, k) == PRESEND_OK) report_decision(presend_batch_decision(b, k), lines);
                    else lines += "E batch-item " + std::string(presend_batch_errmsg(b, k)) + "\n";
                }
            }
            presend_batch_free(b);
        } else if (what < 90) {
            if (mine.empty()) continue;
            size_t k = static_cast<size_t>(rng.range(0, static_cast<int64_t>(mine.size()) - 1));
            std::string id = mine[k];
            mine.erase(mine.begin() + static_cast<std::ptrdiff_t>(k));
            phase = kReleasing;
            presend_status st = presend_engine_release(e.get(), id.c_str());
            phase = kIdle;
            if (st == PRESEND_OK) lines = "R " + id + "\n";
            else lines = "E release " + id + " " + presend_status_str(st) + " " + presend_engine_errmsg(e.get()) + "\n";
        } else if (what < 95) {
            std::string rec = R"({"address": ")" + tag + R"(@example.org", "list": "weekly", "method": "single"})";
            phase = kConsent;
            presend_status st = presend_consent_put(e.get(), rec.data(), rec.size());
            phase = kIdle;
            if (st != PRESEND_OK) lines = std::string("E consent ") + presend_engine_errmsg(e.get()) + "\n";
        } else {
            std::string rec = R"({"address": ")" + tag + R"(@example.org", "reason": "manual", "note": "reliability"})";
            phase = kSuppressing;
            presend_status st = presend_suppression_put(e.get(), rec.data(), rec.size());
            phase = kIdle;
            if (st != PRESEND_OK) lines = std::string("E suppression ") + presend_engine_errmsg(e.get()) + "\n";
        }
        if (!lines.empty()) {
            lines.pop_back();
            if (!append_line(fd, lines)) return 5;
        }
    }
    e.reset();
    ::close(fd);
    return 0;
}

TEST(CrashSafety, KilledProcessesNeverLoseOrDoubleCount) {
    const long kills = param("PRESEND_RELIABILITY_KILLS", 20);
    const int workers = static_cast<int>(std::min(64L, param("PRESEND_RELIABILITY_WORKERS", 3)));
    TempDir dir;
    const std::string store = dir.file("store.db");
    std::filesystem::create_directory(dir.file("reports"));
    {
        std::string why;
        Engine e = open_engine(kConfig, {store}, &why);
        ASSERT_TRUE(e) << why;
        ASSERT_EQ(presend_consent_put(e.get(), kCanary, std::strlen(kCanary)), PRESEND_OK) << presend_engine_errmsg(e.get());
    }
    std::string canary_before;
    {
        Engine e = open_engine(kConfig, {store});
        char *json = nullptr;
        ASSERT_EQ(presend_consent_get(e.get(), "canary@example.net", "weekly", &json), PRESEND_OK);
        canary_before = take(json);
    }

    auto *shared = static_cast<Shared *>(::mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    ASSERT_NE(shared, MAP_FAILED);
    new (shared) Shared{};
    Rng rng(seed());
    uint64_t spawned = 0;
    auto start = [&](int slot) {
        uint64_t worker_seed = seed() * 1000003 + ++spawned;
        return spawn([&, slot, worker_seed] {
            return worker(store, dir.file("reports/" + std::to_string(::getpid())), shared, slot, worker_seed);
        });
    };
    std::vector<pid_t> pids;
    for (int w = 0; w < workers; ++w) pids.push_back(start(w));

    long killed = 0;
    int by_phase[kPhases] = {};
    std::vector<std::string> failures;
    for (long k = 0; k < kills; ++k) {
        // Mostly short delays (the kill lands in a call), sometimes longer
        // ones (the WAL grows and the checkpoint thread gets to run).
        int64_t delay_us = rng.chance(85) ? rng.range(0, 40000) : rng.range(40000, 250000);
        std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
        int slot = static_cast<int>(rng.range(0, workers - 1));
        int phase = shared->phase[slot].load();
        ::kill(pids[static_cast<size_t>(slot)], SIGKILL);
        int st = 0;
        ::waitpid(pids[static_cast<size_t>(slot)], &st, 0);
        if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) {
            ++killed;
            ++by_phase[phase];
        } else {
            failures.push_back("worker " + std::to_string(pids[static_cast<size_t>(slot)]) + " ended before its kill: " + describe(st));
        }
        shared->phase[slot] = kIdle;
        pids[static_cast<size_t>(slot)] = start(slot);
    }
    shared->stop = 1;
    std::vector<pid_t> hung;
    auto statuses = wait_all(pids, std::chrono::minutes(5), &hung);
    for (size_t i = 0; i < statuses.size(); ++i) {
        if (!exited_ok(statuses[i])) failures.push_back("worker " + std::to_string(pids[i]) + " did not stop cleanly: " + describe(statuses[i]));
    }
    ::munmap(shared, sizeof(Shared));

    // 1. The file, as SQLite sees it, before presend opens it again.
    EXPECT_EQ(Sqlite(store).integrity(), "ok");

    // 2. What the workers were told is what the store holds.
    auto decisions = stored_decisions(store);
    int64_t reported = 0, released = 0, problems = 0;
    for (const auto &entry : std::filesystem::directory_iterator(dir.file("reports"))) {
        for (const auto &line : read_lines(entry.path().string())) {
            auto f = split(line);
            if (f.empty()) continue;
            if (f[0] == "A" && f.size() == 3) {
                ++reported;
                auto it = decisions.find(f[1]);
                if (it == decisions.end()) {
                    ADD_FAILURE() << "decision " << f[1] << " was reported as allowed but is not in the store";
                    ++problems;
                } else if (it->second.reserved != std::stoll(f[2])) {
                    ADD_FAILURE() << "decision " << f[1] << " allowed " << f[2] << " recipients but reserved " << it->second.reserved;
                    ++problems;
                }
            } else if (f[0] == "R" && f.size() == 2) {
                ++released;
                auto it = decisions.find(f[1]);
                if (it == decisions.end() || !it->second.released) {
                    ADD_FAILURE() << "decision " << f[1] << " was released but the store does not say so";
                    ++problems;
                }
            } else {
                ADD_FAILURE() << "a worker reported: " << line;
                ++problems;
            }
        }
    }
    for (const auto &f : failures) ADD_FAILURE() << f;
    EXPECT_TRUE(hung.empty()) << hung.size() << " workers did not stop";

    // 3. The ledger counts exactly what the stored decisions reserved.
    int64_t stored_reserved = 0;
    for (const auto &[id, d] : decisions) stored_reserved += d.released ? 0 : d.reserved;
    Engine e = open_engine(kConfig, {store});
    ASSERT_TRUE(e);
    int64_t count = sent_24h(e.get());
    EXPECT_EQ(count, stored_reserved) << "the ledger and the stored decisions disagree";

    // 4. The trail: one record per stored decision, and an intact chain.
    {
        Sqlite db(store);
        EXPECT_EQ(db.integer("SELECT count(*) FROM audit WHERE kind = 'decision'"), static_cast<int64_t>(decisions.size()));
        EXPECT_EQ(db.integer("SELECT count(*) FROM audit WHERE kind = 'release'"),
                  db.integer("SELECT count(*) FROM decision WHERE released_at IS NOT NULL"));
    }
    std::string verify = audit_verify(e.get());
    EXPECT_TRUE(json_true(verify, "ok")) << verify;

    // 5. Earlier data is intact and the store still takes checks.
    char *json = nullptr;
    ASSERT_EQ(presend_consent_get(e.get(), "canary@example.net", "weekly", &json), PRESEND_OK);
    EXPECT_EQ(take(json), canary_before);
    std::string m = txn_message(recipients("after", 2));
    presend_decision *d = nullptr;
    ASSERT_EQ(presend_engine_check(e.get(), m.data(), m.size(), 0, &d), PRESEND_OK) << presend_engine_errmsg(e.get());
    EXPECT_EQ(presend_decision_verdict(d), PRESEND_ALLOW) << presend_decision_json(d);
    presend_decision_free(d);
    EXPECT_EQ(sent_24h(e.get()), count + 2);
    e.reset();
    EXPECT_EQ(Sqlite(store).integrity(), "ok");

    std::string phases;
    for (int p = 0; p < kPhases; ++p) {
        if (by_phase[p] > 0) phases += std::string(phases.empty() ? "" : ",") + kPhaseNames[p] + ":" + std::to_string(by_phase[p]);
    }
    summary("crash kills=" + std::to_string(killed) + " of=" + std::to_string(kills) + " in=" + phases +
            " workers=" + std::to_string(workers) + " decisions=" + std::to_string(decisions.size()) +
            " reported_allowed=" + std::to_string(reported) + " released=" + std::to_string(released) +
            " sent_24h=" + std::to_string(count) + " problems=" + std::to_string(problems + static_cast<int64_t>(failures.size())));
}

}  // namespace
}  // namespace reliability
