// Ingesting what providers report back: SES notifications and published
// events (bare or in SNS envelopes) and ARF feedback reports. Each event is
// stored once (by fingerprint); permanent bounces and complaints suppress
// their recipients, and bounces and complaints feed the reputation guard.
#include <algorithm>

#include "engine.hpp"
#include "feedback/arf.hpp"
#include "feedback/ses_event.hpp"
#include "json.hpp"
#include "reputation.hpp"
#include "text.hpp"

namespace presend {

namespace {

namespace fb = presend::feedback;

constexpr size_t kMaxIngestBytes = fb::kMaxSesInputBytes;

struct IngestOptions {
    std::string format = "auto";  // auto, ses, arf
    std::string account, region;  // attribution overrides
    std::string source;           // a name for the audit trail (file name)
    std::string certificate_pem;  // an SNS signing certificate the host obtained
};

IngestOptions ingest_options(std::string_view json) {
    IngestOptions o;
    if (trim(json).empty()) return o;
    auto doc = json_parse(json, 1024 * 1024);
    if (!doc) throw Failure{std::move(doc).error()};
    const cJSON *root = doc->get();
    if (!json_is_object(root)) fail(Status::invalid_argument, "ingest options must be a JSON object");
    for (const cJSON *m = json_child(root); m != nullptr; m = json_next(m)) {
        std::string_view k = json_key(m);
        auto v = json_string(m, "options." + std::string(k), Status::invalid_argument);
        if (!v) throw Failure{std::move(v).error()};
        if (k == "format") o.format = std::string(*v);
        else if (k == "account") o.account = std::string(*v);
        else if (k == "region") o.region = std::string(*v);
        else if (k == "source") o.source = std::string(*v);
        else if (k == "sns_certificate") o.certificate_pem = std::string(*v);
        else fail(Status::invalid_argument, "unknown ingest option \"" + std::string(k) + "\"");
    }
    if (o.format != "auto" && o.format != "ses" && o.format != "arf") {
        fail(Status::invalid_argument, "options.format must be \"auto\", \"ses\" or \"arf\"");
    }
    return o;
}

// JSON (SES, SNS) starts with '{' or '['; anything else is a mail message.
bool looks_like_json(std::string_view data) {
    if (data.size() >= 3 && static_cast<unsigned char>(data[0]) == 0xEF && static_cast<unsigned char>(data[1]) == 0xBB &&
        static_cast<unsigned char>(data[2]) == 0xBF) {
        data.remove_prefix(3);
    }
    data = trim(data);
    return !data.empty() && (data.front() == '{' || data.front() == '[');
}

struct Effect {
    std::string name;  // suppressed, counted, recorded
    int64_t suppressed = 0;
    ReputationCounts counts;
};

// What one event does to the store, beyond its own row.
Effect apply(const Engine &e, Conn &c, const fb::Event &ev, const std::string &account, const std::string &region,
             int64_t now) {
    Effect out;
    out.name = "recorded";
    auto n = static_cast<int64_t>(ev.recipients.size());
    auto suppress = [&](SuppressionReason reason, const std::string &note) {
        for (const auto &r : ev.recipients) {
            if (r.address.empty()) continue;
            SuppressionRecord s;
            s.address = r.address;
            s.reason = reason;
            s.created_at = now;
            s.note = note;
            s.event_ref = ev.fingerprint;
            // A manual entry or an older reason stays what it is: keep the first.
            auto existing = suppression_lookup(c, r.address, "", "", now);
            bool global = std::any_of(existing.begin(), existing.end(),
                                      [&](const SuppressionRecord &x) { return x.address == r.address && x.list.empty(); });
            if (global) continue;
            suppression_put(c, s);
            e.fleet_record(c, "suppression.put", Engine::fleet_suppression_body(s));
            ++out.suppressed;
        }
    };
    switch (ev.kind) {
        case fb::EventKind::bounce: {
            const auto &b = *ev.bounce;
            std::string note = "SES " + std::string(fb::bounce_type_name(b.type)) +
                               (b.subtype_text.empty() ? std::string() : "/" + b.subtype_text) + " bounce";
            if (b.type == fb::BounceType::permanent) {
                suppress(SuppressionReason::bounce, note);
                // SES does not count sends to addresses on the account's own
                // suppression list against the bounce rate: nothing was sent.
                if (b.subtype != fb::BounceSubtype::on_account_suppression_list) out.counts.bounces = n;
                out.name = "suppressed";
            } else {
                out.counts.transient = n;
                out.name = "counted";
            }
            break;
        }
        case fb::EventKind::complaint: {
            const auto &cd = *ev.complaint;
            if (cd.feedback_type == fb::FeedbackType::not_spam) break;  // a retraction, not a complaint
            std::string type = cd.feedback_type_text.empty() ? std::string("unspecified") : cd.feedback_type_text;
            suppress(SuppressionReason::complaint,
                     (ev.source == fb::EventSource::arf ? "ARF " : "SES ") + std::string("complaint (") + type + ")" +
                         (cd.subtype_text.empty() ? std::string() : ", " + cd.subtype_text));
            if (cd.subtype != fb::ComplaintSubtype::on_account_suppression_list) out.counts.complaints = n;
            out.name = "suppressed";
            break;
        }
        case fb::EventKind::subscription: {
            const auto &sd = *ev.subscription;
            if (sd.new_preferences.unsubscribe_all) {
                suppress(SuppressionReason::unsubscribe, "SES list management: unsubscribed from " +
                                                             (sd.contact_list.empty() ? std::string("all lists") : sd.contact_list));
                out.name = "suppressed";
            }
            break;
        }
        default: break;
    }
    (void)account;
    (void)region;
    return out;
}

}  // namespace

std::string Engine::events_ingest(std::string_view data, std::string_view options_json) {
    require_writable();
    IngestOptions o = ingest_options(options_json);
    if (data.size() > kMaxIngestBytes) {
        fail(Status::too_big, "event input over " + std::to_string(kMaxIngestBytes / (1024 * 1024)) + " MiB");
    }
    if (!o.account.empty() && !config_.accounts.contains(o.account)) {
        fail(Status::invalid_argument, "unknown account \"" + o.account + "\"");
    }
    int64_t now = clock_ms();

    // Parse everything before touching the store.
    std::vector<fb::SesOutcome> outcomes;
    bool arf = o.format == "arf" || (o.format == "auto" && !looks_like_json(data));
    if (trim(data).empty()) {
        // Nothing to ingest (an empty file, a quiet queue): no documents.
    } else if (arf) {
        fb::SesOutcome one;
        auto r = fb::parse_arf_report(data, config_.address);
        if (r) one.value = std::move(*r);
        else one.value = std::move(r).error();
        outcomes.push_back(std::move(one));
    } else {
        fb::SesParseOptions po;
        po.addresses = config_.address;
        po.sns.certificate_pem = o.certificate_pem;
        po.sns.certificate_dir = config_.events.sns_cert_dir;
        po.sns.now_ms = now;
        switch (config_.events.sns_verify) {
            case SnsVerify::automatic:
                po.sns.policy = (!o.certificate_pem.empty() || !config_.events.sns_cert_dir.empty())
                                    ? fb::SnsVerifyPolicy::if_present
                                    : fb::SnsVerifyPolicy::off;
                break;
            case SnsVerify::off: po.sns.policy = fb::SnsVerifyPolicy::off; break;
            case SnsVerify::if_present: po.sns.policy = fb::SnsVerifyPolicy::if_present; break;
            case SnsVerify::required: po.sns.policy = fb::SnsVerifyPolicy::required; break;
        }
        outcomes = fb::parse_ses_events(data, po);
    }

    // Attribution: the caller's, else the account whose AWS account ID sent
    // it, else the default; the region the event names, else the default.
    auto attribute = [&](const fb::Event &ev, std::string &account, std::string &region) {
        account = o.account;
        if (account.empty() && !ev.sending_account_id.empty()) {
            for (const auto &[name, a] : config_.accounts) {
                if (a.aws_account_id == ev.sending_account_id) account = name;
            }
        }
        if (account.empty()) account = config_.default_account;
        region = !o.region.empty() ? o.region : (!ev.region.empty() ? ev.region : config_.default_region);
    };

    static constexpr const char *kInsert =
        "INSERT OR IGNORE INTO event(fingerprint, received_at, event_at, kind, bounce_type, subtype, source, account, "
        "region, message_id, ses_message_id, recipients, effect) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
    std::string report;
    JsonWriter w(report);
    int64_t ingested = 0, duplicates = 0, failed = 0, other = 0, suppressed = 0;
    ReputationCounts totals;
    std::vector<std::string> fingerprints;
    std::string rows;
    JsonWriter rw(rows);
    rw.begin_array();

    auto lease = pool_.acquire();
    Conn &c = *lease;
    Transaction tx(c.db(), Transaction::Kind::immediate);
    for (const auto &out : outcomes) {
        rw.begin_object().field("index", out.index).field("line", out.line);
        if (const auto *err = out.error()) {
            ++failed;
            rw.field("status", "error");
            rw.key("error").begin_object().field("code", err->code_name()).field("message", err->message).end_object();
        } else if (const auto *conf = out.confirmation()) {
            ++other;
            rw.field("status", "sns_confirmation").field("type", fb::sns_message_type_name(conf->type));
            rw.field("topic_arn", conf->topic_arn).field("subscribe_url", conf->subscribe_url);
        } else if (const auto *notice = out.notice()) {
            ++other;
            rw.field("status", "notice").field("type", notice->type);
        } else if (const auto *ev = out.event()) {
            std::string account, region;
            attribute(*ev, account, region);
            std::string recipients;
            for (const auto &r : ev->recipients) {
                if (!recipients.empty()) recipients.push_back(' ');
                recipients += history_address(r.address);
            }
            bool fresh = false;
            {
                Use s(c.stmt(kInsert));
                s->bind(1, ev->fingerprint).bind(2, now).bind(3, ev->time_ms).bind(4, fb::event_kind_name(ev->kind));
                if (ev->bounce) {
                    s->bind(5, fb::bounce_type_name(ev->bounce->type));
                    s->bind_text_or_null(6, ev->bounce->subtype_text);
                } else if (ev->complaint) {
                    s->bind_null(5);
                    s->bind_text_or_null(6, ev->complaint->feedback_type_text);
                } else {
                    s->bind_null(5).bind_null(6);
                }
                s->bind(7, fb::event_source_name(ev->source)).bind(8, account).bind(9, region);
                s->bind_text_or_null(10, ev->message_id).bind_text_or_null(11, ev->ses_message_id);
                s->bind(12, recipients).bind(13, "pending");
                s->run();
                fresh = c.db().changes() > 0;
            }
            rw.field("kind", fb::event_kind_name(ev->kind)).field("fingerprint", ev->fingerprint);
            rw.field("account", account).field("region", region);
            if (!fresh) {
                ++duplicates;
                rw.field("status", "duplicate");
            } else {
                Effect eff = apply(*this, c, *ev, account, region, now);
                if (eff.counts.bounces != 0 || eff.counts.transient != 0 || eff.counts.complaints != 0) {
                    reputation_add(c, account, region, ev->time_ms, eff.counts);
                }
                Use s(c.stmt("UPDATE event SET effect = ?2 WHERE fingerprint = ?1"));
                s->bind(1, ev->fingerprint).bind(2, eff.name);
                s->run();
                ++ingested;
                suppressed += eff.suppressed;
                totals.bounces += eff.counts.bounces;
                totals.transient += eff.counts.transient;
                totals.complaints += eff.counts.complaints;
                fingerprints.push_back(ev->fingerprint);
                rw.field("status", "ingested").field("effect", eff.name).field("suppressed", eff.suppressed);
            }
        }
        rw.end_object();
    }
    rw.end_array();

    w.begin_object().field("documents", outcomes.size()).field("ingested", ingested).field("duplicates", duplicates);
    w.field("failed", failed).field("other", other).field("suppressed", suppressed);
    w.field("bounces", totals.bounces).field("transient_bounces", totals.transient).field("complaints", totals.complaints);
    w.key("outcomes").raw(rows);
    w.end_object();

    if (ingested > 0) {
        std::string content;
        JsonWriter a(content);
        a.begin_object().field("source", o.source).field("format", arf ? "arf" : "ses");
        a.field("documents", outcomes.size()).field("ingested", ingested).field("duplicates", duplicates);
        a.field("failed", failed).field("suppressed", suppressed);
        a.key("events").begin_array();
        for (const auto &f : fingerprints) a.value(f);
        a.end_array().end_object();
        audit(c, now, "events.ingest", content);
    }
    tx.commit();
    fleet_after_write();
    return report;
}

}  // namespace presend
