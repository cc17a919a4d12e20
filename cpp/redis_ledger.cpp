#include "redis_ledger.hpp"

#include <hiredis/hiredis.h>

#include <unistd.h>

#include <charconv>
#include <cstring>

namespace presend {

namespace {

// KEYS: state (hash: total, tat, base, rate), seconds (sorted set of the
// seconds with sends), counts (hash: second -> recipients).
// ARGV: wanted, max_24h, rate, burst, dry ("1": change nothing).
// Time is counted as in ledger.hpp, in units of 1/rate ms, but from a base
// time kept with the state, so that every value stays an exact integer in
// Lua's doubles (below 2^53); the base moves forward after 30 days.
constexpr const char *kReserve = R"lua(
local t = redis.call('TIME')
local sec = tonumber(t[1])
local now = sec * 1000 + math.floor(tonumber(t[2]) / 1000)
local wanted, max24, rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local st = redis.call('HMGET', KEYS[1], 'total', 'tat', 'base', 'rate')
local total = tonumber(st[1]) or 0
local tat = tonumber(st[2]) or 0
local base = tonumber(st[3]) or now
local srate = tonumber(st[4]) or rate
local horizon = sec - 86400
local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', horizon)
for _, s in ipairs(old) do
  total = total - (tonumber(redis.call('HGET', KEYS[3], s)) or 0)
  redis.call('HDEL', KEYS[3], s)
end
if #old > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', horizon) end
if total < 0 then total = 0 end
if srate ~= rate then tat = math.ceil(tat * rate / srate) end
if now - base > 30 * 86400000 then
  local shift = now - base - 86400000
  tat = math.max(0, tat - shift * rate)
  base = base + shift
end
local unit = 1000
local tu = (now - base) * rate
local granted, daily, retry = 0, 0, 0
while granted < wanted do
  if total + 1 > max24 then
    daily = 1
    local need, freed, cursor = total + 1 - max24, 0, 0
    retry = -1
    while retry < 0 do
      local chunk = redis.call('ZRANGE', KEYS[2], cursor, cursor + 999)
      if #chunk == 0 then retry = 1000 break end
      for _, s in ipairs(chunk) do
        freed = freed + (tonumber(redis.call('HGET', KEYS[3], s)) or 0)
        if freed >= need then retry = math.max(1, (tonumber(s) + 86400) * 1000 - now) break end
      end
      cursor = cursor + 1000
    end
    break
  end
  local start = math.max(tat, tu)
  if start + unit > tu + burst * unit then
    retry = math.max(1, math.ceil((start + unit - burst * unit - tu) / rate))
    break
  end
  tat = start + unit
  total = total + 1
  granted = granted + 1
end
if ARGV[5] ~= '1' then
  if granted > 0 then
    redis.call('HINCRBY', KEYS[3], sec, granted)
    redis.call('ZADD', KEYS[2], sec, sec)
  end
  redis.call('HSET', KEYS[1], 'total', total, 'tat', tat, 'base', base, 'rate', rate)
end
return {granted, daily, retry, now, sec, total}
)lua";

// ARGV: n, second.
constexpr const char *kRelease = R"lua(
local sec, n = ARGV[2], tonumber(ARGV[1])
local have = tonumber(redis.call('HGET', KEYS[3], sec)) or 0
local back = math.min(have, n)
if back <= 0 then return 0 end
if have - back == 0 then
  redis.call('HDEL', KEYS[3], sec)
  redis.call('ZREM', KEYS[2], sec)
else
  redis.call('HINCRBY', KEYS[3], sec, -back)
end
redis.call('HINCRBY', KEYS[1], 'total', -back)
return back
)lua";

constexpr const char *kCount = R"lua(
local t = redis.call('TIME')
local horizon = tonumber(t[1]) - 86400
local total = tonumber(redis.call('HGET', KEYS[1], 'total')) or 0
local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', horizon)
for _, s in ipairs(old) do total = total - (tonumber(redis.call('HGET', KEYS[3], s)) or 0) end
return math.max(0, total)
)lua";

struct ReplyFree {
    void operator()(redisReply *r) const noexcept { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyFree>;

[[noreturn]] void redis_fail(const std::string &what) { fail(Status::store, "redis: " + what); }

bool parse_int(std::string_view s, int &out) {
    auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

}  // namespace

Result<RedisUrl> parse_redis_url(std::string_view url) {
    RedisUrl u;
    auto bad = [&](const std::string &why) { return Error{Status::config, "redis url \"" + std::string(url) + "\": " + why}; };
    if (url.rfind("redis://", 0) == 0) {
        url.remove_prefix(8);
    } else if (url.rfind("rediss://", 0) == 0) {
        u.tls = true;
        url.remove_prefix(9);
    } else {
        return bad("must start with redis:// or rediss://");
    }
    std::string_view rest = url;
    if (auto at = rest.rfind('@'); at != std::string_view::npos) {
        std::string_view cred = rest.substr(0, at);
        rest = rest.substr(at + 1);
        if (auto colon = cred.find(':'); colon != std::string_view::npos) {
            u.user = std::string(cred.substr(0, colon));
            u.password = std::string(cred.substr(colon + 1));
        } else {
            u.password = std::string(cred);
        }
    }
    std::string_view hostport = rest;
    if (auto slash = rest.find('/'); slash != std::string_view::npos) {
        hostport = rest.substr(0, slash);
        std::string_view db = rest.substr(slash + 1);
        if (!db.empty() && (!parse_int(db, u.db) || u.db < 0 || u.db > 15)) return bad("the database must be 0-15");
    }
    if (auto colon = hostport.rfind(':'); colon != std::string_view::npos && hostport.find(']') == std::string_view::npos) {
        if (!parse_int(hostport.substr(colon + 1), u.port) || u.port < 1 || u.port > 65535) return bad("bad port");
        hostport = hostport.substr(0, colon);
    }
    if (hostport.empty()) return bad("no host");
    if (hostport.find_first_of(" \t/?#") != std::string_view::npos) return bad("bad host");
    u.host = std::string(hostport);
    return u;
}

RedisLedger::RedisLedger(RedisOptions options) : options_(std::move(options)) {
    if (options_.url.tls) fail(Status::config, "redis: rediss:// (TLS) is not supported by this build");
}

RedisLedger::~RedisLedger() { drop(); }

void RedisLedger::drop() noexcept {
    if (ctx_ != nullptr) redisFree(ctx_);
    ctx_ = nullptr;
}

void RedisLedger::connect() {
    if (ctx_ != nullptr && pid_ != ::getpid()) {
        // Inherited across fork(): the socket is the parent's. Forget it
        // without a word on it (closing our copy of the descriptor is safe).
        redisFree(ctx_);
        ctx_ = nullptr;
    }
    if (ctx_ != nullptr) return;
    timeval ct{static_cast<time_t>(options_.connect_timeout_ms / 1000),
               static_cast<suseconds_t>((options_.connect_timeout_ms % 1000) * 1000)};
    redisContext *c = redisConnectWithTimeout(options_.url.host.c_str(), options_.url.port, ct);
    if (c == nullptr) redis_fail("out of memory");
    if (c->err != 0) {
        std::string why = c->errstr;
        redisFree(c);
        redis_fail("cannot connect to " + options_.url.host + ":" + std::to_string(options_.url.port) + ": " + why);
    }
    timeval cmd{static_cast<time_t>(options_.command_timeout_ms / 1000),
                static_cast<suseconds_t>((options_.command_timeout_ms % 1000) * 1000)};
    redisSetTimeout(c, cmd);
    ctx_ = c;
    pid_ = ::getpid();
    auto simple = [&](std::vector<std::string> argv, const char *what) {
        std::vector<const char *> p;
        std::vector<size_t> l;
        for (auto &a : argv) {
            p.push_back(a.data());
            l.push_back(a.size());
        }
        Reply r(static_cast<redisReply *>(redisCommandArgv(ctx_, static_cast<int>(p.size()), p.data(), l.data())));
        if (!r || r->type == REDIS_REPLY_ERROR) {
            std::string why = r ? std::string(r->str, r->len) : std::string(ctx_->errstr);
            drop();
            redis_fail(std::string(what) + ": " + why);
        }
    };
    if (!options_.url.password.empty()) {
        if (options_.url.user.empty()) simple({"AUTH", options_.url.password}, "AUTH");
        else simple({"AUTH", options_.url.user, options_.url.password}, "AUTH");
    }
    if (options_.url.db != 0) simple({"SELECT", std::to_string(options_.url.db)}, "SELECT");
}

redisReply *RedisLedger::run(const char *script, std::string &sha, std::string_view account, std::string_view region,
                             const std::vector<std::string> &args) {
    // Two attempts: a connection that broke (Redis restarted) is opened
    // again once; a script Redis forgot (NOSCRIPT) is loaded again.
    for (int attempt = 0; attempt < 2; ++attempt) {
        connect();
        if (sha.empty()) {
            Reply r(static_cast<redisReply *>(redisCommand(ctx_, "SCRIPT LOAD %s", script)));
            if (!r) {
                std::string why = ctx_->errstr;
                drop();
                if (attempt == 0) continue;
                redis_fail(why);
            }
            if (r->type != REDIS_REPLY_STRING) redis_fail("SCRIPT LOAD: " + std::string(r->str ? r->str : "?"));
            sha.assign(r->str, r->len);
        }
        std::string tag = "{" + std::string(account) + "/" + std::string(region) + "}";
        std::vector<std::string> argv = {"EVALSHA", sha, "3", options_.prefix + tag + ":state",
                                         options_.prefix + tag + ":seconds", options_.prefix + tag + ":counts"};
        argv.insert(argv.end(), args.begin(), args.end());
        std::vector<const char *> p;
        std::vector<size_t> l;
        for (auto &a : argv) {
            p.push_back(a.data());
            l.push_back(a.size());
        }
        auto *raw = static_cast<redisReply *>(redisCommandArgv(ctx_, static_cast<int>(p.size()), p.data(), l.data()));
        if (raw == nullptr) {
            // A timeout or a broken connection: the script may or may not
            // have run, so it is not run again (no reservation counted twice).
            std::string why = ctx_->errstr;
            drop();
            redis_fail(why.empty() ? "no reply" : why);
        }
        if (raw->type == REDIS_REPLY_ERROR && std::strncmp(raw->str, "NOSCRIPT", 8) == 0) {
            freeReplyObject(raw);
            sha.clear();
            continue;
        }
        if (raw->type == REDIS_REPLY_ERROR) {
            std::string why(raw->str, raw->len);
            freeReplyObject(raw);
            redis_fail(why);
        }
        return raw;
    }
    redis_fail("the script could not be loaded");
}

RedisLedger::Reservation RedisLedger::reserve(std::string_view account, std::string_view region, int64_t wanted,
                                              int64_t max_24h, int64_t max_rate, int64_t burst, bool dry_run) {
    Reply r(run(kReserve, reserve_sha_, account, region,
                {std::to_string(wanted), std::to_string(max_24h), std::to_string(max_rate), std::to_string(burst),
                 dry_run ? "1" : "0"}));
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 6) redis_fail("unexpected reply to the reservation");
    auto at = [&](size_t i) { return static_cast<int64_t>(r->element[i]->integer); };
    Reservation out;
    out.granted = at(0);
    out.daily = at(1) != 0;
    out.retry_ms = at(2);
    out.now_ms = at(3);
    out.second = at(4);
    out.sent_24h = at(5);
    return out;
}

void RedisLedger::release(std::string_view account, std::string_view region, int64_t n, int64_t second) {
    Reply r(run(kRelease, release_sha_, account, region, {std::to_string(n), std::to_string(second)}));
}

int64_t RedisLedger::sent_24h(std::string_view account, std::string_view region) {
    Reply r(run(kCount, count_sha_, account, region, {}));
    return r->type == REDIS_REPLY_INTEGER ? static_cast<int64_t>(r->integer) : 0;
}

}  // namespace presend
