// One-off evaluations for `presend auth spf|dkim|dmarc|check` and
// presend_auth_evaluate: no engine, no store; DNS from a fixture zone or the
// system resolver.
#include "auth_tools.hpp"

#include <cjson/cJSON.h>

#include <chrono>

#include "auth_refresh.hpp"
#include "dkim.hpp"
#include "dmarc.hpp"
#include "dns_system.hpp"
#include "json.hpp"
#include "spf.hpp"
#include "text.hpp"

namespace presend {

namespace {

constexpr Status kA = Status::invalid_argument;

struct Request {
    const cJSON *root = nullptr;

    const cJSON *get(const char *k) const { return cJSON_GetObjectItemCaseSensitive(root, k); }
    std::optional<std::string> str(const char *k) const {
        const cJSON *v = get(k);
        if (v == nullptr || json_is_null(v)) return std::nullopt;
        auto s = json_string(v, k, kA);
        if (!s) throw Failure{std::move(s).error()};
        return std::string(*s);
    }
    std::string need(const char *k, std::string_view kind) const {
        auto v = str(k);
        if (!v || v->empty()) fail(kA, std::string(kind) + " needs \"" + k + "\"");
        return *v;
    }
    std::vector<std::string> strings(const char *k) const {
        std::vector<std::string> out;
        const cJSON *v = get(k);
        if (v == nullptr) return out;
        if (!json_is_array(v)) fail(kA, std::string(k) + " must be an array of strings");
        for (const cJSON *e = json_child(v); e != nullptr; e = json_next(e)) {
            auto s = json_string(e, k, kA);
            if (!s) throw Failure{std::move(s).error()};
            out.emplace_back(*s);
        }
        return out;
    }
};

void check_keys(const cJSON *root, std::initializer_list<const char *> allowed) {
    for (const cJSON *m = json_child(root); m != nullptr; m = json_next(m)) {
        bool ok = false;
        for (const char *a : allowed) ok = ok || std::string_view(json_key(m)) == a;
        if (!ok) fail(kA, "unknown field \"" + std::string(json_key(m)) + "\"");
    }
}

std::unique_ptr<Resolver> resolver_for(const Request &r) {
    if (const cJSON *zone = r.get("zone")) {
        char *text = cJSON_PrintUnformatted(zone);
        if (text == nullptr) throw std::bad_alloc();
        std::string json(text);
        cJSON_free(text);
        auto z = FixtureResolver::from_json(json);
        if (!z) throw Failure{std::move(z).error()};
        return std::move(*z);
    }
    if (auto file = r.str("zone_file")) {
        auto z = FixtureResolver::from_file(*file);
        if (!z) throw Failure{std::move(z).error()};
        return std::move(*z);
    }
    SystemResolverOptions so;
    for (const auto &ns : r.strings("nameservers")) {
        Nameserver n;
        auto colon = ns.rfind(':');
        n.address = colon == std::string::npos ? ns : ns.substr(0, colon);
        if (colon != std::string::npos) n.port = static_cast<uint16_t>(std::stoi(ns.substr(colon + 1)));
        so.nameservers.push_back(std::move(n));
    }
    return std::make_unique<SystemResolver>(std::move(so));
}

DmarcMode mode_of(const Request &r) {
    auto m = r.str("mode");
    if (!m) return DmarcMode::dmarcbis;
    auto mode = dmarc_mode_from_name(*m);
    if (!mode) fail(kA, "mode must be \"dmarcbis\" or \"rfc7489\"");
    return *mode;
}

std::string domain_of(const Request &r, std::string_view kind) {
    std::string d = r.need("domain", kind);
    auto n = normalize_domain(d);
    if (!n) fail(Status::parse, "invalid domain \"" + d + "\": " + n.error().message);
    return *n;
}

}  // namespace

std::string auth_evaluate_json(std::string_view kind, std::string_view request_json) {
    auto doc = json_parse(request_json, 64u * 1024 * 1024);
    if (!doc) throw Failure{std::move(doc).error()};
    Request r{doc->get()};
    if (!json_is_object(r.root)) fail(kA, "the request must be a JSON object");
    std::string out;
    JsonWriter w(out);

    if (kind == "spf") {
        check_keys(r.root, {"ip", "mail_from", "helo", "receiver", "record", "domain", "zone", "zone_file", "nameservers"});
        if (auto record = r.str("record")) {
            auto parsed = spf_parse(*record);
            auto findings = spf_lint_record(*record);
            if (parsed) {
                write_spf_record_json(w, *parsed, findings);
            } else {
                w.begin_object().field("record", *record).field("valid", false);
                w.key("error").begin_object().field("message", parsed.error().message);
                if (parsed.error().position != Error::npos) w.field("position", parsed.error().position);
                w.end_object().key("findings");
                write_spf_findings_json(w, findings);
                w.end_object();
            }
            return out;
        }
        auto dns = resolver_for(r);
        if (!r.str("ip")) {
            std::string d = domain_of(r, "spf");
            w.begin_object().field("domain", d).key("findings");
            write_spf_findings_json(w, spf_lint(*dns, d));
            w.end_object();
            return out;
        }
        SpfRequest req;
        req.ip = r.need("ip", "spf");
        req.mail_from = r.str("mail_from").value_or("");
        req.helo = r.str("helo").value_or("");
        req.receiver = r.str("receiver").value_or("");
        if (req.mail_from.empty() && req.helo.empty()) fail(kA, "spf needs \"mail_from\" or \"helo\"");
        req.default_explanation = "the sending host is not one the domain's SPF record authorizes";
        write_spf_outcome_json(w, spf_check_host(*dns, req));
        return out;
    }
    if (kind == "dkim") {
        check_keys(r.root, {"domain", "selector", "provider_suffix", "record", "zone", "zone_file", "nameservers"});
        if (auto record = r.str("record")) {
            write_dkim_record_json(w, dkim_check_record(*record));
            return out;
        }
        auto dns = resolver_for(r);
        DkimProviderRules rules;
        if (auto suffix = r.str("provider_suffix")) {
            rules = DkimProviderRules::ses_easy_dkim();
            rules.cname_suffix = suffix->empty() || suffix->front() == '.' ? *suffix : "." + *suffix;
        }
        write_dkim_selector_json(w, dkim_check_selector(*dns, domain_of(r, "dkim"), r.need("selector", "dkim"), rules));
        return out;
    }
    if (kind == "dmarc") {
        check_keys(r.root, {"domain", "mode", "record", "zone", "zone_file", "nameservers"});
        DmarcMode mode = mode_of(r);
        if (auto record = r.str("record")) {
            write_dmarc_record_check_json(w, dmarc_check_record(*record, mode));
            return out;
        }
        auto dns = resolver_for(r);
        write_dmarc_discovery_json(w, dmarc_discover(*dns, domain_of(r, "dmarc"), mode));
        return out;
    }
    if (kind == "identity") {
        check_keys(r.root, {"domain", "mode", "regions", "dkim_selectors", "easy_dkim_tokens", "dkim_provider_suffix",
                            "mail_from", "provider_mail_from", "spf_include", "sending_ips", "zone", "zone_file",
                            "nameservers", "now"});
        IdentityConfig id;
        id.domain = domain_of(r, "identity");
        id.name = id.domain;
        id.regions = r.strings("regions");
        id.dkim_selectors = r.strings("dkim_selectors");
        id.easy_dkim_tokens = r.strings("easy_dkim_tokens");
        auto dom = [&](const char *k, std::string &into) {
            if (auto v = r.str(k)) {
                auto n = normalize_domain(*v);
                if (!n) fail(Status::parse, std::string(k) + ": " + n.error().message);
                into = *n;
            }
        };
        dom("dkim_provider_suffix", id.dkim_provider_suffix);
        dom("mail_from", id.mail_from);
        dom("provider_mail_from", id.provider_mail_from);
        dom("spf_include", id.spf_include);
        id.sending_ips = r.strings("sending_ips");
        auto mode = mode_of(r) == DmarcMode::rfc7489 ? DmarcDiscoveryMode::rfc7489 : DmarcDiscoveryMode::dmarcbis;
        int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
        if (const cJSON *n = r.get("now")) {
            auto v = json_int(n, "now", 0, int64_t{1} << 50, kA);
            if (!v) throw Failure{std::move(v).error()};
            now = *v;
        }
        auto dns = resolver_for(r);
        return evaluate_identity(*dns, id, mode, now).status.report;
    }
    fail(kA, "unknown kind \"" + std::string(kind) + "\" (spf, dkim, dmarc, identity)");
}

}  // namespace presend
