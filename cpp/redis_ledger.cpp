#include "redis_ledger.hpp"

#include <hiredis/hiredis.h>

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace presend {

namespace {

// Every script starts with this prelude. KEYS: state (hash), seconds (sorted
// set of the seconds with sends), counts (hash: second -> recipients).
// ARGV[1]: the clock in ms ("" reads Redis TIME), ARGV[2..4]: the configured
// max_24h, max_rate and burst, ARGV[5]: "1" when the script may write.
//
// As in ledger.hpp, the window holds the 86,400 whole seconds up to the
// current one, and the rate is a GCRA counted in units of 1/rate ms (one
// recipient = 1000 units) - but from a base time kept with the state, so that
// every value stays an exact integer in Lua's doubles (below 2^53 for rates
// up to a million per second); the base moves forward after 30 days. The
// clock never goes back: a reading older than the last one is taken as the
// last one.
constexpr const char *kPrelude = R"lua(
local now
if ARGV[1] ~= '' then
  now = tonumber(ARGV[1])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local write = ARGV[5] == '1'
local st = redis.call('HMGET', KEYS[1], 'total', 'tat', 'base', 'rate', 'last', 'ses_max24', 'ses_rate', 'synced_at')
local last = tonumber(st[5]) or 0
if now < last then now = last end
local sec = math.floor(now / 1000)
local total = tonumber(st[1]) or 0
local tat = tonumber(st[2]) or 0
local base = tonumber(st[3]) or now
local srate = tonumber(st[4])
local ses24, sesrate, synced = tonumber(st[6]), tonumber(st[7]), tonumber(st[8])
local cfg24, cfgrate, cfgburst = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local max24, rate, burst
local function limits()
  max24 = ses24 or cfg24
  rate = math.max(1, sesrate or cfgrate)
  burst = cfgburst
  if sesrate and cfgrate > 0 then burst = math.max(1, math.floor(cfgburst * rate / cfgrate)) end
  -- tat * rate / srate rounded up (never earlier), exactly
  if srate and srate ~= rate and tat > 0 then
    local ms = math.floor(tat / srate)
    tat = ms * rate + math.ceil((tat - ms * srate) * rate / srate)
  end
  srate = rate
end
limits()
if now - base > 30 * 86400000 then
  local shift = now - base - 86400000
  tat = math.max(0, tat - shift * rate)
  base = base + shift
end
local unit = 1000
local tu = (now - base) * rate
local horizon = sec - 86400
local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', horizon)
for _, s in ipairs(old) do
  total = total - (tonumber(redis.call('HGET', KEYS[3], s)) or 0)
  if write then redis.call('HDEL', KEYS[3], s) end
end
if write and #old > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', horizon) end
if total < 0 then total = 0 end
-- Milliseconds until `need` counted sends have left the window; `pending`
-- sends of the current second are not stored yet.
local function daily_retry(need, pending)
  local freed, cursor = 0, 0
  while true do
    local chunk = redis.call('ZRANGE', KEYS[2], cursor, cursor + 999)
    if #chunk == 0 then break end
    for _, s in ipairs(chunk) do
      local n = tonumber(redis.call('HGET', KEYS[3], s)) or 0
      if tonumber(s) == sec then n = n + pending; pending = 0 end
      freed = freed + n
      if freed >= need then return (tonumber(s) + 86400) * 1000 - now end
    end
    cursor = cursor + 1000
  end
  return (sec + 86400) * 1000 - now
end
local function save()
  redis.call('HSET', KEYS[1], 'total', total, 'tat', tat, 'base', base, 'rate', rate, 'last', now)
end
local function count(n)
  if n > 0 then
    redis.call('HINCRBY', KEYS[3], sec, n)
    redis.call('ZADD', KEYS[2], sec, sec)
  end
end
local function status()
  local room = tu + burst * unit - math.max(tat, tu)
  local nxt = 0
  if total > 0 then nxt = daily_retry(1, 0) end
  return {now, total, max24, rate, burst, (ses24 or sesrate) and 1 or 0, synced or -1,
          math.max(0, math.floor(room / unit)), nxt}
end
)lua";

// ARGV[6]: wanted, ARGV[7]: "1" in monitor mode.
constexpr const char *kReserve = R"lua(
local wanted, monitor = tonumber(ARGV[6]), ARGV[7] == '1'
local granted, counted, daily, retry, refused = 0, 0, 0, 0, false
for _ = 1, wanted do
  if refused then
    counted = counted + 1
    total = total + 1
  else
    local daily_ok = total < max24
    local start = math.max(tat, tu)
    local rate_ok = start + unit <= tu + burst * unit
    if daily_ok and rate_ok then
      tat = start + unit
      total = total + 1
      granted = granted + 1
      counted = counted + 1
    else
      refused = true
      if not daily_ok then daily = 1 end
      local dw, rw = 0, 0
      if not daily_ok then dw = daily_retry(total - max24 + 1, counted) end
      if not rate_ok then rw = math.ceil((start + unit - burst * unit - tu) / rate) end
      retry = math.max(1, dw, rw)
      if not monitor then break end
      counted = counted + 1
      total = total + 1
    end
  end
end
if write then
  count(counted)
  save()
end
return {granted, counted, daily, retry, now, sec, total, max24, rate, burst, (ses24 or sesrate) and 1 or 0}
)lua";

// ARGV[6]: n, ARGV[7]: the second they were counted in.
constexpr const char *kRelease = R"lua(
local n, s = tonumber(ARGV[6]), ARGV[7]
if n <= 0 then return 0 end
local back = 0
if tonumber(s) > horizon then
  local have = tonumber(redis.call('HGET', KEYS[3], s)) or 0
  back = math.min(have, n)
  if back > 0 and have - back == 0 then
    redis.call('HDEL', KEYS[3], s)
    redis.call('ZREM', KEYS[2], s)
  elseif back > 0 then
    redis.call('HINCRBY', KEYS[3], s, -back)
  end
  total = math.max(0, total - back)
end
-- The rate cells come back too, but never before now.
tat = math.max(tu, tat - n * unit)
save()
return back
)lua";

constexpr const char *kStatus = R"lua(
return status()
)lua";

// ARGV[6..8]: SES's Max24HourSend, MaxSendRate and SentLast24Hours.
constexpr const char *kSync = R"lua(
local before, before24, beforerate = total, max24, rate
ses24, sesrate, synced = tonumber(ARGV[6]), math.max(1, tonumber(ARGV[7])), now
limits()
tu = (now - base) * rate
local added = math.max(0, tonumber(ARGV[8]) - total)
count(added)
total = total + added
save()
redis.call('HSET', KEYS[1], 'ses_max24', ses24, 'ses_rate', sesrate, 'synced_at', synced)
local out = {before, before24, beforerate, added}
for _, v in ipairs(status()) do out[#out + 1] = v end
return out
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

RedisLedger::RedisLedger(RedisOptions options, std::function<int64_t()> clock)
    : options_(std::move(options)), clock_(std::move(clock)) {
    if (options_.url.tls) {
        fail(Status::config, "redis: rediss:// (TLS) is not supported: the hiredis of this build has no TLS");
    }
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
        backoff_ms_ = 0;
    }
    if (ctx_ != nullptr) return;
    auto now = std::chrono::steady_clock::now();
    if (backoff_ms_ > 0 && now < retry_at_) {
        auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(retry_at_ - now).count();
        redis_fail(last_error_ + " (next attempt in " + std::to_string(wait) + " ms)");
    }
    // Every failure below waits longer before the next attempt.
    auto failed = [&](const std::string &why) {
        backoff_ms_ = backoff_ms_ == 0 ? 50 : std::min<int64_t>(backoff_ms_ * 2, 2000);
        retry_at_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(backoff_ms_);
        last_error_ = why;
        redis_fail(why);
    };
    ++attempts_;
    timeval ct{static_cast<time_t>(options_.connect_timeout_ms / 1000),
               static_cast<suseconds_t>((options_.connect_timeout_ms % 1000) * 1000)};
    redisContext *c = redisConnectWithTimeout(options_.url.host.c_str(), options_.url.port, ct);
    if (c == nullptr) failed("out of memory");
    if (c->err != 0) {
        std::string why = c->errstr;
        redisFree(c);
        failed("cannot connect to " + options_.url.host + ":" + std::to_string(options_.url.port) + ": " + why);
    }
    timeval cmd{static_cast<time_t>(options_.command_timeout_ms / 1000),
                static_cast<suseconds_t>((options_.command_timeout_ms % 1000) * 1000)};
    redisSetTimeout(c, cmd);
    ctx_ = c;
    pid_ = ::getpid();
    auto simple = [&](std::vector<std::string> argv, const char *what) {
        Reply r(command(argv));
        if (!r || r->type == REDIS_REPLY_ERROR) {
            std::string why = r ? std::string(r->str, r->len) : std::string(ctx_ ? ctx_->errstr : "no reply");
            drop();
            failed(std::string(what) + ": " + why);
        }
    };
    if (!options_.url.password.empty()) {
        if (options_.url.user.empty()) simple({"AUTH", options_.url.password}, "AUTH");
        else simple({"AUTH", options_.url.user, options_.url.password}, "AUTH");
    }
    if (options_.url.db != 0) simple({"SELECT", std::to_string(options_.url.db)}, "SELECT");
    backoff_ms_ = 0;
}

redisReply *RedisLedger::command(const std::vector<std::string> &argv) {
    std::vector<const char *> p;
    std::vector<size_t> l;
    p.reserve(argv.size());
    l.reserve(argv.size());
    for (const auto &a : argv) {
        p.push_back(a.data());
        l.push_back(a.size());
    }
    return static_cast<redisReply *>(redisCommandArgv(ctx_, static_cast<int>(p.size()), p.data(), l.data()));
}

redisReply *RedisLedger::run(const std::string &script, std::string &sha, std::string_view account,
                             std::string_view region, const RedisLimits &limits, bool write,
                             const std::vector<std::string> &args) {
    // Two attempts: a connection that broke (Redis restarted) is opened
    // again once; a script Redis forgot (NOSCRIPT) is loaded again.
    for (int attempt = 0; attempt < 2; ++attempt) {
        connect();
        if (sha.empty()) {
            Reply r(command({"SCRIPT", "LOAD", script}));
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
        std::vector<std::string> argv = {"EVALSHA",
                                         sha,
                                         "3",
                                         options_.prefix + tag + ":state",
                                         options_.prefix + tag + ":seconds",
                                         options_.prefix + tag + ":counts",
                                         clock_ ? std::to_string(clock_()) : std::string(),
                                         std::to_string(limits.max_24h),
                                         std::to_string(limits.max_rate),
                                         std::to_string(limits.burst),
                                         write ? "1" : "0"};
        argv.insert(argv.end(), args.begin(), args.end());
        auto *raw = command(argv);
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

namespace {

int64_t element(const redisReply *r, size_t i) {
    if (r->type != REDIS_REPLY_ARRAY || i >= r->elements || r->element[i]->type != REDIS_REPLY_INTEGER) {
        redis_fail("unexpected reply from the ledger script");
    }
    return static_cast<int64_t>(r->element[i]->integer);
}

RedisLedger::Usage status_from(const redisReply *r, size_t at) {
    RedisLedger::Usage s;
    s.now_ms = element(r, at);
    s.sent_24h = element(r, at + 1);
    s.limits = {element(r, at + 2), element(r, at + 3), element(r, at + 4)};
    s.from_ses = element(r, at + 5) != 0;
    if (int64_t synced = element(r, at + 6); synced >= 0) s.synced_at = synced;
    s.rate_available = element(r, at + 7);
    s.next_release_ms = element(r, at + 8);
    return s;
}

std::string script(const char *body) { return std::string(kPrelude) + body; }

}  // namespace

RedisLedger::Reservation RedisLedger::reserve(std::string_view account, std::string_view region,
                                              const RedisLimits &limits, int64_t wanted, bool dry_run, bool monitor) {
    static const std::string kScript = script(kReserve);
    Reply r(run(kScript, reserve_sha_, account, region, limits, !dry_run,
                {std::to_string(wanted), monitor ? "1" : "0"}));
    Reservation out;
    out.granted = element(r.get(), 0);
    out.counted = element(r.get(), 1);
    out.daily = element(r.get(), 2) != 0;
    out.retry_ms = element(r.get(), 3);
    out.now_ms = element(r.get(), 4);
    out.second = element(r.get(), 5);
    out.sent_24h = element(r.get(), 6);
    out.limits = {element(r.get(), 7), element(r.get(), 8), element(r.get(), 9)};
    out.from_ses = element(r.get(), 10) != 0;
    return out;
}

void RedisLedger::release(std::string_view account, std::string_view region, const RedisLimits &limits, int64_t n,
                          int64_t second) {
    static const std::string kScript = script(kRelease);
    Reply r(run(kScript, release_sha_, account, region, limits, true, {std::to_string(n), std::to_string(second)}));
}

RedisLedger::Usage RedisLedger::status(std::string_view account, std::string_view region, const RedisLimits &limits) {
    static const std::string kScript = script(kStatus);
    Reply r(run(kScript, status_sha_, account, region, limits, false, {}));
    return status_from(r.get(), 0);
}

RedisLedger::Sync RedisLedger::sync(std::string_view account, std::string_view region, const RedisLimits &limits,
                                    int64_t ses_max_24h, int64_t ses_max_rate, int64_t ses_sent_24h) {
    static const std::string kScript = script(kSync);
    Reply r(run(kScript, sync_sha_, account, region, limits, true,
                {std::to_string(ses_max_24h), std::to_string(ses_max_rate), std::to_string(ses_sent_24h)}));
    Sync out;
    out.sent_before = element(r.get(), 0);
    out.limits_before = {element(r.get(), 1), element(r.get(), 2), 0};
    out.added = element(r.get(), 3);
    out.after = status_from(r.get(), 4);
    return out;
}

std::string RedisLedger::publish(std::string_view origin, std::string_view kind, std::string_view body, int64_t keep) {
    connect();
    Reply r(command({"XADD", options_.prefix + "changes", "MAXLEN", "~", std::to_string(keep), "*", "origin",
                     std::string(origin), "kind", std::string(kind), "body", std::string(body)}));
    if (!r) {
        // Not sent again after no reply: the caller keeps the change and
        // publishes it later (applying a change twice is harmless).
        std::string why = ctx_->errstr;
        drop();
        redis_fail(why.empty() ? "no reply" : why);
    }
    if (r->type != REDIS_REPLY_STRING) redis_fail("XADD: " + std::string(r->str ? r->str : "unexpected reply"));
    return std::string(r->str, r->len);
}

std::vector<RedisLedger::Change> RedisLedger::changes_after(std::string_view after, int64_t count) {
    connect();
    Reply r(command({"XREAD", "COUNT", std::to_string(count), "STREAMS", options_.prefix + "changes",
                     std::string(after)}));
    if (!r) {
        std::string why = ctx_->errstr;
        drop();
        redis_fail(why.empty() ? "no reply" : why);
    }
    std::vector<Change> out;
    if (r->type == REDIS_REPLY_NIL) return out;
    if (r->type == REDIS_REPLY_ERROR) redis_fail("XREAD: " + std::string(r->str, r->len));
    // [[stream, [[id, [field, value, ...]], ...]]]
    auto bad = [] { redis_fail("unexpected reply to XREAD"); };
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 1) bad();
    const redisReply *stream = r->element[0];
    if (stream->type != REDIS_REPLY_ARRAY || stream->elements != 2 || stream->element[1]->type != REDIS_REPLY_ARRAY) bad();
    const redisReply *entries = stream->element[1];
    for (size_t i = 0; i < entries->elements; ++i) {
        const redisReply *e = entries->element[i];
        if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 || e->element[0]->type != REDIS_REPLY_STRING ||
            e->element[1]->type != REDIS_REPLY_ARRAY) {
            bad();
        }
        Change c;
        c.id.assign(e->element[0]->str, e->element[0]->len);
        const redisReply *f = e->element[1];
        for (size_t k = 0; k + 1 < f->elements; k += 2) {
            if (f->element[k]->type != REDIS_REPLY_STRING || f->element[k + 1]->type != REDIS_REPLY_STRING) bad();
            std::string_view name(f->element[k]->str, f->element[k]->len);
            std::string value(f->element[k + 1]->str, f->element[k + 1]->len);
            if (name == "origin") c.origin = std::move(value);
            else if (name == "kind") c.kind = std::move(value);
            else if (name == "body") c.body = std::move(value);
        }
        out.push_back(std::move(c));
    }
    return out;
}

}  // namespace presend
