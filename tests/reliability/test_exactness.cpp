// Exactness: N processes x M checks against a 24-hour maximum of Q allow
// exactly Q recipients, on the SQLite ledger (one shared store) and on the
// Redis ledger (a store per process, one redis-server), whatever the
// interleaving. Messages have 1 to 3 recipients and some go in batches, so
// the last reservation that fits is often partial. The ledger's own count
// (presend_quota_status "sent_24h") and the stored decisions agree.
//
//   PRESEND_RELIABILITY_PROCESSES  N (default 4)
//   PRESEND_RELIABILITY_CHECKS     M, checks per process (default 100)
//   PRESEND_RELIABILITY_QUOTA      Q (default 300)
#include <unistd.h>

#include "ledgers.hpp"

namespace reliability {
namespace {

struct Counts {
    int64_t allowed = 0;    // recipients allowed
    int64_t exhausted = 0;  // recipients deferred with quota.daily_exhausted
    int64_t other = 0;      // recipients with any other verdict
    int64_t errors = 0;     // calls that failed
    int64_t decisions = 0;  // decisions returned (each is stored)
};

void tally(const presend_decision *d, Counts &c) {
    ++c.decisions;
    for (size_t i = 0; i < presend_decision_recipient_count(d); ++i) {
        presend_verdict v = presend_decision_recipient_verdict(d, i);
        if (v == PRESEND_ALLOW) {
            ++c.allowed;
        } else if (v == PRESEND_DEFER && presend_decision_reason_count(d, i) > 0 &&
                   std::strcmp(presend_decision_reason_code(d, i, 0), "quota.daily_exhausted") == 0) {
            ++c.exhausted;
        } else {
            ++c.other;
            std::fprintf(stderr, "unexpected: %s\n", presend_decision_json(d));
        }
    }
}

// One process's share: M checks, some of them three at a time in a batch.
Counts run_worker(presend_engine *e, int worker, int checks, uint64_t seed, int64_t &wanted) {
    Counts c;
    Rng rng(seed);
    int done = 0;
    while (done < checks) {
        std::string tag = "w" + std::to_string(worker) + "-" + std::to_string(done);
        if (rng.chance(20) && checks - done >= 3) {
            std::string batch = "[";
            for (int k = 0; k < 3; ++k) {
                int n = static_cast<int>(rng.range(1, 3));
                wanted += n;
                batch += (k ? "," : "") + txn_message(recipients(tag + "b" + std::to_string(k), n));
            }
            batch += "]";
            presend_batch *b = nullptr;
            if (presend_engine_check_batch(e, batch.data(), batch.size(), 0, &b) != PRESEND_OK) {
                std::fprintf(stderr, "batch: %s\n", presend_engine_errmsg(e));
                c.errors += 3;
            } else {
                for (size_t k = 0; k < presend_batch_count(b); ++k) {
                    if (presend_batch_status(b, k) != PRESEND_OK) {
                        ++c.errors;
                        continue;
                    }
                    tally(presend_batch_decision(b, k), c);
                }
            }
            presend_batch_free(b);
            done += 3;
            continue;
        }
        int n = static_cast<int>(rng.range(1, 3));
        wanted += n;
        std::string m = txn_message(recipients(tag, n));
        presend_decision *d = nullptr;
        if (presend_engine_check(e, m.data(), m.size(), 0, &d) != PRESEND_OK) {
            std::fprintf(stderr, "check: %s\n", presend_engine_errmsg(e));
            ++c.errors;
        } else {
            tally(d, c);
        }
        presend_decision_free(d);
        ++done;
    }
    return c;
}

class Exactness : public ::testing::TestWithParam<LedgerKind> {};

TEST_P(Exactness, ProcessesAllowExactlyTheQuota) {
    if (!Ledger::available(GetParam())) GTEST_SKIP() << "built without hiredis or redis-server";
    const int processes = static_cast<int>(param("PRESEND_RELIABILITY_PROCESSES", 4));
    const int checks = static_cast<int>(param("PRESEND_RELIABILITY_CHECKS", 100));
    const int64_t quota = param("PRESEND_RELIABILITY_QUOTA", 300);
    TempDir dir;
    Ledger ledger(GetParam(), dir);
    const std::string config = ledger.config(quota, 1000000, 1000000);
    {
        // Create the store(s) first, so that the workers race only for the quota.
        for (int p = 0; p < (GetParam() == LedgerKind::sqlite ? 1 : processes); ++p) {
            std::string why;
            ASSERT_TRUE(open_engine(config, {ledger.store(p)}, &why)) << why;
        }
    }
    struct Report {
        Counts counts;
        int64_t wanted;
    };
    int go[2], results[2];
    ASSERT_EQ(::pipe(go), 0);
    ASSERT_EQ(::pipe(results), 0);
    std::vector<pid_t> pids;
    for (int p = 0; p < processes; ++p) {
        pids.push_back(spawn([&, p] {
            ::close(go[1]);
            char byte;
            if (::read(go[0], &byte, 1) < 0) return 3;  // start together
            std::string why;
            Engine e = open_engine(config, {ledger.store(p)}, &why);
            if (!e) {
                std::fprintf(stderr, "open: %s\n", why.c_str());
                return 4;
            }
            Report r{};
            r.counts = run_worker(e.get(), p, checks, seed() + static_cast<uint64_t>(p), r.wanted);
            e.reset();
            return ::write(results[1], &r, sizeof r) == static_cast<ssize_t>(sizeof r) ? 0 : 5;
        }));
    }
    ::close(go[0]);
    ::close(go[1]);
    ::close(results[1]);
    Counts total;
    int64_t wanted = 0;
    Report r{};
    while (::read(results[0], &r, sizeof r) == static_cast<ssize_t>(sizeof r)) {
        total.allowed += r.counts.allowed;
        total.exhausted += r.counts.exhausted;
        total.other += r.counts.other;
        total.errors += r.counts.errors;
        total.decisions += r.counts.decisions;
        wanted += r.wanted;
    }
    ::close(results[0]);
    for (int st : wait_all(pids, std::chrono::minutes(10))) ASSERT_TRUE(exited_ok(st)) << "a worker failed: " << describe(st);

    ASSERT_GT(wanted, quota) << "the test must ask for more than the quota";
    EXPECT_EQ(total.allowed, quota) << "recipients allowed by " << processes << " processes";
    EXPECT_EQ(total.exhausted, wanted - quota) << "the rest are deferred with quota.daily_exhausted";
    EXPECT_EQ(total.other, 0);
    EXPECT_EQ(total.errors, 0);

    // The ledger's own count, as `presend quota status` shows it.
    Engine e = open_engine(config, {ledger.store(0)});
    ASSERT_TRUE(e);
    EXPECT_EQ(sent_24h(e.get()), quota);
    e.reset();
    // Every decision was stored, and what they reserved is the quota.
    int64_t stored = 0, reserved = 0;
    for (int p = 0; p < (GetParam() == LedgerKind::sqlite ? 1 : processes); ++p) {
        Sqlite db(ledger.store(p));
        stored += db.integer("SELECT count(*) FROM decision");
        reserved += db.integer("SELECT sum(reserved) FROM decision");
        EXPECT_EQ(db.integrity(), "ok");
    }
    EXPECT_EQ(stored, total.decisions);
    EXPECT_EQ(reserved, quota);
    summary(std::string("exactness ledger=") + (GetParam() == LedgerKind::sqlite ? "sqlite" : "redis") +
            " processes=" + std::to_string(processes) + " checks=" + std::to_string(total.decisions) +
            " recipients=" + std::to_string(wanted) + " quota=" + std::to_string(quota) +
            " allowed=" + std::to_string(total.allowed) + " failures=" + std::to_string(::testing::Test::HasFailure() ? 1 : 0));
}

INSTANTIATE_TEST_SUITE_P(Ledgers, Exactness, ::testing::Values(LedgerKind::sqlite, LedgerKind::redis), ledger_name);

}  // namespace
}  // namespace reliability
