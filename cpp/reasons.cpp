#include "reasons.hpp"

#include <array>
#include <deque>
#include <mutex>
#include <string>
#include <cstdlib>

namespace presend {

namespace {

using S = Severity;

// Keep sorted by check, then code. New codes are appended within their check.
constexpr std::array kReasons{
    ReasonDef{"auth.identity_unverified", S::block, "auth",
              "The From address's identity is not verified in the sending region (the provider rejects the send)."},
    ReasonDef{"auth.spf_fail", S::block, "auth",
              "The MAIL FROM domain's SPF does not pass for the provider's senders (a warning for small senders that pass DKIM)."},
    ReasonDef{"auth.dkim_missing", S::block, "auth",
              "No DKIM key could be found for the identity's selectors (a warning for small senders that pass SPF)."},
    ReasonDef{"auth.dkim_revoked", S::block, "auth", "A DKIM selector of the identity publishes a revoked key (empty p=)."},
    ReasonDef{"auth.dkim_weak_key", S::block, "auth",
              "A DKIM key is shorter than 1024 bits (receivers fail it); shorter than 2048 bits is a warning."},
    ReasonDef{"auth.dmarc_missing", S::block, "auth",
              "The From domain has no DMARC record (required of bulk senders; a warning for others)."},
    ReasonDef{"auth.dmarc_misaligned", S::block, "auth",
              "Neither SPF nor DKIM would pass aligned with the From domain (required of bulk senders)."},
    ReasonDef{"auth.dns_error", S::warn, "auth",
              "The last refresh could not resolve some of the identity's records (timeouts or server failures)."},
    ReasonDef{"auth.status_stale", S::warn, "auth",
              "The stored authentication status is older than configured; run presend auth refresh."},
    ReasonDef{"auth.status_missing", S::warn, "auth",
              "The identity's authentication status was never refreshed; run presend auth refresh."},

    ReasonDef{"consent.missing", S::block, "consent",
              "Marketing mail needs a consent record for the recipient and list; there is none."},
    ReasonDef{"consent.unconfirmed", S::block, "consent",
              "The consent record is not confirmed (double opt-in pending, or required and absent)."},
    ReasonDef{"consent.withdrawn", S::block, "consent", "The recipient withdrew consent (unsubscribed)."},
    ReasonDef{"consent.expired", S::block, "consent", "The consent record has expired."},

    ReasonDef{"engine.unavailable", S::defer, "engine",
              "The store or ledger failed; presend fails closed (defer) unless fail_open is set."},
    ReasonDef{"engine.plugin_failed", S::defer, "engine",
              "A plugin's check failed or reported malformed findings; presend fails closed unless fail_open is set."},

    ReasonDef{"frequency.capped", S::defer, "frequency",
              "The recipient already received the configured maximum of marketing messages in the period."},

    ReasonDef{"quota.daily_exhausted", S::defer, "quota",
              "The rolling 24-hour sending maximum is reached; retry when old sends leave the window."},
    ReasonDef{"quota.rate_exceeded", S::defer, "quota",
              "The maximum send rate (recipients per second, with its burst) is reached."},
    ReasonDef{"quota.sandbox_unverified", S::block, "quota",
              "The account is in the SES sandbox and the recipient is not a verified identity."},
    ReasonDef{"quota.approaching", S::info, "quota",
              "The rolling 24-hour count is at 90% or more of the maximum."},

    ReasonDef{"reputation.paused", S::defer, "reputation",
              "Sending for the account (or this region of it) is paused by an operator (presend pause)."},
    ReasonDef{"reputation.bounce_rate", S::defer, "reputation",
              "The bounce rate over the window is at or above checks.reputation.bounce_defer: marketing waits."},
    ReasonDef{"reputation.complaint_rate", S::defer, "reputation",
              "The complaint rate over the window is at or above checks.reputation.complaint_defer: marketing waits."},
    ReasonDef{"reputation.bounce_rate_warning", S::warn, "reputation",
              "The bounce rate over the window is at or above checks.reputation.bounce_warn."},
    ReasonDef{"reputation.complaint_rate_warning", S::warn, "reputation",
              "The complaint rate over the window is at or above checks.reputation.complaint_warn."},

    ReasonDef{"recipient.invalid", S::block, "recipient", "The recipient address is not a valid RFC 5322 address."},
    ReasonDef{"recipient.too_many", S::block, "recipient",
              "The message has more recipients than the account allows per message (SES: 50)."},
    ReasonDef{"recipient.none", S::block, "recipient", "The message has no recipients."},
    ReasonDef{"recipient.from_invalid", S::block, "recipient",
              "The From header is missing or is not a valid address."},
    ReasonDef{"recipient.duplicate", S::info, "recipient",
              "The address appears more than once among To, Cc and Bcc; it is counted once."},

    ReasonDef{"suppression.bounce", S::block, "suppression", "The address is suppressed after a hard bounce."},
    ReasonDef{"suppression.complaint", S::block, "suppression",
              "The address is suppressed after a spam complaint."},
    ReasonDef{"suppression.manual", S::block, "suppression", "The address or its domain is suppressed by hand."},
    ReasonDef{"suppression.unsubscribe", S::block, "suppression",
              "The recipient unsubscribed (applies to marketing mail)."},

    ReasonDef{"unsubscribe.missing", S::block, "unsubscribe",
              "Marketing mail has no List-Unsubscribe header (RFC 2369)."},
    ReasonDef{"unsubscribe.duplicate", S::block, "unsubscribe",
              "More than one List-Unsubscribe or List-Unsubscribe-Post header."},
    ReasonDef{"unsubscribe.malformed", S::block, "unsubscribe",
              "List-Unsubscribe does not follow RFC 2369 (angle-bracketed URIs separated by commas)."},
    ReasonDef{"unsubscribe.not_https", S::block, "unsubscribe",
              "List-Unsubscribe has no https URI (one-click unsubscribe needs HTTPS)."},
    ReasonDef{"unsubscribe.one_click_missing", S::block, "unsubscribe",
              "No List-Unsubscribe-Post header (RFC 8058 one-click, required by Gmail and Yahoo)."},
    ReasonDef{"unsubscribe.one_click_invalid", S::block, "unsubscribe",
              "List-Unsubscribe-Post is not exactly List-Unsubscribe=One-Click."},
    ReasonDef{"unsubscribe.not_signed", S::block, "unsubscribe",
              "A DKIM-Signature is present but its h= does not cover List-Unsubscribe and List-Unsubscribe-Post."},
    ReasonDef{"unsubscribe.no_token", S::warn, "unsubscribe",
              "No unsubscribe URI carries an opaque per-recipient token."},
    ReasonDef{"unsubscribe.mailto_only", S::warn, "unsubscribe",
              "Only mailto unsubscribe URIs (accepted by configuration; Gmail requires one-click HTTPS)."},
};

}  // namespace

std::string_view severity_name(Severity s) noexcept {
    switch (s) {
        case Severity::info: return "info";
        case Severity::warn: return "warn";
        case Severity::defer: return "defer";
        case Severity::block: return "block";
    }
    return "info";
}

std::span<const ReasonDef> all_reasons() noexcept { return kReasons; }

const ReasonDef *find_reason(std::string_view code) noexcept {
    for (const auto &r : kReasons) {
        if (r.code == code) return &r;
    }
    return nullptr;
}

namespace {

struct Interned {
    std::string code, check, description;
    ReasonDef def;
};

std::mutex &interned_mu() {
    static std::mutex mu;
    return mu;
}
// A deque: elements never move, so the ReasonDefs' views stay valid.
std::deque<Interned> &interned() {
    static std::deque<Interned> all;
    return all;
}

}  // namespace

const ReasonDef &intern_reason(std::string_view code, Severity severity, std::string_view check,
                               std::string_view description) {
    std::lock_guard lock(interned_mu());
    for (const auto &i : interned()) {
        if (i.code == code) return i.def;
    }
    auto &i = interned().emplace_back();
    i.code = code;
    i.check = check;
    i.description = description;
    i.def = ReasonDef{i.code, severity, i.check, i.description};
    return i.def;
}

const ReasonDef *find_interned_reason(std::string_view code) noexcept {
    std::lock_guard lock(interned_mu());
    for (const auto &i : interned()) {
        if (i.code == code) return &i.def;
    }
    return nullptr;
}

const ReasonDef &reason(std::string_view code) noexcept {
    const ReasonDef *r = find_reason(code);
    if (r == nullptr) std::abort();
    return *r;
}

}  // namespace presend
