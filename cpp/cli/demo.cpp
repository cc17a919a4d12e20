// `presend demo`: the whole story on a temporary store. Sample subscribers in
// three regions, a simulated campaign on a simulated clock (so the output is
// the same on every run), and a summary that shows every verdict.
#include <cjson/cJSON.h>
#include <unistd.h>

#include <cerrno>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cli.hpp"

namespace presend::cli {

namespace {

// 2026-11-02T09:00:00Z, a Monday morning.
constexpr int64_t kStart = 1793610000000;

struct SimClock {
    std::atomic<int64_t> now{kStart};
};

int64_t sim_now(void *user) { return static_cast<SimClock *>(user)->now.load(); }

constexpr const char *kConfig = R"({
  "defaults": {"account": "acme", "region": "us-east-1"},
  "accounts": {
    "acme": {"tier": "production", "aws_account_id": "111122223333",
             "regions": {"us-east-1":      {"max_24h": 50000, "max_rate": 14},
                         "eu-west-1":      {"max_24h": 50000, "max_rate": 14},
                         "ap-southeast-2": {"max_24h": 4, "max_rate": 2, "burst": 2}}},
    "acme-staging": {"tier": "sandbox", "verified_recipients": ["qa@acme.example"],
                     "regions": {"us-east-1": {}}}
  },
  "checks": {"consent": {"mode": "enforce", "require_double_opt_in": false},
             "unsubscribe": {"mode": "enforce", "accept_mailto_only": false},
             "quota": {"mode": "enforce"}}
})";

// Subscribers of the "weekly" list across the three regions' markets.
constexpr const char *kConsentCsv =
    "address,list,status,method,consented_at,confirmed_at,source,ip,country\n"
    "alice@shop.example,weekly,subscribed,double,2026-03-01T10:00:00Z,2026-03-01T10:05:00Z,signup-form,198.51.100.7,US\n"
    "bob@mail.example,weekly,subscribed,single,2026-04-12T08:30:00Z,,checkout,198.51.100.9,US\n"
    "carol@mail.example,weekly,unsubscribed,double,2025-12-01T09:00:00Z,2025-12-01T09:02:00Z,signup-form,198.51.100.11,US\n"
    "dieter@post.example,weekly,subscribed,double,2026-02-02T12:00:00Z,2026-02-02T12:03:00Z,signup-form,203.0.113.5,DE\n"
    "elena@correo.example,weekly,subscribed,double,2026-05-20T17:45:00Z,2026-05-20T17:50:00Z,webinar,203.0.113.8,ES\n"
    "francois@courriel.example,weekly,unconfirmed,double,2026-10-30T07:00:00Z,,signup-form,203.0.113.12,FR\n"
    "grace@outback.example,weekly,subscribed,double,2026-01-15T01:00:00Z,2026-01-15T01:10:00Z,signup-form,192.0.2.20,AU\n"
    "harry@outback.example,weekly,subscribed,double,2026-01-16T01:00:00Z,2026-01-16T01:10:00Z,signup-form,192.0.2.21,AU\n"
    "isla@outback.example,weekly,subscribed,double,2026-01-17T01:00:00Z,2026-01-17T01:10:00Z,signup-form,192.0.2.22,AU\n"
    "jack@outback.example,weekly,subscribed,double,2026-01-18T01:00:00Z,2026-01-18T01:10:00Z,signup-form,192.0.2.23,AU\n"
    "kim@outback.example,weekly,subscribed,double,2026-01-19T01:00:00Z,2026-01-19T01:10:00Z,signup-form,192.0.2.24,AU\n"
    "liam@old.example,weekly,subscribed,single,2024-06-01T00:00:00Z,,legacy-import,,GB\n"
    "this is not an address,weekly,subscribed,single,2026-01-01T00:00:00Z,,typo,,US\n";

// A legacy row: its consent expired.
constexpr const char *kExpired =
    R"({"address": "liam@old.example", "list": "weekly", "method": "single", "consented_at": "2024-06-01T00:00:00Z",
        "expires_at": "2026-06-01T00:00:00Z", "source": "legacy-import", "country": "GB"})";

std::string marketing(const std::string &region, const std::vector<std::string> &to, bool headers = true) {
    std::string m = "{\"from\": \"Acme News <news@acme.example>\", \"mail_from\": \"bounce@mail.acme.example\", "
                    "\"account\": \"acme\", \"region\": \"" + region + "\", \"stream\": \"marketing\", \"list\": \"weekly\", \"to\": [";
    for (size_t i = 0; i < to.size(); ++i) m += (i ? ", \"" : "\"") + to[i] + "\"";
    m += "]";
    if (headers) {
        m += ", \"headers\": [[\"List-Unsubscribe\", \"<https://acme.example/u/Zx8Kq2LmN4pR7sT1vW3y>, "
             "<mailto:unsub+Zx8Kq2LmN4pR7sT1@acme.example>\"], [\"List-Unsubscribe-Post\", \"List-Unsubscribe=One-Click\"]]";
    }
    return m + "}";
}

// What SES sends back (notifications, as an SNS subscription delivers them raw).
constexpr const char *kBounceNotification =
    R"({"notificationType": "Bounce", "bounce": {"bounceType": "Permanent", "bounceSubType": "General", )"
    R"("bouncedRecipients": [{"emailAddress": "bob@mail.example", "status": "5.1.1", "action": "failed", )"
    R"("diagnosticCode": "smtp; 550 5.1.1 user unknown"}], "timestamp": "2026-11-02T09:00:30.000Z", )"
    R"("feedbackId": "demo-bounce-1"}, "mail": {"timestamp": "2026-11-02T09:00:01.000Z", "messageId": "demo-1", )"
    R"("source": "news@acme.example", "sourceArn": "arn:aws:ses:us-east-1:111122223333:identity/acme.example", )"
    R"("sendingAccountId": "111122223333", "destination": ["bob@mail.example"]}})";
constexpr const char *kComplaintNotification =
    R"({"notificationType": "Complaint", "complaint": {"complainedRecipients": [{"emailAddress": "dieter@post.example"}], )"
    R"("timestamp": "2026-11-02T09:00:40.000Z", "feedbackId": "demo-complaint-1", "complaintFeedbackType": "abuse"}, )"
    R"("mail": {"timestamp": "2026-11-02T09:00:03.000Z", "messageId": "demo-2", "source": "news@acme.example", )"
    R"("sourceArn": "arn:aws:ses:eu-west-1:111122223333:identity/acme.example", "sendingAccountId": "111122223333", )"
    R"("destination": ["dieter@post.example"]}})";

struct Step {
    std::string title;
    std::string message;
    int64_t advance_ms = 0;  // simulated time that passes before this step
    bool release_after = false;
};

struct Tally {
    std::map<std::string, int> verdicts;
    std::map<std::string, int> reasons;
    std::map<std::string, std::map<std::string, int>> by_region;  // region -> verdict -> count
};

void must(presend_status st, presend_engine *e, const char *what) {
    if (st != PRESEND_OK) {
        throw CliError{std::string("demo: ") + what + ": " + presend_status_str(st) + ": " + presend_engine_errmsg(e)};
    }
}

}  // namespace

int cmd_demo(const Args &args) {
    for (const auto &[k, v] : args.options) {
        (void)v;
        if (k != "keep") throw UsageError{"--" + k + " does not apply to demo"};
    }
    if (!args.positional.empty()) throw UsageError{"usage: presend demo [--keep DIR]"};

    // A fresh store in a temporary directory (or in --keep DIR, kept afterwards).
    std::string dir;
    bool keep = false;
    if (auto k = args.opt("keep")) {
        dir = *k;
        keep = true;
        std::filesystem::create_directories(dir);
        std::filesystem::remove(dir + "/presend-demo.db");
        std::filesystem::remove(dir + "/presend-demo.db-wal");
        std::filesystem::remove(dir + "/presend-demo.db-shm");
    } else {
        std::string tmpl = (std::filesystem::temp_directory_path() / "presend-demo-XXXXXX").string();
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        if (::mkdtemp(buf.data()) == nullptr) throw CliError{"demo: cannot create a temporary directory"};
        dir = buf.data();
    }
    std::string store = dir + "/presend-demo.db";

    SimClock clock;
    presend_engine_options opts;
    presend_engine_options_init(&opts);
    opts.store_path = store.c_str();
    opts.clock = sim_now;
    opts.clock_user_data = &clock;
    presend_engine *e = nullptr;
    Owned err;
    presend_status st = presend_engine_open_json(&e, kConfig, std::strlen(kConfig), &opts, &err.p);
    if (st != PRESEND_OK) throw CliError{std::string("demo: ") + presend_status_str(st) + ": " + err.str()};
    std::unique_ptr<presend_engine, decltype(&presend_engine_free)> guard(e, presend_engine_free);

    std::cout << "presend " << presend_version() << " demo\n"
              << "store: " << store << (keep ? "" : " (temporary)") << "\n"
              << "simulated clock from 2026-11-02T09:00:00Z\n\n";

    // 1. Subscribers and suppressions.
    Owned report;
    must(presend_consent_import_data(e, kConsentCsv, std::strlen(kConsentCsv), PRESEND_IMPORT_CSV, &report.p), e,
         "consent import");
    must(presend_consent_put(e, kExpired, std::strlen(kExpired)), e, "consent put");
    cJSON *rep = cJSON_Parse(report.p);
    std::cout << "1. Imported " << cJSON_GetObjectItem(rep, "imported")->valueint << " consent records from CSV ("
              << cJSON_GetObjectItem(rep, "rejected")->valueint << " bad row reported: ";
    const cJSON *first_err = cJSON_GetArrayItem(cJSON_GetObjectItem(rep, "errors"), 0);
    std::cout << (first_err ? cJSON_GetObjectItem(first_err, "message")->valuestring : "") << ")\n";
    cJSON_Delete(rep);
    const char *supp1 = R"({"address": "elena@correo.example", "reason": "complaint", "note": "feedback loop"})";
    const char *supp2 = R"({"address": "@bounce.example", "reason": "bounce", "note": "domain gone"})";
    must(presend_suppression_put(e, supp1, std::strlen(supp1)), e, "suppress");
    must(presend_suppression_put(e, supp2, std::strlen(supp2)), e, "suppress");
    std::cout << "   Suppressed elena@correo.example (complaint) and the domain bounce.example (bounce)\n\n";

    // 2. The campaign.
    std::vector<Step> steps = {
        {"us-east-1: a confirmed subscriber", marketing("us-east-1", {"alice@shop.example"})},
        {"us-east-1: one of three unsubscribed", marketing("us-east-1", {"alice@shop.example", "bob@mail.example", "carol@mail.example"}), 500},
        {"us-east-1: no consent, expired consent, bounced domain", marketing("us-east-1", {"nobody@mail.example", "liam@old.example", "x@bounce.example"}), 500},
        {"eu-west-1: a complaint, and an opt-in never confirmed", marketing("eu-west-1", {"elena@correo.example", "francois@courriel.example"}), 500},
        {"eu-west-1: confirmed subscriber, but no unsubscribe headers", marketing("eu-west-1", {"dieter@post.example"}, false), 500},
        {"eu-west-1: the same message, fixed", marketing("eu-west-1", {"dieter@post.example"}), 500},
        {"us-east-1: a password reset (transactional: no consent needed)",
         R"({"from": "Acme <no-reply@acme.example>", "to": ["newcomer@mail.example"], "account": "acme", "region": "us-east-1", "stream": "transactional"})", 500},
        {"acme-staging (SES sandbox): a verified and an unverified recipient",
         R"({"from": "QA <qa@acme.example>", "to": ["qa@acme.example", "alice@shop.example"], "account": "acme-staging", "region": "us-east-1", "stream": "transactional"})", 500},
        {"ap-southeast-2 (2/s, burst 2): three recipients at once", marketing("ap-southeast-2", {"grace@outback.example", "harry@outback.example", "isla@outback.example"}), 500},
        {"ap-southeast-2: one second later", marketing("ap-southeast-2", {"isla@outback.example"}), 1000, true},
        {"ap-southeast-2: that send failed and was released; retried", marketing("ap-southeast-2", {"isla@outback.example"}), 1000},
        {"ap-southeast-2: the fourth send of the day", marketing("ap-southeast-2", {"jack@outback.example"}), 1000},
        {"ap-southeast-2: the 24-hour maximum of 4 is reached", marketing("ap-southeast-2", {"kim@outback.example"}), 1000},
    };

    Tally tally;
    int n = 0;
    for (const auto &s : steps) {
        clock.now += s.advance_ms;
        presend_decision *d = nullptr;
        must(presend_engine_check(e, s.message.data(), s.message.size(), 0, &d), e, "check");
        std::unique_ptr<presend_decision, decltype(&presend_decision_free)> dg(d, presend_decision_free);
        std::cout << "2." << ++n << " " << s.title << "\n";
        print_decision(d, false);
        std::string verdict = presend_verdict_str(presend_decision_verdict(d));
        tally.verdicts[verdict]++;
        cJSON *doc = cJSON_Parse(presend_decision_json(d));
        tally.by_region[std::string(cJSON_GetObjectItem(doc, "account")->valuestring) + "/" +
                        cJSON_GetObjectItem(doc, "region")->valuestring][verdict]++;
        auto count = [&](const cJSON *reasons) {
            for (const cJSON *r = reasons->child; r != nullptr; r = r->next) {
                tally.reasons[cJSON_GetObjectItem(r, "code")->valuestring]++;
            }
        };
        count(cJSON_GetObjectItem(doc, "reasons"));
        for (const cJSON *r = cJSON_GetObjectItem(doc, "recipients")->child; r != nullptr; r = r->next) {
            count(cJSON_GetObjectItem(r, "reasons"));
        }
        cJSON_Delete(doc);
        if (s.release_after) {
            must(presend_engine_release(e, presend_decision_id(d)), e, "release");
            std::cout << "    (the host's send failed: released decision " << presend_decision_id(d) << ")\n";
        }
        std::cout << "\n";
    }

    // 3. The summary.
    std::cout << "3. Summary\n   verdicts:";
    for (const char *v : {"allow", "partial", "block", "defer"}) std::cout << "  " << v << " " << tally.verdicts[v];
    std::cout << "\n   by account and region:\n";
    for (const auto &[region, counts] : tally.by_region) {
        std::printf("     %-28s", region.c_str());
        for (const char *v : {"allow", "partial", "block", "defer"}) {
            auto it = counts.find(v);
            std::printf("  %s %d", v, it == counts.end() ? 0 : it->second);
        }
        std::printf("\n");
    }
    std::cout << "   reasons:\n";
    for (const auto &[code, c] : tally.reasons) std::printf("     %-32s %d\n", code.c_str(), c);
    std::cout << "   quota:\n";
    for (const char *region : {"us-east-1", "eu-west-1", "ap-southeast-2"}) {
        Owned q;
        must(presend_quota_status(e, "acme", region, &q.p), e, "quota status");
        cJSON *doc = cJSON_Parse(q.p);
        std::printf("     acme/%-15s %lld of %lld in the last 24 h, %lld per second\n", region,
                    static_cast<long long>(cJSON_GetObjectItem(doc, "sent_24h")->valuedouble),
                    static_cast<long long>(cJSON_GetObjectItem(doc, "max_24h")->valuedouble),
                    static_cast<long long>(cJSON_GetObjectItem(doc, "max_rate")->valuedouble));
        cJSON_Delete(doc);
    }
    // 4. What SES reports back, the trail, and the report.
    clock.now += 60 * 1000;
    std::string events = std::string(kBounceNotification) + "\n" + kComplaintNotification + "\n";
    Owned ingest;
    must(presend_events_ingest(e, events.data(), events.size(), R"({"source": "demo"})", &ingest.p), e, "events ingest");
    cJSON *ing = cJSON_Parse(ingest.p);
    std::cout << "\n4. SES reported a hard bounce (bob@mail.example) and a complaint (dieter@post.example):\n"
              << "   " << cJSON_GetObjectItem(ing, "ingested")->valueint << " events ingested, "
              << cJSON_GetObjectItem(ing, "suppressed")->valueint << " addresses suppressed\n";
    cJSON_Delete(ing);
    {
        clock.now += 1000;
        std::string again = marketing("us-east-1", {"bob@mail.example"});
        presend_decision *d = nullptr;
        must(presend_engine_check(e, again.data(), again.size(), PRESEND_CHECK_DRY_RUN, &d), e, "check");
        std::cout << "   the next message to bob@mail.example: ";
        print_decision(d, false);
        presend_decision_free(d);
    }
    Owned verify;
    must(presend_audit_verify(e, &verify.p), e, "audit verify");
    cJSON *ver = cJSON_Parse(verify.p);
    std::cout << "   audit trail: " << cJSON_GetObjectItem(ver, "records")->valueint << " records, "
              << (cJSON_IsTrue(cJSON_GetObjectItem(ver, "ok")) ? "intact" : "BROKEN") << "\n";
    cJSON_Delete(ver);
    Owned html;
    must(presend_report(e, R"({"from": "2026-11-02", "to": "2026-11-03", "format": "html"})", &html.p), e, "report");
    std::string report_path =
        keep ? dir + "/presend-demo-report.html" : (std::filesystem::temp_directory_path() / "presend-demo-report.html").string();
    {
        std::FILE *f = std::fopen(report_path.c_str(), "wb");
        if (f == nullptr) throw CliError{"demo: cannot write " + report_path + ": " + std::strerror(errno)};
        std::string body = html.str();
        bool ok = std::fwrite(body.data(), 1, body.size(), f) == body.size();
        ok = std::fclose(f) == 0 && ok;
        if (!ok) throw CliError{"demo: cannot write " + report_path};
    }

    bool all_four = tally.verdicts["allow"] > 0 && tally.verdicts["partial"] > 0 && tally.verdicts["block"] > 0 &&
                    tally.verdicts["defer"] > 0;
    guard.reset();
    if (!keep) std::filesystem::remove_all(dir);
    else std::cout << "\nThe store is kept in " << store << "\n";
    std::cout << "\nReport: " << report_path << "\n";
    if (!all_four) throw CliError{"demo: the campaign did not produce all four verdicts"};
    return kExitOk;
}

}  // namespace presend::cli
