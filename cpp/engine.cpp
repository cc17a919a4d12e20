#include "engine.hpp"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <set>

#include <xxhash.h>

#include "consent_import.hpp"
#include "dns_system.hpp"
#include "json.hpp"
#include "ledger.hpp"
#include "presend_limits.hpp"
#include "text.hpp"

namespace presend {

// --- fork() -----------------------------------------------------------------
//
// SQLite connections must not cross fork(): the child inherits the parent's
// file descriptors but not its POSIX locks, and SQLite's per-process lock
// bookkeeping would then be wrong in the child. So, process-wide (the one
// piece of global state in presend, because fork is process-wide):
//  - before fork, every engine waits until no other thread is using one of
//    its connections (a check in progress holds SQLite's mutexes and locks,
//    which the child would inherit held, with nobody there to release them:
//    it would deadlock, or wait on locks forever), then closes its idle
//    connections and its checkpoint thread's, so that the child inherits no
//    SQLite state at all (an open connection would make SQLite in the child
//    believe it already holds the file's locks, and take no real ones);
//  - in the child, any connection still inherited (one the forking thread
//    itself held, forking from a callback) is abandoned, never used or
//    closed, and new ones are opened on demand.
// The pool also compares getpid() on every acquire, for forks that bypass
// pthread_atfork (a raw clone, a vfork child that goes on).

namespace {

std::mutex &registry_mu() {
    static std::mutex mu;
    return mu;
}
std::set<Engine *> &registry() {
    static std::set<Engine *> engines;
    return engines;
}

void atfork_prepare() {
    registry_mu().lock();
    for (Engine *e : registry()) e->before_fork();
}
void atfork_parent() {
    for (Engine *e : registry()) e->after_fork_parent();
    registry_mu().unlock();
}
void atfork_child() {
    for (Engine *e : registry()) e->after_fork_child();
    registry_mu().unlock();
}

void register_engine(Engine *e) {
    static std::once_flag once;
    std::call_once(once, [] { pthread_atfork(atfork_prepare, atfork_parent, atfork_child); });
    std::lock_guard lock(registry_mu());
    registry().insert(e);
}

void unregister_engine(Engine *e) {
    std::lock_guard lock(registry_mu());
    registry().erase(e);
}

int64_t system_clock_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

constexpr size_t kMaxIdleConnections = 16;

// The quota step's sandbox rule: true when the recipient must not be
// counted (an unverified recipient of a sandbox account, enforced).
bool sandbox_refuses(CheckContext &ctx, const AccountConfig &account, size_t i) {
    const auto &r = ctx.decision.recipients[i];
    if (account.tier != Tier::sandbox || sandbox_verified(account, r.address, r.domain)) return false;
    ctx.add(i, reason("quota.sandbox_unverified"),
            "account \"" + account.name + "\" is in the SES sandbox and " + r.address + " is not a verified recipient");
    return ctx.mode == Mode::enforce;
}

}  // namespace

ConnectionPool::~ConnectionPool() {
    std::lock_guard lock(mu_);
    if (pid_ != ::getpid()) forget_inherited_locked();
    idle_.clear();
}

void ConnectionPool::forget_inherited_locked() noexcept {
    for (auto &c : idle_) c->abandon();
    idle_.clear();
    holders_.clear();  // threads of the parent
    if (forking_) {
        (void)returned_.release();  // see holders_
        returned_ = std::make_unique<std::condition_variable>();
        forking_ = false;
    }
    ++generation_;
    pid_ = ::getpid();
}

ConnectionPool::Lease ConnectionPool::acquire() {
    std::unique_ptr<Conn> conn;
    uint64_t generation = 0;
    const auto self = std::this_thread::get_id();
    {
        std::unique_lock lock(mu_);
        if (pid_ != ::getpid()) forget_inherited_locked();
        // give_back() is noexcept and must not allocate: out of memory, a
        // growing idle_ would throw std::bad_alloc there and terminate the
        // process. The room is made here, where a failure is reported.
        if (idle_.capacity() < kMaxIdleConnections) idle_.reserve(kMaxIdleConnections);
        // A fork waiting for connections to come back goes first (a thread
        // that already holds one may take another: the fork waits for both).
        if (std::find(holders_.begin(), holders_.end(), self) == holders_.end()) {
            returned_->wait(lock, [this] { return !forking_; });
        }
        generation = generation_;
        holders_.push_back(self);
        if (!idle_.empty()) {
            conn = std::move(idle_.back());
            idle_.pop_back();
        }
    }
    if (!conn) {
        try {
            conn = std::make_unique<Conn>(options_);
            if (on_open_) on_open_(*conn);
        } catch (...) {
            conn.reset();
            give_back(nullptr, generation);
            throw;
        }
    }
    return Lease(*this, std::move(conn), generation);
}

void ConnectionPool::give_back(std::unique_ptr<Conn> conn, uint64_t generation) noexcept {
    std::unique_lock lock(mu_);
    if (conn && (generation != generation_ || pid_ != ::getpid())) {
        // Opened before a fork, returned in the child: never reuse or close it.
        conn->abandon();
        conn.reset();
    }
    // A transaction left open (its ROLLBACK failed: SQLite was out of memory)
    // would keep its locks, blocking other processes' writes, and fail every
    // later BEGIN on this connection. End it; failing that, close the
    // connection, which ends it.
    if (conn && !conn->db().end_open_transaction()) {
        lock.unlock();
        conn.reset();
        lock.lock();
    }
    if (conn && idle_.size() < kMaxIdleConnections) {
        idle_.push_back(std::move(conn));
    } else if (conn) {
        lock.unlock();
        conn.reset();  // closed before the fork waiting for it may go on
        lock.lock();
    }
    auto it = std::find(holders_.begin(), holders_.end(), std::this_thread::get_id());
    if (it != holders_.end()) holders_.erase(it);
    if (forking_) returned_->notify_all();
}

void ConnectionPool::before_fork() {
    std::unique_lock lock(mu_);
    // Wait until the connections other threads hold are back (the forking
    // thread's own, when it forks from a callback, cannot be waited for).
    forking_ = true;
    const auto self = std::this_thread::get_id();
    returned_->wait(lock, [&] {
        return std::all_of(holders_.begin(), holders_.end(), [&](std::thread::id t) { return t == self; });
    });
    idle_.clear();     // closes them, in the parent, before the child could inherit them
    lock.release();    // held until after the fork
}

void ConnectionPool::after_fork_parent() {
    forking_ = false;
    mu_.unlock();
    returned_->notify_all();
}

void ConnectionPool::after_fork_child() {
    forget_inherited_locked();
    mu_.unlock();
}

// --- opening ------------------------------------------------------------------

Engine::Engine(Config config, EngineOptions options, StoreOptions store)
    : config_(std::move(config)),
      options_(std::move(options)),
      pool_(store,
            [this, read_only = store.read_only](Conn &c) {
                if (!read_only) Checkpointer::attach(c, &checkpointer_);
            }),
      checkpointer_(std::make_unique<Checkpointer>(store)),
      checks_(builtin_checks()) {
    if (getrandom(id_seed_, sizeof id_seed_, 0) != static_cast<ssize_t>(sizeof id_seed_)) {
        // getrandom cannot fail for 16 bytes once the pool is initialized;
        // fall back to something unique per process and time anyway.
        id_seed_[0] = static_cast<uint64_t>(::getpid()) ^ static_cast<uint64_t>(system_clock_ms());
        id_seed_[1] = reinterpret_cast<uintptr_t>(this);
    }
}

std::unique_ptr<Engine> Engine::open(Config config, EngineOptions options) {
    StoreOptions store;
    store.path = !options.store_path.empty() ? options.store_path
                                              : (!config.store.empty() ? config.store : std::string("presend.db"));
    store.read_only = options.read_only;
    store.durability = config.durability;
    store.busy_timeout_ms = config.busy_timeout_ms;
    std::shared_ptr<Resolver> resolver = options.resolver;
    if (!resolver && config.dns.resolver == "fixture") {
        auto z = FixtureResolver::from_file(config.dns.zone);
        if (!z) {
            Error err = std::move(z).error();
            fail(err.status == Status::io ? Status::io : Status::config, "dns.zone: " + err.message);
        }
        resolver = std::shared_ptr<Resolver>(std::move(*z));
    } else if (!resolver) {
        SystemResolverOptions so;
        so.timeout_ms = config.dns.timeout_ms;
        so.attempts = static_cast<int>(config.dns.attempts);
        for (const auto &ns : config.dns.nameservers) {
            Nameserver n;
            auto colon = ns.rfind(':');
            n.address = colon == std::string::npos ? ns : ns.substr(0, colon);
            if (colon != std::string::npos) {
                int port = std::atoi(ns.c_str() + colon + 1);
                if (port <= 0 || port > 65535) fail(Status::config, "dns.nameservers: bad port in \"" + ns + "\"");
                n.port = static_cast<uint16_t>(port);
            }
            so.nameservers.push_back(std::move(n));
        }
        resolver = std::make_shared<SystemResolver>(std::move(so));
    }
    options.resolver = resolver;
    // Plugins first: one that fails to load or init stops the open.
    std::vector<std::shared_ptr<LoadedPlugin>> plugins;
    for (const auto &pc : config.plugins) {
        plugins.push_back(LoadedPlugin::load(pc, config.plugin_dirs));
        for (size_t i = 0; i + 1 < plugins.size(); ++i) {
            if (plugins[i]->prefix() == plugins.back()->prefix()) {
                fail(Status::plugin, "plugins \"" + plugins[i]->name() + "\" and \"" + pc.name +
                                         "\" both report reasons under \"" + plugins.back()->prefix() + ".\"");
            }
        }
    }
    std::unique_ptr<Engine> e(new Engine(std::move(config), std::move(options), store));
    register_engine(e.get());  // before its first connection: a fork from another thread waits for it
    e->resolver_ = std::move(resolver);
#ifdef PRESEND_HAVE_REDIS
    if (e->config_.ledger_backend == "redis") {
        RedisOptions ro;
        auto u = parse_redis_url(e->config_.redis.url);
        if (!u) throw Failure{std::move(u).error()};
        ro.url = *u;
        ro.connect_timeout_ms = e->config_.redis.connect_timeout_ms;
        ro.command_timeout_ms = e->config_.redis.command_timeout_ms;
        ro.prefix = e->config_.redis.prefix;
        std::function<int64_t()> clock;
        if (e->options_.clock != nullptr) clock = [engine = e.get()] { return engine->clock_ms(); };
        e->redis_ = std::make_unique<RedisLedger>(std::move(ro), std::move(clock));
    }
#endif
    e->plugins_ = std::move(plugins);
    // Plugins run after the built-in checks, as checks like them.
    for (const auto &p : e->plugins_) e->checks_.push_back(std::make_unique<PluginCheck>(p, e->config_));
    {
        auto lease = e->pool_.acquire();
        if (!store.read_only && lease->db().readonly()) {
            fail(Status::readonly, "store \"" + store.path +
                                       "\" is read-only (file or directory permissions): it can only be "
                                       "opened for reading and dry-run checks");
        }
        prepare_schema(*lease, store.read_only);
#ifdef PRESEND_HAVE_REDIS
        e->fleet_open(*lease);
#endif
        e->audit_key_ = audit_key_from_config(e->config_.audit);
        if (e->audit_key_.source.empty()) e->audit_key_ = audit_key_from_store(*lease, store.read_only);
        if (!store.read_only) e->record_configuration(*lease);
    }
    return e;
}

Engine::~Engine() { unregister_engine(this); }

std::string Engine::reasons_json() const {
    std::string out;
    JsonWriter w(out);
    w.begin_array();
    auto one = [&](const ReasonDef &r, std::string_view source) {
        w.begin_object();
        w.field("code", r.code);
        w.field("severity", severity_name(r.severity));
        w.field("check", r.check);
        w.field("description", r.description);
        w.field("source", source);
        w.end_object();
    };
    for (const auto &r : all_reasons()) one(r, "presend");
    for (const auto &p : plugins_) {
        for (const ReasonDef *r : p->reasons()) one(*r, "plugin " + p->name() + " " + p->version());
    }
    w.end_array();
    return out;
}

void Engine::before_fork() {
    pool_.before_fork();
    checkpointer_->before_fork();
    errors_mu_.lock();  // the child must not inherit it held by another thread
}

void Engine::after_fork_parent() {
    errors_mu_.unlock();
    checkpointer_->after_fork_parent();
    pool_.after_fork_parent();
}

void Engine::after_fork_child() {
    errors_mu_.unlock();
    // The parent's checkpointer (its thread) does not exist for the child:
    // leak it untouched and start afresh.
    checkpointer_->after_fork_child();
    (void)checkpointer_.release();
    checkpointer_ = std::make_unique<Checkpointer>(pool_.options());
    pool_.after_fork_child();
}

// --- errors ---------------------------------------------------------------------

void Engine::set_error(std::string message) {
    std::lock_guard lock(errors_mu_);
    errors_[std::this_thread::get_id()] = std::move(message);
}

const char *Engine::error_text() const {
    std::lock_guard lock(errors_mu_);
    auto it = errors_.find(std::this_thread::get_id());
    return it == errors_.end() ? "" : it->second.c_str();
}

int64_t Engine::clock_ms() const {
    return options_.clock != nullptr ? options_.clock(options_.clock_user_data) : system_clock_ms();
}

std::string Engine::normalize(std::string_view address) const {
    auto n = normalize_address(address, config_.address);
    if (!n) fail(Status::parse, "invalid address \"" + std::string(address) + "\": " + n.error().message);
    return std::move(*n);
}

void Engine::require_writable() const {
    if (options_.read_only) fail(Status::readonly, "the engine was opened read-only");
}

// --- checking -------------------------------------------------------------------

std::string Engine::new_id(int64_t now_ms) {
    // UUIDv7: 48 bits of Unix milliseconds, then 74 random bits, so that
    // stored decisions sort by time.
    uint64_t counter = id_counter_.fetch_add(1, std::memory_order_relaxed);
    struct {
        uint64_t seed[2];
        uint64_t counter;
        int64_t now;
        pid_t pid;
    } input{{id_seed_[0], id_seed_[1]}, counter, now_ms, ::getpid()};
    XXH128_hash_t h = XXH3_128bits(&input, sizeof input);
    uint8_t b[16];
    auto ms = static_cast<uint64_t>(std::max<int64_t>(now_ms, 0));
    for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(ms >> (40 - 8 * i));
    for (int i = 0; i < 8; ++i) b[6 + i] = static_cast<uint8_t>(h.high64 >> (8 * i));
    b[14] = static_cast<uint8_t>(h.low64);
    b[15] = static_cast<uint8_t>(h.low64 >> 8);
    b[6] = static_cast<uint8_t>(0x70 | (b[6] & 0x0f));
    b[8] = static_cast<uint8_t>(0x80 | (b[8] & 0x3f));
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
        out.push_back(kHex[b[i] >> 4]);
        out.push_back(kHex[b[i] & 15]);
    }
    return out;
}

#ifdef PRESEND_HAVE_REDIS
// Fleet mode's quota step: the recipients still allowed are counted on Redis
// in one atomic reservation, in order; those it refuses are deferred with the
// same reasons and retry times as the SQLite ledger gives. Redis failing
// throws Failure(store): the caller defers (engine.unavailable) or, with
// fail_open, allows.
void Engine::redis_quota_step(CheckContext &ctx, const Message &m, Decision &d, const Resolved &res, bool writable,
                              int64_t &reserved, int64_t &second) {
    ctx.mode = config_.quota.mode;
    std::vector<size_t> wanted;
    for (size_t i = 0; i < d.recipients.size(); ++i) {
        if (!ctx.still_allowed(i) || sandbox_refuses(ctx, *res.account, i)) continue;
        wanted.push_back(i);
    }
    RedisLedger::Reservation r;
    try {
        std::lock_guard lock(redis_mu_);
        r = redis_->reserve(m.account, m.region, redis_limits(*res.limits), static_cast<int64_t>(wanted.size()),
                            !writable, ctx.mode == Mode::monitor);
    } catch (const Failure &f) {
        // Fail closed: the caller defers the whole message. With fail_open
        // only the quota goes unchecked; consent and suppressions held.
        if (!config_.fail_open || f.error.status != Status::store) throw;
        note_unavailable(d, "the shared quota could not be reserved: " + f.error.message);
        reserved = 0;
        second = 0;
        return;
    }
    if (writable) {
        std::lock_guard lock(redis_mu_);
        redis_counts_[m.account + "/" + m.region] = r.sent_24h;
    }
    // The shared ledger's clock orders the fleet's decisions.
    d.created_at = r.now_ms;
    d.id = new_id(r.now_ms);
    const RedisLimits &lim = r.limits;
    for (size_t k = static_cast<size_t>(r.granted); k < wanted.size(); ++k) {
        int64_t before = r.sent_24h - (r.counted - r.granted);  // the count when the first was refused
        std::string detail = r.daily ? std::to_string(before) + " of " + std::to_string(lim.max_24h) +
                                           " recipients sent in the last 24 hours for " + m.account + "/" + m.region +
                                           " (shared ledger)"
                                     : "the rate of " + std::to_string(lim.max_rate) + " recipients per second (burst " +
                                           std::to_string(lim.burst) + ") is used for " + m.account + "/" + m.region +
                                           " (shared ledger)";
        ctx.add(wanted[k], reason(r.daily ? "quota.daily_exhausted" : "quota.rate_exceeded"), std::move(detail), r.retry_ms);
    }
    if (lim.max_24h > 0 &&
        static_cast<double>(r.sent_24h) >= config_.quota.approaching_ratio * static_cast<double>(lim.max_24h)) {
        Mode saved = ctx.mode;
        ctx.mode = Mode::enforce;  // information never changes a verdict
        ctx.add_message(reason("quota.approaching"), std::to_string(r.sent_24h) + " of " + std::to_string(lim.max_24h) +
                                                         " recipients in the last 24 hours (shared ledger)");
        ctx.mode = saved;
    }
    QuotaSnapshot q;
    q.account = m.account;
    q.region = m.region;
    q.tier = res.account->tier;
    q.sent_24h = r.sent_24h;
    q.max_24h = lim.max_24h;
    q.max_rate = lim.max_rate;
    q.burst = lim.burst;
    d.quota = q;
    reserved = writable ? r.counted : 0;
    second = r.second;
}
int64_t Engine::redis_last_count(const std::string &account, const std::string &region) {
    std::lock_guard lock(redis_mu_);
    auto it = redis_counts_.find(account + "/" + region);
    return it == redis_counts_.end() ? 0 : it->second;
}

RedisLimits Engine::redis_limits(const RegionLimits &l) { return RedisLimits{l.max_24h, l.max_rate, l.burst}; }
#endif

Engine::Resolved Engine::resolve(const Message &m) const {
    Resolved r;
    r.account = &config_.accounts.at(m.account);
    r.limits = &r.account->regions.at(m.region);
    return r;
}

std::unique_ptr<Decision> Engine::new_decision(const Message &m, bool dry_run, int64_t now_ms) {
    auto d = std::make_unique<Decision>();
    if (now_ms > 0) d->id = new_id(now_ms);
    d->created_at = now_ms;
    d->dry_run = dry_run;
    d->account = m.account;
    d->region = m.region;
    d->stream = m.stream;
    d->list = m.list;
    d->message_id = m.message_id;
    return d;
}

namespace {

std::string codes_of(const std::vector<Finding> &findings) {
    std::string out;
    for (const auto &f : findings) {
        if (!out.empty()) out.push_back(' ');
        out += f.def->code;
    }
    return out;
}

void write_codes(JsonWriter &w, const std::vector<Finding> &findings) {
    w.begin_array();
    for (const auto &f : findings) w.value(f.def->code);
    w.end_array();
}

// The decision's rows, its audit record and its sends for the reputation
// guard, in the caller's write transaction.
void store_decision(const Engine &e, Conn &c, const Decision &d, int64_t reserved, int64_t reserved_second) {
    static constexpr const char *kDecision =
        "INSERT INTO decision(id, created_at, account, region, stream, list, message_id, verdict, retry_after_ms, "
        "reasons, reserved, reserved_second) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
    static constexpr const char *kRecipient =
        "INSERT INTO decision_recipient(decision_id, idx, address, verdict, reasons, consent, evidence) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    {
        Use s(c.stmt(kDecision));
        s->bind(1, d.id).bind(2, d.created_at).bind(3, d.account).bind(4, d.region).bind(5, stream_name(d.stream));
        s->bind_text_or_null(6, d.list).bind_text_or_null(7, d.message_id).bind(8, verdict_name(d.verdict));
        s->bind(9, d.retry_after_ms).bind_text_or_null(10, codes_of(d.reasons)).bind(11, reserved);
        if (reserved > 0) s->bind(12, reserved_second);
        s->run();
    }
    std::vector<std::string> kept(d.recipients.size());
    {
        Use s(c.stmt(kRecipient));
        for (size_t i = 0; i < d.recipients.size(); ++i) {
            const auto &r = d.recipients[i];
            kept[i] = e.history_address(r.address);
            s->reset();
            s->bind(1, d.id).bind(2, static_cast<int64_t>(i)).bind(3, kept[i]).bind(4, verdict_name(r.verdict));
            s->bind_text_or_null(5, codes_of(r.reasons)).bind_text_or_null(6, r.consent_basis);
            if (r.consent_basis.empty()) s->bind_null(7);
            else s->bind(7, int64_t{r.consent_evidence ? 1 : 0});
            s->run();
        }
    }
    std::string content;
    JsonWriter w(content);
    w.begin_object();
    w.field("id", d.id).field("account", d.account).field("region", d.region).field("stream", stream_name(d.stream));
    w.key("list");
    if (d.list.empty()) w.null();
    else w.value(d.list);
    w.key("message_id");
    if (d.message_id.empty()) w.null();
    else w.value(d.message_id);
    w.field("verdict", verdict_name(d.verdict)).field("retry_after_ms", d.retry_after_ms).field("reserved", reserved);
    w.key("reasons");
    write_codes(w, d.reasons);
    w.key("recipients").begin_array();
    for (size_t i = 0; i < d.recipients.size(); ++i) {
        w.begin_object().field("address", kept[i]).field("verdict", verdict_name(d.recipients[i].verdict));
        w.key("reasons");
        write_codes(w, d.recipients[i].reasons);
        w.end_object();
    }
    w.end_array().end_object();
    e.audit(c, d.created_at, "decision", content);
    if (reserved > 0) reputation_add(c, d.account, d.region, d.created_at, ReputationCounts{reserved, 0, 0, 0});
}

void log_sends(const Engine &e, Conn &c, const Decision &d, int64_t forget_before) {
    for (const auto &r : d.recipients) {
        if (r.verdict == Verdict::allow && r.valid) {
            send_log_add(c, e.history_address(r.address), d.list, d.created_at, d.id, forget_before);
        }
    }
}

}  // namespace

void Engine::run_checks(CheckContext &ctx, bool ledger_checks) const {
    for (const auto &check : checks_) {
        if (check->reads_ledger() != ledger_checks) continue;
        Mode mode = check->mode(config_);
        if (mode == Mode::off) continue;
        ctx.mode = mode;
        check->run(ctx);
    }
}

void Engine::evaluate(Conn &c, const Message &m, Decision &d, const ParsedRecipients &parsed, bool writable,
                      Phase phase) {
    Resolved res = resolve(m);
    // The clock is read here, inside the transaction (under the write lock
    // for the locked part of a real check), and corrected by the ledger so
    // that it never goes back.
    // In fleet mode the window is Redis's: the local one is only read.
    bool shared = false;
#ifdef PRESEND_HAVE_REDIS
    shared = redis_ != nullptr;
#endif
    QuotaWindow window = QuotaWindow::load(c, m.account, m.region, *res.limits, clock_ms(),
                                           writable && phase != Phase::unlocked && !shared);
    int64_t now = window.now_ms();
    SqliteStoreView view(c, config_.audit.addresses == AddressForm::hashed
                                ? std::function<std::string(std::string_view)>(
                                      [this](std::string_view a) { return history_address(a); })
                                : nullptr);
    CheckContext ctx{config_, *res.account, m, d, view, parsed, now};
    ctx.sent_24h = window.sent_24h();
#ifdef PRESEND_HAVE_REDIS
    if (shared) ctx.sent_24h = redis_last_count(m.account, m.region);
#endif
    if (phase != Phase::locked) run_checks(ctx, false);
    if (phase == Phase::unlocked) return;

    d.created_at = now;
    d.id = new_id(now);  // time-ordered by the ledger's clock
    run_checks(ctx, true);

    // The quota step: the only writer, and the last step, so that it counts
    // exactly the recipients that will be sent to.
#ifdef PRESEND_HAVE_REDIS
    if (redis_ && config_.quota.mode != Mode::off) {
        int64_t reserved = 0, second = 0;
        redis_quota_step(ctx, m, d, res, writable, reserved, second);
        d.settle();
        if (writable) {
            store_decision(*this, c, d, reserved, second);
            if (config_.frequency.mode != Mode::off && d.stream == Stream::marketing) {
                log_sends(*this, c, d, now - config_.frequency.period_ms);
            }
        }
        return;
    }
#endif
    if (config_.quota.mode != Mode::off) {
        ctx.mode = config_.quota.mode;
        bool exhausted = false;
        QuotaWindow::Take refusal;
        for (size_t i = 0; i < d.recipients.size(); ++i) {
            if (!ctx.still_allowed(i) || sandbox_refuses(ctx, *res.account, i)) continue;
            // Once one recipient is refused, the rest are too, with the same
            // retry time: nothing changes within this transaction.
            QuotaWindow::Take t = exhausted ? refusal : window.take_one(c);
            if (t.ok) continue;
            exhausted = true;
            refusal = t;
            const auto &lim = window.limits();
            std::string detail =
                t.daily ? std::to_string(window.sent_24h()) + " of " + std::to_string(lim.max_24h) +
                              " recipients sent in the last 24 hours for " + m.account + "/" + m.region
                        : "the rate of " + std::to_string(lim.max_rate) + " recipients per second (burst " +
                              std::to_string(lim.burst) + ") is used for " + m.account + "/" + m.region;
            ctx.add(i, reason(t.daily ? "quota.daily_exhausted" : "quota.rate_exceeded"), std::move(detail), t.retry_ms);
            if (ctx.mode != Mode::enforce) window.add_external(1);  // monitor: it will be sent, so count it
        }
        const auto &lim = window.limits();
        if (lim.max_24h > 0 &&
            static_cast<double>(window.sent_24h()) >= config_.quota.approaching_ratio * static_cast<double>(lim.max_24h)) {
            Mode saved = ctx.mode;
            ctx.mode = Mode::enforce;  // information never changes a verdict
            ctx.add_message(reason("quota.approaching"),
                            std::to_string(window.sent_24h()) + " of " + std::to_string(lim.max_24h) +
                                " recipients in the last 24 hours");
            ctx.mode = saved;
        }
        QuotaSnapshot q;
        q.account = m.account;
        q.region = m.region;
        q.tier = res.account->tier;
        q.sent_24h = window.sent_24h();
        q.max_24h = lim.max_24h;
        q.max_rate = lim.max_rate;
        q.burst = lim.burst;
        d.quota = q;
    }
    d.settle();

    if (writable) {
        int64_t reserved = window.pending();
        int64_t second = window.current_second();
        window.save(c);
        store_decision(*this, c, d, reserved, second);
        if (config_.frequency.mode != Mode::off && d.stream == Stream::marketing) {
            log_sends(*this, c, d, now - config_.frequency.period_ms);
        }
    }
}

void Engine::note_unavailable(Decision &d, const std::string &why) const {
    Finding f;
    f.def = &reason("engine.unavailable");
    f.enforced = false;
    f.retry_after_ms = config_.unavailable_retry_ms;
    f.message = why + " (fail_open is set: the rest of the check went on)";
    d.reasons.push_back(std::move(f));
}

std::unique_ptr<Decision> Engine::unavailable(const Message &m, bool dry_run, const Error &why) {
    auto d = new_decision(m, dry_run, clock_ms());
    ParsedRecipients parsed = parse_recipients(m, config_, *d);
    (void)parsed;
    Finding f;
    f.def = &reason("engine.unavailable");
    f.enforced = !config_.fail_open;
    f.retry_after_ms = config_.unavailable_retry_ms;
    f.message = why.message + (config_.fail_open ? " (fail_open is set: the message is allowed)" : "");
    d->reasons.push_back(std::move(f));
    d->settle();
    return d;
}

std::unique_ptr<Decision> Engine::check(std::string_view message_json, bool dry_run) {
    if (!dry_run) require_writable();
    auto parsed_msg = parse_message(message_json, config_);
    if (!parsed_msg) throw Failure{std::move(parsed_msg).error()};
    const Message &m = *parsed_msg;

    auto d = new_decision(m, dry_run, 0);
    ParsedRecipients parsed = parse_recipients(m, config_, *d);
    if (auto err = fleet_sync()) {
        if (!config_.fail_open) return unavailable(m, dry_run, *err);
        note_unavailable(*d, "the shared suppression list could not be read: " + err->message);
    }
    try {
        auto lease = pool_.acquire();
        bool others_wrote = false;
        if (dry_run) {
            {
                Transaction tx(lease->db(), Transaction::Kind::deferred);
                others_wrote = lease->others_wrote();
                evaluate(*lease, m, *d, parsed, false, Phase::all);
                tx.commit();
            }
            lease->adapt_mapping(others_wrote);
            return d;
        }
        // Consent and suppressions are read before the write lock is taken,
        // so that concurrent checks hold it only for the quota step and the
        // decision's rows.
        {
            Transaction tx(lease->db(), Transaction::Kind::deferred);
            others_wrote = lease->others_wrote();
            evaluate(*lease, m, *d, parsed, true, Phase::unlocked);
            tx.commit();
        }
        lease->adapt_mapping(others_wrote);
        Transaction tx(lease->db(), Transaction::Kind::immediate);
        evaluate(*lease, m, *d, parsed, true, Phase::locked);
        tx.commit();
        return d;
    } catch (const Failure &f) {
        return unavailable(m, dry_run, f.error);
    }
}

std::vector<Engine::BatchItem> Engine::check_batch(std::string_view messages_json, bool dry_run) {
    if (!dry_run) require_writable();
    auto doc = json_parse(messages_json, kMaxBatchJsonBytes);
    if (!doc) throw Failure{std::move(doc).error()};
    const cJSON *root = doc->get();
    if (!json_is_array(root)) fail(Status::message, "a batch must be a JSON array of messages");
    if (json_array_size(root) > kMaxBatchMessages) {
        fail(Status::too_big, "a batch may hold at most " + std::to_string(kMaxBatchMessages) + " messages");
    }

    struct Item {
        std::optional<Message> message;
        std::unique_ptr<Decision> decision;
        ParsedRecipients parsed;
        Error error;
    };
    std::vector<Item> items;
    items.reserve(json_array_size(root));
    for (const cJSON *el = json_child(root); el != nullptr; el = json_next(el)) {
        Item it;
        auto m = message_from_json(el, config_);
        if (m) {
            it.message = std::move(*m);
            it.decision = new_decision(*it.message, dry_run, 0);
            it.parsed = parse_recipients(*it.message, config_, *it.decision);
        } else {
            it.error = std::move(m).error();
        }
        items.push_back(std::move(it));
    }

    std::vector<BatchItem> out(items.size());
    if (auto err = fleet_sync()) {
        for (auto &it : items) {
            if (!it.message) continue;
            if (!config_.fail_open) it.decision = unavailable(*it.message, dry_run, *err);
            else note_unavailable(*it.decision, "the shared suppression list could not be read: " + err->message);
        }
        if (!config_.fail_open) {
            for (size_t i = 0; i < items.size(); ++i) {
                out[i].decision = std::move(items[i].decision);
                out[i].error = std::move(items[i].error);
            }
            return out;
        }
    }
    try {
        auto lease = pool_.acquire();
        Transaction tx(lease->db(), dry_run ? Transaction::Kind::deferred : Transaction::Kind::immediate);
        for (auto &it : items) {
            if (it.message) evaluate(*lease, *it.message, *it.decision, it.parsed, !dry_run, Phase::all);
        }
        tx.commit();
        for (size_t i = 0; i < items.size(); ++i) {
            out[i].decision = std::move(items[i].decision);
            out[i].error = std::move(items[i].error);
        }
    } catch (const Failure &f) {
        // The transaction rolled back: nothing of the batch was stored.
        for (size_t i = 0; i < items.size(); ++i) {
            if (items[i].message) out[i].decision = unavailable(*items[i].message, dry_run, f.error);
            else out[i].error = std::move(items[i].error);
        }
    }
    return out;
}

void Engine::release(std::string_view decision_id) {
    require_writable();
    static constexpr const char *kFind =
        "SELECT account, region, reserved, reserved_second, released_at, created_at FROM decision WHERE id = ?1";
    static constexpr const char *kMark = "UPDATE decision SET released_at = ?2 WHERE id = ?1";
    static constexpr const char *kRecipients =
        "SELECT address FROM decision_recipient WHERE decision_id = ?1 AND verdict = 'allow'";
    auto lease = pool_.acquire();
    Conn &c = *lease;
    Transaction tx(c.db(), Transaction::Kind::immediate);
    std::string account, region;
    int64_t reserved = 0, second = 0, created_at = 0;
    {
        Use s(c.stmt(kFind));
        s->bind(1, decision_id);
        if (!s->step()) {
            fail(Status::not_found, "no stored decision \"" + std::string(decision_id) +
                                        "\" (dry-run decisions are not stored)");
        }
        account = s->text(0);
        region = s->text(1);
        reserved = s->int64(2);
        second = s->opt_int64(3).value_or(0);
        created_at = s->int64(5);
        if (!s->is_null(4)) {
            fail(Status::state, "decision \"" + std::string(decision_id) + "\" was already released at " +
                                    format_timestamp(s->int64(4)));
        }
    }
    int64_t now = clock_ms();
    auto acct = config_.accounts.find(account);
    const RegionLimits *shared_limits = nullptr;  // fleet mode: given back on Redis after the commit
#ifdef PRESEND_HAVE_REDIS
    if (redis_) {
        if (reserved > 0 && acct != config_.accounts.end()) {
            auto reg = acct->second.regions.find(region);
            if (reg != acct->second.regions.end()) shared_limits = &reg->second;
        }
    } else
#endif
    if (reserved > 0 && acct != config_.accounts.end()) {
        auto reg = acct->second.regions.find(region);
        if (reg != acct->second.regions.end()) {
            QuotaWindow w = QuotaWindow::load(c, account, region, reg->second, now, true);
            now = w.now_ms();
            w.give_back(c, reserved, second);
            w.save(c);
        }
    }
    {
        Use s(c.stmt(kMark));
        s->bind(1, decision_id).bind(2, now);
        s->run();
    }
    if (reserved > 0) reputation_add(c, account, region, created_at, ReputationCounts{-reserved, 0, 0, 0});
    {
        std::string content;
        JsonWriter w(content);
        w.begin_object().field("decision", decision_id).field("account", account).field("region", region);
        w.field("released_recipients", reserved).end_object();
        audit(c, now, "release", content);
    }
    if (config_.frequency.mode != Mode::off) {
        // The frequency cap counts sends; this one did not happen.
        std::vector<std::string> addresses;
        {
            Use s(c.stmt(kRecipients));
            s->bind(1, decision_id);
            while (s->step()) addresses.emplace_back(s->text(0));
        }
        for (const auto &a : addresses) send_log_remove(c, a, created_at, decision_id);
    }
    tx.commit();
#ifdef PRESEND_HAVE_REDIS
    // Only once the release is recorded: a process killed in between, or
    // Redis failing, leaves the shared count too high (the safe side), never
    // given back twice by a retried release.
    if (shared_limits != nullptr) {
        try {
            std::lock_guard lock(redis_mu_);
            redis_->release(account, region, redis_limits(*shared_limits), reserved, second);
        } catch (const Failure &f) {
            fail(Status::store, "decision \"" + std::string(decision_id) +
                                    "\" is released, but the shared ledger could not be told (its count stays "
                                    "higher until the reservation leaves the 24-hour window): " + f.error.message);
        }
    }
#else
    (void)shared_limits;
#endif
}

// --- consent and suppression -------------------------------------------------------

void Engine::consent_put_json(std::string_view record_json) {
    require_writable();
    auto doc = json_parse(record_json, 1024 * 1024);
    if (!doc) throw Failure{std::move(doc).error()};
    int64_t now = clock_ms();
    auto rec = consent_from_json(doc->get(), config_.address, now);
    if (!rec) throw Failure{std::move(rec).error()};
    auto lease = pool_.acquire();
    Transaction tx(lease->db(), Transaction::Kind::immediate);
    consent_put(*lease, *rec);
    {
        std::string content;
        JsonWriter w(content);
        w.begin_object().field("address", history_address(rec->address)).field("list", rec->list);
        w.field("status", consent_status_name(rec->status)).field("method", consent_method_name(rec->method));
        w.key("consented_at").timestamp(rec->consented_at);
        w.field("source", rec->source).end_object();
        audit(*lease, now, "consent.put", content);
    }
    tx.commit();
}

void Engine::consent_withdraw(std::string_view address, std::string_view list) {
    require_writable();
    std::string a = normalize(address);
    auto lease = pool_.acquire();
    Transaction tx(lease->db(), Transaction::Kind::immediate);
    int64_t now = clock_ms();
    if (!presend::consent_withdraw(*lease, a, list, now)) {
        fail(Status::not_found, "no consent record for " + a + " and list \"" + std::string(list) + "\"");
    }
    std::string content;
    JsonWriter w(content);
    w.begin_object().field("address", history_address(a)).field("list", list).end_object();
    audit(*lease, now, "consent.withdraw", content);
    {
        std::string body;
        JsonWriter b(body);
        b.begin_object().field("address", a).field("list", list).field("at", now).end_object();
        fleet_record(*lease, "consent.withdraw", body);
    }
    tx.commit();
    fleet_after_write();
}

std::string Engine::consent_get_json(std::string_view address, std::optional<std::string_view> list) {
    std::string a = normalize(address);
    auto lease = pool_.acquire();
    auto records = consent_list(*lease, a, list);
    std::string out;
    write_consent_json(out, records);
    return out;
}

std::string Engine::consent_import(std::string_view data, int format, std::string_view name_hint) {
    require_writable();
    auto lease = pool_.acquire();
    int64_t now = clock_ms();
    return import_consent(*lease, data, static_cast<ImportFormat>(format), name_hint, config_.address, now,
                          [&](Conn &c, std::string_view fmt, int64_t imported, int64_t rejected) {
                              std::string content;
                              JsonWriter w(content);
                              w.begin_object().field("format", fmt).field("source", name_hint);
                              w.field("imported", imported).field("rejected", rejected).end_object();
                              audit(c, now, "consent.import", content);
                          });
}

void Engine::suppression_put_json(std::string_view record_json) {
    require_writable();
    auto doc = json_parse(record_json, 1024 * 1024);
    if (!doc) throw Failure{std::move(doc).error()};
    auto rec = suppression_from_json(doc->get(), config_.address, clock_ms());
    if (!rec) throw Failure{std::move(rec).error()};
    auto lease = pool_.acquire();
    Transaction tx(lease->db(), Transaction::Kind::immediate);
    suppression_put(*lease, *rec);
    {
        std::string content;
        JsonWriter w(content);
        w.begin_object().field("address", rec->address[0] == '@' ? rec->address : history_address(rec->address));
        w.key("list");
        if (rec->list.empty()) w.null();
        else w.value(rec->list);
        w.field("reason", suppression_reason_name(rec->reason)).end_object();
        audit(*lease, rec->created_at, "suppression.put", content);
    }
    fleet_record(*lease, "suppression.put", fleet_suppression_body(*rec));
    tx.commit();
    fleet_after_write();
}

void Engine::suppression_remove(std::string_view address, std::optional<std::string_view> list) {
    require_writable();
    std::string key = suppression_key(address, config_.address);
    auto lease = pool_.acquire();
    Transaction tx(lease->db(), Transaction::Kind::immediate);
    if (!presend::suppression_remove(*lease, key, list.value_or(""))) {
        fail(Status::not_found, "no suppression for " + key + (list ? " on list \"" + std::string(*list) + "\"" : std::string(" (global)")));
    }
    std::string content;
    JsonWriter w(content);
    w.begin_object().field("address", key[0] == '@' ? key : history_address(key));
    w.key("list");
    if (!list) w.null();
    else w.value(*list);
    w.end_object();
    audit(*lease, clock_ms(), "suppression.remove", content);
    {
        std::string body;
        JsonWriter b(body);
        b.begin_object().field("address", key).field("list", list.value_or("")).end_object();
        fleet_record(*lease, "suppression.remove", body);
    }
    tx.commit();
    fleet_after_write();
}

std::string Engine::suppression_list_json(std::string_view filter_json) {
    SuppressionFilter f;
    if (!trim(filter_json).empty()) {
        auto doc = json_parse(filter_json, 64 * 1024);
        if (!doc) throw Failure{std::move(doc).error()};
        const cJSON *root = doc->get();
        if (!json_is_object(root)) fail(Status::invalid_argument, "the filter must be a JSON object");
        for (const cJSON *m = json_child(root); m != nullptr; m = json_next(m)) {
            std::string_view k = json_key(m);
            if (k == "limit") {
                auto v = json_int(m, "filter.limit", 1, 1000000, Status::invalid_argument);
                if (!v) throw Failure{std::move(v).error()};
                f.limit = *v;
                continue;
            }
            auto v = json_string(m, "filter." + std::string(k), Status::invalid_argument);
            if (!v) throw Failure{std::move(v).error()};
            if (k == "address") f.address = suppression_key(*v, config_.address);
            else if (k == "list") f.list = std::string(*v), f.any_list = false;
            else if (k == "reason") f.reason = std::string(*v);
            else fail(Status::invalid_argument, "unknown filter field \"" + std::string(k) + "\"");
        }
    }
    auto lease = pool_.acquire();
    auto records = presend::suppression_list(*lease, f);
    std::string out;
    write_suppression_json(out, records);
    return out;
}

// --- quota ----------------------------------------------------------------------

namespace {

struct AccountRegion {
    const AccountConfig *account;
    const RegionLimits *limits;
    std::string account_name, region_name;
};

AccountRegion find_account_region(const Config &cfg, std::string_view account, std::string_view region) {
    AccountRegion ar;
    ar.account_name = account.empty() ? cfg.default_account : std::string(account);
    auto a = cfg.accounts.find(ar.account_name);
    if (a == cfg.accounts.end()) fail(Status::unknown_account, "unknown account \"" + ar.account_name + "\"");
    ar.account = &a->second;
    ar.region_name = std::string(region);
    if (ar.region_name.empty()) {
        if (ar.account_name == cfg.default_account && !cfg.default_region.empty()) ar.region_name = cfg.default_region;
        else if (a->second.regions.size() == 1) ar.region_name = a->second.regions.begin()->first;
        else fail(Status::unknown_region, "name a region: account \"" + ar.account_name + "\" has several");
    }
    auto r = a->second.regions.find(ar.region_name);
    if (r == a->second.regions.end()) {
        fail(Status::unknown_region,
             "region \"" + ar.region_name + "\" is not configured for account \"" + ar.account_name + "\"");
    }
    ar.limits = &r->second;
    return ar;
}

void write_quota(JsonWriter &w, Conn &c, const AccountRegion &ar, const QuotaWindow &win) {
    const auto &lim = win.limits();
    w.field("account", ar.account_name);
    w.field("region", ar.region_name);
    w.field("tier", ar.account->tier == Tier::sandbox ? "sandbox" : "production");
    w.field("sent_24h", win.sent_24h());
    w.field("max_24h", lim.max_24h);
    w.field("remaining_24h", std::max<int64_t>(0, lim.max_24h - win.sent_24h()));
    w.field("max_rate", lim.max_rate);
    w.field("burst", lim.burst);
    w.field("rate_available", win.rate_available());
    w.field("next_release_ms", win.next_release_ms(c));
    w.key("synced_at").timestamp(win.synced_at());
    w.field("limits_source", lim.from_ses ? "ses" : "config");
    w.key("now").timestamp(win.now_ms());
    w.field("ledger", "sqlite");
}

#ifdef PRESEND_HAVE_REDIS
void write_quota(JsonWriter &w, const AccountRegion &ar, const RedisLedger::Usage &st) {
    w.field("account", ar.account_name);
    w.field("region", ar.region_name);
    w.field("tier", ar.account->tier == Tier::sandbox ? "sandbox" : "production");
    w.field("sent_24h", st.sent_24h);
    w.field("max_24h", st.limits.max_24h);
    w.field("remaining_24h", std::max<int64_t>(0, st.limits.max_24h - st.sent_24h));
    w.field("max_rate", st.limits.max_rate);
    w.field("burst", st.limits.burst);
    w.field("rate_available", st.rate_available);
    w.field("next_release_ms", st.next_release_ms);
    w.key("synced_at").timestamp(st.synced_at);
    w.field("limits_source", st.from_ses ? "ses" : "config");
    w.key("now").timestamp(st.now_ms);
    w.field("ledger", "redis");
}
#endif

}  // namespace

std::string Engine::quota_status_json(std::string_view account, std::string_view region) {
    AccountRegion ar = find_account_region(config_, account, region);
#ifdef PRESEND_HAVE_REDIS
    if (redis_) {
        RedisLedger::Usage st;
        {
            std::lock_guard lock(redis_mu_);
            st = redis_->status(ar.account_name, ar.region_name, redis_limits(*ar.limits));
        }
        std::string out;
        JsonWriter w(out);
        w.begin_object();
        write_quota(w, ar, st);
        w.end_object();
        return out;
    }
#endif
    auto lease = pool_.acquire();
    Transaction tx(lease->db(), Transaction::Kind::deferred);
    QuotaWindow win = QuotaWindow::load(*lease, ar.account_name, ar.region_name, *ar.limits, clock_ms(), false);
    std::string out;
    JsonWriter w(out);
    w.begin_object();
    write_quota(w, *lease, ar, win);
    w.end_object();
    tx.commit();
    return out;
}

std::string Engine::quota_sync_json(std::string_view account, std::string_view region, std::string_view ses_json) {
    require_writable();
    AccountRegion ar = find_account_region(config_, account, region);
    auto doc = json_parse(ses_json, 64 * 1024);
    if (!doc) throw Failure{std::move(doc).error()};
    const cJSON *root = doc->get();
    if (!json_is_object(root)) fail(Status::invalid_argument, "the SES quota must be a JSON object");
    std::optional<int64_t> max24, sent;
    std::optional<double> rate;
    for (const cJSON *m = json_child(root); m != nullptr; m = json_next(m)) {
        std::string_view k = json_key(m);
        auto number = json_number(m, k, Status::invalid_argument);
        if (!number) throw Failure{std::move(number).error()};
        double v = *number;
        if (v < 0 || v > 1e15) fail(Status::invalid_argument, std::string(k) + " is out of range");
        if (k == "Max24HourSend") max24 = static_cast<int64_t>(v);
        else if (k == "MaxSendRate") rate = v;
        else if (k == "SentLast24Hours") sent = static_cast<int64_t>(v);
        else fail(Status::invalid_argument, "unknown field \"" + std::string(k) + "\" (expected Max24HourSend, MaxSendRate, SentLast24Hours)");
    }
    if (!max24 || !rate || !sent) {
        fail(Status::invalid_argument, "the SES quota needs Max24HourSend, MaxSendRate and SentLast24Hours");
    }
    // SES reports the rate as a number of messages per second; presend counts
    // whole recipients, rounding a fractional rate down (never over-allowing),
    // but at least 1.
    int64_t rate_int = std::max<int64_t>(1, static_cast<int64_t>(*rate));
#ifdef PRESEND_HAVE_REDIS
    if (redis_) {
        // Every host takes the limits from Redis from now on.
        RedisLedger::Sync sy;
        {
            std::lock_guard lock(redis_mu_);
            sy = redis_->sync(ar.account_name, ar.region_name, redis_limits(*ar.limits), *max24, rate_int, *sent);
        }
        std::string out;
        JsonWriter w(out);
        w.begin_object();
        w.field("ledger_sent_24h_before", sy.sent_before);
        w.field("ses_sent_24h", *sent);
        w.field("added_to_ledger", sy.added);
        w.field("max_24h_before", sy.limits_before.max_24h);
        w.field("max_rate_before", sy.limits_before.max_rate);
        w.key("quota").begin_object();
        write_quota(w, ar, sy.after);
        w.end_object();
        w.end_object();
        return out;
    }
#endif

    auto lease = pool_.acquire();
    Transaction tx(lease->db(), Transaction::Kind::immediate);
    QuotaWindow win = QuotaWindow::load(*lease, ar.account_name, ar.region_name, *ar.limits, clock_ms(), true);
    int64_t before = win.sent_24h();
    auto before_limits = win.limits();
    win.set_ses_limits(*max24, rate_int, win.now_ms(), *ar.limits);
    int64_t added = std::max<int64_t>(0, *sent - before);
    win.add_external(added);
    std::string out;
    JsonWriter w(out);
    w.begin_object();
    w.field("ledger_sent_24h_before", before);
    w.field("ses_sent_24h", *sent);
    w.field("added_to_ledger", added);
    w.field("max_24h_before", before_limits.max_24h);
    w.field("max_rate_before", before_limits.max_rate);
    w.key("quota").begin_object();
    write_quota(w, *lease, ar, win);
    w.end_object();
    w.end_object();
    win.save(*lease);
    tx.commit();
    return out;
}

}  // namespace presend
