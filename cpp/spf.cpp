#include "spf.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <map>
#include <optional>

#include "json.hpp"
#include "text.hpp"

namespace presend {

namespace {

// --- Characters and addresses -------------------------------------------------

bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_alnum(char c) noexcept { return is_alpha(c) || is_digit(c); }
char to_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// How a byte is named in an error message.
std::string describe(char c) {
    auto u = static_cast<unsigned char>(c);
    if (u == ' ') return "a space";
    if (u > 0x20 && u < 0x7f) return std::string("'") + c + "'";
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string s = u >= 0x80 ? "the non-ASCII byte 0x" : "the control byte 0x";
    s += kHex[u >> 4];
    s += kHex[u & 15];
    return s;
}

struct IpAddr {
    bool v6 = false;
    std::array<uint8_t, 16> b{};  // IPv4 in the first four bytes
};

// ip4-network (RFC 7208 5.6): four decimal octets, no leading zeros.
bool parse_ip4_network(std::string_view s, IpAddr &out) {
    size_t i = 0;
    for (int part = 0; part < 4; ++part) {
        if (part > 0) {
            if (i >= s.size() || s[i] != '.') return false;
            ++i;
        }
        size_t start = i;
        while (i < s.size() && is_digit(s[i]) && i - start < 3) ++i;
        if (i == start || (i - start > 1 && s[start] == '0')) return false;
    }
    if (i != s.size()) return false;
    std::string z(s);
    out.v6 = false;
    out.b = {};
    return inet_pton(AF_INET, z.c_str(), out.b.data()) == 1;
}

bool parse_ip6(std::string_view s, IpAddr &out) {
    // inet_pton reads a C string: an embedded NUL would end it early.
    if (s.empty() || s.size() > 45 || s.find('\0') != std::string_view::npos) return false;
    std::string z(s);
    out.v6 = true;
    return inet_pton(AF_INET6, z.c_str(), out.b.data()) == 1;
}

bool is_v4_mapped(const IpAddr &a) noexcept {
    if (!a.v6) return false;
    for (int i = 0; i < 10; ++i) {
        if (a.b[static_cast<size_t>(i)] != 0) return false;
    }
    return a.b[10] == 0xff && a.b[11] == 0xff;
}

// The client address: IPv4, or IPv6 with IPv4-mapped addresses turned into
// IPv4 (RFC 7208 5: they "MUST still be considered an IPv4 address").
bool parse_client_ip(std::string_view s, IpAddr &out) {
    if (s.empty() || s.size() > 45 || s.find('\0') != std::string_view::npos) return false;
    std::string z(s);
    out = IpAddr{};
    if (inet_pton(AF_INET, z.c_str(), out.b.data()) == 1) return true;
    if (!parse_ip6(s, out)) return false;
    if (is_v4_mapped(out)) {
        IpAddr v4;
        std::copy(out.b.begin() + 12, out.b.end(), v4.b.begin());
        out = v4;
    }
    return true;
}

// A record's address (from an A or AAAA answer) in the client's family.
bool parse_answer_ip(const std::string &s, bool v6, IpAddr &out) {
    out = IpAddr{};
    out.v6 = v6;
    if (s.find('\0') != std::string::npos) return false;
    return inet_pton(v6 ? AF_INET6 : AF_INET, s.c_str(), out.b.data()) == 1;
}

bool prefix_match(const IpAddr &a, const IpAddr &b, int bits) noexcept {
    if (a.v6 != b.v6) return false;
    auto full = static_cast<size_t>(bits / 8);
    if (std::memcmp(a.b.data(), b.b.data(), full) != 0) return false;
    int rem = bits % 8;
    if (rem == 0) return true;
    auto mask = static_cast<uint8_t>(0xff << (8 - rem));
    return (a.b[full] & mask) == (b.b[full] & mask);
}

bool host_bits_set(const IpAddr &a, int bits) noexcept {
    size_t total = a.v6 ? 16 : 4;
    for (size_t i = 0; i < total; ++i) {
        int from = static_cast<int>(i) * 8;
        uint8_t mask = 0;
        if (bits <= from) mask = 0xff;
        else if (bits < from + 8) mask = static_cast<uint8_t>(0xff >> (bits - from));
        if ((a.b[i] & mask) != 0) return true;
    }
    return false;
}

constexpr char kNibbles[] = "0123456789abcdef";

// %{c}: the address as people write it.
std::string readable_ip(const IpAddr &a) {
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(a.v6 ? AF_INET6 : AF_INET, a.b.data(), buf, sizeof buf);
    return buf;
}

// %{i}: dotted quad, or 32 dot-separated nibbles for IPv6 (RFC 7208 7.3).
std::string dotted_ip(const IpAddr &a) {
    if (!a.v6) return readable_ip(a);
    std::string s;
    for (size_t i = 0; i < 16; ++i) {
        if (i > 0) s += '.';
        s += kNibbles[a.b[i] >> 4];
        s += '.';
        s += kNibbles[a.b[i] & 15];
    }
    return s;
}

std::string reverse_name(const IpAddr &a) {
    std::string s;
    if (!a.v6) {
        for (int i = 3; i >= 0; --i) s += std::to_string(a.b[static_cast<size_t>(i)]) + ".";
        return s + "in-addr.arpa";
    }
    for (int i = 15; i >= 0; --i) {
        s += kNibbles[a.b[static_cast<size_t>(i)] & 15];
        s += '.';
        s += kNibbles[a.b[static_cast<size_t>(i)] >> 4];
        s += '.';
    }
    return s + "ip6.arpa";
}

// --- Domain names ---------------------------------------------------------------

std::string_view strip_dot(std::string_view d) noexcept {
    if (!d.empty() && d.back() == '.') d.remove_suffix(1);
    return d;
}

// Every label 1..63 bytes and the name at most 253: a name a DNS query can
// be made of.
bool labels_ok(std::string_view d, size_t *count = nullptr) noexcept {
    if (d.empty() || d.size() > 253) return false;
    size_t n = 0;
    size_t start = 0;
    while (true) {
        size_t dot = d.find('.', start);
        size_t len = (dot == std::string_view::npos ? d.size() : dot) - start;
        if (len == 0 || len > 63) return false;
        ++n;
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    if (count != nullptr) *count = n;
    return true;
}

// RFC 7208 4.3: the MAIL FROM / HELO domain must be a multi-label name with
// no empty or over-long label, and not a domain literal.
bool valid_initial_domain(std::string_view d) noexcept {
    d = strip_dot(d);
    if (d.empty() || d.front() == '[') return false;
    size_t n = 0;
    return labels_ok(d, &n) && n >= 2;
}

bool iends_with_label(std::string_view name, std::string_view suffix) {
    if (ascii_iequals(name, suffix)) return true;
    return name.size() > suffix.size() && name[name.size() - suffix.size() - 1] == '.' &&
           ascii_iequals(name.substr(name.size() - suffix.size()), suffix);
}

// RFC 7208 7.3: a domain built by macro expansion loses its left-hand labels
// until it fits in 253 bytes.
std::string_view truncate_left(std::string_view d) noexcept {
    while (d.size() > 253) {
        size_t dot = d.find('.');
        if (dot == std::string_view::npos) break;
        d.remove_prefix(dot + 1);
    }
    return d;
}

// --- Macro strings (RFC 7208 7.1) ------------------------------------------------

enum class MacroUse { domain_spec, explanation, unknown_modifier };

struct MacroPiece {
    enum class Kind : uint8_t { literal, percent, space, url_space, expand };
    Kind kind = Kind::literal;
    size_t pos = 0;  // offset of the piece in the string
    size_t len = 0;
    char letter = 0;  // lower-case macro letter
    bool url_escape = false;
    size_t digits = 0;  // 0: all parts
    bool reverse = false;
    std::string_view delimiters;  // empty: "."
};

constexpr std::string_view kMacroLetters = "slodiphcrtv";
constexpr std::string_view kDelimiters = ".-+,/_=";

bool macro_literal(char c, MacroUse use) noexcept {
    auto u = static_cast<unsigned char>(c);
    if (u == ' ') return use == MacroUse::explanation;
    return u >= 0x21 && u <= 0x7e && c != '%';
}

// Splits a macro-string into pieces. On a syntax error returns false with
// the message and the offset of the problem.
bool scan_macros(std::string_view s, MacroUse use, std::vector<MacroPiece> &out, std::string &err, size_t &at) {
    out.clear();
    size_t i = 0;
    while (i < s.size()) {
        char c = s[i];
        if (c != '%') {
            if (!macro_literal(c, use)) {
                err = describe(c) + " is not allowed here (only visible ASCII characters";
                err += use == MacroUse::explanation ? " and spaces)" : ")";
                at = i;
                return false;
            }
            size_t j = i;
            while (j < s.size() && macro_literal(s[j], use)) ++j;
            MacroPiece p;
            p.pos = i;
            p.len = j - i;
            out.push_back(p);
            i = j;
            continue;
        }
        if (i + 1 >= s.size()) {
            err = "'%' at the end; write %% for a literal percent sign";
            at = i;
            return false;
        }
        char n = s[i + 1];
        if (n == '%' || n == '_' || n == '-') {
            MacroPiece p;
            p.kind = n == '%' ? MacroPiece::Kind::percent
                              : (n == '_' ? MacroPiece::Kind::space : MacroPiece::Kind::url_space);
            p.pos = i;
            p.len = 2;
            out.push_back(p);
            i += 2;
            continue;
        }
        if (n != '{') {
            err = "'%' must be followed by '{', '%', '_' or '-' (write %% for a literal percent sign)";
            at = i;
            return false;
        }
        size_t j = i + 2;
        if (j >= s.size() || !is_alpha(s[j]) || kMacroLetters.find(to_lower(s[j])) == std::string_view::npos) {
            err = j >= s.size() ? "unterminated macro"
                                : "unknown macro letter " + describe(s[j]) + " (expected one of s l o d i p h v, or c r t in explanations)";
            at = j < s.size() ? j : i;
            return false;
        }
        MacroPiece p;
        p.kind = MacroPiece::Kind::expand;
        p.pos = i;
        p.letter = to_lower(s[j]);
        p.url_escape = s[j] != p.letter;
        if (use == MacroUse::domain_spec && (p.letter == 'c' || p.letter == 'r' || p.letter == 't')) {
            err = std::string("the macro %{") + s[j] + "} is only allowed in explanation text (RFC 7208 7.1)";
            at = j;
            return false;
        }
        ++j;
        size_t dstart = j;
        while (j < s.size() && is_digit(s[j])) {
            // RFC 7208 7.3 needs at least 127; anything larger means "all".
            if (p.digits < 1000) p.digits = p.digits * 10 + static_cast<size_t>(s[j] - '0');
            ++j;
        }
        if (j > dstart && p.digits == 0) {
            err = "the number of parts in a macro must not be zero";
            at = dstart;
            return false;
        }
        if (j < s.size() && (s[j] == 'r' || s[j] == 'R')) {
            p.reverse = true;
            ++j;
        }
        size_t delim = j;
        while (j < s.size() && s[j] != '\0' && kDelimiters.find(s[j]) != std::string_view::npos) ++j;
        p.delimiters = s.substr(delim, j - delim);
        if (j >= s.size() || s[j] != '}') {
            err = j >= s.size() ? "unterminated macro (missing '}')"
                                : describe(s[j]) + " in a macro (expected digits, 'r', delimiters .-+,/_= and '}')";
            at = j < s.size() ? j : i;
            return false;
        }
        p.len = j + 1 - i;
        out.push_back(p);
        i = j + 1;
    }
    return true;
}

// toplabel = ( *alphanum ALPHA *alphanum ) /
//            ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
bool valid_toplabel(std::string_view t) noexcept {
    if (t.empty() || !is_alnum(t.front()) || !is_alnum(t.back())) return false;
    bool alpha = false;
    bool dash = false;
    for (char c : t) {
        if (c == '-') dash = true;
        else if (is_alpha(c)) alpha = true;
        else if (!is_digit(c)) return false;
    }
    return alpha || dash;
}

// domain-spec = macro-string domain-end; domain-end = ( "." toplabel [ "." ] )
// / macro-expand. A dot right after a closing macro is accepted as well:
// RFC 7208 7.3 ignores a trailing dot, and records such as "%{d}." exist.
bool check_domain_spec(std::string_view s, std::string &err, size_t &at) {
    if (s.empty()) {
        err = "empty domain";
        at = 0;
        return false;
    }
    std::vector<MacroPiece> pieces;
    if (!scan_macros(s, MacroUse::domain_spec, pieces, err, at)) return false;
    size_t tail = 0;
    for (const auto &p : pieces) {
        if (p.kind != MacroPiece::Kind::literal) tail = p.pos + p.len;
    }
    std::string_view lit = s.substr(tail);
    if (lit.empty() || (lit == "." && tail > 0)) return true;
    lit = strip_dot(lit);
    size_t dot = lit.rfind('.');
    if (dot == std::string_view::npos) {
        err = "\"" + std::string(s) + "\" is not a domain: it must end in a top-level label such as .com (or in a macro)";
        at = 0;
        return false;
    }
    std::string_view top = lit.substr(dot + 1);
    if (!valid_toplabel(top)) {
        err = "\"" + std::string(top) + "\" is not a valid top-level label (letters, digits and inner hyphens, not all digits)";
        at = tail + dot + 1;
        return false;
    }
    return true;
}

// --- Terms ---------------------------------------------------------------------

struct MechName {
    std::string_view name;
    SpfMechanism mech;
};
constexpr MechName kMechanisms[] = {
    {"all", SpfMechanism::all},   {"include", SpfMechanism::include}, {"a", SpfMechanism::a},
    {"mx", SpfMechanism::mx},     {"ptr", SpfMechanism::ptr},         {"ip4", SpfMechanism::ip4},
    {"ip6", SpfMechanism::ip6},   {"exists", SpfMechanism::exists},
};

// ip4-cidr-length / ip6-cidr-length digits: "0" or no leading zero, at most max.
bool parse_cidr(std::string_view d, int max, int &out) {
    if (d.empty() || d.size() > 3) return false;
    for (char c : d) {
        if (!is_digit(c)) return false;
    }
    if (d.size() > 1 && d[0] == '0') return false;
    int v = 0;
    for (char c : d) v = v * 10 + (c - '0');
    if (v > max) return false;
    out = v;
    return true;
}

class TermParser {
public:
    TermParser(std::string_view term, size_t base) : t_(term), base_(base) {}

    std::optional<Error> parse(SpfTerm &term) {
        term.position = base_;
        term.text = std::string(t_);
        if (is_alpha(t_[0])) {
            size_t i = 1;
            while (i < t_.size() && (is_alnum(t_[i]) || t_[i] == '-' || t_[i] == '_' || t_[i] == '.')) ++i;
            if (i < t_.size() && t_[i] == '=') return modifier(term, i);
        }
        return mechanism(term);
    }

private:
    Error err(std::string msg, size_t off) const {
        return parse_error("term \"" + std::string(t_) + "\": " + std::move(msg), base_ + off);
    }

    std::optional<Error> domain_spec(std::string_view spec, size_t off) const {
        std::string e;
        size_t at = 0;
        if (!check_domain_spec(spec, e, at)) return err(e, off + at);
        return std::nullopt;
    }

    std::optional<Error> modifier(SpfTerm &term, size_t eq) {
        term.is_modifier = true;
        std::string_view name = t_.substr(0, eq);
        std::string_view value = t_.substr(eq + 1);
        term.value = std::string(value);
        if (ascii_iequals(name, "redirect") || ascii_iequals(name, "exp")) {
            term.name = ascii_lower(name);
            term.modifier = term.name == "redirect" ? SpfModifier::redirect : SpfModifier::exp;
            if (value.empty()) return err(term.name + "= needs a domain", eq + 1);
            return domain_spec(value, eq + 1);
        }
        term.name = std::string(name);
        term.modifier = SpfModifier::unknown;
        std::vector<MacroPiece> pieces;
        std::string e;
        size_t at = 0;
        if (!scan_macros(value, MacroUse::unknown_modifier, pieces, e, at)) return err(e, eq + 1 + at);
        return std::nullopt;
    }

    std::optional<Error> mechanism(SpfTerm &term) {
        size_t i = 1;
        switch (t_[0]) {
            case '+': term.qualifier = SpfQualifier::pass; break;
            case '-': term.qualifier = SpfQualifier::fail; break;
            case '~': term.qualifier = SpfQualifier::softfail; break;
            case '?': term.qualifier = SpfQualifier::neutral; break;
            default: i = 0; break;
        }
        term.qualifier_written = i == 1;
        size_t ns = i;
        while (i < t_.size() && is_alnum(t_[i])) ++i;
        term.name = ascii_lower(t_.substr(ns, i - ns));
        if (term.name.empty()) {
            if (i >= t_.size()) return err("a qualifier must be followed by a mechanism", i);
            return err("expected a mechanism or modifier, found " + describe(t_[i]), i);
        }
        const MechName *m = nullptr;
        for (const auto &k : kMechanisms) {
            if (k.name == term.name) m = &k;
        }
        if (m == nullptr) {
            if (term.name == "redirect" || term.name == "exp") {
                return err(term.name + " is a modifier: write " + term.name + "=domain", ns);
            }
            return err("unknown mechanism \"" + std::string(t_.substr(ns, i - ns)) + "\"", ns);
        }
        term.mechanism = m->mech;
        std::string_view rest = t_.substr(i);
        switch (m->mech) {
            case SpfMechanism::all:
                if (!rest.empty()) return err("all takes no argument", i);
                return std::nullopt;
            case SpfMechanism::include:
            case SpfMechanism::exists: return required_domain(term, rest, i);
            case SpfMechanism::ptr:
                if (rest.empty()) return std::nullopt;
                if (rest[0] != ':') return err("ptr takes no CIDR length; write ptr or ptr:domain", i);
                if (rest.size() == 1) return err("empty domain after \"ptr:\"", i + 1);
                term.value = std::string(rest.substr(1));
                return domain_spec(rest.substr(1), i + 1);
            case SpfMechanism::a:
            case SpfMechanism::mx: return dual(term, rest, i);
            case SpfMechanism::ip4:
            case SpfMechanism::ip6: return address(term, rest, i);
        }
        return std::nullopt;
    }

    std::optional<Error> required_domain(SpfTerm &term, std::string_view rest, size_t off) {
        if (rest.empty() || rest[0] != ':') return err(term.name + " needs a domain: write " + term.name + ":domain", off);
        std::string_view spec = rest.substr(1);
        if (spec.empty()) return err("empty domain after \"" + term.name + ":\"", off + 1);
        size_t slash = spec.rfind('/');
        if (slash != std::string_view::npos && slash + 1 < spec.size()) {
            std::string_view d = spec.substr(slash + 1);
            if (std::all_of(d.begin(), d.end(), is_digit)) {
                return err(term.name + " takes no CIDR length", off + 1 + slash);
            }
        }
        term.value = std::string(spec);
        return domain_spec(spec, off + 1);
    }

    // a / mx: [ ":" domain-spec ] [ ip4-cidr-length ] [ "/" ip6-cidr-length ]
    std::optional<Error> dual(SpfTerm &term, std::string_view rest, size_t off) {
        if (rest.empty()) return std::nullopt;
        if (rest[0] != ':' && rest[0] != '/') {
            return err("expected ':' and a domain or '/' and a CIDR length after " + term.name + ", found " +
                           describe(rest[0]),
                       off);
        }
        if (rest[0] == '/') return cidr_only(term, rest, off);
        size_t start = 1;
        std::string_view body = rest.substr(start);
        // The CIDR lengths are the digits at the end: a domain-spec may itself
        // contain '/' ("a:foo:bar/baz.example.com").
        size_t end = body.size();
        auto digits_before = [&](size_t e) {
            size_t b = e;
            while (b > 0 && is_digit(body[b - 1])) --b;
            return b;
        };
        size_t b = digits_before(end);
        if (b < end && b >= 2 && body[b - 1] == '/' && body[b - 2] == '/') {
            if (!parse_cidr(body.substr(b, end - b), 128, term.cidr6)) {
                return err("invalid IPv6 CIDR length \"" + std::string(body.substr(b, end - b)) + "\" (0 to 128, no leading zeros)",
                           off + start + b);
            }
            end = b - 2;
            b = digits_before(end);
        }
        if (b < end && b >= 1 && body[b - 1] == '/') {
            if (!parse_cidr(body.substr(b, end - b), 32, term.cidr4)) {
                return err("invalid IPv4 CIDR length \"" + std::string(body.substr(b, end - b)) + "\" (0 to 32, no leading zeros)",
                           off + start + b);
            }
            end = b - 1;
        }
        std::string_view spec = body.substr(0, end);
        if (spec.empty()) return err("empty domain after \"" + term.name + ":\"", off + 1);
        term.value = std::string(spec);
        return domain_spec(spec, off + 1);
    }

    // a / mx without a domain: "/N", "//N" or "/N//N".
    std::optional<Error> cidr_only(SpfTerm &term, std::string_view rest, size_t off) {
        size_t v6_at = std::string_view::npos;
        if (rest.substr(0, 2) == "//") {
            v6_at = 2;
        } else {
            size_t next = rest.find('/', 1);
            std::string_view v4 = rest.substr(1, next == std::string_view::npos ? std::string_view::npos : next - 1);
            if (!parse_cidr(v4, 32, term.cidr4)) {
                return err("invalid IPv4 CIDR length \"" + std::string(v4) + "\" (0 to 32, no leading zeros)", off + 1);
            }
            if (next != std::string_view::npos) {
                if (rest.substr(next, 2) != "//") return err("invalid CIDR lengths; write /N, //N or /N//N", off + next);
                v6_at = next + 2;
            }
        }
        if (v6_at != std::string_view::npos && !parse_cidr(rest.substr(v6_at), 128, term.cidr6)) {
            return err("invalid IPv6 CIDR length \"" + std::string(rest.substr(v6_at)) + "\" (0 to 128, no leading zeros)",
                       off + v6_at);
        }
        return std::nullopt;
    }

    std::optional<Error> address(SpfTerm &term, std::string_view rest, size_t off) {
        bool v6 = term.mechanism == SpfMechanism::ip6;
        const char *example = v6 ? "ip6:2001:db8::/32" : "ip4:192.0.2.0/24";
        if (rest.empty() || rest[0] != ':') return err(term.name + " needs an address: write " + example, off);
        std::string_view body = rest.substr(1);
        size_t slash = body.find('/');
        std::string_view addr = body.substr(0, slash);
        IpAddr ip;
        bool ok = v6 ? parse_ip6(addr, ip) : parse_ip4_network(addr, ip);
        if (!ok) {
            return err("\"" + std::string(addr) + "\" is not an " + (v6 ? "IPv6" : "IPv4") + " address" +
                           (v6 ? "" : " (four decimal octets, no leading zeros)"),
                       off + 1);
        }
        std::copy(ip.b.begin(), ip.b.end(), term.network.begin());
        term.value = std::string(addr);
        if (slash == std::string_view::npos) return std::nullopt;
        std::string_view len = body.substr(slash + 1);
        int &cidr = v6 ? term.cidr6 : term.cidr4;
        if (!parse_cidr(len, v6 ? 128 : 32, cidr)) {
            return err(std::string("invalid CIDR length \"") + std::string(len) + "\" (" + (v6 ? "0 to 128" : "0 to 32") +
                           ", no leading zeros; dual lengths are for a and mx only)",
                       off + 2 + slash);
        }
        return std::nullopt;
    }

    std::string_view t_;
    size_t base_;
};

SpfResult result_of(SpfQualifier q) noexcept {
    switch (q) {
        case SpfQualifier::pass: return SpfResult::pass;
        case SpfQualifier::fail: return SpfResult::fail;
        case SpfQualifier::softfail: return SpfResult::softfail;
        case SpfQualifier::neutral: return SpfResult::neutral;
    }
    return SpfResult::neutral;
}

std::string_view qualifier_result_name(SpfQualifier q) noexcept { return spf_result_name(result_of(q)); }

bool has_macro(std::string_view s) noexcept { return s.find('%') != std::string_view::npos; }

std::string answer_problem(const DnsAnswer &a, std::string_view type, std::string_view name) {
    std::string s = std::string(type) + " lookup for " + std::string(name) + " failed (" +
                    std::string(dns_status_name(a.status)) + ")";
    if (!a.detail.empty()) s += ": " + a.detail;
    return s;
}

// --- check_host() ------------------------------------------------------------------

enum class Match { no, yes, temperror, permerror };

struct Eval {
    SpfResult result = SpfResult::none;
    std::string record;
    std::string matched;
    std::string matched_domain;
    bool has_exp = false;
    std::string exp_spec;    // the exp= domain-spec of the record that decided
    std::string exp_domain;  // that record's domain (%{d} in the explanation)
    std::string problem;
};

// Nesting is bounded by the lookup limit (each include or redirect costs a
// lookup); this is a second guard.
constexpr int kMaxDepth = kSpfLookupLimit + 2;

class Checker {
public:
    Checker(Resolver &dns, const IpAddr &ip, const SpfRequest &req, std::string sender, std::string local,
            std::string sender_domain)
        : dns_(dns),
          ip_(ip),
          sender_(std::move(sender)),
          local_(std::move(local)),
          sender_domain_(std::move(sender_domain)),
          helo_(req.helo),
          receiver_(req.receiver.empty() ? "unknown" : req.receiver),
          now_(req.now >= 0 ? req.now : static_cast<int64_t>(std::time(nullptr))) {}

    Eval check_host(const std::string &domain, int depth);
    std::optional<std::string> explain(const Eval &e);

    int lookups() const noexcept { return lookups_; }
    int voids() const noexcept { return voids_; }

private:
    Match match(const SpfTerm &t, const std::string &domain, int depth);
    Match match_a(const SpfTerm &t, const std::string &domain);
    Match match_mx(const SpfTerm &t, const std::string &domain);
    Match match_ptr(const SpfTerm &t, const std::string &domain);
    Match match_exists(const SpfTerm &t, const std::string &domain);
    Match match_include(const SpfTerm &t, const std::string &domain, int depth);

    bool charge_lookup(const std::string &domain, const SpfTerm &t);
    bool charge_void(const std::string &domain, const SpfTerm &t, const std::string &target);
    bool target_of(const SpfTerm &t, const std::string &domain, std::string &out);
    bool expand(std::string_view s, MacroUse use, const std::string &domain, std::string &out);
    std::string letter_value(char letter, const std::string &domain);
    const std::vector<std::string> &validated_names();
    bool forward_confirms(const std::string &name);
    bool address_matches(const DnsAnswer &a, int cidr) const;
    int cidr_for(const SpfTerm &t) const noexcept {
        if (ip_.v6) return t.cidr6 < 0 ? 128 : t.cidr6;
        return t.cidr4 < 0 ? 32 : t.cidr4;
    }
    RRType addr_type() const noexcept { return ip_.v6 ? RRType::AAAA : RRType::A; }

    Resolver &dns_;
    IpAddr ip_;
    std::string sender_, local_, sender_domain_, helo_, receiver_;
    int64_t now_;
    int lookups_ = 0;
    int voids_ = 0;
    std::string problem_;
    std::optional<std::vector<std::string>> validated_;
};

Eval fail_with(Eval e, SpfResult r, std::string problem) {
    e.result = r;
    e.problem = std::move(problem);
    return e;
}

Eval Checker::check_host(const std::string &domain, int depth) {
    Eval e;
    if (depth > kMaxDepth) {
        return fail_with(std::move(e), SpfResult::permerror, domain + ": includes and redirects nested too deeply");
    }
    bool valid = depth == 0 ? valid_initial_domain(domain) : labels_ok(strip_dot(domain));
    if (!valid) {
        return fail_with(std::move(e), SpfResult::none,
                         "\"" + domain + "\" is not a valid domain name (RFC 7208 4.3)");
    }
    DnsAnswer a = dns_.query(domain, RRType::TXT);
    if (a.failed()) return fail_with(std::move(e), SpfResult::temperror, answer_problem(a, "TXT", domain));
    std::vector<const std::string *> found;
    if (a.ok()) {
        for (const auto &r : a.records) {
            if (spf_is_record(r)) found.push_back(&r);
        }
    }
    if (found.empty()) {
        return fail_with(std::move(e), SpfResult::none,
                         a.status == DnsStatus::nxdomain ? domain + " does not exist"
                                                         : "no SPF record (TXT \"v=spf1 ...\") at " + domain);
    }
    if (found.size() > 1) {
        return fail_with(std::move(e), SpfResult::permerror,
                         std::to_string(found.size()) + " SPF records at " + domain +
                             "; RFC 7208 4.5 allows exactly one");
    }
    e.record = *found.front();
    auto rec = spf_parse(e.record);
    if (!rec) {
        return fail_with(std::move(e), SpfResult::permerror,
                         "syntax error in the SPF record of " + domain + " at byte " +
                             std::to_string(rec.error().position) + ": " + rec.error().message);
    }
    auto decided = [&](Eval &out) {
        if (const SpfTerm *x = rec->exp()) {
            out.has_exp = true;
            out.exp_spec = x->value;
            out.exp_domain = domain;
        }
    };
    for (const SpfTerm &t : rec->terms) {
        if (t.is_modifier) continue;
        if (t.causes_lookup() && !charge_lookup(domain, t)) return fail_with(std::move(e), SpfResult::permerror, problem_);
        switch (match(t, domain, depth)) {
            case Match::no: continue;
            case Match::temperror: return fail_with(std::move(e), SpfResult::temperror, problem_);
            case Match::permerror: return fail_with(std::move(e), SpfResult::permerror, problem_);
            case Match::yes: break;
        }
        e.result = result_of(t.qualifier);
        e.matched = t.text;
        e.matched_domain = domain;
        decided(e);
        return e;
    }
    if (const SpfTerm *r = rec->redirect()) {
        if (!charge_lookup(domain, *r)) return fail_with(std::move(e), SpfResult::permerror, problem_);
        std::string target;
        if (!target_of(*r, domain, target)) {
            return fail_with(std::move(e), SpfResult::permerror,
                             domain + ": " + r->text + ": the target \"" + target + "\" is not a valid domain name");
        }
        Eval sub = check_host(target, depth + 1);
        sub.record = std::move(e.record);
        if (sub.result == SpfResult::none) {
            sub.result = SpfResult::permerror;
            sub.problem = domain + ": " + r->text + ": " + sub.problem +
                          " (a redirect to a domain without an SPF record is a permerror, RFC 7208 6.1)";
        }
        return sub;
    }
    e.result = SpfResult::neutral;
    decided(e);
    return e;
}

bool Checker::charge_lookup(const std::string &domain, const SpfTerm &t) {
    ++lookups_;
    if (lookups_ <= kSpfLookupLimit) return true;
    problem_ = domain + ": " + t.text + ": more than " + std::to_string(kSpfLookupLimit) +
               " DNS-lookup terms (include, a, mx, ptr, exists, redirect) in one check (RFC 7208 4.6.4)";
    return false;
}

bool Checker::charge_void(const std::string &domain, const SpfTerm &t, const std::string &target) {
    ++voids_;
    if (voids_ <= kSpfVoidLookupLimit) return true;
    problem_ = domain + ": " + t.text + ": " + target + " has no records; more than " +
               std::to_string(kSpfVoidLookupLimit) + " lookups found nothing (void lookup limit, RFC 7208 4.6.4)";
    return false;
}

// The <target-name> of a term: its expanded domain-spec, or <domain>. False
// when the expansion is not a name a query can be made of.
bool Checker::target_of(const SpfTerm &t, const std::string &domain, std::string &out) {
    if (t.value.empty()) {
        out = domain;
        return true;
    }
    std::string expanded;
    if (!expand(t.value, MacroUse::domain_spec, domain, expanded)) {
        out = expanded;
        return false;
    }
    out = std::string(truncate_left(strip_dot(expanded)));
    return labels_ok(out);
}

Match Checker::match(const SpfTerm &t, const std::string &domain, int depth) {
    switch (t.mechanism) {
        case SpfMechanism::all: return Match::yes;
        case SpfMechanism::include: return match_include(t, domain, depth);
        case SpfMechanism::a: return match_a(t, domain);
        case SpfMechanism::mx: return match_mx(t, domain);
        case SpfMechanism::ptr: return match_ptr(t, domain);
        case SpfMechanism::exists: return match_exists(t, domain);
        case SpfMechanism::ip4:
        case SpfMechanism::ip6: {
            if ((t.mechanism == SpfMechanism::ip6) != ip_.v6) return Match::no;
            IpAddr net;
            net.v6 = ip_.v6;
            net.b = t.network;
            return prefix_match(ip_, net, cidr_for(t)) ? Match::yes : Match::no;
        }
    }
    return Match::no;
}

bool Checker::address_matches(const DnsAnswer &a, int cidr) const {
    for (const auto &r : a.records) {
        IpAddr x;
        if (parse_answer_ip(r, ip_.v6, x) && prefix_match(ip_, x, cidr)) return true;
    }
    return false;
}

Match Checker::match_a(const SpfTerm &t, const std::string &domain) {
    std::string target;
    // A name no query can be made of matches nothing (RFC 7208 4.3, by analogy).
    if (!target_of(t, domain, target)) return Match::no;
    DnsAnswer a = dns_.query(target, addr_type());
    if (a.failed()) {
        problem_ = domain + ": " + t.text + ": " + answer_problem(a, rrtype_name(addr_type()), target);
        return Match::temperror;
    }
    if (!a.ok() || a.records.empty()) return charge_void(domain, t, target) ? Match::no : Match::permerror;
    return address_matches(a, cidr_for(t)) ? Match::yes : Match::no;
}

Match Checker::match_mx(const SpfTerm &t, const std::string &domain) {
    std::string target;
    if (!target_of(t, domain, target)) return Match::no;
    DnsAnswer a = dns_.query(target, RRType::MX);
    if (a.failed()) {
        problem_ = domain + ": " + t.text + ": " + answer_problem(a, "MX", target);
        return Match::temperror;
    }
    if (!a.ok() || a.mx.empty()) return charge_void(domain, t, target) ? Match::no : Match::permerror;
    if (a.mx.size() > kSpfMaxMxNames) {
        problem_ = domain + ": " + t.text + ": " + target + " has " + std::to_string(a.mx.size()) +
                   " MX records; an mx mechanism may look at " + std::to_string(kSpfMaxMxNames) +
                   " (RFC 7208 4.6.4)";
        return Match::permerror;
    }
    int cidr = cidr_for(t);
    for (const auto &mx : a.mx) {
        if (mx.exchange.empty()) continue;  // null MX (RFC 7505): no mail host
        DnsAnswer h = dns_.query(mx.exchange, addr_type());
        if (h.failed()) {
            problem_ = domain + ": " + t.text + ": " + answer_problem(h, rrtype_name(addr_type()), mx.exchange);
            return Match::temperror;
        }
        if (h.ok() && address_matches(h, cidr)) return Match::yes;
    }
    return Match::no;
}

bool Checker::forward_confirms(const std::string &name) {
    DnsAnswer a = dns_.query(name, addr_type());
    if (!a.ok()) return false;  // a DNS error skips the name (RFC 7208 5.5)
    return address_matches(a, ip_.v6 ? 128 : 32);
}

Match Checker::match_ptr(const SpfTerm &t, const std::string &domain) {
    std::string target;
    if (!target_of(t, domain, target)) return Match::no;
    std::string rev = reverse_name(ip_);
    DnsAnswer a = dns_.query(rev, RRType::PTR);
    if (a.failed()) return Match::no;  // RFC 7208 5.5: the mechanism fails to match
    if (!a.ok() || a.records.empty()) return charge_void(domain, t, rev) ? Match::no : Match::permerror;
    size_t n = std::min(a.records.size(), kSpfMaxPtrNames);
    for (size_t i = 0; i < n; ++i) {
        std::string name(strip_dot(a.records[i]));
        if (iends_with_label(name, target) && forward_confirms(name)) return Match::yes;
    }
    return Match::no;
}

Match Checker::match_exists(const SpfTerm &t, const std::string &domain) {
    std::string target;
    if (!target_of(t, domain, target)) return Match::no;
    DnsAnswer a = dns_.query(target, RRType::A);  // always A, whatever the client's family
    if (a.failed()) {
        problem_ = domain + ": " + t.text + ": " + answer_problem(a, "A", target);
        return Match::temperror;
    }
    if (!a.ok() || a.records.empty()) return charge_void(domain, t, target) ? Match::no : Match::permerror;
    return Match::yes;
}

Match Checker::match_include(const SpfTerm &t, const std::string &domain, int depth) {
    std::string target;
    if (!target_of(t, domain, target)) {
        problem_ = domain + ": " + t.text + ": the target \"" + target + "\" is not a valid domain name";
        return Match::permerror;
    }
    Eval sub = check_host(target, depth + 1);
    switch (sub.result) {
        case SpfResult::pass: return Match::yes;
        case SpfResult::fail:
        case SpfResult::softfail:
        case SpfResult::neutral: return Match::no;
        case SpfResult::temperror: problem_ = sub.problem; return Match::temperror;
        case SpfResult::permerror: problem_ = sub.problem; return Match::permerror;
        case SpfResult::none:
            problem_ = domain + ": " + t.text + ": " + sub.problem +
                       " (an include of a domain without an SPF record is a permerror, RFC 7208 5.2)";
            return Match::permerror;
    }
    return Match::no;
}

// %{p}: the names of the client's PTR records (the first ten) whose address
// records lead back to the client.
const std::vector<std::string> &Checker::validated_names() {
    if (validated_) return *validated_;
    validated_.emplace();
    DnsAnswer a = dns_.query(reverse_name(ip_), RRType::PTR);
    if (!a.ok()) return *validated_;
    size_t n = std::min(a.records.size(), kSpfMaxPtrNames);
    for (size_t i = 0; i < n; ++i) {
        std::string name(strip_dot(a.records[i]));
        if (!name.empty() && forward_confirms(name)) validated_->push_back(name);
    }
    return *validated_;
}

std::string Checker::letter_value(char letter, const std::string &domain) {
    switch (letter) {
        case 's': return sender_;
        case 'l': return local_;
        case 'o': return sender_domain_;
        case 'd': return domain;
        case 'i': return dotted_ip(ip_);
        case 'v': return ip_.v6 ? "ip6" : "in-addr";
        case 'h': return helo_;
        case 'c': return readable_ip(ip_);
        case 'r': return receiver_;
        case 't': return std::to_string(now_);
        case 'p': {
            // RFC 7208 7.3: prefer <domain> itself, then a subdomain of it,
            // then any validated name.
            const auto &names = validated_names();
            if (names.empty()) return "unknown";
            for (const auto &n : names) {
                if (ascii_iequals(n, strip_dot(domain))) return n;
            }
            for (const auto &n : names) {
                if (iends_with_label(n, strip_dot(domain))) return n;
            }
            return names.front();
        }
        default: return {};
    }
}

void apply_transformers(std::string_view value, const MacroPiece &p, std::string &out) {
    if (p.digits == 0 && !p.reverse && p.delimiters.empty()) {
        out += value;  // splitting on '.' and joining with '.' changes nothing
        return;
    }
    std::string_view delims = p.delimiters.empty() ? std::string_view(".") : p.delimiters;
    std::vector<std::string_view> parts;
    size_t start = 0;
    for (size_t i = 0; i <= value.size(); ++i) {
        if (i == value.size() || delims.find(value[i]) != std::string_view::npos) {
            parts.push_back(value.substr(start, i - start));
            start = i + 1;
        }
    }
    if (p.reverse) std::reverse(parts.begin(), parts.end());
    size_t take = p.digits == 0 ? parts.size() : std::min(parts.size(), p.digits);
    for (size_t i = parts.size() - take; i < parts.size(); ++i) {
        if (i > parts.size() - take) out += '.';
        out += parts[i];
    }
}

void url_escape(std::string_view s, std::string &out) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (char c : s) {
        if (is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += c;
        } else {
            auto u = static_cast<unsigned char>(c);
            out += '%';
            out += kHex[u >> 4];
            out += kHex[u & 15];
        }
    }
}

bool Checker::expand(std::string_view s, MacroUse use, const std::string &domain, std::string &out) {
    std::vector<MacroPiece> pieces;
    std::string err;
    size_t at = 0;
    out.clear();
    if (!scan_macros(s, use, pieces, err, at)) return false;
    for (const auto &p : pieces) {
        switch (p.kind) {
            case MacroPiece::Kind::literal: out += s.substr(p.pos, p.len); break;
            case MacroPiece::Kind::percent: out += '%'; break;
            case MacroPiece::Kind::space: out += ' '; break;
            case MacroPiece::Kind::url_space: out += "%20"; break;
            case MacroPiece::Kind::expand: {
                std::string value = letter_value(p.letter, domain);
                if (!p.url_escape) {
                    apply_transformers(value, p, out);
                } else {
                    std::string t;
                    apply_transformers(value, p, t);
                    url_escape(t, out);
                }
                break;
            }
        }
    }
    return true;
}

// RFC 7208 6.2: any problem with the explanation (the name, DNS, several or
// no TXT records, bad syntax) means "as if there were no exp=".
std::optional<std::string> Checker::explain(const Eval &e) {
    if (!e.has_exp) return std::nullopt;
    std::string name;
    if (!expand(e.exp_spec, MacroUse::domain_spec, e.exp_domain, name)) return std::nullopt;
    name = std::string(truncate_left(strip_dot(name)));
    if (!labels_ok(name)) return std::nullopt;
    DnsAnswer a = dns_.query(name, RRType::TXT);
    if (!a.ok() || a.records.size() != 1) return std::nullopt;
    std::string text;
    if (!expand(a.records.front(), MacroUse::explanation, e.exp_domain, text)) return std::nullopt;
    return text;
}

// --- Lint ---------------------------------------------------------------------------

SpfFinding finding(std::string code, SpfSeverity sev, std::string message, size_t position = Error::npos,
                   std::string domain = {}) {
    return SpfFinding{std::move(code), sev, std::move(message), position, std::move(domain)};
}

// Findings about one parsed record. `count_lookups` is off when the caller
// counts lookups through includes itself.
void lint_parsed(const SpfRecord &rec, const std::string &domain, bool count_lookups, std::vector<SpfFinding> &out) {
    bool has_all = false;
    for (const SpfTerm &t : rec.terms) {
        if (t.is_modifier) {
            if (t.modifier == SpfModifier::unknown) {
                out.push_back(finding("spf.unknown_modifier", SpfSeverity::info,
                                      "unknown modifier \"" + t.name + "=\" is ignored by receivers", t.position, domain));
            }
            continue;
        }
        if (has_all) {
            out.push_back(finding("spf.after_all", SpfSeverity::warning,
                                  "\"" + t.text + "\" comes after the all mechanism and is never evaluated", t.position,
                                  domain));
        }
        switch (t.mechanism) {
            case SpfMechanism::all:
                if (!has_all && t.qualifier == SpfQualifier::pass) {
                    out.push_back(finding("spf.plus_all", SpfSeverity::error,
                                          "\"" + t.text + "\" authorizes every host on the Internet to send mail for the domain",
                                          t.position, domain));
                } else if (!has_all && t.qualifier == SpfQualifier::neutral) {
                    out.push_back(finding("spf.neutral_all", SpfSeverity::warning,
                                          "\"" + t.text + "\" gives neutral for every host not listed: receivers treat "
                                          "such mail as if the domain had no SPF policy; use ~all or -all",
                                          t.position, domain));
                }
                has_all = true;
                break;
            case SpfMechanism::ptr:
                out.push_back(finding("spf.ptr", SpfSeverity::warning,
                                      "\"" + t.text + "\": the ptr mechanism is slow and unreliable, and RFC 7208 5.5 "
                                      "says it SHOULD NOT be used; list the addresses with ip4/ip6 instead",
                                      t.position, domain));
                break;
            case SpfMechanism::ip4:
            case SpfMechanism::ip6: {
                IpAddr net;
                net.v6 = t.mechanism == SpfMechanism::ip6;
                net.b = t.network;
                int bits = net.v6 ? t.cidr6 : t.cidr4;
                if (bits >= 0 && host_bits_set(net, bits)) {
                    out.push_back(finding("spf.cidr_host_bits", SpfSeverity::info,
                                          "\"" + t.text + "\" has bits set beyond the /" + std::to_string(bits) +
                                              " prefix; they are ignored",
                                          t.position, domain));
                }
                break;
            }
            default: break;
        }
    }
    const SpfTerm *redirect = rec.redirect();
    if (redirect != nullptr && has_all) {
        out.push_back(finding("spf.redirect_with_all", SpfSeverity::warning,
                              "\"" + redirect->text + "\" is ignored because the record has an all mechanism (RFC 7208 6.1)",
                              redirect->position, domain));
    }
    if (redirect == nullptr && !has_all) {
        out.push_back(finding("spf.no_all", SpfSeverity::info,
                              "no all mechanism and no redirect: hosts not listed get neutral; end the record with ~all or -all",
                              Error::npos, domain));
    }
    if (count_lookups && rec.lookup_terms() > static_cast<size_t>(kSpfLookupLimit)) {
        out.push_back(finding("spf.too_many_lookups", SpfSeverity::error,
                              "the record has " + std::to_string(rec.lookup_terms()) +
                                  " terms that cause DNS lookups; RFC 7208 4.6.4 allows " +
                                  std::to_string(kSpfLookupLimit) + " (permerror)",
                              Error::npos, domain));
    }
    if (rec.text.size() > kSpfRecommendedMaxBytes) {
        out.push_back(finding("spf.long_record", SpfSeverity::warning,
                              "the record is " + std::to_string(rec.text.size()) + " bytes; over " +
                                  std::to_string(kSpfRecommendedMaxBytes) +
                                  " it may not fit a 512-byte DNS answer (RFC 7208 3.4)",
                              Error::npos, domain));
    }
}

// Returns the parsed record, or adds the syntax finding.
std::optional<SpfRecord> lint_text(std::string_view text, const std::string &domain, bool count_lookups,
                                   std::vector<SpfFinding> &out) {
    auto rec = spf_parse(text);
    if (!rec) {
        std::string msg = "syntax error";
        if (rec.error().position != Error::npos) msg += " at byte " + std::to_string(rec.error().position);
        out.push_back(finding("spf.syntax", SpfSeverity::error, msg + ": " + rec.error().message + " (permerror)",
                              rec.error().position, domain));
        return std::nullopt;
    }
    lint_parsed(*rec, domain, count_lookups, out);
    return std::move(*rec);
}

constexpr size_t kLintMaxRecords = 32;  // far past the point where the lookup limit is exceeded

class Linter {
public:
    explicit Linter(Resolver &dns) : dns_(dns) {}
    std::vector<SpfFinding> run(const std::string &domain);

private:
    struct Count {
        int lookups = 0;
        int voids = 0;
    };
    enum class Fetch { ok, none, nxdomain, multiple, failed };

    Fetch fetch(const std::string &domain, std::string &text, size_t &n, std::string &detail);
    Count walk(const std::string &domain, const SpfRecord &rec);
    Count follow(const std::string &from, const SpfTerm &t);
    // Whether `name` has no records of `type` (a failed lookup is reported, not void).
    bool is_void(const std::string &name, RRType type, const std::string &domain, const SpfTerm &t);

    Resolver &dns_;
    std::vector<SpfFinding> out_;
    std::map<std::string, Count> done_;
    std::vector<std::string> stack_;
    size_t fetched_ = 0;
    bool truncated_ = false;
};

Linter::Fetch Linter::fetch(const std::string &domain, std::string &text, size_t &n, std::string &detail) {
    ++fetched_;
    DnsAnswer a = dns_.query(domain, RRType::TXT);
    if (a.failed()) {
        detail = answer_problem(a, "TXT", domain);
        return Fetch::failed;
    }
    n = 0;
    for (const auto &r : a.records) {
        if (spf_is_record(r)) {
            if (n == 0) text = r;
            ++n;
        }
    }
    if (n == 0) return a.status == DnsStatus::nxdomain ? Fetch::nxdomain : Fetch::none;
    return n > 1 ? Fetch::multiple : Fetch::ok;
}

bool Linter::is_void(const std::string &name, RRType type, const std::string &domain, const SpfTerm &t) {
    DnsAnswer a = dns_.query(name, type);
    if (a.failed()) {
        out_.push_back(finding("spf.dns_error", SpfSeverity::warning,
                               "\"" + t.text + "\": " + answer_problem(a, rrtype_name(type), name) +
                                   "; receivers would get temperror",
                               t.position, domain));
        return false;
    }
    return !a.ok() || (type == RRType::MX ? a.mx.empty() : a.records.empty());
}

Linter::Count Linter::walk(const std::string &domain, const SpfRecord &rec) {
    Count c;
    bool has_all = false;
    for (const SpfTerm &t : rec.terms) {
        if (t.is_modifier) continue;
        if (t.mechanism == SpfMechanism::all) {
            has_all = true;
            break;  // nothing after all is evaluated
        }
        if (t.causes_lookup()) ++c.lookups;
        if (has_macro(t.value)) continue;  // depends on the message
        std::string target = t.value.empty() ? domain : dns_name(t.value);
        switch (t.mechanism) {
            case SpfMechanism::include: {
                Count sub = follow(domain, t);
                c.lookups += sub.lookups;
                c.voids += sub.voids;
                break;
            }
            case SpfMechanism::a:
                if (is_void(target, RRType::A, domain, t) && is_void(target, RRType::AAAA, domain, t)) {
                    ++c.voids;
                }
                break;
            case SpfMechanism::mx: {
                DnsAnswer a = dns_.query(target, RRType::MX);
                if (a.failed()) {
                    out_.push_back(finding("spf.dns_error", SpfSeverity::warning,
                                           "\"" + t.text + "\": " + answer_problem(a, "MX", target) +
                                               "; receivers would get temperror",
                                           t.position, domain));
                } else if (!a.ok() || a.mx.empty()) {
                    ++c.voids;
                } else if (a.mx.size() > kSpfMaxMxNames) {
                    out_.push_back(finding("spf.too_many_mx", SpfSeverity::error,
                                           "\"" + t.text + "\": " + target + " has " + std::to_string(a.mx.size()) +
                                               " MX records; an mx mechanism may look at " +
                                               std::to_string(kSpfMaxMxNames) + " (permerror, RFC 7208 4.6.4)",
                                           t.position, domain));
                }
                break;
            }
            case SpfMechanism::exists:
                if (is_void(target, RRType::A, domain, t)) ++c.voids;
                break;
            default: break;  // ptr depends on the client; ip4/ip6 need no DNS
        }
    }
    const SpfTerm *r = rec.redirect();
    if (r != nullptr && !has_all) {
        ++c.lookups;
        if (!has_macro(r->value)) {
            Count sub = follow(domain, *r);
            c.lookups += sub.lookups;
            c.voids += sub.voids;
        }
    }
    return c;
}

Linter::Count Linter::follow(const std::string &from, const SpfTerm &t) {
    std::string target = dns_name(t.value);
    auto on_stack = std::find(stack_.begin(), stack_.end(), target);
    if (on_stack != stack_.end()) {
        std::string cycle;
        for (auto it = on_stack; it != stack_.end(); ++it) cycle += *it + " -> ";
        cycle += target;
        out_.push_back(finding("spf.include_loop", SpfSeverity::error,
                               "\"" + t.text + "\" closes a loop: " + cycle +
                                   "; evaluation exceeds the lookup limit (permerror)",
                               t.position, from));
        return {};
    }
    if (auto it = done_.find(target); it != done_.end()) return it->second;
    if (fetched_ >= kLintMaxRecords) {
        truncated_ = true;
        return {};
    }
    std::string text;
    std::string detail;
    size_t n = 0;
    const char *kind = t.is_modifier ? "redirect" : "include";
    switch (fetch(target, text, n, detail)) {
        case Fetch::failed:
            out_.push_back(finding("spf.dns_error", SpfSeverity::warning,
                                   "\"" + t.text + "\": " + detail + "; receivers would get temperror", t.position,
                                   from));
            return {};
        case Fetch::none:
        case Fetch::nxdomain:
            out_.push_back(finding("spf.include_no_record", SpfSeverity::error,
                                   "\"" + t.text + "\": " + target + " has no SPF record; an " + kind +
                                       " of a domain without one is a permerror",
                                   t.position, from));
            return {};
        case Fetch::multiple:
            out_.push_back(finding("spf.multiple_records", SpfSeverity::error,
                                   target + " has " + std::to_string(n) + " SPF records (reached by \"" + t.text +
                                       "\"); RFC 7208 4.5 allows exactly one (permerror)",
                                   Error::npos, target));
            return {};
        case Fetch::ok: break;
    }
    auto rec = lint_text(text, target, false, out_);
    if (!rec) return {};
    stack_.push_back(target);
    Count c = walk(target, *rec);
    stack_.pop_back();
    done_[target] = c;
    return c;
}

std::vector<SpfFinding> Linter::run(const std::string &domain) {
    std::string text;
    std::string detail;
    size_t n = 0;
    switch (fetch(domain, text, n, detail)) {
        case Fetch::failed:
            out_.push_back(finding("spf.dns_error", SpfSeverity::warning, detail + "; receivers would get temperror",
                                   Error::npos, domain));
            return std::move(out_);
        case Fetch::nxdomain:
            out_.push_back(finding("spf.no_record", SpfSeverity::error,
                                   domain + " does not exist, so it has no SPF record", Error::npos, domain));
            return std::move(out_);
        case Fetch::none:
            out_.push_back(finding("spf.no_record", SpfSeverity::error,
                                   "no SPF record (a TXT record starting with \"v=spf1\") at " + domain, Error::npos,
                                   domain));
            return std::move(out_);
        case Fetch::multiple:
            out_.push_back(finding("spf.multiple_records", SpfSeverity::error,
                                   domain + " has " + std::to_string(n) +
                                       " SPF records; RFC 7208 4.5 allows exactly one (permerror)",
                                   Error::npos, domain));
            return std::move(out_);
        case Fetch::ok: break;
    }
    auto rec = lint_text(text, domain, false, out_);
    if (!rec) return std::move(out_);
    stack_.push_back(domain);
    Count c = walk(domain, *rec);
    stack_.pop_back();
    std::string at_least = truncated_ ? "at least " : "";
    if (c.lookups > kSpfLookupLimit) {
        out_.push_back(finding("spf.too_many_lookups", SpfSeverity::error,
                               at_least + std::to_string(c.lookups) +
                                   " DNS lookups counted through includes and redirects; RFC 7208 4.6.4 allows " +
                                   std::to_string(kSpfLookupLimit) + " (permerror)",
                               Error::npos, domain));
    }
    if (c.voids > kSpfVoidLookupLimit) {
        out_.push_back(finding("spf.void_lookups", SpfSeverity::error,
                               at_least + std::to_string(c.voids) +
                                   " lookups return no records (names without data or that do not exist); "
                                   "RFC 7208 4.6.4 allows " +
                                   std::to_string(kSpfVoidLookupLimit) + " (permerror)",
                               Error::npos, domain));
    }
    out_.push_back(finding("spf.lookups", SpfSeverity::info,
                           at_least + std::to_string(c.lookups) + " of " + std::to_string(kSpfLookupLimit) +
                               " DNS lookups, " + std::to_string(c.voids) + " of " +
                               std::to_string(kSpfVoidLookupLimit) + " void lookups",
                           Error::npos, domain));
    return std::move(out_);
}

std::string_view result_description(SpfResult r) noexcept {
    switch (r) {
        case SpfResult::none: return "no SPF policy was found for the domain";
        case SpfResult::neutral: return "the domain makes no assertion about this host";
        case SpfResult::pass: return "the host is authorized to send mail for the domain";
        case SpfResult::fail: return "the host is not authorized to send mail for the domain";
        case SpfResult::softfail: return "the host is probably not authorized to send mail for the domain";
        case SpfResult::temperror: return "a temporary DNS error prevented the check; try again later";
        case SpfResult::permerror: return "the domain's SPF policy is broken and cannot be evaluated";
    }
    return "";
}

void optional_string(JsonWriter &w, std::string_view key, const std::string &v) {
    w.key(key);
    if (v.empty()) w.null();
    else w.value(v);
}

}  // namespace

// --- Public functions ------------------------------------------------------------------

std::string_view spf_mechanism_name(SpfMechanism m) noexcept {
    for (const auto &k : kMechanisms) {
        if (k.mech == m) return k.name;
    }
    return "?";
}

std::string_view spf_result_name(SpfResult r) noexcept {
    switch (r) {
        case SpfResult::none: return "none";
        case SpfResult::neutral: return "neutral";
        case SpfResult::pass: return "pass";
        case SpfResult::fail: return "fail";
        case SpfResult::softfail: return "softfail";
        case SpfResult::temperror: return "temperror";
        case SpfResult::permerror: return "permerror";
    }
    return "?";
}

std::string_view spf_severity_name(SpfSeverity s) noexcept {
    switch (s) {
        case SpfSeverity::error: return "error";
        case SpfSeverity::warning: return "warning";
        case SpfSeverity::info: return "info";
    }
    return "?";
}

bool SpfTerm::causes_lookup() const noexcept {
    if (is_modifier) return modifier == SpfModifier::redirect;
    switch (mechanism) {
        case SpfMechanism::include:
        case SpfMechanism::a:
        case SpfMechanism::mx:
        case SpfMechanism::ptr:
        case SpfMechanism::exists: return true;
        default: return false;
    }
}

const SpfTerm *SpfRecord::redirect() const noexcept {
    for (const auto &t : terms) {
        if (t.is_modifier && t.modifier == SpfModifier::redirect) return &t;
    }
    return nullptr;
}

const SpfTerm *SpfRecord::exp() const noexcept {
    for (const auto &t : terms) {
        if (t.is_modifier && t.modifier == SpfModifier::exp) return &t;
    }
    return nullptr;
}

size_t SpfRecord::lookup_terms() const noexcept {
    return static_cast<size_t>(std::count_if(terms.begin(), terms.end(), [](const SpfTerm &t) { return t.causes_lookup(); }));
}

bool spf_is_record(std::string_view txt) noexcept {
    return txt.size() >= 6 && ascii_iequals(txt.substr(0, 6), "v=spf1") && (txt.size() == 6 || txt[6] == ' ');
}

Result<SpfRecord> spf_parse(std::string_view record) {
    if (!spf_is_record(record)) {
        if (record.size() >= 6 && ascii_iequals(record.substr(0, 6), "v=spf1")) {
            return parse_error("the version \"v=spf1\" must be followed by a space, found " + describe(record[6]), 6);
        }
        return parse_error("an SPF record starts with \"v=spf1\"", 0);
    }
    SpfRecord rec;
    rec.text = std::string(record);
    size_t pos = 6;
    bool seen_redirect = false;
    bool seen_exp = false;
    while (pos < record.size()) {
        while (pos < record.size() && record[pos] == ' ') ++pos;
        if (pos >= record.size()) break;
        size_t end = record.find(' ', pos);
        if (end == std::string_view::npos) end = record.size();
        SpfTerm term;
        if (auto e = TermParser(record.substr(pos, end - pos), pos).parse(term)) return std::move(*e);
        if (term.is_modifier && term.modifier != SpfModifier::unknown) {
            bool &seen = term.modifier == SpfModifier::redirect ? seen_redirect : seen_exp;
            if (seen) {
                return parse_error("term \"" + term.text + "\": " + term.name +
                                       "= may appear only once in a record (RFC 7208 6)",
                                   pos);
            }
            seen = true;
        }
        rec.terms.push_back(std::move(term));
        pos = end;
    }
    return rec;
}

SpfOutcome spf_check_host(Resolver &dns, const SpfRequest &req) {
    SpfOutcome o;
    std::string local;
    std::string domain;
    if (req.mail_from.empty()) {
        o.scope = "helo";
        local = "postmaster";
        domain = req.helo;
    } else {
        o.scope = "mfrom";
        size_t at = req.mail_from.rfind('@');
        if (at == std::string::npos) {
            domain = req.mail_from;
        } else {
            local = req.mail_from.substr(0, at);
            domain = req.mail_from.substr(at + 1);
        }
        if (local.empty()) local = "postmaster";  // RFC 7208 4.3
    }
    o.sender = local + "@" + domain;
    domain = std::string(strip_dot(domain));
    o.domain = domain;
    IpAddr ip;
    if (!parse_client_ip(req.ip, ip)) {
        o.result = SpfResult::permerror;
        o.problem = "the client address \"" + req.ip + "\" is not an IPv4 or IPv6 address";
        return o;
    }
    Checker checker(dns, ip, req, o.sender, local, domain);
    Eval e = checker.check_host(domain, 0);
    o.result = e.result;
    o.record = std::move(e.record);
    o.matched = e.matched;
    o.matched_domain = e.matched_domain;
    o.problem = e.problem;
    if (o.result == SpfResult::fail) {
        auto text = checker.explain(e);
        o.explanation = text ? std::move(*text) : req.default_explanation;
    }
    o.lookups = checker.lookups();
    o.void_lookups = checker.voids();
    return o;
}

std::vector<SpfFinding> spf_lint_record(std::string_view record) {
    std::vector<SpfFinding> out;
    (void)lint_text(record, std::string(), true, out);
    return out;
}

std::vector<SpfFinding> spf_lint(Resolver &dns, std::string_view domain) {
    std::string d = dns_name(domain);
    if (!valid_initial_domain(d)) {
        return {finding("spf.no_record", SpfSeverity::error,
                        "\"" + std::string(domain) + "\" is not a valid domain name", Error::npos, d)};
    }
    return Linter(dns).run(d);
}

void write_spf_outcome_json(JsonWriter &w, const SpfOutcome &o) {
    w.begin_object();
    w.field("result", spf_result_name(o.result));
    w.field("description", result_description(o.result));
    w.field("scope", o.scope);
    w.field("sender", o.sender);
    w.field("domain", o.domain);
    optional_string(w, "record", o.record);
    optional_string(w, "matched", o.matched);
    optional_string(w, "matched_domain", o.matched_domain);
    w.key("explanation");
    if (o.result == SpfResult::fail) w.value(o.explanation);
    else w.null();
    optional_string(w, "problem", o.problem);
    w.field("lookups", o.lookups);
    w.field("lookup_limit", kSpfLookupLimit);
    w.field("void_lookups", o.void_lookups);
    w.field("void_lookup_limit", kSpfVoidLookupLimit);
    w.end_object();
}

void write_spf_findings_json(JsonWriter &w, const std::vector<SpfFinding> &findings) {
    w.begin_array();
    for (const auto &f : findings) {
        w.begin_object();
        w.field("code", f.code);
        w.field("severity", spf_severity_name(f.severity));
        w.field("message", f.message);
        w.key("position");
        if (f.position == Error::npos) w.null();
        else w.value(f.position);
        optional_string(w, "domain", f.domain);
        w.end_object();
    }
    w.end_array();
}

void write_spf_record_json(JsonWriter &w, const SpfRecord &record, const std::vector<SpfFinding> &findings) {
    w.begin_object();
    optional_string(w, "record", record.text);
    w.key("terms").begin_array();
    for (const auto &t : record.terms) {
        w.begin_object();
        w.field("text", t.text);
        w.field("position", t.position);
        w.field("type", t.is_modifier ? "modifier" : "mechanism");
        if (t.is_modifier) {
            w.key("qualifier").null();
            w.key("result").null();
        } else {
            w.field("qualifier", std::string(1, static_cast<char>(t.qualifier)));
            w.field("result", qualifier_result_name(t.qualifier));
        }
        w.field("name", t.name);
        optional_string(w, "value", t.value);
        w.key("cidr4");
        if (t.cidr4 < 0) w.null();
        else w.value(t.cidr4);
        w.key("cidr6");
        if (t.cidr6 < 0) w.null();
        else w.value(t.cidr6);
        w.field("lookup", t.causes_lookup());
        w.end_object();
    }
    w.end_array();
    w.field("lookup_terms", record.lookup_terms());
    auto count = [&](SpfSeverity s) {
        return static_cast<size_t>(
            std::count_if(findings.begin(), findings.end(), [s](const SpfFinding &f) { return f.severity == s; }));
    };
    w.field("errors", count(SpfSeverity::error));
    w.field("warnings", count(SpfSeverity::warning));
    w.key("findings");
    write_spf_findings_json(w, findings);
    w.end_object();
}

}  // namespace presend
