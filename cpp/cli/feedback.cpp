// presend events|pause|resume|reputation|audit|report: the feedback side,
// through the C API like the rest of the command.
#include <cjson/cJSON.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli.hpp"

namespace presend::cli {

namespace {

std::string rest_usage(const char *usage) { return std::string("usage: presend ") + usage; }

double number(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}
std::string text(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? std::string(v->valuestring) : std::string();
}
std::string count(const cJSON *o, const char *key) { return std::to_string(static_cast<long long>(number(o, key))); }

// Writes a file through a temporary name, so that a reader never sees half a report.
void write_file(const std::string &path, const std::string &data) {
    std::string tmp = path + ".tmp";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        if (!f) throw CliError{"cannot write " + path + ": " + std::strerror(errno)};
        f.write(data.data(), static_cast<std::streamsize>(data.size()));
        if (!f) throw CliError{"cannot write " + path + ": " + std::strerror(errno)};
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw CliError{"cannot write " + path + ": " + std::strerror(errno)};
    }
}

}  // namespace

int cmd_events(const Args &a) {
    if (a.positional.empty() || a.positional[0] != "ingest") {
        throw UsageError{rest_usage("events ingest FILE|- [--format auto|ses|arf] [--account A] [--region R]")};
    }
    if (a.positional.size() != 2) throw UsageError{rest_usage("events ingest FILE|-")};
    allow_only(a, {"format", "account", "region", "sns-certificate"});
    const std::string &path = a.positional[1];
    std::string data = read_input(path);
    std::string options = "{\"source\":" + json_string(path == "-" ? "stdin" : path);
    if (auto f = a.opt("format")) options += ",\"format\":" + json_string(*f);
    if (auto v = a.opt("account")) options += ",\"account\":" + json_string(*v);
    if (auto v = a.opt("region")) options += ",\"region\":" + json_string(*v);
    if (auto v = a.opt("sns-certificate")) options += ",\"sns_certificate\":" + json_string(read_input(*v));
    options += "}";
    EngineHandle e(a);
    Owned out;
    e.ok(presend_events_ingest(e.get(), data.data(), data.size(), options.c_str(), &out.p), "events ingest");
    cJSON *doc = cJSON_Parse(out.p);
    int failed = static_cast<int>(number(doc, "failed"));
    if (a.json) {
        std::cout << out.str() << "\n";
    } else {
        std::cout << count(doc, "documents") << " documents: " << count(doc, "ingested") << " ingested, "
                  << count(doc, "duplicates") << " already known, " << failed << " failed";
        if (number(doc, "other") > 0) std::cout << ", " << count(doc, "other") << " not events";
        std::cout << "\n" << count(doc, "suppressed") << " addresses suppressed; " << count(doc, "bounces")
                  << " bounces, " << count(doc, "transient_bounces") << " transient bounces and " << count(doc, "complaints")
                  << " complaints counted for the reputation guard\n";
        const cJSON *outcomes = cJSON_GetObjectItemCaseSensitive(doc, "outcomes");
        const cJSON *o = nullptr;
        cJSON_ArrayForEach(o, outcomes) {
            std::string status = text(o, "status");
            if (status == "error") {
                const cJSON *err = cJSON_GetObjectItemCaseSensitive(o, "error");
                long long line = static_cast<long long>(number(o, "line"));
                std::cerr << "document " << static_cast<long long>(number(o, "index")) + 1
                          << (line > 0 ? " (line " + std::to_string(line) + ")" : std::string()) << ": "
                          << text(err, "code") << ": " << text(err, "message") << "\n";
            } else if (status == "sns_confirmation") {
                std::cout << "SNS " << text(o, "type") << " for " << text(o, "topic_arn")
                          << ": confirm it by visiting " << text(o, "subscribe_url") << "\n";
            }
        }
    }
    cJSON_Delete(doc);
    return failed > 0 ? kExitError : kExitOk;
}

int cmd_pause(const Args &a) {
    need_positional(a, 1, 1, "pause ACCOUNT [--region R] [--reason TEXT]");
    allow_only(a, {"region", "reason"});
    auto region = a.opt("region"), reason = a.opt("reason");
    EngineHandle e(a);
    Owned out;
    e.ok(presend_pause(e.get(), a.positional[0].c_str(), region ? region->c_str() : nullptr,
                       reason ? reason->c_str() : nullptr, &out.p),
         "pause");
    print_json_or(a, out.str(),
                  "paused " + a.positional[0] + (region ? "/" + *region : std::string(" (every region)")) +
                      ": messages are deferred with reputation.paused until `presend resume`\n");
    return kExitOk;
}

int cmd_resume(const Args &a) {
    need_positional(a, 1, 1, "resume ACCOUNT [--region R]");
    allow_only(a, {"region"});
    auto region = a.opt("region");
    EngineHandle e(a);
    Owned out;
    e.ok(presend_resume(e.get(), a.positional[0].c_str(), region ? region->c_str() : nullptr, &out.p), "resume");
    print_json_or(a, out.str(), "resumed " + a.positional[0] + (region ? "/" + *region : std::string()) + "\n");
    return kExitOk;
}

int cmd_reputation(const Args &a) {
    need_positional(a, 0, 0, "reputation [--account A] [--region R]");
    allow_only(a, {"account", "region"});
    auto account = a.opt("account"), region = a.opt("region");
    EngineHandle e(a, true);
    Owned out;
    e.ok(presend_reputation_status(e.get(), account ? account->c_str() : nullptr, region ? region->c_str() : nullptr,
                                   &out.p),
         "reputation");
    if (a.json) {
        std::cout << out.str() << "\n";
        return kExitOk;
    }
    cJSON *doc = cJSON_Parse(out.p);
    const cJSON *r = nullptr;
    cJSON_ArrayForEach(r, doc) {
        const cJSON *dist = cJSON_GetObjectItemCaseSensitive(r, "distance");
        std::cout << text(r, "account") << "/" << text(r, "region") << ": " << text(r, "status") << ", "
                  << count(r, "sends") << " sends in the last " << count(r, "window_hours") << " hours\n"
                  << "  bounces " << count(r, "bounces") << ": " << text(dist, "bounce_review") << "; "
                  << text(dist, "bounce_pause") << "\n"
                  << "  complaints " << count(r, "complaints") << ": " << text(dist, "complaint_review") << "; "
                  << text(dist, "complaint_pause") << "\n";
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "counts"))) {
            std::cout << "  (fewer than " << count(r, "min_volume") << " sends: the rates do not count yet)\n";
        }
    }
    cJSON_Delete(doc);
    return kExitOk;
}

int cmd_audit(const Args &a) {
    if (a.positional.size() != 1 || a.positional[0] != "verify") throw UsageError{rest_usage("audit verify")};
    allow_only(a, {});
    EngineHandle e(a, true);
    Owned out;
    e.ok(presend_audit_verify(e.get(), &out.p), "audit verify");
    cJSON *doc = cJSON_Parse(out.p);
    bool ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "ok"));
    if (a.json) {
        std::cout << out.str() << "\n";
    } else if (ok) {
        std::cout << "audit trail intact: " << count(doc, "records") << " records, head " << text(doc, "head") << "\n";
        if (!text(doc, "note").empty()) std::cout << "note: " << text(doc, "note") << "\n";
    } else {
        std::cout << "audit trail BROKEN at record " << count(doc, "first_bad") << ": " << text(doc, "problem") << "\n"
                  << "records 1 to " << count(doc, "verified_through") << " verify; " << count(doc, "records")
                  << " records in all\n";
    }
    cJSON_Delete(doc);
    return ok ? kExitOk : kExitError;
}

int cmd_report(const Args &a) {
    need_positional(a, 0, 0, "report [--from DATE] [--to DATE] [--format html|json|csv|md] [-o FILE]");
    allow_only(a, {"from", "to", "format", "output", "limit"});
    std::string options = "{";
    auto add = [&](const char *key, const std::optional<std::string> &v) {
        if (!v) return;
        if (options.size() > 1) options += ",";
        options += json_string(key) + ":" + json_string(*v);
    };
    add("from", a.opt("from"));
    add("to", a.opt("to"));
    std::string format = a.opt("format").value_or(a.json ? "json" : "json");
    add("format", format);
    if (auto limit = a.opt("limit")) {
        if (limit->empty() || limit->find_first_not_of("0123456789") != std::string::npos) {
            throw UsageError{"--limit must be a whole number"};
        }
        options += std::string(options.size() > 1 ? "," : "") + "\"limit\":" + *limit;
    }
    options += "}";
    EngineHandle e(a, true);
    Owned out;
    e.ok(presend_report(e.get(), options.c_str(), &out.p), "report");
    if (auto file = a.opt("output")) {
        write_file(*file, out.str());
        std::cout << (a.json ? "{\"written\":" + json_string(*file) + "}" : "report written to " + *file) << "\n";
    } else {
        std::cout << out.str();
        if (!out.str().empty() && out.str().back() != '\n') std::cout << "\n";
    }
    return kExitOk;
}

}  // namespace presend::cli
