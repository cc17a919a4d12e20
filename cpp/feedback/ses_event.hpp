// Amazon SES feedback: notifications ("notificationType": Bounce, Complaint,
// Delivery) and event-publishing records ("eventType": Send, Reject, Bounce,
// Complaint, Delivery, DeliveryDelay, Rendering Failure, Subscription, Open,
// Click), bare (SNS raw delivery, Firehose, a file) or inside an SNS envelope
// whose "Message" is a JSON string holding the SES document.
//
// Input shapes, tried in this order:
//   1. one JSON value: an object is one document, an array holds one
//      document per element (line 0 in the outcomes);
//   2. JSON Lines, when the whole is not one JSON value and its first
//      non-empty line starts with '{' and ends with '}': one document per
//      non-empty line (line = 1-based line number);
//   3. otherwise one document that is not JSON (json_invalid).
// A UTF-8 byte order mark at the start is skipped. Input of only white space
// yields no outcomes. One bad document never hides the others: each
// document gets its own outcome, in input order, indexed from 0.
//
// Fingerprint (Event::fingerprint): hex SHA-256 over netstrings of
//   "presend.feedback.v1", "ses", kind name, mail.messageId, then
//   bounce, complaint: feedbackId (SES's unique id of that bounce/complaint);
//   every other kind:  the event time in ms (decimal), the recipient count and
//                      the normalized recipients sorted, plus the link for a
//                      click and the contact list for a subscription.
// Nothing from the SNS envelope and not the source (notification / event
// publishing) is covered, so the same event has the same fingerprint whether
// it arrived bare or wrapped, and a bounce that a sender receives both as a
// notification and as a published event is recognized as one bounce.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "address.hpp"  // NormalizeOptions
#include "feedback/event.hpp"
#include "feedback/sns_verify.hpp"

namespace presend::feedback {

// Limits (with kMaxEventRecipients and kMaxEventStringBytes of event.hpp);
// beyond them the outcome is too_big, naming what was over.
inline constexpr size_t kMaxSesInputBytes = 64u * 1024 * 1024;   // the whole input
inline constexpr size_t kMaxSesDocumentBytes = 1024u * 1024;     // one JSON Lines line, one SNS Message
inline constexpr size_t kMaxSesDocuments = 100000;               // documents in one input
inline constexpr size_t kMaxEventTags = 256;                     // mail.tags names; values per name
inline constexpr size_t kMaxEventHeaders = 1000;                 // mail.headers entries scanned

struct SesParseOptions {
    SnsVerifyOptions sns;         // policy off by default: turn it on where certificates are available
    NormalizeOptions addresses;   // how recipient addresses are normalized
};

// An SNS SubscriptionConfirmation or UnsubscribeConfirmation. presend fetches
// nothing; the host decides whether to visit subscribe_url.
struct SnsConfirmation {
    SnsMessageType type = SnsMessageType::subscription_confirmation;
    std::string topic_arn;
    std::string subscribe_url;
    std::string token;
    std::string message;
    std::string message_id;
    int64_t time_ms = 0;
    SnsSignatureState signature = SnsSignatureState::not_checked;
};

// A notice SES sends about the configuration rather than about a message
// ("notificationType": "AmazonSnsSubscriptionSucceeded" when a topic is
// attached to an identity). It carries no event.
struct SesNotice {
    std::string type;
    std::string message;
    std::string sns_message_id;
    std::string sns_topic_arn;
    SnsSignatureState signature = SnsSignatureState::not_applicable;
};

struct SesOutcome {
    size_t index = 0;  // 0-based position of the document in the input
    size_t line = 0;   // 1-based line for JSON Lines input, else 0
    std::variant<Event, SnsConfirmation, SesNotice, FeedbackError> value;

    const Event *event() const noexcept { return std::get_if<Event>(&value); }
    const SnsConfirmation *confirmation() const noexcept { return std::get_if<SnsConfirmation>(&value); }
    const SesNotice *notice() const noexcept { return std::get_if<SesNotice>(&value); }
    const FeedbackError *error() const noexcept { return std::get_if<FeedbackError>(&value); }
};

// Parses every document of the input (shapes above). Never throws for bad
// input: each problem is an outcome with one of the codes of event.hpp:
//   json_invalid        the document (or an SNS Message) is not JSON
//   not_an_event        an array element / line that is not an object, or an
//                       object with neither notificationType, eventType nor
//                       an SNS Type, or an SNS Message that is not an SES document
//   unknown_event_type  the type is not one listed at the top (message names it)
//   field_missing       e.g. "mail", "mail.messageId", "bounce.bouncedRecipients"
//   field_invalid       wrong JSON type, unknown bounceType, bad timestamp,
//                       unparseable recipient address, malformed sourceArn, ...
//   too_big             over a limit above
//   sns_*               the SNS envelope failed verification under options.sns
std::vector<SesOutcome> parse_ses_events(std::string_view input, const SesParseOptions &options = {});

// One already parsed JSON document (the unit parse_ses_events works on).
std::variant<Event, SnsConfirmation, SesNotice, FeedbackError> parse_ses_document(const cJSON *document,
                                                                                 const SesParseOptions &options);

// {"index": 0, "line": 0, "event": {...}} / "sns_confirmation" / "notice" /
// "error": {"code", "message"}.
void write_ses_outcome_json(JsonWriter &w, const SesOutcome &outcome);

}  // namespace presend::feedback
