// presend_feedback_bench: the feedback side's benchmark, through the public
// C API.
//   - event ingestion: SES notifications (bounces, complaints, deliveries) as
//     JSON Lines, in chunks, into a store; events/s, then the same input again
//     (every event a duplicate);
//   - report generation over a store of N stored decisions (default
//     1,000,000, 5 recipients each, spread over 7 days): the model (JSON) and
//     the HTML rendering, timed separately.
// The decision store is built once (check_batch, 1,000 messages per
// transaction, on a simulated clock) and reused while its size matches.
#include <presend/presend.h>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Options {
    std::string dir = "bench-data";
    int64_t decisions = 1000000;
    int64_t events = 200000;
    int64_t chunk = 10000;
    std::string json;
};

[[noreturn]] void usage(const char *why) {
    std::fprintf(stderr,
                 "presend_feedback_bench: %s\n"
                 "usage: presend_feedback_bench [--dir DIR] [--decisions N] [--events N] [--chunk N] [--json FILE]\n",
                 why);
    std::exit(2);
}

Options parse(int argc, char **argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto need = [&]() -> std::string {
            if (i + 1 >= argc) usage(("missing value for " + a).c_str());
            return argv[++i];
        };
        auto number = [&]() {
            std::string v = need();
            char *end = nullptr;
            long long n = std::strtoll(v.c_str(), &end, 10);
            if (end == v.c_str() || *end != '\0' || n <= 0) usage(("bad number for " + a).c_str());
            return static_cast<int64_t>(n);
        };
        if (a == "--dir") o.dir = need();
        else if (a == "--decisions") o.decisions = number();
        else if (a == "--events") o.events = number();
        else if (a == "--chunk") o.chunk = number();
        else if (a == "--json") o.json = need();
        else if (a == "--help" || a == "-h") usage("the feedback benchmark");
        else usage(("unknown option " + a).c_str());
    }
    return o;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct Clock {
    int64_t now;
};
int64_t read_clock(void *c) { return static_cast<Clock *>(c)->now; }

constexpr int64_t kStart = 1793577600000;  // 2026-11-02T00:00:00Z
constexpr int64_t kWeek = 7LL * 86400 * 1000;

const char *kConfig = R"({"accounts": {"prod": {"aws_account_id": "123456789012", "regions": {
    "us-east-1": {"max_24h": 100000000, "max_rate": 1000000, "burst": 1000000}}}},
  "checks": {"consent": {"mode": "off"}, "unsubscribe": {"mode": "off"}},
  "audit": {"key": "benchmark-audit-key-0123456789"}})";

presend_engine *open_engine(const std::string &path, Clock *clock) {
    presend_engine_options o;
    presend_engine_options_init(&o);
    o.store_path = path.c_str();
    o.clock = read_clock;
    o.clock_user_data = clock;
    presend_engine *e = nullptr;
    char *err = nullptr;
    if (presend_engine_open_json(&e, kConfig, std::strlen(kConfig), &o, &err) != PRESEND_OK) {
        std::fprintf(stderr, "open %s: %s\n", path.c_str(), err != nullptr ? err : "?");
        std::exit(1);
    }
    return e;
}

void must(presend_status st, presend_engine *e, const char *what) {
    if (st != PRESEND_OK) {
        std::fprintf(stderr, "%s: %s: %s\n", what, presend_status_str(st), presend_engine_errmsg(e));
        std::exit(1);
    }
}

std::string iso(int64_t ms) {
    time_t s = static_cast<time_t>(ms / 1000);
    struct tm t;
    gmtime_r(&s, &t);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday,
                  t.tm_hour, t.tm_min, t.tm_sec, static_cast<int>(ms % 1000));
    return buf;
}

// Event i: 60% deliveries, 35% bounces (4 in 5 permanent), 5% complaints.
void append_event(std::string &out, int64_t i) {
    std::string to = "r" + std::to_string(i % 500000) + "@d" + std::to_string(i % 997) + ".example";
    std::string when = iso(kStart + (i * 3001) % kWeek);
    std::string mail = R"("mail":{"timestamp":")" + when + R"(","messageId":"bench-)" + std::to_string(i) +
                       R"(","source":"news@example.com","sourceArn":"arn:aws:ses:us-east-1:123456789012:identity/example.com",)"
                       R"("sendingAccountId":"123456789012","destination":[")" + to + R"("]})";
    int64_t k = i % 100;
    if (k < 60) {
        out += R"({"notificationType":"Delivery","delivery":{"timestamp":")" + when + R"(","recipients":[")" + to +
               R"("],"processingTimeMillis":420,"smtpResponse":"250 ok"},)" + mail + "}\n";
    } else if (k < 95) {
        out += R"({"notificationType":"Bounce","bounce":{"bounceType":")" + std::string(k < 88 ? "Permanent" : "Transient") +
               R"(","bounceSubType":"General","bouncedRecipients":[{"emailAddress":")" + to +
               R"(","status":"5.1.1","action":"failed"}],"timestamp":")" + when + R"(","feedbackId":"fb-)" +
               std::to_string(i) + R"("},)" + mail + "}\n";
    } else {
        out += R"({"notificationType":"Complaint","complaint":{"complainedRecipients":[{"emailAddress":")" + to +
               R"("}],"timestamp":")" + when + R"(","feedbackId":"c-)" + std::to_string(i) +
               R"(","complaintFeedbackType":"abuse"},)" + mail + "}\n";
    }
}

int64_t json_int(const char *json, const char *key) {
    std::string needle = std::string("\"") + key + "\":";
    const char *p = std::strstr(json, needle.c_str());
    return p != nullptr ? std::strtoll(p + needle.size(), nullptr, 10) : -1;
}

}  // namespace

int main(int argc, char **argv) {
    Options o = parse(argc, argv);
    ::mkdir(o.dir.c_str(), 0755);
    std::printf("presend %s feedback benchmark\n", presend_version());
    std::fflush(stdout);

    // --- ingestion --------------------------------------------------------------
    std::string events_store = o.dir + "/events.db";
    std::remove(events_store.c_str());
    std::remove((events_store + "-wal").c_str());
    std::remove((events_store + "-shm").c_str());
    std::vector<std::string> chunks;
    for (int64_t i = 0; i < o.events; i += o.chunk) {
        std::string c;
        for (int64_t j = i; j < std::min(o.events, i + o.chunk); ++j) append_event(c, j);
        chunks.push_back(std::move(c));
    }
    Clock ec{kStart + kWeek};
    presend_engine *e = open_engine(events_store, &ec);
    int64_t ingested = 0, duplicates = 0, suppressed = 0;
    auto run = [&](int64_t &counted, const char *key) {
        auto t0 = std::chrono::steady_clock::now();
        for (const auto &c : chunks) {
            char *report = nullptr;
            must(presend_events_ingest(e, c.data(), c.size(), nullptr, &report), e, "events ingest");
            counted += json_int(report, key);
            if (std::strcmp(key, "ingested") == 0) suppressed += json_int(report, "suppressed");
            presend_free(report);
        }
        return seconds_since(t0);
    };
    double t_ingest = run(ingested, "ingested");
    double t_again = run(duplicates, "duplicates");
    presend_engine_free(e);
    std::printf("ingestion: %" PRId64 " events (%" PRId64 " per call): %.2f s, %.0f events/s; %" PRId64
                " addresses suppressed\n",
                ingested, o.chunk, t_ingest, static_cast<double>(ingested) / t_ingest, suppressed);
    std::printf("ingesting the same events again (all duplicates): %.2f s, %.0f events/s\n", t_again,
                static_cast<double>(duplicates) / t_again);

    // --- the decision store ----------------------------------------------------------------
    std::string store = o.dir + "/decisions-" + std::to_string(o.decisions) + ".db";
    Clock dc{kStart};
    bool reuse = ::access(store.c_str(), R_OK) == 0;
    double t_build = 0;
    if (!reuse) {
        e = open_engine(store, &dc);
        auto t0 = std::chrono::steady_clock::now();
        const int64_t batch = 1000;
        int64_t step = kWeek / o.decisions;
        for (int64_t i = 0; i < o.decisions; i += batch) {
            std::string arr = "[";
            for (int64_t j = i; j < std::min(o.decisions, i + batch); ++j) {
                arr += j > i ? "," : "";
                arr += R"({"from":"News <news@example.com>","stream":"transactional","to":[)";
                for (int r = 0; r < 5; ++r) {
                    int64_t who = (j * 5 + r) * 7919 % 2000003;
                    arr += (r ? ",\"" : "\"") + std::string(who % 50 == 0 ? "bad address " : "u") + std::to_string(who) +
                           "@d" + std::to_string(who % 1000) + ".example\"";
                }
                arr += "]}";
            }
            arr += "]";
            dc.now = kStart + i * step;
            presend_batch *b = nullptr;
            must(presend_engine_check_batch(e, arr.data(), arr.size(), 0, &b), e, "check batch");
            presend_batch_free(b);
        }
        t_build = seconds_since(t0);
        presend_engine_free(e);
        std::printf("built %s: %" PRId64 " decisions in %.1f s\n", store.c_str(), o.decisions, t_build);
    } else {
        std::printf("reusing %s\n", store.c_str());
    }

    // --- reports -----------------------------------------------------------------------------
    dc.now = kStart + kWeek;
    e = open_engine(store, &dc);
    std::string opts_json = R"({"from":"2026-11-02","to":"2026-11-09","format":"json"})";
    std::string opts_html = R"({"from":"2026-11-02","to":"2026-11-09","format":"html"})";
    double best_json = 1e9, best_html = 1e9;
    size_t json_bytes = 0, html_bytes = 0;
    int64_t messages = -1;
    for (int round = 0; round < 3; ++round) {
        char *out = nullptr;
        auto t0 = std::chrono::steady_clock::now();
        must(presend_report(e, opts_json.c_str(), &out), e, "report json");
        best_json = std::min(best_json, seconds_since(t0));
        json_bytes = std::strlen(out);
        messages = json_int(out, "messages");
        presend_free(out);
        t0 = std::chrono::steady_clock::now();
        must(presend_report(e, opts_html.c_str(), &out), e, "report html");
        best_html = std::min(best_html, seconds_since(t0));
        html_bytes = std::strlen(out);
        presend_free(out);
    }
    char *verify = nullptr;
    auto t0 = std::chrono::steady_clock::now();
    must(presend_audit_verify(e, &verify), e, "audit verify");
    double t_verify = seconds_since(t0);
    int64_t records = json_int(verify, "records");
    presend_free(verify);
    presend_engine_free(e);
    std::printf("report over %" PRId64 " decisions (7 days, 5 recipients each), best of 3:\n", messages);
    std::printf("  model (json):   %.2f s, %zu bytes\n", best_json, json_bytes);
    std::printf("  rendered html:  %.2f s, %zu bytes\n", best_html, html_bytes);
    std::printf("audit verify of %" PRId64 " records: %.2f s (%.0f records/s)\n", records, t_verify,
                static_cast<double>(records) / t_verify);

    if (!o.json.empty()) {
        FILE *f = std::fopen(o.json.c_str(), "w");
        if (f == nullptr) return 1;
        std::fprintf(f,
                     "{\"events\": %" PRId64 ", \"chunk\": %" PRId64 ", \"ingest_seconds\": %.3f, \"ingest_per_second\": %.0f, "
                     "\"duplicate_seconds\": %.3f, \"decisions\": %" PRId64 ", \"build_seconds\": %.1f, "
                     "\"report_json_seconds\": %.3f, \"report_html_seconds\": %.3f, \"audit_records\": %" PRId64
                     ", \"audit_verify_seconds\": %.3f}\n",
                     ingested, o.chunk, t_ingest, static_cast<double>(ingested) / t_ingest, t_again, messages, t_build,
                     best_json, best_html, records, t_verify);
        std::fclose(f);
    }
    return 0;
}
