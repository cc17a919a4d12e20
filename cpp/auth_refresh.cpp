// `auth refresh` and `auth status`: the out-of-band half of sender
// authentication. Refresh resolves every identity of the configuration
// (through the store's DNS cache), evaluates SPF, DKIM and DMARC, and stores
// one status row per domain; checks read only that row.
#include "auth_refresh.hpp"

#include <algorithm>
#include <set>

#include "dkim.hpp"
#include "dmarc.hpp"
#include "dns_cache.hpp"
#include "engine.hpp"
#include "json.hpp"
#include "spf.hpp"
#include "text.hpp"

namespace presend {

namespace {

// Whether `domain`'s SPF policy reaches include:<target>, through includes
// and redirects, within RFC 7208's limit of 10 lookups.
struct IncludeSearch {
    bool found = false;
    bool dns_error = false;
    std::string detail;
};

void find_include(Resolver &dns, const std::string &domain, const std::string &target, int &budget,
                  std::set<std::string> &seen, IncludeSearch &out) {
    if (out.found || budget <= 0 || !seen.insert(domain).second) return;
    DnsAnswer a = dns.query(domain, RRType::TXT);
    if (a.failed()) {
        out.dns_error = true;
        out.detail = a.detail;
        return;
    }
    std::vector<std::string> records;
    for (const auto &r : a.records) {
        if (spf_is_record(r)) records.push_back(r);
    }
    if (records.size() != 1) return;  // none, or several (a permerror): reaches nothing
    auto rec = spf_parse(records.front());
    if (!rec) return;
    for (const auto &t : rec->terms) {
        bool include = !t.is_modifier && t.mechanism == SpfMechanism::include;
        bool redirect = t.is_modifier && t.modifier == SpfModifier::redirect;
        if (!include && !redirect) continue;
        // Macros cannot be followed without a sender; skip such targets.
        if (t.value.find('%') != std::string::npos) continue;
        std::string next = dns_name(t.value);
        if (include && next == target) {
            out.found = true;
            return;
        }
        --budget;
        find_include(dns, next, target, budget, seen, out);
        if (out.found) return;
    }
}

void note_dns_error(std::string &errors, const std::string &what) {
    if (what.empty()) return;
    if (!errors.empty()) errors += "; ";
    errors += what;
}

}  // namespace

IdentityEvaluation evaluate_identity(Resolver &dns, const IdentityConfig &id, DmarcDiscoveryMode mode, int64_t now) {
    IdentityEvaluation ev;
    AuthStatus &st = ev.status;
    st.domain = id.domain;
    st.checked_at = now;
    std::string report;
    JsonWriter w(report);
    w.begin_object();
    w.field("domain", id.domain);
    w.field("identity", id.name);
    w.key("checked_at").timestamp(now);

    // --- SPF of the MAIL FROM domain -------------------------------------------
    bool provider_mail_from = id.mail_from.empty();
    st.mail_from = provider_mail_from ? id.provider_mail_from : id.mail_from;
    w.key("spf").begin_object();
    w.field("mail_from", st.mail_from);
    if (provider_mail_from) {
        // The provider's own MAIL FROM domain: its SPF is the provider's to
        // keep, and it passes; it is never aligned with the From domain.
        st.spf = "pass";
        w.field("status", "pass");
        w.field("note", "the provider's MAIL FROM domain: SPF passes there but is not aligned with " + id.domain +
                            "; configure a custom MAIL FROM domain for SPF alignment");
    } else {
        auto findings = spf_lint(dns, st.mail_from);
        bool lint_error = std::any_of(findings.begin(), findings.end(),
                                      [](const SpfFinding &f) { return f.severity == SpfSeverity::error; });
        bool missing = std::any_of(findings.begin(), findings.end(),
                                   [](const SpfFinding &f) { return f.code == "spf.no_record"; });
        std::string spf_dns;
        if (!id.sending_ips.empty()) {
            // Dedicated IPs: each must pass check_host().
            bool all_pass = true, temp = false, none = false;
            w.key("evaluations").begin_array();
            for (const auto &ip : id.sending_ips) {
                SpfRequest req;
                req.ip = ip;
                req.mail_from = "postmaster@" + st.mail_from;
                req.helo = st.mail_from;
                req.now = now / 1000;
                SpfOutcome out = spf_check_host(dns, req);
                write_spf_outcome_json(w, out);
                if (out.result != SpfResult::pass) all_pass = false;
                if (out.result == SpfResult::temperror) {
                    temp = true;
                    note_dns_error(spf_dns, "SPF of " + st.mail_from + " for " + ip + ": " + out.problem);
                }
                if (out.result == SpfResult::none) none = true;
            }
            w.end_array();
            st.spf = all_pass ? "pass" : temp ? "error" : none ? "missing" : "fail";
        } else {
            // The provider's IPs: the record must reach its include.
            IncludeSearch search;
            std::set<std::string> seen;
            int budget = kSpfLookupLimit;
            find_include(dns, st.mail_from, id.spf_include, budget, seen, search);
            w.field("include", id.spf_include);
            w.field("include_found", search.found);
            if (search.dns_error) note_dns_error(spf_dns, "SPF of " + st.mail_from + ": " + search.detail);
            st.spf = search.dns_error ? "error" : missing ? "missing" : (search.found && !lint_error) ? "pass" : "fail";
        }
        note_dns_error(st.dns_errors, spf_dns);
        w.field("status", st.spf);
        w.key("findings");
        write_spf_findings_json(w, findings);
    }
    w.end_object();

    // --- DKIM selectors ---------------------------------------------------------
    std::vector<DkimSelectorCheck> checks;
    for (const auto &sel : id.dkim_selectors) checks.push_back(dkim_check_selector(dns, id.domain, sel));
    DkimProviderRules easy = DkimProviderRules::ses_easy_dkim();
    easy.cname_suffix = "." + id.dkim_provider_suffix;
    for (const auto &tok : id.easy_dkim_tokens) checks.push_back(dkim_check_selector(dns, id.domain, tok, easy));
    bool revoked = false, missing = false, failed = false;
    std::optional<uint32_t> min_bits;
    for (const auto &c : checks) {
        if (c.dns_status == DnsStatus::timeout || c.dns_status == DnsStatus::servfail) {
            failed = true;
            note_dns_error(st.dns_errors, "DKIM " + c.name + ": " + c.dns_detail);
            continue;
        }
        if (!c.key) {
            missing = true;
            continue;
        }
        if (c.key->revoked) {
            revoked = true;
            continue;
        }
        if (c.key->key_type == DkimKeyType::rsa && c.key->key_bits > 0) {
            min_bits = std::min(min_bits.value_or(c.key->key_bits), c.key->key_bits);
        }
        if (!c.ok()) missing = true;  // a key record with errors (cname mismatch, bad key) does not sign for us
    }
    if (checks.empty()) st.dkim = "none";
    else if (revoked) st.dkim = "revoked";
    else if (min_bits && *min_bits < 1024) st.dkim = "weak";
    else if (missing) st.dkim = "missing";
    else if (failed) st.dkim = "error";
    else if (min_bits && *min_bits < 2048) st.dkim = "short";
    else st.dkim = "ok";
    if (min_bits) st.dkim_bits = *min_bits;
    w.key("dkim").begin_object();
    w.field("status", st.dkim);
    w.key("selectors").begin_array();
    for (const auto &c : checks) write_dkim_selector_json(w, c);
    w.end_array();
    w.end_object();

    // --- DMARC ------------------------------------------------------------------
    DmarcDiscovery disc =
        dmarc_discover(dns, id.domain, mode == DmarcDiscoveryMode::rfc7489 ? DmarcMode::rfc7489 : DmarcMode::dmarcbis);
    st.dmarc = disc.status == DmarcStatus::found ? "present" : disc.status == DmarcStatus::none ? "missing" : "error";
    if (disc.status == DmarcStatus::dns_error) {
        for (const auto &l : disc.lookups) {
            if (l.dns_status == DnsStatus::timeout || l.dns_status == DnsStatus::servfail) {
                note_dns_error(st.dns_errors, "DMARC _dmarc." + l.domain + ": " + l.dns_detail);
            }
        }
        if (st.dns_errors.empty()) note_dns_error(st.dns_errors, "DMARC discovery for " + id.domain + " failed");
    }
    if (disc.policy) st.dmarc_policy = std::string(dmarc_policy_name(*disc.policy));
    st.adkim = disc.adkim_strict() ? "s" : "r";
    st.aspf = disc.aspf_strict() ? "s" : "r";
    st.org_domain = disc.org_domain.empty() ? id.domain : disc.org_domain;
    w.key("dmarc");
    write_dmarc_discovery_json(w, disc);

    ev.dns_error = !st.dns_errors.empty();
    w.key("summary").begin_object();
    w.field("spf", st.spf);
    w.field("mail_from", st.mail_from);
    w.field("dkim", st.dkim);
    w.key("dkim_bits");
    if (st.dkim_bits) w.value(*st.dkim_bits);
    else w.null();
    w.field("dmarc", st.dmarc);
    w.field("dmarc_policy", st.dmarc_policy);
    w.field("adkim", st.adkim);
    w.field("aspf", st.aspf);
    w.field("org_domain", st.org_domain);
    w.field("dns_errors", st.dns_errors);
    w.end_object();
    w.end_object();
    st.report = std::move(report);
    return ev;
}

std::string Engine::auth_status_json(std::optional<std::string_view> domain) {
    auto lease = pool_.acquire();
    std::vector<AuthStatus> all = auth_status_list(*lease);
    std::string out;
    JsonWriter w(out);
    if (domain) {
        auto d = normalize_domain(*domain);
        if (!d) fail(Status::parse, "invalid domain \"" + std::string(*domain) + "\": " + d.error().message);
        for (const auto &a : all) {
            if (a.domain == *d) return a.report;
        }
        return "null";
    }
    w.begin_array();
    for (const auto &a : all) w.raw(a.report);
    w.end_array();
    return out;
}

std::string Engine::auth_refresh_json() {
    require_writable();
    std::lock_guard guard(refresh_mu_);  // one refresh (and one DNS callback) at a time
    // One evaluation per domain: address identities share their domain's
    // DNS; a domain identity's settings win over an address identity's.
    std::map<std::string, const IdentityConfig *> by_domain;
    for (const auto &[name, id] : config_.identities) {
        auto [it, inserted] = by_domain.emplace(id.domain, &id);
        if (!inserted && !id.is_address) it->second = &id;
    }
    auto lease = pool_.acquire();
    int64_t now = clock_ms();
    std::unique_ptr<CachingResolver> cache;
    Resolver *dns = resolver_.get();
    if (config_.dns.cache) {
        cache = std::make_unique<CachingResolver>(*resolver_, *lease, now);
        dns = cache.get();
    }
    // No transaction while resolving: lookups may take seconds, and checks
    // must not wait for them.
    std::vector<IdentityEvaluation> results;
    for (const auto &[domain, id] : by_domain) {
        (void)domain;
        results.push_back(evaluate_identity(*dns, *id, config_.auth.dmarc_mode, now));
    }
    {
        Transaction tx(lease->db(), Transaction::Kind::immediate);
        for (const auto &r : results) auth_status_put(*lease, r.status);
        tx.commit();
    }
    std::string out;
    JsonWriter w(out);
    w.begin_object();
    w.key("checked_at").timestamp(now);
    size_t errors = 0;
    for (const auto &r : results) errors += r.dns_error ? 1 : 0;
    w.field("identities", results.size());
    w.field("with_dns_errors", errors);
    if (cache) {
        w.key("dns_cache").begin_object();
        w.field("hits", static_cast<int64_t>(cache->hits()));
        w.field("misses", static_cast<int64_t>(cache->misses()));
        w.end_object();
    }
    w.key("results").begin_array();
    for (const auto &r : results) w.raw(r.status.report);
    w.end_array();
    w.end_object();
    return out;
}

}  // namespace presend
