// ARF: RFC 5965 feedback reports, as mailbox providers' feedback loops send
// them (Yahoo, AOL, Microsoft JMRP, Fastmail, many ISPs): a
//   multipart/report; report-type=feedback-report
// message whose parts are a human-readable text, a message/feedback-report
// (Feedback-Type, User-Agent, Version, Original-Mail-From, Original-Rcpt-To,
// Arrival-Date, Reporting-MTA, Source-IP, Incidents, Reported-Domain,
// Reported-URI, ...) and the original message as message/rfc822 or its
// header as text/rfc822-headers. Parts are found by type, not position.
//
// The result is a complaint Event (source arf):
//   recipients   Original-Rcpt-To (each must be an address), else the
//                addresses of the original message's To that parse (providers
//                redact this header, so what does not parse is skipped)
//   message_id   the original Message-ID; ses_message_id its local part when
//                it is an SES Message-ID (<id@*.amazonses.com>)
//   time_ms      Arrival-Date (RFC 5322 date), else the report's Date
//   complaint    feedback type, user agent, arrival time
//   arf          the other report fields
//   fingerprint  hex SHA-256 over netstrings of "presend.feedback.v1", "arf",
//                "complaint", the reporter (Reporting-MTA's name lower-cased,
//                else User-Agent lower-cased), the original Message-ID (or,
//                without one, "@" and the event time in ms), the feedback type
//                lower-cased, the recipient count and the recipients sorted.
//                A provider that reports the same complaint twice yields one
//                fingerprint; arrival time is left out on purpose.
//
// Errors (codes of event.hpp): too_big (over kMaxArfBytes, a header block
// over mail.hpp's limits, or more than kMaxEventRecipients Original-Rcpt-To),
// arf_malformed (headers or MIME
// structure that do not parse, no boundary, an undecodable part),
// arf_not_multipart_report, arf_no_feedback_part, field_missing
// (Feedback-Type; Arrival-Date when there is no Date either),
// field_invalid (an Original-Rcpt-To that is not an address, Incidents not a
// number), arf_no_recipient.
#pragma once

#include <cstddef>
#include <string_view>

#include "address.hpp"  // NormalizeOptions
#include "feedback/event.hpp"

namespace presend::feedback {

inline constexpr size_t kMaxArfBytes = 16u * 1024 * 1024;

FeedbackResult<Event> parse_arf_report(std::string_view message, const NormalizeOptions &addresses = {});

}  // namespace presend::feedback
