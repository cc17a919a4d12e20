#include "decision.hpp"

#include <algorithm>

#include "json.hpp"

namespace presend {

std::string_view verdict_name(Verdict v) noexcept {
    switch (v) {
        case Verdict::allow: return "allow";
        case Verdict::partial: return "partial";
        case Verdict::block: return "block";
        case Verdict::defer: return "defer";
    }
    return "unknown";
}

namespace {

// Folds one finding into a recipient's verdict and retry time.
void apply(const Finding &f, Verdict &verdict, int64_t &retry) {
    if (!f.enforced) return;
    if (f.severity() == Severity::block) {
        verdict = Verdict::block;
    } else if (f.severity() == Severity::defer && verdict != Verdict::block) {
        verdict = Verdict::defer;
        retry = std::max(retry, f.retry_after_ms);
    }
}

void write_reasons(JsonWriter &w, const std::vector<Finding> &reasons) {
    w.begin_array();
    for (const auto &f : reasons) {
        w.begin_object();
        w.field("code", f.def->code);
        w.field("severity", severity_name(f.severity()));
        w.field("check", f.def->check);
        w.field("message", f.message.empty() ? f.def->description : std::string_view(f.message));
        if (!f.enforced) w.field("enforced", false);
        if (f.severity() == Severity::defer && f.retry_after_ms > 0) w.field("retry_after_ms", f.retry_after_ms);
        w.end_object();
    }
    w.end_array();
}

}  // namespace

void Decision::settle() {
    size_t allowed = 0, deferred = 0;
    int64_t min_retry = -1;
    for (auto &r : recipients) {
        Verdict v = Verdict::allow;
        int64_t retry = 0;
        for (const auto &f : reasons) apply(f, v, retry);
        for (const auto &f : r.reasons) apply(f, v, retry);
        r.verdict = v;
        r.retry_after_ms = v == Verdict::defer ? retry : 0;
        if (v == Verdict::allow) ++allowed;
        if (v == Verdict::defer) {
            ++deferred;
            if (min_retry < 0 || retry < min_retry) min_retry = retry;
        }
    }
    if (recipients.empty()) {
        // Only a message-level finding can decide a message without recipients.
        Verdict v = Verdict::block;
        int64_t retry = 0;
        bool any = false;
        for (const auto &f : reasons) {
            if (f.stops()) any = true;
            apply(f, v, retry);
        }
        verdict = any ? v : Verdict::block;
        retry_after_ms = verdict == Verdict::defer ? retry : 0;
        return;
    }
    if (allowed == recipients.size()) verdict = Verdict::allow;
    else if (allowed > 0) verdict = Verdict::partial;
    else if (deferred > 0) verdict = Verdict::defer;
    else verdict = Verdict::block;
    retry_after_ms = deferred > 0 ? std::max<int64_t>(min_retry, 0) : 0;
}

void write_decision_json(const Decision &d, std::string &out) {
    JsonWriter w(out);
    w.begin_object();
    w.field("decision_id", d.id);
    w.field("verdict", verdict_name(d.verdict));
    w.field("retry_after_ms", d.retry_after_ms);
    w.field("dry_run", d.dry_run);
    w.key("created_at").timestamp(d.created_at);
    w.field("account", d.account);
    w.field("region", d.region);
    w.field("stream", stream_name(d.stream));
    w.key("list");
    if (d.list.empty()) w.null();
    else w.value(d.list);
    w.key("message_id");
    if (d.message_id.empty()) w.null();
    else w.value(d.message_id);
    w.key("recipients").begin_array();
    for (const auto &r : d.recipients) {
        w.begin_object();
        w.field("address", r.address);
        w.field("verdict", verdict_name(r.verdict));
        if (r.verdict == Verdict::defer) w.field("retry_after_ms", r.retry_after_ms);
        w.key("reasons");
        write_reasons(w, r.reasons);
        w.end_object();
    }
    w.end_array();
    w.key("reasons");
    write_reasons(w, d.reasons);
    if (d.quota) {
        const auto &q = *d.quota;
        w.key("quota").begin_object();
        w.field("account", q.account);
        w.field("region", q.region);
        w.field("tier", q.tier == Tier::sandbox ? "sandbox" : "production");
        w.field("sent_24h", q.sent_24h);
        w.field("max_24h", q.max_24h);
        w.field("remaining_24h", std::max<int64_t>(0, q.max_24h - q.sent_24h));
        w.field("max_rate", q.max_rate);
        w.field("burst", q.burst);
        w.end_object();
    }
    w.end_object();
}

const std::string &Decision::json() const {
    std::call_once(json_once_, [this] { write_decision_json(*this, json_); });
    return json_;
}

}  // namespace presend
