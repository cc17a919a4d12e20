// What mailbox providers and Amazon SES report back about mail that was sent
// (bounces, complaints, deliveries, ...), in one normalized shape whatever the
// channel it came by: SES notifications and event publishing (ses_event.hpp),
// bare or inside SNS envelopes (sns_verify.hpp), and ARF feedback reports
// (arf.hpp). Pure values: the parsers do no I/O except where sns_verify.hpp
// says so (reading a configured certificate directory).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "json.hpp"    // JsonWriter
#include "result.hpp"  // Status

namespace presend::feedback {

// --- Errors ---------------------------------------------------------------------
//
// Stable codes: the strings returned by error_code_name() are the contract
// (hosts store and compare them); enumerators are only ever appended.
enum class ErrorCode {
    json_invalid,        // not JSON: syntax, invalid UTF-8, nesting over 64, bytes after the value
    not_an_event,        // JSON, but neither an SES document nor an SNS envelope (message says why)
    unknown_event_type,  // a notificationType, eventType or SNS Type presend does not know (named)
    field_missing,       // a required field is absent (the message names its path, e.g. "mail.messageId")
    field_invalid,       // a field of the wrong type or with an impossible value (path named)
    too_big,             // an input, document, string or list over its limit (which one is named)
    sns_unsigned,        // policy `required`, and the SNS envelope carries no Signature
    sns_signature_invalid,              // the signature is not base64 or does not verify
    sns_signature_version_unsupported,  // SignatureVersion other than "1" or "2"
    sns_certificate_url_invalid,        // SigningCertURL is not https://sns.<region>.amazonaws.com[.cn]/<name>.pem
    sns_certificate_unknown,            // no certificate given, none of that name in the certificate directory
    sns_certificate_invalid,            // not a PEM X.509 certificate with an RSA key of 2048 bits or more
    sns_certificate_expired,            // not valid at the verification time (expired or not yet valid)
    arf_malformed,                      // the report is not a parseable MIME message (message says where)
    arf_not_multipart_report,           // top-level type is not multipart/report; report-type=feedback-report
    arf_no_feedback_part,               // no message/feedback-report part
    arf_no_recipient,                   // neither Original-Rcpt-To nor a To address in the original message
};

// "json_invalid", "not_an_event", ... (the enumerator's name).
std::string_view error_code_name(ErrorCode code) noexcept;

struct FeedbackError {
    ErrorCode code = ErrorCode::json_invalid;
    std::string message;  // human text; names the path or value at fault, quoting at most 64 bytes of input
                          // (256 for a URL)

    std::string_view code_name() const noexcept { return error_code_name(code); }
    // The presend_status a C caller gets: json (json_invalid), too_big, else parse.
    Status status() const noexcept;
};

// A value or a FeedbackError (the stable code).
template <class T>
using FeedbackResult = Result<T, FeedbackError>;

// --- Events ---------------------------------------------------------------------

// Limits every parser applies; beyond them the error is too_big.
inline constexpr size_t kMaxEventRecipients = 1000;         // SES itself allows 50 per message
inline constexpr size_t kMaxEventStringBytes = 16u * 1024;  // any one string value read from an SES document

enum class EventKind {
    send,               // SES accepted the message
    reject,             // SES refused to send it (virus)
    bounce,
    complaint,
    delivery,
    delivery_delay,
    rendering_failure,  // a template could not be rendered; nothing was sent
    subscription,       // a contact changed list/topic preferences (SES list management)
    open,               // engagement: parsed, but carries no compliance effect
    click,              // engagement: parsed, but carries no compliance effect
};
// "send", "reject", "bounce", "complaint", "delivery", "delivery_delay",
// "rendering_failure", "subscription", "open", "click".
std::string_view event_kind_name(EventKind kind) noexcept;
// False for open and click: they say nothing about deliverability or consent.
bool event_kind_has_effect(EventKind kind) noexcept;

enum class EventSource {
    notification,      // SES feedback notifications ("notificationType")
    event_publishing,  // SES configuration-set event destinations ("eventType")
    arf,               // an RFC 5965 feedback report from a mailbox provider
};
std::string_view event_source_name(EventSource source) noexcept;  // "notification", "event_publishing", "arf"

// Whether the SNS envelope around an event was checked (sns_verify.hpp).
enum class SnsSignatureState {
    not_applicable,     // the event did not come in an SNS envelope
    not_checked,        // policy off
    unsigned_accepted,  // policy if_present and the envelope carried no signature
    verified,           // the signature verified against an acceptable certificate
};
std::string_view sns_signature_state_name(SnsSignatureState s) noexcept;  // enumerator's name

enum class BounceType { permanent, transient, undetermined };
std::string_view bounce_type_name(BounceType t) noexcept;  // SES's spelling: "Permanent", ...

// SES's bounceSubType values; `other` for a value SES may add later (the
// text is kept in BounceDetail::subtype_text, so nothing is lost).
enum class BounceSubtype {
    none,  // absent
    general,
    no_email,
    suppressed,
    on_account_suppression_list,
    mailbox_full,
    message_too_large,
    content_rejected,
    attachment_rejected,
    undetermined,
    other,
};
std::string_view bounce_subtype_name(BounceSubtype t) noexcept;  // SES's spelling: "OnAccountSuppressionList", ...

// RFC 5965 / IANA feedback types, as in SES's complaintFeedbackType and ARF's
// Feedback-Type. An unregistered value maps to `other` (RFC 5965 3.5 reserves
// "other" for what fits nowhere else) and its text is kept.
enum class FeedbackType { none, abuse, auth_failure, fraud, not_spam, other, virus };
std::string_view feedback_type_name(FeedbackType t) noexcept;  // "abuse", "auth-failure", ...; "" for none

enum class ComplaintSubtype { none, on_account_suppression_list, other };

struct Recipient {
    // Normalized as address.hpp does (A-label, lower-case domain; local part
    // as given unless the options fold it).
    std::string address;
    std::string status;           // bounce / delay: enhanced status code, e.g. "5.1.1"
    std::string action;           // bounce: "failed", "delayed", ...
    std::string diagnostic_code;  // bounce / delay: the remote server's answer
};

struct BounceDetail {
    BounceType type = BounceType::undetermined;
    BounceSubtype subtype = BounceSubtype::none;
    std::string subtype_text;  // bounceSubType as given
    std::string reporting_mta;
    std::string remote_mta_ip;
};

struct ComplaintDetail {
    FeedbackType feedback_type = FeedbackType::none;  // none: SES got a complaint without a report type
    std::string feedback_type_text;                   // as given ("" when absent)
    ComplaintSubtype subtype = ComplaintSubtype::none;  // SES's complaintSubType
    std::string subtype_text;
    std::string user_agent;
    std::optional<int64_t> arrival_ms;  // when the provider received the complaint
};

struct DeliveryDetail {
    std::string smtp_response;
    std::string reporting_mta;
    std::string remote_mta_ip;
    std::optional<int64_t> processing_ms;
};

struct DelayDetail {
    std::string delay_type;  // "TransientCommunicationFailure", "MailboxFull", ... as given
    std::optional<int64_t> expiration_ms;  // when SES gives up retrying
    std::string reporting_mta;
};

struct RejectDetail {
    std::string reason;
};

struct RenderingFailureDetail {
    std::string template_name;
    std::string error_message;
};

struct TopicPreference {
    std::string topic;
    std::string status;  // "OptIn" / "OptOut" as given
    bool operator==(const TopicPreference &) const = default;
};
struct TopicPreferences {
    bool unsubscribe_all = false;
    std::vector<TopicPreference> topics;
};
struct SubscriptionDetail {
    std::string contact_list;
    std::string source;  // what made the change, e.g. "UnsubscribeHeader"
    TopicPreferences new_preferences;
    std::optional<TopicPreferences> old_preferences;
};

// Open and click.
struct EngagementDetail {
    std::string ip_address;
    std::string user_agent;
    std::string link;  // click only
};

// Fields of an RFC 5965 report that have no SES counterpart.
struct ArfDetail {
    std::string version;
    std::string user_agent;
    std::string reporting_mta;       // Reporting-MTA as given ("dns; mx.example.net")
    std::string source_ip;
    std::string original_mail_from;  // as given, angle brackets removed
    std::string original_envelope_id;
    std::vector<std::string> reported_domains;
    std::vector<std::string> reported_uris;
    std::optional<int64_t> incidents;
    std::string original_subject;
};

struct Event {
    EventKind kind = EventKind::send;
    EventSource source = EventSource::notification;
    // When it happened, ms since the epoch: the kind's own timestamp
    // (bounce.timestamp, complaint.timestamp, ...; ARF: Arrival-Date), else
    // when the message was sent (mail.timestamp; ARF: the report's Date).
    int64_t time_ms = 0;
    // Hex SHA-256 identifying the event across redeliveries; see
    // ses_event.hpp and arf.hpp for what it covers.
    std::string fingerprint;

    // The message the event is about.
    std::string ses_message_id;      // mail.messageId (ARF: from an SES Message-ID, else empty)
    std::optional<int64_t> mail_time_ms;  // mail.timestamp
    std::string mail_source;         // mail.source as given ("Name <a@example.com>")
    std::string source_address;      // mail.source normalized; empty when it does not parse
    std::string sending_account_id;
    std::string source_arn;
    std::string region;              // from source_arn ("us-east-1")
    std::string configuration_set;   // tag ses:configuration-set, else the X-SES-CONFIGURATION-SET header
    std::map<std::string, std::vector<std::string>> tags;  // mail.tags
    std::string message_id;          // the original Message-ID header, as given (trimmed)
    std::vector<Recipient> recipients;  // in input order, duplicates removed
    std::string feedback_id;         // bounce / complaint

    std::optional<BounceDetail> bounce;
    std::optional<ComplaintDetail> complaint;
    std::optional<DeliveryDetail> delivery;
    std::optional<DelayDetail> delay;
    std::optional<RejectDetail> reject;
    std::optional<RenderingFailureDetail> rendering_failure;
    std::optional<SubscriptionDetail> subscription;
    std::optional<EngagementDetail> engagement;
    std::optional<ArfDetail> arf;

    // The SNS envelope, when there was one.
    std::string sns_message_id;
    std::string sns_topic_arn;
    SnsSignatureState sns_signature = SnsSignatureState::not_applicable;
};

// Writes an event as one JSON object. Keys (absent when empty/unset):
// kind, source, time (RFC 3339), fingerprint, ses_message_id, mail_time,
// mail_source, source_address, sending_account_id, source_arn, region,
// configuration_set, tags, message_id, recipients [{address, status, action,
// diagnostic_code}], feedback_id, bounce, complaint, delivery, delay, reject,
// rendering_failure, subscription, engagement, arf, sns {message_id,
// topic_arn, signature}.
void write_event_json(JsonWriter &w, const Event &event);
void write_error_json(JsonWriter &w, const FeedbackError &error);  // {"code": ..., "message": ...}

}  // namespace presend::feedback
