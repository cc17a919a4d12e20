#include "mail.hpp"

#include <algorithm>

#include "text.hpp"

namespace presend {

namespace {

constexpr size_t npos = std::string_view::npos;

bool is_alpha(char c) noexcept { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_wsp(char c) noexcept { return c == ' ' || c == '\t'; }
// White space that may appear in a value whether or not it was unfolded.
bool is_fws(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_field_name_byte(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return u >= 33 && u <= 126 && c != ':';
}

std::string hex_byte(char c) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    const auto u = static_cast<unsigned char>(c);
    return std::string{'0', 'x', kHex[u >> 4], kHex[u & 15]};
}

std::string at_byte(size_t pos) { return " at byte " + std::to_string(pos); }

// Input quoted in an error message is cut: the message must stay readable
// whatever the sender wrote.
std::string excerpt(std::string_view s) {
    constexpr size_t kMax = 64;
    return s.size() <= kMax ? std::string(s) : std::string(s.substr(0, kMax)) + "...";
}

// Length of the scheme of `uri` (RFC 3986 3.1) when it is followed by ':', else 0.
size_t scheme_length(std::string_view uri) noexcept {
    if (uri.empty() || !is_alpha(uri[0])) return 0;
    size_t i = 1;
    while (i < uri.size() && (is_alpha(uri[i]) || is_digit(uri[i]) || uri[i] == '+' || uri[i] == '-' || uri[i] == '.')) {
        ++i;
    }
    return (i < uri.size() && uri[i] == ':') ? i : 0;
}

// Skips CFWS (RFC 5322 3.2.2): white space and comments, which nest and may
// hold quoted pairs. Returns false, with `error` set, on an unterminated comment.
bool skip_cfws(std::string_view s, size_t &pos, Error &error) {
    while (pos < s.size()) {
        if (is_fws(s[pos])) {
            ++pos;
            continue;
        }
        if (s[pos] != '(') return true;
        const size_t open = pos;
        size_t depth = 0;
        while (pos < s.size()) {
            const char c = s[pos];
            if (c == '\\') {
                pos += 2;
                continue;
            }
            ++pos;
            if (c == '(') {
                ++depth;
            } else if (c == ')' && --depth == 0) {
                break;
            }
        }
        if (depth != 0) {
            error = parse_error("unterminated comment" + at_byte(open), open);
            return false;
        }
    }
    return true;
}

// --- Opaque tokens -------------------------------------------------------------

bool is_token_byte(char c) noexcept {
    return is_alpha(c) || is_digit(c) || c == '_' || c == '-' || c == '.' || c == '~' || c == '=' || c == '%';
}
bool is_hex(char c) noexcept { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

constexpr size_t kMinTokenLength = 16;

// A run of at least kMinTokenLength token bytes that holds a digit. The digit
// keeps words out ("unsubscribe-from-newsletter"); digits inside a %XX escape
// do not count, so percent-encoded prose ("please%20unsubscribe%20me") is not
// a token either.
bool has_token_run(std::string_view s) noexcept {
    size_t run = 0;
    bool digit = false;
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (!is_token_byte(c)) {
            run = 0;
            digit = false;
            continue;
        }
        if (c == '%' && i + 2 < s.size() && is_hex(s[i + 1]) && is_hex(s[i + 2])) {
            run += 3;
            i += 2;
        } else {
            ++run;
            digit = digit || is_digit(c);
        }
        if (run >= kMinTokenLength && digit) return true;
    }
    return false;
}

// Query values ("a=1&b=2" -> "1", "2"; a parameter without '=' is all value).
bool query_has_token(std::string_view query) noexcept {
    size_t start = 0;
    while (start <= query.size()) {
        size_t end = query.find_first_of("&;", start);
        if (end == npos) end = query.size();
        std::string_view param = query.substr(start, end - start);
        const size_t eq = param.find('=');
        if (eq != npos) param.remove_prefix(eq + 1);
        if (has_token_run(param)) return true;
        start = end + 1;
    }
    return false;
}

// --- DKIM --------------------------------------------------------------------------

// VALCHAR (RFC 6376 3.2): %x21-3A / %x3C-7E.
bool is_valchar(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x21 && u <= 0x7E && c != ';';
}

const std::string *lookup(const DkimSignature &sig, std::string_view tag) noexcept {
    for (const auto &[name, value] : sig.tags) {
        if (name == tag) return &value;
    }
    return nullptr;
}

std::string_view trim_fws(std::string_view s) noexcept {
    while (!s.empty() && is_fws(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_fws(s.back())) s.remove_suffix(1);
    return s;
}

}  // namespace

// --- Raw message -------------------------------------------------------------------

Result<RawMessage> parse_raw_message(std::string_view text) {
    if (text.size() > kMaxRawMessageBytes) {
        return Error{Status::too_big,
                     "message of " + std::to_string(text.size()) + " bytes is over the limit of " +
                         std::to_string(kMaxRawMessageBytes),
                     kMaxRawMessageBytes};
    }
    auto fail = [](Status status, size_t line, size_t pos, const std::string &what) {
        return Error{status, "line " + std::to_string(line) + " (byte " + std::to_string(pos) + "): " + what, pos};
    };
    if (text.starts_with("From ")) {
        return fail(Status::parse, 1, 0, "an mbox \"From \" line; pass the message without its envelope line");
    }

    RawMessage msg;
    const size_t n = text.size();
    size_t pos = 0;
    size_t line = 1;
    msg.body_offset = n;
    while (pos < n) {
        const size_t nl = text.find('\n', pos);
        const size_t next = nl == npos ? n : nl + 1;
        size_t end = nl == npos ? n : nl;
        if (end > pos && text[end - 1] == '\r') --end;
        if (end == pos) {
            msg.body_offset = next;
            break;
        }
        if (next > kMaxHeaderBytes) {
            return fail(Status::too_big, line, pos,
                        "the header block is over the limit of " + std::to_string(kMaxHeaderBytes) + " bytes");
        }
        const std::string_view content = text.substr(pos, end - pos);
        if (is_wsp(content[0])) {
            if (msg.headers.empty()) return fail(Status::parse, line, pos, "continuation line before any header field");
            std::string &value = msg.headers.back().value;
            std::string_view more = content;
            // Still only white space after the colon: it is all leading WSP.
            if (value.empty()) {
                while (!more.empty() && is_wsp(more.front())) more.remove_prefix(1);
            }
            value.append(more);
        } else {
            const size_t colon = content.find(':');
            if (colon == npos) {
                return fail(Status::parse, line, pos, "neither a header field nor a continuation line");
            }
            if (colon == 0) return fail(Status::parse, line, pos, "empty header field name");
            for (size_t i = 0; i < colon; ++i) {
                if (!is_field_name_byte(content[i])) {
                    return fail(Status::parse, line, pos + i, "byte " + hex_byte(content[i]) + " in a header field name");
                }
            }
            if (msg.headers.size() == kMaxHeaderCount) {
                return fail(Status::too_big, line, pos,
                            "more than " + std::to_string(kMaxHeaderCount) + " header fields");
            }
            std::string_view value = content.substr(colon + 1);
            while (!value.empty() && is_wsp(value.front())) value.remove_prefix(1);
            msg.headers.push_back(Header{std::string(content.substr(0, colon)), std::string(value)});
        }
        pos = next;
        ++line;
    }
    return msg;
}

bool header_name_equals(std::string_view a, std::string_view b) noexcept { return ascii_iequals(a, b); }

// --- List-Unsubscribe ------------------------------------------------------------------

Result<ListUnsubscribe> parse_list_unsubscribe(std::string_view value) {
    ListUnsubscribe out;
    Error error;
    size_t p = 0;
    const size_t n = value.size();
    if (!skip_cfws(value, p, error)) return error;
    if (p == n) return parse_error("no URI" + at_byte(p), p);
    for (;;) {
        if (value[p] != '<') return parse_error("expected '<'" + at_byte(p), p);
        const size_t open = p++;
        const size_t start = p;
        while (p < n && value[p] != '>') {
            const auto c = static_cast<unsigned char>(value[p]);
            if (c == '<') return parse_error("'<' inside a URI" + at_byte(p), p);
            if (c <= 0x20 || c == 0x7F) return parse_error("white space or control byte inside a URI" + at_byte(p), p);
            ++p;
        }
        if (p == n) return parse_error("unterminated '<'" + at_byte(open), open);
        if (p == start) return parse_error("empty <>" + at_byte(open), open);
        const std::string_view uri = value.substr(start, p - start);
        if (scheme_length(uri) == 0) return parse_error("URI without a scheme" + at_byte(start), start);
        out.uris.emplace_back(uri);
        ++p;
        if (!skip_cfws(value, p, error)) return error;
        if (p == n) break;
        if (value[p] != ',') return parse_error("unexpected byte " + hex_byte(value[p]) + " after a URI" + at_byte(p), p);
        ++p;
        if (!skip_cfws(value, p, error)) return error;
        if (p == n) return parse_error("expected '<' after ','" + at_byte(p), p);
    }
    return out;
}

std::string uri_scheme(std::string_view uri) { return ascii_lower(uri.substr(0, scheme_length(uri))); }

// http(s): each path segment and query value is checked (the host never
// carries a recipient); mailto: the local part of each address and each query
// value (the domain is shared by all recipients). The fragment is ignored: it
// is not sent to the server.
bool uri_has_opaque_token(std::string_view uri) {
    const size_t scheme_len = scheme_length(uri);
    if (scheme_len == 0) return false;
    const std::string_view scheme = uri.substr(0, scheme_len);
    std::string_view rest = uri.substr(scheme_len + 1);
    rest = rest.substr(0, rest.find('#'));
    const size_t qmark = rest.find('?');
    const std::string_view query = qmark == npos ? std::string_view{} : rest.substr(qmark + 1);
    std::string_view path = rest.substr(0, qmark);

    if (ascii_iequals(scheme, "http") || ascii_iequals(scheme, "https")) {
        if (path.starts_with("//")) {
            const size_t slash = path.find('/', 2);
            path = slash == npos ? std::string_view{} : path.substr(slash);
        }
        size_t start = 0;
        while (start < path.size()) {
            size_t end = path.find('/', start);
            if (end == npos) end = path.size();
            if (has_token_run(path.substr(start, end - start))) return true;
            start = end + 1;
        }
        return query_has_token(query);
    }
    if (ascii_iequals(scheme, "mailto")) {
        size_t start = 0;
        while (start < path.size()) {
            size_t end = path.find(',', start);
            if (end == npos) end = path.size();
            std::string_view address = path.substr(start, end - start);
            const size_t at = address.rfind('@');
            if (at != npos) address = address.substr(0, at);
            if (has_token_run(address)) return true;
            start = end + 1;
        }
        return query_has_token(query);
    }
    return false;
}

// --- DKIM-Signature --------------------------------------------------------------------

std::optional<std::string> DkimSignature::find(std::string_view tag) const {
    for (const auto &[name, value] : tags) {
        if (name == tag) return value;
    }
    return std::nullopt;
}

Result<DkimSignature> parse_dkim_signature(std::string_view value) {
    DkimSignature sig;
    std::vector<size_t> tag_pos;
    // A typical signature has 8 to 12 tags.
    sig.tags.reserve(16);
    tag_pos.reserve(16);
    const size_t n = value.size();
    size_t p = 0;
    for (;;) {
        while (p < n && is_fws(value[p])) ++p;
        if (p == n) {
            if (sig.tags.empty()) return parse_error("empty tag list" + at_byte(p), p);
            break;  // after a trailing ';'
        }
        const size_t name_start = p;
        if (!is_alpha(value[p])) return parse_error("expected a tag name" + at_byte(p), p);
        while (p < n && (is_alpha(value[p]) || is_digit(value[p]) || value[p] == '_')) ++p;
        const std::string_view name = value.substr(name_start, p - name_start);
        while (p < n && is_fws(value[p])) ++p;
        if (p == n || value[p] != '=') {
            return parse_error("expected '=' after tag '" + excerpt(name) + "'" + at_byte(p), p);
        }
        ++p;
        size_t end = value.find(';', p);
        if (end == npos) end = n;
        for (size_t i = p; i < end; ++i) {
            if (!is_valchar(value[i]) && !is_fws(value[i])) {
                return parse_error("byte " + hex_byte(value[i]) + " in the value of tag '" + excerpt(name) + "'" +
                                       at_byte(i),
                                   i);
            }
        }
        const std::string_view raw = trim_fws(value.substr(p, end - p));
        std::string tag_value;
        if (name == "b" || name == "bh") {
            tag_value.reserve(raw.size());
            for (const char c : raw) {
                if (!is_fws(c)) tag_value.push_back(c);
            }
        } else {
            tag_value.assign(raw);
        }
        sig.tags.emplace_back(std::string(name), std::move(tag_value));
        tag_pos.push_back(name_start);
        if (end == n) break;
        p = end + 1;
    }

    // Duplicates: sort the tag indices by name (stable, so each run of equal
    // names is in input order) and report the earliest repeated occurrence.
    std::vector<size_t> order(sig.tags.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t x, size_t y) { return sig.tags[x].first < sig.tags[y].first; });
    size_t duplicate = npos;
    for (size_t i = 1; i < order.size(); ++i) {
        if (sig.tags[order[i]].first == sig.tags[order[i - 1]].first) duplicate = std::min(duplicate, order[i]);
    }
    if (duplicate != npos) {
        return parse_error("duplicate tag '" + excerpt(sig.tags[duplicate].first) + "'" + at_byte(tag_pos[duplicate]),
                           tag_pos[duplicate]);
    }

    auto position_of = [&](std::string_view tag) {
        for (size_t i = 0; i < sig.tags.size(); ++i) {
            if (sig.tags[i].first == tag) return tag_pos[i];
        }
        return n;
    };
    for (const char *required : {"v", "a", "b", "bh", "d", "h", "s"}) {
        const std::string *found = lookup(sig, required);
        if (!found) return parse_error(std::string("missing required tag '") + required + "='" + at_byte(n), n);
        if (found->empty()) {
            const size_t at = position_of(required);
            return parse_error(std::string("empty value of tag '") + required + "='" + at_byte(at), at);
        }
    }
    sig.v = *lookup(sig, "v");
    if (sig.v != "1") {
        const size_t at = position_of("v");
        return parse_error("unsupported version v=" + excerpt(sig.v) + " (expected 1)" + at_byte(at), at);
    }
    sig.a = *lookup(sig, "a");
    sig.d = *lookup(sig, "d");
    sig.s = *lookup(sig, "s");
    if (const std::string *i = lookup(sig, "i")) sig.i = *i;

    const std::string_view h = *lookup(sig, "h");
    const size_t h_pos = position_of("h");
    bool has_from = false;
    size_t start = 0;
    for (;;) {
        size_t colon = h.find(':', start);
        if (colon == npos) colon = h.size();
        const std::string_view item = trim_fws(h.substr(start, colon - start));
        if (item.empty()) return parse_error("empty header name in tag 'h='" + at_byte(h_pos), h_pos);
        for (const char c : item) {
            if (!is_field_name_byte(c)) {
                return parse_error("byte " + hex_byte(c) + " in a header name in tag 'h='" + at_byte(h_pos), h_pos);
            }
        }
        sig.h.push_back(ascii_lower(item));
        has_from = has_from || sig.h.back() == "from";
        if (colon == h.size()) break;
        start = colon + 1;
    }
    if (!has_from) return parse_error("tag 'h=' does not include From" + at_byte(h_pos), h_pos);
    return sig;
}

}  // namespace presend
