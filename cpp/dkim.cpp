#include "dkim.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <algorithm>
#include <memory>

#include "address.hpp"
#include "json.hpp"
#include "text.hpp"

namespace presend {

std::string_view auth_severity_name(AuthSeverity s) noexcept {
    switch (s) {
        case AuthSeverity::info: return "info";
        case AuthSeverity::warning: return "warning";
        case AuthSeverity::error: return "error";
    }
    return "?";
}

void write_auth_findings_json(JsonWriter &w, const std::vector<AuthFinding> &findings) {
    w.begin_array();
    for (const auto &f : findings) {
        w.begin_object();
        w.field("code", f.code);
        w.field("severity", auth_severity_name(f.severity));
        w.field("message", f.message);
        w.end_object();
    }
    w.end_array();
}

bool auth_has_error(const std::vector<AuthFinding> &findings) noexcept {
    return std::any_of(findings.begin(), findings.end(),
                       [](const AuthFinding &f) { return f.severity == AuthSeverity::error; });
}

std::string_view dkim_key_type_name(DkimKeyType t) noexcept {
    switch (t) {
        case DkimKeyType::rsa: return "rsa";
        case DkimKeyType::ed25519: return "ed25519";
        case DkimKeyType::unknown: return "unknown";
    }
    return "?";
}

const DkimTag *DkimKey::find(std::string_view name) const noexcept {
    for (const auto &t : tags) {
        if (t.name == name) return &t;
    }
    return nullptr;
}

namespace {

constexpr size_t npos = std::string_view::npos;

bool is_alpha(char c) noexcept { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
// FWS in a record that may have been pasted folded: SP, HTAB, CR, LF.
bool is_fws(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
// VALCHAR (RFC 6376 3.2): %x21-3A / %x3C-7E.
bool is_valchar(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x21 && u <= 0x7E && c != ';';
}

std::string at_byte(size_t pos) { return " at byte " + std::to_string(pos); }

std::string hex_byte(char c) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    const auto u = static_cast<unsigned char>(c);
    return std::string{'0', 'x', kHex[u >> 4], kHex[u & 15]};
}

// Text from the record quoted in a message is cut to stay readable.
std::string excerpt(std::string_view s) {
    constexpr size_t kMax = 64;
    std::string out = utf8_repair(s.size() <= kMax ? s : s.substr(0, kMax));
    if (s.size() > kMax) out += "...";
    return out;
}

std::string_view trim_fws(std::string_view s) noexcept {
    while (!s.empty() && is_fws(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_fws(s.back())) s.remove_suffix(1);
    return s;
}

AuthFinding finding(std::string code, AuthSeverity severity, std::string message) {
    return AuthFinding{std::move(code), severity, std::move(message)};
}

// RFC 6376 3.2 tag-list:
//   tag-list  = tag-spec *( ";" tag-spec ) [ ";" ]
//   tag-spec  = [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
//   tag-name  = ALPHA *ALNUMPUNC
//   tag-value = [ tval *( 1*(WSP / FWS) tval ) ],  tval = 1*VALCHAR
Result<std::vector<DkimTag>> parse_tag_list(std::string_view txt) {
    std::vector<DkimTag> tags;
    const size_t n = txt.size();
    size_t p = 0;
    for (;;) {
        while (p < n && is_fws(txt[p])) ++p;
        if (p == n) {
            if (tags.empty()) return parse_error("empty key record" + at_byte(p), p);
            break;  // after a trailing ';'
        }
        const size_t name_start = p;
        if (!is_alpha(txt[p])) {
            std::string msg = "expected a tag name" + at_byte(p);
            if (p == 0 && txt[p] == '"') msg += " (zone-file quotes? pass the TXT record's text without them)";
            return parse_error(std::move(msg), p);
        }
        while (p < n && (is_alpha(txt[p]) || is_digit(txt[p]) || txt[p] == '_')) ++p;
        const std::string_view name = txt.substr(name_start, p - name_start);
        while (p < n && is_fws(txt[p])) ++p;
        if (p == n || txt[p] != '=') {
            return parse_error("expected '=' after tag '" + excerpt(name) + "'" + at_byte(p), p);
        }
        ++p;
        size_t end = txt.find(';', p);
        if (end == npos) end = n;
        for (size_t i = p; i < end; ++i) {
            if (!is_valchar(txt[i]) && !is_fws(txt[i])) {
                return parse_error("byte " + hex_byte(txt[i]) + " in the value of tag '" + excerpt(name) + "'" +
                                       at_byte(i),
                                   i);
            }
        }
        tags.push_back(DkimTag{std::string(name), std::string(trim_fws(txt.substr(p, end - p))), name_start});
        if (end == n) break;
        p = end + 1;
    }
    // Duplicate names make the whole tag-list invalid (RFC 6376 3.2).
    for (size_t i = 1; i < tags.size(); ++i) {
        for (size_t j = 0; j < i; ++j) {
            if (tags[i].name == tags[j].name) {
                return parse_error("duplicate tag '" + excerpt(tags[i].name) + "'" + at_byte(tags[i].position),
                                   tags[i].position);
            }
        }
    }
    return tags;
}

// A colon-separated list (h=, s=, t=), items lower-cased (their ABNF literals
// are case-insensitive, RFC 5234 2.3). Items are non-empty tokens with no
// white space inside.
Result<std::vector<std::string>> parse_colon_list(const DkimTag &tag) {
    std::vector<std::string> items;
    std::string_view rest = tag.value;
    for (;;) {
        const size_t colon = rest.find(':');
        const std::string_view item = trim_fws(rest.substr(0, colon));
        if (item.empty()) {
            return parse_error("empty item in " + tag.name + "=" + at_byte(tag.position), tag.position);
        }
        if (std::any_of(item.begin(), item.end(), is_fws)) {
            return parse_error("white space inside '" + excerpt(item) + "' in " + tag.name +
                                   "= (items are separated by ':')" + at_byte(tag.position),
                               tag.position);
        }
        items.push_back(ascii_lower(item));
        if (colon == npos) break;
        rest.remove_prefix(colon + 1);
    }
    return items;
}

bool contains(const std::vector<std::string> &v, std::string_view s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

// RFC 4648 base64 with padding; `b64` has no white space.
bool base64_decode(std::string_view b64, std::vector<unsigned char> &out, std::string &why) {
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+') return 62;
        if (c == '/') return 63;
        return -1;
    };
    if (b64.size() % 4 != 0) {
        why = "its length (" + std::to_string(b64.size()) +
              " characters) is not a multiple of 4: is the key truncated, or split across TXT strings wrongly?";
        return false;
    }
    size_t pad = 0;
    while (pad < 2 && pad < b64.size() && b64[b64.size() - 1 - pad] == '=') ++pad;
    out.clear();
    out.reserve(b64.size() / 4 * 3);
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < b64.size() - pad; ++i) {
        const int v = value(b64[i]);
        if (v < 0) {
            why = "'" + std::string(1, b64[i]) + "' is not a base64 character";
            return false;
        }
        acc = (acc << 6) | static_cast<uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<unsigned char>((acc >> bits) & 0xFF));
        }
    }
    return true;
}

struct PkeyFree {
    void operator()(EVP_PKEY *k) const noexcept { EVP_PKEY_free(k); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

// A DER structure that must fill the whole buffer.
Pkey d2i_whole_pubkey(const std::vector<unsigned char> &der) {
    const unsigned char *q = der.data();
    Pkey k(d2i_PUBKEY(nullptr, &q, static_cast<long>(der.size())));
    if (k && q != der.data() + der.size()) k.reset();
    return k;
}

Pkey d2i_whole_rsa_pkcs1(const std::vector<unsigned char> &der) {
    const unsigned char *q = der.data();
    Pkey k(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &q, static_cast<long>(der.size())));
    if (k && q != der.data() + der.size()) k.reset();
    return k;
}

std::string key_algorithm_name(const EVP_PKEY *k) {
    const char *sn = OBJ_nid2sn(EVP_PKEY_get_base_id(k));
    return sn != nullptr ? std::string(sn) : std::string("unknown");
}

// Reads the key size from p= with libcrypto. Sets key_format and key_bits.
std::optional<Error> read_public_key(DkimKey &key, const DkimTag &p) {
    std::vector<unsigned char> der;
    std::string why;
    if (!base64_decode(key.public_key, der, why)) {
        return parse_error("p= is not valid base64: " + why + at_byte(p.position), p.position);
    }
    if (der.empty()) return parse_error("p= decodes to no bytes" + at_byte(p.position), p.position);
    struct ClearErrors {
        ~ClearErrors() { ERR_clear_error(); }
    } clear_errors;  // libcrypto's thread-local error queue must not grow with bad input

    if (key.key_type == DkimKeyType::ed25519) {
        // RFC 8463 3: the bare 32-byte public key, not wrapped in ASN.1.
        if (der.size() == 32) {
            key.key_format = "raw";
            key.key_bits = 256;
            return std::nullopt;
        }
        std::string msg = "an ed25519 p= must be the 32-byte public key (RFC 8463 3); it decodes to " +
                          std::to_string(der.size()) + " bytes";
        if (Pkey k = d2i_whole_pubkey(der); k && EVP_PKEY_get_base_id(k.get()) == EVP_PKEY_ED25519) {
            msg += " (a SubjectPublicKeyInfo: publish only the last 32 bytes)";
        }
        return parse_error(msg + at_byte(p.position), p.position);
    }

    // RFC 6376 3.6.1: p= holds a SubjectPublicKeyInfo for k=rsa; some
    // publishers put a bare RSAPublicKey (RFC 8017 A.1.1) there, which
    // common verifiers accept too.
    Pkey k = d2i_whole_pubkey(der);
    if (k) {
        if (EVP_PKEY_get_base_id(k.get()) != EVP_PKEY_RSA) {
            return parse_error("p= holds a " + key_algorithm_name(k.get()) + " key, but k=" + key.key_type_tag +
                                   at_byte(p.position),
                               p.position);
        }
        key.key_format = "spki";
    } else {
        k = d2i_whole_rsa_pkcs1(der);
        if (!k) {
            return parse_error("p= is not an RSA public key (neither a SubjectPublicKeyInfo nor an RSAPublicKey)" +
                                   at_byte(p.position),
                               p.position);
        }
        key.key_format = "pkcs1";
    }
    const int bits = EVP_PKEY_get_bits(k.get());
    if (bits <= 0) return parse_error("p= holds an RSA key with an empty modulus" + at_byte(p.position), p.position);
    key.key_bits = static_cast<uint32_t>(bits);
    return std::nullopt;
}

void add_key_findings(DkimKey &key) {
    auto add = [&](const char *code, AuthSeverity s, std::string msg) {
        key.findings.push_back(finding(code, s, std::move(msg)));
    };
    if (key.revoked) add("dkim.revoked", AuthSeverity::error, "p= is empty: the key is revoked (RFC 6376 3.6.1)");
    if (key.key_type == DkimKeyType::unknown) {
        add("dkim.unknown_key_type", AuthSeverity::error,
            "k=" + excerpt(key.key_type_tag) + " is not a key type verifiers know (rsa, ed25519); they ignore the key");
    }
    if (key.key_type == DkimKeyType::rsa && !key.revoked) {
        const std::string bits = std::to_string(key.key_bits);
        if (key.key_bits < 1024) {
            add("dkim.weak_key", AuthSeverity::error,
                "RSA key of " + bits + " bits: verifiers reject keys under 1024 bits (RFC 8301 3.2)");
        } else if (key.key_bits < 2048) {
            add("dkim.short_key", AuthSeverity::warning,
                "RSA key of " + bits + " bits: use at least 2048 bits (RFC 8301 3.2)");
        } else if (key.key_bits > 4096) {
            add("dkim.long_key", AuthSeverity::warning,
                "RSA key of " + bits + " bits: verifiers are only required to handle up to 4096 (RFC 8301 3.2)");
        }
    }
    if (key.key_type == DkimKeyType::ed25519 && !key.revoked) {
        add("dkim.ed25519", AuthSeverity::info,
            "ed25519 key: not every receiver verifies ed25519 signatures; sign with an RSA key as well (RFC 8463)");
    }
    if (key.find("h") != nullptr && !contains(key.hashes, "sha256")) {
        add("dkim.no_sha256", AuthSeverity::error,
            "h= does not allow sha256: signatures made with rsa-sha256 or ed25519-sha256 fail (RFC 8301 allows "
            "only sha256)");
    }
    if (key.testing) {
        add("dkim.testing", AuthSeverity::warning,
            "t=y: the domain is testing DKIM and receivers may treat its mail as unsigned (RFC 6376 3.6.1)");
    }
    if (!contains(key.services, "*") && !contains(key.services, "email")) {
        add("dkim.not_email", AuthSeverity::error, "s= allows neither \"email\" nor \"*\": the key is not for email");
    }
}

}  // namespace

Result<DkimKey> dkim_parse_key(std::string_view txt) {
    auto tags = parse_tag_list(txt);
    if (!tags) return std::move(tags).error();
    DkimKey key;
    key.tags = std::move(*tags);

    const DkimTag *v = key.find("v");
    if (v != nullptr) {
        // RFC 6376 3.6.1: v= MUST be first, and records with another value MUST be discarded.
        if (v != &key.tags.front()) return parse_error("v= must be the first tag" + at_byte(v->position), v->position);
        if (v->value != "DKIM1") {
            return parse_error("v=" + excerpt(v->value) + " is not DKIM1" + at_byte(v->position), v->position);
        }
        key.version = v->value;
    }
    if (const DkimTag *k = key.find("k")) {
        key.key_type_tag = k->value;
        if (ascii_iequals(k->value, "rsa")) key.key_type = DkimKeyType::rsa;
        else if (ascii_iequals(k->value, "ed25519")) key.key_type = DkimKeyType::ed25519;
        else key.key_type = DkimKeyType::unknown;
    }
    if (const DkimTag *h = key.find("h")) {
        auto list = parse_colon_list(*h);
        if (!list) return std::move(list).error();
        key.hashes = std::move(*list);
    }
    if (const DkimTag *s = key.find("s")) {
        auto list = parse_colon_list(*s);
        if (!list) return std::move(list).error();
        key.services = std::move(*list);
    }
    if (const DkimTag *t = key.find("t")) {
        auto list = parse_colon_list(*t);
        if (!list) return std::move(list).error();
        key.flags = std::move(*list);
        key.testing = contains(key.flags, "y");
        key.strict_subdomains = contains(key.flags, "s");
    }
    if (const DkimTag *n = key.find("n")) key.notes = n->value;

    DkimTag *p = nullptr;
    for (auto &t : key.tags) {
        if (t.name == "p") p = &t;
    }
    if (p == nullptr) {
        std::string msg = "missing p= (the public key)";
        if (key.find("P") != nullptr) msg += "; tag names are case-sensitive, and P= is not p=";
        return parse_error(msg + at_byte(txt.size()), txt.size());
    }
    // base64string allows FWS between its characters (RFC 6376 3.6.1).
    std::string b64;
    b64.reserve(p->value.size());
    for (const char c : p->value) {
        if (!is_fws(c)) b64.push_back(c);
    }
    p->value = b64;
    key.public_key = std::move(b64);
    if (key.public_key.empty()) {
        key.revoked = true;
    } else if (key.key_type != DkimKeyType::unknown) {
        if (auto e = read_public_key(key, *p)) return std::move(*e);
    }
    add_key_findings(key);
    return key;
}

DkimRecordCheck dkim_check_record(std::string_view txt) {
    DkimRecordCheck c;
    c.record = std::string(txt);
    auto key = dkim_parse_key(txt);
    if (key) {
        c.findings = key->findings;
        c.key = std::move(*key);
    } else {
        c.findings.push_back(finding("dkim.syntax", AuthSeverity::error, "malformed key record: " + key.error().message));
        c.error = std::move(key).error();
    }
    return c;
}

namespace {

// A TXT record that is meant as a key record, well-formed or not: one that
// starts with v=DKIM or has a p= or k= tag. Other TXT records at a selector
// (site verifications, stray SPF) are not key records.
bool looks_like_key_record(std::string_view txt) {
    const std::string_view head = trim_fws(txt);
    if (head.starts_with("v=DKIM") || head.starts_with("v =DKIM")) return true;
    size_t start = 0;
    while (start <= txt.size()) {
        size_t end = txt.find(';', start);
        if (end == npos) end = txt.size();
        const std::string_view part = txt.substr(start, end - start);
        const size_t eq = part.find('=');
        if (eq != npos) {
            const std::string_view name = trim_fws(part.substr(0, eq));
            if (name == "p" || name == "k") return true;
        }
        start = end + 1;
    }
    return false;
}

// The selector as a DNS name: labels of letters, digits, '-' and '_' (some
// providers use underscores), 1..63 bytes each.
bool valid_selector(std::string_view s) {
    if (s.empty() || s.size() > 200) return false;
    size_t label = 0;
    for (const char c : s) {
        if (c == '.') {
            if (label == 0) return false;
            label = 0;
            continue;
        }
        if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '_') return false;
        if (++label > 63) return false;
    }
    return label > 0;
}

}  // namespace

DkimSelectorCheck dkim_check_selector(Resolver &resolver, std::string_view domain, std::string_view selector,
                                      const DkimProviderRules &rules) {
    DkimSelectorCheck c;
    c.selector = ascii_lower(selector);
    auto norm = normalize_domain(domain);
    if (!norm || norm->front() == '[') {
        c.domain = std::string(domain);
        c.findings.push_back(finding("dkim.invalid_domain", AuthSeverity::error,
                                     "\"" + excerpt(domain) + "\" is not a valid domain" +
                                         (norm ? std::string() : ": " + norm.error().message)));
        return c;
    }
    c.domain = std::move(*norm);
    if (!valid_selector(c.selector)) {
        c.findings.push_back(finding("dkim.invalid_selector", AuthSeverity::error,
                                     "\"" + excerpt(selector) + "\" is not a valid selector (a DNS name)"));
        return c;
    }
    c.name = c.selector + "._domainkey." + c.domain;

    DnsAnswer a = resolver.query(c.name, RRType::TXT);
    ++c.queries;
    c.dns_status = a.status;
    c.dns_detail = a.detail;
    c.cnames = a.cnames;
    if (a.failed()) {
        c.findings.push_back(finding("dkim.dns_error", AuthSeverity::error,
                                     "TXT lookup of " + c.name + " failed (" + std::string(dns_status_name(a.status)) +
                                         (a.detail.empty() ? std::string() : ": " + a.detail) +
                                         "); the key could not be checked"));
        return c;
    }

    if (!rules.cname_suffix.empty()) {
        const std::string suffix = dns_name(rules.cname_suffix);
        const std::string expected = rules.target_is_selector ? c.selector + suffix : std::string();
        const std::string want = rules.target_is_selector ? expected : "*" + suffix;
        if (c.cnames.empty()) {
            if (a.ok()) {
                c.findings.push_back(finding("dkim.cname_mismatch", AuthSeverity::error,
                                             c.name + " is a TXT record, not a CNAME to " + want +
                                                 ": the provider cannot rotate the key"));
            }
        } else {
            const std::string &target = c.cnames.front();
            const bool match = rules.target_is_selector ? target == expected : target.ends_with(suffix);
            if (!match) {
                c.findings.push_back(finding("dkim.cname_mismatch", AuthSeverity::error,
                                             c.name + " is a CNAME to " + target + ", expected " + want));
            }
        }
    }

    if (!a.ok()) {
        std::string msg = "no DKIM key at " + c.name + " (" +
                          (a.status == DnsStatus::nxdomain ? "the name does not exist" : "no TXT record") + ")";
        if (!c.cnames.empty()) msg += "; its CNAME to " + c.cnames.back() + " leads nowhere";
        else if (!rules.cname_suffix.empty()) msg += "; expected a CNAME to *" + dns_name(rules.cname_suffix);
        c.findings.push_back(finding("dkim.missing", AuthSeverity::error, std::move(msg)));
        return c;
    }

    c.records = a.records;
    size_t candidates = 0;
    for (const auto &txt : a.records) {
        if (!looks_like_key_record(txt)) continue;
        ++candidates;
        auto key = dkim_parse_key(txt);
        if (!key) {
            c.findings.push_back(finding("dkim.syntax", AuthSeverity::error,
                                         "malformed key record at " + c.name + ": " + key.error().message));
            continue;
        }
        if (!c.key) c.key = std::move(*key);
    }
    if (candidates == 0) {
        c.findings.push_back(finding("dkim.missing", AuthSeverity::error,
                                     "no DKIM key at " + c.name + ": " + std::to_string(a.records.size()) +
                                         " TXT record(s), none a key record"));
    } else if (candidates > 1) {
        // RFC 6376 3.6.2.2: the verifier picks any one of them.
        c.findings.push_back(finding("dkim.several_keys", AuthSeverity::error,
                                     std::to_string(candidates) + " key records at " + c.name +
                                         ": verifiers pick one at random, so signatures fail intermittently"));
    }
    if (c.key) c.findings.insert(c.findings.end(), c.key->findings.begin(), c.key->findings.end());
    return c;
}

namespace {

void write_string_list(JsonWriter &w, const std::vector<std::string> &v) {
    w.begin_array();
    for (const auto &s : v) w.value(s);
    w.end_array();
}

}  // namespace

void write_dkim_key_json(JsonWriter &w, const DkimKey &key, bool with_findings) {
    w.begin_object();
    w.key("tags").begin_object();
    for (const auto &t : key.tags) w.field(t.name, t.value);
    w.end_object();
    w.key("version");
    if (key.version.empty()) w.null();
    else w.value(key.version);
    w.field("key_type", dkim_key_type_name(key.key_type));
    w.field("key_type_tag", key.key_type_tag);
    w.key("key_format");
    if (key.key_format.empty()) w.null();
    else w.value(key.key_format);
    w.field("bits", static_cast<int64_t>(key.key_bits));
    w.field("revoked", key.revoked);
    w.field("testing", key.testing);
    w.field("strict_subdomains", key.strict_subdomains);
    w.key("hashes");
    if (key.find("h") == nullptr) w.null();
    else write_string_list(w, key.hashes);
    w.key("services");
    write_string_list(w, key.services);
    w.key("flags");
    write_string_list(w, key.flags);
    w.field("notes", key.notes);
    if (with_findings) {
        w.key("findings");
        write_auth_findings_json(w, key.findings);
    }
    w.end_object();
}

void write_dkim_record_json(JsonWriter &w, const DkimRecordCheck &check) {
    w.begin_object();
    w.field("record", check.record);
    w.field("valid", check.key.has_value());
    w.key("key");
    if (check.key) write_dkim_key_json(w, *check.key, false);
    else w.null();
    w.key("error");
    if (check.error) {
        w.begin_object();
        w.field("message", check.error->message);
        w.key("position");
        if (check.error->position == Error::npos) w.null();
        else w.value(check.error->position);
        w.end_object();
    } else {
        w.null();
    }
    w.key("findings");
    write_auth_findings_json(w, check.findings);
    w.end_object();
}

void write_dkim_selector_json(JsonWriter &w, const DkimSelectorCheck &check) {
    w.begin_object();
    w.field("domain", check.domain);
    w.field("selector", check.selector);
    w.field("name", check.name);
    w.key("dns_status");
    if (check.queries == 0) w.null();  // not queried: the names were invalid
    else w.value(dns_status_name(check.dns_status));
    w.field("dns_detail", check.dns_detail);
    w.key("cnames");
    write_string_list(w, check.cnames);
    w.key("records");
    write_string_list(w, check.records);
    w.key("key");
    if (check.key) write_dkim_key_json(w, *check.key, false);
    else w.null();
    w.field("queries", static_cast<int64_t>(check.queries));
    w.field("ok", check.ok());
    w.key("findings");
    write_auth_findings_json(w, check.findings);
    w.end_object();
}

}  // namespace presend
