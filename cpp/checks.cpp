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
    return presend::send_times(c_, address, list, since);
}

void CheckContext::add(size_t recipient, const ReasonDef &def, std::string detail, int64_t retry_after_ms) {
    decision.recipients[recipient].reasons.push_back(
        Finding{&def, std::move(detail), mode == Mode::enforce, retry_after_ms});
}

void CheckContext::add_message(const ReasonDef &def, std::string detail, int64_t retry_after_ms) {
    decision.reasons.push_back(Finding{&def, std::move(detail), mode == Mode::enforce, retry_after_ms});
}

bool CheckContext::still_allowed(size_t recipient) const {
    auto blocks = [](const Finding &f) {
        return f.enforced && (f.def->severity == Severity::block || f.def->severity == Severity::defer);
    };
    for (const auto &f : decision.reasons) {
        if (blocks(f)) return false;
    }
    for (const auto &f : decision.recipients[recipient].reasons) {
        if (blocks(f)) return false;
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
            auto rec = ctx.store.consent(r.address, ctx.message.list);
            if (!rec) {
                ctx.add(i, reason("consent.missing"), "no consent record for " + list_desc);
                continue;
            }
            std::string which = rec->list == "*" ? "every list" : "list \"" + rec->list + "\"";
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

}  // namespace

std::vector<std::unique_ptr<Check>> builtin_checks() {
    std::vector<std::unique_ptr<Check>> checks;
    checks.push_back(std::make_unique<RecipientCheck>());
    checks.push_back(std::make_unique<SuppressionCheck>());
    checks.push_back(std::make_unique<ConsentCheck>());
    checks.push_back(std::make_unique<UnsubscribeCheck>());
    checks.push_back(std::make_unique<FrequencyCheck>());
    return checks;
}

}  // namespace presend
