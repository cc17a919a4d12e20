// Amazon SNS message envelopes and their signatures, verified as AWS
// documents it ("Verifying the signatures of Amazon SNS messages"):
//
//   string to sign = "Key\nValue\n" for each of, in this order,
//     Notification:              Message, MessageId, Subject (only if present),
//                                Timestamp, TopicArn, Type
//     (Un)SubscriptionConfirmation: Message, MessageId, SubscribeURL, Timestamp,
//                                Token, TopicArn, Type
//   SignatureVersion "1": RSA PKCS#1 v1.5 over SHA-1; "2": over SHA-256.
//   Signature: base64.
//
// The certificate is never fetched: the host supplies it (it may have
// fetched SigningCertURL itself) or presend reads it from a configured
// directory by the file name in SigningCertURL's path. Either way the URL
// must be https on sns.<region>.amazonaws.com (or .amazonaws.com.cn), so a
// forger cannot point at a certificate of their own, and the certificate
// must be valid at the verification time. The certificate's chain is not
// checked: trust comes from where the host got it (an https fetch from an
// SNS host, or a directory it filled), as in AWS's own SDK validators.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "feedback/event.hpp"

struct cJSON;

namespace presend::feedback {

inline constexpr size_t kMaxSnsCertificateBytes = 64 * 1024;  // a PEM file read from the directory
inline constexpr int kMinSnsKeyBits = 2048;

enum class SnsMessageType { notification, subscription_confirmation, unsubscribe_confirmation };
std::string_view sns_message_type_name(SnsMessageType t) noexcept;  // SNS's spelling: "Notification", ...

// The fields of an SNS envelope that the signature covers, plus the
// signature itself. Text is as received (it is what was signed).
struct SnsEnvelope {
    SnsMessageType type = SnsMessageType::notification;
    std::string type_text;
    std::string message;
    std::string message_id;
    std::optional<std::string> subject;  // Notification only; JSON null counts as absent
    std::string timestamp;
    int64_t timestamp_ms = 0;
    std::string topic_arn;
    std::string subscribe_url;  // confirmations only
    std::string token;          // confirmations only
    std::string unsubscribe_url;
    std::string signature_version;
    std::string signature;  // base64; empty when unsigned
    std::string signing_cert_url;
};

// Reads an envelope from a parsed JSON object. Errors: not_an_event (not an
// object), unknown_event_type (Type other than the three above),
// field_missing / field_invalid (path named: Type, MessageId, TopicArn,
// Message, Timestamp; SubscribeURL and Token for confirmations), too_big (a
// string over kMaxSnsFieldBytes).
inline constexpr size_t kMaxSnsFieldBytes = 1024 * 1024;  // Message may hold a whole SES document
FeedbackResult<SnsEnvelope> read_sns_envelope(const cJSON *object);
// The same over JSON text (at most kMaxSnsFieldBytes * 2; json_invalid when it is not JSON).
FeedbackResult<SnsEnvelope> parse_sns_envelope(std::string_view json);

// The exact bytes SNS signs for this envelope (see the top of this file).
std::string sns_string_to_sign(const SnsEnvelope &envelope);

// Checks SigningCertURL (https, no user info, no port, host
// sns.<region>.amazonaws.com or sns.<region>.amazonaws.com.cn with region of
// [a-z0-9-], no query or fragment, no "." / ".." / empty path segments, no
// percent-escapes or backslashes) and returns the file name of its last path
// segment, which must be [A-Za-z0-9._-]+ ending in ".pem" and not start with
// '.'. Error: sns_certificate_url_invalid.
FeedbackResult<std::string> sns_certificate_file_name(std::string_view signing_cert_url);

enum class SnsVerifyPolicy {
    off,         // do not verify; events carry SnsSignatureState::not_checked
    if_present,  // verify a signed envelope; accept an unsigned one
    required,    // an unsigned or forged envelope is an error
};

struct SnsVerifyOptions {
    SnsVerifyPolicy policy = SnsVerifyPolicy::off;
    // A PEM certificate the host obtained; when set it is used for every
    // envelope (after the SigningCertURL check) and the directory is not read.
    std::string certificate_pem;
    // Else a directory holding SNS signing certificates under the file names
    // of their SigningCertURL ("SimpleNotificationService-<hash>.pem").
    std::string certificate_dir;
    // The verification time, ms since the epoch. Unset: the system clock.
    std::optional<int64_t> now_ms;
};

// Verifies an envelope under the options' policy. Returns not_checked (off),
// unsigned_accepted (if_present, no Signature) or verified. Errors, checked
// in this order: sns_unsigned, sns_signature_version_unsupported,
// sns_certificate_url_invalid, sns_certificate_unknown,
// sns_certificate_invalid, sns_certificate_expired, sns_signature_invalid.
FeedbackResult<SnsSignatureState> verify_sns_envelope(const SnsEnvelope &envelope, const SnsVerifyOptions &options);

}  // namespace presend::feedback
