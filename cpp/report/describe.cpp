#include "report/describe.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "report/format.hpp"

namespace presend::report {

namespace {

constexpr const char *kDash = "\u2014";

std::string humanize(std::string_view key) {
    std::string out(key);
    for (char &c : out) {
        if (c == '_') c = ' ';
    }
    if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 'a' + 'A');
    return out;
}

bool is(const Text &t, std::string_view v) { return t && *t == v; }

}  // namespace

std::string place(const Text &account, const Text &region) {
    return text_or_dash(account) + " / " + text_or_dash(region);
}

std::string text_or_dash(const Text &t) { return t && !t->empty() ? *t : kDash; }

std::string yes_no(const Flag &f) { return f ? (*f ? "yes" : "no") : kDash; }

std::string verdict_label(std::string_view v) {
    if (v == "allow") return "Allowed";
    if (v == "partial") return "Partial (some recipients held back)";
    if (v == "block") return "Blocked";
    if (v == "defer") return "Deferred";
    return humanize(v);
}

std::string event_label(std::string_view k) {
    if (k == "ingested") return "Events ingested";
    if (k == "bounces_permanent") return "Permanent bounces";
    if (k == "bounces_transient") return "Transient bounces";
    if (k == "complaints") return "Complaints";
    if (k == "deliveries") return "Deliveries";
    if (k == "suppressed") return "Addresses added to the suppression list";
    return humanize(k);
}

std::string ses_question(std::string_view k) {
    if (k == "list_building") return "How do you build and maintain your recipient lists?";
    if (k == "bounces_and_complaints") return "How do you handle bounces and complaints?";
    if (k == "opt_out") return "How can recipients opt out of your email?";
    if (k == "content") return "What kind of email do you send?";
    return humanize(k);
}

std::string_view level_word(Level l) noexcept {
    switch (l) {
        case Level::ok: return "OK";
        case Level::info: return "Note";
        case Level::warn: return "Warning";
        case Level::bad: return "Problem";
    }
    return "Note";
}

bool audit_failed(const std::optional<Audit> &a) { return !a || !a->verified || !*a->verified; }

std::string audit_sentence(const std::optional<Audit> &a) {
    if (!a) return "The report holds no audit chain verification result.";
    if (!a->verified) return "The audit chain was not verified for this report.";
    if (*a->verified) {
        return "Audit chain verified: " + count_text(a->records) + " records, none altered, removed or reordered.";
    }
    std::string s = "Audit chain verification FAILED";
    if (a->first_bad) s += " at record " + *a->first_bad;
    if (a->problem) s += ": " + *a->problem;
    s += ". Records from that point on cannot be relied on.";
    return s;
}

std::string_view rate_noun(RateKind k) noexcept { return k == RateKind::bounce ? "bounce" : "complaint"; }
int rate_decimals(RateKind k) noexcept { return k == RateKind::bounce ? 2 : 3; }

Number window_rate(const Reputation &r, RateKind k) {
    return k == RateKind::bounce ? r.bounce_rate : r.complaint_rate;
}

Number day_count(const ReputationDay &d, RateKind k) { return k == RateKind::bounce ? d.bounces : d.complaints; }

std::vector<Threshold> thresholds(const Reputation &r, RateKind k) {
    bool b = k == RateKind::bounce;
    struct Item {
        const char *kind;
        const char *name;
        Number value;
    };
    const Item items[] = {
        {"presend_warn", "presend warn", b ? r.bounce_warn : r.complaint_warn},
        {"presend_defer", "presend defer", b ? r.bounce_defer : r.complaint_defer},
        {"ses_review", "SES review", b ? r.bounce_review : r.complaint_review},
        {"ses_pause", "SES pause", b ? r.bounce_pause : r.complaint_pause},
    };
    std::vector<Threshold> out;
    for (const Item &i : items) {
        if (!i.value || *i.value <= 0) continue;
        out.push_back({i.kind, std::string(i.name) + " " + percent_short(*i.value), *i.value});
    }
    std::stable_sort(out.begin(), out.end(), [](const Threshold &a, const Threshold &c) { return a.value < c.value; });
    return out;
}

bool reached(double rate, double threshold) { return rate >= threshold; }

std::string distance(double rate, double threshold, RateKind k) {
    double points = std::fabs(rate - threshold) * 100.0;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", rate_decimals(k), points);
    if (reached(rate, threshold)) {
        if (rate == threshold) return "at the threshold: reached";
        return std::string(buf) + " percentage points above: reached";
    }
    char share[32];
    std::snprintf(share, sizeof share, "%.0f%%", rate / threshold * 100.0);
    return std::string(buf) + " percentage points below (" + share + " of the threshold)";
}

Number ratio(const Number &part, const Number &whole) {
    if (!part || !whole || *whole <= 0) return std::nullopt;
    double v = *part / *whole;
    return std::isfinite(v) ? Number(v) : std::nullopt;
}

Number evidence_share(const ConsentCoverage &c) { return ratio(c.with_evidence, c.marketing_recipients); }

std::string period(const Model &m) { return text_or_dash(m.from) + " to " + text_or_dash(m.to); }

std::string addresses_note(const Text &a) {
    if (is(a, "hashed")) {
        return "Recipient addresses are shown as keyed hashes (k:\u2026): this report names no recipient.";
    }
    if (is(a, "clear")) {
        return "Recipient addresses are shown in clear: this report contains personal data; share it only with "
               "people entitled to see it.";
    }
    return "Recipient addresses: " + text_or_dash(a) + ".";
}

std::vector<Finding> findings(const Model &m) {
    std::vector<Finding> out;
    out.push_back({audit_failed(m.audit) ? Level::bad : Level::ok, audit_sentence(m.audit)});

    for (const Reputation &r : m.reputation) {
        std::string s = place(r.account, r.region) + ": bounce rate " + percent_text(r.bounce_rate, 2) +
                        ", complaint rate " + percent_text(r.complaint_rate, 3);
        if (r.window_hours) s += " over the last " + count_text(r.window_hours) + " hours";
        if (r.status) s += " (status " + *r.status + ")";
        s += ".";
        Level l = Level::ok;
        if (is(r.status, "warn")) l = Level::warn;
        if (r.status && !is(r.status, "ok") && !is(r.status, "warn")) l = Level::bad;
        for (RateKind k : {RateKind::bounce, RateKind::complaint}) {
            Number w = window_rate(r, k);
            if (!w) continue;
            for (const Threshold &t : thresholds(r, k)) {
                if (t.kind.rfind("ses_", 0) == 0 && reached(*w, t.value)) {
                    l = Level::bad;
                    s += " The " + std::string(rate_noun(k)) + " rate has reached " + t.label + ".";
                }
            }
        }
        if (r.paused && *r.paused) {
            l = Level::bad;
            s += " Sending is paused.";
        }
        if (r.counts && !*r.counts) {
            s += " Fewer sends than the minimum volume of " + count_text(r.min_volume) +
                 ": the rates are not acted on yet.";
            // Too few sends for a rate to mean anything (SES, too, judges a
            // representative volume): a note, unless sending is paused.
            if (!(r.paused && *r.paused)) l = Level::info;
        }
        out.push_back({l, s});
    }

    for (const Volume &v : m.volume) {
        std::string s = place(v.account, v.region) + ": busiest 24 hours " + count_text(v.peak_24h) + " recipients";
        Level l = Level::info;
        if (v.max_24h) {
            s += ", " + percent_text(v.peak_share, 1) + " of the 24-hour maximum of " + count_text(v.max_24h);
            if (v.peak_24h && *v.peak_24h > *v.max_24h) {
                l = Level::bad;
                s += " (over the maximum)";
            }
        } else {
            s += "; no 24-hour maximum is known";
        }
        out.push_back({l, s + "."});
    }

    if (!m.authentication.empty()) {
        std::vector<std::string> failing;
        for (const Identity &i : m.authentication) {
            if (!is(i.status, "ok")) failing.push_back(text_or_dash(i.identity) + " (" + text_or_dash(i.region) + ")");
        }
        if (failing.empty()) {
            out.push_back({Level::ok, "All " + std::to_string(m.authentication.size()) +
                                          " sending identities pass the authentication checks."});
        } else {
            std::string s = std::to_string(failing.size()) + " of " + std::to_string(m.authentication.size()) +
                            " sending identities do not pass the authentication checks: ";
            for (size_t i = 0; i < failing.size(); ++i) s += (i ? ", " : "") + failing[i];
            out.push_back({Level::warn, s + "."});
        }
    }

    if (m.not_sent.total) {
        out.push_back({Level::info, count_text(m.not_sent.total) + " recipients were blocked or deferred in the period."});
    }

    size_t lint = 0;
    for (const Plugin &p : m.plugins) lint += p.lint.size();
    if (lint > 0) {
        out.push_back({Level::warn, std::to_string(lint) + (lint == 1 ? " IAM lint finding." : " IAM lint findings.")});
    }
    return out;
}

}  // namespace presend::report
