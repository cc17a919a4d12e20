// The Redis ledger against a real redis-server on loopback, started here.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <thread>

#include "config.hpp"
#include "engine.hpp"
#include "redis_ledger.hpp"
#include "fixture.hpp"
#include "redis_server.hpp"

namespace presend {
namespace {

using test::count_rows;
using test::RedisServer;

// The test process's keys (forked children share them: the pid is read once).
const std::string &test_prefix() {
    static const std::string prefix = "presend-test-" + std::to_string(::getpid()) + ":";
    return prefix;
}

RedisOptions options(int port) {
    RedisOptions o;
    o.url.port = port;
    o.prefix = test_prefix();
    return o;
}

// Runs `work` in n forked processes at once and adds up what each returns
// (an exit status: below 255). A worker that throws or dies fails the test.
int total_of_processes(int n, const std::function<int()> &work) {
    std::vector<pid_t> kids;
    for (int k = 0; k < n; ++k) {
        pid_t pid = ::fork();
        if (pid < 0) {
            ADD_FAILURE() << "fork failed";
            break;
        }
        if (pid == 0) {
            int out = 255;
            try {
                out = work();
            } catch (const Failure &f) {
                std::fprintf(stderr, "worker: %s\n", f.error.message.c_str());
            } catch (...) {
            }
            ::_exit(out);
        }
        kids.push_back(pid);
    }
    int total = 0;
    for (pid_t pid : kids) {
        int status = 0;
        ::waitpid(pid, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) == 255) {
            ADD_FAILURE() << "a worker process failed";
            continue;
        }
        total += WEXITSTATUS(status);
    }
    return total;
}

TEST(RedisUrlTest, ParsesWhatUsersWrite) {
    auto u = parse_redis_url("redis://:s3cret@cache.internal:6380/2");
    ASSERT_TRUE(u.ok()) << u.error().message;
    EXPECT_EQ(u->host, "cache.internal");
    EXPECT_EQ(u->port, 6380);
    EXPECT_EQ(u->db, 2);
    EXPECT_EQ(u->password, "s3cret");
    EXPECT_TRUE(u->user.empty());
    auto d = parse_redis_url("redis://127.0.0.1");
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->port, 6379);
    EXPECT_EQ(d->db, 0);
    auto acl = parse_redis_url("rediss://mailer:pw@r.example:6390/0");
    ASSERT_TRUE(acl.ok());
    EXPECT_TRUE(acl->tls);
    EXPECT_EQ(acl->user, "mailer");
    for (const char *bad : {"http://x", "redis://", "redis://h:0", "redis://h:99999", "redis://h/16", "redis://h/x"}) {
        auto r = parse_redis_url(bad);
        EXPECT_FALSE(r.ok()) << bad;
        if (!r.ok()) {
            EXPECT_EQ(r.error().status, Status::config) << bad;
        }
    }
    RedisOptions tls;
    tls.url = *acl;
    EXPECT_THROW(RedisLedger{tls}, Failure);
}

TEST(RedisConnectionTest, APasswordAndADatabaseNumberAreUsed) {
    RedisServer server("", {"--requirepass", "s3cret"});
    RedisOptions o = options(server.port());
    auto url = parse_redis_url("redis://:s3cret@127.0.0.1:" + std::to_string(server.port()) + "/3");
    ASSERT_TRUE(url.ok());
    o.url = *url;
    RedisLedger ledger(o);
    EXPECT_EQ(ledger.reserve("prod", "us-east-1", {10, 10, 10}, 2).granted, 2);
    // The keys are in database 3, not 0.
    redisContext *c = redisConnect("127.0.0.1", server.port());
    ASSERT_TRUE(c != nullptr && c->err == 0);
    freeReplyObject(redisCommand(c, "AUTH s3cret"));
    auto count_keys = [&](int db) {
        freeReplyObject(redisCommand(c, "SELECT %d", db));
        auto *r = static_cast<redisReply *>(redisCommand(c, "DBSIZE"));
        long long n = r != nullptr && r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
        if (r != nullptr) freeReplyObject(r);
        return n;
    };
    EXPECT_EQ(count_keys(0), 0);
    EXPECT_GT(count_keys(3), 0);
    redisFree(c);

    RedisOptions wrong = o;
    wrong.url.password = "guess";
    try {
        RedisLedger(wrong).reserve("prod", "us-east-1", {10, 10, 10}, 1);
        FAIL() << "a wrong password must fail";
    } catch (const Failure &f) {
        EXPECT_EQ(f.error.status, Status::store);
        EXPECT_NE(f.error.message.find("AUTH"), std::string::npos) << f.error.message;
    }
}

class RedisLedgerTest : public ::testing::Test {
protected:
    RedisServer server_;
};

TEST_F(RedisLedgerTest, TheDailyMaximumIsExact) {
    RedisLedger l(options(server_.port()));
    int64_t granted = 0;
    RedisLedger::Reservation last;
    for (int i = 0; i < 80; ++i) {
        last = l.reserve("prod", "us-east-1", {300, 1000000, 1000000}, 5);
        granted += last.granted;
    }
    EXPECT_EQ(granted, 300);
    EXPECT_TRUE(last.daily);
    EXPECT_GT(last.retry_ms, 86000000);  // the first sends leave the window in about 24 hours
    EXPECT_LE(last.retry_ms, 86400000);
    EXPECT_EQ(l.sent_24h("prod", "us-east-1"), 300);
    EXPECT_EQ(l.sent_24h("prod", "eu-west-1"), 0) << "each account and region has its own ledger";
}

TEST_F(RedisLedgerTest, TheRateAllowsItsBurstThenWaits) {
    RedisLedger l(options(server_.port()));
    auto r = l.reserve("prod", "us-east-1", {50000, 10, 10}, 15);
    EXPECT_EQ(r.granted, 10);
    EXPECT_FALSE(r.daily);
    EXPECT_GT(r.retry_ms, 0);
    EXPECT_LE(r.retry_ms, 100);  // one recipient every 100 ms at 10/s
    std::this_thread::sleep_for(std::chrono::milliseconds(r.retry_ms + 5));
    EXPECT_EQ(l.reserve("prod", "us-east-1", {50000, 10, 10}, 1).granted, 1);
}

TEST_F(RedisLedgerTest, FourProcessesShareOneMaximum) {
    (void)test_prefix();
    int total = total_of_processes(4, [&] {
        RedisLedger l(options(server_.port()));
        int granted = 0;
        for (int i = 0; i < 200; ++i) granted += static_cast<int>(l.reserve("prod", "us-east-1", {300, 1000000, 1000000}, 1).granted);
        return granted;
    });
    EXPECT_EQ(total, 300);
}

// The rate holds across processes: whatever the interleaving, what was
// granted between the first and the last reservation (by Redis's clock)
// never exceeds the burst plus the rate over that time.
TEST_F(RedisLedgerTest, TheRateHoldsAcrossProcesses) {
    (void)test_prefix();
    constexpr int64_t kRate = 40, kBurst = 5;
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    std::vector<pid_t> kids;
    for (int k = 0; k < 4; ++k) {
        pid_t pid = ::fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            ::close(fds[0]);
            int64_t granted = 0, first = -1, last = -1;
            try {
                RedisLedger l(options(server_.port()));
                for (int i = 0; i < 150; ++i) {
                    auto r = l.reserve("prod", "eu-west-1", {1000000, kRate, kBurst}, 1);
                    granted += r.granted;
                    if (first < 0) first = r.now_ms;
                    last = r.now_ms;
                    std::this_thread::sleep_for(std::chrono::milliseconds(2));
                }
            } catch (...) {
                ::_exit(1);
            }
            int64_t report[3] = {granted, first, last};
            ssize_t n = ::write(fds[1], report, sizeof report);
            ::_exit(n == static_cast<ssize_t>(sizeof report) ? 0 : 1);
        }
        kids.push_back(pid);
    }
    ::close(fds[1]);
    int64_t granted = 0, first = INT64_MAX, last = 0;
    for (pid_t pid : kids) {
        int status = 0;
        ::waitpid(pid, &status, 0);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    int64_t report[3];
    while (::read(fds[0], report, sizeof report) == static_cast<ssize_t>(sizeof report)) {
        granted += report[0];
        first = std::min(first, report[1]);
        last = std::max(last, report[2]);
    }
    ::close(fds[0]);
    ASSERT_GT(last, first);
    // At most the burst, plus one recipient per 1/rate s of Redis time, plus
    // the one that may start each interval.
    int64_t bound = kBurst + (last - first) * kRate / 1000 + 1;
    EXPECT_LE(granted, bound) << "over " << (last - first) << " ms";
    EXPECT_GE(granted, kBurst) << "the burst goes at once";
    EXPECT_EQ(RedisLedger(options(server_.port())).sent_24h("prod", "eu-west-1"), granted);
}

TEST_F(RedisLedgerTest, AReleaseGivesBackItsSecond) {
    RedisLedger l(options(server_.port()));
    auto r = l.reserve("prod", "us-east-1", {3, 1000, 1000}, 3);
    ASSERT_EQ(r.granted, 3);
    EXPECT_EQ(l.reserve("prod", "us-east-1", {3, 1000, 1000}, 1).granted, 0);
    l.release("prod", "us-east-1", {3, 1000, 1000}, 2, r.second);
    EXPECT_EQ(l.sent_24h("prod", "us-east-1"), 1);
    EXPECT_EQ(l.reserve("prod", "us-east-1", {3, 1000, 1000}, 5).granted, 2);
    l.release("prod", "us-east-1", {3, 1000, 1000}, 10, r.second - 100000);  // outside the window: nothing to give back
    EXPECT_EQ(l.sent_24h("prod", "us-east-1"), 3);
}

TEST_F(RedisLedgerTest, AStoppedRedisFailsClosedAndARestartedOneIsUsedAgain) {
    RedisLedger l(options(server_.port()));
    ASSERT_EQ(l.reserve("prod", "us-east-1", {100, 1000, 1000}, 2).granted, 2);
    server_.stop();
    try {
        l.reserve("prod", "us-east-1", {100, 1000, 1000}, 1);
        FAIL() << "a reservation without Redis must fail";
    } catch (const Failure &f) {
        EXPECT_EQ(f.error.status, Status::store);
        EXPECT_NE(f.error.message.find("redis"), std::string::npos);
    }
    server_.start();  // empty: it kept nothing (no persistence in this test)
    auto r = l.reserve("prod", "us-east-1", {100, 1000, 1000}, 1);
    EXPECT_EQ(r.granted, 1) << "reconnected and the script loaded again";
}

// --- fleet mode through the engine ------------------------------------------------

std::string fleet_config(int port, const std::string &extra = "") {
    return R"({"accounts": {"prod": {"regions": {"us-east-1": {"max_24h": 300, "max_rate": 100000, "burst": 100000}}}},
               "ledger": {"backend": "redis", "url": "redis://127.0.0.1:)" + std::to_string(port) +
           R"(/0", "command_timeout_ms": 500, "prefix": ")" + test_prefix() + R"("})" + extra + "}";
}

// An engine on its own store: a host of the fleet.
std::unique_ptr<Engine> fleet_engine(const std::string &dir, const std::string &config, const std::string &host = "") {
    auto c = parse_config(config);
    if (!c) throw Failure{std::move(c).error()};
    EngineOptions o;
    o.store_path = dir + "/store-" + (host.empty() ? std::to_string(::getpid()) : host) + ".db";
    return Engine::open(std::move(*c), o);
}

const char *kTxn = R"({"from": "App <app@example.com>", "stream": "transactional", "to": ["r@example.org"]})";

std::string first_code(const Decision &d) {
    if (!d.recipients.empty() && !d.recipients[0].reasons.empty()) return std::string(d.recipients[0].reasons[0].def->code);
    if (!d.reasons.empty()) return std::string(d.reasons[0].def->code);
    return "";
}

// A marketing message of list "weekly" to r@example.org, with one-click unsubscribe.
const char *kNews = R"({"from": "News <news@example.com>", "stream": "marketing", "list": "weekly",
    "to": ["r@example.org"], "headers": [["List-Unsubscribe", "<https://example.com/u/Zx8Kq2LmN4pR7sT1vW3y>"],
    ["List-Unsubscribe-Post", "List-Unsubscribe=One-Click"]]})";

class FleetTest : public RedisLedgerTest {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/presend-fleet-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::string dir_;
};

TEST_F(FleetTest, FourProcessesWithTheirOwnStoresShareOneQuota) {
    std::string config = fleet_config(server_.port());
    int total = total_of_processes(4, [&] {
        auto e = fleet_engine(dir_, config);  // a separate SQLite store per process
        int allowed = 0;
        for (int i = 0; i < 200; ++i) allowed += e->check(kTxn, false)->verdict == Verdict::allow ? 1 : 0;
        return allowed;
    });
    EXPECT_EQ(total, 300);
    auto e = fleet_engine(dir_, config);
    auto d = e->check(kTxn, true);
    EXPECT_EQ(d->verdict, Verdict::defer);
    ASSERT_TRUE(d->quota.has_value());
    EXPECT_EQ(d->quota->sent_24h, 300);
    EXPECT_EQ(d->recipients[0].reasons[0].def->code, std::string_view("quota.daily_exhausted"));
}

TEST_F(FleetTest, DryRunsAndReleasesUseTheSharedLedger) {
    auto e = fleet_engine(dir_, fleet_config(server_.port()));
    for (int i = 0; i < 3; ++i) EXPECT_EQ(e->check(kTxn, true)->verdict, Verdict::allow);
    RedisLedger l(options(server_.port()));
    EXPECT_EQ(l.sent_24h("prod", "us-east-1"), 0) << "dry runs reserve nothing";
    auto d = e->check(kTxn, false);
    EXPECT_EQ(l.sent_24h("prod", "us-east-1"), 1);
    e->release(d->id);
    EXPECT_EQ(l.sent_24h("prod", "us-east-1"), 0);
}

TEST_F(FleetTest, WithoutRedisChecksDeferUnlessFailOpen) {
    auto closed = fleet_engine(dir_, fleet_config(server_.port()));
    ASSERT_EQ(closed->check(kTxn, false)->verdict, Verdict::allow);
    server_.stop();
    auto d = closed->check(kTxn, false);
    EXPECT_EQ(d->verdict, Verdict::defer);
    EXPECT_EQ(d->reasons.at(0).def->code, std::string_view("engine.unavailable"));
    EXPECT_NE(d->reasons.at(0).message.find("redis"), std::string::npos);
    std::filesystem::create_directory(dir_ + "/fail-open");  // its own store
    auto open = fleet_engine(dir_ + "/fail-open", fleet_config(server_.port(), R"(, "fail_open": true)"));
    EXPECT_EQ(open->check(kTxn, false)->verdict, Verdict::allow) << "fail_open allows, with the warning";
    server_.start();
    for (int i = 0; i < 100 && first_code(*closed->check(kTxn, true)) == "engine.unavailable"; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the reconnect backoff
    }
    EXPECT_EQ(closed->check(kTxn, false)->verdict, Verdict::allow) << "checks resume when Redis is back";
}

// --- the shared suppression list ----------------------------------------------------

// Acceptance: a suppression added on one process blocks the next check on another.
TEST_F(FleetTest, ASuppressionOnOneProcessBlocksTheNextCheckOnAnother) {
    std::string config = fleet_config(server_.port());
    int ready[2], go[2];
    ASSERT_EQ(::pipe(ready), 0);
    ASSERT_EQ(::pipe(go), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        int code = 0;
        try {
            auto e = fleet_engine(dir_, config, "b");
            code |= e->check(kTxn, false)->verdict == Verdict::allow ? 0 : 1;
            char byte = 1;
            if (::write(ready[1], &byte, 1) != 1 || ::read(go[0], &byte, 1) != 1) ::_exit(100);
            auto d = e->check(kTxn, false);  // the very next check, no waiting
            code |= d->verdict == Verdict::block ? 0 : 2;
            code |= first_code(*d) == "suppression.complaint" ? 0 : 4;
        } catch (...) {
            ::_exit(101);
        }
        ::_exit(code);
    }
    char byte = 0;
    ASSERT_EQ(::read(ready[0], &byte, 1), 1);
    auto a = fleet_engine(dir_, config, "a");
    a->suppression_put_json(R"({"address": "r@Example.ORG", "reason": "complaint", "note": "FBL"})");
    ASSERT_EQ(::write(go[1], &byte, 1), 1);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "1: first check not allowed, 2: not blocked, 4: wrong reason";
    // The other host's store holds it now, with the note and a trail record.
    EXPECT_EQ(count_rows(dir_ + "/store-b.db", "SELECT count(*) FROM suppression WHERE address = 'r@example.org' "
                                                "AND reason = 'complaint' AND note = 'FBL'"), 1);
    EXPECT_EQ(count_rows(dir_ + "/store-b.db", "SELECT count(*) FROM audit WHERE kind = 'suppression.put' "
                                                "AND content LIKE '%\"via\":\"fleet\"%'"), 1);
    EXPECT_EQ(count_rows(dir_ + "/store-a.db", "SELECT count(*) FROM fleet_outbox"), 0) << "published";
}

TEST_F(FleetTest, RemovalsAndConsentWithdrawalsReachEveryHost) {
    std::string config = fleet_config(server_.port());
    auto a = fleet_engine(dir_, config, "a");
    auto b = fleet_engine(dir_, config, "b");
    for (auto *e : {a.get(), b.get()}) e->consent_put_json(R"({"address": "r@example.org", "list": "weekly", "method": "double"})");
    ASSERT_EQ(b->check(kNews, false)->verdict, Verdict::allow);
    a->consent_withdraw("r@example.org", "weekly");
    auto d = b->check(kNews, false);
    EXPECT_EQ(d->verdict, Verdict::block);
    EXPECT_EQ(first_code(*d), "consent.withdrawn");

    b->suppression_put_json(R"({"address": "@example.org", "reason": "manual"})");
    EXPECT_EQ(first_code(*a->check(kTxn, false)), "suppression.manual") << "a domain suppression, from b to a";
    a->suppression_remove("@example.org", std::nullopt);
    EXPECT_EQ(b->check(kTxn, false)->verdict, Verdict::allow) << "the removal reached b";
    // A host applies each change once, and never its own.
    EXPECT_EQ(count_rows(dir_ + "/store-a.db", "SELECT count(*) FROM audit WHERE content LIKE '%\"via\":\"fleet\"%'"), 1);
    EXPECT_EQ(count_rows(dir_ + "/store-b.db", "SELECT count(*) FROM audit WHERE content LIKE '%\"via\":\"fleet\"%'"), 2);
}

TEST_F(FleetTest, BounceAndComplaintEventsAreShared) {
    std::string config = fleet_config(server_.port());
    auto a = fleet_engine(dir_, config, "a");
    auto b = fleet_engine(dir_, config, "b");
    const char *bounce = R"({"eventType": "Bounce", "mail": {"timestamp": "2026-11-02T09:00:00.000Z", "messageId": "m-1",
        "source": "app@example.com", "destination": ["r@example.org"]},
        "bounce": {"bounceType": "Permanent", "bounceSubType": "General", "timestamp": "2026-11-02T09:00:01.000Z",
        "feedbackId": "f-1", "bouncedRecipients": [{"emailAddress": "r@example.org"}]}})";
    std::string report = a->events_ingest(bounce, "");
    ASSERT_NE(report.find("\"suppressed\":1"), std::string::npos) << report;
    EXPECT_EQ(first_code(*b->check(kTxn, false)), "suppression.bounce");
}

// Redis keeps the stream in its append-only file: a restart forgets nothing,
// and a host that never saw the change before the restart still gets it.
class FleetPersistenceTest : public FleetTest {
protected:
    FleetPersistenceTest() : redis_dir_(make_dir()), persistent_(redis_dir_) {}
    ~FleetPersistenceTest() override { std::filesystem::remove_all(redis_dir_); }
    static std::string make_dir() {
        char tmpl[] = "/tmp/presend-redis-XXXXXX";
        return ::mkdtemp(tmpl) != nullptr ? std::string(tmpl) : std::string("/tmp");
    }
    std::string redis_dir_;
    RedisServer persistent_;
};

TEST_F(FleetPersistenceTest, SuppressionsSurviveARedisRestart) {
    std::string config = fleet_config(persistent_.port());
    auto a = fleet_engine(dir_, config, "a");
    auto b = fleet_engine(dir_, config, "b");
    ASSERT_EQ(b->check(kTxn, false)->verdict, Verdict::allow);
    a->suppression_put_json(R"({"address": "r@example.org", "reason": "complaint"})");
    ASSERT_EQ(b->check(kTxn, true)->verdict, Verdict::block);
    persistent_.stop(/*kill=*/true);
    persistent_.start();
    auto c = fleet_engine(dir_, config, "c");  // a new host, after the restart
    for (int i = 0; i < 100 && first_code(*c->check(kTxn, true)) == "engine.unavailable"; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(first_code(*c->check(kTxn, true)), "suppression.complaint");
    for (int i = 0; i < 100 && first_code(*b->check(kTxn, true)) == "engine.unavailable"; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));  // its reconnect backoff
    }
    EXPECT_EQ(first_code(*b->check(kTxn, true)), "suppression.complaint");
}

// Acceptance: Redis stopped in the middle of a run. Four processes keep
// checking; while Redis is away every check defers (fail closed), none is
// allowed over the 24-hour maximum, and checks resume when Redis is back.
TEST_F(FleetPersistenceTest, RedisStoppedMidRunNeverLetsTheFleetPassTheQuota) {
    std::string config = fleet_config(persistent_.port());  // max_24h 300
    constexpr int kProcesses = 4, kDecided = 150;           // 600 decided checks against 300
    std::vector<pid_t> kids;
    std::vector<int> reports;
    for (int k = 0; k < kProcesses; ++k) {
        int fds[2];
        ASSERT_EQ(::pipe(fds), 0);
        pid_t pid = ::fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            ::close(fds[0]);
            int allowed = 0, unavailable = 0, allowed_after = 0, decided = 0;
            try {
                auto e = fleet_engine(dir_, config);
                auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
                while (decided < kDecided && std::chrono::steady_clock::now() < deadline) {
                    auto d = e->check(kTxn, false);
                    if (first_code(*d) == "engine.unavailable") {
                        ++unavailable;
                        if (d->verdict == Verdict::allow) ::_exit(102);  // fail closed, always
                    } else {
                        ++decided;
                        if (d->verdict == Verdict::allow) {
                            ++allowed;
                            if (unavailable > 0) ++allowed_after;
                        }
                    }
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
                }
            } catch (...) {
                ::_exit(101);
            }
            std::string line = std::to_string(allowed) + " " + std::to_string(unavailable) + " " +
                               std::to_string(allowed_after) + " " + std::to_string(decided) + "\n";
            if (::write(fds[1], line.data(), line.size()) != static_cast<ssize_t>(line.size())) ::_exit(103);
            ::_exit(0);
        }
        ::close(fds[1]);
        kids.push_back(pid);
        reports.push_back(fds[0]);
    }
    {
        // Stop Redis abruptly once a third of the quota is used.
        RedisLedger watch(options(persistent_.port()));
        auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (watch.sent_24h("prod", "us-east-1") < 100 && std::chrono::steady_clock::now() < give_up) {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    }
    persistent_.stop(/*kill=*/true);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    persistent_.start();
    int allowed = 0, unavailable = 0, allowed_after = 0, decided = 0;
    for (size_t k = 0; k < kids.size(); ++k) {
        int status = 0;
        ::waitpid(kids[k], &status, 0);
        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0) << "102: allowed while Redis was away";
        char buf[128] = {};
        ASSERT_GT(::read(reports[k], buf, sizeof buf - 1), 0);
        ::close(reports[k]);
        int a = 0, u = 0, aa = 0, dd = 0;
        ASSERT_EQ(std::sscanf(buf, "%d %d %d %d", &a, &u, &aa, &dd), 4);
        allowed += a;
        unavailable += u;
        allowed_after += aa;
        decided += dd;
    }
    // Never over the quota. A reservation Redis made just before it was
    // killed, whose reply never came, stays counted but was not allowed (the
    // safe side): at most one per process.
    EXPECT_LE(allowed, 300);
    EXPECT_GE(allowed, 300 - kProcesses);
    EXPECT_GT(unavailable, 0) << "the outage was seen";
    EXPECT_GT(allowed_after, 0) << "checks resumed after it";
    EXPECT_EQ(decided, kProcesses * kDecided);
    EXPECT_EQ(RedisLedger(options(persistent_.port())).sent_24h("prod", "us-east-1"), 300);
}

TEST_F(FleetPersistenceTest, AReleaseIsRecordedBeforeRedisGivesBack) {
    auto e = fleet_engine(dir_, fleet_config(persistent_.port()), "a");
    auto d = e->check(kTxn, false);
    ASSERT_EQ(d->verdict, Verdict::allow);
    persistent_.stop();
    try {
        e->release(d->id);
        FAIL() << "Redis is down: the release must say the shared ledger was not told";
    } catch (const Failure &f) {
        EXPECT_EQ(f.error.status, Status::store);
        EXPECT_NE(f.error.message.find("is released"), std::string::npos) << f.error.message;
    }
    persistent_.start();
    // The count stays (the safe side) and a retried release gives back nothing twice.
    EXPECT_EQ(RedisLedger(options(persistent_.port())).sent_24h("prod", "us-east-1"), 1);
    try {
        e->release(d->id);
        FAIL() << "a second release must fail";
    } catch (const Failure &f) {
        EXPECT_EQ(f.error.status, Status::state);
    }
    EXPECT_EQ(RedisLedger(options(persistent_.port())).sent_24h("prod", "us-east-1"), 1);
}

TEST_F(FleetTest, AChangeMadeWhileRedisIsDownIsPublishedWhenItIsBack) {
    std::string config = fleet_config(server_.port());
    auto a = fleet_engine(dir_, config, "a");
    auto b = fleet_engine(dir_, config, "b");
    ASSERT_EQ(b->check(kTxn, false)->verdict, Verdict::allow);
    server_.stop();
    a->suppression_put_json(R"({"address": "r@example.org", "reason": "manual"})");  // stored here, waits
    EXPECT_EQ(count_rows(dir_ + "/store-a.db", "SELECT count(*) FROM fleet_outbox"), 1);
    EXPECT_EQ(first_code(*a->check(kTxn, true)), "engine.unavailable") << "fail closed";
    server_.start();  // empty: no persistence in this test
    for (int i = 0; i < 100 && first_code(*a->check(kTxn, true)) == "engine.unavailable"; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(count_rows(dir_ + "/store-a.db", "SELECT count(*) FROM fleet_outbox"), 0) << "published on the next check";
    for (int i = 0; i < 100 && first_code(*b->check(kTxn, true)) == "engine.unavailable"; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(first_code(*b->check(kTxn, true)), "suppression.manual");
}

TEST_F(FleetTest, SharingCanBeTurnedOff) {
    std::string config = R"({"accounts": {"prod": {"regions": {"us-east-1": {"max_24h": 300}}}},
        "ledger": {"backend": "redis", "url": "redis://127.0.0.1:)" + std::to_string(server_.port()) +
                         R"(/0", "prefix": ")" + test_prefix() + R"(", "share_suppressions": false}})";
    auto a = fleet_engine(dir_, config, "a");
    auto b = fleet_engine(dir_, config, "b");
    a->suppression_put_json(R"({"address": "r@example.org", "reason": "manual"})");
    EXPECT_EQ(count_rows(dir_ + "/store-a.db", "SELECT count(*) FROM fleet_outbox"), 0) << "nothing to publish";
    EXPECT_EQ(b->check(kTxn, false)->verdict, Verdict::allow) << "each host keeps its own list";
    EXPECT_EQ(a->check(kTxn, false)->verdict, Verdict::block);
    EXPECT_EQ(RedisLedger(options(server_.port())).sent_24h("prod", "us-east-1"), 1) << "the quota is still shared";
}

TEST_F(FleetTest, FailOpenStillAppliesWhatTheStoreKnows) {
    std::string config = fleet_config(server_.port(), R"(, "fail_open": true)");
    auto a = fleet_engine(dir_, config, "a");
    a->suppression_put_json(R"({"address": "r@example.org", "reason": "manual"})");
    server_.stop();
    auto d = a->check(kTxn, false);
    EXPECT_EQ(d->verdict, Verdict::block) << "fail_open skips the shared parts, not the suppression list";
    bool warned = false;
    for (const auto &f : d->reasons) warned |= std::string_view(f.def->code) == "engine.unavailable" && !f.enforced;
    EXPECT_TRUE(warned);
    auto other = a->check(R"({"from": "App <app@example.com>", "stream": "transactional", "to": ["s@example.org"]})", false);
    EXPECT_EQ(other->verdict, Verdict::allow);
}

TEST_F(RedisLedgerTest, ReconnectsBackOffWhileRedisIsDown) {
    RedisLedger l(options(server_.port()));
    ASSERT_EQ(l.reserve("prod", "us-east-1", {100, 1000, 1000}, 1).granted, 1);
    server_.stop();
    int failures = 0;
    for (int i = 0; i < 200; ++i) {
        try {
            l.reserve("prod", "us-east-1", {100, 1000, 1000}, 1);
        } catch (const Failure &f) {
            ++failures;
            EXPECT_EQ(f.error.status, Status::store);
        }
    }
    EXPECT_EQ(failures, 200);
    // 200 calls in a tight loop: the first waits 50 ms before trying again, so
    // far fewer connection attempts than calls (the loop takes well under 50 ms
    // on any machine; a slow one makes at most a few more attempts).
    EXPECT_LE(l.connect_attempts(), 6) << "one connection attempt per call would hammer a Redis that is down";
    server_.start();
    bool back = false;
    for (int i = 0; i < 100 && !back; ++i) {
        try {
            back = l.reserve("prod", "us-east-1", {100, 1000, 1000}, 1).granted == 1;
        } catch (const Failure &) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    EXPECT_TRUE(back) << "the backoff never exceeds 2 s";
}

TEST(FleetConfigTest, TheRedisLedgerIsConfigured) {
    auto ok = parse_config(R"({"accounts": {"a": {"regions": {"r": {}}}}, "ledger": {"backend": "redis", "url": "redis://:pw@cache:6380/3"}})");
    ASSERT_TRUE(ok.ok()) << ok.error().message;
    EXPECT_EQ(ok->ledger_backend, "redis");
    for (const char *bad : {R"({"backend": "redis", "url": "http://cache"})", R"({"backend": "redis", "url": "rediss://cache"})",
                            R"({"backend": "memcached"})", R"({"backend": "redis", "colour": "red"})"}) {
        auto c = parse_config(std::string(R"({"accounts": {"a": {"regions": {"r": {}}}}, "ledger": )") + bad + "}");
        EXPECT_FALSE(c.ok()) << bad;
    }
}

}  // namespace
}  // namespace presend
