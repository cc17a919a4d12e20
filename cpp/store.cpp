#include "store.hpp"

#include <sqlite3.h>

#include <sched.h>
#include <time.h>

#include <array>

#include "json.hpp"

namespace presend {

namespace {

// Each entry migrates from version i to i + 1. Append only: a released
// schema step is never edited.
constexpr std::array<const char *, kSchemaVersion> kMigrations{
    // 0 -> 1
    R"sql(
CREATE TABLE consent(
  address      TEXT NOT NULL,
  list         TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('subscribed', 'unconfirmed', 'unsubscribed')),
  method       TEXT NOT NULL CHECK (method IN ('single', 'double', 'import', 'api')),
  consented_at INTEGER NOT NULL,
  confirmed_at INTEGER,
  withdrawn_at INTEGER,
  expires_at   INTEGER,
  source       TEXT,
  ip           TEXT,
  country      TEXT,
  jurisdiction TEXT,
  updated_at   INTEGER NOT NULL,
  PRIMARY KEY (address, list)
) WITHOUT ROWID;

CREATE TABLE suppression(
  address    TEXT NOT NULL,            -- normalized address, or '@' || domain
  scope      TEXT NOT NULL,            -- '' for every list and stream, else a list name
  reason     TEXT NOT NULL CHECK (reason IN ('bounce', 'complaint', 'manual', 'unsubscribe')),
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  note       TEXT,
  PRIMARY KEY (address, scope)
) WITHOUT ROWID;

CREATE TABLE decision(
  id              TEXT PRIMARY KEY,    -- UUIDv7: time-ordered, so inserts append
  created_at      INTEGER NOT NULL,
  account         TEXT NOT NULL,
  region          TEXT NOT NULL,
  stream          TEXT NOT NULL,
  list            TEXT,
  message_id      TEXT,
  verdict         TEXT NOT NULL,
  retry_after_ms  INTEGER NOT NULL,
  reasons         TEXT,                -- message-level reason codes, space-separated
  reserved        INTEGER NOT NULL,    -- recipients counted against the quota
  reserved_second INTEGER,             -- the ledger second they were counted in
  released_at     INTEGER
) WITHOUT ROWID;

CREATE TABLE decision_recipient(
  decision_id TEXT NOT NULL,
  idx         INTEGER NOT NULL,
  address     TEXT NOT NULL,
  verdict     TEXT NOT NULL,
  reasons     TEXT,                    -- reason codes, space-separated
  PRIMARY KEY (decision_id, idx)
) WITHOUT ROWID;

-- The quota ledger: per account and region, a running total over the last
-- 86,400 one-second buckets, and the GCRA state for the per-second rate.
CREATE TABLE quota_window(
  account       TEXT NOT NULL,
  region        TEXT NOT NULL,
  total         INTEGER NOT NULL,      -- sum of quota_second.count in the window
  oldest_second INTEGER,               -- smallest quota_second.second, NULL when empty
  tat           INTEGER NOT NULL,      -- GCRA theoretical arrival time, in units of 1/tat_rate ms
  tat_rate      INTEGER NOT NULL,      -- the rate tat is scaled by
  last_ms       INTEGER NOT NULL,      -- latest clock reading: time never goes backwards
  max_24h       INTEGER,               -- limits reported by SES (quota sync), else NULL
  max_rate      INTEGER,
  synced_at     INTEGER,
  PRIMARY KEY (account, region)
) WITHOUT ROWID;

CREATE TABLE quota_second(
  account TEXT NOT NULL,
  region  TEXT NOT NULL,
  second  INTEGER NOT NULL,            -- Unix time in whole seconds
  count   INTEGER NOT NULL,
  PRIMARY KEY (account, region, second)
) WITHOUT ROWID;

-- Marketing sends per recipient, for the frequency cap (written only when
-- that check is on). One b-tree: rows of an address are together, and old
-- ones are pruned when the address is written again.
CREATE TABLE send_log(
  address     TEXT NOT NULL,
  sent_at     INTEGER NOT NULL,
  decision_id TEXT NOT NULL,
  list        TEXT NOT NULL,
  PRIMARY KEY (address, sent_at, decision_id)
) WITHOUT ROWID;
)sql",
    // 1 -> 2: sender authentication
    R"sql(
-- DNS answers kept for their TTL (negative answers per RFC 2308), so that a
-- refresh of many identities asks each name once.
CREATE TABLE dns_cache(
  name       TEXT NOT NULL,
  type       INTEGER NOT NULL,
  status     TEXT NOT NULL,            -- ok, nxdomain, nodata (failures are not cached)
  answer     TEXT NOT NULL,            -- JSON: records, mx, cnames
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (name, type)
) WITHOUT ROWID;

-- What `auth refresh` found for each identity's domain; the per-send check
-- reads this row and nothing else.
CREATE TABLE auth_status(
  domain        TEXT PRIMARY KEY,
  checked_at    INTEGER NOT NULL,
  spf           TEXT NOT NULL,         -- pass, fail, missing, error
  mail_from     TEXT NOT NULL,         -- the MAIL FROM domain evaluated
  dkim          TEXT NOT NULL,         -- ok, short, weak, revoked, missing, error, none
  dkim_bits     INTEGER,               -- the smallest key
  dmarc         TEXT NOT NULL,         -- present, missing, error
  dmarc_policy  TEXT,
  adkim         TEXT NOT NULL,         -- r or s
  aspf          TEXT NOT NULL,
  org_domain    TEXT NOT NULL,         -- the From domain's organizational domain
  dns_errors    TEXT,                  -- what failed to resolve, if anything
  report        TEXT NOT NULL          -- the full refresh report (JSON)
) WITHOUT ROWID;
)sql",
    // 2 -> 3: feedback (events, reputation, pauses) and the audit trail
    R"sql(
-- What providers reported, once per event (the fingerprint makes ingestion
-- idempotent).
CREATE TABLE event(
  fingerprint    TEXT PRIMARY KEY,
  received_at    INTEGER NOT NULL,
  event_at       INTEGER NOT NULL,
  kind           TEXT NOT NULL,        -- bounce, complaint, delivery, send, reject, ...
  bounce_type    TEXT,                 -- Permanent, Transient, Undetermined
  subtype        TEXT,                 -- bounce subtype or complaint feedback type
  source         TEXT NOT NULL,        -- notification, event_publishing, arf
  account        TEXT NOT NULL,
  region         TEXT NOT NULL,
  message_id     TEXT,                 -- the original Message-ID, when known
  ses_message_id TEXT,
  recipients     TEXT NOT NULL,        -- space-separated (as stored in decisions)
  effect         TEXT NOT NULL         -- suppressed, counted, recorded
) WITHOUT ROWID;
CREATE INDEX event_by_time ON event(event_at);

-- Recipients sent and bounces and complaints received, per account, region
-- and hour: the reputation guard sums the hours of its window.
CREATE TABLE reputation_hour(
  account    TEXT NOT NULL,
  region     TEXT NOT NULL,
  hour       INTEGER NOT NULL,         -- Unix time / 3600
  sends      INTEGER NOT NULL DEFAULT 0,
  bounces    INTEGER NOT NULL DEFAULT 0,   -- permanent bounces (what SES's bounce rate counts)
  transient  INTEGER NOT NULL DEFAULT 0,
  complaints INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (account, region, hour)
) WITHOUT ROWID;

-- Manual pauses: region '' pauses every region of the account.
CREATE TABLE pause(
  account   TEXT NOT NULL,
  region    TEXT NOT NULL,
  paused_at INTEGER NOT NULL,
  reason    TEXT NOT NULL,
  PRIMARY KEY (account, region)
) WITHOUT ROWID;

-- The tamper-evident trail: each record's mac is HMAC-SHA-256 over its
-- sequence number, time, kind, content and the previous record's mac.
CREATE TABLE audit(
  seq     INTEGER PRIMARY KEY,
  at      INTEGER NOT NULL,
  kind    TEXT NOT NULL,
  content TEXT NOT NULL,               -- canonical JSON
  mac     BLOB NOT NULL
);

-- Small facts about the store itself (the generated audit key when none is
-- configured).
CREATE TABLE meta(
  key   TEXT PRIMARY KEY,
  value BLOB NOT NULL
) WITHOUT ROWID;

ALTER TABLE suppression ADD COLUMN event_ref TEXT;   -- the event that suppressed the address
-- The consent a recipient's send rested on, when the decision was made.
ALTER TABLE decision_recipient ADD COLUMN consent TEXT;       -- double, single, import, api
ALTER TABLE decision_recipient ADD COLUMN evidence INTEGER;   -- 1: the record says when and from where
)sql",
    // 3 -> 4
    R"sql(
-- Fleet mode: suppression and consent changes made here, each kept until
-- Redis has taken it (engine_fleet.cpp).
CREATE TABLE fleet_outbox(
  seq  INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,                  -- suppression.put, suppression.remove, consent.withdraw
  body TEXT NOT NULL                   -- JSON
);
)sql",
};

int pragma_int(Conn &c, const char *sql) {
    Use s(c.stmt(sql));
    return s->step() ? static_cast<int>(s->int64(0)) : 0;
}

}  // namespace

namespace {

int64_t monotonic_us() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

}  // namespace

// Waits for a lock another connection holds. SQLite's own busy handler
// sleeps 1, 2, 5 ... 100 ms, so a waiter can oversleep a lock that is held
// for a fraction of a millisecond by two orders of magnitude; this one polls
// at 20, 50, 100 and then every 200 us, until the configured timeout. (With
// 4 processes saturating 2 CPUs, a 200 us cap gave a p99 of 3.1 ms against
// 4.1 ms with a 1 ms cap, at the same throughput and CPU cost.)
int Conn::busy_wait(void *self, int count) {
    auto *c = static_cast<Conn *>(self);
    static constexpr int64_t kDelaysUs[] = {0, 20, 50, 100};
    int64_t now = monotonic_us();
    if (count == 0) c->busy_since_us_ = now;
    if (now - c->busy_since_us_ >= c->busy_timeout_ms_ * 1000) return 0;
    int64_t delay = count < 4 ? kDelaysUs[count] : 200;
    if (delay == 0) {
        sched_yield();
    } else {
        timespec ts{0, static_cast<long>(delay * 1000)};
        nanosleep(&ts, nullptr);
    }
    return 1;
}

Conn::Conn(const StoreOptions &options)
    : db_(options.path, options.read_only ? Db::OpenMode::read_only : Db::OpenMode::read_write_create),
      busy_timeout_ms_(options.busy_timeout_ms) {
    sqlite3_busy_handler(db_.handle(), &Conn::busy_wait, this);
    // Memory-mapped while no other connection writes: reads go through the
    // kernel's page cache without a copy into SQLite's (dry runs about 15%
    // faster). But a read transaction that finds the WAL changed by another
    // connection unmaps the whole file, and every page it reads next faults
    // the mapping in again: with four processes reserving, that is every
    // transaction of every check, and they reserve about 15% fewer checks
    // per second than without the map (2 CPUs, 1,000,000 records). So a
    // connection that sees another's writes stops mapping, and maps again
    // after kQuietChecks checks without any (adapt_mapping).
    set_mapping(true);
    // Grow the file 16 MiB at a time (fewer, larger extensions of the file).
    int chunk = 16 * 1024 * 1024;
    sqlite3_file_control(db_.handle(), "main", SQLITE_FCNTL_CHUNK_SIZE, &chunk);
    // synchronous=NORMAL in WAL mode makes every commit durable against a
    // process crash (the commit is in the WAL file before COMMIT returns);
    // "full" also survives power loss, with an fsync per commit.
    db_.exec(options.durability == Durability::full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    // A log that once grew (a long import) is cut back to 64 MiB when it restarts.
    db_.exec("PRAGMA foreign_keys=OFF; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-16384; "
             "PRAGMA journal_size_limit=67108864");
}

void Conn::set_mapping(bool on) noexcept {
    try {
        db_.exec(on ? "PRAGMA mmap_size=268435456" : "PRAGMA mmap_size=0");
        mapped_ = on;
    } catch (...) {
        // Out of memory (SQLite's or ours): stay as it is; a later check tries again.
    }
    quiet_ = 0;
}

bool Conn::others_wrote() {
    Use s(stmt("PRAGMA data_version"));
    if (!s->step()) return false;
    int64_t v = s->int64(0);
    bool changed = data_version_ >= 0 && v != data_version_;
    data_version_ = v;
    return changed;
}

void Conn::adapt_mapping(bool others_wrote) noexcept {
    if (others_wrote) {
        quiet_ = 0;
        if (mapped_) set_mapping(false);
    } else if (!mapped_ && ++quiet_ >= kQuietChecks) {
        set_mapping(true);
    }
}

Stmt &Conn::stmt(const char *sql) {
    auto it = stmts_.find(sql);
    if (it != stmts_.end()) return it->second;
    return stmts_.emplace(sql, Stmt(db_, sql)).first->second;
}

void Conn::abandon() noexcept {
    // Finalizing the statements would touch the inherited connection.
    for (auto &entry : stmts_) entry.second.leak();
    stmts_.clear();
    db_.abandon();
}

void prepare_schema(Conn &c, bool read_only) {
    Db &db = c.db();
    int app_id = 0, version = 0;
    try {
        app_id = pragma_int(c, "PRAGMA application_id");
        version = pragma_int(c, "PRAGMA user_version");
    } catch (const Failure &f) {
        if (f.error.status == Status::corrupt) fail(Status::corrupt, "\"" + db.path() + "\" is not a presend store (not a SQLite database, or damaged)");
        throw;
    }
    if (app_id != 0 && app_id != kApplicationId) {
        fail(Status::corrupt, "\"" + db.path() + "\" is a SQLite database but not a presend store");
    }
    if (app_id == 0 && version == 0) {
        // A new file, or someone else's empty database: only an empty file is ours to initialize.
        if (pragma_int(c, "SELECT count(*) FROM sqlite_schema") != 0) {
            fail(Status::corrupt, "\"" + db.path() + "\" is a SQLite database but not a presend store");
        }
    }
    if (version > kSchemaVersion) {
        fail(Status::schema, "store \"" + db.path() + "\" has schema version " + std::to_string(version) +
                                 "; this presend understands up to " + std::to_string(kSchemaVersion) +
                                 " (written by a newer presend)");
    }
    // Only now that the file is known to be ours (or new) may its journal
    // mode change. WAL, which lets readers (dry runs, lookups) proceed while
    // one writer commits, is a property of the file: set once, kept.
    if (!read_only) db.exec("PRAGMA journal_mode=WAL");
    if (version == kSchemaVersion) return;
    if (read_only) {
        fail(Status::readonly, "store \"" + db.path() + "\" needs a schema upgrade but was opened read-only");
    }
    Transaction tx(db, Transaction::Kind::immediate);
    // Another process may have migrated while we waited for the lock.
    version = pragma_int(c, "PRAGMA user_version");
    for (int v = version; v < kSchemaVersion; ++v) db.exec(kMigrations[static_cast<size_t>(v)]);
    db.exec("PRAGMA application_id=" + std::to_string(kApplicationId));
    db.exec("PRAGMA user_version=" + std::to_string(kSchemaVersion));
    tx.commit();
}

std::string_view consent_status_name(ConsentStatus s) noexcept {
    switch (s) {
        case ConsentStatus::subscribed: return "subscribed";
        case ConsentStatus::unconfirmed: return "unconfirmed";
        case ConsentStatus::unsubscribed: return "unsubscribed";
    }
    return "subscribed";
}

std::string_view consent_method_name(ConsentMethod m) noexcept {
    switch (m) {
        case ConsentMethod::single: return "single";
        case ConsentMethod::double_opt_in: return "double";
        case ConsentMethod::import: return "import";
        case ConsentMethod::api: return "api";
    }
    return "api";
}

std::string_view suppression_reason_name(SuppressionReason r) noexcept {
    switch (r) {
        case SuppressionReason::bounce: return "bounce";
        case SuppressionReason::complaint: return "complaint";
        case SuppressionReason::manual: return "manual";
        case SuppressionReason::unsubscribe: return "unsubscribe";
    }
    return "manual";
}

namespace {

ConsentStatus consent_status_from(std::string_view s) {
    if (s == "unconfirmed") return ConsentStatus::unconfirmed;
    if (s == "unsubscribed") return ConsentStatus::unsubscribed;
    return ConsentStatus::subscribed;
}

ConsentMethod consent_method_from(std::string_view s) {
    if (s == "single") return ConsentMethod::single;
    if (s == "double") return ConsentMethod::double_opt_in;
    if (s == "import") return ConsentMethod::import;
    return ConsentMethod::api;
}

SuppressionReason suppression_reason_from(std::string_view s) {
    if (s == "bounce") return SuppressionReason::bounce;
    if (s == "complaint") return SuppressionReason::complaint;
    if (s == "unsubscribe") return SuppressionReason::unsubscribe;
    return SuppressionReason::manual;
}

// Columns: address, scope, reason, created_at, expires_at, note, event_ref.
SuppressionRecord suppression_from_row(const Stmt &s) {
    SuppressionRecord r;
    r.address = s.text(0);
    r.list = s.text(1);
    r.reason = suppression_reason_from(s.text(2));
    r.created_at = s.int64(3);
    r.expires_at = s.opt_int64(4);
    r.note = s.text(5);
    r.event_ref = s.text(6);
    return r;
}

ConsentRecord consent_from_row(const Stmt &s) {
    ConsentRecord r;
    r.address = s.text(0);
    r.list = s.text(1);
    r.status = consent_status_from(s.text(2));
    r.method = consent_method_from(s.text(3));
    r.consented_at = s.int64(4);
    r.confirmed_at = s.opt_int64(5);
    r.withdrawn_at = s.opt_int64(6);
    r.expires_at = s.opt_int64(7);
    r.source = s.text(8);
    r.ip = s.text(9);
    r.country = s.text(10);
    r.jurisdiction = s.text(11);
    r.updated_at = s.int64(12);
    return r;
}

}  // namespace

std::optional<ConsentRecord> consent_lookup(Conn &c, std::string_view address, std::string_view list) {
    // Point lookups on the primary key: the list-specific record, else the
    // one for every list ("*"). (One statement with IN and ORDER BY would
    // make SQLite build temporary b-trees on every call.)
    static constexpr const char *kSql =
        "SELECT address, list, status, method, consented_at, confirmed_at, withdrawn_at, expires_at, source, ip, "
        "country, jurisdiction, updated_at FROM consent WHERE address = ?1 AND list = ?2";
    Use s(c.stmt(kSql));
    if (!list.empty() && list != "*") {
        s->bind(1, address).bind(2, list);
        if (s->step()) return consent_from_row(*s);
        s->reset();
    }
    s->bind(1, address).bind(2, std::string_view("*"));
    if (!s->step()) return std::nullopt;
    return consent_from_row(*s);
}

void consent_put(Conn &c, const ConsentRecord &r) {
    static constexpr const char *kSql =
        "INSERT OR REPLACE INTO consent(address, list, status, method, consented_at, confirmed_at, withdrawn_at, "
        "expires_at, source, ip, country, jurisdiction, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
        "?11, ?12, ?13)";
    Use s(c.stmt(kSql));
    s->bind(1, r.address).bind(2, r.list).bind(3, consent_status_name(r.status)).bind(4, consent_method_name(r.method));
    s->bind(5, r.consented_at).bind(6, r.confirmed_at).bind(7, r.withdrawn_at).bind(8, r.expires_at);
    s->bind_text_or_null(9, r.source).bind_text_or_null(10, r.ip).bind_text_or_null(11, r.country);
    s->bind_text_or_null(12, r.jurisdiction).bind(13, r.updated_at);
    s->run();
}

bool consent_withdraw(Conn &c, std::string_view address, std::string_view list, int64_t now) {
    static constexpr const char *kSql =
        "UPDATE consent SET status = 'unsubscribed', withdrawn_at = ?3, updated_at = ?3 "
        "WHERE address = ?1 AND list = ?2";
    Use s(c.stmt(kSql));
    s->bind(1, address).bind(2, list).bind(3, now);
    s->run();
    return c.db().changes() > 0;
}

std::vector<ConsentRecord> consent_list(Conn &c, std::string_view address, std::optional<std::string_view> list) {
    static constexpr const char *kAll =
        "SELECT address, list, status, method, consented_at, confirmed_at, withdrawn_at, expires_at, source, ip, "
        "country, jurisdiction, updated_at FROM consent WHERE address = ?1 ORDER BY list";
    static constexpr const char *kOne =
        "SELECT address, list, status, method, consented_at, confirmed_at, withdrawn_at, expires_at, source, ip, "
        "country, jurisdiction, updated_at FROM consent WHERE address = ?1 AND list = ?2";
    Use s(c.stmt(list ? kOne : kAll));
    s->bind(1, address);
    if (list) s->bind(2, *list);
    std::vector<ConsentRecord> out;
    while (s->step()) out.push_back(consent_from_row(*s));
    return out;
}

void write_consent_json(std::string &out, const std::vector<ConsentRecord> &records) {
    JsonWriter w(out);
    w.begin_array();
    for (const auto &r : records) {
        w.begin_object();
        w.field("address", r.address);
        w.field("list", r.list);
        w.field("status", consent_status_name(r.status));
        w.field("method", consent_method_name(r.method));
        w.key("consented_at").timestamp(r.consented_at);
        w.key("confirmed_at").timestamp(r.confirmed_at);
        w.key("withdrawn_at").timestamp(r.withdrawn_at);
        w.key("expires_at").timestamp(r.expires_at);
        auto opt = [&](std::string_view k, const std::string &v) {
            w.key(k);
            if (v.empty()) w.null();
            else w.value(v);
        };
        opt("source", r.source);
        opt("ip", r.ip);
        opt("country", r.country);
        opt("jurisdiction", r.jurisdiction);
        w.key("updated_at").timestamp(r.updated_at);
        w.end_object();
    }
    w.end_array();
}

std::vector<SuppressionRecord> suppression_lookup(Conn &c, std::string_view address, std::string_view domain,
                                                  std::string_view list, int64_t now) {
    // Two range scans on the primary key's first column (an address has few
    // scopes); the scope and expiry are filtered here, which keeps SQLite
    // from building temporary b-trees for IN lists.
    static constexpr const char *kSql =
        "SELECT address, scope, reason, created_at, expires_at, note, event_ref FROM suppression WHERE address = ?1";
    std::vector<SuppressionRecord> out;
    std::string at_domain;
    at_domain.reserve(domain.size() + 1);
    at_domain.push_back('@');
    at_domain += domain;
    Use s(c.stmt(kSql));
    for (std::string_view key : {address, std::string_view(at_domain)}) {
        s->reset();
        s->bind(1, key);
        while (s->step()) {
            std::string_view scope = s->text(1);
            if (!scope.empty() && scope != list) continue;
            std::optional<int64_t> expires = s->opt_int64(4);
            if (expires && *expires <= now) continue;
            out.push_back(suppression_from_row(*s));
        }
    }
    return out;
}

void suppression_put(Conn &c, const SuppressionRecord &r) {
    static constexpr const char *kSql =
        "INSERT OR REPLACE INTO suppression(address, scope, reason, created_at, expires_at, note, event_ref) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    Use s(c.stmt(kSql));
    s->bind(1, r.address).bind(2, r.list).bind(3, suppression_reason_name(r.reason)).bind(4, r.created_at);
    s->bind(5, r.expires_at).bind_text_or_null(6, r.note).bind_text_or_null(7, r.event_ref);
    s->run();
}

bool suppression_remove(Conn &c, std::string_view address, std::string_view list) {
    static constexpr const char *kSql = "DELETE FROM suppression WHERE address = ?1 AND scope = ?2";
    Use s(c.stmt(kSql));
    s->bind(1, address).bind(2, list);
    s->run();
    return c.db().changes() > 0;
}

std::vector<SuppressionRecord> suppression_list(Conn &c, const SuppressionFilter &f) {
    static constexpr const char *kSql =
        "SELECT address, scope, reason, created_at, expires_at, note, event_ref FROM suppression "
        "WHERE (?1 IS NULL OR address = ?1) AND (?2 = 1 OR scope = ?3) AND (?4 IS NULL OR reason = ?4) "
        "ORDER BY address, scope LIMIT ?5";
    Use s(c.stmt(kSql));
    s->bind_text_or_null(1, f.address);
    s->bind(2, int64_t{f.any_list ? 1 : 0});
    s->bind(3, f.list);
    s->bind_text_or_null(4, f.reason);
    s->bind(5, f.limit);
    std::vector<SuppressionRecord> out;
    while (s->step()) out.push_back(suppression_from_row(*s));
    return out;
}

void write_suppression_json(std::string &out, const std::vector<SuppressionRecord> &records) {
    JsonWriter w(out);
    w.begin_array();
    for (const auto &r : records) {
        w.begin_object();
        w.field("address", r.address);
        w.key("list");
        if (r.list.empty()) w.null();
        else w.value(r.list);
        w.field("reason", suppression_reason_name(r.reason));
        w.key("created_at").timestamp(r.created_at);
        w.key("expires_at").timestamp(r.expires_at);
        w.key("note");
        if (r.note.empty()) w.null();
        else w.value(r.note);
        w.key("event");  // the fingerprint of the provider event that added it
        if (r.event_ref.empty()) w.null();
        else w.value(r.event_ref);
        w.end_object();
    }
    w.end_array();
}

std::optional<AuthStatus> auth_status_get(Conn &c, std::string_view domain) {
    static constexpr const char *kSql =
        "SELECT domain, checked_at, spf, mail_from, dkim, dkim_bits, dmarc, dmarc_policy, adkim, aspf, org_domain, "
        "dns_errors FROM auth_status WHERE domain = ?1";
    Use s(c.stmt(kSql));
    s->bind(1, domain);
    if (!s->step()) return std::nullopt;
    AuthStatus a;
    a.domain = s->text(0);
    a.checked_at = s->int64(1);
    a.spf = s->text(2);
    a.mail_from = s->text(3);
    a.dkim = s->text(4);
    a.dkim_bits = s->opt_int64(5);
    a.dmarc = s->text(6);
    a.dmarc_policy = s->text(7);
    a.adkim = s->text(8);
    a.aspf = s->text(9);
    a.org_domain = s->text(10);
    a.dns_errors = s->text(11);
    return a;
}

void auth_status_put(Conn &c, const AuthStatus &a) {
    static constexpr const char *kSql =
        "INSERT OR REPLACE INTO auth_status(domain, checked_at, spf, mail_from, dkim, dkim_bits, dmarc, dmarc_policy, "
        "adkim, aspf, org_domain, dns_errors, report) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
    Use s(c.stmt(kSql));
    s->bind(1, a.domain).bind(2, a.checked_at).bind(3, a.spf).bind(4, a.mail_from).bind(5, a.dkim);
    s->bind(6, a.dkim_bits).bind(7, a.dmarc).bind_text_or_null(8, a.dmarc_policy).bind(9, a.adkim).bind(10, a.aspf);
    s->bind(11, a.org_domain).bind_text_or_null(12, a.dns_errors).bind(13, a.report);
    s->run();
}

std::vector<AuthStatus> auth_status_list(Conn &c) {
    static constexpr const char *kSql = "SELECT domain, report FROM auth_status ORDER BY domain";
    std::vector<std::string> domains, reports;
    {
        Use s(c.stmt(kSql));
        while (s->step()) {
            domains.emplace_back(s->text(0));
            reports.emplace_back(s->text(1));
        }
    }
    std::vector<AuthStatus> out;
    for (size_t i = 0; i < domains.size(); ++i) {
        auto a = auth_status_get(c, domains[i]);
        if (!a) continue;
        a->report = std::move(reports[i]);
        out.push_back(std::move(*a));
    }
    return out;
}

void send_log_add(Conn &c, std::string_view address, std::string_view list, int64_t sent_at,
                  std::string_view decision_id, int64_t forget_before) {
    static constexpr const char *kPrune = "DELETE FROM send_log WHERE address = ?1 AND sent_at < ?2";
    static constexpr const char *kAdd =
        "INSERT OR IGNORE INTO send_log(address, sent_at, decision_id, list) VALUES (?1, ?2, ?3, ?4)";
    {
        Use s(c.stmt(kPrune));
        s->bind(1, address).bind(2, forget_before);
        s->run();
    }
    Use s(c.stmt(kAdd));
    s->bind(1, address).bind(2, sent_at).bind(3, decision_id).bind(4, list);
    s->run();
}

void send_log_remove(Conn &c, std::string_view address, int64_t sent_at, std::string_view decision_id) {
    static constexpr const char *kSql = "DELETE FROM send_log WHERE address = ?1 AND sent_at = ?2 AND decision_id = ?3";
    Use s(c.stmt(kSql));
    s->bind(1, address).bind(2, sent_at).bind(3, decision_id);
    s->run();
}

std::vector<int64_t> send_times(Conn &c, std::string_view address, std::optional<std::string_view> list,
                                int64_t since) {
    static constexpr const char *kAll =
        "SELECT sent_at FROM send_log WHERE address = ?1 AND sent_at > ?2 ORDER BY sent_at";
    static constexpr const char *kList =
        "SELECT sent_at FROM send_log WHERE address = ?1 AND sent_at > ?2 AND list = ?3 ORDER BY sent_at";
    Use s(c.stmt(list ? kList : kAll));
    s->bind(1, address).bind(2, since);
    if (list) s->bind(3, *list);
    std::vector<int64_t> out;
    while (s->step()) out.push_back(s->int64(0));
    return out;
}

}  // namespace presend
