#include "feedback/ses_event.hpp"

#include <cjson/cJSON.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "feedback/detail.hpp"
#include "json.hpp"
#include "text.hpp"

namespace presend::feedback {

namespace {

using detail::excerpt;
using detail::make_error;
using Err = std::optional<FeedbackError>;
using DocumentOutcome = std::variant<Event, SnsConfirmation, SesNotice, FeedbackError>;

std::string path_of(std::string_view path, std::string_view key) {
    return path.empty() ? std::string(key) : std::string(path) + "." + std::string(key);
}
std::string index_path(std::string_view path, size_t i) { return std::string(path) + "[" + std::to_string(i) + "]"; }

std::string_view json_type_name(const cJSON *node) noexcept {
    if (cJSON_IsObject(node)) return "an object";
    if (cJSON_IsArray(node)) return "an array";
    if (cJSON_IsString(node)) return "a string";
    if (cJSON_IsNumber(node)) return "a number";
    if (cJSON_IsBool(node)) return "a boolean";
    return "null";
}

// A member; JSON null counts as absent (SES writes complaintSubType: null).
const cJSON *member(const cJSON *object, const char *key) noexcept {
    const cJSON *node = cJSON_GetObjectItemCaseSensitive(object, key);
    return (node == nullptr || cJSON_IsNull(node)) ? nullptr : node;
}

FeedbackError missing(const std::string &path) {
    return make_error(ErrorCode::field_missing, path + " is missing");
}

FeedbackError invalid(const std::string &path, std::string why) {
    return make_error(ErrorCode::field_invalid, path + " " + std::move(why));
}

Err check_string_size(const std::string &path, std::string_view v) {
    if (v.size() <= kMaxEventStringBytes) return std::nullopt;
    return make_error(ErrorCode::too_big, path + " is " + std::to_string(v.size()) + " bytes, over the limit of " +
                                              std::to_string(kMaxEventStringBytes));
}

Err as_string(const cJSON *node, const std::string &path, std::string &out) {
    if (!cJSON_IsString(node) || node->valuestring == nullptr) {
        return invalid(path, "must be a string, not " + std::string(json_type_name(node)));
    }
    std::string_view v(node->valuestring);
    if (auto e = check_string_size(path, v)) return e;
    out.assign(v);
    return std::nullopt;
}

Err read_string(const cJSON *object, std::string_view path, const char *key, std::string &out, bool required) {
    const std::string p = path_of(path, key);
    const cJSON *node = member(object, key);
    if (node == nullptr) return required ? Err(missing(p)) : std::nullopt;
    return as_string(node, p, out);
}

Err read_object(const cJSON *object, std::string_view path, const char *key, const cJSON *&out, bool required) {
    const std::string p = path_of(path, key);
    out = member(object, key);
    if (out == nullptr) return required ? Err(missing(p)) : std::nullopt;
    if (!cJSON_IsObject(out)) return invalid(p, "must be an object, not " + std::string(json_type_name(out)));
    return std::nullopt;
}

Err read_array(const cJSON *object, std::string_view path, const char *key, const cJSON *&out, bool required,
               size_t max) {
    const std::string p = path_of(path, key);
    out = member(object, key);
    if (out == nullptr) return required ? Err(missing(p)) : std::nullopt;
    if (!cJSON_IsArray(out)) return invalid(p, "must be an array, not " + std::string(json_type_name(out)));
    const size_t n = json_array_size(out);
    if (n > max) {
        return make_error(ErrorCode::too_big, p + " has " + std::to_string(n) + " elements, over the limit of " +
                                                  std::to_string(max));
    }
    return std::nullopt;
}

Err read_timestamp(const cJSON *object, std::string_view path, const char *key, std::optional<int64_t> &out,
                   bool required) {
    std::string text;
    if (auto e = read_string(object, path, key, text, required)) return e;
    if (member(object, key) == nullptr) return std::nullopt;
    auto ts = parse_timestamp(text);
    if (!ts) return invalid(path_of(path, key), "\"" + excerpt(text) + "\" is not an RFC 3339 time: " + ts.error().message);
    out = *ts;
    return std::nullopt;
}

Err read_bool(const cJSON *object, std::string_view path, const char *key, bool &out) {
    const cJSON *node = member(object, key);
    if (node == nullptr) return std::nullopt;
    if (!cJSON_IsBool(node)) return invalid(path_of(path, key), "must be true or false");
    out = cJSON_IsTrue(node) != 0;
    return std::nullopt;
}

Err read_count(const cJSON *object, std::string_view path, const char *key, std::optional<int64_t> &out) {
    const cJSON *node = member(object, key);
    if (node == nullptr) return std::nullopt;
    constexpr double kMax = 9007199254740992.0;  // 2^53: JSON numbers are doubles
    if (!cJSON_IsNumber(node) || !std::isfinite(node->valuedouble) || node->valuedouble < 0 ||
        node->valuedouble > kMax || node->valuedouble != std::floor(node->valuedouble)) {
        return invalid(path_of(path, key), "must be a whole number of at least 0");
    }
    out = static_cast<int64_t>(node->valuedouble);
    return std::nullopt;
}

// --- Recipients ------------------------------------------------------------------

Err add_recipient(Event &ev, Recipient r, std::string_view raw, const std::string &path,
                  const SesParseOptions &options) {
    auto normalized = normalize_address(raw, options.addresses);
    if (!normalized) {
        return invalid(path, "\"" + excerpt(raw) + "\" is not an email address: " + normalized.error().message);
    }
    r.address = std::move(*normalized);
    for (const auto &existing : ev.recipients) {
        if (existing.address == r.address) return std::nullopt;
    }
    ev.recipients.push_back(std::move(r));
    return std::nullopt;
}

// [{"emailAddress": ..., "status": ..., "action": ..., "diagnosticCode": ...}]
Err read_recipient_objects(const cJSON *object, std::string_view path, const char *key, Event &ev,
                           const SesParseOptions &options) {
    const cJSON *list = nullptr;
    if (auto e = read_array(object, path, key, list, true, kMaxEventRecipients)) return e;
    const std::string p = path_of(path, key);
    if (json_array_size(list) == 0) return invalid(p, "is empty");
    size_t i = 0;
    for (const cJSON *item = json_child(list); item != nullptr; item = json_next(item), ++i) {
        const std::string ip = index_path(p, i);
        if (!cJSON_IsObject(item)) return invalid(ip, "must be an object, not " + std::string(json_type_name(item)));
        std::string address;
        Recipient r;
        if (auto e = read_string(item, ip, "emailAddress", address, true)) return e;
        if (auto e = read_string(item, ip, "status", r.status, false)) return e;
        if (auto e = read_string(item, ip, "action", r.action, false)) return e;
        if (auto e = read_string(item, ip, "diagnosticCode", r.diagnostic_code, false)) return e;
        if (auto e = add_recipient(ev, std::move(r), address, path_of(ip, "emailAddress"), options)) return e;
    }
    return std::nullopt;
}

// ["a@example.com", ...]
Err read_recipient_strings(const cJSON *object, std::string_view path, const char *key, bool required, Event &ev,
                           const SesParseOptions &options) {
    const cJSON *list = nullptr;
    if (auto e = read_array(object, path, key, list, required, kMaxEventRecipients)) return e;
    if (list == nullptr) return std::nullopt;
    const std::string p = path_of(path, key);
    size_t i = 0;
    for (const cJSON *item = json_child(list); item != nullptr; item = json_next(item), ++i) {
        const std::string ip = index_path(p, i);
        std::string address;
        if (auto e = as_string(item, ip, address)) return e;
        if (auto e = add_recipient(ev, Recipient{}, address, ip, options)) return e;
    }
    return std::nullopt;
}

// --- mail --------------------------------------------------------------------------

// arn:<partition>:ses:<region>:<account>:<resource>
Err read_region(Event &ev) {
    std::string_view arn = ev.source_arn;
    std::vector<std::string_view> parts;
    for (int i = 0; i < 5; ++i) {
        const size_t colon = arn.find(':');
        if (colon == std::string_view::npos) break;
        parts.push_back(arn.substr(0, colon));
        arn.remove_prefix(colon + 1);
    }
    const bool shape = parts.size() == 5 && parts[0] == "arn" && !parts[1].empty() && parts[2] == "ses" &&
                       !parts[3].empty() && !arn.empty();
    bool region_ok = shape;
    if (shape) {
        for (const char c : parts[3]) {
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) region_ok = false;
        }
    }
    if (!region_ok) {
        return invalid("mail.sourceArn",
                       "\"" + excerpt(ev.source_arn) + "\" is not arn:<partition>:ses:<region>:<account>:<resource>");
    }
    ev.region.assign(parts[3]);
    return std::nullopt;
}

Err read_tags(const cJSON *mail, Event &ev) {
    const cJSON *tags = nullptr;
    if (auto e = read_object(mail, "mail", "tags", tags, false)) return e;
    if (tags == nullptr) return std::nullopt;
    size_t count = 0;
    for (const cJSON *tag = json_child(tags); tag != nullptr; tag = json_next(tag)) {
        if (++count > kMaxEventTags) {
            return make_error(ErrorCode::too_big, "mail.tags has more than " + std::to_string(kMaxEventTags) + " names");
        }
        const std::string name = json_key(tag);
        const std::string p = "mail.tags." + name;
        if (auto e = check_string_size("a name in mail.tags", name)) return e;
        if (!cJSON_IsArray(tag)) return invalid(p, "must be an array of strings");
        if (json_array_size(tag) > kMaxEventTags) {
            return make_error(ErrorCode::too_big, p + " has more than " + std::to_string(kMaxEventTags) + " values");
        }
        std::vector<std::string> values;
        size_t i = 0;
        for (const cJSON *v = json_child(tag); v != nullptr; v = json_next(v), ++i) {
            std::string s;
            if (auto e = as_string(v, index_path(p, i), s)) return e;
            values.push_back(std::move(s));
        }
        // A duplicated name (JSON allows it) adds its values.
        auto &slot = ev.tags[name];
        slot.insert(slot.end(), values.begin(), values.end());
    }
    return std::nullopt;
}

// mail.headers: [{"name": ..., "value": ...}]. Only Message-ID and
// X-SES-CONFIGURATION-SET are kept, but every entry must have the right shape.
Err read_headers(const cJSON *mail, std::string &message_id, std::string &configuration_set) {
    const cJSON *headers = nullptr;
    if (auto e = read_array(mail, "mail", "headers", headers, false, kMaxEventHeaders)) return e;
    if (headers == nullptr) return std::nullopt;
    size_t i = 0;
    for (const cJSON *h = json_child(headers); h != nullptr; h = json_next(h), ++i) {
        const std::string p = index_path("mail.headers", i);
        if (!cJSON_IsObject(h)) return invalid(p, "must be an object, not " + std::string(json_type_name(h)));
        std::string name;
        std::string value;
        if (auto e = read_string(h, p, "name", name, true)) return e;
        if (auto e = read_string(h, p, "value", value, true)) return e;
        if (message_id.empty() && ascii_iequals(name, "Message-ID")) message_id.assign(trim(value));
        if (configuration_set.empty() && ascii_iequals(name, "X-SES-CONFIGURATION-SET")) {
            configuration_set.assign(trim(value));
        }
    }
    return std::nullopt;
}

Err read_mail(const cJSON *mail, Event &ev, const SesParseOptions &options) {
    if (auto e = read_string(mail, "mail", "messageId", ev.ses_message_id, true)) return e;
    if (ev.ses_message_id.empty()) return invalid("mail.messageId", "is empty");
    if (auto e = read_timestamp(mail, "mail", "timestamp", ev.mail_time_ms, true)) return e;
    if (auto e = read_string(mail, "mail", "source", ev.mail_source, false)) return e;
    if (!ev.mail_source.empty()) {
        // The sender as a normalized address where it parses; mail_source
        // keeps the text either way, so a display name SES passes through
        // unparsed loses nothing.
        auto a = normalize_address(ev.mail_source, options.addresses);
        if (a) ev.source_address = std::move(*a);
    }
    if (auto e = read_string(mail, "mail", "sendingAccountId", ev.sending_account_id, false)) return e;
    if (auto e = read_string(mail, "mail", "sourceArn", ev.source_arn, false)) return e;
    if (!ev.source_arn.empty()) {
        if (auto e = read_region(ev)) return e;
    }
    if (auto e = read_tags(mail, ev)) return e;

    std::string header_message_id;
    std::string header_configuration_set;
    if (auto e = read_headers(mail, header_message_id, header_configuration_set)) return e;
    const cJSON *common = nullptr;
    if (auto e = read_object(mail, "mail", "commonHeaders", common, false)) return e;
    if (common != nullptr) {
        std::string id;
        if (auto e = read_string(common, "mail.commonHeaders", "messageId", id, false)) return e;
        ev.message_id.assign(trim(id));
    }
    if (ev.message_id.empty()) ev.message_id = std::move(header_message_id);

    if (auto it = ev.tags.find("ses:configuration-set"); it != ev.tags.end() && !it->second.empty()) {
        ev.configuration_set = it->second.front();
    } else {
        ev.configuration_set = std::move(header_configuration_set);
    }
    return std::nullopt;
}

// --- The kinds ------------------------------------------------------------------------

struct KindInfo {
    std::string_view name;  // as SES spells it
    EventKind kind;
    const char *object;  // the member holding the kind's details; nullptr: none needed
};

constexpr KindInfo kEventTypes[] = {
    {"Send", EventKind::send, nullptr},
    {"Reject", EventKind::reject, "reject"},
    {"Bounce", EventKind::bounce, "bounce"},
    {"Complaint", EventKind::complaint, "complaint"},
    {"Delivery", EventKind::delivery, "delivery"},
    {"DeliveryDelay", EventKind::delivery_delay, "deliveryDelay"},
    {"Rendering Failure", EventKind::rendering_failure, "failure"},
    {"Subscription", EventKind::subscription, "subscription"},
    {"Open", EventKind::open, "open"},
    {"Click", EventKind::click, "click"},
};

BounceSubtype bounce_subtype_of(std::string_view s) noexcept {
    for (BounceSubtype t : {BounceSubtype::general, BounceSubtype::no_email, BounceSubtype::suppressed,
                            BounceSubtype::on_account_suppression_list, BounceSubtype::mailbox_full,
                            BounceSubtype::message_too_large, BounceSubtype::content_rejected,
                            BounceSubtype::attachment_rejected, BounceSubtype::undetermined}) {
        if (s == bounce_subtype_name(t)) return t;
    }
    return BounceSubtype::other;
}

Err read_bounce(const cJSON *b, Event &ev, const SesParseOptions &options) {
    BounceDetail d;
    std::string type;
    if (auto e = read_string(b, "bounce", "bounceType", type, true)) return e;
    if (type == "Permanent") {
        d.type = BounceType::permanent;
    } else if (type == "Transient") {
        d.type = BounceType::transient;
    } else if (type == "Undetermined") {
        d.type = BounceType::undetermined;
    } else {
        return invalid("bounce.bounceType", "\"" + excerpt(type) + "\" is not Permanent, Transient or Undetermined");
    }
    if (auto e = read_string(b, "bounce", "bounceSubType", d.subtype_text, false)) return e;
    if (!d.subtype_text.empty()) d.subtype = bounce_subtype_of(d.subtype_text);
    if (auto e = read_string(b, "bounce", "reportingMTA", d.reporting_mta, false)) return e;
    if (auto e = read_string(b, "bounce", "remoteMtaIp", d.remote_mta_ip, false)) return e;
    if (auto e = read_string(b, "bounce", "feedbackId", ev.feedback_id, true)) return e;
    if (ev.feedback_id.empty()) return invalid("bounce.feedbackId", "is empty");
    if (auto e = read_recipient_objects(b, "bounce", "bouncedRecipients", ev, options)) return e;
    ev.bounce = std::move(d);
    return std::nullopt;
}

Err read_complaint(const cJSON *c, Event &ev, const SesParseOptions &options) {
    ComplaintDetail d;
    if (auto e = read_string(c, "complaint", "complaintFeedbackType", d.feedback_type_text, false)) return e;
    if (!d.feedback_type_text.empty()) d.feedback_type = detail::feedback_type_of(d.feedback_type_text);
    if (auto e = read_string(c, "complaint", "complaintSubType", d.subtype_text, false)) return e;
    if (d.subtype_text == "OnAccountSuppressionList") {
        d.subtype = ComplaintSubtype::on_account_suppression_list;
    } else if (!d.subtype_text.empty()) {
        d.subtype = ComplaintSubtype::other;
    }
    if (auto e = read_string(c, "complaint", "userAgent", d.user_agent, false)) return e;
    if (auto e = read_timestamp(c, "complaint", "arrivalDate", d.arrival_ms, false)) return e;
    if (auto e = read_string(c, "complaint", "feedbackId", ev.feedback_id, true)) return e;
    if (ev.feedback_id.empty()) return invalid("complaint.feedbackId", "is empty");
    if (auto e = read_recipient_objects(c, "complaint", "complainedRecipients", ev, options)) return e;
    ev.complaint = std::move(d);
    return std::nullopt;
}

Err read_delivery(const cJSON *o, Event &ev, const SesParseOptions &options) {
    DeliveryDetail d;
    if (auto e = read_string(o, "delivery", "smtpResponse", d.smtp_response, false)) return e;
    if (auto e = read_string(o, "delivery", "reportingMTA", d.reporting_mta, false)) return e;
    if (auto e = read_string(o, "delivery", "remoteMtaIp", d.remote_mta_ip, false)) return e;
    if (auto e = read_count(o, "delivery", "processingTimeMillis", d.processing_ms)) return e;
    if (auto e = read_recipient_strings(o, "delivery", "recipients", true, ev, options)) return e;
    if (ev.recipients.empty()) return invalid("delivery.recipients", "is empty");
    ev.delivery = std::move(d);
    return std::nullopt;
}

Err read_delay(const cJSON *o, Event &ev, const SesParseOptions &options) {
    DelayDetail d;
    if (auto e = read_string(o, "deliveryDelay", "delayType", d.delay_type, false)) return e;
    if (auto e = read_timestamp(o, "deliveryDelay", "expirationTime", d.expiration_ms, false)) return e;
    if (auto e = read_string(o, "deliveryDelay", "reportingMTA", d.reporting_mta, false)) return e;
    if (auto e = read_recipient_objects(o, "deliveryDelay", "delayedRecipients", ev, options)) return e;
    ev.delay = std::move(d);
    return std::nullopt;
}

Err read_preferences(const cJSON *o, const char *key, std::optional<TopicPreferences> &out) {
    const std::string p = path_of("subscription", key);
    const cJSON *prefs = nullptr;
    if (auto e = read_object(o, "subscription", key, prefs, false)) return e;
    if (prefs == nullptr) return std::nullopt;
    TopicPreferences tp;
    if (auto e = read_bool(prefs, p, "unsubscribeAll", tp.unsubscribe_all)) return e;
    const cJSON *topics = nullptr;
    if (auto e = read_array(prefs, p, "topicSubscriptionStatus", topics, false, kMaxEventTags)) return e;
    size_t i = 0;
    for (const cJSON *t = json_child(topics); t != nullptr; t = json_next(t), ++i) {
        const std::string tp_path = index_path(path_of(p, "topicSubscriptionStatus"), i);
        if (!cJSON_IsObject(t)) return invalid(tp_path, "must be an object, not " + std::string(json_type_name(t)));
        TopicPreference pref;
        if (auto e = read_string(t, tp_path, "topicName", pref.topic, true)) return e;
        if (auto e = read_string(t, tp_path, "subscriptionStatus", pref.status, true)) return e;
        tp.topics.push_back(std::move(pref));
    }
    out = std::move(tp);
    return std::nullopt;
}

// The contact whose preferences changed is the message's recipient
// (mail.destination, read with the other kinds that have no list of their own).
Err read_subscription(const cJSON *o, Event &ev) {
    SubscriptionDetail d;
    if (auto e = read_string(o, "subscription", "contactList", d.contact_list, true)) return e;
    if (auto e = read_string(o, "subscription", "source", d.source, false)) return e;
    std::optional<TopicPreferences> now;
    if (auto e = read_preferences(o, "newTopicPreferences", now)) return e;
    if (!now) return missing("subscription.newTopicPreferences");
    d.new_preferences = std::move(*now);
    if (auto e = read_preferences(o, "oldTopicPreferences", d.old_preferences)) return e;
    ev.subscription = std::move(d);
    return std::nullopt;
}

Err read_engagement(const cJSON *o, const char *path, Event &ev) {
    EngagementDetail d;
    if (auto e = read_string(o, path, "ipAddress", d.ip_address, false)) return e;
    if (auto e = read_string(o, path, "userAgent", d.user_agent, false)) return e;
    if (ev.kind == EventKind::click) {
        if (auto e = read_string(o, path, "link", d.link, false)) return e;
    }
    ev.engagement = std::move(d);
    return std::nullopt;
}

std::string fingerprint_of(const Event &ev) {
    detail::Fingerprint f("ses");
    f.add(event_kind_name(ev.kind));
    f.add(ev.ses_message_id);
    if (ev.kind == EventKind::bounce || ev.kind == EventKind::complaint) {
        f.add(ev.feedback_id);
        return f.hex();
    }
    f.add(std::to_string(ev.time_ms));
    std::vector<std::string> addresses;
    addresses.reserve(ev.recipients.size());
    for (const auto &r : ev.recipients) addresses.push_back(r.address);
    f.add_sorted(std::move(addresses));
    if (ev.kind == EventKind::click) f.add(ev.engagement->link);
    if (ev.kind == EventKind::subscription) f.add(ev.subscription->contact_list);
    return f.hex();
}

// A bare SES document: notificationType or eventType at the top.
std::variant<Event, SesNotice, FeedbackError> parse_ses(const cJSON *doc, const SesParseOptions &options) {
    const cJSON *notification_type = member(doc, "notificationType");
    const cJSON *event_type = member(doc, "eventType");
    if (notification_type != nullptr && event_type != nullptr) {
        return invalid("notificationType", "and eventType are both present; an SES document has one");
    }
    Event ev;
    ev.source = notification_type != nullptr ? EventSource::notification : EventSource::event_publishing;
    const char *type_key = notification_type != nullptr ? "notificationType" : "eventType";
    std::string type;
    if (auto e = as_string(notification_type != nullptr ? notification_type : event_type, type_key, type)) {
        return std::move(*e);
    }
    const KindInfo *info = nullptr;
    for (const auto &k : kEventTypes) {
        if (k.name == type) info = &k;
    }
    if (ev.source == EventSource::notification) {
        if (type == "AmazonSnsSubscriptionSucceeded") {
            SesNotice notice;
            notice.type = type;
            if (auto e = read_string(doc, "", "message", notice.message, false)) return std::move(*e);
            return notice;
        }
        // Notifications carry only these three; the others exist only as published events.
        if (info != nullptr && info->kind != EventKind::bounce && info->kind != EventKind::complaint &&
            info->kind != EventKind::delivery) {
            info = nullptr;
        }
    }
    if (info == nullptr) {
        return make_error(ErrorCode::unknown_event_type,
                          std::string(type_key) + " \"" + excerpt(type) + "\" is not an SES " +
                              (ev.source == EventSource::notification
                                   ? "notification type (Bounce, Complaint, Delivery)"
                                   : "event type (Send, Reject, Bounce, Complaint, Delivery, DeliveryDelay, "
                                     "Rendering Failure, Subscription, Open, Click)"));
    }
    ev.kind = info->kind;

    const cJSON *mail = nullptr;
    if (auto e = read_object(doc, "", "mail", mail, true)) return std::move(*e);
    if (auto e = read_mail(mail, ev, options)) return std::move(*e);

    const cJSON *details = nullptr;
    if (info->object != nullptr) {
        if (auto e = read_object(doc, "", info->object, details, true)) return std::move(*e);
    }
    Err err;
    switch (ev.kind) {
        case EventKind::send: break;
        case EventKind::reject: {
            RejectDetail d;
            err = read_string(details, "reject", "reason", d.reason, false);
            ev.reject = std::move(d);
            break;
        }
        case EventKind::bounce: err = read_bounce(details, ev, options); break;
        case EventKind::complaint: err = read_complaint(details, ev, options); break;
        case EventKind::delivery: err = read_delivery(details, ev, options); break;
        case EventKind::delivery_delay: err = read_delay(details, ev, options); break;
        case EventKind::rendering_failure: {
            RenderingFailureDetail d;
            err = read_string(details, "failure", "templateName", d.template_name, false);
            if (!err) err = read_string(details, "failure", "errorMessage", d.error_message, false);
            ev.rendering_failure = std::move(d);
            break;
        }
        case EventKind::subscription: err = read_subscription(details, ev); break;
        case EventKind::open: err = read_engagement(details, "open", ev); break;
        case EventKind::click: err = read_engagement(details, "click", ev); break;
    }
    if (err) return std::move(*err);

    // Kinds without their own recipient list concern the message's recipients.
    if (ev.recipients.empty()) {
        if (auto e = read_recipient_strings(mail, "mail", "destination", false, ev, options)) return std::move(*e);
    }

    std::optional<int64_t> when;
    if (details != nullptr) {
        if (auto e = read_timestamp(details, info->object, "timestamp", when, false)) return std::move(*e);
    }
    ev.time_ms = when.value_or(*ev.mail_time_ms);
    ev.fingerprint = fingerprint_of(ev);
    return ev;
}

DocumentOutcome parse_envelope(const cJSON *doc, const SesParseOptions &options) {
    auto env = read_sns_envelope(doc);
    if (!env) return std::move(env).error();
    auto state = verify_sns_envelope(*env, options.sns);
    if (!state) return std::move(state).error();
    if (env->type != SnsMessageType::notification) {
        SnsConfirmation c;
        c.type = env->type;
        c.topic_arn = std::move(env->topic_arn);
        c.subscribe_url = std::move(env->subscribe_url);
        c.token = std::move(env->token);
        c.message = std::move(env->message);
        c.message_id = std::move(env->message_id);
        c.time_ms = env->timestamp_ms;
        c.signature = *state;
        return c;
    }
    if (env->message.size() > kMaxSesDocumentBytes) {
        return make_error(ErrorCode::too_big, "the SNS Message is " + std::to_string(env->message.size()) +
                                                  " bytes, over the limit of " + std::to_string(kMaxSesDocumentBytes));
    }
    auto inner = json_parse(env->message, kMaxSesDocumentBytes);
    if (!inner) return make_error(ErrorCode::json_invalid, "the SNS Message is not JSON: " + inner.error().message);
    const cJSON *ses = inner->get();
    if (!cJSON_IsObject(ses) || (member(ses, "notificationType") == nullptr && member(ses, "eventType") == nullptr)) {
        return make_error(ErrorCode::not_an_event,
                          "the SNS Message is not an SES notification or event (no notificationType or eventType)");
    }
    auto parsed = parse_ses(ses, options);
    if (auto *ev = std::get_if<Event>(&parsed)) {
        ev->sns_message_id = env->message_id;
        ev->sns_topic_arn = env->topic_arn;
        ev->sns_signature = *state;
        return std::move(*ev);
    }
    if (auto *notice = std::get_if<SesNotice>(&parsed)) {
        notice->sns_message_id = env->message_id;
        notice->sns_topic_arn = env->topic_arn;
        notice->signature = *state;
        return std::move(*notice);
    }
    return std::get<FeedbackError>(std::move(parsed));
}

DocumentOutcome parse_text_document(std::string_view text, const SesParseOptions &options) {
    if (text.size() > kMaxSesDocumentBytes) {
        return make_error(ErrorCode::too_big, "the document is " + std::to_string(text.size()) +
                                                  " bytes, over the limit of " + std::to_string(kMaxSesDocumentBytes));
    }
    auto doc = json_parse(text, kMaxSesDocumentBytes);
    if (!doc) return make_error(ErrorCode::json_invalid, doc.error().message);
    return parse_ses_document(doc->get(), options);
}

// JSON Lines only when the first line is a whole object on its own: a
// pretty-printed document that fails to parse starts with a lone "{" (or a
// line ending in ','), and splitting it would report every line.
bool looks_like_json_lines(std::string_view in) {
    size_t pos = 0;
    while (pos < in.size()) {
        const size_t nl = in.find('\n', pos);
        const std::string_view line = trim(in.substr(pos, nl == std::string_view::npos ? nl : nl - pos));
        if (!line.empty()) return line.size() >= 2 && line.front() == '{' && line.back() == '}';
        if (nl == std::string_view::npos) break;
        pos = nl + 1;
    }
    return false;
}

FeedbackError too_many_documents() {
    return make_error(ErrorCode::too_big,
                      "more than " + std::to_string(kMaxSesDocuments) + " documents in one input; the rest is not read");
}

}  // namespace

DocumentOutcome parse_ses_document(const cJSON *doc, const SesParseOptions &options) {
    if (!cJSON_IsObject(doc)) {
        return make_error(ErrorCode::not_an_event,
                          "the document is " + std::string(json_type_name(doc)) + ", not a JSON object");
    }
    if (member(doc, "notificationType") == nullptr && member(doc, "eventType") == nullptr) {
        if (member(doc, "Type") != nullptr) return parse_envelope(doc, options);
        return make_error(ErrorCode::not_an_event,
                          "the object has no notificationType, eventType or SNS Type: not an SES event");
    }
    auto parsed = parse_ses(doc, options);
    if (auto *ev = std::get_if<Event>(&parsed)) return std::move(*ev);
    if (auto *notice = std::get_if<SesNotice>(&parsed)) return std::move(*notice);
    return std::get<FeedbackError>(std::move(parsed));
}

std::vector<SesOutcome> parse_ses_events(std::string_view input, const SesParseOptions &options) {
    std::vector<SesOutcome> out;
    if (input.starts_with("\xEF\xBB\xBF")) input.remove_prefix(3);
    if (input.size() > kMaxSesInputBytes) {
        out.push_back({0, 0,
                       make_error(ErrorCode::too_big, "the input is " + std::to_string(input.size()) +
                                                          " bytes, over the limit of " +
                                                          std::to_string(kMaxSesInputBytes))});
        return out;
    }
    if (trim(input).empty()) return out;

    auto whole = json_parse(input, kMaxSesInputBytes);
    if (whole) {
        const cJSON *root = whole->get();
        if (!cJSON_IsArray(root)) {
            out.push_back({0, 0, input.size() > kMaxSesDocumentBytes ? parse_text_document(input, options)
                                                                      : parse_ses_document(root, options)});
            return out;
        }
        size_t i = 0;
        for (const cJSON *item = json_child(root); item != nullptr; item = json_next(item), ++i) {
            if (i == kMaxSesDocuments) {
                out.push_back({i, 0, too_many_documents()});
                break;
            }
            out.push_back({i, 0, parse_ses_document(item, options)});
        }
        return out;
    }
    if (!looks_like_json_lines(input)) {
        out.push_back({0, 0, make_error(ErrorCode::json_invalid, whole.error().message)});
        return out;
    }
    size_t pos = 0;
    size_t line = 1;
    size_t index = 0;
    while (pos < input.size()) {
        const size_t nl = input.find('\n', pos);
        const size_t end = nl == std::string_view::npos ? input.size() : nl;
        const std::string_view text = trim(input.substr(pos, end - pos));
        if (!text.empty()) {
            if (index == kMaxSesDocuments) {
                out.push_back({index, line, too_many_documents()});
                break;
            }
            out.push_back({index, line, parse_text_document(text, options)});
            ++index;
        }
        if (nl == std::string_view::npos) break;
        pos = nl + 1;
        ++line;
    }
    return out;
}

void write_ses_outcome_json(JsonWriter &w, const SesOutcome &o) {
    w.begin_object();
    w.field("index", o.index);
    w.field("line", o.line);
    if (const Event *ev = o.event()) {
        w.key("event");
        write_event_json(w, *ev);
    } else if (const SnsConfirmation *c = o.confirmation()) {
        w.key("sns_confirmation").begin_object();
        w.field("type", sns_message_type_name(c->type));
        w.field("topic_arn", c->topic_arn);
        w.field("subscribe_url", c->subscribe_url);
        w.field("message_id", c->message_id);
        w.key("time").timestamp(c->time_ms);
        w.field("signature", sns_signature_state_name(c->signature));
        w.end_object();
    } else if (const SesNotice *n = o.notice()) {
        w.key("notice").begin_object();
        w.field("type", n->type);
        w.field("message", n->message);
        w.end_object();
    } else if (const FeedbackError *e = o.error()) {
        w.key("error");
        write_error_json(w, *e);
    }
    w.end_object();
}

}  // namespace presend::feedback
