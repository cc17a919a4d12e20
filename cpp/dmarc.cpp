#include "dmarc.hpp"

#include <libpsl.h>

#include <algorithm>
#include <cctype>

#include "address.hpp"
#include "json.hpp"
#include "text.hpp"

namespace presend {

std::string_view dmarc_mode_name(DmarcMode m) noexcept {
    switch (m) {
        case DmarcMode::dmarcbis: return "dmarcbis";
        case DmarcMode::rfc7489: return "rfc7489";
    }
    return "?";
}

std::optional<DmarcMode> dmarc_mode_from_name(std::string_view name) noexcept {
    if (name == "dmarcbis") return DmarcMode::dmarcbis;
    if (name == "rfc7489") return DmarcMode::rfc7489;
    return std::nullopt;
}

std::string_view dmarc_policy_name(DmarcPolicy p) noexcept {
    switch (p) {
        case DmarcPolicy::none: return "none";
        case DmarcPolicy::quarantine: return "quarantine";
        case DmarcPolicy::reject: return "reject";
    }
    return "?";
}

std::string_view dmarc_psd_name(DmarcPsd p) noexcept {
    switch (p) {
        case DmarcPsd::unspecified: return "u";
        case DmarcPsd::yes: return "y";
        case DmarcPsd::no: return "n";
    }
    return "?";
}

std::string_view dmarc_policy_tag_name(DmarcPolicyTag t) noexcept {
    switch (t) {
        case DmarcPolicyTag::p: return "p";
        case DmarcPolicyTag::sp: return "sp";
        case DmarcPolicyTag::np: return "np";
    }
    return "?";
}

std::string_view dmarc_status_name(DmarcStatus s) noexcept {
    switch (s) {
        case DmarcStatus::found: return "found";
        case DmarcStatus::none: return "none";
        case DmarcStatus::dns_error: return "dns_error";
    }
    return "?";
}

const DmarcTag *DmarcRecord::find(std::string_view name) const noexcept {
    for (const auto &t : tags) {
        if (t.name == name) return &t;
    }
    return nullptr;
}

namespace {

constexpr size_t npos = std::string_view::npos;

bool is_alpha(char c) noexcept { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_wsp(char c) noexcept { return c == ' ' || c == '\t'; }

std::string_view trim_wsp(std::string_view s) noexcept {
    while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
    return s;
}

std::string at_byte(size_t pos) { return " at byte " + std::to_string(pos); }

std::string excerpt(std::string_view s) {
    constexpr size_t kMax = 64;
    std::string out = utf8_repair(s.size() <= kMax ? s : s.substr(0, kMax));
    if (s.size() > kMax) out += "...";
    return out;
}

AuthFinding finding(std::string code, AuthSeverity severity, std::string message) {
    return AuthFinding{std::move(code), severity, std::move(message)};
}

std::optional<DmarcPolicy> policy_from(std::string_view v) {
    // dmarc-request (bis 4.8): ABNF literals, so case-insensitive (RFC 5234 2.3).
    if (ascii_iequals(v, "none")) return DmarcPolicy::none;
    if (ascii_iequals(v, "quarantine")) return DmarcPolicy::quarantine;
    if (ascii_iequals(v, "reject")) return DmarcPolicy::reject;
    return std::nullopt;
}

bool all_digits(std::string_view s) noexcept {
    return !s.empty() && std::all_of(s.begin(), s.end(), is_digit);
}

// A non-negative decimal up to `max`.
std::optional<uint64_t> parse_uint(std::string_view s, uint64_t max) {
    if (!all_digits(s)) return std::nullopt;
    uint64_t v = 0;
    for (const char c : s) {
        v = v * 10 + static_cast<uint64_t>(c - '0');
        if (v > max) return std::nullopt;
    }
    return v;
}

// Characters a dmarc-uri may hold (RFC 3986 unreserved / reserved, with ','
// and '!' percent-encoded, bis 4.8); '%' must start a pct-encoded octet.
bool uri_chars_ok(std::string_view s) {
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (is_alpha(c) || is_digit(c)) continue;
        if (c == '%') {
            if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
                !std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
                return false;
            }
            i += 2;
            continue;
        }
        if (std::string_view("-._~:/?#[]@$&'()*+=").find(c) == npos) return false;
    }
    return true;
}

// Checks one dmarc-uri (bis 4.8; RFC 7489 6.4 has the same with a size
// suffix). Returns the URI without its "!size" suffix, or an explanation.
bool check_uri(std::string_view uri, std::string &out, bool &had_size, std::string &why) {
    had_size = false;
    if (const size_t bang = uri.find('!'); bang != npos) {
        // obs-dmarc-report-size = "!" 1*DIGIT [ "k" / "m" / "g" / "t" ]
        std::string_view size = uri.substr(bang + 1);
        if (!size.empty() && std::string_view("kmgtKMGT").find(size.back()) != npos) size.remove_suffix(1);
        if (!all_digits(size)) {
            why = "'!' must be percent-encoded unless it starts a size limit (!10m)";
            return false;
        }
        had_size = true;
        uri = uri.substr(0, bang);
    }
    size_t i = 0;
    if (uri.empty() || !is_alpha(uri[0])) {
        why = "no scheme (expected mailto:...)";
        return false;
    }
    while (i < uri.size() && (is_alpha(uri[i]) || is_digit(uri[i]) || uri[i] == '+' || uri[i] == '-' || uri[i] == '.')) {
        ++i;
    }
    if (i == uri.size() || uri[i] != ':') {
        why = "no scheme (expected mailto:...)";
        return false;
    }
    if (!uri_chars_ok(uri.substr(i + 1))) {
        why = "characters that a URI may not hold (white space, ',' or '!' not percent-encoded, ...)";
        return false;
    }
    if (ascii_iequals(uri.substr(0, i), "mailto")) {
        std::string_view addr = uri.substr(i + 1);
        addr = addr.substr(0, addr.find('?'));
        const size_t at = addr.rfind('@');
        if (at == npos || at == 0 || at + 1 == addr.size()) {
            why = "a mailto: URI needs an address (local@domain)";
            return false;
        }
        if (!normalize_domain(addr.substr(at + 1))) {
            why = "the domain of the address is not valid";
            return false;
        }
    } else if (i + 1 == uri.size()) {
        why = "nothing after the scheme";
        return false;
    }
    out.assign(uri);
    return true;
}

void parse_uri_list(DmarcRecord &r, const DmarcTag &tag, DmarcMode mode, std::vector<std::string> &out) {
    // dmarc-urilist: URIs separated by *WSP "," *WSP.
    std::string_view rest = tag.value;
    for (;;) {
        const size_t comma = rest.find(',');
        const std::string_view item = trim_wsp(rest.substr(0, comma));
        std::string uri, why;
        bool had_size = false;
        if (item.empty()) {
            r.findings.push_back(finding("dmarc.invalid_uri", AuthSeverity::warning,
                                         "empty URI in " + tag.name + "=" + at_byte(tag.position)));
        } else if (!check_uri(item, uri, had_size, why)) {
            r.findings.push_back(finding("dmarc.invalid_uri", AuthSeverity::warning,
                                         tag.name + "=" + excerpt(item) + " is not a valid URI: " + why +
                                             "; receivers ignore it"));
        } else {
            if (had_size && mode == DmarcMode::dmarcbis) {
                r.findings.push_back(finding("dmarc.obsolete_tag", AuthSeverity::info,
                                             "the size limit in " + tag.name + "=" + excerpt(item) +
                                                 " is obsolete; receivers ignore it (bis 4.8)"));
            }
            out.push_back(std::move(uri));
        }
        if (comma == npos) break;
        rest.remove_prefix(comma + 1);
    }
}

// dmarc-fo (bis 4.8): "0" / "1" / "d" / "s" separated by ':', "0" and "1"
// mutually exclusive, each at most once.
bool parse_fo(std::string_view v, std::vector<std::string> &out) {
    std::vector<std::string> items;
    for (;;) {
        const size_t colon = v.find(':');
        std::string item = ascii_lower(v.substr(0, colon));
        if (item != "0" && item != "1" && item != "d" && item != "s") return false;
        if (std::find(items.begin(), items.end(), item) != items.end()) return false;
        items.push_back(std::move(item));
        if (colon == npos) break;
        v.remove_prefix(colon + 1);
    }
    const bool zero = std::find(items.begin(), items.end(), "0") != items.end();
    const bool one = std::find(items.begin(), items.end(), "1") != items.end();
    if (zero && one) return false;
    out = std::move(items);
    return true;
}

// RFC 7489 6.4: dmarc-rfmt = "rf" *WSP "=" *WSP Keyword *(*WSP ":" Keyword).
bool parse_rf(std::string_view v, std::vector<std::string> &out) {
    std::vector<std::string> items;
    for (;;) {
        const size_t colon = v.find(':');
        const std::string_view item = trim_wsp(v.substr(0, colon));
        if (item.empty() || !std::all_of(item.begin(), item.end(), [](char c) {
                return is_alpha(c) || is_digit(c) || c == '-';
            })) {
            return false;
        }
        items.push_back(ascii_lower(item));
        if (colon == npos) break;
        v.remove_prefix(colon + 1);
    }
    out = std::move(items);
    return true;
}

void syntax(DmarcRecord &r, const DmarcTag &tag, const std::string &what) {
    r.findings.push_back(finding("dmarc.syntax", AuthSeverity::warning,
                                 tag.name + "=" + excerpt(tag.value) + " " + what + at_byte(tag.position)));
}

void not_in_mode(DmarcRecord &r, const DmarcTag &tag, DmarcMode mode) {
    if (mode == DmarcMode::dmarcbis) {
        r.findings.push_back(finding("dmarc.obsolete_tag", AuthSeverity::info,
                                     tag.name + "= was removed by DMARCbis (bis Appendix A.6); RFC 7489 receivers "
                                                "still read it"));
    } else {
        r.findings.push_back(finding("dmarc.unknown_tag", AuthSeverity::info,
                                     tag.name + "= is not an RFC 7489 tag (it is DMARCbis'); RFC 7489 receivers "
                                                "ignore it"));
    }
}

void interpret(DmarcRecord &r, const DmarcTag &tag, DmarcMode mode) {
    const std::string &n = tag.name;
    const std::string_view v = tag.value;
    const bool bis = mode == DmarcMode::dmarcbis;
    if (n == "p" || n == "sp" || n == "np") {
        if (n == "np" && !bis) not_in_mode(r, tag, mode);
        auto pol = policy_from(v);
        std::optional<DmarcPolicy> &slot = n == "p" ? r.p : n == "sp" ? r.sp : r.np;
        bool &invalid = n == "p" ? r.p_invalid : n == "sp" ? r.sp_invalid : r.np_invalid;
        slot = pol;
        invalid = !pol;
        if (!pol && (bis || n != "np")) {
            r.findings.push_back(finding(
                "dmarc.invalid_policy", AuthSeverity::error,
                n + "=" + excerpt(v) + " is not none, quarantine or reject" + at_byte(tag.position) +
                    ": receivers act as p=none when rua= has a valid URI and apply no DMARC otherwise (" +
                    (bis ? "bis 4.10.1" : "RFC 7489 6.6.3") + ")"));
        }
    } else if (n == "adkim" || n == "aspf") {
        // dmarc-rors (bis 4.8); a syntax error leaves the default (bis 4.8).
        bool &strict = n == "adkim" ? r.adkim_strict : r.aspf_strict;
        if (ascii_iequals(v, "s")) strict = true;
        else if (!ascii_iequals(v, "r")) syntax(r, tag, "is not r or s; relaxed alignment (the default) applies");
    } else if (n == "t") {
        if (!bis) not_in_mode(r, tag, mode);
        if (ascii_iequals(v, "y")) r.testing = true;
        else if (!ascii_iequals(v, "n")) syntax(r, tag, "is not y or n; the default n applies");
    } else if (n == "psd") {
        if (!bis) not_in_mode(r, tag, mode);
        if (ascii_iequals(v, "y")) r.psd = DmarcPsd::yes;
        else if (ascii_iequals(v, "n")) r.psd = DmarcPsd::no;
        else if (!ascii_iequals(v, "u")) syntax(r, tag, "is not y, n or u; the default u applies");
    } else if (n == "rua") {
        parse_uri_list(r, tag, mode, r.rua);
    } else if (n == "ruf") {
        parse_uri_list(r, tag, mode, r.ruf);
    } else if (n == "fo") {
        if (!parse_fo(v, r.fo)) syntax(r, tag, "is not a list of 0, 1, d, s; the default 0 applies");
    } else if (n == "pct") {
        if (bis) not_in_mode(r, tag, mode);
        // RFC 7489 6.3: an integer from 0 to 100 (dmarc-percent = 1*3DIGIT).
        if (auto pct = parse_uint(v, 100); pct && v.size() <= 3) r.pct = static_cast<uint32_t>(*pct);
        else syntax(r, tag, "is not an integer from 0 to 100; the default 100 applies");
    } else if (n == "rf") {
        if (bis) not_in_mode(r, tag, mode);
        if (!parse_rf(v, r.rf)) syntax(r, tag, "is not a list of report formats; the default afrf applies");
    } else if (n == "ri") {
        if (bis) not_in_mode(r, tag, mode);
        // RFC 7489 6.3: a 32-bit unsigned integer.
        if (auto ri = parse_uint(v, 0xFFFFFFFFu)) r.ri = static_cast<uint32_t>(*ri);
        else syntax(r, tag, "is not a 32-bit unsigned integer; the default 86400 applies");
    } else if (n != "v") {
        // Unknown tags MUST be ignored (bis 4.7, RFC 7489 6.3).
        r.findings.push_back(finding("dmarc.unknown_tag", AuthSeverity::info,
                                     "unknown tag " + excerpt(n) + "=" + at_byte(tag.position) + " is ignored"));
    }
}

}  // namespace

bool dmarc_is_record(std::string_view txt) noexcept {
    // dmarc-version = "v" equals %s"DMARC1" (bis 4.8), followed by a
    // dmarc-sep or the end. Leading WSP is tolerated as in RFC 6376 3.2.
    size_t i = 0;
    while (i < txt.size() && is_wsp(txt[i])) ++i;
    if (i == txt.size() || (txt[i] != 'v' && txt[i] != 'V')) return false;
    ++i;
    while (i < txt.size() && is_wsp(txt[i])) ++i;
    if (i == txt.size() || txt[i] != '=') return false;
    ++i;
    while (i < txt.size() && is_wsp(txt[i])) ++i;
    if (txt.substr(i, 6) != "DMARC1") return false;
    i += 6;
    while (i < txt.size() && is_wsp(txt[i])) ++i;
    return i == txt.size() || txt[i] == ';';
}

Result<DmarcRecord> dmarc_parse(std::string_view txt, DmarcMode mode) {
    DmarcRecord r;
    const bool bis = mode == DmarcMode::dmarcbis;
    // dmarc-record = dmarc-version *(dmarc-sep dmarc-tag) [dmarc-sep], with
    // dmarc-sep = *WSP ";" *WSP; values cannot hold ';'.
    size_t start = 0;
    size_t index = 0;
    for (;;) {
        size_t end = txt.find(';', start);
        const bool last = end == npos;
        if (last) end = txt.size();
        const std::string_view raw = txt.substr(start, end - start);
        const std::string_view part = trim_wsp(raw);
        const size_t pos = start + static_cast<size_t>(part.data() - raw.data());
        const size_t eq = part.find('=');
        if (index == 0) {
            // bis 4.7 v=: MUST be first, value "DMARC1"; otherwise the entire record MUST be ignored.
            if (txt.empty()) return parse_error("empty record", 0);
            if (eq == npos || !ascii_iequals(trim_wsp(part.substr(0, eq)), "v")) {
                return parse_error("a DMARC record must start with v=DMARC1" + at_byte(pos), pos);
            }
            const std::string_view v = trim_wsp(part.substr(eq + 1));
            if (v != "DMARC1") {
                std::string msg = "v=" + excerpt(v) + " is not DMARC1";
                if (v.starts_with("DMARC1") && v.size() > 6 && is_wsp(v[6])) msg += " (a ';' missing after DMARC1?)";
                return parse_error(msg + at_byte(pos), pos);
            }
            r.tags.push_back(DmarcTag{"v", std::string(v), pos});
        } else if (part.empty()) {
            if (!last) {
                r.findings.push_back(finding("dmarc.syntax", AuthSeverity::warning,
                                             "an empty tag between two ';'" + at_byte(start)));
            }
        } else if (eq == npos) {
            r.findings.push_back(finding("dmarc.syntax", AuthSeverity::warning,
                                         "'" + excerpt(part) + "' is not a tag=value pair; ignored" + at_byte(pos)));
        } else {
            const std::string_view name = trim_wsp(part.substr(0, eq));
            const std::string_view value = trim_wsp(part.substr(eq + 1));
            // dmarc-tag = 1*ALPHA equals 1*dmarc-value (bis 4.8).
            if (name.empty() || !std::all_of(name.begin(), name.end(), is_alpha)) {
                r.findings.push_back(finding("dmarc.syntax", AuthSeverity::warning,
                                             "'" + excerpt(name) + "' is not a tag name (letters only); ignored" +
                                                 at_byte(pos)));
            } else {
                std::string lname = ascii_lower(name);
                // The tag-list of RFC 6376 3.2: a duplicate invalidates the whole list.
                for (const auto &t : r.tags) {
                    if (t.name == lname) return parse_error("duplicate tag " + excerpt(lname) + "=" + at_byte(pos), pos);
                }
                r.tags.push_back(DmarcTag{std::move(lname), std::string(value), pos});
            }
        }
        ++index;
        if (last) break;
        start = end + 1;
    }

    for (const auto &tag : r.tags) interpret(r, tag, mode);

    const DmarcTag *p = r.find("p");
    if (p == nullptr) {
        if (bis) {
            r.findings.push_back(finding("dmarc.no_policy", AuthSeverity::warning,
                                         "no p= tag: receivers treat the record as p=none (bis 4.7)"));
        } else {
            r.findings.push_back(finding("dmarc.no_policy", AuthSeverity::error,
                                         "no p= tag, which RFC 7489 requires (6.3): receivers act as p=none when "
                                         "rua= has a valid URI and ignore the record otherwise (6.6.3)"));
        }
    } else if (!bis && p != &r.tags[1]) {
        r.findings.push_back(finding("dmarc.syntax", AuthSeverity::warning,
                                     "p= must directly follow v= in RFC 7489 (6.3)" + at_byte(p->position)));
    }
    if (r.p == DmarcPolicy::none) {
        r.findings.push_back(finding("dmarc.policy_none", AuthSeverity::info,
                                     "p=none: monitoring only; mail that fails DMARC is delivered as usual"));
    }
    if (bis && r.testing && r.p && *r.p != DmarcPolicy::none) {
        r.findings.push_back(finding("dmarc.testing", AuthSeverity::info,
                                     "t=y: receivers apply " +
                                         std::string(*r.p == DmarcPolicy::reject ? "quarantine instead of reject"
                                                                                 : "none instead of quarantine") +
                                         " (bis 4.7)"));
    }
    if (r.pct < 100) {
        r.findings.push_back(finding(
            "dmarc.pct_partial", AuthSeverity::warning,
            "pct=" + std::to_string(r.pct) + ": RFC 7489 receivers apply the policy to " + std::to_string(r.pct) +
                "% of failing mail" +
                (bis ? std::string("; DMARCbis receivers ignore pct= and apply all of it") : std::string())));
    }
    if (r.rua.empty()) {
        r.findings.push_back(finding("dmarc.no_rua", AuthSeverity::info,
                                     "no valid rua= URI: no aggregate reports will be sent"));
    }
    return r;
}

std::optional<DmarcPolicy> dmarc_record_policy(const DmarcRecord &record, DmarcPolicyTag tag, DmarcMode mode) {
    const bool bis = mode == DmarcMode::dmarcbis;
    const bool broken = record.p_invalid || record.sp_invalid || (bis && record.np_invalid) ||
                        (!bis && record.find("p") == nullptr);
    if (broken) {
        if (record.rua.empty()) return std::nullopt;
        return DmarcPolicy::none;
    }
    const DmarcPolicy p = record.p.value_or(DmarcPolicy::none);  // bis 4.7 p=: absent means none
    switch (tag) {
        case DmarcPolicyTag::p: return p;
        case DmarcPolicyTag::sp: return record.sp.value_or(p);
        case DmarcPolicyTag::np:
            if (bis && record.np) return *record.np;
            return record.sp.value_or(p);
    }
    return p;
}

DmarcRecordCheck dmarc_check_record(std::string_view txt, DmarcMode mode) {
    DmarcRecordCheck c;
    c.record = std::string(txt);
    c.mode = mode;
    auto r = dmarc_parse(txt, mode);
    if (r) {
        c.findings = r->findings;
        c.parsed = std::move(*r);
    } else {
        c.findings.push_back(finding("dmarc.syntax", AuthSeverity::error,
                                     "not a valid DMARC record, receivers ignore it: " + r.error().message));
        c.error = std::move(r).error();
    }
    return c;
}

// --- Discovery -------------------------------------------------------------------

std::vector<std::string> dmarc_tree_walk_names(std::string_view domain) {
    std::vector<std::string> names;
    if (domain.empty()) return names;
    names.emplace_back(domain);
    // Offsets of the label starts, right to left.
    std::vector<size_t> starts;
    for (size_t i = domain.size(); i > 0; --i) {
        if (domain[i - 1] == '.') starts.push_back(i);
    }
    const size_t labels = starts.size() + 1;
    // bis 4.10 step 4: fewer than 8 labels, drop one; 8 or more, keep 7.
    size_t keep = labels >= 8 ? 7 : labels - 1;
    for (; keep >= 1; --keep) names.emplace_back(domain.substr(starts[keep - 1]));
    return names;
}

namespace {

// The name `labels` labels long at the right of `domain`.
std::string rightmost_labels(std::string_view domain, size_t labels) {
    size_t count = 0;
    for (size_t i = domain.size(); i > 0; --i) {
        if (domain[i - 1] == '.' && ++count == labels) return std::string(domain.substr(i));
    }
    return std::string(domain);
}

size_t label_count(std::string_view domain) {
    return domain.empty() ? 0 : static_cast<size_t>(std::count(domain.begin(), domain.end(), '.')) + 1;
}

DmarcLookup query_dmarc(Resolver &resolver, const std::string &domain, DmarcMode mode, uint32_t &queries) {
    DmarcLookup l;
    l.domain = domain;
    const DnsAnswer a = resolver.query("_dmarc." + domain, RRType::TXT);
    ++queries;
    l.dns_status = a.status;
    l.dns_detail = a.detail;
    l.cnames = a.cnames;
    if (!a.ok()) return l;
    l.records = a.records;
    const std::string *only = nullptr;
    for (const auto &txt : a.records) {
        if (dmarc_is_record(txt)) {
            ++l.dmarc_records;
            only = &txt;
        }
    }
    if (l.dmarc_records == 1) {
        auto r = dmarc_parse(*only, mode);
        if (r) l.record = std::move(*r);
        else l.error = std::move(r).error();
    }
    return l;
}

// bis 4.10.2: the organizational domain from a complete walk from `start`
// (the lookups in walk order).
std::string org_from_walk(const std::string &start, const std::vector<const DmarcLookup *> &walk) {
    const DmarcLookup *last = nullptr;
    for (const DmarcLookup *l : walk) {
        if (l->record) last = l;
    }
    if (last == nullptr) return start;  // "the initial target domain is the Organizational Domain"
    // The walk stops at the first record with psd=y or psd=n, so only the
    // shortest name's record can carry one.
    if (last->record->psd == DmarcPsd::no) return last->domain;  // step 1
    if (last->record->psd == DmarcPsd::yes && last->domain != start) {
        return rightmost_labels(start, label_count(last->domain) + 1);  // step 2
    }
    return last->domain;  // step 3: the record with the fewest labels
}

bool stops_walk(const DmarcLookup &l) { return l.record && l.record->psd != DmarcPsd::unspecified; }

std::string lookup_failure(const DmarcLookup &l) {
    return "TXT lookup of _dmarc." + l.domain + " failed (" + std::string(dns_status_name(l.dns_status)) +
           (l.dns_detail.empty() ? std::string() : ": " + l.dns_detail) + ")";
}

// Findings about one _dmarc name: several records, a record that does not
// parse, TXT records that look like DMARC but do not start with v=DMARC1.
void lookup_findings(const DmarcLookup &l, std::vector<AuthFinding> &out) {
    if (l.dmarc_records > 1) {
        out.push_back(finding("dmarc.several_records", AuthSeverity::error,
                              std::to_string(l.dmarc_records) + " DMARC records at _dmarc." + l.domain +
                                  ": receivers discard them all"));
    }
    if (l.error) {
        out.push_back(finding("dmarc.syntax", AuthSeverity::error,
                              "the DMARC record at _dmarc." + l.domain + " is invalid and ignored: " + l.error->message));
    }
    for (const auto &txt : l.records) {
        if (dmarc_is_record(txt)) continue;
        const std::string_view head = trim_wsp(txt);
        if (head.size() >= 7 && (head[0] == 'v' || head[0] == 'V') &&
            ascii_lower(head).find("dmarc") != std::string::npos && head.find('=') < 4) {
            out.push_back(finding("dmarc.syntax", AuthSeverity::error,
                                  "a TXT record at _dmarc." + l.domain + " does not start with v=DMARC1 and is ignored: " +
                                      excerpt(txt)));
        }
    }
}

std::optional<std::string> canonical_domain(std::string_view domain) {
    auto n = normalize_domain(domain);
    if (!n || n->empty() || n->front() == '[') return std::nullopt;
    return std::move(*n);
}

const psl_ctx_t *public_suffix_list() {
    // Loaded once, immutable afterwards. psl_latest(NULL) takes the newer of
    // the distribution's list and libpsl's built-in copy.
    static const psl_ctx_t *const ctx = []() -> const psl_ctx_t * {
        if (const psl_ctx_t *latest = psl_latest(nullptr)) return latest;
        return psl_builtin();
    }();
    return ctx;
}

std::string psl_org_domain(const std::string &domain) {
    const psl_ctx_t *psl = public_suffix_list();
    if (psl == nullptr) return domain;
    const char *reg = psl_registrable_domain(psl, domain.c_str());
    // A public suffix itself has no registrable domain: it is its own.
    return reg != nullptr ? std::string(reg) : domain;
}

}  // namespace

DmarcDiscovery dmarc_discover(Resolver &resolver, std::string_view from_domain, DmarcMode mode) {
    DmarcDiscovery d;
    d.mode = mode;
    auto from = canonical_domain(from_domain);
    if (!from) {
        d.from_domain = std::string(from_domain);
        d.findings.push_back(
            finding("dmarc.invalid_domain", AuthSeverity::error, "\"" + excerpt(from_domain) + "\" is not a valid domain"));
        return d;
    }
    d.from_domain = *from;
    const std::string &fd = d.from_domain;
    std::vector<AuthFinding> found;  // discovery findings, before the record's

    // The record that applies: its domain and which lookup holds it.
    const DmarcLookup *applied = nullptr;
    bool failed = false;

    if (mode == DmarcMode::dmarcbis) {
        // bis 4.10: one walk gives the policy record (4.10.1) and the
        // organizational domain (4.10.2).
        for (const std::string &name : dmarc_tree_walk_names(fd)) {
            d.lookups.push_back(query_dmarc(resolver, name, mode, d.queries));
            const DmarcLookup &l = d.lookups.back();
            if (l.dns_status == DnsStatus::timeout || l.dns_status == DnsStatus::servfail) {
                found.push_back(finding("dmarc.dns_error", AuthSeverity::error, lookup_failure(l)));
                failed = true;
                break;
            }
            lookup_findings(l, found);
            if (stops_walk(l)) break;
        }
        std::vector<const DmarcLookup *> walk;
        for (const auto &l : d.lookups) walk.push_back(&l);
        if (!failed) d.org_domain = org_from_walk(fd, walk);

        if (!d.lookups.empty() && d.lookups.front().record) {
            applied = &d.lookups.front();  // the From domain's own record
        } else if (!failed) {
            for (const auto &l : d.lookups) {
                if (l.record && l.domain == d.org_domain) applied = &l;
            }
            if (applied == nullptr) {
                // The public suffix domain's record (psd=y), the last one found.
                for (const auto &l : d.lookups) {
                    if (l.record && l.record->psd == DmarcPsd::yes) applied = &l;
                }
                if (applied != nullptr) {
                    found.push_back(finding("dmarc.psd_policy", AuthSeverity::info,
                                            "the policy comes from the public suffix operator's record at _dmarc." +
                                                applied->domain + " (psd=y): " + fd + " publishes none of its own"));
                }
            }
        }
    } else {
        // RFC 7489 6.6.3: the From domain, else the organizational domain (3.2).
        d.org_domain = psl_org_domain(fd);
        std::vector<std::string> names{fd};
        if (d.org_domain != fd) names.push_back(d.org_domain);
        for (const std::string &name : names) {
            d.lookups.push_back(query_dmarc(resolver, name, mode, d.queries));
            const DmarcLookup &l = d.lookups.back();
            if (l.dns_status == DnsStatus::timeout || l.dns_status == DnsStatus::servfail) {
                found.push_back(finding("dmarc.dns_error", AuthSeverity::error, lookup_failure(l)));
                failed = true;
                break;
            }
            lookup_findings(l, found);
            // Steps 3-5: only an empty set sends the search on to the
            // organizational domain; several records, or one that does not
            // parse, leave the message without DMARC.
            if (l.dmarc_records > 0) {
                if (l.record) applied = &l;
                break;
            }
        }
    }

    if (applied != nullptr) {
        d.status = DmarcStatus::found;
        d.record_domain = applied->domain;
        d.record = applied->record;
    } else if (failed) {
        d.status = DmarcStatus::dns_error;
    } else {
        d.status = DmarcStatus::none;
        const bool invalid = std::any_of(d.lookups.begin(), d.lookups.end(),
                                         [](const DmarcLookup &l) { return l.dmarc_records > 0; });
        std::string where = "_dmarc." + fd;
        if (mode == DmarcMode::rfc7489) {
            if (d.org_domain != fd) where += " or _dmarc." + d.org_domain;
        } else if (d.lookups.size() > 1) {
            where += " or at a parent domain";
        }
        found.push_back(finding("dmarc.missing", AuthSeverity::error,
                                invalid ? "no valid DMARC record applies to " + fd : "no DMARC record at " + where));
    }

    if (d.record) {
        const DmarcRecord &rec = *d.record;
        // Which tag applies: p for the From domain's own record, else sp for
        // an existing subdomain or np for a non-existent one (bis 4.10.1,
        // RFC 7489 6.6.3 and its sp=).
        if (d.record_domain != fd) {
            d.policy_tag = DmarcPolicyTag::sp;
            if (mode == DmarcMode::dmarcbis && rec.np) {
                // bis 3.2.13: NXDOMAIN (RFC 8020) for the name means it does not exist.
                const DnsAnswer a = resolver.query(fd, RRType::A);
                ++d.queries;
                if (a.failed()) {
                    found.push_back(finding("dmarc.dns_error", AuthSeverity::warning,
                                            "could not tell whether " + fd + " exists (" +
                                                std::string(dns_status_name(a.status)) + "); np= is not applied"));
                } else {
                    d.from_domain_exists = !(a.status == DnsStatus::nxdomain && a.cnames.empty());
                    if (!*d.from_domain_exists) d.policy_tag = DmarcPolicyTag::np;
                }
            }
        }
        d.policy = dmarc_record_policy(rec, d.policy_tag, mode);
        d.enforced_policy = d.policy;
        if (mode == DmarcMode::dmarcbis && rec.testing && d.policy && *d.policy != DmarcPolicy::none) {
            // bis 4.7 t=y: "one level below the specified policy".
            d.enforced_policy = *d.policy == DmarcPolicy::reject ? DmarcPolicy::quarantine : DmarcPolicy::none;
        }
        if (d.policy_tag != DmarcPolicyTag::p && d.policy == DmarcPolicy::none && rec.p != DmarcPolicy::none) {
            found.push_back(finding("dmarc.policy_none", AuthSeverity::info,
                                    std::string(dmarc_policy_tag_name(d.policy_tag)) + "=none applies to " + fd +
                                        ": monitoring only"));
        }
        found.insert(found.end(), rec.findings.begin(), rec.findings.end());
    }
    d.findings = std::move(found);
    return d;
}

// --- Organizational domains and alignment -----------------------------------

std::optional<std::string> PslOrgDomains::org_domain(const std::string &domain) { return psl_org_domain(domain); }

std::optional<std::string> TreeWalkOrgDomains::org_domain(const std::string &domain) {
    std::vector<const DmarcLookup *> walk;
    for (const std::string &name : dmarc_tree_walk_names(domain)) {
        auto it = cache_.find(name);
        if (it == cache_.end()) {
            it = cache_.emplace(name, query_dmarc(resolver_, name, DmarcMode::dmarcbis, queries_)).first;
        }
        const DmarcLookup &l = it->second;
        if (l.dns_status == DnsStatus::timeout || l.dns_status == DnsStatus::servfail) return std::nullopt;
        walk.push_back(&l);
        if (stops_walk(l)) break;
    }
    return org_from_walk(domain, walk);
}

void TreeWalkOrgDomains::remember(const DmarcDiscovery &discovery) {
    if (discovery.mode != DmarcMode::dmarcbis) return;
    for (const auto &l : discovery.lookups) cache_.emplace(l.domain, l);
}

bool dmarc_aligned(std::string_view from_domain, std::string_view other_domain, bool strict, DmarcOrgDomains &orgs) {
    const auto from = canonical_domain(from_domain);
    const auto other = canonical_domain(other_domain);
    if (!from || !other) return false;
    if (*from == *other) return true;
    if (strict) return false;
    const auto from_org = orgs.org_domain(*from);
    if (!from_org) return false;
    const auto other_org = orgs.org_domain(*other);
    return other_org && *from_org == *other_org;
}

DmarcAlignment dmarc_check_alignment(const DmarcDiscovery &discovery, std::string_view other_domain,
                                     DmarcIdentifier identifier, DmarcOrgDomains &orgs) {
    DmarcAlignment a;
    a.identifier = identifier;
    a.strict = identifier == DmarcIdentifier::dkim ? discovery.adkim_strict() : discovery.aspf_strict();
    a.from_domain = discovery.from_domain;
    auto *walker = dynamic_cast<TreeWalkOrgDomains *>(&orgs);
    const uint32_t before = walker != nullptr ? walker->queries() : 0;
    const auto from = canonical_domain(discovery.from_domain);
    const auto other = canonical_domain(other_domain);
    if (other) a.other_domain = *other;
    if (!from || !other) return a;
    if (*from == *other) {
        a.aligned = true;
        return a;
    }
    if (a.strict) return a;
    std::optional<std::string> from_org;
    if (!discovery.org_domain.empty()) from_org = discovery.org_domain;
    else from_org = orgs.org_domain(*from);
    std::optional<std::string> other_org;
    if (from_org) other_org = orgs.org_domain(*other);
    if (walker != nullptr) a.queries = walker->queries() - before;
    if (from_org) a.from_org = *from_org;
    if (other_org) a.other_org = *other_org;
    a.dns_error = !from_org || !other_org;
    a.aligned = !a.dns_error && *from_org == *other_org;
    return a;
}

DmarcAlignment dmarc_check_alignment(Resolver &resolver, const DmarcDiscovery &discovery,
                                     std::string_view other_domain, DmarcIdentifier identifier) {
    if (discovery.mode == DmarcMode::rfc7489) {
        PslOrgDomains psl;
        return dmarc_check_alignment(discovery, other_domain, identifier, psl);
    }
    TreeWalkOrgDomains walk(resolver);
    walk.remember(discovery);
    return dmarc_check_alignment(discovery, other_domain, identifier, walk);
}

// --- JSON ------------------------------------------------------------------------

namespace {

void write_string_list(JsonWriter &w, const std::vector<std::string> &v) {
    w.begin_array();
    for (const auto &s : v) w.value(s);
    w.end_array();
}

void write_policy(JsonWriter &w, std::string_view key, const std::optional<DmarcPolicy> &p) {
    w.key(key);
    if (p) w.value(dmarc_policy_name(*p));
    else w.null();
}

void write_error(JsonWriter &w, const std::optional<Error> &e) {
    if (!e) {
        w.null();
        return;
    }
    w.begin_object();
    w.field("message", e->message);
    w.key("position");
    if (e->position == Error::npos) w.null();
    else w.value(e->position);
    w.end_object();
}

}  // namespace

void write_dmarc_record_json(JsonWriter &w, const DmarcRecord &record, bool with_findings) {
    w.begin_object();
    w.key("tags").begin_object();
    for (const auto &t : record.tags) w.field(t.name, t.value);
    w.end_object();
    write_policy(w, "p", record.p);
    write_policy(w, "sp", record.sp);
    write_policy(w, "np", record.np);
    w.field("adkim", record.adkim_strict ? "s" : "r");
    w.field("aspf", record.aspf_strict ? "s" : "r");
    w.field("t", record.testing ? "y" : "n");
    w.field("psd", dmarc_psd_name(record.psd));
    w.key("rua");
    write_string_list(w, record.rua);
    w.key("ruf");
    write_string_list(w, record.ruf);
    w.key("fo");
    write_string_list(w, record.fo);
    w.field("pct", static_cast<int64_t>(record.pct));
    w.key("rf");
    write_string_list(w, record.rf);
    w.field("ri", static_cast<int64_t>(record.ri));
    if (with_findings) {
        w.key("findings");
        write_auth_findings_json(w, record.findings);
    }
    w.end_object();
}

void write_dmarc_record_check_json(JsonWriter &w, const DmarcRecordCheck &check) {
    w.begin_object();
    w.field("record", check.record);
    w.field("mode", dmarc_mode_name(check.mode));
    w.field("valid", check.parsed.has_value());
    w.key("parsed");
    if (check.parsed) write_dmarc_record_json(w, *check.parsed, false);
    else w.null();
    w.key("error");
    write_error(w, check.error);
    std::optional<DmarcPolicy> policy;
    if (check.parsed) policy = dmarc_record_policy(*check.parsed, DmarcPolicyTag::p, check.mode);
    write_policy(w, "policy", policy);
    w.key("findings");
    write_auth_findings_json(w, check.findings);
    w.end_object();
}

void write_dmarc_discovery_json(JsonWriter &w, const DmarcDiscovery &d) {
    w.begin_object();
    w.field("domain", d.from_domain);
    w.field("mode", dmarc_mode_name(d.mode));
    w.field("status", dmarc_status_name(d.status));
    w.key("record_domain");
    if (d.record_domain.empty()) w.null();
    else w.value(d.record_domain);
    w.key("org_domain");
    if (d.org_domain.empty()) w.null();
    else w.value(d.org_domain);
    write_policy(w, "policy", d.policy);
    w.key("policy_tag");
    if (d.record) w.value(dmarc_policy_tag_name(d.policy_tag));
    else w.null();
    write_policy(w, "enforced_policy", d.enforced_policy);
    w.key("from_domain_exists");
    if (d.from_domain_exists) w.value(*d.from_domain_exists);
    else w.null();
    w.field("queries", static_cast<int64_t>(d.queries));
    w.key("lookups").begin_array();
    for (const auto &l : d.lookups) {
        w.begin_object();
        w.field("name", "_dmarc." + l.domain);
        w.field("dns_status", dns_status_name(l.dns_status));
        w.field("dns_detail", l.dns_detail);
        w.key("cnames");
        write_string_list(w, l.cnames);
        w.key("records");
        write_string_list(w, l.records);
        w.field("dmarc_records", l.dmarc_records);
        w.field("valid", l.record.has_value());
        w.key("psd");
        if (l.record) w.value(dmarc_psd_name(l.record->psd));
        else w.null();
        w.key("error");
        write_error(w, l.error);
        w.end_object();
    }
    w.end_array();
    w.key("record");
    if (d.record) write_dmarc_record_json(w, *d.record, false);
    else w.null();
    w.key("findings");
    write_auth_findings_json(w, d.findings);
    w.end_object();
}

void write_dmarc_alignment_json(JsonWriter &w, const DmarcAlignment &a) {
    w.begin_object();
    w.field("identifier", a.identifier == DmarcIdentifier::dkim ? "dkim" : "spf");
    w.field("aligned", a.aligned);
    w.field("strict", a.strict);
    w.field("from_domain", a.from_domain);
    w.field("other_domain", a.other_domain);
    w.key("from_org");
    if (a.from_org.empty()) w.null();
    else w.value(a.from_org);
    w.key("other_org");
    if (a.other_org.empty()) w.null();
    else w.value(a.other_org);
    w.field("dns_error", a.dns_error);
    w.field("queries", static_cast<int64_t>(a.queries));
    w.end_object();
}

}  // namespace presend
