// The audit trail: what is recorded, and that audit verify finds each kind of
// tampering done to a real store file.
#include <sqlite3.h>

#include <fstream>

#include "fixture.hpp"

namespace presend::test {
namespace {


void exec(const std::string &path, const std::string &sql) {
    sqlite3 *h = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &h), SQLITE_OK);
    char *err = nullptr;
    int rc = sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &err);
    EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "") << " in " << sql;
    sqlite3_free(err);
    sqlite3_close(h);
}

std::string config(const std::string &audit = R"({"key": "0123456789abcdef-test-key"})") {
    return R"({"accounts": {"prod": {"regions": {"us-east-1": {"max_24h": 1000, "max_rate": 100, "burst": 100}}}},
               "audit": )" + audit + "}";
}

class AuditTest : public EngineTest {
protected:
    // A trail of 9 records: config, 2 consent puts, a suppression, 3 decisions, a release, a pause.
    void build_trail() {
        open(config());
        engine_->consent_put_json(R"({"address": "a@example.org", "list": "weekly", "method": "double"})");
        engine_->consent_put_json(R"({"address": "b@example.org", "list": "weekly"})");
        engine_->suppression_put_json(R"({"address": "bad@example.org", "reason": "manual"})");
        auto d1 = check(txn({"a@example.org"}));
        clock_.now += 1000;
        auto d2 = check(txn({"b@example.org", "bad@example.org"}));
        clock_.now += 1000;
        auto d3 = check(txn({"c@example.org"}));
        engine_->release(d3->id);
        engine_->pause("prod", std::nullopt, "incident 42");
        engine_.reset();
    }
    std::string store() const { return dir_.file("store.db"); }
    std::string verify() {
        open(config());
        return engine_->audit_verify_json();
    }
};

TEST_F(AuditTest, EveryChangeAndDecisionIsRecordedInOrder) {
    build_trail();
    EXPECT_EQ(count_rows(store(), "SELECT count(*) FROM audit"), 9);
    EXPECT_EQ(count_rows(store(), "SELECT count(*) FROM audit WHERE kind = 'decision'"), 3);
    EXPECT_EQ(count_rows(store(), "SELECT min(seq) FROM audit WHERE kind = 'config'"), 1);
    EXPECT_EQ(count_rows(store(), "SELECT seq FROM audit WHERE kind = 'pause'"), 9);
    EXPECT_EQ(count_rows(store(), "SELECT count(*) FROM audit WHERE kind = 'release'"), 1);
    // Opening again with the same configuration adds nothing.
    open(config());
    engine_.reset();
    EXPECT_EQ(count_rows(store(), "SELECT count(*) FROM audit"), 9);
    std::string v = verify();
    EXPECT_THAT(v, ::testing::HasSubstr(R"("ok":true,"records":9,"first_bad":null)"));
    EXPECT_THAT(v, ::testing::HasSubstr(R"("verified_through":9)"));
    EXPECT_THAT(v, ::testing::HasSubstr(R"("key":"config")"));
}

TEST_F(AuditTest, AnEditedRecordIsNamed) {
    build_trail();
    exec(store(), "UPDATE audit SET content = replace(content, '\"verdict\":\"block\"', '\"verdict\":\"allow\"') WHERE seq = 6");
    std::string v = verify();
    EXPECT_THAT(v, ::testing::HasSubstr(R"("ok":false,"records":9,"first_bad":6)"));
    EXPECT_THAT(v, ::testing::HasSubstr("edited"));
}

TEST_F(AuditTest, AnEditedTimeOrKindIsNamed) {
    build_trail();
    exec(store(), "UPDATE audit SET at = at + 1 WHERE seq = 3");
    EXPECT_THAT(verify(), ::testing::HasSubstr(R"("first_bad":3)"));
}

TEST_F(AuditTest, ADeletedRecordIsNamed) {
    build_trail();
    exec(store(), "DELETE FROM audit WHERE seq = 4");
    std::string v = verify();
    EXPECT_THAT(v, ::testing::HasSubstr(R"("ok":false,"records":8,"first_bad":5)"));
    EXPECT_THAT(v, ::testing::HasSubstr("record 4 missing before it (deleted)"));
}

TEST_F(AuditTest, AnInsertedRecordIsNamed) {
    build_trail();
    // Make room after record 4 and copy a record into it, MAC and all.
    exec(store(), "UPDATE audit SET seq = seq + 100 WHERE seq > 4; UPDATE audit SET seq = seq - 99 WHERE seq > 100; "
                  "INSERT INTO audit(seq, at, kind, content, mac) SELECT 5, at, kind, content, mac FROM audit WHERE seq = 3");
    std::string v = verify();
    EXPECT_THAT(v, ::testing::HasSubstr(R"("ok":false,"records":10,"first_bad":5)"));
}

TEST_F(AuditTest, AForgedRecordAtTheEndIsNamed) {
    build_trail();
    exec(store(), "INSERT INTO audit(seq, at, kind, content, mac) VALUES (10, 0, 'decision', '{}', zeroblob(32))");
    EXPECT_THAT(verify(), ::testing::HasSubstr(R"("ok":false,"records":10,"first_bad":10)"));
}

TEST_F(AuditTest, ReorderedRecordsAreNamed) {
    build_trail();
    exec(store(), "UPDATE audit SET seq = 100 WHERE seq = 6; UPDATE audit SET seq = 6 WHERE seq = 7; "
                  "UPDATE audit SET seq = 7 WHERE seq = 100");
    std::string v = verify();
    EXPECT_THAT(v, ::testing::HasSubstr(R"("ok":false,"records":9,"first_bad":6)"));
}

TEST_F(AuditTest, AnotherKeyFailsTheFirstRecord) {
    build_trail();
    open(config(R"({"key": "another-key-of-16-bytes"})"));
    std::string v = engine_->audit_verify_json();
    EXPECT_THAT(v, ::testing::HasSubstr(R"("ok":false)"));
    EXPECT_THAT(v, ::testing::HasSubstr(R"("first_bad":1)"));
}

TEST_F(AuditTest, WithoutAConfiguredKeyTheStoreKeepsOneAndSaysSo) {
    open(config("{}"));
    check(txn({"a@example.org"}));
    std::string v = engine_->audit_verify_json();
    EXPECT_THAT(v, ::testing::HasSubstr(R"("ok":true,"records":2)"));
    EXPECT_THAT(v, ::testing::HasSubstr(R"("key":"store")"));
    EXPECT_THAT(v, ::testing::HasSubstr("detects damage, not deliberate edits"));
    EXPECT_EQ(count_rows(store(), "SELECT length(value) FROM meta WHERE key = 'audit_key'"), 32);
}

TEST_F(AuditTest, KeyFileAndEnvironmentAreRead) {
    std::string key_file = dir_.file("audit.key");
    {
        std::ofstream f(key_file);
        f << "a-key-from-a-file-0123456789\n";
    }
    open(config(R"({"key_file": ")" + key_file + R"("})"));
    check(txn({"a@example.org"}));
    EXPECT_THAT(engine_->audit_verify_json(), ::testing::HasSubstr(R"("ok":true,"records":2)"));
    engine_.reset();
    ::setenv("PRESEND_TEST_AUDIT_KEY", "a-key-from-a-file-0123456789", 1);
    open(config(R"({"key_env": "PRESEND_TEST_AUDIT_KEY"})"));
    // Same key, other source: the chain verifies, and the new source is recorded.
    EXPECT_THAT(engine_->audit_verify_json(), ::testing::HasSubstr(R"("ok":true,"records":3)"));
    engine_.reset();
    ::unsetenv("PRESEND_TEST_AUDIT_KEY");
    try {
        open(config(R"({"key_env": "PRESEND_TEST_AUDIT_KEY"})"));
        FAIL() << "a missing key variable must stop the engine from opening";
    } catch (const Failure &f) {
        EXPECT_EQ(f.error.status, Status::config);
        EXPECT_THAT(f.error.message, ::testing::HasSubstr("PRESEND_TEST_AUDIT_KEY is not set"));
    }
}

TEST_F(AuditTest, ShortKeysAreRefused) {
    auto c = parse_config(config(R"({"key": "short"})"));
    ASSERT_FALSE(c.ok());
    EXPECT_THAT(c.error().message, ::testing::HasSubstr("at least 16 bytes"));
    auto two = parse_config(config(R"({"key": "0123456789abcdef-x", "key_env": "X"})"));
    ASSERT_FALSE(two.ok());
    EXPECT_THAT(two.error().message, ::testing::HasSubstr("one of key, key_file and key_env"));
}

TEST_F(AuditTest, HashedAddressesKeepNoAddressInTheHistory) {
    open(config(R"({"key": "0123456789abcdef-test-key", "addresses": "hashed"})"));
    engine_->consent_put_json(R"({"address": "secret@example.org", "list": "weekly"})");
    auto d = check(txn({"secret@example.org", "other@example.org"}));
    engine_.reset();
    EXPECT_EQ(count_rows(store(), "SELECT count(*) FROM audit WHERE content LIKE '%secret@%'"), 0);
    EXPECT_EQ(count_rows(store(), "SELECT count(*) FROM decision_recipient WHERE address LIKE '%@%'"), 0);
    EXPECT_EQ(count_rows(store(), "SELECT count(*) FROM decision_recipient WHERE address LIKE 'k:%' AND length(address) = 18"), 2);
    // The token is stable: the consent record's audit entry and the decision's row agree.
    EXPECT_EQ(count_rows(store(), "SELECT count(*) FROM audit a, decision_recipient r WHERE r.idx = 0 AND "
                                  "a.kind = 'consent.put' AND instr(a.content, r.address) > 0"),
              1);
    // The lists themselves still work: consent is found by the address.
    open(config(R"({"key": "0123456789abcdef-test-key", "addresses": "hashed"})"));
    EXPECT_THAT(engine_->consent_get_json("secret@example.org", std::nullopt), ::testing::HasSubstr("secret@example.org"));
    EXPECT_THAT(engine_->audit_verify_json(), ::testing::HasSubstr(R"("ok":true)"));
}

TEST_F(AuditTest, AFailedWriteLeavesNoAuditRecordBehind) {
    open(config());
    int64_t before = count_rows(store(), "SELECT count(*) FROM audit");
    EXPECT_THROW(engine_->consent_withdraw("nobody@example.org", "weekly"), Failure);
    EXPECT_THROW(engine_->release("no-such-decision"), Failure);
    EXPECT_EQ(count_rows(store(), "SELECT count(*) FROM audit"), before);
}

}  // namespace
}  // namespace presend::test
