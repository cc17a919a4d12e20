// The engine as a whole: the store (creation, corruption, schema), failing
// closed, batches, threads, fork, the decision JSON, consent import.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <cjson/cJSON.h>

#include "consent_import.hpp"
#include "fixture.hpp"
#include "json.hpp"
#include "message.hpp"
#include "presend_limits.hpp"

namespace presend::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Status open_status(const std::string &config, const std::string &store) {
    try {
        EngineOptions o;
        o.store_path = store;
        Engine::open(config_from(config), o);
        return Status::ok;
    } catch (const Failure &f) {
        return f.error.status;
    }
}


std::string integrity(const std::string &db) {
    sqlite3 *h = nullptr;
    sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt *s = nullptr;
    sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &s, nullptr);
    std::string out = sqlite3_step(s) == SQLITE_ROW ? reinterpret_cast<const char *>(sqlite3_column_text(s, 0)) : "?";
    sqlite3_finalize(s);
    sqlite3_close(h);
    return out;
}

class StoreTest : public EngineTest {};

TEST_F(StoreTest, ANewStoreIsCreatedAndReopened) {
    open(simple_config(100, 10, 10));
    ASSERT_EQ(check(txn({"a@example.org"}))->verdict, Verdict::allow);
    engine_.reset();
    open(simple_config(100, 10, 10));
    auto d = check(txn({"a@example.org"}));
    EXPECT_EQ(d->quota->sent_24h, 2) << "the ledger survives reopening";
    EXPECT_EQ(count_rows(dir_.file("store.db"), "PRAGMA user_version"), kSchemaVersion);
    EXPECT_EQ(count_rows(dir_.file("store.db"), "PRAGMA application_id"), kApplicationId);
}

TEST_F(StoreTest, AVersionOneStoreIsMigratedWithItsData) {
    open(simple_config(100, 10, 10));
    engine_->consent_put_json(R"({"address": "kept@example.org", "list": "weekly"})");
    ASSERT_EQ(check(txn({"a@example.org"}))->verdict, Verdict::allow);
    engine_.reset();
    // What a store written by presend 1.0 looks like: no authentication,
    // feedback, audit or fleet tables.
    sqlite3 *h = nullptr;
    sqlite3_open(dir_.file("store.db").c_str(), &h);
    ASSERT_EQ(sqlite3_exec(h,
                           "DROP TABLE dns_cache; DROP TABLE auth_status; DROP TABLE event; DROP TABLE reputation_hour; "
                           "DROP TABLE pause; DROP TABLE audit; DROP TABLE meta; DROP TABLE fleet_outbox; "
                           "ALTER TABLE suppression DROP COLUMN event_ref; ALTER TABLE decision_recipient DROP COLUMN consent; "
                           "ALTER TABLE decision_recipient DROP COLUMN evidence; PRAGMA user_version=1",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(h);
    open(simple_config(100, 10, 10));
    EXPECT_EQ(count_rows(dir_.file("store.db"), "PRAGMA user_version"), kSchemaVersion);
    EXPECT_EQ(count_rows(dir_.file("store.db"), "SELECT count(*) FROM auth_status"), 0);
    // The trail starts with the configuration the upgraded store was opened with.
    EXPECT_EQ(count_rows(dir_.file("store.db"), "SELECT count(*) FROM audit WHERE kind = 'config'"), 1);
    EXPECT_NE(engine_->consent_get_json("kept@example.org", std::nullopt), "[]");
    EXPECT_EQ(check(txn({"a@example.org"}))->quota->sent_24h, 2);
}

TEST_F(StoreTest, ARandomFileIsRejectedAndLeftAlone) {
    std::string path = dir_.file("junk.db");
    {
        std::ofstream f(path, std::ios::binary);
        for (int i = 0; i < 8192; ++i) f.put(static_cast<char>((i * 7919) & 0xff));
    }
    EXPECT_EQ(open_status(simple_config(1, 1, 1), path), Status::corrupt);
    std::ifstream f(path, std::ios::binary | std::ios::ate);
    EXPECT_EQ(f.tellg(), 8192) << "presend must not write into a file that is not its store";
}

TEST_F(StoreTest, SomeoneElsesDatabaseIsRejected) {
    std::string path = dir_.file("other.db");
    sqlite3 *h = nullptr;
    sqlite3_open(path.c_str(), &h);
    sqlite3_exec(h, "CREATE TABLE orders(id INTEGER PRIMARY KEY); INSERT INTO orders VALUES (1);", nullptr, nullptr, nullptr);
    sqlite3_close(h);
    EXPECT_EQ(open_status(simple_config(1, 1, 1), path), Status::corrupt);
    EXPECT_EQ(count_rows(path, "SELECT count(*) FROM orders"), 1);
}

TEST_F(StoreTest, AStoreFromANewerPresendIsRejected) {
    open(simple_config(1, 1, 1));
    engine_.reset();
    sqlite3 *h = nullptr;
    sqlite3_open(dir_.file("store.db").c_str(), &h);
    sqlite3_exec(h, "PRAGMA user_version=99", nullptr, nullptr, nullptr);
    sqlite3_close(h);
    EXPECT_EQ(open_status(simple_config(1, 1, 1), dir_.file("store.db")), Status::schema);
}

TEST_F(StoreTest, ReadOnlyEnginesOnlyDryRun) {
    open(simple_config(10, 10, 10));
    ASSERT_EQ(check(txn({"a@example.org"}))->verdict, Verdict::allow);
    open(simple_config(10, 10, 10), /*read_only=*/true);
    auto d = check(txn({"a@example.org"}), true);
    EXPECT_EQ(d->verdict, Verdict::allow);
    EXPECT_EQ(d->quota->sent_24h, 2);
    try {
        check(txn({"a@example.org"}));
        FAIL() << "a real check needs a writable store";
    } catch (const Failure &f) {
        EXPECT_EQ(f.error.status, Status::readonly);
    }
}

TEST_F(StoreTest, AStoreThatStaysLockedFailsClosed) {
    std::string cfg = R"({"busy_timeout_ms": 50, "accounts": {"prod": {"regions": {"us-east-1": {}}}}})";
    open(cfg);
    ASSERT_EQ(check(txn({"a@example.org"}))->verdict, Verdict::allow);
    sqlite3 *h = nullptr;
    sqlite3_open(dir_.file("store.db").c_str(), &h);
    ASSERT_EQ(sqlite3_exec(h, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
    auto d = check(txn({"a@example.org"}));
    EXPECT_EQ(d->verdict, Verdict::defer);
    EXPECT_THAT(message_codes(*d), ElementsAre("engine.unavailable"));
    EXPECT_EQ(d->retry_after_ms, 30000);
    sqlite3_exec(h, "ROLLBACK", nullptr, nullptr, nullptr);

    // fail_open: allowed, with the finding recorded.
    open(R"({"fail_open": true, "busy_timeout_ms": 50, "accounts": {"prod": {"regions": {"us-east-1": {}}}}})");
    ASSERT_EQ(sqlite3_exec(h, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
    d = check(txn({"a@example.org"}));
    EXPECT_EQ(d->verdict, Verdict::allow);
    EXPECT_THAT(message_codes(*d), ElementsAre("engine.unavailable"));
    EXPECT_FALSE(d->reasons[0].enforced);
    sqlite3_exec(h, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(h);
    // Nothing was lost, nothing was counted twice.
    EXPECT_EQ(check(txn({"a@example.org"}))->quota->sent_24h, 2);
}

TEST_F(StoreTest, InputErrorsHaveStableStatusesAndStoreNothing) {
    open(simple_config(10, 10, 10));
    ASSERT_EQ(check(txn({"a@example.org"}))->verdict, Verdict::allow);
    struct Case {
        std::string input;
        Status status;
    } cases[] = {
        {"{", Status::json},
        {"", Status::json},
        {"[1, 2]", Status::message},
        {"{\"to\": [\"a@example.org\"]} trailing", Status::json},
        {std::string("{\"from\": \"a@example.com\", \"to\": [\"\xff\xfe\"]}"), Status::json},
        {R"({"from": "a@example.com", "to": ["a@example.org\u0000evil"]})", Status::json},
        {R"({"from": "a@example.com", "to": ["a@example.org"], "priority": 1})", Status::message},
        {R"({"from": "a@example.com", "to": "a@example.org", "stream": "bulk"})", Status::message},
        {R"({"from": 7, "to": ["a@example.org"]})", Status::message},
        {R"({"from": "a@example.com", "to": ["a@example.org"], "account": "nope"})", Status::unknown_account},
        {R"({"from": "a@example.com", "to": ["a@example.org"], "region": "mars-1"})", Status::unknown_region},
        {R"({"raw": "From a@b Sat Jan 1\r\n", "stream": "transactional"})", Status::message},
        {std::string(200, '[') + std::string(200, ']'), Status::json},
        {"{\"from\": \"a@example.com\", \"to\": [\"" + std::string(kMaxMessageJsonBytes, 'a') + "\"]}", Status::too_big},
    };
    for (const auto &c : cases) {
        try {
            check(c.input);
            ADD_FAILURE() << "accepted: " << c.input.substr(0, 80);
        } catch (const Failure &f) {
            EXPECT_EQ(f.error.status, c.status) << c.input.substr(0, 80) << " -> " << f.error.message;
            EXPECT_FALSE(f.error.message.empty());
        }
    }
    EXPECT_EQ(check(txn({"a@example.org"}))->quota->sent_24h, 2) << "bad input changed the ledger";
}

TEST_F(StoreTest, RawMessagesAreParsed) {
    open(simple_config(10, 10, 10));
    engine_->consent_put_json(R"({"address": "a@example.org", "list": "weekly"})");
    std::string raw =
        "Return-Path: <bounce@mail.example.com>\r\n"
        "From: News <news@example.com>\r\n"
        "To: a@example.org,\r\n b@example.org\r\n"
        "List-Unsubscribe: <https://example.com/u/Zx8Kq2LmN4pR7sT1vW3y>\r\n"
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
        "Message-ID: <m1@example.com>\r\n"
        "\r\n"
        "Hello\r\n";
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "raw", raw.c_str());
    cJSON_AddStringToObject(m, "stream", "marketing");
    cJSON_AddStringToObject(m, "list", "weekly");
    char *text = cJSON_PrintUnformatted(m);
    auto d = check(text);
    cJSON_free(text);
    cJSON_Delete(m);
    ASSERT_EQ(d->recipients.size(), 2u);
    EXPECT_EQ(d->verdict, Verdict::partial);
    EXPECT_THAT(codes(*d, 1), ElementsAre("consent.missing"));
    EXPECT_EQ(d->message_id, "<m1@example.com>");
}

TEST_F(StoreTest, DecisionJsonHasTheDocumentedShape) {
    open(simple_config(50000, 14, 14));
    auto d = check(txn({"a@example.org", "bad address"}));
    auto doc = json_parse(d->json(), 1 << 20);
    ASSERT_TRUE(doc) << d->json();
    const cJSON *root = doc->get();
    for (const char *k : {"decision_id", "verdict", "retry_after_ms", "dry_run", "recipients", "reasons", "quota"}) {
        EXPECT_NE(cJSON_GetObjectItem(root, k), nullptr) << k;
    }
    EXPECT_STREQ(cJSON_GetObjectItem(root, "verdict")->valuestring, "partial");
    const cJSON *r1 = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "recipients"), 1);
    const cJSON *reason0 = cJSON_GetArrayItem(cJSON_GetObjectItem(r1, "reasons"), 0);
    EXPECT_STREQ(cJSON_GetObjectItem(reason0, "code")->valuestring, "recipient.invalid");
    EXPECT_STREQ(cJSON_GetObjectItem(reason0, "severity")->valuestring, "block");
    EXPECT_STREQ(cJSON_GetObjectItem(reason0, "check")->valuestring, "recipient");
    const cJSON *q = cJSON_GetObjectItem(root, "quota");
    EXPECT_EQ(cJSON_GetObjectItem(q, "sent_24h")->valueint, 1);
    EXPECT_EQ(cJSON_GetObjectItem(q, "remaining_24h")->valueint, 49999);
    EXPECT_EQ(cJSON_GetObjectItem(q, "max_rate")->valueint, 14);
    // UUIDv7 with the ledger's time in its first 48 bits.
    std::string id = d->id;
    ASSERT_EQ(id.size(), 36u);
    EXPECT_EQ(id[14], '7');
    EXPECT_EQ(std::stoull(id.substr(0, 8) + id.substr(9, 4), nullptr, 16), static_cast<unsigned long long>(kT0));
}

TEST_F(StoreTest, BatchesAreOneTransactionAndBadMessagesStandAlone) {
    open(simple_config(3, 1000, 1000));
    std::string batch = "[" + txn({"a@example.org"}) + "," + R"({"from": "x@example.com", "to": [], "oops": 1})" +
                        "," + txn({"b@example.org", "c@example.org"}) + "," + txn({"d@example.org"}) + "]";
    auto items = engine_->check_batch(batch, false);
    ASSERT_EQ(items.size(), 4u);
    ASSERT_TRUE(items[0].decision);
    EXPECT_EQ(items[0].decision->verdict, Verdict::allow);
    EXPECT_FALSE(items[1].decision);
    EXPECT_EQ(items[1].error.status, Status::message);
    EXPECT_THAT(items[1].error.message, HasSubstr("oops"));
    EXPECT_EQ(items[2].decision->verdict, Verdict::allow);
    EXPECT_EQ(items[3].decision->verdict, Verdict::defer) << "later messages see earlier reservations";
    EXPECT_EQ(count_rows(dir_.file("store.db"), "SELECT count(*) FROM decision"), 3);

    auto dry = engine_->check_batch("[" + txn({"e@example.org"}) + "]", true);
    EXPECT_EQ(dry[0].decision->verdict, Verdict::defer);
    EXPECT_THROW(engine_->check_batch("{}", false), Failure);
}

TEST_F(StoreTest, OneEngineIsSharedByManyThreadsExactly) {
    // Real clock: threads race for the same ledger; exactly the maximum goes.
    EngineOptions o;
    o.store_path = dir_.file("threads.db");
    auto engine = Engine::open(config_from(simple_config(200, 1000000, 1000000)), o);
    std::atomic<int> allowed{0}, deferred{0}, other{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 50; ++i) {
                auto d = engine->check(txn({"t" + std::to_string(t) + "-" + std::to_string(i) + "@example.org"}), false);
                if (d->verdict == Verdict::allow) ++allowed;
                else if (d->verdict == Verdict::defer && d->recipients[0].reasons[0].def->code == "quota.daily_exhausted") ++deferred;
                else ++other;
            }
        });
    }
    for (auto &t : threads) t.join();
    EXPECT_EQ(allowed.load(), 200);
    EXPECT_EQ(deferred.load(), 200);
    EXPECT_EQ(other.load(), 0);
}

TEST_F(StoreTest, ErrorTextIsKeptPerThread) {
    open(simple_config(10, 10, 10));
    engine_->set_error("main thread's error");
    std::thread([&] {
        engine_->set_error("other thread's error");
        EXPECT_STREQ(engine_->error_text(), "other thread's error");
    }).join();
    EXPECT_STREQ(engine_->error_text(), "main thread's error");
}

TEST_F(StoreTest, AForkedChildOpensItsOwnConnections) {
    // The engine is opened and used before fork (as PHP-FPM preloading does);
    // parent and children then check concurrently against one ledger.
    EngineOptions o;
    o.store_path = dir_.file("fork.db");
    auto engine = Engine::open(config_from(simple_config(100, 1000000, 1000000)), o);
    ASSERT_EQ(engine->check(txn({"parent@example.org"}), false)->verdict, Verdict::allow);
    std::vector<pid_t> kids;
    for (int k = 0; k < 4; ++k) {
        pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            int ok = 0;
            for (int i = 0; i < 30; ++i) {
                if (engine->check(txn({"child@example.org"}), false)->verdict == Verdict::allow) ++ok;
            }
            engine.reset();
            _exit(ok);
        }
        kids.push_back(pid);
    }
    int total = 1;
    for (int i = 0; i < 30; ++i) {
        if (engine->check(txn({"parent@example.org"}), false)->verdict == Verdict::allow) ++total;
    }
    for (pid_t pid : kids) {
        int status = 0;
        waitpid(pid, &status, 0);
        ASSERT_TRUE(WIFEXITED(status)) << "a child crashed";
        total += WEXITSTATUS(status);
    }
    EXPECT_EQ(total, 100);
    auto d = engine->check(txn({"parent@example.org"}), true);
    EXPECT_EQ(d->quota->sent_24h, 100);
    engine.reset();
    EXPECT_EQ(integrity(dir_.file("fork.db")), "ok");
}

TEST_F(StoreTest, TheWalStaysBoundedWhileChecksCommit) {
    // Checkpoints run on a thread of the engine, not inside the checks; the
    // write-ahead log must still be folded back into the store as it grows.
    EngineOptions o;
    o.store_path = dir_.file("wal.db");
    auto engine = Engine::open(config_from(simple_config(1000000, 1000000, 1000000)), o);
    std::vector<std::string> to;
    for (int i = 0; i < 5; ++i) to.push_back("r" + std::to_string(i) + "@example.org");
    // Each check appends about six pages to the log: 8,000 checks would make
    // it about 190 MB if it never restarted. It restarts past 4,000 frames
    // (16 MiB); allow for the checkpointer's lag.
    const int checks = 8000;
    for (int i = 0; i < checks; ++i) ASSERT_EQ(engine->check(txn(to), false)->verdict, Verdict::allow);
    auto wal = std::filesystem::file_size(dir_.file("wal.db") + "-wal");
    EXPECT_LT(wal, uintmax_t{10000} * 4096) << "the WAL grew to " << wal << " bytes";
    engine.reset();
    EXPECT_EQ(integrity(dir_.file("wal.db")), "ok");
}

TEST_F(StoreTest, AConnectionStopsMappingTheStoreWhileAnotherWrites) {
    // A mapped store is unmapped by every read transaction that follows
    // another connection's commit; such a connection reads without the map
    // until the other has been quiet for a while.
    open(simple_config(100, 10, 10));
    StoreOptions so;
    so.path = dir_.file("store.db");
    Conn reader(so), writer(so);
    auto look = [&] {
        Transaction tx(reader.db(), Transaction::Kind::deferred);
        bool wrote = reader.others_wrote();
        tx.commit();
        return wrote;
    };
    auto write = [](Conn &c, const char *key) {
        Transaction tx(c.db(), Transaction::Kind::immediate);
        Use s(c.stmt("INSERT OR REPLACE INTO meta(key, value) VALUES (?1, 1)"));
        s->bind(1, std::string_view(key));
        s->run();
        tx.commit();
    };
    auto map_size = [&] {
        Use s(reader.stmt("PRAGMA mmap_size"));
        return s->step() ? s->int64(0) : -1;
    };
    EXPECT_TRUE(reader.mapped());
    EXPECT_GT(map_size(), 0);
    EXPECT_FALSE(look()) << "the first look only notes where the store is";

    write(reader, "own");
    EXPECT_FALSE(look()) << "a connection's own writes do not count";
    write(writer, "other");
    bool wrote = look();
    EXPECT_TRUE(wrote);
    reader.adapt_mapping(wrote);
    EXPECT_FALSE(reader.mapped());
    EXPECT_EQ(map_size(), 0);

    for (int i = 1; i < Conn::kQuietChecks; ++i) {
        reader.adapt_mapping(look());
        ASSERT_FALSE(reader.mapped()) << "mapped again after " << i << " quiet checks";
    }
    write(writer, "again");  // the count of quiet checks starts over
    reader.adapt_mapping(look());
    for (int i = 0; i < Conn::kQuietChecks - 1; ++i) reader.adapt_mapping(look());
    EXPECT_FALSE(reader.mapped());
    reader.adapt_mapping(look());
    EXPECT_TRUE(reader.mapped());
    EXPECT_GT(map_size(), 0);
}

TEST_F(StoreTest, ForkWhileTheCheckpointThreadRuns) {
    // Enough commits in the parent to start its checkpoint thread; children
    // forked then must start their own and leave the store intact.
    EngineOptions o;
    o.store_path = dir_.file("fork-ckpt.db");
    auto engine = Engine::open(config_from(simple_config(1000000, 1000000, 1000000)), o);
    std::vector<std::string> to;
    for (int i = 0; i < 5; ++i) to.push_back("r" + std::to_string(i) + "@example.org");
    for (int i = 0; i < 600; ++i) ASSERT_EQ(engine->check(txn(to), false)->verdict, Verdict::allow);
    std::vector<pid_t> kids;
    for (int k = 0; k < 2; ++k) {
        pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            int ok = 0;
            for (int i = 0; i < 600; ++i) ok += engine->check(txn(to), false)->verdict == Verdict::allow ? 1 : 0;
            engine.reset();  // joins the child's own checkpoint thread, if it started one
            _exit(ok == 600 ? 0 : 1);
        }
        kids.push_back(pid);
    }
    for (int i = 0; i < 600; ++i) ASSERT_EQ(engine->check(txn(to), false)->verdict, Verdict::allow);
    for (pid_t pid : kids) {
        int status = 0;
        waitpid(pid, &status, 0);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
    }
    // The dry run's snapshot counts its own recipient as if it went.
    EXPECT_EQ(engine->check(txn({"x@example.org"}), true)->quota->sent_24h, 4 * 600 * 5 + 1);
    engine.reset();
    EXPECT_EQ(integrity(dir_.file("fork-ckpt.db")), "ok");
}

TEST_F(StoreTest, ConsentImportReportsBadRowsAndKeepsGoodOnes) {
    open(simple_config(10, 10, 10));
    std::string csv =
        "address,list,method,consented_at,confirmed_at,country\n"
        "a@example.org,weekly,double,2026-01-01T00:00:00Z,2026-01-01T00:01:00Z,de\n"
        "not-an-address,weekly,single,2026-01-01T00:00:00Z,,US\n"
        "b@example.org,weekly,sometimes,2026-01-01T00:00:00Z,,US\n"
        "c@example.org,weekly,single,yesterday,,US\n"
        "\"d@example.org\",\"weekly\",single,2026-01-02,,US\n"
        "e@example.org,weekly\n";
    std::string report = engine_->consent_import(csv, static_cast<int>(ImportFormat::csv), "");
    auto doc = json_parse(report, 1 << 20);
    ASSERT_TRUE(doc);
    EXPECT_EQ(cJSON_GetObjectItem(doc->get(), "imported")->valueint, 2) << report;
    EXPECT_EQ(cJSON_GetObjectItem(doc->get(), "rejected")->valueint, 4) << report;
    const cJSON *errors = cJSON_GetObjectItem(doc->get(), "errors");
    EXPECT_EQ(cJSON_GetObjectItem(cJSON_GetArrayItem(errors, 0), "line")->valueint, 3);
    EXPECT_EQ(cJSON_GetObjectItem(cJSON_GetArrayItem(errors, 3), "line")->valueint, 7);
    std::string a = engine_->consent_get_json("a@example.org", std::nullopt);
    EXPECT_THAT(a, HasSubstr("\"country\":\"DE\""));
    EXPECT_THAT(a, HasSubstr("\"method\":\"double\""));

    std::string jsonl = R"({"address": "f@example.org", "list": "weekly"})"
                        "\n{broken\n"
                        R"({"address": "g@example.org", "list": "weekly", "colour": "red"})"
                        "\n\n"
                        R"({"address": "h@example.org", "list": "weekly", "status": "unsubscribed"})";
    report = engine_->consent_import(jsonl, 0, "subscribers.jsonl");
    EXPECT_THAT(report, HasSubstr("\"imported\":2"));
    EXPECT_THAT(report, HasSubstr("\"rejected\":2"));
    EXPECT_THAT(report, HasSubstr("colour"));

    // An unusable header imports nothing at all.
    EXPECT_THROW(engine_->consent_import("address,list,favourite\nz@example.org,weekly,x\n", 1, ""), Failure);
    EXPECT_EQ(engine_->consent_get_json("z@example.org", std::nullopt), "[]");
}

TEST(Config, UnknownKeysAreNamedWithTheirPath) {
    auto c = parse_config(R"({"accounts": {"prod": {"regions": {"us-east-1": {"max_24hr": 5}}}}})");
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().status, Status::config);
    EXPECT_THAT(c.error().message, HasSubstr("accounts.prod.regions.us-east-1.max_24hr"));
    c = parse_config(R"({"accounts": {"prod": {"regions": {"us-east-1": {}}}}, "checks": {"consnet": {}}})");
    ASSERT_FALSE(c);
    EXPECT_THAT(c.error().message, HasSubstr("checks.consnet"));
}

TEST(Config, RegionsWithoutNumbersGetSesFiguresForTheTier) {
    auto c = parse_config(R"({"accounts": {"p": {"regions": {"us-east-1": {}}},
                                           "s": {"tier": "sandbox", "regions": {"eu-west-1": {}}}}})");
    ASSERT_TRUE(c) << c.error().message;
    const auto &p = c->accounts.at("p").regions.at("us-east-1");
    EXPECT_EQ(p.max_24h, 50000);
    EXPECT_EQ(p.max_rate, 14);
    EXPECT_EQ(p.burst, 14);
    const auto &s = c->accounts.at("s").regions.at("eu-west-1");
    EXPECT_EQ(s.max_24h, 200);
    EXPECT_EQ(s.max_rate, 1);
    EXPECT_EQ(c->accounts.at("p").max_recipients_per_message, 50);
}

TEST(Config, DefaultsMustExist) {
    EXPECT_FALSE(parse_config(R"({"defaults": {"account": "x"}, "accounts": {"p": {"regions": {"r": {}}}}})"));
    EXPECT_FALSE(parse_config(R"({"defaults": {"account": "p", "region": "q"}, "accounts": {"p": {"regions": {"r": {}}}}})"));
    EXPECT_FALSE(parse_config(R"({"accounts": {}})"));
    EXPECT_FALSE(parse_config(R"({"accounts": {"p": {"regions": {"r": {"max_rate": 0}}}}})"));
    EXPECT_FALSE(parse_config(R"({"accounts": {"p": {"regions": {"r": {}}}}, "ledger": {"backend": "etcd"}})"));
    EXPECT_FALSE(parse_config(R"({"accounts": {"p": {"regions": {"r": {}}}}, "checks": {"frequency": {"mode": "enforce"}}})"));
    EXPECT_TRUE(parse_config(R"({"accounts": {"p": {"regions": {"r": {}}}}, "plugins": []})"));
}

TEST(Reasons, CodesAreUniqueDottedAndGroupedByCheck) {
    std::set<std::string_view> seen;
    for (const auto &r : all_reasons()) {
        EXPECT_TRUE(seen.insert(r.code).second) << r.code;
        EXPECT_EQ(r.code.substr(0, r.code.find('.')), r.check) << r.code;
        EXPECT_FALSE(r.description.empty()) << r.code;
    }
    for (const char *code : {"consent.missing", "consent.unconfirmed", "consent.withdrawn", "consent.expired",
                             "suppression.bounce", "suppression.complaint", "suppression.manual", "recipient.invalid",
                             "recipient.too_many", "unsubscribe.missing", "unsubscribe.one_click_missing",
                             "unsubscribe.not_https", "unsubscribe.malformed", "unsubscribe.duplicate",
                             "unsubscribe.not_signed", "quota.daily_exhausted", "quota.rate_exceeded",
                             "quota.sandbox_unverified", "quota.approaching", "frequency.capped", "engine.unavailable"}) {
        EXPECT_NE(find_reason(code), nullptr) << code;
    }
}

}  // namespace
}  // namespace presend::test
