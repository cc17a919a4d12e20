#include "checks.hpp"

#include <algorithm>
#include <unordered_map>

#include "address.hpp"
#include "mail.hpp"
#include "text.hpp"

namespace presend {

std::optional<ConsentRecord> SqliteStoreView::consent(std::string_view address, std::string_view list) {
    return consent_lookup(c_, address, list);
}
std::vector<SuppressionRecord> SqliteStoreView::suppressions(std::string_view address, std::string_view domain,
                                                             std::string_view list, int64_t now) {
    return suppression_lookup(c_, address, domain, list, now);
}
std::vector<int64_t> SqliteStoreView::send_times(std::string_view address, std::optional<std::string_view> list,
                                                 int64_t since) {
    if (history_) return presend::send_times(c_, history_(address), list, since);
    return presend::send_times(c_, address, list, since);
}

ReputationCounts SqliteStoreView::reputation(std::string_view account, std::string_view region, int64_t since) {
    return reputation_window(c_, account, region, since);
}

std::optional<PauseRecord> SqliteStoreView::pause(std::string_view account, std::string_view region) {
    return pause_find(c_, account, region);
}

std::optional<AuthStatus> SqliteStoreView::auth_status(std::string_view domain) {
    return auth_status_get(c_, domain);
}

Finding &CheckContext::add(size_t recipient, const ReasonDef &def, std::string detail, int64_t retry_after_ms) {
    auto &v = decision.recipients[recipient].reasons;
    v.push_back(Finding{&def, std::move(detail), mode == Mode::enforce, retry_after_ms, std::nullopt});
    return v.back();
}

Finding &CheckContext::add_message(const ReasonDef &def, std::string detail, int64_t retry_after_ms) {
    decision.reasons.push_back(Finding{&def, std::move(detail), mode == Mode::enforce, retry_after_ms, std::nullopt});
    return decision.reasons.back();
}

const std::optional<ConsentRecord> &CheckContext::consent(size_t recipient) {
    if (consent_loaded_.size() != decision.recipients.size()) {
        consents_.assign(decision.recipients.size(), std::nullopt);
        consent_loaded_.assign(decision.recipients.size(), 0);
    }
    if (consent_loaded_[recipient] == 0) {
        consents_[recipient] = store.consent(decision.recipients[recipient].address, message.list);
        consent_loaded_[recipient] = 1;
    }
    return consents_[recipient];
}

bool CheckContext::still_allowed(size_t recipient) const {
    for (const auto &f : decision.reasons) {
        if (f.stops()) return false;
    }
    for (const auto &f : decision.recipients[recipient].reasons) {
        if (f.stops()) return false;
    }
    return true;
}

ParsedRecipients parse_recipients(const Message &m, const Config &config, Decision &d) {
    ParsedRecipients p;
    if (trim(m.from).empty()) {
        p.from_error = "the message has no From address";
    } else {
        auto items = parse_address_list(m.from);
        if (items.empty()) p.from_error = "the From header holds no address";
        for (const auto &it : items) {
            if (!it.mailbox) {
                p.from_error = "From: " + it.error.message;
                break;
            }
            auto n = normalize_mailbox(*it.mailbox, config.address);
            if (!n) {
                p.from_error = "From: " + n.error().message;
                break;
            }
            if (p.from_address.empty()) {
                p.from_address = *n;
                p.from_domain = p.from_address.substr(p.from_address.rfind('@') + 1);
            }
        }
        p.from_valid = p.from_error.empty();
    }

    std::unordered_map<std::string, size_t> seen;
    auto add = [&](const std::vector<std::string> &values) {
        for (const auto &value : values) {
            for (auto &item : parse_address_list(value)) {
                RecipientResult r;
                std::string invalid;
                if (item.mailbox) {
                    auto n = normalize_mailbox(*item.mailbox, config.address);
                    if (n) {
                        r.address = std::move(*n);
                        r.domain = r.address.substr(r.address.rfind('@') + 1);
                        r.valid = true;
                    } else {
                        invalid = n.error().message;
                    }
                } else {
                    invalid = item.error.message;
                }
                if (!r.valid) r.address = item.text;
                auto [it, inserted] = seen.emplace(r.address, d.recipients.size());
                if (!inserted) {
                    if (std::find(p.duplicates.begin(), p.duplicates.end(), it->second) == p.duplicates.end()) {
                        p.duplicates.push_back(it->second);
                    }
                    continue;
                }
                d.recipients.push_back(std::move(r));
                p.invalid_messages.push_back(std::move(invalid));
            }
        }
    };
    add(m.to);
    add(m.cc);
    add(m.bcc);
    return p;
}

bool sandbox_verified(const AccountConfig &account, std::string_view address, std::string_view domain) {
    for (const auto &v : account.verified_recipients) {
        if (v == address || v == domain) return true;
    }
    return false;
}

namespace {

class RecipientCheck final : public Check {
public:
    std::string_view name() const noexcept override { return "recipient"; }
    Mode mode(const Config &c) const noexcept override { return c.recipient.mode; }
    void run(CheckContext &ctx) const override {
        if (!ctx.parsed.from_valid) ctx.add_message(reason("recipient.from_invalid"), ctx.parsed.from_error);
        size_t n = ctx.decision.recipients.size();
        if (n == 0) {
            ctx.add_message(reason("recipient.none"), "the message has no valid To, Cc or Bcc recipient");
        } else if (static_cast<int64_t>(n) > ctx.account.max_recipients_per_message) {
            ctx.add_message(reason("recipient.too_many"),
                            std::to_string(n) + " recipients; account \"" + ctx.account.name + "\" allows " +
                                std::to_string(ctx.account.max_recipients_per_message) + " per message");
        }
        for (size_t i = 0; i < n; ++i) {
            if (!ctx.parsed.invalid_messages[i].empty()) ctx.add(i, reason("recipient.invalid"), ctx.parsed.invalid_messages[i]);
        }
        for (size_t i : ctx.parsed.duplicates) ctx.add(i, reason("recipient.duplicate"));
    }
};

// Sender authentication, from the status `auth refresh` stored: nothing
// here resolves DNS. The rules follow what Gmail and Yahoo require of
// senders (2024): every sender needs SPF or DKIM to pass; bulk senders need
// both, a DMARC record, and one of them aligned with the From domain.
class AuthCheck final : public Check {
public:
    std::string_view name() const noexcept override { return "auth"; }
    Mode mode(const Config &c) const noexcept override { return c.identities.empty() ? Mode::off : c.auth.mode; }
    void run(CheckContext &ctx) const override {
        if (!ctx.parsed.from_valid) return;  // the recipient check reports it
        const IdentityConfig *id = find_identity(ctx.config, ctx.parsed.from_address, ctx.parsed.from_domain);
        if (id == nullptr) {
            ctx.add_message(reason("auth.identity_unverified"),
                            "no identity in the configuration covers " + ctx.parsed.from_address);
            return;
        }
        if (std::find(id->regions.begin(), id->regions.end(), ctx.message.region) == id->regions.end()) {
            std::string where;
            for (const auto &r : id->regions) where += (where.empty() ? "" : ", ") + r;
            ctx.add_message(reason("auth.identity_unverified"),
                            "identity " + id->name + " is not verified in " + ctx.message.region + " (verified in " +
                                where + "): the provider rejects this send");
            return;
        }
        auto status = ctx.store.auth_status(id->domain);
        if (!status) {
            ctx.add_message(reason("auth.status_missing"),
                            "no authentication status for " + id->domain + ": run `presend auth refresh`");
            return;
        }
        if (ctx.now_ms - status->checked_at > ctx.config.auth.stale_after_ms) {
            ctx.add_message(reason("auth.status_stale"), "the status of " + id->domain + " was checked at " +
                                                             format_timestamp(status->checked_at));
        }
        if (!status->dns_errors.empty()) ctx.add_message(reason("auth.dns_error"), status->dns_errors);

        bool bulk = ctx.config.auth.bulk_sender == BulkSender::yes ||
                    (ctx.config.auth.bulk_sender == BulkSender::automatic && ctx.sent_24h >= ctx.config.auth.bulk_threshold);
        const std::string &org = status->org_domain.empty() ? ctx.parsed.from_domain : status->org_domain;

        // SPF: the refresh evaluated the identity's MAIL FROM domain.
        std::string mail_from = envelope_domain(ctx.message.mail_from);
        if (mail_from.empty()) mail_from = status->mail_from;
        bool spf_pass = status->spf == "pass" && mail_from == status->mail_from;
        bool spf_aligned = spf_pass && aligned(mail_from, ctx.parsed.from_domain, org, status->aspf == "s");

        // DKIM: the identity's keys, signing as d= (the message's own
        // DKIM-Signature says which domain, when it has one).
        bool dkim_pass = status->dkim == "ok" || status->dkim == "short";
        std::string d = signing_domain(ctx.message);
        if (d.empty()) d = id->domain;
        bool dkim_aligned = dkim_pass && aligned(d, ctx.parsed.from_domain, org, status->adkim == "s");

        // Findings: severity follows the rules above, unless configured up.
        auto severity = [&](std::string_view code, bool required) {
            bool raised = std::find(ctx.config.auth.block.begin(), ctx.config.auth.block.end(), code) !=
                          ctx.config.auth.block.end();
            return required || raised ? Severity::block : Severity::warn;
        };
        auto add = [&](std::string_view code, bool required, std::string detail) {
            ctx.add_message(reason(code), std::move(detail)).severity_override = severity(code, required);
        };
        bool neither = !spf_pass && !dkim_pass;
        std::string who = bulk ? "a bulk sender" : "every sender";
        if (!spf_pass) {
            std::string detail = status->spf == "pass"
                                     ? "the message's MAIL FROM domain " + mail_from + " is not the one checked (" +
                                           status->mail_from + ")"
                                     : "SPF of " + status->mail_from + " is " + status->spf;
            add("auth.spf_fail", bulk || neither, detail + (neither ? "; and DKIM does not pass either: " + who + " needs one" : ""));
        }
        if (status->dkim == "missing" || status->dkim == "none" || status->dkim == "error") {
            add("auth.dkim_missing", bulk || neither,
                status->dkim == "none" ? "no DKIM selector is configured for " + id->name
                                       : "no DKIM key found for " + id->domain + (status->dkim == "error" ? " (DNS errors)" : ""));
        } else if (status->dkim == "revoked") {
            add("auth.dkim_revoked", bulk || neither, "a DKIM selector of " + id->domain + " publishes a revoked key");
        } else if (status->dkim == "weak") {
            add("auth.dkim_weak_key", true, "a DKIM key of " + id->domain + " has " +
                                                std::to_string(status->dkim_bits.value_or(0)) + " bits; receivers fail keys under 1024");
        } else if (status->dkim == "short") {
            add("auth.dkim_weak_key", false, "a DKIM key of " + id->domain + " has " +
                                                 std::to_string(status->dkim_bits.value_or(0)) + " bits; 2048 is recommended");
        }
        if (status->dmarc != "present") {
            add("auth.dmarc_missing", bulk, "no DMARC record for " + ctx.parsed.from_domain +
                                                (status->dmarc == "error" ? " (DNS errors)" : "") +
                                                (bulk ? "; bulk senders must publish one" : ""));
        }
        if (!spf_aligned && !dkim_aligned && (spf_pass || dkim_pass)) {
            add("auth.dmarc_misaligned", bulk,
                "neither SPF (MAIL FROM " + mail_from + ") nor DKIM (d=" + d + ") is aligned with From " +
                    ctx.parsed.from_domain);
        }
    }

private:
    static const IdentityConfig *find_identity(const Config &c, const std::string &address, std::string_view domain) {
        if (auto it = c.identities.find(address); it != c.identities.end()) return &it->second;
        // A verified domain covers its subdomains: the nearest one wins.
        for (std::string_view d = domain;;) {
            if (auto it = c.identities.find(d); it != c.identities.end() && !it->second.is_address) return &it->second;
            auto dot = d.find('.');
            if (dot == std::string_view::npos) return nullptr;
            d.remove_prefix(dot + 1);
        }
    }
    static std::string envelope_domain(std::string_view mail_from) {
        auto at = mail_from.rfind('@');
        if (at == std::string_view::npos) return {};
        auto d = normalize_domain(mail_from.substr(at + 1));
        return d ? *d : std::string();
    }
    static std::string signing_domain(const Message &m) {
        for (const auto &h : m.headers) {
            if (!header_name_equals(h.name, "DKIM-Signature")) continue;
            auto sig = parse_dkim_signature(h.value);
            if (!sig) continue;
            auto d = normalize_domain(sig->d);
            if (d) return *d;
        }
        return {};
    }
    // DMARC alignment without DNS: strict is equality; relaxed asks whether
    // both domains are the From domain's organizational domain or under it
    // (the refresh found that organizational domain).
    static bool aligned(std::string_view a, std::string_view from, std::string_view org, bool strict) {
        if (strict) return a == from;
        auto under = [&](std::string_view x) {
            return x == org || (x.size() > org.size() && x.substr(x.size() - org.size()) == org &&
                                x[x.size() - org.size() - 1] == '.');
        };
        return under(a) && under(from);
    }
};

class SuppressionCheck final : public Check {
public:
    std::string_view name() const noexcept override { return "suppression"; }
    Mode mode(const Config &c) const noexcept override { return c.suppression.mode; }
    void run(CheckContext &ctx) const override {
        bool marketing = ctx.message.stream == Stream::marketing;
        for (size_t i = 0; i < ctx.decision.recipients.size(); ++i) {
            const auto &r = ctx.decision.recipients[i];
            if (!r.valid) continue;
            for (const auto &s : ctx.store.suppressions(r.address, r.domain, ctx.message.list, ctx.now_ms)) {
                // An unsubscribe, and anything scoped to a list, concerns
                // marketing mail only; bounces and complaints stop every stream.
                bool marketing_only = s.reason == SuppressionReason::unsubscribe || !s.list.empty();
                if (marketing_only && !marketing) continue;
                std::string what = s.address.front() == '@' ? "domain " + s.address.substr(1) : "address";
                std::string detail = "the " + what + " is suppressed (" + std::string(suppression_reason_name(s.reason));
                if (!s.list.empty()) detail += ", list \"" + s.list + "\"";
                detail += ", since " + format_timestamp(s.created_at) + ")";
                const char *code = "suppression.manual";
                switch (s.reason) {
                    case SuppressionReason::bounce: code = "suppression.bounce"; break;
                    case SuppressionReason::complaint: code = "suppression.complaint"; break;
                    case SuppressionReason::manual: code = "suppression.manual"; break;
                    case SuppressionReason::unsubscribe: code = "suppression.unsubscribe"; break;
                }
                ctx.add(i, reason(code), std::move(detail));
            }
        }
    }
};

class ConsentCheck final : public Check {
public:
    std::string_view name() const noexcept override { return "consent"; }
    Mode mode(const Config &c) const noexcept override { return c.consent.mode; }
    void run(CheckContext &ctx) const override {
        if (ctx.message.stream != Stream::marketing) return;  // transactional mail needs no opt-in
        std::string list_desc = ctx.message.list.empty() ? std::string("every list (\"*\")") : "list \"" + ctx.message.list + "\"";
        for (size_t i = 0; i < ctx.decision.recipients.size(); ++i) {
            const auto &r = ctx.decision.recipients[i];
            if (!r.valid) continue;
            const auto &rec = ctx.consent(i);
            if (!rec) {
                ctx.add(i, reason("consent.missing"), "no consent record for " + list_desc);
                continue;
            }
            std::string which = rec->list == "*" ? "every list" : "list \"" + rec->list + "\"";
            // What the send rests on, for the history and reports.
            auto &kept = ctx.decision.recipients[i];
            kept.consent_basis = rec->method == ConsentMethod::double_opt_in && rec->confirmed_at
                                     ? "double"
                                     : std::string(consent_method_name(rec->method));
            kept.consent_evidence = rec->consented_at > 0 && !rec->source.empty();
            if (rec->status == ConsentStatus::unsubscribed) {
                std::string when = rec->withdrawn_at ? " on " + format_timestamp(*rec->withdrawn_at) : std::string();
                ctx.add(i, reason("consent.withdrawn"), "consent for " + which + " was withdrawn" + when);
            } else if (rec->expires_at && *rec->expires_at <= ctx.now_ms) {
                ctx.add(i, reason("consent.expired"),
                        "consent for " + which + " expired on " + format_timestamp(*rec->expires_at));
            } else if (rec->status == ConsentStatus::unconfirmed) {
                ctx.add(i, reason("consent.unconfirmed"), "the opt-in for " + which + " was never confirmed");
            } else if (ctx.config.consent.require_double_opt_in &&
                       (rec->method != ConsentMethod::double_opt_in || !rec->confirmed_at)) {
                ctx.add(i, reason("consent.unconfirmed"),
                        "double opt-in is required; the record for " + which + " is " +
                            std::string(consent_method_name(rec->method)) + " opt-in" +
                            (rec->confirmed_at ? "" : " without a confirmation time"));
            }
        }
    }
};

class UnsubscribeCheck final : public Check {
public:
    std::string_view name() const noexcept override { return "unsubscribe"; }
    Mode mode(const Config &c) const noexcept override { return c.unsubscribe.mode; }
    void run(CheckContext &ctx) const override {
        if (ctx.message.stream != Stream::marketing) return;  // transactional mail is exempt
        UnsubscribePolicy policy;
        policy.accept_mailto_only = ctx.config.unsubscribe.accept_mailto_only;
        for (auto &f : evaluate_unsubscribe(ctx.message.headers, policy)) {
            const ReasonDef *def = find_reason(f.code);
            if (def == nullptr) def = &reason("unsubscribe.malformed");
            ctx.add_message(*def, std::move(f.message));
        }
    }
};

class FrequencyCheck final : public Check {
public:
    std::string_view name() const noexcept override { return "frequency"; }
    Mode mode(const Config &c) const noexcept override { return c.frequency.mode; }
    bool reads_ledger() const noexcept override { return true; }
    void run(CheckContext &ctx) const override {
        if (ctx.message.stream != Stream::marketing) return;
        const auto &fc = ctx.config.frequency;
        int64_t since = ctx.now_ms - fc.period_ms;
        std::optional<std::string_view> list;
        if (fc.per_list) list = std::string_view(ctx.message.list);
        for (size_t i = 0; i < ctx.decision.recipients.size(); ++i) {
            const auto &r = ctx.decision.recipients[i];
            if (!r.valid) continue;
            auto times = ctx.store.send_times(r.address, list, since);
            auto n = static_cast<int64_t>(times.size());
            if (n < fc.max_messages) continue;
            // Room opens when enough of the counted sends have left the period.
            int64_t opens_at = times[static_cast<size_t>(n - fc.max_messages)] + fc.period_ms;
            std::string scope = fc.per_list ? "list \"" + ctx.message.list + "\"" : std::string("all lists");
            ctx.add(i, reason("frequency.capped"),
                    std::to_string(n) + " marketing messages to this recipient (" + scope + ") in the last " +
                        std::to_string(fc.period_ms / 3600000) + " hours; the cap is " +
                        std::to_string(fc.max_messages),
                    std::max<int64_t>(1, opens_at - ctx.now_ms));
        }
    }
};

// An operator's pause defers every message of the account or region. It is
// not a judgement a mode could soften: it is on whenever a pause exists.
class PauseCheck final : public Check {
public:
    std::string_view name() const noexcept override { return "pause"; }
    Mode mode(const Config &) const noexcept override { return Mode::enforce; }
    void run(CheckContext &ctx) const override {
        auto p = ctx.store.pause(ctx.message.account, ctx.message.region);
        if (!p) return;
        std::string scope = p->region.empty() ? "account \"" + p->account + "\"" : p->account + "/" + p->region;
        ctx.add_message(reason("reputation.paused"),
                        scope + " was paused at " + format_timestamp(p->paused_at) + ": " + p->reason +
                            " (presend resume to lift it)",
                        ctx.config.reputation.retry_after_ms);
    }
};

// Bounce and complaint rates over the window, once it holds min_volume
// sends; above the warn levels a warning, above the defer levels marketing
// waits (transactional mail still goes: it is what recipients asked for).
class ReputationCheck final : public Check {
public:
    std::string_view name() const noexcept override { return "reputation"; }
    Mode mode(const Config &c) const noexcept override { return c.reputation.mode; }
    void run(CheckContext &ctx) const override {
        if (ctx.message.stream != Stream::marketing) return;
        const auto &rc = ctx.config.reputation;
        auto counts = ctx.store.reputation(ctx.message.account, ctx.message.region, ctx.now_ms - rc.window_ms);
        if (counts.sends < rc.min_volume) return;
        double sends = static_cast<double>(counts.sends);
        double bounce = static_cast<double>(counts.bounces) / sends;
        double complaint = static_cast<double>(counts.complaints) / sends;
        std::string where = ctx.message.account + "/" + ctx.message.region + " over the last " +
                            std::to_string(rc.window_ms / 3600000) + " hours (" + std::to_string(counts.sends) +
                            " sends)";
        if (bounce >= rc.bounce_defer) {
            ctx.add_message(reason("reputation.bounce_rate"),
                            "bounce rate " + describe_rate(bounce, kSesBounceReview, "SES review threshold") + " for " +
                                where + "; presend defers marketing from " + format_percent(rc.bounce_defer),
                            rc.retry_after_ms);
        } else if (bounce >= rc.bounce_warn) {
            ctx.add_message(reason("reputation.bounce_rate_warning"),
                            "bounce rate " + describe_rate(bounce, kSesBounceReview, "SES review threshold") + " for " + where);
        }
        if (complaint >= rc.complaint_defer) {
            ctx.add_message(reason("reputation.complaint_rate"),
                            "complaint rate " + describe_rate(complaint, kSesComplaintReview, "SES review threshold") +
                                " for " + where + "; presend defers marketing from " + format_percent(rc.complaint_defer),
                            rc.retry_after_ms);
        } else if (complaint >= rc.complaint_warn) {
            ctx.add_message(reason("reputation.complaint_rate_warning"),
                            "complaint rate " + describe_rate(complaint, kSesComplaintReview, "SES review threshold") +
                                " for " + where);
        }
    }
};

}  // namespace

std::vector<std::unique_ptr<Check>> builtin_checks() {
    std::vector<std::unique_ptr<Check>> checks;
    checks.push_back(std::make_unique<RecipientCheck>());
    checks.push_back(std::make_unique<PauseCheck>());
    checks.push_back(std::make_unique<ReputationCheck>());
    checks.push_back(std::make_unique<AuthCheck>());
    checks.push_back(std::make_unique<SuppressionCheck>());
    checks.push_back(std::make_unique<ConsentCheck>());
    checks.push_back(std::make_unique<UnsubscribeCheck>());
    checks.push_back(std::make_unique<FrequencyCheck>());
    return checks;
}

}  // namespace presend
