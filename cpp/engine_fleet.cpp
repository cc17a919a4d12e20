// Fleet mode's shared suppression list: suppressions, their removals and
// consent withdrawals made on one host reach every host sharing the Redis.
//
// The design: a Redis stream of changes, applied into each host's own store.
//   - A change is written to the local store first, with a row in the
//     fleet_outbox table in the same transaction, and then published (XADD)
//     and its row deleted. Redis being down loses nothing: the row waits and
//     is published by the next check or change that reaches Redis.
//   - Before every check the engine reads the changes after its cursor
//     (XREAD, one round trip when there are none), applies the other hosts'
//     changes to its store and moves the cursor, in one transaction. A change
//     made on one host therefore blocks the very next check on every other
//     host, however long ago that host last looked.
//   - The checks themselves keep reading the local store: no per-recipient
//     round trip, reports and the audit trail see every suppression, and a
//     host keeps every suppression it has seen while Redis is away.
// Why a stream and not a Redis set consulted per check, or publish/subscribe:
// a set would make Redis the only copy (a Redis that restarts empty forgets
// every suppression, and checks would need it for each recipient), and
// publish/subscribe drops the messages of a host that is disconnected at the
// moment they are sent. A stream keeps the changes (it survives a restart
// with Redis's own persistence, AOF or RDB), a host that was away reads on
// from its cursor, and what a host has applied survives in its store whatever
// happens to Redis.
#include "engine.hpp"
#include "json.hpp"
#include "store.hpp"

namespace presend {

#ifdef PRESEND_HAVE_REDIS

namespace {

constexpr const char *kOutboxAdd = "INSERT INTO fleet_outbox(kind, body) VALUES (?1, ?2)";
constexpr const char *kOutboxRead = "SELECT seq, kind, body FROM fleet_outbox ORDER BY seq LIMIT 500";
constexpr const char *kOutboxDelete = "DELETE FROM fleet_outbox WHERE seq <= ?1";
constexpr const char *kMetaGet = "SELECT value FROM meta WHERE key = ?1";
constexpr const char *kMetaPut = "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)";
constexpr const char *kMetaAdd = "INSERT OR IGNORE INTO meta(key, value) VALUES (?1, ?2)";

constexpr int64_t kReadBatch = 1000;

std::string meta_get(Conn &c, const std::string &key) {
    Use s(c.stmt(kMetaGet));
    s->bind(1, key);
    return s->step() ? std::string(s->text(0)) : std::string();
}

// Stream ids are "<ms>-<seq>": compares them as numbers.
bool id_after(std::string_view a, std::string_view b) {
    auto parts = [](std::string_view id) {
        uint64_t ms = 0, seq = 0;
        auto dash = id.find('-');
        for (char ch : id.substr(0, dash)) ms = ms * 10 + static_cast<uint64_t>(ch - '0');
        if (dash != std::string_view::npos) {
            for (char ch : id.substr(dash + 1)) seq = seq * 10 + static_cast<uint64_t>(ch - '0');
        }
        return std::pair{ms, seq};
    };
    return parts(a) > parts(b);
}

std::optional<SuppressionReason> reason_named(std::string_view s) {
    for (auto r : {SuppressionReason::bounce, SuppressionReason::complaint, SuppressionReason::manual,
                   SuppressionReason::unsubscribe}) {
        if (suppression_reason_name(r) == s) return r;
    }
    return std::nullopt;
}

const cJSON *member(const cJSON *o, std::string_view name) {
    for (const cJSON *m = json_child(o); m != nullptr; m = json_next(m)) {
        if (json_key(m) == name) return m;
    }
    return nullptr;
}

std::optional<std::string> text_member(const cJSON *o, std::string_view name) {
    const cJSON *m = member(o, name);
    if (m == nullptr) return std::nullopt;
    auto v = json_string(m, name, Status::parse);
    if (!v) return std::nullopt;
    return std::string(*v);
}

std::optional<int64_t> int_member(const cJSON *o, std::string_view name) {
    const cJSON *m = member(o, name);
    if (m == nullptr) return std::nullopt;
    auto v = json_int(m, name, 0, int64_t{1} << 53, Status::parse);
    if (!v) return std::nullopt;
    return *v;
}

}  // namespace

bool Engine::fleet_shares() const noexcept {
    return redis_ != nullptr && config_.redis.share_suppressions && !options_.read_only;
}

void Engine::fleet_open(Conn &c) {
    if (!fleet_shares()) return;
    // This store's name in the stream, made once: its own changes are not
    // applied to it again.
    {
        Use s(c.stmt(kMetaAdd));
        s->bind(1, std::string_view("fleet_origin")).bind(2, new_id(clock_ms()));
        s->run();
    }
    fleet_origin_ = meta_get(c, "fleet_origin");
    // The cursor belongs to one stream: a store pointed at another Redis or
    // prefix reads that stream from its start.
    fleet_cursor_key_ = "fleet_cursor " + config_.redis.url + " " + config_.redis.prefix;
}

void Engine::fleet_record(Conn &c, std::string_view kind, std::string_view body) const {
    if (!fleet_shares()) return;
    Use s(c.stmt(kOutboxAdd));
    s->bind(1, kind).bind(2, body);
    s->run();
}

void Engine::fleet_publish(Conn &c) {
    for (;;) {
        struct Row {
            int64_t seq;
            std::string kind, body;
        };
        std::vector<Row> rows;
        {
            Use s(c.stmt(kOutboxRead));
            while (s->step()) rows.push_back({s->int64(0), std::string(s->text(1)), std::string(s->text(2))});
        }
        if (rows.empty()) return;
        int64_t done = 0;
        std::optional<Failure> failed;
        for (const auto &r : rows) {
            try {
                std::lock_guard lock(redis_mu_);
                redis_->publish(fleet_origin_, r.kind, r.body, config_.redis.stream_max);
            } catch (const Failure &f) {
                failed = f;
                break;
            }
            done = r.seq;
        }
        if (done > 0) {
            Use s(c.stmt(kOutboxDelete));
            s->bind(1, done);
            s->run();
        }
        if (failed) throw *failed;
    }
}

void Engine::fleet_after_write() {
    if (!fleet_shares()) return;
    // Best effort: the change is stored; what Redis does not take now waits
    // in the outbox for the next check or change.
    try {
        std::lock_guard lock(fleet_mu_);
        auto lease = pool_.acquire();
        fleet_publish(*lease);
    } catch (const Failure &) {
    }
}

void Engine::fleet_apply(Conn &c, const RedisLedger::Change &ch, int64_t now) {
    auto doc = json_parse(ch.body, 64 * 1024);
    if (!doc || !json_is_object(doc->get())) return;  // not ours to judge: skipped
    const cJSON *o = doc->get();
    auto address = text_member(o, "address");
    if (!address || address->empty()) return;
    const cJSON *list_node = member(o, "list");
    std::string list;
    if (list_node != nullptr && json_is_string(list_node)) list = text_member(o, "list").value_or("");
    std::string shown = (*address)[0] == '@' ? *address : history_address(*address);
    std::string content;
    JsonWriter w(content);
    w.begin_object().field("address", shown);
    w.key("list");
    if (list.empty() && ch.kind != "consent.withdraw") w.null();
    else w.value(list);
    if (ch.kind == "suppression.put") {
        SuppressionRecord r;
        r.address = *address;
        r.list = list;
        auto reason = reason_named(text_member(o, "reason").value_or(""));
        if (!reason) return;
        r.reason = *reason;
        r.created_at = int_member(o, "created_at").value_or(now);
        r.expires_at = int_member(o, "expires_at");
        r.note = text_member(o, "note").value_or("");
        r.event_ref = text_member(o, "event_ref").value_or("");
        suppression_put(c, r);
        w.field("reason", suppression_reason_name(r.reason));
    } else if (ch.kind == "suppression.remove") {
        presend::suppression_remove(c, *address, list);
    } else if (ch.kind == "consent.withdraw") {
        presend::consent_withdraw(c, *address, list, int_member(o, "at").value_or(now));
    } else {
        return;  // a kind a newer presend publishes: skipped
    }
    w.field("via", "fleet").field("stream_id", ch.id).end_object();
    audit(c, now, ch.kind, content);
}

std::optional<Error> Engine::fleet_sync() {
    if (!fleet_shares()) return std::nullopt;
    try {
        std::lock_guard lock(fleet_mu_);
        auto lease = pool_.acquire();
        Conn &c = *lease;
        fleet_publish(c);
        for (;;) {
            std::string cursor = meta_get(c, fleet_cursor_key_);
            if (cursor.empty()) cursor.push_back('0');  // the stream from its start
            std::vector<RedisLedger::Change> changes;
            {
                std::lock_guard redis_lock(redis_mu_);
                changes = redis_->changes_after(cursor, kReadBatch);
            }
            if (changes.empty()) return std::nullopt;
            Transaction tx(c.db(), Transaction::Kind::immediate);
            // Another process on this store may have applied some already.
            std::string applied = meta_get(c, fleet_cursor_key_);
            int64_t now = clock_ms();
            for (const auto &ch : changes) {
                if (!applied.empty() && !id_after(ch.id, applied)) continue;
                if (ch.origin != fleet_origin_) fleet_apply(c, ch, now);
            }
            if (applied.empty() || id_after(changes.back().id, applied)) {
                Use s(c.stmt(kMetaPut));
                s->bind(1, fleet_cursor_key_).bind(2, changes.back().id);
                s->run();
            }
            tx.commit();
            if (static_cast<int64_t>(changes.size()) < kReadBatch) return std::nullopt;
        }
    } catch (const Failure &f) {
        return f.error;
    }
}

#else

// Without hiredis there is no fleet: changes stay local.
void Engine::fleet_record(Conn &, std::string_view, std::string_view) const {}
void Engine::fleet_after_write() {}
std::optional<Error> Engine::fleet_sync() { return std::nullopt; }

#endif

// The body of a change, as fleet_apply reads it.
std::string Engine::fleet_suppression_body(const SuppressionRecord &r) {
    std::string out;
    JsonWriter w(out);
    w.begin_object().field("address", r.address);
    w.key("list");
    if (r.list.empty()) w.null();
    else w.value(r.list);
    w.field("reason", suppression_reason_name(r.reason)).field("created_at", r.created_at);
    w.key("expires_at");
    if (r.expires_at) w.value(*r.expires_at);
    else w.null();
    w.field("note", r.note).field("event_ref", r.event_ref).end_object();
    return out;
}

}  // namespace presend
