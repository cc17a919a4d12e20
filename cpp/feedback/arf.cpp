#include "feedback/arf.hpp"

#include <optional>
#include <vector>

#include "feedback/detail.hpp"
#include "feedback/mime.hpp"
#include "mail.hpp"
#include "text.hpp"

namespace presend::feedback {

namespace {

using detail::excerpt;
using detail::make_error;

std::string_view header_value(const std::vector<Header> &headers, std::string_view name) {
    for (const auto &h : headers) {
        if (header_name_equals(h.name, name)) return trim(h.value);
    }
    return {};
}

std::vector<std::string_view> header_values(const std::vector<Header> &headers, std::string_view name) {
    std::vector<std::string_view> out;
    for (const auto &h : headers) {
        if (header_name_equals(h.name, name)) out.push_back(trim(h.value));
    }
    return out;
}

std::optional<mime::ContentType> content_type_of(const mime::Part &part) {
    const std::string_view value = part.header("Content-Type");
    // RFC 2045 5.2: no Content-Type means text/plain.
    if (trim(value).empty()) return mime::ContentType{"text", "plain", {}};
    return mime::parse_content_type(value);
}

bool is_type(const std::optional<mime::ContentType> &ct, std::string_view type, std::string_view subtype) {
    return ct && ct->type == type && ct->subtype == subtype;
}

// The feedback-report fields: header syntax, sometimes split into groups by
// blank lines (RFC 5965 does not allow it; some producers do it anyway).
FeedbackResult<std::vector<Header>> parse_report_fields(std::string_view text) {
    std::vector<Header> fields;
    while (!trim(text).empty()) {
        auto block = parse_raw_message(text);
        if (!block) {
            if (block.error().status == Status::too_big) return make_error(ErrorCode::too_big, block.error().message);
            return make_error(ErrorCode::arf_malformed,
                              "the message/feedback-report part does not parse: " + block.error().message);
        }
        for (auto &h : block->headers) fields.push_back(std::move(h));
        if (block->body_offset == 0) break;
        text.remove_prefix(block->body_offset);
    }
    return fields;
}

// The original message's header. Providers redact and cut it, so a line
// that does not parse ends it rather than failing the report: the header
// up to that line is kept.
std::vector<Header> parse_original_headers(std::string_view text) {
    auto parsed = parse_raw_message(text);
    if (parsed) return std::move(parsed->headers);
    const size_t at = parsed.error().position;
    if (at == Error::npos || at > text.size()) return {};
    const size_t line_start = text.rfind('\n', at == 0 ? 0 : at - 1);
    if (line_start == std::string_view::npos) return {};
    auto prefix = parse_raw_message(text.substr(0, line_start + 1));
    if (!prefix) return {};
    return std::move(prefix->headers);
}

// "<a@example.com>" -> "a@example.com"; "rfc822; a@example.com" (the DSN
// form some producers use) -> "a@example.com".
std::string_view strip_address(std::string_view v) {
    v = trim(v);
    if (const size_t semi = v.find(';'); semi != std::string_view::npos && v.substr(0, semi).find('@') == std::string_view::npos) {
        v = trim(v.substr(semi + 1));
    }
    if (v.size() >= 2 && v.front() == '<' && v.back() == '>') v = trim(v.substr(1, v.size() - 2));
    return v;
}

void add_recipient(Event &ev, std::string address) {
    for (const auto &r : ev.recipients) {
        if (r.address == address) return;
    }
    Recipient r;
    r.address = std::move(address);
    ev.recipients.push_back(std::move(r));
}

// "dns; mx.example.net" -> "mx.example.net"
std::string mta_name(std::string_view v) {
    if (const size_t semi = v.find(';'); semi != std::string_view::npos) v = v.substr(semi + 1);
    return ascii_lower(trim(v));
}

// <local@region.amazonses.com> or <local@email.amazonses.com>: SES's own Message-ID.
std::string ses_message_id_of(std::string_view message_id) {
    std::string_view id = trim(message_id);
    if (id.size() < 2 || id.front() != '<' || id.back() != '>') return {};
    id = id.substr(1, id.size() - 2);
    const size_t at = id.rfind('@');
    if (at == std::string_view::npos || at == 0) return {};
    const std::string domain = ascii_lower(id.substr(at + 1));
    if (domain != "amazonses.com" && !domain.ends_with(".amazonses.com")) return {};
    return std::string(id.substr(0, at));
}

}  // namespace

FeedbackResult<Event> parse_arf_report(std::string_view message, const NormalizeOptions &addresses) {
    if (message.size() > kMaxArfBytes) {
        return make_error(ErrorCode::too_big, "the report is " + std::to_string(message.size()) +
                                                  " bytes, over the limit of " + std::to_string(kMaxArfBytes));
    }
    auto top = parse_raw_message(message);
    if (!top) {
        if (top.error().status == Status::too_big) return make_error(ErrorCode::too_big, top.error().message);
        return make_error(ErrorCode::arf_malformed, "the report's header does not parse: " + top.error().message);
    }
    const std::string_view content_type = header_value(top->headers, "Content-Type");
    const auto ct = mime::parse_content_type(content_type);
    if (!is_type(ct, "multipart", "report")) {
        return make_error(ErrorCode::arf_not_multipart_report,
                          content_type.empty() ? std::string("the report has no Content-Type")
                                               : "the report is \"" + excerpt(content_type) +
                                                     "\", not multipart/report; report-type=feedback-report");
    }
    // report-type is required by RFC 6522, but some producers leave it out;
    // the feedback-report part is what counts then.
    if (const auto report_type = ct->param("report-type"); report_type && !ascii_iequals(*report_type, "feedback-report")) {
        return make_error(ErrorCode::arf_not_multipart_report,
                          "the report-type is \"" + excerpt(*report_type) +
                              "\", not feedback-report (a delivery status notification is not a complaint)");
    }
    const auto boundary = ct->param("boundary");
    if (!boundary || boundary->empty() || boundary->size() > 200) {
        return make_error(ErrorCode::arf_malformed, "the multipart/report has no usable boundary parameter");
    }
    auto split = mime::split_multipart(message.substr(top->body_offset), *boundary);
    if (!split.error.empty()) return make_error(ErrorCode::arf_malformed, split.error);

    const mime::Part *report_part = nullptr;
    const mime::Part *original_part = nullptr;
    bool original_is_message = false;
    for (const auto &part : split.parts) {
        const auto pct = content_type_of(part);
        if (report_part == nullptr && is_type(pct, "message", "feedback-report")) {
            report_part = &part;
        } else if (original_part == nullptr &&
                   (is_type(pct, "message", "rfc822") || is_type(pct, "text", "rfc822-headers"))) {
            original_part = &part;
            original_is_message = is_type(pct, "message", "rfc822");
        }
    }
    if (report_part == nullptr) {
        return make_error(ErrorCode::arf_no_feedback_part, "the report has no message/feedback-report part");
    }
    const auto report_text =
        mime::decode_transfer_encoding(report_part->body, report_part->header("Content-Transfer-Encoding"));
    if (!report_text) {
        return make_error(ErrorCode::arf_malformed, "the message/feedback-report part's transfer encoding \"" +
                                                        excerpt(report_part->header("Content-Transfer-Encoding")) +
                                                        "\" cannot be decoded");
    }
    auto fields = parse_report_fields(*report_text);
    if (!fields) return std::move(fields).error();

    std::vector<Header> original;
    if (original_part != nullptr) {
        const auto text =
            mime::decode_transfer_encoding(original_part->body, original_part->header("Content-Transfer-Encoding"));
        if (!text) {
            return make_error(ErrorCode::arf_malformed,
                              std::string("the ") + (original_is_message ? "message/rfc822" : "text/rfc822-headers") +
                                  " part's transfer encoding \"" +
                                  excerpt(original_part->header("Content-Transfer-Encoding")) + "\" cannot be decoded");
        }
        original = parse_original_headers(*text);
    }

    Event ev;
    ev.kind = EventKind::complaint;
    ev.source = EventSource::arf;
    ComplaintDetail complaint;
    ArfDetail arf;

    complaint.feedback_type_text = std::string(header_value(*fields, "Feedback-Type"));
    if (complaint.feedback_type_text.empty()) {
        return make_error(ErrorCode::field_missing, "Feedback-Type is missing from the feedback report");
    }
    complaint.feedback_type = detail::feedback_type_of(complaint.feedback_type_text);
    arf.user_agent = header_value(*fields, "User-Agent");
    complaint.user_agent = arf.user_agent;
    arf.version = header_value(*fields, "Version");
    arf.reporting_mta = header_value(*fields, "Reporting-MTA");
    arf.source_ip = header_value(*fields, "Source-IP");
    arf.original_mail_from = strip_address(header_value(*fields, "Original-Mail-From"));
    arf.original_envelope_id = header_value(*fields, "Original-Envelope-Id");
    for (auto v : header_values(*fields, "Reported-Domain")) arf.reported_domains.emplace_back(v);
    for (auto v : header_values(*fields, "Reported-URI")) arf.reported_uris.emplace_back(strip_address(v));
    if (const std::string_view incidents = header_value(*fields, "Incidents"); !incidents.empty()) {
        int64_t n = 0;
        for (const char c : incidents) {
            if (c < '0' || c > '9' || n > 9007199254740991 / 10) {
                return make_error(ErrorCode::field_invalid, "Incidents \"" + excerpt(incidents) + "\" is not a count");
            }
            n = n * 10 + (c - '0');
        }
        arf.incidents = n;
    }

    // Arrival-Date; early drafts of the format called it Received-Date.
    std::string_view arrival = header_value(*fields, "Arrival-Date");
    if (arrival.empty()) arrival = header_value(*fields, "Received-Date");
    if (!arrival.empty()) complaint.arrival_ms = mime::parse_rfc5322_date(arrival);
    if (complaint.arrival_ms) {
        ev.time_ms = *complaint.arrival_ms;
    } else if (const auto date = mime::parse_rfc5322_date(header_value(top->headers, "Date"))) {
        ev.time_ms = *date;
    } else {
        return make_error(ErrorCode::field_missing,
                          arrival.empty() ? std::string("the report has neither an Arrival-Date nor a Date")
                                          : "Arrival-Date \"" + excerpt(arrival) +
                                                "\" is not an RFC 5322 date, and the report has no Date");
    }

    const auto rcpt_to = header_values(*fields, "Original-Rcpt-To");
    if (rcpt_to.size() > kMaxEventRecipients) {
        return make_error(ErrorCode::too_big, "the report has " + std::to_string(rcpt_to.size()) +
                                                  " Original-Rcpt-To fields, over the limit of " +
                                                  std::to_string(kMaxEventRecipients));
    }
    for (const auto v : rcpt_to) {
        auto address = normalize_address(strip_address(v), addresses);
        if (!address) {
            return make_error(ErrorCode::field_invalid,
                              "Original-Rcpt-To \"" + excerpt(v) + "\" is not an email address: " + address.error().message);
        }
        add_recipient(ev, std::move(*address));
    }
    if (ev.recipients.empty()) {
        for (const auto &item : parse_address_list(header_value(original, "To"))) {
            if (!item.mailbox || ev.recipients.size() == kMaxEventRecipients) continue;
            auto address = normalize_mailbox(*item.mailbox, addresses);
            if (address) add_recipient(ev, std::move(*address));
        }
    }
    if (ev.recipients.empty()) {
        return make_error(ErrorCode::arf_no_recipient,
                          original_part == nullptr
                              ? "the report names no recipient: no Original-Rcpt-To and no original message"
                              : "the report names no recipient: no Original-Rcpt-To, and no address in the original To");
    }

    ev.message_id = header_value(original, "Message-ID");
    ev.ses_message_id = ses_message_id_of(ev.message_id);
    ev.mail_source = header_value(original, "From");
    if (!ev.mail_source.empty()) {
        auto from = normalize_address(ev.mail_source, addresses);
        if (from) ev.source_address = std::move(*from);
    }
    ev.configuration_set = header_value(original, "X-SES-CONFIGURATION-SET");
    arf.original_subject = header_value(original, "Subject");

    detail::Fingerprint f("arf");
    f.add(event_kind_name(ev.kind));
    f.add(!arf.reporting_mta.empty() ? mta_name(arf.reporting_mta) : ascii_lower(arf.user_agent));
    f.add(!ev.message_id.empty() ? ev.message_id : "@" + std::to_string(ev.time_ms));
    f.add(ascii_lower(complaint.feedback_type_text));
    std::vector<std::string> recipients;
    for (const auto &r : ev.recipients) recipients.push_back(r.address);
    f.add_sorted(std::move(recipients));
    ev.fingerprint = f.hex();

    ev.complaint = std::move(complaint);
    ev.arf = std::move(arf);
    return ev;
}

}  // namespace presend::feedback
