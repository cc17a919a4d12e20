// The engine: configuration, a pool of store connections, the check
// pipeline and the quota step. One Engine may be used by many threads.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "checkpointer.hpp"
#include "audit.hpp"
#ifdef PRESEND_HAVE_REDIS
#include "redis_ledger.hpp"
#endif
#include "checks.hpp"
#include "plugin_host.hpp"
#include "config.hpp"
#include "decision.hpp"
#include "dns.hpp"
#include "store.hpp"

namespace presend {

using ClockFn = int64_t (*)(void *);

struct EngineOptions {
    std::string store_path;  // overrides the configuration's
    ClockFn clock = nullptr;
    void *clock_user_data = nullptr;
    bool read_only = false;
    // DNS for `auth refresh` instead of the configuration's resolver.
    std::shared_ptr<Resolver> resolver;
};

// Connections handed out one thread at a time. After fork() the child never
// uses a connection the parent opened (see Engine).
class ConnectionPool {
public:
    // `on_open` runs on every connection the pool opens (to install hooks).
    ConnectionPool(StoreOptions options, std::function<void(Conn &)> on_open)
        : options_(std::move(options)), on_open_(std::move(on_open)), pid_(::getpid()) {}
    ~ConnectionPool();

    class Lease {
    public:
        Lease(ConnectionPool &pool, std::unique_ptr<Conn> conn, uint64_t generation)
            : pool_(pool), conn_(std::move(conn)), generation_(generation) {}
        ~Lease() { pool_.give_back(std::move(conn_), generation_); }
        Lease(const Lease &) = delete;
        Lease &operator=(const Lease &) = delete;
        Conn &operator*() { return *conn_; }
        Conn *operator->() { return conn_.get(); }

    private:
        ConnectionPool &pool_;
        std::unique_ptr<Conn> conn_;
        uint64_t generation_;
    };

    Lease acquire();
    const StoreOptions &options() const noexcept { return options_; }

    // fork() support, called from the pthread_atfork handlers with the
    // registry lock held.
    void before_fork();       // locks the pool, closes idle connections
    void after_fork_parent(); // unlocks
    void after_fork_child();  // forgets inherited connections, unlocks

private:
    void give_back(std::unique_ptr<Conn> conn, uint64_t generation) noexcept;
    void forget_inherited_locked() noexcept;

    StoreOptions options_;
    std::function<void(Conn &)> on_open_;
    std::mutex mu_;
    std::vector<std::unique_ptr<Conn>> idle_;
    // The threads holding a connection (once per lease, from acquire until
    // the connection is back or closed), and a fork waiting for them.
    std::vector<std::thread::id> holders_;
    // A pointer, so that the child can leave the parent's behind: threads
    // waiting on it at fork() do not exist there, and destroying it would
    // wait for them forever.
    std::unique_ptr<std::condition_variable> returned_ = std::make_unique<std::condition_variable>();
    bool forking_ = false;
    uint64_t generation_ = 0;  // bumped when inherited connections are forgotten
    pid_t pid_;
};

class Engine {
public:
    static std::unique_ptr<Engine> open(Config config, EngineOptions options);
    ~Engine();
    Engine(const Engine &) = delete;
    Engine &operator=(const Engine &) = delete;

    const Config &config() const noexcept { return config_; }

    // Throws Failure for input errors (json, message, unknown account/region,
    // too_big, readonly). Store failures become engine.unavailable decisions.
    std::unique_ptr<Decision> check(std::string_view message_json, bool dry_run);

    struct BatchItem {
        std::unique_ptr<Decision> decision;  // null when the message was invalid
        Error error;
    };
    std::vector<BatchItem> check_batch(std::string_view messages_json, bool dry_run);

    void release(std::string_view decision_id);

    // Consent and suppression (JSON in, JSON out where the C API says so).
    void consent_put_json(std::string_view record_json);
    void consent_withdraw(std::string_view address, std::string_view list);
    std::string consent_get_json(std::string_view address, std::optional<std::string_view> list);
    std::string consent_import(std::string_view data, int format, std::string_view name_hint);
    void suppression_put_json(std::string_view record_json);
    void suppression_remove(std::string_view address, std::optional<std::string_view> list);
    std::string suppression_list_json(std::string_view filter_json);

    // Sender authentication: resolve and evaluate every identity, store
    // the status (out of band: checks only read it).
    std::string auth_refresh_json();
    std::string auth_status_json(std::optional<std::string_view> domain);

    std::string quota_status_json(std::string_view account, std::string_view region);

    // Every reason code this engine may report: presend's and its plugins'.
    std::string reasons_json() const;
    const std::vector<std::shared_ptr<LoadedPlugin>> &plugins() const noexcept { return plugins_; }
    std::string quota_sync_json(std::string_view account, std::string_view region, std::string_view ses_json);

    // Feedback: provider events, pauses, the audit trail and reports
    // (engine_feedback.cpp).
    std::string pause(std::string_view account, std::optional<std::string_view> region, std::string_view reason);
    std::string resume(std::string_view account, std::optional<std::string_view> region);
    std::string reputation_json(std::optional<std::string_view> account, std::optional<std::string_view> region);
    std::string audit_verify_json();
    std::string events_ingest(std::string_view data, std::string_view options_json);
    // A report over [from, to): the model (JSON) or rendered (report_model.cpp).
    std::string report(std::string_view options_json);
    std::string report_model_json(int64_t from_ms, int64_t to_ms, int64_t row_limit);
    // The form decisions, the send log and the trail keep an address in.
    std::string history_address(std::string_view address) const;
    // Appends an administrative record to the trail in the caller's write transaction.
    void audit(Conn &c, int64_t at_ms, std::string_view kind, std::string_view content) const;

    // Per-thread error text (see presend_engine_errmsg).
    void set_error(std::string message);
    const char *error_text() const;

    int64_t clock_ms() const;
    std::string normalize(std::string_view address) const;  // throws Failure(parse)

    void before_fork();
    void after_fork_parent();
    void after_fork_child();

private:
    Engine(Config config, EngineOptions options, StoreOptions store);

    struct Resolved {
        const AccountConfig *account = nullptr;
        const RegionLimits *limits = nullptr;
    };
    Resolved resolve(const Message &m) const;
    std::unique_ptr<Decision> new_decision(const Message &m, bool dry_run, int64_t now_ms);
    // Which part of the pipeline evaluate() runs: a real single check reads
    // consent and suppressions before it takes the write lock (unlocked),
    // then runs the rest under it (locked); dry runs and batches run it all
    // in one transaction.
    enum class Phase { all, unlocked, locked };
    // Runs (part of) the pipeline and the quota step for one message inside
    // an open transaction; stores the decision when writable.
    void evaluate(Conn &c, const Message &m, Decision &d, const ParsedRecipients &parsed, bool writable, Phase phase);
    void run_checks(CheckContext &ctx, bool ledger_checks) const;
    std::unique_ptr<Decision> unavailable(const Message &m, bool dry_run, const Error &why);
    // Adds a non-enforced engine.unavailable finding (fail_open).
    void note_unavailable(Decision &d, const std::string &why) const;
    std::string new_id(int64_t now_ms);
    // Adds a "config" record to the trail when the configuration or the
    // loaded plugins differ from the last one recorded.
    void record_configuration(Conn &c);
    void require_writable() const;

    Config config_;
    EngineOptions options_;
    ConnectionPool pool_;
    // Declared after the pool: destroyed first, so its thread has stopped
    // before the pool's connections close.
    std::unique_ptr<Checkpointer> checkpointer_;
    std::vector<std::shared_ptr<LoadedPlugin>> plugins_;
    std::vector<std::unique_ptr<Check>> checks_;
    uint64_t id_seed_[2] = {0, 0};
    std::atomic<uint64_t> id_counter_{0};
    AuditKey audit_key_;
#ifdef PRESEND_HAVE_REDIS
    // Fleet mode: the quota ledger on Redis (one connection, its calls serialized).
    std::unique_ptr<RedisLedger> redis_;
    std::mutex redis_mu_;
    void redis_quota_step(CheckContext &ctx, const Message &m, Decision &d, const Resolved &res, bool writable,
                          int64_t &reserved, int64_t &second);
    // The count this engine's last reservation saw, per "account/region"
    // (what the checks see as the 24-hour count, without another round trip).
    std::unordered_map<std::string, int64_t> redis_counts_;
    int64_t redis_last_count(const std::string &account, const std::string &region);
    static RedisLimits redis_limits(const RegionLimits &l);

    // Fleet mode's shared suppressions (engine_fleet.cpp).
    std::mutex fleet_mu_;            // one sync or publish at a time; taken before redis_mu_
    std::string fleet_origin_;       // this store's name in the change stream
    std::string fleet_cursor_key_;   // the meta key of the last change applied
    bool fleet_shares() const noexcept;
    void fleet_open(Conn &c);
    void fleet_publish(Conn &c);
    void fleet_apply(Conn &c, const RedisLedger::Change &ch, int64_t now);

#endif
public:
    // Adds a change to the outbox, in the caller's write transaction.
    void fleet_record(Conn &c, std::string_view kind, std::string_view body) const;
    // Publishes the outbox after a change committed (Redis failing: later).
    void fleet_after_write();
    // Publishes the outbox and applies the other hosts' changes; the error
    // when Redis could not be reached.
    std::optional<Error> fleet_sync();
    // A suppression as the change stream carries it.
    static std::string fleet_suppression_body(const SuppressionRecord &r);
private:
    std::shared_ptr<Resolver> resolver_;  // made at open; used only by auth refresh
    std::mutex refresh_mu_;              // one refresh at a time per engine

    mutable std::mutex errors_mu_;
    std::unordered_map<std::thread::id, std::string> errors_;
};

}  // namespace presend
