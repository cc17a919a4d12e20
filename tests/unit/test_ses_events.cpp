#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "feedback/ses_event.hpp"
#include "feedback/support.hpp"
#include "json.hpp"
#include "text.hpp"

namespace presend::feedback {
namespace {

using test::documented_fingerprint;
using test::fixture;
using test::replace_all;
using test::sns_wrap;

std::vector<std::string> addresses(const Event &e) {
    std::vector<std::string> out;
    for (const auto &r : e.recipients) out.push_back(r.address);
    return out;
}

// Parses input that must hold exactly one document, which must be an event.
Event one_event(const std::string &input, const SesParseOptions &options = {}) {
    const auto outcomes = parse_ses_events(input, options);
    EXPECT_EQ(outcomes.size(), 1u);
    if (outcomes.size() != 1) return {};
    if (const FeedbackError *e = outcomes[0].error()) {
        ADD_FAILURE() << e->code_name() << ": " << e->message;
        return {};
    }
    EXPECT_NE(outcomes[0].event(), nullptr);
    return outcomes[0].event() != nullptr ? *outcomes[0].event() : Event{};
}

FeedbackError one_error(const std::string &input, const SesParseOptions &options = {}) {
    const auto outcomes = parse_ses_events(input, options);
    EXPECT_EQ(outcomes.size(), 1u);
    if (outcomes.size() != 1 || outcomes[0].error() == nullptr) {
        ADD_FAILURE() << "expected one error outcome";
        return {};
    }
    return *outcomes[0].error();
}

// The smallest published bounce presend accepts; tests edit its text.
const std::string kBounce =
    R"({"eventType":"Bounce","bounce":{"bounceType":"Permanent","bounceSubType":"General",)"
    R"("bouncedRecipients":[{"emailAddress":"a@example.com"}],"timestamp":"2026-05-01T00:00:00Z","feedbackId":"fb-1"},)"
    R"("mail":{"messageId":"m-1","timestamp":"2026-05-01T00:00:00Z","destination":["a@example.com"]}})";

// --- Every fixture: kind, source, time, recipients -----------------------------------

struct FixtureCase {
    std::string file;
    EventKind kind;
    EventSource source;
    std::string time;
    std::vector<std::string> recipients;
};

TEST(SesEvents, EveryKindFromFixtures) {
    const std::vector<std::string> three = {"alice@example.org", "Bob.Smith@example.net", "carol@example.org"};
    const std::vector<FixtureCase> cases = {
        {"notification-bounce-permanent.json", EventKind::bounce, EventSource::notification,
         "2026-03-02T10:15:42.318Z", {"Bob.Smith@example.net", "carol@example.org"}},
        {"notification-complaint-abuse.json", EventKind::complaint, EventSource::notification,
         "2026-03-02T18:01:13.778Z", {"alice@example.org"}},
        {"notification-complaint-no-type.json", EventKind::complaint, EventSource::notification,
         "2026-03-03T07:44:00.120Z", {"carol@example.org"}},
        {"notification-delivery.json", EventKind::delivery, EventSource::notification, "2026-03-02T10:15:41.902Z",
         {"alice@example.org"}},
        {"event-send.json", EventKind::send, EventSource::event_publishing, "2026-04-10T08:00:00.500Z",
         {"dave@example.com"}},
        {"event-reject.json", EventKind::reject, EventSource::event_publishing, "2026-04-10T08:00:00.500Z",
         {"dave@example.com"}},
        {"event-bounce-transient.json", EventKind::bounce, EventSource::event_publishing, "2026-04-10T08:20:11.004Z",
         {"dave@example.com"}},
        {"event-bounce-suppressed.json", EventKind::bounce, EventSource::event_publishing,
         "2026-04-11T12:00:00.250Z", {"erin@example.com"}},
        {"event-bounce-account-suppressed.json", EventKind::bounce, EventSource::event_publishing,
         "2026-04-11T12:05:00Z", {"frank@example.com"}},
        {"event-complaint-suppressed.json", EventKind::complaint, EventSource::event_publishing,
         "2026-04-12T09:30:00Z", {"grace@example.com"}},
        {"event-complaint-fraud.json", EventKind::complaint, EventSource::event_publishing, "2026-04-12T10:00:00Z",
         {"heidi@example.com"}},
        {"event-delivery.json", EventKind::delivery, EventSource::event_publishing, "2026-04-10T08:00:02.125Z",
         {"dave@example.com"}},
        {"event-delivery-delay.json", EventKind::delivery_delay, EventSource::event_publishing,
         "2026-04-10T08:10:00Z", {"dave@example.com"}},
        {"event-rendering-failure.json", EventKind::rendering_failure, EventSource::event_publishing,
         "2026-04-13T15:00:00Z", {"ivan@example.com"}},
        {"event-subscription.json", EventKind::subscription, EventSource::event_publishing,
         "2026-04-14T07:30:12.345Z", {"judy@example.com"}},
        {"event-open.json", EventKind::open, EventSource::event_publishing, "2026-03-02T11:02:03.004Z", three},
        {"event-click.json", EventKind::click, EventSource::event_publishing, "2026-03-02T11:05:00Z", three},
    };
    for (const auto &c : cases) {
        SCOPED_TRACE(c.file);
        const Event e = one_event(fixture("ses/" + c.file));
        EXPECT_EQ(event_kind_name(e.kind), event_kind_name(c.kind));
        EXPECT_EQ(event_source_name(e.source), event_source_name(c.source));
        EXPECT_EQ(format_timestamp(e.time_ms), c.time);
        EXPECT_EQ(addresses(e), c.recipients);
        EXPECT_EQ(e.fingerprint.size(), 64u);
        EXPECT_EQ(e.sending_account_id, "210987654321");
        EXPECT_EQ(e.sns_signature, SnsSignatureState::not_applicable);
        EXPECT_EQ(event_kind_has_effect(e.kind), c.kind != EventKind::open && c.kind != EventKind::click);
    }
}

TEST(SesEvents, PermanentBounceNotification) {
    const Event e = one_event(fixture("ses/notification-bounce-permanent.json"));
    EXPECT_EQ(e.ses_message_id, "0102018f3a5b7c9d-5e2a41b7-0c3d-4f8e-9a61-7b2c4d6e8f10-000000");
    EXPECT_EQ(e.message_id, "<spring-sale-7731@news.example.com>");
    EXPECT_EQ(e.mail_source, "Example News <news@news.example.com>");
    EXPECT_EQ(e.source_address, "news@news.example.com");
    EXPECT_EQ(e.source_arn, "arn:aws:ses:eu-west-1:210987654321:identity/news.example.com");
    EXPECT_EQ(e.region, "eu-west-1");
    EXPECT_EQ(e.configuration_set, "marketing-eu");
    EXPECT_EQ(format_timestamp(*e.mail_time_ms), "2026-03-02T10:15:40.051Z");
    EXPECT_EQ(e.tags.at("campaign"), std::vector<std::string>{"spring-2026"});
    EXPECT_EQ(e.tags.at("ses:from-domain"), std::vector<std::string>{"news.example.com"});
    EXPECT_EQ(e.feedback_id, "0102018f3a5b9e01-aa11bb22-cc33-44dd-88ee-ff0011223344-000000");
    ASSERT_TRUE(e.bounce);
    EXPECT_EQ(e.bounce->type, BounceType::permanent);
    EXPECT_EQ(e.bounce->subtype, BounceSubtype::general);
    EXPECT_EQ(e.bounce->reporting_mta, "dns; b224-13.smtp-out.eu-west-1.amazonses.com");
    EXPECT_EQ(e.bounce->remote_mta_ip, "203.0.113.25");
    ASSERT_EQ(e.recipients.size(), 2u);
    EXPECT_EQ(e.recipients[0].status, "5.1.1");
    EXPECT_EQ(e.recipients[0].action, "failed");
    EXPECT_EQ(e.recipients[0].diagnostic_code,
              "smtp; 550 5.1.1 <Bob.Smith@example.net>: Recipient address rejected: User unknown");
    EXPECT_EQ(e.recipients[1].status, "5.2.1");
    EXPECT_FALSE(e.complaint || e.delivery || e.delay || e.reject || e.rendering_failure || e.subscription ||
                 e.engagement || e.arf);
}

TEST(SesEvents, BounceTypesAndSubtypes) {
    struct Case {
        std::string file;
        BounceType type;
        BounceSubtype subtype;
        std::string subtype_text;
        std::string status;
    };
    const std::vector<Case> cases = {
        {"event-bounce-transient.json", BounceType::transient, BounceSubtype::mailbox_full, "MailboxFull", "4.2.2"},
        {"event-bounce-suppressed.json", BounceType::permanent, BounceSubtype::suppressed, "Suppressed", "5.1.1"},
        {"event-bounce-account-suppressed.json", BounceType::permanent, BounceSubtype::on_account_suppression_list,
         "OnAccountSuppressionList", "5.1.1"},
    };
    for (const auto &c : cases) {
        SCOPED_TRACE(c.file);
        const Event e = one_event(fixture("ses/" + c.file));
        ASSERT_TRUE(e.bounce);
        EXPECT_EQ(e.bounce->type, c.type);
        EXPECT_EQ(e.bounce->subtype, c.subtype);
        EXPECT_EQ(e.bounce->subtype_text, c.subtype_text);
        EXPECT_EQ(bounce_subtype_name(e.bounce->subtype), c.subtype_text);
        EXPECT_EQ(e.recipients.at(0).status, c.status);
    }
    // Every subtype SES documents, and one it may add later.
    const std::vector<std::pair<std::string, BounceSubtype>> subtypes = {
        {"Undetermined", BounceSubtype::undetermined},       {"General", BounceSubtype::general},
        {"NoEmail", BounceSubtype::no_email},                {"Suppressed", BounceSubtype::suppressed},
        {"OnAccountSuppressionList", BounceSubtype::on_account_suppression_list},
        {"MailboxFull", BounceSubtype::mailbox_full},        {"MessageTooLarge", BounceSubtype::message_too_large},
        {"ContentRejected", BounceSubtype::content_rejected}, {"AttachmentRejected", BounceSubtype::attachment_rejected},
        {"SomethingNew", BounceSubtype::other},
    };
    for (const auto &[text, subtype] : subtypes) {
        SCOPED_TRACE(text);
        const Event e = one_event(replace_all(kBounce, "\"General\"", "\"" + text + "\""));
        EXPECT_EQ(e.bounce->subtype, subtype);
        EXPECT_EQ(e.bounce->subtype_text, text);
    }
    const Event undetermined =
        one_event(replace_all(kBounce, R"("bounceType":"Permanent")", R"("bounceType":"Undetermined")"));
    EXPECT_EQ(undetermined.bounce->type, BounceType::undetermined);
    const Event no_subtype = one_event(replace_all(kBounce, R"("bounceSubType":"General",)", ""));
    EXPECT_EQ(no_subtype.bounce->subtype, BounceSubtype::none);
}

TEST(SesEvents, Complaints) {
    const Event abuse = one_event(fixture("ses/notification-complaint-abuse.json"));
    ASSERT_TRUE(abuse.complaint);
    EXPECT_EQ(abuse.complaint->feedback_type, FeedbackType::abuse);
    EXPECT_EQ(abuse.complaint->feedback_type_text, "abuse");
    EXPECT_EQ(abuse.complaint->user_agent, "Example Mail Feedback Loop (1.4)");
    EXPECT_EQ(format_timestamp(*abuse.complaint->arrival_ms), "2026-03-02T18:01:10Z");
    EXPECT_EQ(abuse.complaint->subtype, ComplaintSubtype::none);
    EXPECT_EQ(abuse.feedback_id, "0102018f3c1d2e3f-11112222-3333-4444-5555-666677778888-000000");

    const Event no_type = one_event(fixture("ses/notification-complaint-no-type.json"));
    EXPECT_EQ(no_type.complaint->feedback_type, FeedbackType::none);
    EXPECT_EQ(no_type.complaint->feedback_type_text, "");
    EXPECT_FALSE(no_type.complaint->arrival_ms);

    const Event suppressed = one_event(fixture("ses/event-complaint-suppressed.json"));
    EXPECT_EQ(suppressed.complaint->subtype, ComplaintSubtype::on_account_suppression_list);
    EXPECT_EQ(suppressed.complaint->subtype_text, "OnAccountSuppressionList");
    EXPECT_EQ(suppressed.complaint->feedback_type, FeedbackType::none);

    // complaintSubType: null is how SES writes "no subtype".
    const Event fraud = one_event(fixture("ses/event-complaint-fraud.json"));
    EXPECT_EQ(fraud.complaint->feedback_type, FeedbackType::fraud);
    EXPECT_EQ(fraud.complaint->subtype, ComplaintSubtype::none);

    const std::string base = fixture("ses/event-complaint-fraud.json");
    const std::vector<std::pair<std::string, FeedbackType>> types = {
        {"abuse", FeedbackType::abuse},       {"auth-failure", FeedbackType::auth_failure},
        {"fraud", FeedbackType::fraud},       {"not-spam", FeedbackType::not_spam},
        {"other", FeedbackType::other},       {"virus", FeedbackType::virus},
        {"opt-out", FeedbackType::other},
    };
    for (const auto &[text, type] : types) {
        SCOPED_TRACE(text);
        const Event e = one_event(replace_all(base, "\"fraud\"", "\"" + text + "\""));
        EXPECT_EQ(e.complaint->feedback_type, type);
        EXPECT_EQ(e.complaint->feedback_type_text, text);
    }
}

TEST(SesEvents, DeliveryDelayRejectRenderingSubscriptionEngagement) {
    const Event delivery = one_event(fixture("ses/notification-delivery.json"));
    ASSERT_TRUE(delivery.delivery);
    EXPECT_EQ(delivery.delivery->smtp_response, "250 2.0.0 OK 1740910541 x12si345678wrb.101 - gsmtp");
    EXPECT_EQ(delivery.delivery->processing_ms, 1851);
    EXPECT_EQ(delivery.delivery->remote_mta_ip, "192.0.2.41");

    const Event delay = one_event(fixture("ses/event-delivery-delay.json"));
    ASSERT_TRUE(delay.delay);
    EXPECT_EQ(delay.delay->delay_type, "MailboxFull");
    EXPECT_EQ(format_timestamp(*delay.delay->expiration_ms), "2026-04-10T22:00:00Z");
    EXPECT_EQ(delay.recipients.at(0).status, "4.2.2");
    EXPECT_EQ(delay.recipients.at(0).diagnostic_code, "smtp; 452 4.2.2 Mailbox full");

    const Event reject = one_event(fixture("ses/event-reject.json"));
    ASSERT_TRUE(reject.reject);
    EXPECT_EQ(reject.reject->reason, "Bad content");
    EXPECT_EQ(reject.region, "us-east-1");
    EXPECT_EQ(reject.configuration_set, "transactional");
    EXPECT_EQ(reject.message_id, "<order-55120@shop.example.com>");

    const Event failure = one_event(fixture("ses/event-rendering-failure.json"));
    ASSERT_TRUE(failure.rendering_failure);
    EXPECT_EQ(failure.rendering_failure->template_name, "InvoiceReady");
    EXPECT_EQ(failure.rendering_failure->error_message,
              "Attribute 'invoice_total' is not present in the rendering data.");
    EXPECT_EQ(failure.message_id, "");  // no headers in a rendering failure
    EXPECT_EQ(failure.source_address, "billing@shop.example.com");

    const Event sub = one_event(fixture("ses/event-subscription.json"));
    ASSERT_TRUE(sub.subscription);
    EXPECT_EQ(sub.subscription->contact_list, "Newsletter");
    EXPECT_EQ(sub.subscription->source, "UnsubscribeHeader");
    EXPECT_FALSE(sub.subscription->new_preferences.unsubscribe_all);
    const std::vector<TopicPreference> now = {{"Offers", "OptOut"}, {"Product news", "OptIn"}};
    EXPECT_EQ(sub.subscription->new_preferences.topics, now);
    ASSERT_TRUE(sub.subscription->old_preferences);
    EXPECT_EQ(sub.subscription->old_preferences->topics.at(0).status, "OptIn");
    EXPECT_EQ(sub.tags.at("ses:operation"), std::vector<std::string>{"SendEmail"});

    const Event open = one_event(fixture("ses/event-open.json"));
    ASSERT_TRUE(open.engagement);
    EXPECT_EQ(open.engagement->ip_address, "192.0.2.77");
    EXPECT_EQ(open.engagement->link, "");
    const Event click = one_event(fixture("ses/event-click.json"));
    EXPECT_EQ(click.engagement->link, "https://shop.example.com/sale?utm_source=ses");
    EXPECT_EQ(click.engagement->user_agent, "Mozilla/5.0 (X11; Linux x86_64)");
    EXPECT_NE(click.fingerprint, open.fingerprint);
}

TEST(SesEvents, ConfigurationSetFromHeaderWhenNoTag) {
    const std::string doc = replace_all(
        kBounce, R"("destination":["a@example.com"])",
        R"("destination":["a@example.com"],"headers":[{"name":"x-ses-configuration-set","value":" bulk "},)"
        R"({"name":"message-id","value":" <x1@example.com> "}])");
    const Event e = one_event(doc);
    EXPECT_EQ(e.configuration_set, "bulk");
    EXPECT_EQ(e.message_id, "<x1@example.com>");
}

TEST(SesEvents, DuplicateRecipientsCollapse) {
    const std::string doc = replace_all(kBounce, R"([{"emailAddress":"a@example.com"}])",
                                        R"([{"emailAddress":"a@EXAMPLE.com"},{"emailAddress":"a@example.com"}])");
    EXPECT_EQ(addresses(one_event(doc)), std::vector<std::string>{"a@example.com"});
}

TEST(SesEvents, NotificationTypeAmazonSnsSubscriptionSucceededIsANotice) {
    const std::string doc =
        R"({"notificationType":"AmazonSnsSubscriptionSucceeded","message":"You have successfully subscribed your Amazon SNS topic 'arn:aws:sns:us-east-1:210987654321:ses-feedback' to receive 'Bounce' notifications from Amazon SES for identity 'example.com'."})";
    const auto outcomes = parse_ses_events(sns_wrap(doc));
    ASSERT_EQ(outcomes.size(), 1u);
    ASSERT_NE(outcomes[0].notice(), nullptr);
    EXPECT_EQ(outcomes[0].notice()->type, "AmazonSnsSubscriptionSucceeded");
    EXPECT_EQ(outcomes[0].notice()->sns_topic_arn, "arn:aws:sns:us-east-1:210987654321:ses-feedback");
    EXPECT_EQ(outcomes[0].notice()->signature, SnsSignatureState::not_checked);
}

// --- Fingerprints ----------------------------------------------------------------------

TEST(SesFingerprint, MatchesTheDocumentedDefinition) {
    const Event bounce = one_event(fixture("ses/notification-bounce-permanent.json"));
    EXPECT_EQ(bounce.fingerprint,
              documented_fingerprint({"presend.feedback.v1", "ses", "bounce",
                                      "0102018f3a5b7c9d-5e2a41b7-0c3d-4f8e-9a61-7b2c4d6e8f10-000000",
                                      "0102018f3a5b9e01-aa11bb22-cc33-44dd-88ee-ff0011223344-000000"}));
    const Event open = one_event(fixture("ses/event-open.json"));
    // 2026-03-02T11:02:03.004Z; recipients sorted bytewise (upper case first).
    EXPECT_EQ(open.fingerprint,
              documented_fingerprint({"presend.feedback.v1", "ses", "open",
                                      "0102018f3a5b7c9d-5e2a41b7-0c3d-4f8e-9a61-7b2c4d6e8f10-000000", "1772449323004",
                                      "3", "Bob.Smith@example.net", "alice@example.org", "carol@example.org"}));
    const Event click = one_event(fixture("ses/event-click.json"));
    EXPECT_EQ(click.fingerprint,
              documented_fingerprint({"presend.feedback.v1", "ses", "click",
                                      "0102018f3a5b7c9d-5e2a41b7-0c3d-4f8e-9a61-7b2c4d6e8f10-000000", "1772449500000",
                                      "3", "Bob.Smith@example.net", "alice@example.org", "carol@example.org",
                                      "https://shop.example.com/sale?utm_source=ses"}));
}

TEST(SesFingerprint, BareAndSnsWrappedAreTheSameEvent) {
    for (const char *file :
         {"notification-bounce-permanent.json", "notification-complaint-abuse.json",
          "notification-complaint-no-type.json", "notification-delivery.json", "event-send.json", "event-reject.json",
          "event-bounce-transient.json", "event-bounce-suppressed.json", "event-bounce-account-suppressed.json",
          "event-complaint-suppressed.json", "event-complaint-fraud.json", "event-delivery.json",
          "event-delivery-delay.json", "event-rendering-failure.json", "event-subscription.json", "event-open.json",
          "event-click.json"}) {
        SCOPED_TRACE(file);
        const std::string doc = fixture(std::string("ses/") + file);
        const Event bare = one_event(doc);
        const Event wrapped = one_event(sns_wrap(doc));
        EXPECT_EQ(bare.fingerprint, wrapped.fingerprint);
        EXPECT_EQ(bare.time_ms, wrapped.time_ms);
        EXPECT_EQ(addresses(bare), addresses(wrapped));
        EXPECT_EQ(wrapped.sns_message_id, "5f3c2a1b-0000-4000-8000-000000000001");
        EXPECT_EQ(wrapped.sns_topic_arn, "arn:aws:sns:us-east-1:210987654321:ses-feedback");
        EXPECT_EQ(wrapped.sns_signature, SnsSignatureState::not_checked);
    }
    // The checked-in wrapped fixture, too.
    EXPECT_EQ(one_event(fixture("ses/sns-notification-bounce-permanent.json")).fingerprint,
              one_event(fixture("ses/notification-bounce-permanent.json")).fingerprint);
}

TEST(SesFingerprint, NotificationAndPublishedBounceAreOneBounce) {
    const std::string notification = fixture("ses/notification-bounce-permanent.json");
    const std::string published = replace_all(notification, "\"notificationType\"", "\"eventType\"");
    const Event a = one_event(notification);
    const Event b = one_event(published);
    EXPECT_EQ(a.source, EventSource::notification);
    EXPECT_EQ(b.source, EventSource::event_publishing);
    EXPECT_EQ(a.fingerprint, b.fingerprint);
}

TEST(SesFingerprint, WhatChangesIt) {
    const Event base = one_event(kBounce);
    EXPECT_NE(one_event(replace_all(kBounce, "fb-1", "fb-2")).fingerprint, base.fingerprint);
    EXPECT_NE(one_event(replace_all(kBounce, "\"m-1\"", "\"m-2\"")).fingerprint, base.fingerprint);
    // For a bounce, the feedbackId identifies it: the timestamp does not count.
    EXPECT_EQ(one_event(replace_all(kBounce, R"("timestamp":"2026-05-01T00:00:00Z","feedbackId")",
                                    R"("timestamp":"2026-05-01T00:00:09Z","feedbackId")"))
                  .fingerprint,
              base.fingerprint);
    // A delivery: recipient order does not matter, the time does.
    const std::string delivery = fixture("ses/event-delivery.json");
    const std::string two = replace_all(delivery, R"("recipients": [
      "dave@example.com"
    ])", R"("recipients": ["dave@example.com", "zoe@example.com"])");
    const std::string two_swapped = replace_all(delivery, R"("recipients": [
      "dave@example.com"
    ])", R"("recipients": ["zoe@example.com", "dave@example.com"])");
    ASSERT_NE(two, delivery);
    EXPECT_EQ(one_event(two).fingerprint, one_event(two_swapped).fingerprint);
    EXPECT_NE(one_event(two).fingerprint, one_event(delivery).fingerprint);
    EXPECT_NE(one_event(replace_all(delivery, "08:00:02.125Z", "08:00:02.126Z")).fingerprint,
              one_event(delivery).fingerprint);
}

// --- Input shapes --------------------------------------------------------------------

TEST(SesInput, ArrayWithGoodAndBadDocuments) {
    const auto outcomes = parse_ses_events(fixture("ses/array-mixed.json"));
    ASSERT_EQ(outcomes.size(), 4u);
    for (size_t i = 0; i < outcomes.size(); ++i) {
        EXPECT_EQ(outcomes[i].index, i);
        EXPECT_EQ(outcomes[i].line, 0u);
    }
    ASSERT_NE(outcomes[0].event(), nullptr);
    EXPECT_EQ(outcomes[0].event()->kind, EventKind::send);
    ASSERT_NE(outcomes[1].error(), nullptr);
    EXPECT_EQ(outcomes[1].error()->code, ErrorCode::not_an_event);
    EXPECT_EQ(outcomes[1].error()->message, "the document is a number, not a JSON object");
    ASSERT_NE(outcomes[2].error(), nullptr);
    EXPECT_EQ(outcomes[2].error()->code, ErrorCode::not_an_event);
    ASSERT_NE(outcomes[3].event(), nullptr);
    EXPECT_EQ(outcomes[3].event()->kind, EventKind::delivery);
    EXPECT_EQ(outcomes[3].event()->sns_message_id, "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
}

TEST(SesInput, JsonLinesWithAMalformedLineInTheMiddle) {
    const auto outcomes = parse_ses_events(fixture("ses/events.jsonl"));
    ASSERT_EQ(outcomes.size(), 5u);
    const std::vector<size_t> lines = {1, 2, 3, 5, 6};  // line 4 is blank
    for (size_t i = 0; i < outcomes.size(); ++i) {
        EXPECT_EQ(outcomes[i].index, i);
        EXPECT_EQ(outcomes[i].line, lines[i]);
    }
    ASSERT_NE(outcomes[0].event(), nullptr);
    EXPECT_EQ(outcomes[0].event()->kind, EventKind::delivery);
    ASSERT_NE(outcomes[1].error(), nullptr);
    EXPECT_EQ(outcomes[1].error()->code, ErrorCode::json_invalid);
    ASSERT_NE(outcomes[2].event(), nullptr);
    EXPECT_EQ(outcomes[2].event()->kind, EventKind::open);
    ASSERT_NE(outcomes[3].event(), nullptr);
    EXPECT_EQ(outcomes[3].event()->kind, EventKind::complaint);
    EXPECT_EQ(outcomes[3].event()->sns_message_id, "9a8b7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4");
    ASSERT_NE(outcomes[4].error(), nullptr);
    EXPECT_EQ(outcomes[4].error()->code, ErrorCode::unknown_event_type);
    EXPECT_NE(outcomes[4].error()->message.find("\"Unsubscribe\""), std::string::npos);
}

TEST(SesInput, JsonLinesWithCrlfAndByteOrderMark) {
    const std::string line = replace_all(replace_all(kBounce, "\n", ""), "fb-1", "fb-A");
    const std::string input = "\xEF\xBB\xBF" + kBounce + "\r\n\r\n" + line + "\r\n";
    const auto outcomes = parse_ses_events(input);
    ASSERT_EQ(outcomes.size(), 2u);
    EXPECT_EQ(outcomes[1].line, 3u);
    ASSERT_NE(outcomes[1].event(), nullptr);
    EXPECT_EQ(outcomes[1].event()->feedback_id, "fb-A");
}

TEST(SesInput, EmptyAndPrettyPrintedBrokenDocuments) {
    EXPECT_TRUE(parse_ses_events("").empty());
    EXPECT_TRUE(parse_ses_events(" \n\r\n\t").empty());
    // A pretty-printed document cut short is one bad document, not one per line.
    const std::string pretty = fixture("ses/event-send.json");
    const auto outcomes = parse_ses_events(pretty.substr(0, pretty.size() / 2));
    ASSERT_EQ(outcomes.size(), 1u);
    ASSERT_NE(outcomes[0].error(), nullptr);
    EXPECT_EQ(outcomes[0].error()->code, ErrorCode::json_invalid);
    EXPECT_EQ(outcomes[0].line, 0u);
}

TEST(SesInput, SubscriptionConfirmationIsReportedNotFetched) {
    const auto outcomes = parse_ses_events(fixture("ses/sns-subscription-confirmation.json"));
    ASSERT_EQ(outcomes.size(), 1u);
    const SnsConfirmation *c = outcomes[0].confirmation();
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->type, SnsMessageType::subscription_confirmation);
    EXPECT_EQ(c->topic_arn, "arn:aws:sns:eu-west-1:210987654321:ses-feedback");
    EXPECT_EQ(c->subscribe_url,
              "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:eu-west-1:"
              "210987654321:ses-feedback&Token=2336412f37fb687f");
    EXPECT_EQ(c->message_id, "165545c9-2a5c-472c-8df2-7ff2be2b3b1b");
    EXPECT_EQ(format_timestamp(c->time_ms), "2026-02-20T09:00:00Z");
    EXPECT_EQ(c->signature, SnsSignatureState::not_checked);

    const std::string unsub = replace_all(fixture("ses/sns-subscription-confirmation.json"),
                                          "\"SubscriptionConfirmation\"", "\"UnsubscribeConfirmation\"");
    const auto u = parse_ses_events(unsub);
    ASSERT_NE(u.at(0).confirmation(), nullptr);
    EXPECT_EQ(u[0].confirmation()->type, SnsMessageType::unsubscribe_confirmation);
}

// --- Errors: every code -----------------------------------------------------------

struct ErrorCase {
    std::string name;
    std::string input;
    ErrorCode code;
    std::string message;  // exact
};

TEST(SesErrors, EveryCode) {
    const std::string big(kMaxEventStringBytes + 1, 'x');
    const std::vector<ErrorCase> cases = {
        {"not JSON", R"({"eventType": "Bounce",)", ErrorCode::json_invalid, "malformed JSON near byte 22"},
        {"invalid UTF-8", "{\"eventType\": \"\xC3\x28\"}", ErrorCode::json_invalid, "invalid UTF-8 at byte 15"},
        {"a string", R"("Bounce")", ErrorCode::not_an_event, "the document is a string, not a JSON object"},
        {"no type", R"({"mail": {}})", ErrorCode::not_an_event,
         "the object has no notificationType, eventType or SNS Type: not an SES event"},
        {"unknown eventType", replace_all(kBounce, "\"Bounce\"", "\"Bounced\""), ErrorCode::unknown_event_type,
         "eventType \"Bounced\" is not an SES event type (Send, Reject, Bounce, Complaint, Delivery, "
         "DeliveryDelay, Rendering Failure, Subscription, Open, Click)"},
        {"Send as a notification", R"({"notificationType":"Send","mail":{}})", ErrorCode::unknown_event_type,
         "notificationType \"Send\" is not an SES notification type (Bounce, Complaint, Delivery)"},
        {"unknown SNS Type", R"({"Type":"Ping","TopicArn":"arn:aws:sns:us-east-1:1:t"})",
         ErrorCode::unknown_event_type, "unknown SNS message Type \"Ping\""},
        {"no mail", R"({"eventType":"Send","send":{}})", ErrorCode::field_missing, "mail is missing"},
        {"no messageId", replace_all(kBounce, R"("messageId":"m-1",)", ""), ErrorCode::field_missing,
         "mail.messageId is missing"},
        {"no mail.timestamp",
         replace_all(kBounce, R"("messageId":"m-1","timestamp":"2026-05-01T00:00:00Z")", R"("messageId":"m-1")"),
         ErrorCode::field_missing, "mail.timestamp is missing"},
        {"no bounce object", R"({"eventType":"Bounce","mail":{"messageId":"m","timestamp":"2026-05-01T00:00:00Z"}})",
         ErrorCode::field_missing, "bounce is missing"},
        {"no bouncedRecipients",
         replace_all(kBounce, R"("bouncedRecipients":[{"emailAddress":"a@example.com"}],)", ""),
         ErrorCode::field_missing, "bounce.bouncedRecipients is missing"},
        {"no feedbackId", replace_all(kBounce, R"(,"feedbackId":"fb-1")", ""), ErrorCode::field_missing,
         "bounce.feedbackId is missing"},
        {"no emailAddress", replace_all(kBounce, R"({"emailAddress":"a@example.com"})", R"({"status":"5.1.1"})"),
         ErrorCode::field_missing, "bounce.bouncedRecipients[0].emailAddress is missing"},
        {"SNS without Message", R"({"Type":"Notification","TopicArn":"arn:aws:sns:us-east-1:1:t","MessageId":"x"})",
         ErrorCode::field_missing, "the SNS envelope has no Message"},
        {"unknown bounceType", replace_all(kBounce, "\"Permanent\"", "\"Soft\""), ErrorCode::field_invalid,
         "bounce.bounceType \"Soft\" is not Permanent, Transient or Undetermined"},
        {"bad recipient", replace_all(kBounce, R"({"emailAddress":"a@example.com"})", R"({"emailAddress":"nobody"})"),
         ErrorCode::field_invalid, ""},
        {"empty recipients", replace_all(kBounce, R"([{"emailAddress":"a@example.com"}])", "[]"),
         ErrorCode::field_invalid, "bounce.bouncedRecipients is empty"},
        {"recipients not an array", replace_all(kBounce, R"([{"emailAddress":"a@example.com"}])", "{}"),
         ErrorCode::field_invalid, "bounce.bouncedRecipients must be an array, not an object"},
        {"bad timestamp", replace_all(kBounce, R"("timestamp":"2026-05-01T00:00:00Z","feedbackId")",
                                      R"("timestamp":"yesterday","feedbackId")"),
         ErrorCode::field_invalid, ""},
        {"number as messageId", replace_all(kBounce, R"("messageId":"m-1")", R"("messageId":7)"),
         ErrorCode::field_invalid, "mail.messageId must be a string, not a number"},
        {"bad sourceArn", replace_all(kBounce, R"("messageId":"m-1")", R"("messageId":"m-1","sourceArn":"arn:aws:sns:x")"),
         ErrorCode::field_invalid,
         "mail.sourceArn \"arn:aws:sns:x\" is not arn:<partition>:ses:<region>:<account>:<resource>"},
        {"both types", replace_all(kBounce, R"("eventType":"Bounce")", R"("eventType":"Bounce","notificationType":"Bounce")"),
         ErrorCode::field_invalid, "notificationType and eventType are both present; an SES document has one"},
        {"tag not a list", replace_all(kBounce, R"("messageId":"m-1")", R"("messageId":"m-1","tags":{"a":"b"})"),
         ErrorCode::field_invalid, "mail.tags.a must be an array of strings"},
        {"SNS Message not JSON", sns_wrap("not json"), ErrorCode::json_invalid,
         "the SNS Message is not JSON: malformed JSON near byte 0"},
        {"SNS Message not SES", sns_wrap(R"({"hello":1})"), ErrorCode::not_an_event,
         "the SNS Message is not an SES notification or event (no notificationType or eventType)"},
        {"string over the limit", replace_all(kBounce, R"("feedbackId":"fb-1")", "\"feedbackId\":\"" + big + "\""),
         ErrorCode::too_big, "bounce.feedbackId is 16385 bytes, over the limit of 16384"},
    };
    for (const auto &c : cases) {
        SCOPED_TRACE(c.name);
        const FeedbackError e = one_error(c.input);
        EXPECT_EQ(e.code_name(), error_code_name(c.code));
        if (!c.message.empty()) {
            EXPECT_EQ(e.message, c.message);
        }
        EXPECT_FALSE(e.message.empty());
    }
    // The statuses a C caller sees.
    EXPECT_EQ(one_error("{").status(), Status::json);
    EXPECT_EQ(one_error(R"({"mail": {}})").status(), Status::parse);
}

TEST(SesErrors, MessagesNameTheBadRecipient) {
    const FeedbackError e = one_error(replace_all(
        kBounce, R"([{"emailAddress":"a@example.com"}])", R"([{"emailAddress":"a@example.com"},{"emailAddress":"no at sign"}])"));
    EXPECT_EQ(e.code, ErrorCode::field_invalid);
    EXPECT_TRUE(e.message.starts_with("bounce.bouncedRecipients[1].emailAddress \"no at sign\" is not an email address: "))
        << e.message;
}

TEST(SesLimits, Recipients) {
    std::string list;
    for (size_t i = 0; i <= kMaxEventRecipients; ++i) {
        list += (i ? "," : "") + std::string("{\"emailAddress\":\"r") + std::to_string(i) + "@example.com\"}";
    }
    const FeedbackError e = one_error(replace_all(kBounce, R"([{"emailAddress":"a@example.com"}])", "[" + list + "]"));
    EXPECT_EQ(e.code, ErrorCode::too_big);
    EXPECT_EQ(e.message, "bounce.bouncedRecipients has 1001 elements, over the limit of 1000");

    // Exactly the limit is accepted.
    list.clear();
    for (size_t i = 0; i < kMaxEventRecipients; ++i) {
        list += (i ? "," : "") + std::string("{\"emailAddress\":\"r") + std::to_string(i) + "@example.com\"}";
    }
    EXPECT_EQ(one_event(replace_all(kBounce, R"([{"emailAddress":"a@example.com"}])", "[" + list + "]"))
                  .recipients.size(),
              kMaxEventRecipients);
}

TEST(SesLimits, TagsDocumentsAndInput) {
    std::string tags;
    for (size_t i = 0; i <= kMaxEventTags; ++i) tags += (i ? "," : "") + std::string("\"t") + std::to_string(i) + "\":[\"v\"]";
    EXPECT_EQ(one_error(replace_all(kBounce, R"("messageId":"m-1")", R"("messageId":"m-1","tags":{)" + tags + "}"))
                  .message,
              "mail.tags has more than 256 names");

    // One JSON Lines line over the document limit; its neighbours still parse.
    const std::string huge = "{\"eventType\":\"Send\",\"pad\":\"" + std::string(kMaxSesDocumentBytes, 'p') + "\"}";
    const auto outcomes = parse_ses_events(kBounce + "\n" + huge + "\n" + kBounce + "\n");
    ASSERT_EQ(outcomes.size(), 3u);
    ASSERT_NE(outcomes[1].error(), nullptr);
    EXPECT_EQ(outcomes[1].error()->code, ErrorCode::too_big);
    EXPECT_EQ(outcomes[1].error()->message, "the document is 1048605 bytes, over the limit of 1048576");
    EXPECT_NE(outcomes[2].event(), nullptr);

    // A single document over the limit.
    EXPECT_EQ(one_error(huge).code, ErrorCode::too_big);

    // An SNS envelope over the limit, alone and (where only the Message is
    // measured) as an array element.
    const FeedbackError envelope = one_error(sns_wrap(huge));
    EXPECT_EQ(envelope.code, ErrorCode::too_big);
    EXPECT_EQ(envelope.message, "the document is 1048800 bytes, over the limit of 1048576");
    const FeedbackError sns = one_error("[" + sns_wrap(huge) + "]");
    EXPECT_EQ(sns.code, ErrorCode::too_big);
    EXPECT_EQ(sns.message, "the SNS envelope's Message is 1048605 bytes, over the limit of 1048576");

    // The whole input.
    const std::string too_much(kMaxSesInputBytes + 1, ' ');
    const FeedbackError input = one_error(too_much);
    EXPECT_EQ(input.code, ErrorCode::too_big);
    EXPECT_EQ(input.message, "the input is 67108865 bytes, over the limit of 67108864");
}

TEST(SesLimits, DocumentCount) {
    std::string many = "[";
    for (size_t i = 0; i <= kMaxSesDocuments; ++i) many += i ? ",1" : "1";
    many += "]";
    const auto outcomes = parse_ses_events(many);
    ASSERT_EQ(outcomes.size(), kMaxSesDocuments + 1);
    ASSERT_NE(outcomes.back().error(), nullptr);
    EXPECT_EQ(outcomes.back().index, kMaxSesDocuments);
    EXPECT_EQ(outcomes.back().error()->code, ErrorCode::too_big);
    EXPECT_EQ(outcomes.back().error()->message, "more than 100000 documents in one input; the rest is not read");
}

TEST(SesSns, UnsignedUnderEachPolicy) {
    const std::string wrapped = sns_wrap(kBounce);
    SesParseOptions options;
    options.sns.policy = SnsVerifyPolicy::off;
    EXPECT_EQ(one_event(wrapped, options).sns_signature, SnsSignatureState::not_checked);
    options.sns.policy = SnsVerifyPolicy::if_present;
    EXPECT_EQ(one_event(wrapped, options).sns_signature, SnsSignatureState::unsigned_accepted);
    options.sns.policy = SnsVerifyPolicy::required;
    const FeedbackError e = one_error(wrapped, options);
    EXPECT_EQ(e.code, ErrorCode::sns_unsigned);
    EXPECT_EQ(e.message,
              "the SNS message 5f3c2a1b-0000-4000-8000-000000000001 is not signed, and signatures are required");
    // A bare document is not affected by the SNS policy.
    EXPECT_EQ(one_event(kBounce, options).sns_signature, SnsSignatureState::not_applicable);
}

// --- JSON output ------------------------------------------------------------------

TEST(SesJson, OutcomesAsJson) {
    const auto outcomes = parse_ses_events("[" + kBounce + ", 5]");
    ASSERT_EQ(outcomes.size(), 2u);
    std::string out;
    JsonWriter w(out);
    w.begin_array();
    for (const auto &o : outcomes) write_ses_outcome_json(w, o);
    w.end_array();
    const std::string fp = documented_fingerprint({"presend.feedback.v1", "ses", "bounce", "m-1", "fb-1"});
    EXPECT_EQ(out, R"([{"index":0,"line":0,"event":{"kind":"bounce","source":"event_publishing",)"
                   R"("time":"2026-05-01T00:00:00Z","fingerprint":")" +
                       fp +
                       R"(","ses_message_id":"m-1","mail_time":"2026-05-01T00:00:00Z",)"
                       R"("recipients":[{"address":"a@example.com"}],"feedback_id":"fb-1",)"
                       R"("bounce":{"type":"Permanent","subtype":"General"}}},)"
                       R"({"index":1,"line":0,"error":{"code":"not_an_event",)"
                       R"("message":"the document is a number, not a JSON object"}}])");
    EXPECT_TRUE(json_parse(out, out.size()).ok());

    // Every fixture's JSON parses.
    for (const char *file : {"event-subscription.json", "event-delivery-delay.json", "event-click.json",
                             "sns-notification-bounce-permanent.json", "sns-subscription-confirmation.json",
                             "notification-complaint-abuse.json", "event-rendering-failure.json", "event-reject.json"}) {
        SCOPED_TRACE(file);
        std::string json;
        JsonWriter jw(json);
        for (const auto &o : parse_ses_events(fixture(std::string("ses/") + file))) write_ses_outcome_json(jw, o);
        EXPECT_TRUE(json_parse(json, json.size()).ok()) << json;
    }
}

TEST(SesNames, StableStrings) {
    EXPECT_EQ(error_code_name(ErrorCode::json_invalid), "json_invalid");
    EXPECT_EQ(error_code_name(ErrorCode::not_an_event), "not_an_event");
    EXPECT_EQ(error_code_name(ErrorCode::unknown_event_type), "unknown_event_type");
    EXPECT_EQ(error_code_name(ErrorCode::field_missing), "field_missing");
    EXPECT_EQ(error_code_name(ErrorCode::field_invalid), "field_invalid");
    EXPECT_EQ(error_code_name(ErrorCode::too_big), "too_big");
    EXPECT_EQ(error_code_name(ErrorCode::sns_unsigned), "sns_unsigned");
    EXPECT_EQ(error_code_name(ErrorCode::sns_signature_invalid), "sns_signature_invalid");
    EXPECT_EQ(error_code_name(ErrorCode::sns_signature_version_unsupported), "sns_signature_version_unsupported");
    EXPECT_EQ(error_code_name(ErrorCode::sns_certificate_url_invalid), "sns_certificate_url_invalid");
    EXPECT_EQ(error_code_name(ErrorCode::sns_certificate_unknown), "sns_certificate_unknown");
    EXPECT_EQ(error_code_name(ErrorCode::sns_certificate_invalid), "sns_certificate_invalid");
    EXPECT_EQ(error_code_name(ErrorCode::sns_certificate_expired), "sns_certificate_expired");
    EXPECT_EQ(error_code_name(ErrorCode::arf_malformed), "arf_malformed");
    EXPECT_EQ(error_code_name(ErrorCode::arf_not_multipart_report), "arf_not_multipart_report");
    EXPECT_EQ(error_code_name(ErrorCode::arf_no_feedback_part), "arf_no_feedback_part");
    EXPECT_EQ(error_code_name(ErrorCode::arf_no_recipient), "arf_no_recipient");
    EXPECT_EQ(event_kind_name(EventKind::delivery_delay), "delivery_delay");
    EXPECT_EQ(event_kind_name(EventKind::rendering_failure), "rendering_failure");
    EXPECT_EQ(feedback_type_name(FeedbackType::auth_failure), "auth-failure");
    EXPECT_EQ(feedback_type_name(FeedbackType::not_spam), "not-spam");
}

}  // namespace
}  // namespace presend::feedback
