#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "feedback/arf.hpp"
#include "feedback/mime.hpp"
#include "feedback/support.hpp"
#include "json.hpp"
#include "text.hpp"

namespace presend::feedback {
namespace {

using test::documented_fingerprint;
using test::fixture;
using test::replace_all;

std::vector<std::string> addresses(const Event &e) {
    std::vector<std::string> out;
    for (const auto &r : e.recipients) out.push_back(r.address);
    return out;
}

Event parse_ok(const std::string &text) {
    auto r = parse_arf_report(text);
    if (!r.ok()) {
        ADD_FAILURE() << r.error().code_name() << ": " << r.error().message;
        return {};
    }
    return *r;
}

FeedbackError parse_error_of(const std::string &text) {
    auto r = parse_arf_report(text);
    if (r.ok()) {
        ADD_FAILURE() << "expected an error";
        return {};
    }
    return r.error();
}

const std::string kFields =
    "Feedback-Type: abuse\n"
    "User-Agent: TestFBL/0.9\n"
    "Version: 1\n"
    "Original-Rcpt-To: <kim@example.org>\n"
    "Arrival-Date: Fri, 13 Mar 2026 09:59:00 +0000\n"
    "Reporting-MTA: dns; mx1.example.org\n";

const std::string kOriginal =
    "From: News <news@news.example.com>\n"
    "To: Kim <kim@example.org>, lee@example.org\n"
    "Subject: Hello\n"
    "Message-ID: <hello-1@news.example.com>\n"
    "\n"
    "Body\n";

// A minimal report built from its pieces, so that each test changes one.
std::string make_report(const std::string &fields = kFields, const std::string &original = kOriginal,
                        const std::string &content_type =
                            "multipart/report; report-type=feedback-report; boundary=\"b1\"",
                        const std::string &feedback_headers = "Content-Type: message/feedback-report\n",
                        const std::string &original_headers = "Content-Type: message/rfc822\n") {
    return "From: fbl@example.org\n"
           "Date: Fri, 13 Mar 2026 10:00:00 +0000\n"
           "Content-Type: " +
           content_type +
           "\n"
           "\n"
           "--b1\n"
           "Content-Type: text/plain\n"
           "\n"
           "A complaint.\n"
           "--b1\n" +
           feedback_headers + "\n" + fields + "\n--b1\n" + original_headers + "\n" + original + "\n--b1--\n";
}

// --- Providers' reports ----------------------------------------------------------

TEST(Arf, Rfc5965ExampleShape) {
    const Event e = parse_ok(fixture("arf/rfc5965-example.eml"));
    EXPECT_EQ(e.kind, EventKind::complaint);
    EXPECT_EQ(e.source, EventSource::arf);
    EXPECT_EQ(addresses(e), std::vector<std::string>{"pat@example.org"});
    EXPECT_EQ(e.message_id, "<sale-2042.1@news.example.com>");
    EXPECT_EQ(e.ses_message_id, "");
    EXPECT_EQ(format_timestamp(e.time_ms), "2026-03-09T18:00:00Z");  // 14:00 EDT
    EXPECT_EQ(e.mail_source, "Example News <news@news.example.com>");
    EXPECT_EQ(e.source_address, "news@news.example.com");
    EXPECT_EQ(e.configuration_set, "marketing-eu");
    ASSERT_TRUE(e.complaint);
    EXPECT_EQ(e.complaint->feedback_type, FeedbackType::abuse);
    EXPECT_EQ(e.complaint->user_agent, "ExampleFBL/1.0");
    EXPECT_EQ(format_timestamp(*e.complaint->arrival_ms), "2026-03-09T18:00:00Z");
    ASSERT_TRUE(e.arf);
    EXPECT_EQ(e.arf->version, "1");
    EXPECT_EQ(e.arf->reporting_mta, "dns; mail.example.org");
    EXPECT_EQ(e.arf->source_ip, "203.0.113.77");
    EXPECT_EQ(e.arf->original_mail_from, "bounces+pat=example.org@news.example.com");
    EXPECT_EQ(e.arf->reported_domains, std::vector<std::string>{"news.example.com"});
    EXPECT_EQ(e.arf->reported_uris, std::vector<std::string>{"http://news.example.com/sale"});
    EXPECT_EQ(e.arf->incidents, 1);
    EXPECT_EQ(e.arf->original_subject, "Spring sale starts today");
    EXPECT_EQ(e.fingerprint,
              documented_fingerprint({"presend.feedback.v1", "arf", "complaint", "mail.example.org",
                                      "<sale-2042.1@news.example.com>", "abuse", "1", "pat@example.org"}));
}

TEST(Arf, YahooStyleCrlfUnquotedBoundaryRecipientFromTo) {
    const std::string text = fixture("arf/yahoo.eml");
    ASSERT_NE(text.find("\r\n"), std::string::npos);
    const Event e = parse_ok(text);
    EXPECT_EQ(addresses(e), std::vector<std::string>{"quinn.r@yahoo.example"});
    EXPECT_EQ(e.message_id, "<0100018e2f3c4b5a-7a1b2c3d-4e5f-6789-abcd-ef0123456789-000000@email.amazonses.com>");
    EXPECT_EQ(e.ses_message_id, "0100018e2f3c4b5a-7a1b2c3d-4e5f-6789-abcd-ef0123456789-000000");
    EXPECT_EQ(format_timestamp(e.time_ms), "2026-03-10T09:11:02Z");
    EXPECT_EQ(e.complaint->user_agent, "Yahoo!-Mail-Feedback/2.0");
    EXPECT_EQ(e.arf->version, "0.1");
    EXPECT_EQ(e.arf->original_mail_from, "0100018e2f3c4b5a-7a1b2c3d-000000@amazonses.com");
    EXPECT_EQ(e.arf->source_ip, "54.240.8.21");
    EXPECT_EQ(e.fingerprint,
              documented_fingerprint({"presend.feedback.v1", "arf", "complaint", "yahoo!-mail-feedback/2.0",
                                      "<0100018e2f3c4b5a-7a1b2c3d-4e5f-6789-abcd-ef0123456789-000000@email."
                                      "amazonses.com>",
                                      "abuse", "1", "quinn.r@yahoo.example"}));
}

TEST(Arf, AolStyleBase64HeadersAndRepeatedRcptTo) {
    const Event e = parse_ok(fixture("arf/aol.eml"));
    // Three Original-Rcpt-To, two of them the same address once normalized.
    EXPECT_EQ(addresses(e), (std::vector<std::string>{"casey.m@aol.example", "jordan@aol.example"}));
    EXPECT_EQ(e.message_id, "<deal-48h-77.9@shop.example.com>");
    EXPECT_EQ(e.source_address, "deals@shop.example.com");
    EXPECT_EQ(e.arf->original_subject, "48 hours only");
    // Received-Date, the draft name of Arrival-Date.
    EXPECT_EQ(format_timestamp(e.time_ms), "2026-03-11T20:20:05Z");
    EXPECT_EQ(e.complaint->user_agent, "AOL SComp");
}

TEST(Arf, MicrosoftJmrpStyleLowerCaseNamesQuotedPrintable) {
    const Event e = parse_ok(fixture("arf/microsoft-jmrp.eml"));
    EXPECT_EQ(e.complaint->feedback_type, FeedbackType::abuse);
    EXPECT_EQ(addresses(e), (std::vector<std::string>{"sam.lee@outlook.example", "alex.doe@outlook.example"}));
    EXPECT_EQ(e.message_id, "<cafe-week-0312.55@news.example.com>");  // joined across a soft line break
    EXPECT_EQ(e.arf->original_subject, "Caf\xC3\xA9 week = 20% off");
    EXPECT_EQ(format_timestamp(e.time_ms), "2026-03-12T09:40:51Z");
    EXPECT_EQ(e.arf->source_ip, "203.0.113.5");
    EXPECT_EQ(e.arf->original_mail_from, "bounce-7781@news.example.com");
}

// --- Variations ------------------------------------------------------------------

TEST(Arf, LineEndsDoNotChangeTheEvent) {
    const std::string lf = fixture("arf/rfc5965-example.eml");
    const std::string crlf = replace_all(lf, "\n", "\r\n");
    const Event a = parse_ok(lf);
    const Event b = parse_ok(crlf);
    EXPECT_EQ(a.fingerprint, b.fingerprint);
    EXPECT_EQ(a.message_id, b.message_id);
    EXPECT_EQ(addresses(a), addresses(b));
    EXPECT_EQ(a.arf->reported_uris, b.arf->reported_uris);
}

TEST(Arf, TransferEncodedFeedbackPart) {
    // base64, with line breaks, of the feedback fields.
    const std::string b64 =
        "RmVlZGJhY2stVHlwZTogZnJhdWQKVXNlci1BZ2VudDogVGVzdEZCTC8wLjkKVmVyc2lvbjogMQpP\n"
        "cmlnaW5hbC1SY3B0LVRvOiA8a2ltQGV4YW1wbGUub3JnPgo=\n";
    const Event e = parse_ok(make_report(b64, kOriginal, "multipart/report; report-type=feedback-report; boundary=b1",
                                         "Content-Type: message/feedback-report\nContent-Transfer-Encoding: BASE64\n"));
    EXPECT_EQ(e.complaint->feedback_type, FeedbackType::fraud);
    EXPECT_EQ(addresses(e), std::vector<std::string>{"kim@example.org"});

    const std::string qp = "Feedback-Type: vir=\nus\nOriginal-Rcpt-To: kim=40example.org\n";
    const Event v = parse_ok(make_report(qp, kOriginal, "multipart/report; report-type=feedback-report; boundary=b1",
                                         "Content-Type: message/feedback-report\n"
                                         "Content-Transfer-Encoding: quoted-printable\n"));
    EXPECT_EQ(v.complaint->feedback_type, FeedbackType::virus);
    EXPECT_EQ(addresses(v), std::vector<std::string>{"kim@example.org"});
}

TEST(Arf, FeedbackTypes) {
    const std::vector<std::pair<std::string, FeedbackType>> cases = {
        {"abuse", FeedbackType::abuse},        {"fraud", FeedbackType::fraud},
        {"virus", FeedbackType::virus},        {"other", FeedbackType::other},
        {"not-spam", FeedbackType::not_spam},  {"auth-failure", FeedbackType::auth_failure},
        {"ABUSE", FeedbackType::abuse},        {"opt-out", FeedbackType::other},
    };
    for (const auto &[text, type] : cases) {
        SCOPED_TRACE(text);
        const Event e = parse_ok(make_report(replace_all(kFields, "Feedback-Type: abuse", "Feedback-Type: " + text)));
        EXPECT_EQ(e.complaint->feedback_type, type);
        EXPECT_EQ(e.complaint->feedback_type_text, text);
    }
}

TEST(Arf, RecipientsFromTheOriginalToWhenNoRcptTo) {
    const std::string fields = replace_all(kFields, "Original-Rcpt-To: <kim@example.org>\n", "");
    EXPECT_EQ(addresses(parse_ok(make_report(fields))),
              (std::vector<std::string>{"kim@example.org", "lee@example.org"}));
    // A redacted To keeps what parses.
    const std::string redacted = replace_all(kOriginal, "To: Kim <kim@example.org>, lee@example.org",
                                             "To: [redacted], lee@example.org");
    EXPECT_EQ(addresses(parse_ok(make_report(fields, redacted))), std::vector<std::string>{"lee@example.org"});
    // text/rfc822-headers: only a header.
    const Event h = parse_ok(make_report(fields, "To: zed@example.org\nMessage-ID: <h@x.example>\n", "multipart/report; report-type=feedback-report; boundary=b1",
                                         "Content-Type: message/feedback-report\n", "Content-Type: text/rfc822-headers\n"));
    EXPECT_EQ(addresses(h), std::vector<std::string>{"zed@example.org"});
    EXPECT_EQ(h.message_id, "<h@x.example>");
    // An original cut off mid-header still yields the header before the cut.
    const Event cut = parse_ok(make_report(fields, "To: zed@example.org\nMessage-ID: <c@x.example>\nthis line is junk\n"));
    EXPECT_EQ(addresses(cut), std::vector<std::string>{"zed@example.org"});
    EXPECT_EQ(cut.message_id, "<c@x.example>");
}

TEST(Arf, TimeFallsBackToTheReportDate) {
    const std::string fields = replace_all(kFields, "Arrival-Date: Fri, 13 Mar 2026 09:59:00 +0000\n", "");
    const Event e = parse_ok(make_report(fields));
    EXPECT_EQ(format_timestamp(e.time_ms), "2026-03-13T10:00:00Z");
    EXPECT_FALSE(e.complaint->arrival_ms);
    const Event bad = parse_ok(make_report(replace_all(kFields, "Fri, 13 Mar 2026 09:59:00 +0000", "yesterday")));
    EXPECT_EQ(format_timestamp(bad.time_ms), "2026-03-13T10:00:00Z");
}

TEST(Arf, FingerprintIgnoresArrivalTimeAndRecipientOrder) {
    const Event a = parse_ok(make_report());
    const Event later = parse_ok(make_report(replace_all(kFields, "09:59:00", "11:00:00")));
    EXPECT_EQ(a.fingerprint, later.fingerprint);
    EXPECT_NE(a.time_ms, later.time_ms);
    const std::string two = replace_all(kFields, "Original-Rcpt-To: <kim@example.org>\n",
                                        "Original-Rcpt-To: <kim@example.org>\nOriginal-Rcpt-To: lee@example.org\n");
    const std::string swapped = replace_all(kFields, "Original-Rcpt-To: <kim@example.org>\n",
                                            "Original-Rcpt-To: lee@example.org\nOriginal-Rcpt-To: <kim@example.org>\n");
    EXPECT_EQ(parse_ok(make_report(two)).fingerprint, parse_ok(make_report(swapped)).fingerprint);
    EXPECT_NE(parse_ok(make_report(two)).fingerprint, a.fingerprint);
    EXPECT_NE(parse_ok(make_report(replace_all(kFields, "abuse", "fraud"))).fingerprint, a.fingerprint);
    EXPECT_NE(parse_ok(make_report(replace_all(kFields, "mx1.example.org", "mx2.example.org"))).fingerprint,
              a.fingerprint);
    // Without a Message-ID, the arrival time stands in for it.
    const std::string no_id = replace_all(kOriginal, "Message-ID: <hello-1@news.example.com>\n", "");
    const Event n = parse_ok(make_report(kFields, no_id));
    EXPECT_EQ(n.fingerprint,
              documented_fingerprint({"presend.feedback.v1", "arf", "complaint", "mx1.example.org", "@1773395940000",
                                      "abuse", "1", "kim@example.org"}));
}

TEST(Arf, ReportTypeParameterMayBeMissing) {
    const Event e = parse_ok(make_report(kFields, kOriginal, "multipart/report; boundary=b1"));
    EXPECT_EQ(addresses(e), std::vector<std::string>{"kim@example.org"});
}

TEST(Arf, MissingCloseDelimiter) {
    std::string text = make_report();
    text = text.substr(0, text.rfind("--b1--"));
    EXPECT_EQ(parse_ok(text).message_id, "<hello-1@news.example.com>");
}

// --- Errors -----------------------------------------------------------------------

struct ErrorCase {
    std::string name;
    std::string input;
    ErrorCode code;
    std::string message;
};

TEST(ArfErrors, EveryCode) {
    const std::vector<ErrorCase> cases = {
        {"plain message", "From: a@example.org\nContent-Type: text/plain\n\nhello\n",
         ErrorCode::arf_not_multipart_report,
         "the report is \"text/plain\", not multipart/report; report-type=feedback-report"},
        {"no content type", "From: a@example.org\n\nhello\n", ErrorCode::arf_not_multipart_report,
         "the report has no Content-Type"},
        {"a DSN", make_report(kFields, kOriginal, "multipart/report; report-type=delivery-status; boundary=b1"),
         ErrorCode::arf_not_multipart_report,
         "the report-type is \"delivery-status\", not feedback-report (a delivery status notification is not a "
         "complaint)"},
        {"no boundary", make_report(kFields, kOriginal, "multipart/report; report-type=feedback-report"),
         ErrorCode::arf_malformed, "the multipart/report has no usable boundary parameter"},
        {"boundary never used", make_report(kFields, kOriginal, "multipart/report; boundary=zz"),
         ErrorCode::arf_malformed, "no line \"--zz\" opens a MIME part"},
        {"bad header", "From a@example.org\n", ErrorCode::arf_malformed, ""},
        {"bad base64",
         make_report("!!!not base64!!!", kOriginal, "multipart/report; boundary=b1",
                     "Content-Type: message/feedback-report\nContent-Transfer-Encoding: base64\n"),
         ErrorCode::arf_malformed,
         "the message/feedback-report part's transfer encoding \"base64\" cannot be decoded"},
        {"bad fields", make_report("Feedback-Type abuse\n"), ErrorCode::arf_malformed, ""},
        {"no feedback part",
         make_report(kFields, kOriginal, "multipart/report; boundary=b1", "Content-Type: text/plain\n"),
         ErrorCode::arf_no_feedback_part, "the report has no message/feedback-report part"},
        {"no feedback type", make_report(replace_all(kFields, "Feedback-Type: abuse\n", "")),
         ErrorCode::field_missing, "Feedback-Type is missing from the feedback report"},
        {"no time at all",
         replace_all(make_report(replace_all(kFields, "Arrival-Date: Fri, 13 Mar 2026 09:59:00 +0000\n", "")),
                     "Date: Fri, 13 Mar 2026 10:00:00 +0000\n", ""),
         ErrorCode::field_missing, "the report has neither an Arrival-Date nor a Date"},
        {"bad rcpt-to", make_report(replace_all(kFields, "<kim@example.org>", "kim at example")),
         ErrorCode::field_invalid, ""},
        {"bad incidents", make_report(kFields + "Incidents: many\n"), ErrorCode::field_invalid,
         "Incidents \"many\" is not a count"},
        {"no recipient",
         make_report(replace_all(kFields, "Original-Rcpt-To: <kim@example.org>\n", ""),
                     replace_all(kOriginal, "To: Kim <kim@example.org>, lee@example.org\n", "")),
         ErrorCode::arf_no_recipient,
         "the report names no recipient: no Original-Rcpt-To, and no address in the original To"},
        {"too big", std::string(kMaxArfBytes + 1, 'a'), ErrorCode::too_big,
         "the report is 16777217 bytes, over the limit of 16777216"},
    };
    for (const auto &c : cases) {
        SCOPED_TRACE(c.name);
        const FeedbackError e = parse_error_of(c.input);
        EXPECT_EQ(e.code_name(), error_code_name(c.code));
        if (!c.message.empty()) {
            EXPECT_EQ(e.message, c.message);
        }
        EXPECT_FALSE(e.message.empty());
    }
}

TEST(ArfErrors, TooManyFields) {
    // The header parser's own limit on fields (kMaxHeaderCount) comes first.
    std::string fields = kFields;
    for (size_t i = 0; i < kMaxEventRecipients; ++i) fields += "Original-Rcpt-To: r" + std::to_string(i) + "@example.org\n";
    const FeedbackError e = parse_error_of(make_report(fields));
    EXPECT_EQ(e.code, ErrorCode::too_big);
    EXPECT_NE(e.message.find("more than 1000 header fields"), std::string::npos) << e.message;
}

TEST(ArfJson, EventAsJson) {
    std::string out;
    JsonWriter w(out);
    write_event_json(w, parse_ok(fixture("arf/rfc5965-example.eml")));
    EXPECT_TRUE(json_parse(out, out.size()).ok()) << out;
    EXPECT_NE(out.find(R"("kind":"complaint","source":"arf","time":"2026-03-09T18:00:00Z")"), std::string::npos);
    EXPECT_NE(out.find(R"("recipients":[{"address":"pat@example.org"}])"), std::string::npos);
    EXPECT_NE(out.find(R"("complaint":{"feedback_type":"abuse","user_agent":"ExampleFBL/1.0",)"
                       R"("arrival":"2026-03-09T18:00:00Z"})"),
              std::string::npos);
    EXPECT_NE(out.find(R"("incidents":1)"), std::string::npos);
}

// --- MIME pieces ------------------------------------------------------------------

TEST(Mime, ContentType) {
    auto ct = mime::parse_content_type(
        "Multipart/Report (a comment); Report-Type=\"feedback-report\";\r\n\tboundary=\"a \\\"b\\\" c\"");
    ASSERT_TRUE(ct);
    EXPECT_EQ(ct->type, "multipart");
    EXPECT_EQ(ct->subtype, "report");
    EXPECT_EQ(ct->param("report-type"), "feedback-report");
    EXPECT_EQ(ct->param("BOUNDARY"), "a \"b\" c");
    EXPECT_FALSE(ct->param("charset"));
    EXPECT_EQ(mime::parse_content_type("text/plain; boundary=----=_Part_1_2.3; x=y")->param("boundary"),
              "----=_Part_1_2.3");
    EXPECT_FALSE(mime::parse_content_type("text"));
    EXPECT_FALSE(mime::parse_content_type("/plain"));
    EXPECT_FALSE(mime::parse_content_type(""));
    // A broken parameter ends the list; what came before stays.
    ct = mime::parse_content_type("text/plain; charset=utf-8; =x; name=y");
    ASSERT_TRUE(ct);
    EXPECT_EQ(ct->params.size(), 1u);
    // A comment cut short by a backslash at the very end is no content type
    // (found by fuzzing: the position ran past the end).
    EXPECT_FALSE(mime::parse_content_type("(a)(b\\"));
    ct = mime::parse_content_type("text/plain (x\\");
    ASSERT_TRUE(ct);
    EXPECT_EQ(ct->subtype, "plain");
    EXPECT_FALSE(mime::parse_rfc5322_date("(\\"));
}

TEST(Mime, SplitMultipart) {
    const std::string body =
        "preamble\r\n--xyz\r\nContent-Type: text/plain\r\n\r\none\r\n--xyz  \r\n\r\ntwo\r\n--xyzz\r\nstill two\r\n"
        "--xyz--\r\nepilogue\r\n";
    const auto r = mime::split_multipart(body, "xyz");
    ASSERT_TRUE(r.error.empty()) << r.error;
    ASSERT_EQ(r.parts.size(), 2u);
    EXPECT_EQ(r.parts[0].header("content-type"), "text/plain");
    EXPECT_EQ(r.parts[0].body, "one");
    EXPECT_TRUE(r.parts[1].headers.empty());
    EXPECT_EQ(r.parts[1].body, "two\r\n--xyzz\r\nstill two");

    std::string many;
    for (size_t i = 0; i <= mime::kMaxParts; ++i) many += "--b\n\nx\n";
    const auto too_many = mime::split_multipart(many, "b");
    EXPECT_EQ(too_many.error, "more than 100 MIME parts");
    EXPECT_TRUE(too_many.parts.empty());
    // A part whose headers do not parse fails the whole body, parts before it included.
    const auto bad = mime::split_multipart("--b\n\none\n--b\nno colon here\n\ntwo\n--b--\n", "b");
    EXPECT_EQ(bad.error.rfind("the headers of MIME part 2 do not parse: ", 0), 0u) << bad.error;
    EXPECT_TRUE(bad.parts.empty());
}

TEST(Mime, TransferEncodings) {
    EXPECT_EQ(mime::decode_transfer_encoding("a=3Db=\r\nc", "Quoted-Printable"), "a=bc");
    EXPECT_EQ(mime::decode_transfer_encoding("50% =ZZ", "quoted-printable"), "50% =ZZ");
    EXPECT_EQ(mime::decode_transfer_encoding("aGVs\r\nbG8=", "base64"), "hello");
    EXPECT_FALSE(mime::decode_transfer_encoding("aGVsbG8", "base64"));
    EXPECT_EQ(mime::decode_transfer_encoding("as is", " 8BIT "), "as is");
    EXPECT_EQ(mime::decode_transfer_encoding("as is", ""), "as is");
    EXPECT_FALSE(mime::decode_transfer_encoding("x", "x-uuencode"));
}

TEST(Mime, Rfc5322Dates) {
    const std::vector<std::pair<std::string, std::string>> good = {
        {"Thu, 8 Mar 2005 14:00:00 EDT", "2005-03-08T18:00:00Z"},
        {"Mon, 09 Mar 2026 13:58:41 -0400", "2026-03-09T17:58:41Z"},
        {"9 Mar 2026 13:58 +0100", "2026-03-09T12:58:00Z"},
        {"Wed, 11 Mar 2026 17:01:33 -0400 (EDT)", "2026-03-11T21:01:33Z"},
        {"Wed, 11 Mar 26 17:01:33 GMT", "2026-03-11T17:01:33Z"},
        {"Wed, 11 Mar 2026 17:01:33 PST", "2026-03-12T01:01:33Z"},
        {"Wed, 11 Mar 2026 17:01:33 Z", "2026-03-11T17:01:33Z"},
        {"Wed, 11 Mar 2026 17:01:33 A", "2026-03-11T17:01:33Z"},
        {"  Sat , 29 Feb 2020 23:59:59 +0000 ", "2020-02-29T23:59:59Z"},
    };
    for (const auto &[text, iso] : good) {
        SCOPED_TRACE(text);
        const auto ms = mime::parse_rfc5322_date(text);
        ASSERT_TRUE(ms);
        EXPECT_EQ(format_timestamp(*ms), iso);
    }
    for (const std::string bad : {"", "yesterday", "2026-03-11T17:01:33Z", "Wed, 30 Feb 2026 10:00:00 +0000",
                                  "Wed, 11 Foo 2026 10:00:00 +0000", "Wed, 11 Mar 2026 25:00:00 +0000",
                                  "Wed, 11 Mar 2026 10:00:00 +2460", "Wed, 11 Mar 2026 10:00:00 XYZ",
                                  "Wed 11 Mar 2026 10:00:00 +0000", "Wed, 11 Mar 2026 10:00:00 +0000 junk"}) {
        SCOPED_TRACE(bad);
        EXPECT_FALSE(mime::parse_rfc5322_date(bad));
    }
}

}  // namespace
}  // namespace presend::feedback
