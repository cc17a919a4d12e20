// `presend auth spf|dkim|dmarc|check|refresh|status`: sender authentication
// from the command line, through presend_auth_evaluate and the engine.
#include <cjson/cJSON.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli.hpp"

namespace presend::cli {

namespace {

// The request's DNS part: --zone FILE, else the configuration's fixture, else
// the system resolver.
std::string dns_fields(const Args &a, const cJSON *config) {
    if (auto zone = a.opt("zone")) return ",\"zone_file\":" + json_string(*zone);
    const cJSON *dns = cJSON_GetObjectItemCaseSensitive(config, "dns");
    const cJSON *resolver = cJSON_GetObjectItemCaseSensitive(dns, "resolver");
    const cJSON *zone = cJSON_GetObjectItemCaseSensitive(dns, "zone");
    if (cJSON_IsString(resolver) && std::string_view(resolver->valuestring) == "fixture" && cJSON_IsString(zone)) {
        return ",\"zone_file\":" + json_string(zone->valuestring);
    }
    const cJSON *ns = cJSON_GetObjectItemCaseSensitive(dns, "nameservers");
    if (cJSON_IsArray(ns)) {
        char *text = cJSON_PrintUnformatted(ns);
        std::string out = ",\"nameservers\":" + std::string(text != nullptr ? text : "[]");
        cJSON_free(text);
        return out;
    }
    return "";
}

// The configuration file, when there is one, as JSON (for `auth check`).
std::unique_ptr<cJSON, decltype(&cJSON_Delete)> load_config(const Args &a) {
    std::string path;
    if (a.config) path = *a.config;
    else if (const char *env = std::getenv("PRESEND_CONFIG"); env != nullptr && *env != '\0') path = env;
    else if (::access("presend.json", F_OK) == 0) path = "presend.json";
    if (path.empty()) return {nullptr, cJSON_Delete};
    std::string text = read_input(path);
    cJSON *doc = cJSON_ParseWithLength(text.data(), text.size());
    if (doc == nullptr) throw CliError{"cannot parse the configuration " + path};
    // Relative zone paths are relative to the configuration file.
    const cJSON *dns = cJSON_GetObjectItemCaseSensitive(doc, "dns");
    cJSON *zone = cJSON_GetObjectItemCaseSensitive(dns, "zone");
    auto slash = path.rfind('/');
    if (cJSON_IsString(zone) && zone->valuestring[0] != '/' && slash != std::string::npos) {
        std::string full = path.substr(0, slash) + "/" + zone->valuestring;
        cJSON_SetValuestring(zone, full.c_str());
    }
    return {doc, cJSON_Delete};
}

std::string evaluate(const char *kind, const std::string &request) {
    Owned out, err;
    presend_status st = presend_auth_evaluate(kind, request.data(), request.size(), &out.p, &err.p);
    if (st == PRESEND_EINVAL && err.p != nullptr) throw UsageError{"auth " + std::string(kind) + ": " + err.str()};
    if (st != PRESEND_OK) {
        throw CliError{"auth " + std::string(kind) + ": " + presend_status_str(st) + ": " + (err.p ? err.str() : "")};
    }
    return out.str();
}

std::string str(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : std::string();
}

// A readable account of one identity's report.
std::string identity_text(const std::string &json) {
    cJSON *doc = cJSON_Parse(json.c_str());
    if (doc == nullptr) return json + "\n";
    std::ostringstream os;
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(doc, "summary");
    os << str(doc, "domain") << " (checked " << str(doc, "checked_at") << ")\n";
    os << "  SPF    " << str(s, "spf") << " for MAIL FROM " << str(s, "mail_from") << "\n";
    const cJSON *bits = cJSON_GetObjectItemCaseSensitive(s, "dkim_bits");
    os << "  DKIM   " << str(s, "dkim");
    if (cJSON_IsNumber(bits)) os << " (smallest key " << static_cast<int>(bits->valuedouble) << " bits)";
    os << "\n  DMARC  " << str(s, "dmarc");
    if (!str(s, "dmarc_policy").empty()) os << " p=" << str(s, "dmarc_policy");
    os << " (organizational domain " << str(s, "org_domain") << ", adkim=" << str(s, "adkim") << ", aspf="
       << str(s, "aspf") << ")\n";
    if (!str(s, "dns_errors").empty()) os << "  DNS errors: " << str(s, "dns_errors") << "\n";
    // Every finding of every part, errors and warnings first.
    auto findings = [&](const cJSON *list) {
        for (const cJSON *f = list != nullptr ? list->child : nullptr; f != nullptr; f = f->next) {
            if (str(f, "severity") == "info") continue;
            os << "    " << str(f, "severity") << " " << str(f, "code") << ": " << str(f, "message") << "\n";
        }
    };
    findings(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "spf"), "findings"));
    const cJSON *sel = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "dkim"), "selectors");
    for (const cJSON *c = sel != nullptr ? sel->child : nullptr; c != nullptr; c = c->next) {
        findings(cJSON_GetObjectItemCaseSensitive(c, "findings"));
    }
    findings(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "dmarc"), "findings"));
    cJSON_Delete(doc);
    return os.str();
}

bool healthy(const std::string &json) {
    cJSON *doc = cJSON_Parse(json.c_str());
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(doc, "summary");
    bool ok = str(s, "spf") == "pass" && (str(s, "dkim") == "ok" || str(s, "dkim") == "short") &&
              str(s, "dmarc") == "present" && str(s, "dns_errors").empty();
    cJSON_Delete(doc);
    return ok;
}

int cmd_auth_record(const Args &a, const char *kind) {
    auto record = a.opt("record");
    std::string req = "{";
    if (record) req += "\"record\":" + json_string(*record);
    if (auto mode = a.opt("mode")) req += std::string(req.size() > 1 ? "," : "") + "\"mode\":" + json_string(*mode);
    auto field = [&](const char *opt, const char *key) {
        if (auto v = a.opt(opt)) req += std::string(req.size() > 1 ? "," : "") + "\"" + key + "\":" + json_string(*v);
    };
    if (!record) {
        field("ip", "ip");
        field("mail-from", "mail_from");
        field("helo", "helo");
        field("domain", "domain");
        field("selector", "selector");
        field("provider-suffix", "provider_suffix");
        auto config = load_config(a);
        req += dns_fields(a, config.get());
    }
    req += "}";
    std::string out = evaluate(kind, req);
    print_json_or(a, out, pretty(out));
    return kExitOk;
}

}  // namespace

int cmd_auth(const Args &args) {
    if (args.positional.empty()) throw UsageError{"usage: presend auth spf|dkim|dmarc|check|refresh|status ..."};
    std::string sub = args.positional[0];
    Args a = args;
    a.positional.erase(a.positional.begin());
    if (sub == "spf") {
        allow_only(a, {"ip", "mail-from", "helo", "domain", "record", "zone"});
        if (!a.positional.empty()) throw UsageError{"usage: presend auth spf --ip IP --mail-from ADDR [--helo NAME]"};
        if (!a.opt("record") && !a.opt("domain") && !a.opt("ip")) {
            throw UsageError{"auth spf needs --ip with --mail-from (or --helo), or --domain, or --record"};
        }
        return cmd_auth_record(a, "spf");
    }
    if (sub == "dkim") {
        allow_only(a, {"domain", "selector", "provider-suffix", "record", "zone"});
        if (!a.positional.empty() || (!a.opt("record") && (!a.opt("domain") || !a.opt("selector")))) {
            throw UsageError{"usage: presend auth dkim --domain D --selector S | --record TEXT"};
        }
        return cmd_auth_record(a, "dkim");
    }
    if (sub == "dmarc") {
        allow_only(a, {"domain", "mode", "record", "zone"});
        if (!a.positional.empty() || (!a.opt("record") && !a.opt("domain"))) {
            throw UsageError{"usage: presend auth dmarc --domain D | --record TEXT [--mode dmarcbis|rfc7489]"};
        }
        return cmd_auth_record(a, "dmarc");
    }
    if (sub == "check") {
        allow_only(a, {"zone", "mode", "mail-from-domain", "selector", "easy-dkim", "spf-include", "sending-ip"});
        if (a.positional.size() != 1) throw UsageError{"usage: presend auth check DOMAIN [--zone FILE]"};
        const std::string &domain = a.positional[0];
        auto config = load_config(a);
        // The configuration's identity for the domain, when there is one;
        // options given here take precedence.
        std::string req = "{\"domain\":" + json_string(domain);
        const cJSON *ids = cJSON_GetObjectItemCaseSensitive(config.get(), "identities");
        const cJSON *id = nullptr;
        for (const cJSON *i = ids != nullptr ? ids->child : nullptr; i != nullptr; i = i->next) {
            Owned n1, n2;
            std::string key = i->string;
            if (key.find('@') != std::string::npos) continue;
            if (presend_address_normalize(("x@" + key).c_str(), key.size() + 2, 0, &n1.p, nullptr) == PRESEND_OK &&
                presend_address_normalize(("x@" + domain).c_str(), domain.size() + 2, 0, &n2.p, nullptr) == PRESEND_OK &&
                n1.str() == n2.str()) {
                id = i;
            }
        }
        auto from_id = [&](const char *key) -> std::string {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(id, key);
            if (v == nullptr) return "";
            char *text = cJSON_PrintUnformatted(v);
            std::string out = ",\"" + std::string(key) + "\":" + (text != nullptr ? text : "null");
            cJSON_free(text);
            return out;
        };
        auto list = [&](const char *opt, const char *key) -> std::string {
            auto values = a.all(opt);
            if (values.empty()) return from_id(key);
            std::string out = ",\"" + std::string(key) + "\":[";
            for (size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + json_string(values[i]);
            return out + "]";
        };
        auto one = [&](const char *opt, const char *key) -> std::string {
            if (auto v = a.opt(opt)) return ",\"" + std::string(key) + "\":" + json_string(*v);
            return from_id(key);
        };
        req += one("mail-from-domain", "mail_from");
        req += list("selector", "dkim_selectors");
        req += list("easy-dkim", "easy_dkim_tokens");
        req += one("spf-include", "spf_include");
        req += list("sending-ip", "sending_ips");
        req += from_id("dkim_provider_suffix") + from_id("provider_mail_from");
        std::string mode;
        if (auto m = a.opt("mode")) {
            mode = *m;
        } else {
            const cJSON *auth = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(config.get(), "checks"), "auth");
            const cJSON *dm = cJSON_GetObjectItemCaseSensitive(auth, "dmarc_mode");
            if (cJSON_IsString(dm)) mode = dm->valuestring;
        }
        if (!mode.empty()) req += ",\"mode\":" + json_string(mode);
        req += dns_fields(a, config.get()) + "}";
        std::string out = evaluate("identity", req);
        print_json_or(a, out, identity_text(out));
        return healthy(out) ? kExitOk : kExitBlock;
    }
    if (sub == "refresh") {
        allow_only(a, {});
        if (!a.positional.empty()) throw UsageError{"usage: presend auth refresh"};
        EngineHandle e(a);
        Owned out;
        e.ok(presend_auth_refresh(e.get(), &out.p), "auth refresh");
        if (a.json) {
            std::cout << out.str() << "\n";
            return kExitOk;
        }
        cJSON *doc = cJSON_Parse(out.p);
        const cJSON *results = cJSON_GetObjectItemCaseSensitive(doc, "results");
        std::cout << "refreshed " << cJSON_GetArraySize(results) << " identities at " << str(doc, "checked_at") << "\n";
        for (const cJSON *r = results != nullptr ? results->child : nullptr; r != nullptr; r = r->next) {
            char *text = cJSON_PrintUnformatted(r);
            std::cout << identity_text(text != nullptr ? text : "{}");
            cJSON_free(text);
        }
        cJSON_Delete(doc);
        return kExitOk;
    }
    if (sub == "status") {
        allow_only(a, {});
        if (a.positional.size() > 1) throw UsageError{"usage: presend auth status [DOMAIN]"};
        EngineHandle e(a, true);
        Owned out;
        e.ok(presend_auth_status(e.get(), a.positional.empty() ? nullptr : a.positional[0].c_str(), &out.p),
             "auth status");
        if (a.json) {
            std::cout << out.str() << "\n";
            return kExitOk;
        }
        std::string json = out.str();
        if (json == "null") throw CliError{"no stored status for " + a.positional[0] + ": run `presend auth refresh`", kExitError};
        cJSON *doc = cJSON_Parse(json.c_str());
        if (cJSON_IsArray(doc)) {
            if (cJSON_GetArraySize(doc) == 0) std::cout << "no stored status: run `presend auth refresh`\n";
            for (const cJSON *r = doc->child; r != nullptr; r = r->next) {
                char *text = cJSON_PrintUnformatted(r);
                std::cout << identity_text(text != nullptr ? text : "{}");
                cJSON_free(text);
            }
        } else {
            std::cout << identity_text(json);
        }
        cJSON_Delete(doc);
        return kExitOk;
    }
    throw UsageError{"unknown auth command \"" + sub + "\" (spf, dkim, dmarc, check, refresh, status)"};
}

}  // namespace presend::cli
