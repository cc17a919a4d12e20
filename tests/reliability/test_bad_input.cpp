// Bad input: malformed documents of every kind a mailer or an operator hands
// presend, generated from valid seeds by a seeded generator (the same seed
// gives the same inputs), fed through the C API against one store:
//   messages and batches     presend_engine_check, presend_engine_check_batch
//   configurations           presend_engine_open_json
//   IAM policies             the iam_least_privilege plugin, through the
//                            configuration that loads it (policy files)
//   SES / SNS events, ARF    presend_events_ingest
//   consent and suppressions presend_consent_put, presend_suppression_put,
//                            presend_consent_import_data
// Each input either fails with a negative status and a non-empty message,
// or is accepted (it was valid after all) with a well-formed answer; none
// crashes (the asan build checks memory too) and none makes the store
// unavailable. Afterwards the store passes integrity_check and audit verify,
// and what was stored before the run (a consent record, a suppression, a
// decision) is unchanged.
//
//   PRESEND_RELIABILITY_BAD_INPUTS  inputs (default 10000)
#include <algorithm>
#include <set>

#include "support.hpp"

namespace reliability {
namespace {

// --- seeds ------------------------------------------------------------------------------

const char *kConfig =
    R"({"accounts": {"prod": {"regions": {"us-east-1": {"max_24h": 10000000, "max_rate": 1000000, "burst": 1000000},
                                          "eu-west-1": {}}}},
        "defaults": {"account": "prod", "region": "us-east-1"}})";

std::vector<std::string> message_seeds() {
    return {
        R"({"from": "News <news@example.com>", "to": ["a@example.org", "B <b@EXAMPLE.org>"], "stream": "marketing", "list": "weekly", "headers": [["List-Unsubscribe", "<https://example.com/u/Zx8Kq2LmN4pR7sT1vW3y>"], ["List-Unsubscribe-Post", "List-Unsubscribe=One-Click"]]})",
        R"({"from": "App <app@example.com>", "mail_from": "bounce@mail.example.com", "to": ["r@example.org"], "cc": ["c@example.org"], "bcc": ["d@example.org"], "stream": "transactional", "account": "prod", "region": "eu-west-1", "message_id": "<id@example.com>"})",
        R"({"raw": "From: a@example.com\r\nTo: b@example.org, \"C\" <c@example.org>\r\nCc: d@example.org\r\nSubject: =?utf-8?B?w6nDqQ==?=\r\nMessage-ID: <1@x>\r\n\r\nbody", "stream": "transactional"})",
        R"({"raw": "From: a@example.com\r\nTo: undisclosed-recipients:;\r\n\r\nbody", "to": ["x@example.org"], "stream": "transactional"})",
        R"({"from": "a@example.com", "to": ["Group: m@b\u00fccher.example, n@example.org;"], "stream": "transactional"})",
    };
}

std::vector<std::string> config_seeds() {
    return {
        kConfig,
        R"({"fail_open": true, "durability": "full", "busy_timeout_ms": 50, "address": {"local_part_case_insensitive": true}, "defaults": {"account": "p", "region": "r", "stream": "transactional"}, "accounts": {"p": {"tier": "sandbox", "verified_recipients": ["qa@example.com", "@example.net"], "max_recipients_per_message": 10, "regions": {"r": {}}}}, "checks": {"recipient": {"mode": "monitor"}, "consent": {"mode": "enforce", "require_double_opt_in": true}, "suppression": {"mode": "off"}, "unsubscribe": {"accept_mailto_only": true}, "quota": {"approaching_ratio": 0.5}, "frequency": {"mode": "enforce", "max_messages": 3, "period_hours": 24, "per_list": true}, "reputation": {"window_hours": 24, "min_volume": 10}}, "ledger": {"backend": "sqlite"}, "plugins": []})",
        R"({"accounts": {"prod": {"aws_account_id": "123456789012", "regions": {"us-east-1": {"max_24h": 50000, "max_rate": 14, "burst": 14}}}}, "events": {"sns_verify": "off"}})",
    };
}

std::vector<std::string> policy_seeds() {
    return {
        R"({"Version":"2012-10-17","Statement":[{"Sid":"Send","Effect":"Allow","Action":["ses:SendEmail","ses:SendRawEmail"],"Resource":"arn:aws:ses:us-east-1:123456789012:identity/example.com"}]})",
        R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:Send*","Resource":"*","Condition":{"StringLike":{"ses:FromAddress":"*@example.com"},"ForAllValues:StringLike":{"ses:Recipients":["*@example.org"]}}},{"Effect":"Deny","NotAction":"ses:SendEmail","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"},"Bool":{"aws:SecureTransport":"false"}}}]})",
        R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ses:SendEmail","Resource":"arn:aws:ses:${aws:RequestedRegion}:123456789012:identity/${aws:username}","Condition":{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},"NumericLessThanIfExists":{"aws:EpochTime":"1893456000"}}}})",
    };
}

std::vector<std::string> event_seeds() {
    std::string bounce =
        R"({"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bounceSubType":"General","bouncedRecipients":[{"emailAddress":"bob@example.net","action":"failed","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 user unknown"}],"timestamp":"2026-03-02T10:15:42.318Z","feedbackId":"0102018f3a5b9e01-aa11bb22-000000","reportingMTA":"dns; b224-13.smtp-out.eu-west-1.amazonses.com"},"mail":{"timestamp":"2026-03-02T10:15:40.051Z","source":"News <news@example.com>","sourceArn":"arn:aws:ses:us-east-1:123456789012:identity/example.com","sendingAccountId":"123456789012","messageId":"0102018f3a5b7c9d-5e2a41b7-000000","destination":["bob@example.net"],"headersTruncated":false,"commonHeaders":{"from":["News <news@example.com>"],"to":["bob@example.net"],"messageId":"<s-1@example.com>","subject":"Sale"}}})";
    std::string complaint =
        R"({"eventType":"Complaint","complaint":{"complainedRecipients":[{"emailAddress":"eve@example.org"}],"timestamp":"2026-03-03T11:00:00.000Z","feedbackId":"0102018f-c0ffee-000000","complaintFeedbackType":"abuse","userAgent":"Yahoo!-Mail-Feedback/2.0"},"mail":{"timestamp":"2026-03-03T10:00:00.000Z","source":"news@example.com","sourceArn":"arn:aws:ses:us-east-1:123456789012:identity/example.com","messageId":"0102018f-abc-000000","destination":["eve@example.org"]}})";
    std::string escaped;
    for (char c : bounce) {
        if (c == '"' || c == '\\') escaped += '\\';
        escaped += c;
    }
    std::string sns = R"({"Type":"Notification","MessageId":"22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324","TopicArn":"arn:aws:sns:us-east-1:123456789012:ses-bounces","Message":")" +
                      escaped + R"(","Timestamp":"2026-03-02T10:15:43.000Z","SignatureVersion":"1","Signature":"QUJD","SigningCertURL":"https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem"})";
    return {bounce, complaint, sns, "[" + bounce + "," + complaint + "]", bounce + "\n" + complaint + "\n"};
}

const char *kArf =
    "From: Abuse Desk <abuse@example.org>\r\nDate: Mon, 9 Mar 2026 15:40:36 -0400\r\nSubject: FW: Sale\r\n"
    "To: <fbl@news.example.com>\r\nMessage-ID: <report-881204@fbl.example.org>\r\nMIME-Version: 1.0\r\n"
    "Content-Type: multipart/report; report-type=feedback-report;\r\n boundary=\"b1\"\r\n\r\n"
    "--b1\r\nContent-Type: text/plain\r\n\r\nAn abuse report.\r\n"
    "--b1\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\nUser-Agent: FBL/1.0\r\nVersion: 1\r\n"
    "Original-Mail-From: <bounces@news.example.com>\r\nOriginal-Rcpt-To: <pat@example.org>\r\n"
    "Arrival-Date: Mon, 9 Mar 2026 14:00:00 EDT\r\nSource-IP: 203.0.113.77\r\n\r\n"
    "--b1\r\nContent-Type: message/rfc822\r\n\r\nFrom: news@news.example.com\r\nTo: pat@example.org\r\n"
    "Message-ID: <sale-7731@news.example.com>\r\nSubject: Sale\r\n\r\nbody\r\n--b1--\r\n";

std::vector<std::string> record_seeds() {
    return {
        R"({"address": "ann@example.org", "list": "weekly", "status": "subscribed", "method": "double", "consented_at": "2026-01-01T00:00:00Z", "confirmed_at": "2026-01-01T00:03:00Z", "source": "form", "ip": "198.51.100.7", "country": "DE", "jurisdiction": "EU", "expires_at": "2027-01-01"})",
        R"({"address": "@b\u00fccher.example", "reason": "bounce", "list": "weekly", "expires_at": "2027-01-01T00:00:00Z", "note": "gone"})",
        "address,list,status,method,consented_at,confirmed_at,source,ip,country,expires_at\n"
        "a@example.org,weekly,subscribed,double,2026-01-01T00:00:00Z,2026-01-01T00:01:00Z,form,198.51.100.7,DE,2027-01-01\n",
        R"({"address": "b@example.org", "list": "*", "method": "import"})" "\n" R"({"address": "c@example.org", "list": "w"})" "\n",
    };
}

// The checked-in fuzz corpus of a target, in name order (more seeds).
std::vector<std::string> corpus(const char *name, const std::string &prefix = "") {
    std::vector<std::string> out;
#ifdef PRESEND_FUZZ_CORPUS
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (const auto &f : std::filesystem::directory_iterator(std::string(PRESEND_FUZZ_CORPUS) + "/" + name, ec)) {
        if (f.path().filename().string().rfind(prefix, 0) == 0) files.push_back(f.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto &f : files) {
        std::ifstream in(f, std::ios::binary);
        out.emplace_back((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    }
#else
    (void)name;
    (void)prefix;
#endif
    return out;
}

// --- mutations ------------------------------------------------------------------------

const std::vector<std::string> kTokens = {
    "\"", "\\", "{", "}", "[", "]", ",", ":", "\n", "\r\n", "\r\n\r\n", "null", "true", "-1", "0", "1e400", "-0.5",
    "99999999999999999999", "{}", "[]", "\"\"", "\\u0000", "\\ud800", "\\udfff\\ud800", "\xff\xfe", "\xc3\x28", "\xed\xa0\x80",
    "\xf4\x90\x80\x80", "\x01", "\x7f", "<", ">", "@", "@@", "a@", "@b", "\"to\"", "\"raw\"", "\"from\"", "\"list\"",
    "\"account\"", "\"Message\"", "\"Type\"", "\"notificationType\"", "\"eventType\"", "\"Statement\"", "\"Effect\"",
    "\"Condition\"", "=?utf-8?B?", "=?x?Q?=FF?=", "--b1", "Content-Type: multipart/report; boundary=\"", "Feedback-Type: ",
    "arn:aws:ses:", "${", "*", "%", "\t", " ", "\xe2\x80\xae"};

// A JSON value of a random kind, sometimes very large or deep.
cJSON *random_value(Rng &rng) {
    switch (rng.range(0, 11)) {
        case 0: return cJSON_CreateNull();
        case 1: return cJSON_CreateBool(rng.chance(50));
        case 2: return cJSON_CreateNumber(static_cast<double>(static_cast<int64_t>(rng.next())));
        case 3: return cJSON_CreateNumber(rng.chance(50) ? -1.5 : 1e300);
        case 4: return cJSON_CreateString(rng.pick(kTokens).c_str());
        case 5: return cJSON_CreateString(std::string(static_cast<size_t>(rng.range(1000, 70000)), 'x').c_str());
        case 6: return cJSON_CreateString("not an address");
        case 7: return cJSON_CreateString("2026-13-45T99:99:99Z");
        case 8: {
            cJSON *a = cJSON_CreateArray();
            for (int i = 0, n = static_cast<int>(rng.range(0, 5)); i < n; ++i) cJSON_AddItemToArray(a, cJSON_CreateString(rng.pick(kTokens).c_str()));
            return a;
        }
        case 9: {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddItemToObject(o, rng.pick(kTokens).c_str(), cJSON_CreateNumber(1));
            return o;
        }
        case 10: {
            cJSON *v = cJSON_CreateNumber(1);  // nested past the documented 64 levels
            for (int i = 0, n = static_cast<int>(rng.range(50, 200)); i < n; ++i) {
                cJSON *a = cJSON_CreateArray();
                cJSON_AddItemToArray(a, v);
                v = a;
            }
            return v;
        }
        default: return cJSON_CreateString("");
    }
}

void collect(cJSON *node, std::vector<cJSON *> &out) {
    out.push_back(node);
    for (cJSON *c = node->child; c != nullptr; c = c->next) collect(c, out);
}

// A structural mutation of a JSON document: a value replaced, removed,
// duplicated or an unknown key added. Empty when the seed is not JSON.
std::string mutate_json(const std::string &seed_text, Rng &rng) {
    Json doc = parse_json(seed_text);
    if (!doc) return "";
    for (int round = 0, n = static_cast<int>(rng.range(1, 3)); round < n; ++round) {
        std::vector<cJSON *> nodes;
        collect(doc.get(), nodes);
        cJSON *target = nodes[static_cast<size_t>(rng.range(0, static_cast<int64_t>(nodes.size()) - 1))];
        int what = static_cast<int>(rng.range(0, 4));
        if (target == doc.get() && what != 2) what = 2;
        cJSON *parent = nullptr;
        for (cJSON *candidate : nodes) {
            for (cJSON *c = candidate->child; c != nullptr; c = c->next) {
                if (c == target) parent = candidate;
            }
        }
        if (what == 0 || what == 1) {  // replace the value (keeping its key)
            cJSON *v = random_value(rng);
            if (!cJSON_ReplaceItemViaPointer(parent, target, v)) cJSON_Delete(v);
        } else if (what == 2) {  // add a member or element
            if (cJSON_IsObject(target)) {
                std::string key = rng.chance(50) && target->child != nullptr && target->child->string != nullptr
                                      ? target->child->string  // a duplicate key
                                      : rng.pick(kTokens);
                cJSON_AddItemToObject(target, key.c_str(), random_value(rng));
            } else if (cJSON_IsArray(target)) {
                cJSON_AddItemToArray(target, random_value(rng));
            }
        } else if (what == 3) {  // remove it
            cJSON_Delete(cJSON_DetachItemViaPointer(parent, target));
        } else {  // the string with hostile bytes around it
            if (cJSON_IsString(target)) {
                std::string s = std::string(target->valuestring);
                s.insert(static_cast<size_t>(rng.range(0, static_cast<int64_t>(s.size()))), rng.pick(kTokens));
                cJSON_SetValuestring(target, s.c_str());
            }
        }
    }
    char *printed = cJSON_PrintUnformatted(doc.get());
    std::string out = printed != nullptr ? printed : "";
    cJSON_free(printed);
    return out;
}

// A byte-level mutation: truncation, bytes replaced, tokens inserted,
// ranges deleted or repeated, two seeds spliced.
std::string mutate_bytes(std::string s, const std::vector<std::string> &pool, Rng &rng) {
    for (int round = 0, n = static_cast<int>(rng.range(1, 4)); round < n; ++round) {
        auto pos = [&] { return static_cast<size_t>(rng.range(0, static_cast<int64_t>(s.size()))); };
        switch (rng.range(0, 6)) {
            case 0: s.resize(pos()); break;
            case 1:
                for (int k = 0, m = static_cast<int>(rng.range(1, 8)); k < m && !s.empty(); ++k) {
                    s[static_cast<size_t>(rng.range(0, static_cast<int64_t>(s.size()) - 1))] = static_cast<char>(rng.next());
                }
                break;
            case 2: s.insert(pos(), rng.pick(kTokens)); break;
            case 3: {
                size_t a = pos(), len = static_cast<size_t>(rng.range(1, 64));
                s.erase(a, len);
                break;
            }
            case 4: {
                size_t a = pos(), len = static_cast<size_t>(rng.range(1, 256));
                std::string piece = s.substr(a, len);
                for (int k = 0, m = static_cast<int>(rng.range(1, 20)); k < m; ++k) s.insert(a, piece);
                break;
            }
            case 5: {
                const std::string &other = rng.pick(pool);
                s = s.substr(0, pos()) + other.substr(static_cast<size_t>(rng.range(0, static_cast<int64_t>(other.size()))));
                break;
            }
            default: {
                std::string garbage(static_cast<size_t>(rng.range(0, 512)), '\0');
                for (char &c : garbage) c = static_cast<char>(rng.next());
                s.insert(pos(), garbage);
                break;
            }
        }
    }
    return s;
}

std::string mutate(const std::vector<std::string> &pool, Rng &rng) {
    const std::string &base = rng.pick(pool);
    if (rng.chance(3)) {  // pure garbage
        std::string g(static_cast<size_t>(rng.range(0, 2048)), '\0');
        for (char &c : g) c = static_cast<char>(rng.chance(70) ? rng.range(32, 126) : static_cast<int64_t>(rng.next() & 0xff));
        return g;
    }
    if (rng.chance(45)) {
        std::string j = mutate_json(base, rng);
        if (!j.empty()) return rng.chance(30) ? mutate_bytes(j, pool, rng) : j;
    }
    return mutate_bytes(base, pool, rng);
}

// --- the run --------------------------------------------------------------------------

struct Tally {
    int64_t fed = 0, rejected = 0, accepted = 0;
};

class BadInput : public ::testing::Test {
protected:
    void SetUp() override {
        store_ = dir_.file("store.db");
        std::string why;
        engine_ = open_engine(kConfig, {store_}, &why);
        ASSERT_TRUE(engine_) << why;
    }

    presend_engine *e() { return engine_.get(); }

    // A failed call: a negative, known status and a message saying why.
    void rejected(const char *kind, presend_status st, const std::string &message, const std::string &input) {
        auto &t = tally_[kind];
        ++t.fed;
        ++t.rejected;
        bool known = st < 0 && std::strcmp(presend_status_str(st), "unknown error") != 0;
        if (!known || message.empty()) {
            if (++bad_answers_ <= 10) {
                ADD_FAILURE() << kind << ": status " << st << " (" << presend_status_str(st) << ") with message \"" << message
                              << "\" for input: " << input.substr(0, 300);
            }
        }
    }
    void accepted(const char *kind) {
        auto &t = tally_[kind];
        ++t.fed;
        ++t.accepted;
    }
    void wrong(const char *kind, const std::string &what, const std::string &input) {
        if (++bad_answers_ <= 10) ADD_FAILURE() << kind << ": " << what << " for input: " << input.substr(0, 300);
    }

    void feed_message(const std::string &m) {
        presend_decision *d = nullptr;
        presend_status st = presend_engine_check(e(), m.data(), m.size(), 0, &d);
        Decision owned(d);
        if (st != PRESEND_OK) {
            if (d != nullptr) wrong("message", "a failed check returned a decision", m);
            return rejected("message", st, presend_engine_errmsg(e()), m);
        }
        accepted("message");
        if (d == nullptr || !parse_json(presend_decision_json(d)) || presend_decision_verdict(d) < 0 || presend_decision_verdict(d) > 3) {
            return wrong("message", "an accepted check without a well-formed decision", m);
        }
        if (has_reason(d, "engine.unavailable")) wrong("message", std::string("the store became unavailable: ") + presend_decision_json(d), m);
    }

    void feed_batch(const std::string &b) {
        presend_batch *batch = nullptr;
        presend_status st = presend_engine_check_batch(e(), b.data(), b.size(), 0, &batch);
        Batch owned(batch);
        if (st != PRESEND_OK) return rejected("batch", st, presend_engine_errmsg(e()), b);
        accepted("batch");
        if (!parse_json(presend_batch_json(batch))) wrong("batch", "batch JSON does not parse", b);
        for (size_t i = 0; i < presend_batch_count(batch); ++i) {
            presend_status s = presend_batch_status(batch, i);
            if (s == PRESEND_OK) {
                if (presend_batch_decision(batch, i) == nullptr) wrong("batch", "an item without its decision", b);
            } else if (s >= 0 || std::strlen(presend_batch_errmsg(batch, i)) == 0) {
                wrong("batch", "an item failed without a message", b);
            }
        }
    }

    void feed_config(const std::string &c) {
        // A valid configuration with an audit key of its own would rightly
        // start records the store's key cannot verify: such inputs go to a
        // scratch store.
        std::string where = c.find("audit") == std::string::npos ? store_ : dir_.file("scratch.db");
        std::string why;
        Engine opened = open_engine(c, {where}, &why);
        if (!opened) return rejected("config", status_of(why), message_of(why), c);
        accepted("config");
    }

    void feed_policy(const std::string &policy, bool strict) {
#ifdef PRESEND_IAM_PLUGIN_DIR
        std::string path = dir_.file("policy.json");
        std::ofstream(path, std::ios::binary | std::ios::trunc) << policy;
        std::string c = R"({"accounts": {"prod": {"regions": {"us-east-1": {}}}}, "plugin_dirs": [")" PRESEND_IAM_PLUGIN_DIR
                        R"("], "plugins": [{"name": "iam_least_privilege", "mode": "monitor", "config": {"lint": ")" +
                        std::string(strict ? "strict" : "off") + R"(", "accounts": {"prod": {"aws_account_id": "123456789012", "policies": [")" +
                        path + R"("]}}}}]})";
        std::string why;
        Engine opened = open_engine(c, {store_}, &why);
        if (!opened) return rejected("iam", status_of(why), message_of(why), policy);
        accepted("iam");
#else
        (void)policy;
        (void)strict;
#endif
    }

    void feed_events(const char *kind, const std::string &data, const char *options) {
        char *report = nullptr;
        presend_status st = presend_events_ingest(e(), data.data(), data.size(), options, &report);
        std::string r = take(report);
        if (st != PRESEND_OK) return rejected(kind, st, presend_engine_errmsg(e()), data);
        accepted(kind);
        Json doc = parse_json(r);
        const cJSON *outcomes = doc ? cJSON_GetObjectItemCaseSensitive(doc.get(), "outcomes") : nullptr;
        if (!cJSON_IsArray(outcomes)) return wrong(kind, "a report without outcomes: " + r.substr(0, 300), data);
        const cJSON *o = nullptr;
        cJSON_ArrayForEach(o, outcomes) {
            const cJSON *status = cJSON_GetObjectItemCaseSensitive(o, "status");
            if (!cJSON_IsString(status)) return wrong(kind, "an outcome without a status", data);
            if (std::strcmp(status->valuestring, "error") != 0) continue;
            const cJSON *error = cJSON_GetObjectItemCaseSensitive(o, "error");
            const cJSON *code = cJSON_GetObjectItemCaseSensitive(error, "code");
            const cJSON *message = cJSON_GetObjectItemCaseSensitive(error, "message");
            if (!cJSON_IsString(code) || !cJSON_IsString(message) || *code->valuestring == '\0' || *message->valuestring == '\0') {
                return wrong(kind, "an error outcome without its code and message", data);
            }
            ++outcome_errors_;
        }
    }

    void feed_record(const std::string &rec, int which) {
        presend_status st;
        if (which == 0) {
            st = presend_consent_put(e(), rec.data(), rec.size());
        } else if (which == 1) {
            st = presend_suppression_put(e(), rec.data(), rec.size());
        } else {
            char *report = nullptr;
            st = presend_consent_import_data(e(), rec.data(), rec.size(), PRESEND_IMPORT_AUTO, &report);
            std::string r = take(report);
            if (st == PRESEND_OK && json_int(r, "imported") < 0) wrong("record", "an import without its report: " + r, rec);
        }
        if (st != PRESEND_OK) return rejected("record", st, presend_engine_errmsg(e()), rec);
        accepted("record");
    }

    // "STATUS: message" as open_engine puts it.
    static presend_status status_of(const std::string &why) {
        for (presend_status st = -1; st >= -64; --st) {
            std::string name = presend_status_str(st);
            if (why.rfind(name + ": ", 0) == 0) return st;
        }
        return -1000;
    }
    static std::string message_of(const std::string &why) {
        auto colon = why.find(": ");
        return colon == std::string::npos ? "" : why.substr(colon + 2);
    }

    TempDir dir_;
    std::string store_;
    Engine engine_;
    std::map<std::string, Tally> tally_;
    int64_t bad_answers_ = 0, outcome_errors_ = 0;
};

TEST_F(BadInput, MalformedInputsAreRejectedWithAReasonAndChangeNothingElse) {
    const long inputs = param("PRESEND_RELIABILITY_BAD_INPUTS", 10000);

    // What is stored before the run.
    const char *canary = R"({"address": "canary@example.net", "list": "weekly", "method": "double",
        "consented_at": "2026-01-02T03:04:05Z", "confirmed_at": "2026-01-02T03:09:00Z", "source": "signup-form"})";
    ASSERT_EQ(presend_consent_put(e(), canary, std::strlen(canary)), PRESEND_OK) << presend_engine_errmsg(e());
    const char *suppressed = R"({"address": "canary-suppressed@example.net", "reason": "manual", "note": "kept"})";
    ASSERT_EQ(presend_suppression_put(e(), suppressed, std::strlen(suppressed)), PRESEND_OK);
    std::string m = txn_message({"canary-decision@example.net"});
    presend_decision *d = nullptr;
    ASSERT_EQ(presend_engine_check(e(), m.data(), m.size(), 0, &d), PRESEND_OK);
    const std::string canary_decision = presend_decision_id(d);
    presend_decision_free(d);
    char *json = nullptr;
    ASSERT_EQ(presend_consent_get(e(), "canary@example.net", nullptr, &json), PRESEND_OK);
    const std::string consent_before = take(json);
    ASSERT_EQ(presend_suppression_list(e(), R"({"address": "canary-suppressed@example.net"})", &json), PRESEND_OK);
    const std::string suppression_before = take(json);

    auto messages = message_seeds();
    for (auto &s : corpus("message_json")) messages.push_back(s);
    auto configs = config_seeds();
    for (auto &s : corpus("config_json")) {
        if (s.find("audit") == std::string::npos) configs.push_back(s);
    }
    auto policies = policy_seeds();
    for (auto &s : corpus("iam_policy")) policies.push_back(s);
    auto events = event_seeds();
    for (auto &s : corpus("ses_events")) events.push_back(s);
    for (auto &s : corpus("sns_envelope")) events.push_back(s);
    std::vector<std::string> arfs = {kArf};
    for (auto &s : corpus("arf")) arfs.push_back(s);
    auto records = record_seeds();
    for (auto &s : corpus("records")) records.push_back(s);
    for (auto &s : corpus("consent_import")) records.push_back(s);

    Rng rng(seed());
    for (long i = 0; i < inputs; ++i) {
        int64_t kind = rng.range(0, 99);
        if (kind < 38) {
            feed_message(mutate(messages, rng));
        } else if (kind < 43) {
            std::string b = "[";
            for (int k = 0, n = static_cast<int>(rng.range(1, 4)); k < n; ++k) b += (k ? "," : "") + mutate(messages, rng);
            feed_batch(rng.chance(70) ? b + "]" : mutate_bytes(b + "]", messages, rng));
        } else if (kind < 58) {
            feed_config(mutate(configs, rng));
        } else if (kind < 63) {
            feed_policy(mutate(policies, rng), rng.chance(50));
        } else if (kind < 83) {
            static const char *const kOptions[] = {nullptr, R"({"format": "ses"})", R"({"format": "auto", "source": "reliability"})",
                                                   R"({"format": "ses", "account": "prod", "region": "eu-west-1"})"};
            const char *options = kOptions[rng.range(0, 3)];
            std::string bad_options;
            if (rng.chance(3)) {
                bad_options = mutate({R"({"format": "ses", "account": "prod", "region": "us-east-1", "source": "x"})"}, rng);
                options = bad_options.c_str();
            }
            feed_events("events", mutate(events, rng), options);
        } else if (kind < 91) {
            feed_events("arf", mutate(arfs, rng), rng.chance(50) ? R"({"format": "arf"})" : nullptr);
        } else {
            int which = static_cast<int>(rng.range(0, 2));
            feed_record(mutate(records, rng), which);
        }
    }
    // Limits: one message over the documented size, one with too many recipients.
    {
        std::string huge(PRESEND_MAX_MESSAGE_JSON_BYTES + 1, ' ');
        huge.replace(0, 1, "{");
        presend_decision *big = nullptr;
        presend_status st = presend_engine_check(e(), huge.data(), huge.size(), 0, &big);
        EXPECT_EQ(st, PRESEND_ETOOBIG);
        EXPECT_STRNE(presend_engine_errmsg(e()), "");
        presend_decision_free(big);
        std::vector<std::string> many;
        for (unsigned k = 0; k <= PRESEND_MAX_RECIPIENTS_PARSED; ++k) many.push_back("r" + std::to_string(k) + "@example.org");
        std::string crowd = txn_message(many);
        st = presend_engine_check(e(), crowd.data(), crowd.size(), 0, &big);
        EXPECT_EQ(st, PRESEND_ETOOBIG);
        presend_decision_free(big);
    }

    // The store is intact and still holds what it held.
    std::string verify = audit_verify(e());
    EXPECT_TRUE(json_true(verify, "ok")) << verify;
    ASSERT_EQ(presend_consent_get(e(), "canary@example.net", nullptr, &json), PRESEND_OK);
    EXPECT_EQ(take(json), consent_before);
    ASSERT_EQ(presend_suppression_list(e(), R"({"address": "canary-suppressed@example.net"})", &json), PRESEND_OK);
    EXPECT_EQ(take(json), suppression_before);
    engine_.reset();
    EXPECT_EQ(Sqlite(store_).integrity(), "ok");
    auto decisions = stored_decisions(store_);
    ASSERT_EQ(decisions.count(canary_decision), 1u);
    EXPECT_EQ(decisions[canary_decision].reserved, 1);
    EXPECT_FALSE(decisions[canary_decision].released);

    std::string line = "bad_input inputs=" + std::to_string(inputs);
    int64_t fed = 0;
    for (const auto &[kind, t] : tally_) {
        line += " " + kind + "=" + std::to_string(t.rejected) + "r/" + std::to_string(t.accepted) + "a";
        fed += t.fed;
    }
    line += " event_errors=" + std::to_string(outcome_errors_) + " bad_answers=" + std::to_string(bad_answers_);
    EXPECT_EQ(bad_answers_, 0);
#ifdef PRESEND_IAM_PLUGIN_DIR
    EXPECT_EQ(fed, inputs);
#endif
    summary(line);
}

}  // namespace
}  // namespace reliability
