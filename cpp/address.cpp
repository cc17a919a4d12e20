// RFC 5322 section 3.4 address lists with the RFC 6532 UTF-8 extension, and
// the normalized form presend compares addresses in (RFC 5321 limits, IDNA2008
// A-labels via libidn2).
//
// Every function here is a single left-to-right pass over its input (comments
// nest, but only a depth counter is kept), so a 64 KiB header value costs
// time proportional to its length.
#include "address.hpp"

#include <arpa/inet.h>
#include <idn2.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>

#include "text.hpp"

namespace presend {

namespace {

constexpr size_t npos = Error::npos;

// How an error message names a byte: quoted when printable, else in hex.
std::string describe_byte(unsigned char c) {
    if (c > 0x20 && c < 0x7f) return std::string("'") + static_cast<char>(c) + "'";
    if (c == ' ') return "space";
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "byte 0x";
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
    return out;
}

bool is_wsp(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
unsigned char to_lower(unsigned char c) { return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c + 32) : c; }

// RFC 5322 atext, extended by RFC 6532 with every non-ASCII byte (UTF-8
// validity is checked separately, once per input).
constexpr auto kAtext = [] {
    std::array<bool, 256> t{};
    for (int c = 0x80; c < 0x100; ++c) t[c] = true;
    for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
    for (int c = '0'; c <= '9'; ++c) t[c] = true;
    for (unsigned char c : std::string_view("!#$%&'*+-/=?^_`{|}~")) t[c] = true;
    return t;
}();

bool is_atext(unsigned char c) { return kAtext[c]; }

// Control characters that may not appear in quoted strings, comments or
// domain literals (everything below 0x20 except HTAB, CR and LF, plus DEL).
bool is_forbidden_ctl(unsigned char c) {
    return (c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f;
}

std::optional<Error> check_utf8(std::string_view s) {
    size_t bad = 0;
    if (utf8_valid(s, &bad)) return std::nullopt;
    return parse_error("invalid UTF-8 at byte " + std::to_string(bad), bad);
}

// dot-atom-text: 1*atext *("." 1*atext)
bool is_dot_atom(std::string_view s) {
    if (s.empty() || s.front() == '.' || s.back() == '.') return false;
    unsigned char prev = 0;
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (c == '.') {
            if (prev == '.') return false;
        } else if (!is_atext(c)) {
            return false;
        }
        prev = c;
    }
    return true;
}

// The local part as presend stores it: the dot-atom when the content is one,
// otherwise a quoted string with only '"' and '\' escaped.
void render_local(std::string_view content, std::string &out) {
    if (is_dot_atom(content)) {
        out.append(content);
        return;
    }
    out.push_back('"');
    for (char c : content) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    out.push_back('"');
}

// A read position in one piece of text; error positions are offsets into it.
struct Cursor {
    std::string_view s;
    size_t p = 0;

    bool end() const { return p >= s.size(); }
    unsigned char peek() const { return static_cast<unsigned char>(s[p]); }
};

// Skips white space (FWS, folded or not) and comments, which nest and may
// contain quoted-pairs. Sets *skipped when anything was skipped.
std::optional<Error> skip_cfws(Cursor &c, bool *skipped = nullptr) {
    const size_t start = c.p;
    while (!c.end()) {
        unsigned char ch = c.peek();
        if (is_wsp(ch)) {
            ++c.p;
            continue;
        }
        if (ch != '(') break;
        const size_t open = c.p;
        size_t depth = 0;
        do {
            if (c.end()) return parse_error("unterminated comment", open);
            ch = c.peek();
            if (ch == '\\') {
                ++c.p;
                if (c.end()) return parse_error("unterminated comment", open);
            } else if (ch == '(') {
                ++depth;
            } else if (ch == ')') {
                --depth;
            } else if (is_forbidden_ctl(ch)) {
                return parse_error("control character " + describe_byte(ch) + " in comment", c.p);
            }
            ++c.p;
        } while (depth > 0);
    }
    if (skipped != nullptr) *skipped = c.p != start;
    return std::nullopt;
}

// Reads a quoted-string at c.p (which is '"') and appends its content to
// `out`: quoted-pairs resolved, folding line breaks removed.
std::optional<Error> read_quoted(Cursor &c, std::string &out) {
    const size_t open = c.p++;
    while (true) {
        if (c.end()) return parse_error("unterminated quoted string", open);
        unsigned char ch = c.peek();
        if (ch == '"') {
            ++c.p;
            return std::nullopt;
        }
        if (ch == '\\') {
            ++c.p;
            if (c.end()) return parse_error("unterminated quoted string", open);
            ch = c.peek();
            if (ch == '\r' || ch == '\n' || is_forbidden_ctl(ch)) {
                return parse_error("control character " + describe_byte(ch) + " in quoted string", c.p);
            }
            out.push_back(static_cast<char>(ch));
            ++c.p;
            continue;
        }
        if (ch == '\r' || ch == '\n') {
            // A fold (CRLF or LF followed by white space) is not part of the content.
            size_t q = c.p + 1;
            if (ch == '\r' && q < c.s.size() && c.s[q] == '\n') ++q;
            if (q >= c.s.size() || (c.s[q] != ' ' && c.s[q] != '\t')) {
                return parse_error("line break in quoted string", c.p);
            }
            c.p = q;
            continue;
        }
        if (is_forbidden_ctl(ch)) {
            return parse_error("control character " + describe_byte(ch) + " in quoted string", c.p);
        }
        out.push_back(static_cast<char>(ch));
        ++c.p;
    }
}

// A run of words, dots and CFWS read before it is known whether it is a
// display name (followed by '<') or a local part (followed by '@'); it is
// decoded both ways in the same pass.
struct Phrase {
    std::string display;  // words separated by one space where CFWS separated them
    std::string local;    // words joined by their dots, CFWS dropped (obs-local-part)
    size_t start = npos;  // offset of the first word or dot
    std::optional<Error> local_error;  // first reason this cannot be a local part

    enum class Last { none, word, dot };
    Last last = Last::none;

    bool empty() const { return start == npos; }
    void note_local_error(std::string msg, size_t pos) {
        if (!local_error) local_error = parse_error(std::move(msg), pos);
    }
};

std::optional<Error> read_phrase(Cursor &c, Phrase &ph) {
    while (true) {
        bool space = false;
        if (auto e = skip_cfws(c, &space)) return e;
        if (c.end()) return std::nullopt;
        unsigned char ch = c.peek();
        const size_t at = c.p;
        if (ch == '"' || is_atext(ch)) {
            if (ph.last == Phrase::Last::word) {
                ph.note_local_error(space ? "space in unquoted local part" : "quoted string inside a word of the local part",
                                    at);
            }
            if (space && !ph.display.empty()) ph.display.push_back(' ');
            const size_t mark = ph.display.size();
            if (ch == '"') {
                if (auto e = read_quoted(c, ph.display)) return e;
            } else {
                while (!c.end() && is_atext(c.peek())) ++c.p;
                ph.display.append(c.s.substr(at, c.p - at));
            }
            ph.local.append(ph.display, mark, std::string::npos);
            ph.last = Phrase::Last::word;
        } else if (ch == '.') {
            if (ph.last == Phrase::Last::none) ph.note_local_error("local part starts with '.'", at);
            if (ph.last == Phrase::Last::dot) ph.note_local_error("consecutive dots in local part", at);
            if (space && !ph.display.empty()) ph.display.push_back(' ');
            ph.display.push_back('.');
            ph.local.push_back('.');
            ph.last = Phrase::Last::dot;
            ++c.p;
        } else {
            return std::nullopt;
        }
        if (ph.start == npos) ph.start = at;
    }
}

// Turns a phrase followed by '@' into the stored local part.
std::optional<Error> finish_local(Phrase &ph, size_t at_sign, std::string &out) {
    if (ph.empty()) return parse_error("empty local part", at_sign);
    if (ph.local_error) return ph.local_error;
    if (ph.last == Phrase::Last::dot) return parse_error("local part ends with '.'", at_sign - 1);
    if (ph.local.empty()) return parse_error("empty local part", ph.start);
    if (is_dot_atom(ph.local)) {
        out = std::move(ph.local);
    } else {
        render_local(ph.local, out);
    }
    if (out.size() > kMaxLocalPartBytes) {
        return parse_error("local part longer than " + std::to_string(kMaxLocalPartBytes) + " bytes", ph.start);
    }
    return std::nullopt;
}

// domain = dot-atom / domain-literal / obs-domain (CFWS around the dots).
// Reads from just after '@'; stores the domain as written, without CFWS.
std::optional<Error> read_domain(Cursor &c, std::string &out) {
    if (auto e = skip_cfws(c)) return e;
    if (c.end()) return parse_error("missing domain after '@'", c.p);
    if (c.peek() == '[') {
        const size_t open = c.p;
        out.push_back('[');
        ++c.p;
        while (true) {
            if (c.end()) return parse_error("unterminated domain literal", open);
            unsigned char ch = c.peek();
            if (ch == ']') {
                out.push_back(']');
                ++c.p;
                return std::nullopt;
            }
            if (is_wsp(ch)) {
                ++c.p;
                continue;
            }
            if (ch == '[' || ch == '\\' || ch < 0x20 || ch == 0x7f) {
                return parse_error("unexpected " + describe_byte(ch) + " in domain literal", c.p);
            }
            out.push_back(static_cast<char>(ch));
            ++c.p;
        }
    }
    enum class Last { none, label, dot } last = Last::none;
    while (!c.end()) {
        unsigned char ch = c.peek();
        if (is_atext(ch)) {
            if (last == Last::label) return parse_error("space in domain", c.p);
            const size_t at = c.p;
            while (!c.end() && is_atext(c.peek())) ++c.p;
            out.append(c.s.substr(at, c.p - at));
            last = Last::label;
        } else if (ch == '.') {
            if (last == Last::none) return parse_error("domain starts with '.'", c.p);
            if (last == Last::dot) return parse_error("empty domain label", c.p);
            out.push_back('.');
            last = Last::dot;
            ++c.p;
        } else if (ch == '"' && last != Last::label) {
            return parse_error("quoted string in domain", c.p);
        } else {
            break;
        }
        if (auto e = skip_cfws(c)) return e;
    }
    if (last == Last::none) {
        if (c.end()) return parse_error("missing domain after '@'", c.p);
        return parse_error("unexpected " + describe_byte(c.peek()) + " in domain", c.p);
    }
    return std::nullopt;
}

Error unexpected(const Cursor &c, std::string_view where) {
    unsigned char ch = c.peek();
    switch (ch) {
    case ')': return parse_error("unbalanced ')'", c.p);
    case '>': return parse_error("unbalanced '>'", c.p);
    case ']': return parse_error("unbalanced ']'", c.p);
    case ':': return parse_error("unexpected ':' (a group is not a mailbox)", c.p);
    default: break;
    }
    std::string msg = "unexpected " + describe_byte(ch);
    msg.append(where);
    return parse_error(std::move(msg), c.p);
}

// obs-route: "@" domain *("," [CFWS] ["@" domain]) ":" -- accepted and ignored.
std::optional<Error> skip_route(Cursor &c) {
    std::string ignored;
    while (true) {
        if (auto e = skip_cfws(c)) return e;
        if (c.end()) return parse_error("unterminated route in angle brackets", c.p);
        unsigned char ch = c.peek();
        if (ch == ',') {
            ++c.p;
            continue;
        }
        if (ch == ':') {
            ++c.p;
            return std::nullopt;
        }
        if (ch != '@') return parse_error("invalid route in angle brackets", c.p);
        ++c.p;
        ignored.clear();
        if (auto e = read_domain(c, ignored)) return e;
    }
}

// angle-addr after the display name: "<" [obs-route] addr-spec ">" [CFWS]
std::optional<Error> read_angle_addr(Cursor &c, Mailbox &mb) {
    const size_t open = c.p++;
    if (auto e = skip_cfws(c)) return e;
    if (!c.end() && c.peek() == '@') {
        if (auto e = skip_route(c)) return e;
    }
    Phrase lp;
    if (auto e = read_phrase(c, lp)) return e;
    if (c.end()) return parse_error("unbalanced '<'", open);
    if (c.peek() == '>') {
        if (lp.empty()) return parse_error("empty address '<>'", open);
        return parse_error("missing '@' in address", c.p);
    }
    if (c.peek() != '@') return unexpected(c, " in address");
    if (auto e = finish_local(lp, c.p, mb.local)) return e;
    ++c.p;
    if (auto e = read_domain(c, mb.domain)) return e;
    if (c.end()) return parse_error("unbalanced '<'", open);
    if (c.peek() != '>') return unexpected(c, " in address");
    ++c.p;
    if (auto e = skip_cfws(c)) return e;
    if (!c.end()) return parse_error("unexpected " + describe_byte(c.peek()) + " after '>'", c.p);
    return std::nullopt;
}

Result<Mailbox> parse_one_mailbox(std::string_view text) {
    if (text.size() > kMaxHeaderValueBytes) {
        return parse_error("address longer than " + std::to_string(kMaxHeaderValueBytes) + " bytes", 0);
    }
    if (auto e = check_utf8(text)) return std::move(*e);
    Cursor c{text};
    Mailbox mb;
    Phrase ph;
    if (auto e = read_phrase(c, ph)) return std::move(*e);
    if (c.end()) {
        if (ph.empty()) return parse_error("empty address", 0);
        return parse_error("missing '@' in address", c.p);
    }
    const unsigned char ch = c.peek();
    if (ch == '<') {
        mb.display_name = std::move(ph.display);
        if (auto e = read_angle_addr(c, mb)) return std::move(*e);
        return mb;
    }
    if (ch != '@') return unexpected(c, ph.empty() ? " at start of address" : " in address");
    if (auto e = finish_local(ph, c.p, mb.local)) return std::move(*e);
    ++c.p;
    if (auto e = read_domain(c, mb.domain)) return std::move(*e);
    if (!c.end()) {
        if (c.peek() == '<') {
            return parse_error("unexpected '<' after address (quote a display name that contains '@')", c.p);
        }
        return unexpected(c, " after address");
    }
    return mb;
}

// True when the text is only white space and comments (an empty list element).
bool is_cfws_only(std::string_view text) {
    Cursor c{text};
    return !skip_cfws(c) && c.end();
}

// Splits an address list on its top-level commas and group delimiters,
// parsing each element as it is found.
class ListParser {
public:
    explicit ListParser(std::string_view value) : v_(value) {}

    std::vector<AddressItem> run() {
        const size_t n = v_.size();
        // Commas bound the element count; the cap keeps a value of nothing but
        // commas from reserving megabytes.
        const auto commas = static_cast<size_t>(std::count(v_.begin(), v_.end(), ','));
        items_.reserve(std::min<size_t>(commas + 1, 64));
        size_t start = 0;
        bool quote = false, literal = false, angle = false, route = false;
        size_t depth = 0;
        for (size_t i = 0; i < n; ++i) {
            const char ch = v_[i];
            if (quote) {
                if (ch == '\\') ++i;
                else if (ch == '"') quote = false;
                continue;
            }
            if (depth > 0) {
                if (ch == '\\') ++i;
                else if (ch == '(') ++depth;
                else if (ch == ')') --depth;
                continue;
            }
            if (literal) {
                if (ch == '\\') ++i;
                else if (ch == ']') literal = false;
                continue;
            }
            switch (ch) {
            case '"': quote = true; break;
            case '(': depth = 1; break;
            case '[': literal = true; break;
            case '<': {
                angle = true;
                size_t j = i + 1;
                while (j < n && is_wsp(static_cast<unsigned char>(v_[j]))) ++j;
                route = j < n && v_[j] == '@';
                break;
            }
            case '>': angle = false; route = false; break;
            case ':':
                if (angle) {
                    route = false;
                } else if (!in_group_) {
                    begin_group(start, i);
                    start = i + 1;
                }
                break;
            case ',':
                // Inside angle brackets only an obs-route has commas; any other
                // comma means the '<' was never closed, and the element ends here
                // so that the next ones still parse.
                if (angle && route) break;
                angle = false;
                element(start, i);
                start = i + 1;
                break;
            case ';':
                if (!angle && in_group_) {
                    element(start, i);
                    in_group_ = false;
                    group_.clear();
                    start = i + 1;
                }
                break;
            default: break;
            }
        }
        element(start, n);
        return std::move(items_);
    }

private:
    void begin_group(size_t from, size_t to) {
        in_group_ = true;
        std::string_view name = trim(v_.substr(from, to - from));
        Cursor c{name};
        Phrase ph;
        std::optional<Error> err = check_utf8(name);
        if (!err) err = read_phrase(c, ph);
        if (!err && !c.end()) err = unexpected(c, " in group name");
        if (!err && ph.empty()) err = parse_error("empty group name", 0);
        if (err) {
            group_.assign(name);
            AddressItem item;
            item.text.assign(name);
            item.error = std::move(*err);
            items_.push_back(std::move(item));
            return;
        }
        group_ = std::move(ph.display);
    }

    void element(size_t from, size_t to) {
        std::string_view text = trim(v_.substr(from, to - from));
        if (text.empty()) return;
        if (text.front() == '(' && is_cfws_only(text)) return;
        AddressItem item;
        item.text.assign(text);
        if (in_group_) item.group = group_;
        auto r = parse_one_mailbox(text);
        if (r.ok()) {
            item.mailbox = std::move(r).value();
        } else {
            item.error = std::move(r).error();
        }
        items_.push_back(std::move(item));
    }

    std::string_view v_;
    std::vector<AddressItem> items_;
    bool in_group_ = false;
    std::string group_;
};

// --- normalization ----------------------------------------------------------

bool starts_with_ace_prefix(std::string_view label) {
    return label.size() >= 4 && to_lower(static_cast<unsigned char>(label[0])) == 'x' &&
           to_lower(static_cast<unsigned char>(label[1])) == 'n' && label[2] == '-' && label[3] == '-';
}

// Checks a lower-case ASCII domain without a trailing dot: LDH labels of
// 1..63 bytes, at least two labels, a top-level label that is not all digits.
std::optional<Error> validate_ldh(std::string_view d) {
    if (d.empty()) return parse_error("empty domain", 0);
    if (d.size() > kMaxDomainBytes) {
        return parse_error("domain longer than " + std::to_string(kMaxDomainBytes) + " bytes", kMaxDomainBytes);
    }
    size_t labels = 0;
    size_t label_start = 0;
    bool all_digits = true;
    for (size_t i = 0; i <= d.size(); ++i) {
        if (i == d.size() || d[i] == '.') {
            const size_t len = i - label_start;
            if (len == 0) return parse_error("empty domain label", i);
            if (len > 63) return parse_error("domain label longer than 63 bytes", label_start);
            if (d[label_start] == '-') return parse_error("domain label starts with '-'", label_start);
            if (d[i - 1] == '-') return parse_error("domain label ends with '-'", i - 1);
            ++labels;
            if (i == d.size()) break;
            label_start = i + 1;
            all_digits = true;
            continue;
        }
        auto c = static_cast<unsigned char>(d[i]);
        if (is_digit(c)) continue;
        all_digits = false;
        if ((c >= 'a' && c <= 'z') || c == '-') continue;
        return parse_error("invalid character " + describe_byte(c) + " in domain", i);
    }
    if (labels < 2) return parse_error("domain has a single label (a mail domain needs a dot, as in example.com)", 0);
    if (all_digits) {
        return parse_error("top-level domain is all digits (write an IP address as a literal, e.g. [192.0.2.1])",
                           label_start);
    }
    return std::nullopt;
}

// [192.0.2.1] or [IPv6:2001:db8::1]; appended lower-cased as given.
std::optional<Error> normalize_literal_into(std::string_view d, std::string &out) {
    if (d.size() < 2 || d.back() != ']') return parse_error("unterminated domain literal", 0);
    std::string_view inner = d.substr(1, d.size() - 2);
    constexpr std::string_view kV6 = "ipv6:";
    int family = AF_INET;
    bool v6 = inner.size() >= kV6.size();
    for (size_t i = 0; v6 && i < kV6.size(); ++i) v6 = to_lower(static_cast<unsigned char>(inner[i])) == kV6[i];
    if (v6) {
        family = AF_INET6;
        inner.remove_prefix(kV6.size());
    } else if (inner.find(':') != std::string_view::npos) {
        return parse_error("unsupported address literal (only IPv4 and IPv6: literals are accepted)", 1);
    }
    char buf[64];
    unsigned char addr[16];
    if (inner.size() >= sizeof buf || inner.find('\0') != std::string_view::npos) {
        return parse_error(v6 ? "invalid IPv6 address literal" : "invalid IPv4 address literal", 1);
    }
    std::memcpy(buf, inner.data(), inner.size());
    buf[inner.size()] = '\0';
    if (inet_pton(family, buf, addr) != 1) {
        return parse_error(v6 ? "invalid IPv6 address literal" : "invalid IPv4 address literal", 1);
    }
    const size_t from = out.size();
    out.append(d);
    for (size_t i = from; i < out.size(); ++i) out[i] = static_cast<char>(to_lower(static_cast<unsigned char>(out[i])));
    return std::nullopt;
}

struct Idn2Free {
    void operator()(uint8_t *p) const { idn2_free(p); }
};

// A domain whose A-label form fits kMaxDomainBytes is far shorter than this
// as UTF-8 (only code points that UTS #46 deletes could make it longer); the
// bound keeps libidn2's work on hostile input small.
constexpr size_t kMaxIdnInputBytes = 2048;

// Appends the normalized form of `domain` to `out`. Error positions are
// offsets into `domain` where known.
std::optional<Error> normalize_domain_into(std::string_view domain, std::string &out) {
    if (domain.empty()) return parse_error("empty domain", 0);
    if (domain.front() == '[') return normalize_literal_into(domain, out);
    if (domain.back() == '.') domain.remove_suffix(1);
    if (domain.empty()) return parse_error("empty domain", 0);

    bool fast = true;
    for (size_t i = 0; i < domain.size() && fast; ++i) {
        auto c = static_cast<unsigned char>(domain[i]);
        if (c >= 0x80) fast = false;
        else if ((i == 0 || domain[i - 1] == '.') && starts_with_ace_prefix(domain.substr(i))) fast = false;
    }
    const size_t from = out.size();
    if (fast) {
        if (domain.size() > kMaxDomainBytes) {
            return parse_error("domain longer than " + std::to_string(kMaxDomainBytes) + " bytes", kMaxDomainBytes);
        }
        out.reserve(from + domain.size());
        for (char ch : domain) out.push_back(static_cast<char>(to_lower(static_cast<unsigned char>(ch))));
        if (auto e = validate_ldh(std::string_view(out).substr(from))) {
            out.resize(from);
            return e;
        }
        return std::nullopt;
    }

    if (domain.size() > kMaxIdnInputBytes) {
        return parse_error("domain longer than " + std::to_string(kMaxDomainBytes) + " bytes", 0);
    }
    if (auto e = check_utf8(domain)) return e;
    std::string input;
    input.reserve(domain.size());
    for (size_t i = 0; i < domain.size(); ++i) {
        auto c = static_cast<unsigned char>(domain[i]);
        if (c == 0 || is_wsp(c)) return parse_error("invalid character " + describe_byte(c) + " in domain", i);
        input.push_back(static_cast<char>(to_lower(c)));
    }
    // Non-transitional UTS #46 processing is IDNA2008 as browsers and mail
    // systems now resolve it (ß and ς stay distinct instead of mapping to ss/σ).
    uint8_t *raw = nullptr;
    const int rc = idn2_lookup_u8(reinterpret_cast<const uint8_t *>(input.c_str()), &raw,
                                  IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
    std::unique_ptr<uint8_t, Idn2Free> ascii(raw);
    if (rc != IDN2_OK) return parse_error(std::string("invalid internationalized domain: ") + idn2_strerror(rc));
    std::string_view a(reinterpret_cast<const char *>(ascii.get()));
    if (!a.empty() && a.back() == '.') a.remove_suffix(1);
    out.reserve(from + a.size());
    for (char ch : a) out.push_back(static_cast<char>(to_lower(static_cast<unsigned char>(ch))));
    if (auto e = validate_ldh(std::string_view(out).substr(from))) {
        out.resize(from);
        // Positions refer to the A-label form, which the caller never saw.
        e->position = npos;
        return e;
    }
    return std::nullopt;
}

// Appends the stored form of a local part (dot-atom, or a minimally escaped
// quoted string) after checking it.
std::optional<Error> canonical_local_into(std::string_view local, std::string &out) {
    if (local.empty()) return parse_error("empty local part", 0);
    if (auto e = check_utf8(local)) return e;
    const size_t from = out.size();
    if (local.front() == '"') {
        Cursor c{local};
        std::string content;
        if (auto e = read_quoted(c, content)) return e;
        if (!c.end()) return parse_error("unexpected " + describe_byte(c.peek()) + " after quoted local part", c.p);
        if (content.empty()) return parse_error("empty local part", 0);
        render_local(content, out);
    } else {
        for (size_t i = 0; i < local.size(); ++i) {
            auto c = static_cast<unsigned char>(local[i]);
            if (c == '.') {
                if (i == 0) return parse_error("local part starts with '.'", i);
                if (i + 1 == local.size()) return parse_error("local part ends with '.'", i);
                if (local[i - 1] == '.') return parse_error("consecutive dots in local part", i);
            } else if (!is_atext(c)) {
                return parse_error("invalid character " + describe_byte(c) + " in local part", i);
            }
        }
        out.append(local);
    }
    if (out.size() - from > kMaxLocalPartBytes) {
        out.resize(from);
        return parse_error("local part longer than " + std::to_string(kMaxLocalPartBytes) + " bytes", 0);
    }
    return std::nullopt;
}

}  // namespace

std::vector<AddressItem> parse_address_list(std::string_view value) {
    if (value.size() > kMaxHeaderValueBytes) {
        AddressItem item;
        item.error = parse_error(
            "address header value longer than " + std::to_string(kMaxHeaderValueBytes) + " bytes", 0);
        std::vector<AddressItem> items;
        items.push_back(std::move(item));
        return items;
    }
    return ListParser(value).run();
}

Result<Mailbox> parse_mailbox(std::string_view text) { return parse_one_mailbox(text); }

Result<std::string> normalize_domain(std::string_view domain) {
    std::string out;
    if (auto e = normalize_domain_into(domain, out)) return std::move(*e);
    return out;
}

Result<std::string> normalize_mailbox(const Mailbox &mailbox, const NormalizeOptions &options) {
    std::string out;
    out.reserve(mailbox.local.size() + 1 + mailbox.domain.size());
    if (auto e = canonical_local_into(mailbox.local, out)) return std::move(*e);
    if (options.local_part_case_insensitive) {
        for (char &ch : out) ch = static_cast<char>(to_lower(static_cast<unsigned char>(ch)));
    }
    out.push_back('@');
    if (auto e = normalize_domain_into(mailbox.domain, out)) {
        // The position is into the domain, which is not the caller's text.
        e->position = npos;
        return std::move(*e);
    }
    if (out.size() > kMaxAddressBytes) {
        return parse_error("address longer than " + std::to_string(kMaxAddressBytes) + " bytes");
    }
    return out;
}

Result<std::string> normalize_address(std::string_view text, const NormalizeOptions &options) {
    auto mb = parse_one_mailbox(text);
    if (!mb) return std::move(mb).error();
    return normalize_mailbox(*mb, options);
}

}  // namespace presend
