// The quota ledger on Redis, for a fleet of sending hosts sharing one SES
// account: the same semantics as the SQLite ledger (ledger.hpp) - an exact
// rolling 24-hour maximum at one-second resolution and a GCRA rate with
// bursts, per account and region - kept in Redis and changed only by one Lua
// script per reservation, which reads the clock from Redis TIME so that every
// host shares one clock. The engine uses it when the configuration says
// "ledger": {"backend": "redis"}. One connection per ledger: callers
// serialize their calls (the engine holds a mutex around them).
#pragma once

#include <cstdint>
#include <memory>
#include <sys/types.h>
#include <string>
#include <string_view>
#include <vector>

#include "result.hpp"

struct redisContext;
struct redisReply;

namespace presend {

// redis://[[user]:password@]host[:port][/db] (rediss:// asks for TLS).
struct RedisUrl {
    std::string host = "127.0.0.1";
    int port = 6379;
    int db = 0;
    std::string user, password;
    bool tls = false;
};
Result<RedisUrl> parse_redis_url(std::string_view url);

struct RedisOptions {
    RedisUrl url;
    int64_t connect_timeout_ms = 1000;
    int64_t command_timeout_ms = 1000;
    std::string prefix = "presend:";  // of every key
};

class RedisLedger {
public:
    // Connects lazily: the first call connects (and reconnects after a
    // failure). Throws Failure(config) for TLS, which this build lacks.
    explicit RedisLedger(RedisOptions options);
    ~RedisLedger();
    RedisLedger(const RedisLedger &) = delete;
    RedisLedger &operator=(const RedisLedger &) = delete;

    struct Reservation {
        int64_t granted = 0;     // recipients counted, 0..wanted
        bool daily = false;      // the 24-hour maximum refused the rest (else the rate)
        int64_t retry_ms = 0;    // when one more could go (0 when all were granted)
        int64_t now_ms = 0;      // Redis TIME at the reservation
        int64_t second = 0;      // the second the granted recipients were counted in
        int64_t sent_24h = 0;    // the count after the reservation
    };
    // Counts up to `wanted` recipients, one at a time, as the SQLite ledger
    // does, in one atomic script. Throws Failure(store) when Redis is
    // unreachable or times out (the caller defers: fail closed).
    // With `dry_run`, says what would be granted and changes nothing.
    Reservation reserve(std::string_view account, std::string_view region, int64_t wanted, int64_t max_24h,
                        int64_t max_rate, int64_t burst, bool dry_run = false);
    // Gives back `n` recipients counted in `second` (a release), if that
    // second is still in the window.
    void release(std::string_view account, std::string_view region, int64_t n, int64_t second);
    // The rolling 24-hour count now.
    int64_t sent_24h(std::string_view account, std::string_view region);

private:
    void connect();
    void drop() noexcept;
    // Runs a script by SHA (loading it again after a Redis restart) on the
    // account and region's keys; the reply is freed by the caller.
    redisReply *run(const char *script, std::string &sha, std::string_view account, std::string_view region,
                    const std::vector<std::string> &args);

    RedisOptions options_;
    redisContext *ctx_ = nullptr;
    pid_t pid_ = 0;  // the process that opened ctx_: a forked child opens its own
    std::string reserve_sha_, release_sha_, count_sha_;
};

}  // namespace presend
