// The engine's feedback side: pauses, reputation status, the audit trail.
#include <openssl/sha.h>

#include "engine.hpp"
#include "json.hpp"
#include "reputation.hpp"
#include "text.hpp"

namespace presend {

std::string Engine::history_address(std::string_view address) const {
    return presend::history_address(audit_key_, config_.audit.addresses, address);
}

void Engine::audit(Conn &c, int64_t at_ms, std::string_view kind, std::string_view content) const {
    audit_append(c, audit_key_, at_ms, kind, content);
}

void Engine::record_configuration(Conn &c) {
    static constexpr const char *kGet = "SELECT value FROM meta WHERE key = 'config_fingerprint'";
    static constexpr const char *kPut = "INSERT OR REPLACE INTO meta(key, value) VALUES ('config_fingerprint', ?1)";
    std::string content;
    JsonWriter w(content);
    w.begin_object().field("config_sha256", config_.source_sha256);
    w.field("addresses", config_.audit.addresses == AddressForm::hashed ? "hashed" : "clear");
    w.field("audit_key", audit_key_.source);
    w.key("plugins").begin_array();
    for (const auto &p : plugins_) {
        w.begin_object().field("name", p->name()).field("version", p->version()).field("path", p->path());
        w.field("mode", mode_name(p->mode())).end_object();
    }
    w.end_array().end_object();
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char *>(content.data()), content.size(), md);
    std::string fingerprint = to_hex(std::string_view(reinterpret_cast<const char *>(md), sizeof md));
    {
        Use s(c.stmt(kGet));
        if (s->step() && s->text(0) == fingerprint) return;
    }
    Transaction tx(c.db(), Transaction::Kind::immediate);
    {
        // Another process may have recorded the same configuration meanwhile.
        Use s(c.stmt(kGet));
        if (s->step() && s->text(0) == fingerprint) return;
    }
    audit(c, clock_ms(), "config", content);
    {
        Use s(c.stmt(kPut));
        s->bind(1, fingerprint);
        s->run();
    }
    tx.commit();
}

namespace {

void write_pause(JsonWriter &w, const PauseRecord &p) {
    w.begin_object().field("account", p.account);
    w.key("region");
    if (p.region.empty()) w.null();
    else w.value(p.region);
    w.key("paused_at").timestamp(p.paused_at);
    w.field("reason", p.reason).end_object();
}

}  // namespace

std::string Engine::pause(std::string_view account, std::optional<std::string_view> region, std::string_view reason) {
    require_writable();
    auto acct = config_.accounts.find(account);
    if (acct == config_.accounts.end()) fail(Status::invalid_argument, "unknown account \"" + std::string(account) + "\"");
    if (region && !acct->second.regions.contains(*region)) {
        fail(Status::invalid_argument, "region \"" + std::string(*region) + "\" is not configured for account \"" +
                                           std::string(account) + "\"");
    }
    PauseRecord p;
    p.account = std::string(account);
    p.region = region ? std::string(*region) : std::string();
    p.paused_at = clock_ms();
    p.reason = reason.empty() ? std::string("paused by an operator") : std::string(reason);
    std::string out;
    JsonWriter w(out);
    write_pause(w, p);
    auto lease = pool_.acquire();
    Transaction tx(lease->db(), Transaction::Kind::immediate);
    pause_put(*lease, p);
    audit(*lease, p.paused_at, "pause", out);
    tx.commit();
    return out;
}

std::string Engine::resume(std::string_view account, std::optional<std::string_view> region) {
    require_writable();
    std::string r = region ? std::string(*region) : std::string();
    auto lease = pool_.acquire();
    Transaction tx(lease->db(), Transaction::Kind::immediate);
    if (!pause_remove(*lease, account, r)) {
        fail(Status::not_found, "no pause for " + std::string(account) + (region ? "/" + r : std::string(" (account-wide)")));
    }
    int64_t now = clock_ms();
    std::string out;
    JsonWriter w(out);
    w.begin_object().field("account", account);
    w.key("region");
    if (r.empty()) w.null();
    else w.value(r);
    w.key("resumed_at").timestamp(now).end_object();
    audit(*lease, now, "resume", out);
    tx.commit();
    return out;
}

std::string Engine::reputation_json(std::optional<std::string_view> account, std::optional<std::string_view> region) {
    const auto &rc = config_.reputation;
    int64_t now = clock_ms();
    auto lease = pool_.acquire();
    Transaction tx(lease->db(), Transaction::Kind::deferred);
    std::string out;
    JsonWriter w(out);
    w.begin_array();
    for (const auto &[aname, acct] : config_.accounts) {
        if (account && *account != aname) continue;
        for (const auto &[rname, limits] : acct.regions) {
            (void)limits;
            if (region && *region != rname) continue;
            auto counts = reputation_window(*lease, aname, rname, now - rc.window_ms);
            auto paused = pause_find(*lease, aname, rname);
            double sends = static_cast<double>(counts.sends);
            double bounce = counts.sends > 0 ? static_cast<double>(counts.bounces) / sends : 0.0;
            double complaint = counts.sends > 0 ? static_cast<double>(counts.complaints) / sends : 0.0;
            bool counts_now = counts.sends >= rc.min_volume;
            std::string status = "ok";
            if (paused) status = "paused";
            else if (!counts_now) status = "insufficient_volume";
            else if (bounce >= rc.bounce_defer || complaint >= rc.complaint_defer) status = "defer";
            else if (bounce >= rc.bounce_warn || complaint >= rc.complaint_warn) status = "warn";
            w.begin_object().field("account", aname).field("region", rname);
            w.field("window_hours", rc.window_ms / 3600000).field("min_volume", rc.min_volume);
            w.field("sends", counts.sends).field("bounces", counts.bounces).field("transient_bounces", counts.transient);
            w.field("complaints", counts.complaints).field("counts", counts_now);
            w.field("bounce_rate", bounce).field("complaint_rate", complaint);
            w.key("levels").begin_object().field("bounce_warn", rc.bounce_warn).field("bounce_defer", rc.bounce_defer);
            w.field("complaint_warn", rc.complaint_warn).field("complaint_defer", rc.complaint_defer).end_object();
            w.key("ses").begin_object().field("bounce_review", kSesBounceReview).field("bounce_pause", kSesBouncePause);
            w.field("complaint_review", kSesComplaintReview).field("complaint_pause", kSesComplaintPause).end_object();
            w.key("distance").begin_object();
            w.field("bounce_review", describe_rate(bounce, kSesBounceReview, "review threshold"));
            w.field("bounce_pause", describe_rate(bounce, kSesBouncePause, "pause threshold"));
            w.field("complaint_review", describe_rate(complaint, kSesComplaintReview, "review threshold"));
            w.field("complaint_pause", describe_rate(complaint, kSesComplaintPause, "pause threshold"));
            w.end_object();
            w.field("status", status);
            w.key("paused");
            if (paused) write_pause(w, *paused);
            else w.null();
            w.end_object();
        }
    }
    w.end_array();
    tx.commit();
    return out;
}

std::string Engine::audit_verify_json() {
    auto lease = pool_.acquire();
    Transaction tx(lease->db(), Transaction::Kind::deferred);
    auto r = audit_verify(*lease, audit_key_);
    tx.commit();
    std::string out;
    JsonWriter w(out);
    w.begin_object().field("ok", r.ok).field("records", r.records);
    w.key("first_bad");
    if (r.ok) w.null();
    else w.value(r.first_bad);
    w.key("problem");
    if (r.ok) w.null();
    else w.value(r.problem);
    w.field("verified_through", r.last_seq).field("head", r.head).field("key", audit_key_.source);
    if (audit_key_.source == "store") {
        w.field("note", "the key is kept in the store: this detects damage, not deliberate edits; "
                        "configure audit.key_file or audit.key_env");
    }
    w.end_object();
    return out;
}

}  // namespace presend
