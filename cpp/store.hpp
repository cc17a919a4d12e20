// The store: one SQLite file holding consent records, suppressions,
// decisions and the quota ledger. A Conn is one connection with its
// prepared statements; the engine keeps a pool of them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config.hpp"
#include "sqlite.hpp"

namespace presend {

inline constexpr int kSchemaVersion = 4;
// PRAGMA application_id: "PRSD". Marks a file as a presend store.
inline constexpr int32_t kApplicationId = 0x50525344;

struct StoreOptions {
    std::string path;
    bool read_only = false;
    Durability durability = Durability::normal;
    int64_t busy_timeout_ms = 10000;
};

// One connection and its statement cache. Used by one thread at a time.
class Conn {
public:
    explicit Conn(const StoreOptions &options);
    Db &db() noexcept { return db_; }
    // The prepared statement for `sql`, which must be a string literal (the
    // cache is keyed by its address). Reset before use.
    Stmt &stmt(const char *sql);
    void abandon() noexcept;

    // The store is memory-mapped while no other connection writes to it,
    // and read through SQLite's cache while others do (see Conn::Conn).
    // others_wrote() runs inside a read transaction: whether another
    // connection committed since the last call. adapt_mapping() runs
    // between transactions with what the last check saw.
    bool others_wrote();
    void adapt_mapping(bool others_wrote) noexcept;
    bool mapped() const noexcept { return mapped_; }

    // Checks without another connection's write before the map comes back.
    static constexpr int kQuietChecks = 1000;

private:
    static int busy_wait(void *self, int count);
    void set_mapping(bool on) noexcept;

    Db db_;
    std::unordered_map<const char *, Stmt> stmts_;
    int64_t busy_timeout_ms_ = 0;
    int64_t busy_since_us_ = 0;
    int64_t data_version_ = -1;  // PRAGMA data_version at the last others_wrote()
    bool mapped_ = true;
    int quiet_ = 0;  // checks since another connection last wrote (while not mapped)
};

// Creates or migrates the schema; checks that the file is a presend store
// of a version this build understands. Throws Failure (corrupt, schema,
// readonly, store).
void prepare_schema(Conn &conn, bool read_only);

// Resets a statement when it goes out of scope, so that no statement keeps a
// read transaction open after use.
class Use {
public:
    explicit Use(Stmt &s) : s_(s) { s_.reset(); }
    ~Use() { s_.reset(); }
    Use(const Use &) = delete;
    Use &operator=(const Use &) = delete;
    Stmt *operator->() { return &s_; }
    Stmt &operator*() { return s_; }

private:
    Stmt &s_;
};

enum class ConsentStatus { subscribed, unconfirmed, unsubscribed };
enum class ConsentMethod { single, double_opt_in, import, api };
std::string_view consent_status_name(ConsentStatus s) noexcept;
std::string_view consent_method_name(ConsentMethod m) noexcept;

struct ConsentRecord {
    std::string address;  // normalized
    std::string list;     // "*" for every list
    ConsentStatus status = ConsentStatus::subscribed;
    ConsentMethod method = ConsentMethod::api;
    int64_t consented_at = 0;
    std::optional<int64_t> confirmed_at, withdrawn_at, expires_at;
    std::string source, ip, country, jurisdiction;
    int64_t updated_at = 0;
};

enum class SuppressionReason { bounce, complaint, manual, unsubscribe };
std::string_view suppression_reason_name(SuppressionReason r) noexcept;

struct SuppressionRecord {
    std::string address;  // normalized address, or "@domain"
    std::string list;     // "" for global
    SuppressionReason reason = SuppressionReason::manual;
    int64_t created_at = 0;
    std::optional<int64_t> expires_at;
    std::string note;
    std::string event_ref;  // fingerprint of the event that added it; "" when none
};

// Consent -------------------------------------------------------------------
// The record for (address, list), else the one for (address, "*").
std::optional<ConsentRecord> consent_lookup(Conn &c, std::string_view address, std::string_view list);
void consent_put(Conn &c, const ConsentRecord &r);
bool consent_withdraw(Conn &c, std::string_view address, std::string_view list, int64_t now);
std::vector<ConsentRecord> consent_list(Conn &c, std::string_view address, std::optional<std::string_view> list);
void write_consent_json(std::string &out, const std::vector<ConsentRecord> &records);

// Suppression -----------------------------------------------------------------
// Active suppressions that apply to the address (or its domain), globally or
// for `list`.
std::vector<SuppressionRecord> suppression_lookup(Conn &c, std::string_view address, std::string_view domain,
                                                  std::string_view list, int64_t now);
void suppression_put(Conn &c, const SuppressionRecord &r);
bool suppression_remove(Conn &c, std::string_view address, std::string_view list);
struct SuppressionFilter {
    std::string address, list, reason;
    bool any_list = true;
    int64_t limit = 1000;
};
std::vector<SuppressionRecord> suppression_list(Conn &c, const SuppressionFilter &f);
void write_suppression_json(std::string &out, const std::vector<SuppressionRecord> &records);

// Sender authentication ------------------------------------------------------
struct AuthStatus {
    std::string domain;
    int64_t checked_at = 0;
    std::string spf = "missing";    // pass, fail, missing, error
    std::string mail_from;          // the MAIL FROM domain evaluated
    std::string dkim = "none";      // ok, short, weak, revoked, missing, error, none (no selectors configured)
    std::optional<int64_t> dkim_bits;
    std::string dmarc = "missing";  // present, missing, error
    std::string dmarc_policy;       // none, quarantine, reject ("" without a record)
    std::string adkim = "r", aspf = "r";
    std::string org_domain;
    std::string dns_errors;         // "" when every lookup answered
    std::string report;             // JSON; empty when read for a check
};
// Without the report: what a check needs, one primary-key read.
std::optional<AuthStatus> auth_status_get(Conn &c, std::string_view domain);
void auth_status_put(Conn &c, const AuthStatus &s);
// Every stored status, reports included, ordered by domain.
std::vector<AuthStatus> auth_status_list(Conn &c);

// Frequency -----------------------------------------------------------------
// Records a marketing send to `address`, forgetting that address's sends
// before `forget_before` (they no longer count for any cap).
void send_log_add(Conn &c, std::string_view address, std::string_view list, int64_t sent_at,
                  std::string_view decision_id, int64_t forget_before);
// Forgets one recorded send (its decision was released).
void send_log_remove(Conn &c, std::string_view address, int64_t sent_at, std::string_view decision_id);
// Times of recorded marketing sends after `since`, oldest first.
std::vector<int64_t> send_times(Conn &c, std::string_view address, std::optional<std::string_view> list,
                                int64_t since);

}  // namespace presend
