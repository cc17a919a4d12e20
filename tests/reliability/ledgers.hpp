// The two quota ledgers the reliability tests run against: SQLite (processes
// share one store) and Redis (fleet mode: each process has its own store and
// they share one redis-server, started here on loopback).
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "support.hpp"

#ifdef PRESEND_REDIS_SERVER
#include "redis_server.hpp"
#endif

namespace reliability {

enum class LedgerKind { sqlite, redis };

inline std::string ledger_name(const ::testing::TestParamInfo<LedgerKind> &info) {
    return info.param == LedgerKind::sqlite ? "sqlite" : "redis";
}

// How ctest names the parameter (instead of its bytes).
inline void PrintTo(LedgerKind kind, std::ostream *os) { *os << (kind == LedgerKind::sqlite ? "sqlite" : "redis"); }

// A test's ledger: the configuration that selects it, and where each
// process keeps its store.
class Ledger {
public:
    Ledger(LedgerKind kind, const TempDir &dir) : kind_(kind), dir_(dir) {
#ifdef PRESEND_REDIS_SERVER
        if (kind_ == LedgerKind::redis) redis_ = std::make_unique<presend::test::RedisServer>();
#endif
    }

    static bool available(LedgerKind kind) {
#ifdef PRESEND_REDIS_SERVER
        (void)kind;
        return true;
#else
        return kind == LedgerKind::sqlite;
#endif
    }

    LedgerKind kind() const { return kind_; }

    // A configuration with one production account "prod" in us-east-1.
    // `extra` is spliced into the top-level object (", \"key\": ...").
    std::string config(int64_t max_24h, int64_t max_rate, int64_t burst, const std::string &extra = "") const {
        std::string c = R"({"accounts": {"prod": {"max_recipients_per_message": 50, "regions": {"us-east-1": {"max_24h": )" +
                        std::to_string(max_24h) + R"(, "max_rate": )" + std::to_string(max_rate) + R"(, "burst": )" +
                        std::to_string(burst) + "}}}}";
#ifdef PRESEND_REDIS_SERVER
        if (kind_ == LedgerKind::redis) {
            c += R"(, "ledger": {"backend": "redis", "url": ")" + redis_->url() +
                 R"(", "command_timeout_ms": 5000, "prefix": "presend-reliability:"})";
        }
#endif
        return c + extra + "}";
    }

    // The store of host `host`: one shared file with SQLite, one per host
    // with Redis (a fleet of hosts, each with its own store).
    std::string store(int host) const {
        return dir_.file(kind_ == LedgerKind::sqlite ? "store.db" : "store-" + std::to_string(host) + ".db");
    }

private:
    LedgerKind kind_;
    const TempDir &dir_;
#ifdef PRESEND_REDIS_SERVER
    std::unique_ptr<presend::test::RedisServer> redis_;
#endif
};

}  // namespace reliability
