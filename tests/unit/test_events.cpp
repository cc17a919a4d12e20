// Provider events through the engine: the effect of each kind, idempotence,
// mixed good and bad input, attribution, ARF reports, and every example of
// the shared SES corpus (when it is present).
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "fixture.hpp"

namespace presend::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

[[maybe_unused]] std::string slurp(const std::string &path) {  // used with the shared corpus
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}


const char *kConfig = R"({"accounts": {
    "prod": {"aws_account_id": "123456789012", "regions": {"us-east-1": {"max_24h": 1000, "max_rate": 10, "burst": 10}}},
    "other": {"aws_account_id": "210987654321", "regions": {"eu-west-1": {"max_24h": 1000, "max_rate": 10, "burst": 10}}}},
  "defaults": {"account": "prod", "region": "us-east-1"}})";

// Our own SES documents, one line each.
const char *kBounce =
    R"({"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bounceSubType":"NoEmail","bouncedRecipients":[{"emailAddress":"Gone@Example.ORG","status":"5.1.1","action":"failed","diagnosticCode":"smtp; 550 5.1.1 no such user"}],"timestamp":"2026-11-02T08:00:00.000Z","feedbackId":"fb-bounce-1"},"mail":{"timestamp":"2026-11-02T07:59:58.000Z","messageId":"ses-1","source":"news@example.com","sourceArn":"arn:aws:ses:us-east-1:123456789012:identity/example.com","sendingAccountId":"123456789012","destination":["Gone@Example.ORG"]}})";
const char *kTransient =
    R"({"notificationType":"Bounce","bounce":{"bounceType":"Transient","bounceSubType":"MailboxFull","bouncedRecipients":[{"emailAddress":"full@example.org"}],"timestamp":"2026-11-02T08:00:00.000Z","feedbackId":"fb-transient-1"},"mail":{"timestamp":"2026-11-02T07:59:58.000Z","messageId":"ses-2","source":"news@example.com","sourceArn":"arn:aws:ses:us-east-1:123456789012:identity/example.com","sendingAccountId":"123456789012","destination":["full@example.org"]}})";
const char *kSuppressedBounce =
    R"({"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bounceSubType":"Suppressed","bouncedRecipients":[{"emailAddress":"listed@example.org"}],"timestamp":"2026-11-02T08:00:00.000Z","feedbackId":"fb-suppressed-1"},"mail":{"timestamp":"2026-11-02T07:59:58.000Z","messageId":"ses-3","source":"news@example.com","sourceArn":"arn:aws:ses:eu-west-1:210987654321:identity/example.com","sendingAccountId":"210987654321","destination":["listed@example.org"]}})";
const char *kComplaint =
    R"({"notificationType":"Complaint","complaint":{"complainedRecipients":[{"emailAddress":"angry@example.org"}],"timestamp":"2026-11-02T08:00:00.000Z","feedbackId":"fb-complaint-1","complaintFeedbackType":"abuse"},"mail":{"timestamp":"2026-11-02T07:59:58.000Z","messageId":"ses-4","source":"news@example.com","sourceArn":"arn:aws:ses:us-east-1:123456789012:identity/example.com","sendingAccountId":"123456789012","destination":["angry@example.org"]}})";
const char *kDelivery =
    R"({"notificationType":"Delivery","delivery":{"timestamp":"2026-11-02T08:00:00.000Z","recipients":["ok@example.org"],"processingTimeMillis":500,"smtpResponse":"250 ok","reportingMTA":"a8-70.smtp-out.amazonses.com"},"mail":{"timestamp":"2026-11-02T07:59:58.000Z","messageId":"ses-5","source":"news@example.com","sourceArn":"arn:aws:ses:us-east-1:123456789012:identity/example.com","sendingAccountId":"123456789012","destination":["ok@example.org"]}})";

// The same bounce inside an SNS envelope (unsigned).
std::string in_sns(const std::string &doc) {
    std::string message;
    json_append_string(message, doc);
    return R"({"Type":"Notification","MessageId":"sns-1","TopicArn":"arn:aws:sns:us-east-1:123456789012:ses-feedback","Message":)" +
           message + R"(,"Timestamp":"2026-11-02T08:00:01.000Z"})";
}

class EventsTest : public EngineTest {
protected:
    void SetUp() override {
        EngineTest::SetUp();
        open(kConfig);
    }
    std::string store() const { return dir_.file("store.db"); }
    std::string suppressions() { return engine_->suppression_list_json(""); }
};

TEST_F(EventsTest, APermanentBounceSuppressesWithTheEvent) {
    std::string r = engine_->events_ingest(kBounce, "");
    EXPECT_THAT(r, HasSubstr(R"("documents":1,"ingested":1,"duplicates":0,"failed":0,"other":0,"suppressed":1,"bounces":1)"));
    std::string s = suppressions();
    EXPECT_THAT(s, HasSubstr(R"("address":"Gone@example.org")"));
    EXPECT_THAT(s, HasSubstr(R"("reason":"bounce")"));
    EXPECT_THAT(s, HasSubstr("SES Permanent/NoEmail bounce"));
    EXPECT_EQ(count_rows(store(), "SELECT count(*) FROM suppression s JOIN event e ON e.fingerprint = s.event_ref "
                                  "WHERE e.kind = 'bounce'"),
              1);
    // The next send to it is blocked.
    auto d = check(txn({"Gone@example.org"}));
    EXPECT_EQ(d->verdict, Verdict::block);
    EXPECT_THAT(codes(*d, 0), ::testing::ElementsAre("suppression.bounce"));
}

TEST_F(EventsTest, IngestingTheSameEventTwiceChangesNothing) {
    std::string input = std::string(kBounce) + "\n" + kComplaint + "\n" + kDelivery + "\n";
    engine_->events_ingest(input, "");
    int64_t audit = count_rows(store(), "SELECT count(*) FROM audit");
    std::string before = suppressions();
    std::string again = engine_->events_ingest(input, "");
    EXPECT_THAT(again, HasSubstr(R"("documents":3,"ingested":0,"duplicates":3,"failed":0)"));
    EXPECT_EQ(suppressions(), before);
    EXPECT_EQ(count_rows(store(), "SELECT count(*) FROM audit"), audit);
    EXPECT_EQ(count_rows(store(), "SELECT sum(bounces) + sum(complaints) FROM reputation_hour"), 2);
    // The same bounce in an SNS envelope is the same event.
    EXPECT_THAT(engine_->events_ingest(in_sns(kBounce), ""), HasSubstr(R"("ingested":0,"duplicates":1)"));
}

TEST_F(EventsTest, GoodDocumentsAreIngestedAroundBadOnes) {
    std::string input = std::string(kBounce) + "\n{\"notificationType\": \"Bounce\", oops}\n" + kComplaint +
                        "\n{\"notificationType\": \"Teleport\", \"mail\": {}}\n" + kTransient + "\n";
    std::string r = engine_->events_ingest(input, "");
    EXPECT_THAT(r, HasSubstr(R"("documents":5,"ingested":3,"duplicates":0,"failed":2)"));
    EXPECT_THAT(r, HasSubstr(R"({"index":1,"line":2,"status":"error","error":{"code":"json_invalid")"));
    EXPECT_THAT(r, HasSubstr(R"({"index":3,"line":4,"status":"error","error":{"code":"unknown_event_type")"));
    EXPECT_THAT(r, HasSubstr("Teleport"));
    EXPECT_EQ(count_rows(store(), "SELECT count(*) FROM event"), 3);
}

TEST_F(EventsTest, EachKindHasItsEffect) {
    std::string r = engine_->events_ingest(std::string("[") + kTransient + "," + kComplaint + "," + kDelivery + "," +
                                               kSuppressedBounce + "]",
                                           "");
    EXPECT_THAT(r, HasSubstr(R"("ingested":4)"));
    EXPECT_EQ(count_rows(store(), "SELECT count(*) FROM suppression WHERE address = 'full@example.org'"), 0);
    EXPECT_EQ(count_rows(store(), "SELECT count(*) FROM suppression WHERE address = 'angry@example.org' AND reason = 'complaint'"), 1);
    EXPECT_EQ(count_rows(store(), "SELECT count(*) FROM suppression WHERE address = 'ok@example.org'"), 0);
    // Suppressed (SES's global list): recorded as such, and suppressed here too.
    EXPECT_EQ(count_rows(store(), "SELECT count(*) FROM event WHERE subtype = 'Suppressed' AND effect = 'suppressed'"), 1);
    EXPECT_EQ(count_rows(store(), "SELECT count(*) FROM suppression WHERE note LIKE '%Permanent/Suppressed%'"), 1);
    EXPECT_EQ(count_rows(store(), "SELECT count(*) FROM event WHERE kind = 'delivery' AND effect = 'recorded'"), 1);
    EXPECT_EQ(count_rows(store(), "SELECT count(*) FROM event WHERE kind = 'bounce' AND effect = 'counted'"), 1);
}

TEST_F(EventsTest, EventsAreAttributedByAwsAccountAndRegion) {
    engine_->events_ingest(std::string(kSuppressedBounce) + "\n" + kTransient + "\n", "");
    EXPECT_EQ(count_rows(store(), "SELECT count(*) FROM event WHERE account = 'other' AND region = 'eu-west-1'"), 1);
    EXPECT_EQ(count_rows(store(), "SELECT count(*) FROM event WHERE account = 'prod' AND region = 'us-east-1'"), 1);
    EXPECT_EQ(count_rows(store(), "SELECT transient FROM reputation_hour WHERE account = 'prod'"), 1);
    EXPECT_EQ(count_rows(store(), "SELECT bounces FROM reputation_hour WHERE account = 'other'"), 1);
    // The caller can say where events belong.
    engine_->events_ingest(kComplaint, R"({"account": "other", "region": "eu-west-1"})");
    EXPECT_EQ(count_rows(store(), "SELECT complaints FROM reputation_hour WHERE account = 'other'"), 1);
    EXPECT_THROW(engine_->events_ingest(kComplaint, R"({"account": "nobody"})"), Failure);
    EXPECT_THROW(engine_->events_ingest(kComplaint, R"({"colour": "red"})"), Failure);
}

TEST_F(EventsTest, AnArfReportIsAComplaint) {
    std::string arf =
        "From: feedback@fbl.example.net\r\n"
        "To: fbl@example.com\r\n"
        "Subject: FW: Weekly news\r\n"
        "Date: Mon, 02 Nov 2026 08:00:00 +0000\r\n"
        "Message-ID: <report-1@fbl.example.net>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=feedback-report; boundary=\"part\"\r\n"
        "\r\n"
        "--part\r\n"
        "Content-Type: text/plain\r\n"
        "\r\n"
        "This is an email abuse report.\r\n"
        "--part\r\n"
        "Content-Type: message/feedback-report\r\n"
        "\r\n"
        "Feedback-Type: abuse\r\n"
        "User-Agent: ExampleFBL/1.0\r\n"
        "Version: 1\r\n"
        "Original-Mail-From: <bounce@mail.example.com>\r\n"
        "Original-Rcpt-To: <reader@example.net>\r\n"
        "Arrival-Date: Mon, 02 Nov 2026 07:55:00 +0000\r\n"
        "Reporting-MTA: dns; mx.fbl.example.net\r\n"
        "\r\n"
        "--part\r\n"
        "Content-Type: text/rfc822-headers\r\n"
        "\r\n"
        "From: News <news@example.com>\r\n"
        "To: reader@example.net\r\n"
        "Message-ID: <weekly-42@example.com>\r\n"
        "Subject: Weekly news\r\n"
        "\r\n"
        "--part--\r\n";
    std::string r = engine_->events_ingest(arf, "");
    EXPECT_THAT(r, HasSubstr(R"("ingested":1)"));
    EXPECT_THAT(r, HasSubstr(R"("complaints":1)"));
    EXPECT_THAT(suppressions(), HasSubstr(R"("address":"reader@example.net")"));
    EXPECT_THAT(suppressions(), HasSubstr("ARF complaint (abuse)"));
    EXPECT_EQ(count_rows(store(), "SELECT count(*) FROM event WHERE source = 'arf' AND message_id = '<weekly-42@example.com>'"), 1);
    EXPECT_THAT(engine_->events_ingest(arf, ""), HasSubstr(R"("ingested":0,"duplicates":1)"));
    EXPECT_THAT(engine_->events_ingest("not a report at all", R"({"format": "arf"})"), HasSubstr(R"("failed":1)"));
}

TEST_F(EventsTest, ABadEventNeverLosesStoredData) {
    engine_->suppression_put_json(R"({"address": "angry@example.org", "reason": "manual", "note": "asked by phone"})");
    engine_->events_ingest(kComplaint, "");
    // The manual entry stays what it was; the complaint is recorded and counted.
    EXPECT_THAT(suppressions(), HasSubstr("asked by phone"));
    EXPECT_EQ(count_rows(store(), "SELECT count(*) FROM event"), 1);
    std::string junk(1000, '\xff');
    EXPECT_THAT(engine_->events_ingest(junk, R"({"format": "ses"})"), HasSubstr(R"("failed":1)"));
    EXPECT_THAT(suppressions(), HasSubstr("asked by phone"));
}

TEST_F(EventsTest, RequiredSnsSignaturesRejectUnsignedEnvelopes) {
    std::string cfg = kConfig;
    cfg.insert(cfg.rfind('}'), R"(, "events": {"sns_verify": "required"})");
    open(cfg);
    std::string r = engine_->events_ingest(in_sns(kBounce), "");
    EXPECT_THAT(r, HasSubstr(R"("ingested":0,"duplicates":0,"failed":1)"));
    EXPECT_THAT(r, HasSubstr(R"("code":"sns_unsigned")"));
    EXPECT_EQ(suppressions(), "[]");
    // A bare document has no envelope to verify: it is what the host read itself.
    EXPECT_THAT(engine_->events_ingest(kBounce, ""), HasSubstr(R"("ingested":1)"));
    // Without "required", an unsigned envelope is accepted.
    open(kConfig);
    EXPECT_THAT(engine_->events_ingest(in_sns(kComplaint), ""), HasSubstr(R"("ingested":1)"));
}

TEST_F(EventsTest, ReportsWorkWithHashedAddresses) {
    std::string cfg = kConfig;
    cfg.insert(cfg.rfind('}'), R"(, "audit": {"key": "0123456789abcdef-test", "addresses": "hashed"})");
    // A key applies from a store's first record: start a new store.
    engine_.reset();
    for (const char *f : {"store.db", "store.db-wal", "store.db-shm"}) std::filesystem::remove(dir_.file(f));
    open(cfg);
    engine_->suppression_put_json(R"({"address": "blocked@example.org", "reason": "manual"})");
    check(txn({"blocked@example.org", "fine@example.org"}));
    engine_->events_ingest(kBounce, "");
    std::string model = engine_->report_model_json(kT0 - 86400000, kT0 + 86400000, 100);
    EXPECT_THAT(model, HasSubstr(R"("addresses":"hashed")"));
    EXPECT_THAT(model, HasSubstr(R"("total":1,"shown":1,"truncated":false)"));
    EXPECT_THAT(model, ::testing::ContainsRegex(R"("recipient":"k:[0-9a-f]{16}")"));
    EXPECT_THAT(model, Not(HasSubstr("blocked@example.org")));
    EXPECT_THAT(model, HasSubstr(R"("recipient_verdicts":{"allow":1,"block":1,"defer":0})"));
    EXPECT_THAT(model, HasSubstr(R"("verified":true)"));
    auto html = engine_->report(R"({"format": "html", "from": "2026-11-01", "to": "2026-11-03"})");
    EXPECT_THAT(html, Not(HasSubstr("blocked@example.org")));
}

// --- the shared corpus of AWS examples ------------------------------------------------

struct CorpusCase {
    const char *file;
    const char *kind;
    std::vector<std::string> suppressed;  // addresses, fresh store
    const char *reason;
};

TEST_F(EventsTest, EveryExampleOfTheSharedCorpusHasItsEffect) {
#ifndef PRESEND_SES_CORPUS
    GTEST_SKIP() << "the shared SES corpus is not present";
#else
    const std::vector<CorpusCase> cases = {
        {"event-publishing-examples/01-event-publishing-retrieving-sns-bounce.json", "bounce", {"recipient@example.com"}, "bounce"},
        {"event-publishing-examples/02-event-publishing-retrieving-sns-complaint.json", "complaint", {"recipient@example.com"}, "complaint"},
        {"event-publishing-examples/03-event-publishing-retrieving-sns-delivery.json", "delivery", {}, ""},
        {"event-publishing-examples/04-event-publishing-retrieving-sns-send.json", "send", {}, ""},
        {"event-publishing-examples/05-event-publishing-retrieving-sns-reject.json", "reject", {}, ""},
        {"event-publishing-examples/06-event-publishing-retrieving-sns-open.json", "open", {}, ""},
        {"event-publishing-examples/07-event-publishing-retrieving-sns-click.json", "click", {}, ""},
        {"event-publishing-examples/08-event-publishing-retrieving-sns-failure.json", "rendering_failure", {}, ""},
        {"event-publishing-examples/09-event-publishing-retrieving-sns-delayed-delivery.json", "delivery_delay", {}, ""},
        {"event-publishing-examples/10-event-publishing-retrieving-sns-subscription.json", "subscription", {"recipient@example.com"}, "unsubscribe"},
        {"notification-examples/01-notification-examples-bounce-with-dsn.json", "bounce", {"jane@example.com"}, "bounce"},
        {"notification-examples/02-notification-examples-bounce-no-dsn.json", "bounce", {"jane@example.com", "richard@example.com"}, "bounce"},
        {"notification-examples/03-notification-examples-complaint-with-feedback.json", "complaint", {"richard@example.com"}, "complaint"},
        {"notification-examples/04-notification-examples-complaint-no-feedback.json", "complaint", {"richard@example.com"}, "complaint"},
        {"notification-examples/05-notification-examples-delivery.json", "delivery", {}, ""},
    };
    size_t files = 0;
    for (const auto &entry : std::filesystem::recursive_directory_iterator(PRESEND_SES_CORPUS)) {
        if (entry.path().extension() == ".json") ++files;
    }
    EXPECT_EQ(files, cases.size()) << "a corpus file without an expectation";
    std::string all = "[";
    for (const auto &c : cases) {
        SCOPED_TRACE(c.file);
        TempDir dir;
        EngineOptions o;
        o.store_path = dir.file("store.db");
        o.clock = &ManualClock::read;
        o.clock_user_data = &clock_;
        auto e = Engine::open(config_from(kConfig), o);
        std::string doc = slurp(std::string(PRESEND_SES_CORPUS) + "/" + c.file);
        std::string r = e->events_ingest(doc, "");
        EXPECT_THAT(r, HasSubstr(R"("documents":1,"ingested":1,"duplicates":0,"failed":0,"other":0,"suppressed":)" +
                                 std::to_string(c.suppressed.size())));
        EXPECT_THAT(r, HasSubstr(std::string(R"("kind":")") + c.kind + "\""));
        std::string list = e->suppression_list_json("");
        for (const auto &a : c.suppressed) {
            EXPECT_THAT(list, HasSubstr(R"("address":")" + a + "\",\"list\":null,\"reason\":\"" + c.reason + "\""));
        }
        if (c.suppressed.empty()) {
            EXPECT_EQ(list, "[]");
        }
        EXPECT_THAT(e->events_ingest(doc, ""), HasSubstr(R"("ingested":0,"duplicates":1,"failed":0)"));
        EXPECT_EQ(e->suppression_list_json(""), list);
        EXPECT_THAT(e->audit_verify_json(), HasSubstr(R"("ok":true)"));
        all += (all.size() > 1 ? "," : "") + doc;
    }
    // All of them at once, as one array: one store, each once.
    std::string r = engine_->events_ingest(all + "]", "");
    EXPECT_THAT(r, HasSubstr(R"("documents":15,"ingested":15,"duplicates":0,"failed":0)"));
    EXPECT_THAT(engine_->events_ingest(all + "]", ""), HasSubstr(R"("documents":15,"ingested":0,"duplicates":15)"));
#endif
}

}  // namespace
}  // namespace presend::test
