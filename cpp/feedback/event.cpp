#include "feedback/event.hpp"

#include <openssl/evp.h>

#include <algorithm>

#include "feedback/detail.hpp"
#include "text.hpp"

namespace presend::feedback {

std::string_view error_code_name(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::json_invalid: return "json_invalid";
        case ErrorCode::not_an_event: return "not_an_event";
        case ErrorCode::unknown_event_type: return "unknown_event_type";
        case ErrorCode::field_missing: return "field_missing";
        case ErrorCode::field_invalid: return "field_invalid";
        case ErrorCode::too_big: return "too_big";
        case ErrorCode::sns_unsigned: return "sns_unsigned";
        case ErrorCode::sns_signature_invalid: return "sns_signature_invalid";
        case ErrorCode::sns_signature_version_unsupported: return "sns_signature_version_unsupported";
        case ErrorCode::sns_certificate_url_invalid: return "sns_certificate_url_invalid";
        case ErrorCode::sns_certificate_unknown: return "sns_certificate_unknown";
        case ErrorCode::sns_certificate_invalid: return "sns_certificate_invalid";
        case ErrorCode::sns_certificate_expired: return "sns_certificate_expired";
        case ErrorCode::arf_malformed: return "arf_malformed";
        case ErrorCode::arf_not_multipart_report: return "arf_not_multipart_report";
        case ErrorCode::arf_no_feedback_part: return "arf_no_feedback_part";
        case ErrorCode::arf_no_recipient: return "arf_no_recipient";
    }
    return "unknown";
}

Status FeedbackError::status() const noexcept {
    switch (code) {
        case ErrorCode::json_invalid: return Status::json;
        case ErrorCode::too_big: return Status::too_big;
        default: return Status::parse;
    }
}

std::string_view event_kind_name(EventKind kind) noexcept {
    switch (kind) {
        case EventKind::send: return "send";
        case EventKind::reject: return "reject";
        case EventKind::bounce: return "bounce";
        case EventKind::complaint: return "complaint";
        case EventKind::delivery: return "delivery";
        case EventKind::delivery_delay: return "delivery_delay";
        case EventKind::rendering_failure: return "rendering_failure";
        case EventKind::subscription: return "subscription";
        case EventKind::open: return "open";
        case EventKind::click: return "click";
    }
    return "unknown";
}

bool event_kind_has_effect(EventKind kind) noexcept { return kind != EventKind::open && kind != EventKind::click; }

std::string_view event_source_name(EventSource source) noexcept {
    switch (source) {
        case EventSource::notification: return "notification";
        case EventSource::event_publishing: return "event_publishing";
        case EventSource::arf: return "arf";
    }
    return "unknown";
}

std::string_view sns_signature_state_name(SnsSignatureState s) noexcept {
    switch (s) {
        case SnsSignatureState::not_applicable: return "not_applicable";
        case SnsSignatureState::not_checked: return "not_checked";
        case SnsSignatureState::unsigned_accepted: return "unsigned_accepted";
        case SnsSignatureState::verified: return "verified";
    }
    return "unknown";
}

std::string_view bounce_type_name(BounceType t) noexcept {
    switch (t) {
        case BounceType::permanent: return "Permanent";
        case BounceType::transient: return "Transient";
        case BounceType::undetermined: return "Undetermined";
    }
    return "unknown";
}

std::string_view bounce_subtype_name(BounceSubtype t) noexcept {
    switch (t) {
        case BounceSubtype::none: return "";
        case BounceSubtype::general: return "General";
        case BounceSubtype::no_email: return "NoEmail";
        case BounceSubtype::suppressed: return "Suppressed";
        case BounceSubtype::on_account_suppression_list: return "OnAccountSuppressionList";
        case BounceSubtype::mailbox_full: return "MailboxFull";
        case BounceSubtype::message_too_large: return "MessageTooLarge";
        case BounceSubtype::content_rejected: return "ContentRejected";
        case BounceSubtype::attachment_rejected: return "AttachmentRejected";
        case BounceSubtype::undetermined: return "Undetermined";
        case BounceSubtype::other: return "other";
    }
    return "unknown";
}

std::string_view feedback_type_name(FeedbackType t) noexcept {
    switch (t) {
        case FeedbackType::none: return "";
        case FeedbackType::abuse: return "abuse";
        case FeedbackType::auth_failure: return "auth-failure";
        case FeedbackType::fraud: return "fraud";
        case FeedbackType::not_spam: return "not-spam";
        case FeedbackType::other: return "other";
        case FeedbackType::virus: return "virus";
    }
    return "unknown";
}

namespace {

void field_if(JsonWriter &w, std::string_view key, std::string_view value) {
    if (!value.empty()) w.field(key, value);
}

void write_preferences(JsonWriter &w, const TopicPreferences &p) {
    w.begin_object();
    w.field("unsubscribe_all", p.unsubscribe_all);
    w.key("topics").begin_array();
    for (const auto &t : p.topics) {
        w.begin_object().field("topic", t.topic).field("status", t.status).end_object();
    }
    w.end_array();
    w.end_object();
}

}  // namespace

void write_error_json(JsonWriter &w, const FeedbackError &error) {
    w.begin_object().field("code", error.code_name()).field("message", error.message).end_object();
}

void write_event_json(JsonWriter &w, const Event &e) {
    w.begin_object();
    w.field("kind", event_kind_name(e.kind));
    w.field("source", event_source_name(e.source));
    w.key("time").timestamp(e.time_ms);
    w.field("fingerprint", e.fingerprint);
    field_if(w, "ses_message_id", e.ses_message_id);
    if (e.mail_time_ms) w.key("mail_time").timestamp(e.mail_time_ms);
    field_if(w, "mail_source", e.mail_source);
    field_if(w, "source_address", e.source_address);
    field_if(w, "sending_account_id", e.sending_account_id);
    field_if(w, "source_arn", e.source_arn);
    field_if(w, "region", e.region);
    field_if(w, "configuration_set", e.configuration_set);
    if (!e.tags.empty()) {
        w.key("tags").begin_object();
        for (const auto &[name, values] : e.tags) {
            w.key(name).begin_array();
            for (const auto &v : values) w.value(v);
            w.end_array();
        }
        w.end_object();
    }
    field_if(w, "message_id", e.message_id);
    w.key("recipients").begin_array();
    for (const auto &r : e.recipients) {
        w.begin_object();
        w.field("address", r.address);
        field_if(w, "status", r.status);
        field_if(w, "action", r.action);
        field_if(w, "diagnostic_code", r.diagnostic_code);
        w.end_object();
    }
    w.end_array();
    field_if(w, "feedback_id", e.feedback_id);
    if (e.bounce) {
        w.key("bounce").begin_object();
        w.field("type", bounce_type_name(e.bounce->type));
        field_if(w, "subtype", e.bounce->subtype_text);
        field_if(w, "reporting_mta", e.bounce->reporting_mta);
        field_if(w, "remote_mta_ip", e.bounce->remote_mta_ip);
        w.end_object();
    }
    if (e.complaint) {
        w.key("complaint").begin_object();
        field_if(w, "feedback_type", e.complaint->feedback_type_text);
        field_if(w, "subtype", e.complaint->subtype_text);
        field_if(w, "user_agent", e.complaint->user_agent);
        if (e.complaint->arrival_ms) w.key("arrival").timestamp(e.complaint->arrival_ms);
        w.end_object();
    }
    if (e.delivery) {
        w.key("delivery").begin_object();
        field_if(w, "smtp_response", e.delivery->smtp_response);
        field_if(w, "reporting_mta", e.delivery->reporting_mta);
        field_if(w, "remote_mta_ip", e.delivery->remote_mta_ip);
        if (e.delivery->processing_ms) w.field("processing_ms", *e.delivery->processing_ms);
        w.end_object();
    }
    if (e.delay) {
        w.key("delay").begin_object();
        field_if(w, "type", e.delay->delay_type);
        if (e.delay->expiration_ms) w.key("expiration").timestamp(e.delay->expiration_ms);
        field_if(w, "reporting_mta", e.delay->reporting_mta);
        w.end_object();
    }
    if (e.reject) w.key("reject").begin_object().field("reason", e.reject->reason).end_object();
    if (e.rendering_failure) {
        w.key("rendering_failure").begin_object();
        w.field("template_name", e.rendering_failure->template_name);
        w.field("error_message", e.rendering_failure->error_message);
        w.end_object();
    }
    if (e.subscription) {
        w.key("subscription").begin_object();
        w.field("contact_list", e.subscription->contact_list);
        field_if(w, "source", e.subscription->source);
        w.key("new_preferences");
        write_preferences(w, e.subscription->new_preferences);
        if (e.subscription->old_preferences) {
            w.key("old_preferences");
            write_preferences(w, *e.subscription->old_preferences);
        }
        w.end_object();
    }
    if (e.engagement) {
        w.key("engagement").begin_object();
        field_if(w, "ip_address", e.engagement->ip_address);
        field_if(w, "user_agent", e.engagement->user_agent);
        field_if(w, "link", e.engagement->link);
        w.end_object();
    }
    if (e.arf) {
        const ArfDetail &a = *e.arf;
        w.key("arf").begin_object();
        field_if(w, "version", a.version);
        field_if(w, "user_agent", a.user_agent);
        field_if(w, "reporting_mta", a.reporting_mta);
        field_if(w, "source_ip", a.source_ip);
        field_if(w, "original_mail_from", a.original_mail_from);
        field_if(w, "original_envelope_id", a.original_envelope_id);
        field_if(w, "original_subject", a.original_subject);
        if (!a.reported_domains.empty()) {
            w.key("reported_domains").begin_array();
            for (const auto &d : a.reported_domains) w.value(d);
            w.end_array();
        }
        if (!a.reported_uris.empty()) {
            w.key("reported_uris").begin_array();
            for (const auto &u : a.reported_uris) w.value(u);
            w.end_array();
        }
        if (a.incidents) w.field("incidents", *a.incidents);
        w.end_object();
    }
    if (e.sns_signature != SnsSignatureState::not_applicable) {
        w.key("sns").begin_object();
        w.field("message_id", e.sns_message_id);
        w.field("topic_arn", e.sns_topic_arn);
        w.field("signature", sns_signature_state_name(e.sns_signature));
        w.end_object();
    }
    w.end_object();
}

namespace detail {

std::string excerpt(std::string_view s, size_t max) {
    if (s.size() <= max) return std::string(s);
    // Do not cut inside a UTF-8 sequence: the message must stay valid UTF-8.
    size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    return std::string(s.substr(0, cut)) + "...";
}

FeedbackError make_error(ErrorCode code, std::string message) { return FeedbackError{code, std::move(message)}; }

FeedbackType feedback_type_of(std::string_view text) {
    const std::string lower = ascii_lower(trim(text));
    for (FeedbackType t : {FeedbackType::abuse, FeedbackType::auth_failure, FeedbackType::fraud,
                           FeedbackType::not_spam, FeedbackType::other, FeedbackType::virus}) {
        if (lower == feedback_type_name(t)) return t;
    }
    return FeedbackType::other;
}

Fingerprint::Fingerprint(std::string_view channel) {
    add("presend.feedback.v1");
    add(channel);
}

void Fingerprint::add(std::string_view field) {
    canonical_ += std::to_string(field.size());
    canonical_ += ':';
    canonical_ += field;
    canonical_ += ',';
}

void Fingerprint::add_sorted(std::vector<std::string> values) {
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    add(std::to_string(values.size()));
    for (const auto &v : values) add(v);
}

std::string Fingerprint::hex() const {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(canonical_.data(), canonical_.size(), md, &len, EVP_sha256(), nullptr) != 1) return {};
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(len * 2);
    for (unsigned int i = 0; i < len; ++i) {
        out.push_back(kHex[md[i] >> 4]);
        out.push_back(kHex[md[i] & 15]);
    }
    return out;
}

bool base64_decode(std::string_view in, std::string &out, bool skip_space) {
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+') return 62;
        if (c == '/') return 63;
        return -1;
    };
    out.clear();
    out.reserve(in.size() / 4 * 3);
    uint32_t acc = 0;
    int bits = 0;
    size_t chars = 0;  // significant characters, padding included
    size_t pad = 0;
    for (const char c : in) {
        if (skip_space && (c == ' ' || c == '\t' || c == '\r' || c == '\n')) continue;
        if (c == '=') {
            ++pad;
            ++chars;
            continue;
        }
        if (pad > 0) return false;  // data after padding
        const int v = value(c);
        if (v < 0) return false;
        ++chars;
        acc = (acc << 6) | static_cast<uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xFF));
        }
    }
    if (chars % 4 != 0 || pad > 2) return false;
    // The bits left over must be the zero padding of the last group.
    return (acc & ((1u << bits) - 1)) == 0;
}

}  // namespace detail
}  // namespace presend::feedback
