// The jurisdiction rules: reasons, calendar arithmetic for the legal
// periods, which jurisdiction a recipient falls under, and the findings.
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "region_policy.hpp"

namespace presend::region {

// ---------------------------------------------------------------------------
// Reasons

namespace {

// Every finding is about one recipient: a message's missing postal address
// binds only the recipients whose law asks for one.
constexpr ReasonDef kReasons[] = {
    {codes::consent_missing, Severity::block,
     "the recipient's jurisdiction requires consent for commercial mail (EU/EEA, UK, Canada, Australia) and there "
     "is no consent record, or it is unconfirmed or expired"},
    {codes::consent_basis_not_accepted, Severity::block,
     "the consent record's basis (express, existing customer, implied by a purchase or an inquiry) is not one the "
     "recipient's jurisdiction accepts"},
    {codes::consent_evidence_missing, Severity::block,
     "the consent record lacks evidence the jurisdiction requires the sender to keep (time, method, source)"},
    {codes::implied_consent_expired, Severity::block,
     "implied consent has lapsed (CASL s. 10(10): two years after a purchase, six months after an inquiry)"},
    {codes::implied_consent_expiring, Severity::info,
     "implied consent lapses within expiring_notice_days: ask for express consent"},
    {codes::double_opt_in_required, Severity::block,
     "double opt-in is required for the recipient's jurisdiction and the record is not a confirmed double opt-in"},
    {codes::opted_out, Severity::block,
     "the recipient withdrew consent or opted out: commercial mail stops at once, even while the law's grace "
     "period runs"},
    {codes::opt_out_overdue, Severity::block,
     "the recipient opted out longer ago than the law allows commercial mail to continue (CAN-SPAM and CASL: 10 "
     "business days; Spam Act: 5): sending now would break the law"},
    {codes::residency_violation, Severity::block,
     "the recipient's jurisdiction has data residency on and the message goes through an AWS region outside it "
     "(every stream)"},
    {codes::unsubscribe_missing, Severity::block,
     "commercial mail to the recipient's jurisdiction needs a working opt-out and the message has no "
     "List-Unsubscribe header"},
    {codes::postal_address_missing, Severity::block,
     "commercial mail to the recipient's jurisdiction must carry the sender's postal address (CAN-SPAM, CASL) and "
     "it was neither found in the message nor declared by the host"},
    {codes::sender_identification_missing, Severity::block,
     "commercial mail to the recipient's jurisdiction must identify the sender (CASL, Spam Act): the From header "
     "has no display name and the message text does not name the sender"},
    {codes::jurisdiction_unknown, Severity::warn,
     "the consent record names a jurisdiction the policy pack does not know; the country or a default was used "
     "instead"},
    {codes::jurisdiction_unresolved, Severity::warn,
     "no jurisdiction could be determined for the recipient, so no regional rule was applied (set "
     "default_jurisdiction)"},
};

void json_string(std::string &out, std::string_view s) {
    out += '"';
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
            out += buf;
        } else {
            out += c;
        }
    }
    out += '"';
}

}  // namespace

std::string_view severity_name(Severity s) noexcept {
    switch (s) {
        case Severity::info: return "info";
        case Severity::warn: return "warn";
        case Severity::defer: return "defer";
        case Severity::block: return "block";
    }
    return "block";
}

std::span<const ReasonDef> reasons() noexcept { return kReasons; }

const ReasonDef *find_reason(std::string_view code) noexcept {
    for (const auto &r : kReasons) {
        if (r.code == code) return &r;
    }
    return nullptr;
}

const std::string &reasons_json() {
    static const std::string json = [] {
        std::string out = "[";
        for (const auto &r : kReasons) {
            if (out.size() > 1) out += ',';
            out += "{\"code\":";
            json_string(out, r.code);
            out += ",\"severity\":";
            json_string(out, severity_name(r.severity));
            out += ",\"description\":";
            json_string(out, r.description);
            out += '}';
        }
        return out + "]";
    }();
    return json;
}

// ---------------------------------------------------------------------------
// Names

std::string_view basis_name(Basis b) noexcept {
    switch (b) {
        case Basis::express: return "express";
        case Basis::existing_customer: return "existing_customer";
        case Basis::implied_purchase: return "implied_purchase";
        case Basis::implied_inquiry: return "implied_inquiry";
    }
    return "express";
}

std::optional<Basis> basis_from_name(std::string_view s) noexcept {
    for (auto b : {Basis::express, Basis::existing_customer, Basis::implied_purchase, Basis::implied_inquiry}) {
        if (basis_name(b) == s) return b;
    }
    return std::nullopt;
}

std::string_view evidence_name(EvidenceField f) noexcept {
    switch (f) {
        case EvidenceField::consented_at: return "consented_at";
        case EvidenceField::method: return "method";
        case EvidenceField::source: return "source";
        case EvidenceField::ip: return "ip";
        case EvidenceField::confirmed_at: return "confirmed_at";
    }
    return "consented_at";
}

// ---------------------------------------------------------------------------
// Calendar

namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

constexpr int64_t kMsPerDay = 86'400'000;
// 0001-01-01 and 9999-12-31, as days since the epoch.
constexpr int64_t kMinDay = sys_days{std::chrono::year{1} / 1 / 1}.time_since_epoch().count();
constexpr int64_t kMaxDay = sys_days{std::chrono::year{9999} / 12 / 31}.time_since_epoch().count();

int64_t clamp_day(int64_t d) noexcept { return std::clamp(d, kMinDay, kMaxDay); }

year_month_day ymd_of(int64_t day) noexcept { return year_month_day{sys_days{days{clamp_day(day)}}}; }

int64_t day_from(const year_month_day &ymd) noexcept { return sys_days{ymd}.time_since_epoch().count(); }

}  // namespace

int64_t day_of(int64_t unix_ms) noexcept {
    int64_t d = unix_ms / kMsPerDay;
    if (unix_ms % kMsPerDay < 0) --d;  // floor, for times before 1970
    return clamp_day(d);
}

std::string format_day(int64_t day) {
    const year_month_day ymd = ymd_of(day);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
    return buf;
}

std::optional<int64_t> parse_day(std::string_view t) noexcept {
    if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
    int v[3] = {0, 0, 0};
    const size_t starts[3] = {0, 5, 8}, lens[3] = {4, 2, 2};
    for (int k = 0; k < 3; ++k) {
        for (size_t i = starts[k]; i < starts[k] + lens[k]; ++i) {
            if (t[i] < '0' || t[i] > '9') return std::nullopt;
            v[k] = v[k] * 10 + (t[i] - '0');
        }
    }
    const year_month_day ymd{std::chrono::year{v[0]}, std::chrono::month{static_cast<unsigned>(v[1])},
                             std::chrono::day{static_cast<unsigned>(v[2])}};
    if (v[0] < 1 || !ymd.ok()) return std::nullopt;
    return day_from(ymd);
}

int64_t add_months(int64_t day, int32_t months) noexcept {
    const year_month_day ymd = ymd_of(day);
    const year_month_day later = ymd + std::chrono::months{months};
    if (later.ok()) return clamp_day(day_from(later));
    // No such day in that month: its last day.
    return clamp_day(day_from(year_month_day{std::chrono::year_month_day_last{later.year(),
                                                                              std::chrono::month_day_last{later.month()}}}));
}

bool is_business_day(int64_t day, std::span<const int64_t> holidays) noexcept {
    const std::chrono::weekday wd{sys_days{days{clamp_day(day)}}};
    if (wd == std::chrono::Saturday || wd == std::chrono::Sunday) return false;
    return !std::binary_search(holidays.begin(), holidays.end(), day);
}

int64_t nth_business_day_after(int64_t day, int32_t n, std::span<const int64_t> holidays) noexcept {
    day = clamp_day(day);
    while (n > 0 && day < kMaxDay) {
        ++day;
        if (is_business_day(day, holidays)) --n;
    }
    return day;
}

// ---------------------------------------------------------------------------
// Jurisdiction

namespace {

// Record fields quoted in messages: short, cut on a UTF-8 boundary.
std::string clip(std::string_view s, size_t max = 80) {
    if (s.size() <= max) return std::string(s);
    size_t n = max;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    return std::string(s.substr(0, n)) + "...";
}

std::string q(std::string_view s) { return "\"" + clip(s) + "\""; }

}  // namespace

Resolution resolve_jurisdiction(const Policy &policy, const ConsentFacts *consent, std::string_view list) {
    Resolution r;
    const Pack &pack = policy.pack;
    if (consent != nullptr && !consent->jurisdiction.empty()) {
        r.jurisdiction = pack.find(consent->jurisdiction);
        if (r.jurisdiction != nullptr) {
            r.how = "the record's jurisdiction " + q(consent->jurisdiction);
            return r;
        }
        r.unknown_name = clip(consent->jurisdiction);
    }
    if (consent != nullptr && !consent->country.empty()) {
        r.jurisdiction = pack.for_country(consent->country);
        if (r.jurisdiction != nullptr) {
            r.how = "the record's country " + clip(consent->country, 8);
            return r;
        }
    }
    if (!list.empty()) {
        if (auto it = policy.settings.list_jurisdictions.find(list); it != policy.settings.list_jurisdictions.end()) {
            r.jurisdiction = pack.find(it->second);
            r.how = "the default of list " + q(list);
            return r;
        }
    }
    if (!policy.settings.default_jurisdiction.empty()) {
        r.jurisdiction = pack.find(policy.settings.default_jurisdiction);
        r.how = "default_jurisdiction";
    }
    return r;
}

// ---------------------------------------------------------------------------
// Evaluation

namespace {

constexpr size_t kMaxMessage = 3800;  // presend refuses finding messages over 4096 bytes

// Collects one recipient's findings. Each message ends with the
// jurisdiction, how it was found and the pack's version, so that the
// decision records which rules decided; built only when there is a finding.
class Findings {
public:
    Findings(const Policy &p, const Resolution &r) : policy_(p), resolution_(r) {}
    void add(std::string_view code, std::string text) {
        const ReasonDef *def = find_reason(code);
        const std::string &version = policy_.pack.version;
        if (resolution_.jurisdiction != nullptr) {
            text += " [" + resolution_.jurisdiction->id + " from " + resolution_.how + "; policy pack " + version + "]";
        } else {
            text += " [policy pack " + version + "]";
        }
        if (text.size() > kMaxMessage) text = clip(text, kMaxMessage);
        out.push_back({def->code, def->severity, std::move(text)});
    }
    std::vector<Finding> out;

private:
    const Policy &policy_;
    const Resolution &resolution_;
};

std::string days_word(int64_t n) { return std::to_string(n) + (n == 1 ? " day" : " days"); }

std::string region_desc(const Pack &pack, std::string_view region) {
    std::string out = q(region);
    if (auto it = pack.aws_regions.find(region); it != pack.aws_regions.end()) {
        out += " (" + it->second.name + (it->second.country.empty() ? "" : ", " + it->second.country) + ")";
    }
    return out;
}

std::string join(const std::vector<std::string> &v) {
    std::string out;
    for (const auto &s : v) out += (out.empty() ? "" : ", ") + s;
    return out;
}

// What the law requires of an opt-out, measured in business days.
void opt_out(Findings &f, const Jurisdiction &j, const ConsentFacts &c, int64_t now_ms) {
    if (c.withdrawn_at < 0) {
        f.add(codes::opted_out, "the recipient withdrew consent (the record has no withdrawal time): commercial "
                                "mail to them stops at once");
        return;
    }
    const int64_t asked = day_of(c.withdrawn_at);
    const std::string when = format_day(asked);
    if (j.opt_out_business_days < 0) {
        f.add(codes::opted_out, "the recipient withdrew consent on " + when + "; " + j.law +
                                    " allows no further commercial mail");
        return;
    }
    const int64_t last = nth_business_day_after(asked, j.opt_out_business_days, j.holidays);
    const std::string period = std::to_string(j.opt_out_business_days) + " business days";
    if (day_of(now_ms) > last) {
        f.add(codes::opt_out_overdue, "the recipient opted out on " + when + "; " + j.law + " allows " + period +
                                          ", which ended on " + format_day(last) +
                                          ": a commercial message now breaks the law, and whatever addressed this "
                                          "recipient still has them on its list");
    } else {
        f.add(codes::opted_out, "the recipient opted out on " + when + "; presend stops commercial mail at once (" +
                                    j.law + " allows " + period + ", until " + format_day(last) + ")");
    }
}

void consent_rules(Findings &f, const Policy &policy, const Jurisdiction &j, const ConsentFacts *c, int64_t now_ms) {
    const std::string needs = j.name + " requires consent for commercial mail (" + j.law + ")";
    if (c == nullptr) {
        f.add(codes::consent_missing, needs + " and the recipient has no consent record for this list");
        return;
    }
    if (c->status == "unconfirmed") {
        f.add(codes::consent_missing, needs + " and the recipient's opt-in is unconfirmed");
        return;
    }
    if (c->status != "subscribed") {
        f.add(codes::consent_missing, needs + " and the consent record's status is " + q(c->status));
        return;
    }
    if (c->expires_at >= 0 && c->expires_at <= now_ms) {
        f.add(codes::consent_missing, needs + " and the consent record expired on " + format_day(day_of(c->expires_at)));
        return;
    }

    const Basis basis = policy.settings.basis_of(c->source, c->method);
    const BasisRule &rule = j.bases[static_cast<size_t>(basis)];
    const std::string source = c->source.empty() ? std::string("no source") : "source " + q(c->source);
    if (!rule.accepted) {
        std::vector<std::string> accepted;
        for (size_t b = 0; b < kBasisCount; ++b) {
            if (j.bases[b].accepted) accepted.emplace_back(basis_name(static_cast<Basis>(b)));
        }
        f.add(codes::consent_basis_not_accepted, "the record's consent basis is " + std::string(basis_name(basis)) +
                                                     " (" + source + ", method " + q(c->method) + "); " + j.name +
                                                     " accepts " + join(accepted));
        return;
    }
    if (rule.months > 0) {
        const int64_t from = day_of(c->consented_at);
        const int64_t lapses = add_months(from, rule.months);  // the last day it still holds
        const int64_t today = day_of(now_ms);
        const std::string what = "consent " + std::string(basis_name(basis)) + " from " + format_day(from) + " (" +
                                 source + ") holds for " + std::to_string(rule.months) + " months";
        if (today > lapses) {
            f.add(codes::implied_consent_expired, what + ", until " + format_day(lapses) + " (" + j.law + ")");
            return;
        }
        const int64_t left = lapses - today;
        if (left < policy.settings.expiring_notice_days) {
            f.add(codes::implied_consent_expiring, what + ": its last day is " + format_day(lapses) + ", " +
                                                       (left == 0 ? std::string("today") : "in " + days_word(left)) +
                                                       "; ask for express consent");
        }
    }

    std::vector<std::string> missing;
    for (EvidenceField e : j.evidence) {
        bool present = true;
        switch (e) {
            case EvidenceField::consented_at: present = c->consented_at > 0; break;
            case EvidenceField::method: present = !c->method.empty(); break;
            case EvidenceField::source: present = !c->source.empty(); break;
            case EvidenceField::ip: present = !c->ip.empty(); break;
            case EvidenceField::confirmed_at: present = c->confirmed_at >= 0; break;
        }
        if (!present) missing.emplace_back(evidence_name(e));
    }
    if (!missing.empty()) {
        f.add(codes::consent_evidence_missing, "the consent record has no " + join(missing) + "; " + j.name +
                                                   " requires the sender to prove consent (" + j.law + ")");
    }

    // Double opt-in proves that the address's owner asked; a customer's
    // address came with the sale, so the rule concerns express consent.
    if (basis == Basis::express && policy.double_opt_in(j) && (c->method != "double" || c->confirmed_at < 0)) {
        f.add(codes::double_opt_in_required, "double opt-in is required for " + j.name + "; the record is " +
                                                 q(c->method) + " opt-in" +
                                                 (c->confirmed_at < 0 ? " without a confirmation time" : ""));
    }
}

}  // namespace

std::vector<Finding> evaluate_recipient(const Policy &policy, MessageInfo &message, const ConsentFacts *consent,
                                        int64_t now_ms) {
    // Transactional mail is exempt from every rule but residency
    // (CAN-SPAM 7702(17), CASL s. 6(6), Spam Act Sch. 1, PECR and ePrivacy
    // concern direct marketing), and personal data travels all the same.
    if (!message.marketing && policy.settings.residency.empty()) return {};

    const Resolution r = resolve_jurisdiction(policy, consent, message.list);
    Findings f(policy, r);
    if (!r.unknown_name.empty()) {
        f.add(codes::jurisdiction_unknown, "the consent record names jurisdiction \"" + r.unknown_name +
                                               "\", which the policy pack does not know");
    }
    if (r.jurisdiction == nullptr) {
        f.add(codes::jurisdiction_unresolved,
              "no jurisdiction: the consent record names no known jurisdiction or country, the list has no default "
              "and default_jurisdiction is not set; no regional rule was applied");
        return std::move(f.out);
    }
    const Jurisdiction &j = *r.jurisdiction;

    if (policy.residency(j)) {
        const bool inside = message.region && std::find(j.residency_regions.begin(), j.residency_regions.end(),
                                                        *message.region) != j.residency_regions.end();
        if (!inside) {
            f.add(codes::residency_violation,
                  "mail to " + j.name + " may go only through " + join(j.residency_regions) + "; this message " +
                      (message.region ? "goes through " + region_desc(policy.pack, *message.region)
                                      : std::string("names no sending region")));
        }
    }
    if (!message.marketing) return std::move(f.out);

    if (consent != nullptr && consent->status == "unsubscribed") {
        opt_out(f, j, *consent, now_ms);
    } else if (j.regime == Regime::opt_in) {
        consent_rules(f, policy, j, consent, now_ms);
    }

    if (j.unsubscribe && !message.has_header("List-Unsubscribe")) {
        f.add(codes::unsubscribe_missing,
              j.law + " requires a working opt-out in every commercial message; this one has no List-Unsubscribe header");
    }
    if (j.postal_address) {
        const Presence &p = message.postal_address(policy.settings);
        if (!p.present) {
            f.add(codes::postal_address_missing, j.law + " requires the sender's postal address in every commercial "
                                                         "message: " + p.how);
        }
    }
    if (j.sender_name) {
        const Presence &p = message.sender_name(policy.settings);
        if (!p.present) {
            f.add(codes::sender_identification_missing, j.law + " requires commercial mail to identify its sender: " + p.how);
        }
    }
    return std::move(f.out);
}

}  // namespace presend::region
