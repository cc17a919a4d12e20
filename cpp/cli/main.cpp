#include <cjson/cJSON.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <set>
#include <sstream>
#include <string_view>

#include "cli.hpp"
#include "text.hpp"

namespace presend::cli {

namespace {

using presend::json_append_string;
using presend::utf8_valid;

constexpr const char *kUsage = R"(usage: presend [--config FILE] [--db FILE] [--json] COMMAND [ARGS]

Commands:
  demo                                 run a simulated campaign on a temporary store
  init                                 write a starter configuration (if absent) and create the store
  check [FILE|-] [--dry-run] [--batch] check a message (or, with --batch, a JSON array of messages)
  release DECISION_ID                  return the quota of a decision whose send did not happen
  consent import FILE [--format csv|jsonl]
  consent grant ADDRESS --list LIST [--method single|double|import|api] [--status S]
                [--consented-at T] [--confirmed-at T] [--expires-at T]
                [--source S] [--ip IP] [--country CC] [--jurisdiction J]
  consent withdraw ADDRESS --list LIST
  consent show ADDRESS [--list LIST]
  suppress add ADDRESS|@DOMAIN [--reason bounce|complaint|manual|unsubscribe] [--list LIST]
                [--expires-at T] [--note TEXT]
  suppress remove ADDRESS|@DOMAIN [--list LIST]
  suppress list [--address A] [--reason R] [--list LIST] [--limit N]
  quota status [--account A] [--region R]
  quota sync [--account A] [--region R] (--from FILE | --max-24h N --max-rate N --sent-last-24h N)
  auth spf (--ip IP --mail-from ADDR [--helo NAME] | --domain D | --record TEXT) [--zone FILE]
  auth dkim (--domain D --selector S [--provider-suffix S] | --record TEXT) [--zone FILE]
  auth dmarc (--domain D | --record TEXT) [--mode dmarcbis|rfc7489] [--zone FILE]
  auth check DOMAIN [--zone FILE] [--mode M] [--mail-from-domain D] [--selector S]...
                [--easy-dkim TOKEN]... [--spf-include D] [--sending-ip IP]...
                                       evaluate an identity (from the configuration when it has one);
                                       exit 10 when something would fail
  auth refresh                         resolve every configured identity and store its status
  auth status [DOMAIN]                 the stored status
  iam lint [POLICY.json...]            least-privilege findings of IAM policies for sending
                                       (without files: the policies of the configuration's iam plugin)
  iam simulate POLICY.json... --action A --resource ARN [--context KEY=VALUE]...
                                       how AWS would decide the request (policies combined)
  events ingest FILE|- [--format auto|ses|arf] [--account A] [--region R] [--sns-certificate PEM]
                                       ingest SES notifications/events (JSON, array, JSON Lines,
                                       SNS envelopes) or an ARF report; exit 1 when a document failed
  pause ACCOUNT [--region R] [--reason TEXT]
                                       defer every message of the account (or region)
  resume ACCOUNT [--region R]          lift a pause
  reputation [--account A] [--region R]
                                       bounce and complaint rates against the levels and SES's thresholds
  audit verify                         check the audit chain; exit 1 naming the first bad record
  report [--from DATE] [--to DATE] [--format html|json|csv|md] [-o FILE | --output FILE]
                                       a report over the period (default: the last 7 days, json)
  reasons                              list every reason code
  address ADDRESS...                   print each address's normalized form, or why it is invalid
  version                              print the library version

Options:
  --config FILE   configuration file (default: $PRESEND_CONFIG, else ./presend.json)
  --db FILE       store file (overrides the configuration's "store")
  --json          print JSON

Exit codes: 0 allow/ok, 10 block, 11 defer, 12 partial, 1 error, 2 usage.
)";

// Options that take a value; everything else starting with "--" is a flag.
const std::set<std::string> kValued = {
    "config", "db", "list", "method", "status", "consented-at", "confirmed-at", "expires-at", "source", "ip",
    "country", "jurisdiction", "reason", "note", "address", "limit", "account", "region", "from", "max-24h",
    "max-rate", "sent-last-24h", "format", "keep", "mail-from", "helo", "zone", "record", "domain", "selector",
    "provider-suffix", "mode", "mail-from-domain", "easy-dkim", "spf-include", "sending-ip", "action",
    "resource", "context", "to", "output", "sns-certificate"};
const std::set<std::string> kFlags = {"json", "dry-run", "batch", "help", "force"};

Args parse_args(int argc, char **argv, std::vector<std::string> &words) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        std::string s = argv[i];
        if (s.size() > 2 && s.rfind("--", 0) == 0) {
            std::string name = s.substr(2);
            std::optional<std::string> value;
            if (auto eq = name.find('='); eq != std::string::npos) {
                value = name.substr(eq + 1);
                name = name.substr(0, eq);
            }
            if (kValued.contains(name)) {
                if (!value) {
                    if (i + 1 >= argc) throw UsageError{"--" + name + " needs a value"};
                    value = argv[++i];
                }
                if (name == "config") a.config = *value;
                else if (name == "db") a.db = *value;
                else a.options[name].push_back(*value);
            } else if (kFlags.contains(name)) {
                if (value) throw UsageError{"--" + name + " takes no value"};
                if (name == "json") a.json = true;
                else a.flags.push_back(name);
            } else {
                throw UsageError{"unknown option --" + name};
            }
        } else if (s == "-o") {
            if (i + 1 >= argc) throw UsageError{"-o needs a file"};
            a.options["output"].push_back(argv[++i]);
        } else if (s == "-h") {
            a.flags.push_back("help");
        } else {
            words.push_back(s);
        }
    }
    return a;
}



// Builds a JSON object from option values (keys with dashes become
// underscores), plus extra string fields.
std::string object_from(const Args &a, std::initializer_list<const char *> keys,
                        std::initializer_list<std::pair<const char *, std::string>> extra) {
    std::string out = "{";
    bool first = true;
    auto add = [&](std::string k, const std::string &v) {
        for (auto &c : k) {
            if (c == '-') c = '_';
        }
        // A record must not be stored with bytes silently replaced.
        if (!utf8_valid(v)) throw CliError{k + ": the value is not valid UTF-8"};
        if (!first) out += ",";
        first = false;
        out += json_string(k) + ":" + json_string(v);
    };
    for (const auto &[k, v] : extra) add(k, v);
    for (const char *k : keys) {
        if (auto v = a.opt(k)) add(k, *v);
    }
    return out + "}";
}

// --- commands ---------------------------------------------------------------

int cmd_check(const Args &a) {
    allow_only(a, {"dry-run", "batch"});
    need_positional(a, 0, 1, "check [FILE|-] [--dry-run] [--batch]");
    std::string input = read_input(a.positional.empty() ? "-" : a.positional[0]);
    uint32_t flags = a.flag("dry-run") ? PRESEND_CHECK_DRY_RUN : 0;
    EngineHandle e(a, a.flag("dry-run"));
    if (a.flag("batch")) {
        presend_batch *b = nullptr;
        e.ok(presend_engine_check_batch(e.get(), input.data(), input.size(), flags, &b), "check --batch");
        std::unique_ptr<presend_batch, decltype(&presend_batch_free)> guard(b, presend_batch_free);
        if (a.json) {
            std::cout << presend_batch_json(b) << "\n";
        } else {
            for (size_t i = 0; i < presend_batch_count(b); ++i) {
                std::cout << "message " << i << ": ";
                if (const presend_decision *d = presend_batch_decision(b, i)) {
                    print_decision(d, false);
                } else {
                    std::cout << "error: " << presend_batch_errmsg(b, i) << "\n";
                }
            }
        }
        // The batch's exit code: error if any message failed (each named on
        // standard error), else the worst verdict.
        int worst = kExitOk;
        bool failed = false;
        for (size_t i = 0; i < presend_batch_count(b); ++i) {
            if (presend_batch_decision(b, i) == nullptr) {
                std::cerr << "presend: check --batch: message " << i << ": " << presend_status_str(presend_batch_status(b, i))
                          << ": " << presend_batch_errmsg(b, i) << "\n";
                failed = true;
            }
        }
        if (failed) return kExitError;
        for (size_t i = 0; i < presend_batch_count(b); ++i) {
            const presend_decision *d = presend_batch_decision(b, i);
            int ex = exit_for_verdict(presend_decision_verdict(d));
            if (ex == kExitBlock || (ex == kExitDefer && worst != kExitBlock) || (ex == kExitPartial && worst == kExitOk)) worst = ex;
        }
        return worst;
    }
    presend_decision *d = nullptr;
    e.ok(presend_engine_check(e.get(), input.data(), input.size(), flags, &d), "check");
    std::unique_ptr<presend_decision, decltype(&presend_decision_free)> guard(d, presend_decision_free);
    print_decision(d, a.json);
    return exit_for_verdict(presend_decision_verdict(d));
}

int cmd_release(const Args &a) {
    allow_only(a, {});
    need_positional(a, 1, 1, "release DECISION_ID");
    EngineHandle e(a);
    e.ok(presend_engine_release(e.get(), a.positional[0].c_str()), "release");
    print_json_or(a, "{\"released\":" + json_string(a.positional[0]) + "}", "released " + a.positional[0] + "\n");
    return kExitOk;
}

int cmd_consent(const Args &a) {
    if (a.positional.empty()) throw UsageError{"usage: presend consent import|grant|withdraw|show ..."};
    const std::string &sub = a.positional[0];
    Args rest = a;
    rest.positional.erase(rest.positional.begin());
    if (sub == "import") {
        allow_only(rest, {"format"});
        need_positional(rest, 1, 1, "consent import FILE [--format csv|jsonl]");
        presend_import_format fmt = PRESEND_IMPORT_AUTO;
        if (auto f = rest.opt("format")) {
            if (*f == "csv") fmt = PRESEND_IMPORT_CSV;
            else if (*f == "jsonl") fmt = PRESEND_IMPORT_JSONL;
            else throw UsageError{"--format must be csv or jsonl"};
        }
        EngineHandle e(a);
        Owned report;
        e.ok(presend_consent_import(e.get(), rest.positional[0].c_str(), fmt, &report.p), "consent import");
        std::string json = report.str();
        if (a.json) {
            std::cout << json << "\n";
        } else {
            cJSON *doc = cJSON_Parse(json.c_str());
            std::cout << "imported " << cJSON_GetObjectItem(doc, "imported")->valueint << ", rejected "
                      << cJSON_GetObjectItem(doc, "rejected")->valueint << "\n";
            const cJSON *errs = cJSON_GetObjectItem(doc, "errors");
            for (const cJSON *er = errs != nullptr ? errs->child : nullptr; er != nullptr; er = er->next) {
                std::cout << "  line " << cJSON_GetObjectItem(er, "line")->valueint << ": "
                          << cJSON_GetObjectItem(er, "message")->valuestring << "\n";
            }
            cJSON_Delete(doc);
        }
        return kExitOk;
    }
    if (sub == "grant") {
        allow_only(rest, {"list", "method", "status", "consented-at", "confirmed-at", "expires-at", "source", "ip",
                          "country", "jurisdiction"});
        need_positional(rest, 1, 1, "consent grant ADDRESS --list LIST [...]");
        if (!rest.opt("list")) throw UsageError{"consent grant needs --list (\"*\" for every list)"};
        std::string rec = object_from(rest, {"list", "method", "status", "consented-at", "confirmed-at", "expires-at",
                                             "source", "ip", "country", "jurisdiction"},
                                      {{"address", rest.positional[0]}});
        EngineHandle e(a);
        e.ok(presend_consent_put(e.get(), rec.data(), rec.size()), "consent grant");
        Owned out;
        e.ok(presend_consent_get(e.get(), rest.positional[0].c_str(), rest.opt("list")->c_str(), &out.p), "consent show");
        print_json_or(a, out.str(), "recorded consent for " + rest.positional[0] + " on list " + *rest.opt("list") + "\n");
        return kExitOk;
    }
    if (sub == "withdraw") {
        allow_only(rest, {"list"});
        need_positional(rest, 1, 1, "consent withdraw ADDRESS --list LIST");
        if (!rest.opt("list")) throw UsageError{"consent withdraw needs --list"};
        EngineHandle e(a);
        e.ok(presend_consent_withdraw(e.get(), rest.positional[0].c_str(), rest.opt("list")->c_str()), "consent withdraw");
        print_json_or(a, "{\"withdrawn\":" + json_string(rest.positional[0]) + "}",
                      "withdrew consent of " + rest.positional[0] + " on list " + *rest.opt("list") + "\n");
        return kExitOk;
    }
    if (sub == "show") {
        allow_only(rest, {"list"});
        need_positional(rest, 1, 1, "consent show ADDRESS [--list LIST]");
        EngineHandle e(a, true);
        Owned out;
        auto list = rest.opt("list");
        e.ok(presend_consent_get(e.get(), rest.positional[0].c_str(), list ? list->c_str() : nullptr, &out.p), "consent show");
        print_json_or(a, out.str(), pretty(out.str()));
        return kExitOk;
    }
    throw UsageError{"unknown consent command \"" + sub + "\" (import, grant, withdraw, show)"};
}

int cmd_suppress(const Args &a) {
    if (a.positional.empty()) throw UsageError{"usage: presend suppress add|remove|list ..."};
    const std::string &sub = a.positional[0];
    Args rest = a;
    rest.positional.erase(rest.positional.begin());
    if (sub == "add") {
        allow_only(rest, {"reason", "list", "expires-at", "note"});
        need_positional(rest, 1, 1, "suppress add ADDRESS|@DOMAIN [--reason R] [--list LIST]");
        std::string rec = object_from(rest, {"reason", "list", "expires-at", "note"}, {{"address", rest.positional[0]}});
        EngineHandle e(a);
        e.ok(presend_suppression_put(e.get(), rec.data(), rec.size()), "suppress add");
        print_json_or(a, "{\"suppressed\":" + json_string(rest.positional[0]) + "}",
                      "suppressed " + rest.positional[0] + "\n");
        return kExitOk;
    }
    if (sub == "remove") {
        allow_only(rest, {"list"});
        need_positional(rest, 1, 1, "suppress remove ADDRESS|@DOMAIN [--list LIST]");
        EngineHandle e(a);
        auto list = rest.opt("list");
        e.ok(presend_suppression_remove(e.get(), rest.positional[0].c_str(), list ? list->c_str() : nullptr), "suppress remove");
        print_json_or(a, "{\"removed\":" + json_string(rest.positional[0]) + "}", "removed " + rest.positional[0] + "\n");
        return kExitOk;
    }
    if (sub == "list") {
        allow_only(rest, {"address", "reason", "list", "limit"});
        need_positional(rest, 0, 0, "suppress list [--address A] [--reason R] [--list LIST] [--limit N]");
        std::string filter = "{";
        bool first = true;
        for (const char *k : {"address", "reason", "list"}) {
            if (auto v = rest.opt(k)) {
                filter += std::string(first ? "" : ",") + json_string(k) + ":" + json_string(*v);
                first = false;
            }
        }
        if (auto v = rest.opt("limit")) {
            char *end = nullptr;
            long n = std::strtol(v->c_str(), &end, 10);
            if (end == v->c_str() || *end != '\0' || n <= 0) throw UsageError{"--limit must be a positive number"};
            filter += std::string(first ? "" : ",") + "\"limit\":" + std::to_string(n);
        }
        filter += "}";
        EngineHandle e(a, true);
        Owned out;
        e.ok(presend_suppression_list(e.get(), filter.c_str(), &out.p), "suppress list");
        if (a.json) {
            std::cout << out.str() << "\n";
        } else {
            cJSON *doc = cJSON_Parse(out.p);
            for (const cJSON *r = doc != nullptr ? doc->child : nullptr; r != nullptr; r = r->next) {
                const cJSON *list = cJSON_GetObjectItem(r, "list");
                std::cout << cJSON_GetObjectItem(r, "address")->valuestring << "  "
                          << cJSON_GetObjectItem(r, "reason")->valuestring << "  "
                          << (cJSON_IsString(list) ? std::string("list ") + list->valuestring : std::string("all lists")) << "  since "
                          << cJSON_GetObjectItem(r, "created_at")->valuestring << "\n";
            }
            cJSON_Delete(doc);
        }
        return kExitOk;
    }
    throw UsageError{"unknown suppress command \"" + sub + "\" (add, remove, list)"};
}

std::string quota_text(const std::string &json) {
    cJSON *q = cJSON_Parse(json.c_str());
    if (q == nullptr) return json + "\n";
    auto num = [&](const char *k) { return static_cast<long long>(cJSON_GetObjectItem(q, k)->valuedouble); };
    std::ostringstream os;
    os << cJSON_GetObjectItem(q, "account")->valuestring << "/" << cJSON_GetObjectItem(q, "region")->valuestring
       << " (" << cJSON_GetObjectItem(q, "tier")->valuestring << ", limits from "
       << cJSON_GetObjectItem(q, "limits_source")->valuestring << ")\n"
       << "  last 24 hours: " << num("sent_24h") << " of " << num("max_24h") << " (" << num("remaining_24h")
       << " remaining)\n"
       << "  rate: " << num("max_rate") << " per second, burst " << num("burst") << ", " << num("rate_available")
       << " available now\n";
    if (num("next_release_ms") > 0) os << "  next send leaves the window in " << num("next_release_ms") << " ms\n";
    cJSON_Delete(q);
    return os.str();
}

int cmd_quota(const Args &a) {
    if (a.positional.empty()) throw UsageError{"usage: presend quota status|sync ..."};
    const std::string &sub = a.positional[0];
    Args rest = a;
    rest.positional.erase(rest.positional.begin());
    need_positional(rest, 0, 0, "quota status|sync [--account A] [--region R]");
    auto account = rest.opt("account"), region = rest.opt("region");
    const char *acc = account ? account->c_str() : nullptr;
    const char *reg = region ? region->c_str() : nullptr;
    if (sub == "status") {
        allow_only(rest, {"account", "region"});
        EngineHandle e(a, true);
        Owned out;
        e.ok(presend_quota_status(e.get(), acc, reg, &out.p), "quota status");
        print_json_or(a, out.str(), quota_text(out.str()));
        return kExitOk;
    }
    if (sub == "sync") {
        allow_only(rest, {"account", "region", "from", "max-24h", "max-rate", "sent-last-24h"});
        std::string ses;
        if (auto from = rest.opt("from")) {
            if (rest.opt("max-24h") || rest.opt("max-rate") || rest.opt("sent-last-24h")) {
                throw UsageError{"give either --from FILE or the three numbers, not both"};
            }
            ses = read_input(*from);
            // Accept the AWS CLI's output of `aws ses get-send-quota` as it is.
        } else {
            auto m = rest.opt("max-24h"), r = rest.opt("max-rate"), s = rest.opt("sent-last-24h");
            if (!m || !r || !s) throw UsageError{"quota sync needs --from FILE, or --max-24h, --max-rate and --sent-last-24h"};
            // Plain decimal numbers only (no hex, exponents, inf or nan): they
            // go into JSON as they are.
            auto decimal = [](const std::string &v, bool fraction) {
                size_t digits = 0, dots = 0;
                for (char c : v) {
                    if (c >= '0' && c <= '9') ++digits;
                    else if (c == '.' && fraction) ++dots;
                    else return false;
                }
                return digits > 0 && dots <= 1 && v.front() != '.' && v.back() != '.';
            };
            if (!decimal(*m, false)) throw UsageError{"--max-24h must be a whole number, not \"" + *m + "\""};
            if (!decimal(*r, true)) throw UsageError{"--max-rate must be a number, not \"" + *r + "\""};
            if (!decimal(*s, false)) throw UsageError{"--sent-last-24h must be a whole number, not \"" + *s + "\""};
            ses = "{\"Max24HourSend\":" + *m + ",\"MaxSendRate\":" + *r + ",\"SentLast24Hours\":" + *s + "}";
        }
        EngineHandle e(a);
        Owned out;
        e.ok(presend_quota_sync(e.get(), acc, reg, ses.data(), ses.size(), &out.p), "quota sync");
        if (a.json) {
            std::cout << out.str() << "\n";
        } else {
            cJSON *doc = cJSON_Parse(out.p);
            std::cout << "synced with SES: ledger had " << static_cast<long long>(cJSON_GetObjectItem(doc, "ledger_sent_24h_before")->valuedouble)
                      << ", SES reports " << static_cast<long long>(cJSON_GetObjectItem(doc, "ses_sent_24h")->valuedouble)
                      << ", added " << static_cast<long long>(cJSON_GetObjectItem(doc, "added_to_ledger")->valuedouble) << "\n";
            char *q = cJSON_PrintUnformatted(cJSON_GetObjectItem(doc, "quota"));
            std::cout << quota_text(q);
            cJSON_free(q);
            cJSON_Delete(doc);
        }
        return kExitOk;
    }
    throw UsageError{"unknown quota command \"" + sub + "\" (status, sync)"};
}

int cmd_reasons(const Args &a) {
    allow_only(a, {});
    need_positional(a, 0, 0, "reasons");
    // With a configuration, the engine's list: its plugins' reasons too.
    std::string json = presend_reasons_json();
    bool have_config = a.config || std::getenv("PRESEND_CONFIG") != nullptr || ::access("presend.json", F_OK) == 0;
    if (have_config) {
        EngineHandle e(a, true);
        Owned out;
        e.ok(presend_engine_reasons(e.get(), &out.p), "reasons");
        json = out.str();
    }
    if (a.json) {
        std::cout << json << "\n";
        return kExitOk;
    }
    cJSON *doc = cJSON_Parse(json.c_str());
    for (const cJSON *r = doc->child; r != nullptr; r = r->next) {
        std::printf("%-32s %-6s %s\n", cJSON_GetObjectItem(r, "code")->valuestring,
                    cJSON_GetObjectItem(r, "severity")->valuestring, cJSON_GetObjectItem(r, "description")->valuestring);
    }
    cJSON_Delete(doc);
    return kExitOk;
}

int cmd_address(const Args &a) {
    allow_only(a, {});
    if (a.positional.empty()) throw UsageError{"usage: presend address ADDRESS..."};
    // Local parts are kept as given (the configuration may fold them; this
    // command shows the form every configuration shares).
    uint32_t flags = 0;
    bool any_invalid = false;
    std::string json = "[";
    for (size_t i = 0; i < a.positional.size(); ++i) {
        const std::string &in = a.positional[i];
        Owned norm, err;
        presend_status st = presend_address_normalize(in.data(), in.size(), flags, &norm.p, &err.p);
        if (i > 0) json += ",";
        if (st == PRESEND_OK) {
            json += "{\"input\":" + json_string(in) + ",\"valid\":true,\"normalized\":" + json_string(norm.str()) + "}";
            if (!a.json) std::cout << in << "\t" << norm.str() << "\n";
        } else {
            any_invalid = true;
            std::string why = err.p != nullptr ? err.str() : presend_status_str(st);
            json += "{\"input\":" + json_string(in) + ",\"valid\":false,\"error\":" + json_string(why) + "}";
            if (!a.json) std::cout << in << "\tinvalid: " << why << "\n";
        }
    }
    json += "]";
    if (a.json) std::cout << json << "\n";
    return any_invalid ? kExitError : kExitOk;
}

constexpr const char *kStarterConfig = R"({
  "store": "presend.db",
  "fail_open": false,
  "defaults": {"account": "prod", "region": "us-east-1", "stream": "marketing"},
  "accounts": {
    "prod": {"tier": "production",
             "regions": {"us-east-1": {"max_24h": 50000, "max_rate": 14, "burst": 14}}},
    "test": {"tier": "sandbox", "verified_recipients": ["qa@example.com"],
             "regions": {"us-east-1": {}}}
  },
  "checks": {
    "consent": {"mode": "enforce", "require_double_opt_in": false},
    "unsubscribe": {"mode": "enforce", "accept_mailto_only": false},
    "quota": {"mode": "enforce"},
    "frequency": {"mode": "off"}
  },
  "ledger": {"backend": "sqlite"},
  "plugins": []
}
)";

int cmd_init(const Args &a) {
    allow_only(a, {"force"});
    need_positional(a, 0, 0, "init [--force]");
    std::string path = a.config ? *a.config : (std::getenv("PRESEND_CONFIG") != nullptr ? std::getenv("PRESEND_CONFIG") : "presend.json");
    bool exists = ::access(path.c_str(), F_OK) == 0;
    if (!exists || a.flag("force")) {
        std::ofstream out(path, std::ios::trunc);
        if (!out) throw CliError{"cannot write " + path + ": " + std::strerror(errno)};
        out << kStarterConfig;
        if (!out) throw CliError{"cannot write " + path};
    }
    Args with = a;
    with.config = path;
    EngineHandle e(with);  // creates and migrates the store
    print_json_or(a, "{\"config\":" + json_string(path) + ",\"created\":" + (exists && !a.flag("force") ? "false" : "true") + "}",
                  (exists && !a.flag("force") ? "kept existing " : "wrote ") + path + "; the store is ready\n");
    return kExitOk;
}

}  // namespace

void need_positional(const Args &a, size_t min, size_t max, const char *usage) {
    if (a.positional.size() < min || a.positional.size() > max) throw UsageError{std::string("usage: presend ") + usage};
}

void allow_only(const Args &a, std::initializer_list<const char *> names) {
    for (const auto &[k, v] : a.options) {
        (void)v;
        bool ok = false;
        for (const char *n : names) ok = ok || k == n;
        if (!ok) throw UsageError{"--" + k + " does not apply to this command"};
    }
    for (const auto &f : a.flags) {
        bool ok = f == "help";
        for (const char *n : names) ok = ok || f == n;
        if (!ok) throw UsageError{"--" + f + " does not apply to this command"};
    }
}

// A JSON string literal for s; bytes that are not UTF-8 (command-line
// arguments can hold anything) become U+FFFD so the output stays JSON.
std::string json_string(std::string_view s) {
    std::string out;
    json_append_string(out, s);
    return out;
}


void print_json_or(const Args &a, const std::string &json, const std::string &text) {
    if (a.json) std::cout << json << "\n";
    else std::cout << text;
}

std::string pretty(const std::string &json) {
    cJSON *doc = cJSON_Parse(json.c_str());
    if (doc == nullptr) return json + "\n";
    char *p = cJSON_Print(doc);
    std::string out = p != nullptr ? std::string(p) + "\n" : json + "\n";
    cJSON_free(p);
    cJSON_Delete(doc);
    return out;
}

bool Args::flag(const std::string &name) const {
    for (const auto &f : flags) {
        if (f == name) return true;
    }
    return false;
}

std::vector<std::string> Args::all(const std::string &name) const {
    auto it = options.find(name);
    return it == options.end() ? std::vector<std::string>{} : it->second;
}

std::optional<std::string> Args::opt(const std::string &name) const {
    auto it = options.find(name);
    if (it == options.end() || it->second.empty()) return std::nullopt;
    if (it->second.size() > 1) throw UsageError{"--" + name + " given more than once"};
    return it->second.front();
}

EngineHandle::EngineHandle(const Args &args, bool read_only) {
    std::string config;
    if (args.config) config = *args.config;
    else if (const char *env = std::getenv("PRESEND_CONFIG"); env != nullptr && *env != '\0') config = env;
    else config = "presend.json";
    if (!args.config && std::getenv("PRESEND_CONFIG") == nullptr && ::access(config.c_str(), F_OK) != 0) {
        throw CliError{"no configuration: pass --config FILE, set PRESEND_CONFIG, or run `presend init`"};
    }
    presend_engine_options opts;
    presend_engine_options_init(&opts);
    if (args.db) opts.store_path = args.db->c_str();
    // Read-only commands still open the store for writing when they can, so
    // that a new store is created; they fall back to read-only when not.
    (void)read_only;
    Owned err;
    presend_status st = presend_engine_open(&e_, config.c_str(), &opts, &err.p);
    if (st == PRESEND_EREADONLY && read_only) {
        opts.flags = PRESEND_OPEN_READONLY;
        presend_free(err.p);
        err.p = nullptr;
        st = presend_engine_open(&e_, config.c_str(), &opts, &err.p);
    }
    if (st != PRESEND_OK) {
        throw CliError{std::string(presend_status_str(st)) + ": " + (err.p != nullptr ? err.str() : std::string())};
    }
}

void EngineHandle::ok(presend_status st, const std::string &what) const {
    if (st == PRESEND_OK) return;
    throw CliError{what + ": " + presend_status_str(st) + ": " + presend_engine_errmsg(e_)};
}

int exit_for_verdict(presend_verdict v) {
    switch (v) {
        case PRESEND_ALLOW: return kExitOk;
        case PRESEND_PARTIAL: return kExitPartial;
        case PRESEND_BLOCK: return kExitBlock;
        case PRESEND_DEFER: return kExitDefer;
        default: return kExitError;
    }
}

std::string read_input(const std::string &path) {
    if (path == "-") {
        std::string data((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
        return data;
    }
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw CliError{"cannot read " + path + ": it is a directory"};
    std::ifstream in(path, std::ios::binary);
    if (!in) throw CliError{"cannot read " + path + ": " + std::strerror(errno)};
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void print_decision(const presend_decision *d, bool json) {
    if (json) {
        std::cout << presend_decision_json(d) << "\n";
        return;
    }
    cJSON *doc = cJSON_Parse(presend_decision_json(d));
    auto str = [](const cJSON *o, const char *k) {
        const cJSON *v = cJSON_GetObjectItem(o, k);
        return cJSON_IsString(v) ? std::string(v->valuestring) : std::string();
    };
    auto print_reasons = [&](const cJSON *reasons, const char *indent) {
        for (const cJSON *r = reasons != nullptr ? reasons->child : nullptr; r != nullptr; r = r->next) {
            std::cout << indent << str(r, "severity") << " " << str(r, "code") << ": " << str(r, "message");
            if (cJSON_IsFalse(cJSON_GetObjectItem(r, "enforced"))) std::cout << " (monitor)";
            std::cout << "\n";
        }
    };
    std::cout << presend_verdict_str(presend_decision_verdict(d));
    if (presend_decision_retry_after_ms(d) > 0) std::cout << " (retry after " << presend_decision_retry_after_ms(d) << " ms)";
    std::cout << "  decision " << presend_decision_id(d) << (cJSON_IsTrue(cJSON_GetObjectItem(doc, "dry_run")) ? " (dry run)" : "") << "\n";
    for (const cJSON *r = cJSON_GetObjectItem(doc, "recipients")->child; r != nullptr; r = r->next) {
        std::printf("  %-7s %s\n", str(r, "verdict").c_str(), str(r, "address").c_str());
        print_reasons(cJSON_GetObjectItem(r, "reasons"), "          ");
    }
    const cJSON *mr = cJSON_GetObjectItem(doc, "reasons");
    if (cJSON_GetArraySize(mr) > 0) {
        std::cout << "  message:\n";
        print_reasons(mr, "          ");
    }
    if (const cJSON *q = cJSON_GetObjectItem(doc, "quota")) {
        std::cout << "  quota " << str(q, "account") << "/" << str(q, "region") << ": "
                  << static_cast<long long>(cJSON_GetObjectItem(q, "sent_24h")->valuedouble) << " of "
                  << static_cast<long long>(cJSON_GetObjectItem(q, "max_24h")->valuedouble) << " in 24 h\n";
    }
    cJSON_Delete(doc);
}

}  // namespace presend::cli

int main(int argc, char **argv) {
    using namespace presend::cli;
    try {
        std::vector<std::string> words;
        Args args = parse_args(argc, argv, words);
        if (args.flag("help")) {
            std::cout << kUsage;
            return kExitOk;
        }
        if (words.empty()) {
            std::cerr << kUsage;
            return kExitUsage;
        }
        std::string cmd = words[0];
        args.positional.assign(words.begin() + 1, words.end());
        if (cmd == "demo") return cmd_demo(args);
        if (cmd == "init") return cmd_init(args);
        if (cmd == "check") return cmd_check(args);
        if (cmd == "release") return cmd_release(args);
        if (cmd == "consent") return cmd_consent(args);
        if (cmd == "suppress") return cmd_suppress(args);
        if (cmd == "quota") return cmd_quota(args);
        if (cmd == "reasons") return cmd_reasons(args);
        if (cmd == "address") return cmd_address(args);
        if (cmd == "auth") return cmd_auth(args);
        if (cmd == "iam") return cmd_iam(args);
        if (cmd == "events") return cmd_events(args);
        if (cmd == "pause") return cmd_pause(args);
        if (cmd == "resume") return cmd_resume(args);
        if (cmd == "reputation") return cmd_reputation(args);
        if (cmd == "audit") return cmd_audit(args);
        if (cmd == "report") return cmd_report(args);
        if (cmd == "version") {
            std::cout << (args.json ? std::string("{\"version\":\"") + presend_version() + "\"}" : std::string("presend ") + presend_version()) << "\n";
            return kExitOk;
        }
        throw UsageError{"unknown command \"" + cmd + "\""};
    } catch (const UsageError &e) {
        std::cerr << "presend: " << e.message << "\n(run `presend --help` for usage)\n";
        return kExitUsage;
    } catch (const CliError &e) {
        std::cerr << "presend: " << e.message << "\n";
        return e.exit;
    } catch (const std::exception &e) {
        std::cerr << "presend: " << e.what() << "\n";
        return kExitError;
    }
}
