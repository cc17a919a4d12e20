// Amazon's own SES notification and event-publishing examples, read from a
// directory given at build time (they are not part of this repository): each
// must parse to the documented kind, recipients and subtype.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "feedback/ses_event.hpp"
#include "feedback/support.hpp"

namespace presend::feedback {
namespace {

struct CorpusCase {
    std::string file;
    EventKind kind;
    std::vector<std::string> recipients;
    // The kind's subtype: bounceSubType, complaintFeedbackType, delayType,
    // or the subscription's contact list; empty for the other kinds.
    std::string subtype;
};

std::string subtype_of(const Event &e) {
    if (e.bounce) return e.bounce->subtype_text;
    if (e.complaint) return e.complaint->feedback_type_text;
    if (e.delay) return e.delay->delay_type;
    if (e.subscription) return e.subscription->contact_list;
    return {};
}

TEST(SesCorpus, EveryExample) {
    const std::vector<std::string> recipient = {"recipient@example.com"};
    const std::vector<CorpusCase> cases = {
        {"event-publishing-examples/01-event-publishing-retrieving-sns-bounce.json", EventKind::bounce, recipient,
         "General"},
        {"event-publishing-examples/02-event-publishing-retrieving-sns-complaint.json", EventKind::complaint,
         recipient, "abuse"},
        {"event-publishing-examples/03-event-publishing-retrieving-sns-delivery.json", EventKind::delivery, recipient,
         ""},
        {"event-publishing-examples/04-event-publishing-retrieving-sns-send.json", EventKind::send, recipient, ""},
        {"event-publishing-examples/05-event-publishing-retrieving-sns-reject.json", EventKind::reject,
         {"sender@example.com"}, ""},
        {"event-publishing-examples/06-event-publishing-retrieving-sns-open.json", EventKind::open, recipient, ""},
        {"event-publishing-examples/07-event-publishing-retrieving-sns-click.json", EventKind::click, recipient, ""},
        {"event-publishing-examples/08-event-publishing-retrieving-sns-failure.json", EventKind::rendering_failure,
         recipient, ""},
        {"event-publishing-examples/09-event-publishing-retrieving-sns-delayed-delivery.json",
         EventKind::delivery_delay, recipient, "TransientCommunicationFailure"},
        {"event-publishing-examples/10-event-publishing-retrieving-sns-subscription.json", EventKind::subscription,
         recipient, "ContactListName"},
        {"notification-examples/01-notification-examples-bounce-with-dsn.json", EventKind::bounce,
         {"jane@example.com"}, "General"},
        {"notification-examples/02-notification-examples-bounce-no-dsn.json", EventKind::bounce,
         {"jane@example.com", "richard@example.com"}, "General"},
        {"notification-examples/03-notification-examples-complaint-with-feedback.json", EventKind::complaint,
         {"richard@example.com"}, "abuse"},
        {"notification-examples/04-notification-examples-complaint-no-feedback.json", EventKind::complaint,
         {"richard@example.com"}, ""},
        {"notification-examples/05-notification-examples-delivery.json", EventKind::delivery, {"jane@example.com"},
         ""},
    };
    for (const auto &c : cases) {
        SCOPED_TRACE(c.file);
        const auto outcomes = parse_ses_events(test::read_file(std::filesystem::path(PRESEND_SES_CORPUS) / c.file));
        ASSERT_EQ(outcomes.size(), 1u);
        const Event *e = outcomes[0].event();
        ASSERT_NE(e, nullptr) << (outcomes[0].error() ? outcomes[0].error()->message : "not an event");
        EXPECT_EQ(event_kind_name(e->kind), event_kind_name(c.kind));
        std::vector<std::string> got;
        for (const auto &r : e->recipients) got.push_back(r.address);
        EXPECT_EQ(got, c.recipients);
        EXPECT_EQ(subtype_of(*e), c.subtype);
        EXPECT_EQ(e->fingerprint.size(), 64u);
        // The same document inside an SNS envelope is the same event.
        const auto wrapped = parse_ses_events(test::sns_wrap(test::read_file(std::filesystem::path(PRESEND_SES_CORPUS) / c.file)));
        ASSERT_NE(wrapped.at(0).event(), nullptr);
        EXPECT_EQ(wrapped[0].event()->fingerprint, e->fingerprint);
    }
}

}  // namespace
}  // namespace presend::feedback
