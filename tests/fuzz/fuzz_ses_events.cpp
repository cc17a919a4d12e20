// parse_ses_events over arbitrary bytes (single documents, arrays, JSON
// Lines, SNS envelopes): no crash, one outcome per document in order, events
// that keep the parser's promises, and JSON output that is valid JSON.
#include <cjson/cJSON.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "feedback/ses_event.hpp"
#include "json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace {

using namespace presend::feedback;

const SesParseOptions &options() {
    // if_present with no certificates: signed envelopes run the URL checks
    // and stop at sns_certificate_unknown; unsigned ones are accepted.
    static const SesParseOptions o = [] {
        SesParseOptions x;
        x.sns.policy = SnsVerifyPolicy::if_present;
        x.sns.now_ms = 1768435200000;
        return x;
    }();
    return o;
}

bool is_hex64(const std::string &s) {
    if (s.size() != 64) return false;
    for (const char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

void check_event(const Event &e) {
    if (!is_hex64(e.fingerprint)) __builtin_trap();
    if (e.ses_message_id.empty() || !e.mail_time_ms) __builtin_trap();
    if (e.recipients.size() > kMaxEventRecipients) __builtin_trap();
    for (const auto &r : e.recipients) {
        if (r.address.find('@') == std::string::npos) __builtin_trap();
    }
    switch (e.kind) {
        case EventKind::bounce:
            if (!e.bounce || e.recipients.empty() || e.feedback_id.empty()) __builtin_trap();
            break;
        case EventKind::complaint:
            if (!e.complaint || e.recipients.empty() || e.feedback_id.empty()) __builtin_trap();
            break;
        case EventKind::delivery:
            if (!e.delivery || e.recipients.empty()) __builtin_trap();
            break;
        case EventKind::delivery_delay:
            if (!e.delay) __builtin_trap();
            break;
        case EventKind::subscription:
            if (!e.subscription) __builtin_trap();
            break;
        case EventKind::open:
        case EventKind::click:
            if (!e.engagement) __builtin_trap();
            break;
        default: break;
    }
    if (e.source == EventSource::arf) __builtin_trap();
}

void check_json(const std::string &out) {
    const char *end = nullptr;
    cJSON *doc = cJSON_ParseWithLengthOpts(out.c_str(), out.size() + 1, &end, 1);
    if (doc == nullptr) __builtin_trap();
    cJSON_Delete(doc);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    const auto outcomes = parse_ses_events(text, options());
    size_t last_line = 0;
    std::string out;
    presend::JsonWriter w(out);
    w.begin_array();
    for (size_t i = 0; i < outcomes.size(); ++i) {
        const SesOutcome &o = outcomes[i];
        if (o.index != i) __builtin_trap();
        if (o.line != 0 && o.line <= last_line) __builtin_trap();
        last_line = o.line;
        if (const Event *e = o.event()) check_event(*e);
        if (const FeedbackError *e = o.error()) {
            if (e->message.empty() || e->code_name() == "unknown") __builtin_trap();
        }
        if (const SnsConfirmation *c = o.confirmation()) {
            if (c->signature == SnsSignatureState::verified) __builtin_trap();  // no certificate was configured
        }
        write_ses_outcome_json(w, o);
    }
    w.end_array();
    check_json(out);
    return 0;
}
