// The quota ledger on Redis, for a fleet of sending hosts sharing one SES
// account: the same semantics as the SQLite ledger (ledger.hpp) - an exact
// rolling 24-hour maximum at one-second resolution and a GCRA rate with
// bursts, per account and region - kept in Redis and changed only by one Lua
// script per reservation, which reads the clock from Redis TIME so that every
// host shares one clock. The engine uses it when the configuration says
// "ledger": {"backend": "redis"}. One connection per ledger: callers
// serialize their calls (the engine holds a mutex around them).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
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

// The configured limits of one account and region. Limits taken from SES
// by a quota sync are kept in Redis and replace these (as in ledger.hpp).
struct RedisLimits {
    int64_t max_24h = 0;
    int64_t max_rate = 1;
    int64_t burst = 1;
};

class RedisLedger {
public:
    // Connects lazily: the first call connects, and a call after a failure
    // reconnects, but not before a backoff (50 ms, doubling to 2 s) has
    // passed: until then calls fail at once. Throws Failure(config) for TLS,
    // which this build lacks. `clock`, when set, replaces Redis TIME (an
    // engine opened with a clock callback, for tests and replays).
    explicit RedisLedger(RedisOptions options, std::function<int64_t()> clock = nullptr);
    ~RedisLedger();
    RedisLedger(const RedisLedger &) = delete;
    RedisLedger &operator=(const RedisLedger &) = delete;

    struct Reservation {
        int64_t granted = 0;     // recipients the limits allowed, 0..wanted
        int64_t counted = 0;     // recipients counted: `granted`, or all in monitor mode
        bool daily = false;      // the 24-hour maximum refused (else the rate)
        int64_t retry_ms = 0;    // when one more could go (0 when all were granted)
        int64_t now_ms = 0;      // the ledger's clock at the reservation (never goes back)
        int64_t second = 0;      // the second the counted recipients were counted in
        int64_t sent_24h = 0;    // the count after the reservation
        RedisLimits limits;      // the limits in force
        bool from_ses = false;   // the limits came from a quota sync
    };
    // Counts up to `wanted` recipients, one at a time, as the SQLite ledger
    // does, in one atomic script. With `monitor`, recipients past a refusal
    // are counted too (they will be sent). With `dry_run`, says what would be
    // granted and changes nothing. Throws Failure(store) when Redis is
    // unreachable or times out (the caller defers: fail closed).
    Reservation reserve(std::string_view account, std::string_view region, const RedisLimits &limits, int64_t wanted,
                        bool dry_run = false, bool monitor = false);
    // Gives back `n` recipients counted in `second` (a release), if that
    // second is still in the window, and their rate cells.
    void release(std::string_view account, std::string_view region, const RedisLimits &limits, int64_t n,
                 int64_t second);

    struct Usage {
        int64_t now_ms = 0;
        int64_t sent_24h = 0;
        RedisLimits limits;
        bool from_ses = false;
        std::optional<int64_t> synced_at;
        int64_t rate_available = 0;   // recipients the rate alone allows now
        int64_t next_release_ms = 0;  // until the oldest counted send leaves; 0 if none
    };
    Usage status(std::string_view account, std::string_view region, const RedisLimits &limits);
    // The rolling 24-hour count now.
    int64_t sent_24h(std::string_view account, std::string_view region) { return status(account, region, {}).sent_24h; }

    struct Sync {
        int64_t sent_before = 0;
        RedisLimits limits_before;
        int64_t added = 0;
        Usage after;
    };
    // Takes SES's limits (shared by every host from then on) and raises the
    // count to SES's SentLast24Hours if that is higher (never lowers it).
    Sync sync(std::string_view account, std::string_view region, const RedisLimits &limits, int64_t ses_max_24h,
              int64_t ses_max_rate, int64_t ses_sent_24h);

    // The fleet's change stream (suppressions and consent withdrawals).
    struct Change {
        std::string id, origin, kind, body;
    };
    // Appends a change; returns its stream id. The stream keeps about the
    // newest `keep` changes.
    std::string publish(std::string_view origin, std::string_view kind, std::string_view body, int64_t keep);
    // Up to `count` changes after stream id `after` ("0": from the start).
    std::vector<Change> changes_after(std::string_view after, int64_t count);

    // Connection attempts so far (for tests of the backoff).
    int64_t connect_attempts() const noexcept { return attempts_; }

private:
    void connect();
    void drop() noexcept;
    redisReply *command(const std::vector<std::string> &argv);
    // Runs a script by SHA (loading it again after a Redis restart) on the
    // account and region's keys; the reply is freed by the caller.
    redisReply *run(const std::string &script, std::string &sha, std::string_view account, std::string_view region,
                    const RedisLimits &limits, bool write, const std::vector<std::string> &args);

    RedisOptions options_;
    std::function<int64_t()> clock_;
    redisContext *ctx_ = nullptr;
    pid_t pid_ = 0;  // the process that opened ctx_: a forked child opens its own
    std::string reserve_sha_, release_sha_, status_sha_, sync_sha_;
    int64_t attempts_ = 0;
    int64_t backoff_ms_ = 0;  // 0: connect at once
    std::chrono::steady_clock::time_point retry_at_{};
    std::string last_error_;
};

}  // namespace presend
