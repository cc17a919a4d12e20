#include "feedback/mime.hpp"

#include <array>

#include "feedback/detail.hpp"
#include "text.hpp"

namespace presend::feedback::mime {

namespace {

constexpr size_t npos = std::string_view::npos;

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_alpha(char c) noexcept { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

// RFC 2045 5.1 token: any US-ASCII but SPACE, controls and tspecials.
bool is_token_byte(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F) return false;
    return std::string_view("()<>@,;:\\\"/[]?=").find(c) == npos;
}

// White space and (nested) comments.
void skip_cfws(std::string_view s, size_t &p) noexcept {
    while (p < s.size()) {
        if (is_space(s[p])) {
            ++p;
        } else if (s[p] == '(') {
            int depth = 0;
            while (p < s.size()) {
                const char c = s[p++];
                if (c == '\\') {
                    if (p < s.size()) ++p;  // a trailing backslash quotes nothing
                } else if (c == '(') {
                    ++depth;
                } else if (c == ')' && --depth == 0) {
                    break;
                }
            }
        } else {
            return;
        }
    }
}

std::string_view read_token(std::string_view s, size_t &p) noexcept {
    const size_t start = p;
    while (p < s.size() && is_token_byte(s[p])) ++p;
    return s.substr(start, p - start);
}

bool read_quoted(std::string_view s, size_t &p, std::string &out) {
    ++p;  // the opening quote
    while (p < s.size()) {
        const char c = s[p++];
        if (c == '"') return true;
        if (c == '\\' && p < s.size()) {
            out.push_back(s[p++]);
        } else if (c != '\r' && c != '\n') {  // folding inside a quoted string
            out.push_back(c);
        }
    }
    return false;
}

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

std::string quoted_printable(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c != '=') {
            out.push_back(c);
            continue;
        }
        // Soft line break: '=' then optional white space, then CRLF or LF.
        size_t j = i + 1;
        while (j < in.size() && (in[j] == ' ' || in[j] == '\t')) ++j;
        if (j < in.size() && (in[j] == '\n' || (in[j] == '\r' && j + 1 < in.size() && in[j + 1] == '\n'))) {
            i = in[j] == '\r' ? j + 1 : j;
            continue;
        }
        if (j == in.size()) {
            i = j;
            continue;
        }
        if (i + 2 < in.size()) {
            const int hi = hex_value(in[i + 1]);
            const int lo = hex_value(in[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(c);
    }
    return out;
}

// Reads 1..max digits.
bool read_number(std::string_view s, size_t &p, size_t min, size_t max, int &out) noexcept {
    const size_t start = p;
    int v = 0;
    while (p < s.size() && is_digit(s[p]) && p - start < max) v = v * 10 + (s[p++] - '0');
    if (p - start < min || (p < s.size() && is_digit(s[p]))) return false;
    out = v;
    return true;
}

std::string two_digits(int v) {
    std::string s = std::to_string(v);
    return s.size() < 2 ? "0" + s : s;
}

}  // namespace

std::optional<std::string> ContentType::param(std::string_view name) const {
    for (const auto &[n, v] : params) {
        if (ascii_iequals(n, name)) return v;
    }
    return std::nullopt;
}

std::optional<ContentType> parse_content_type(std::string_view s) {
    size_t p = 0;
    skip_cfws(s, p);
    const std::string_view type = read_token(s, p);
    skip_cfws(s, p);
    if (type.empty() || p >= s.size() || s[p] != '/') return std::nullopt;
    ++p;
    skip_cfws(s, p);
    const std::string_view subtype = read_token(s, p);
    if (subtype.empty()) return std::nullopt;
    ContentType ct{ascii_lower(type), ascii_lower(subtype), {}};
    for (;;) {
        skip_cfws(s, p);
        if (p >= s.size() || s[p] != ';') break;
        ++p;
        skip_cfws(s, p);
        const std::string_view name = read_token(s, p);
        if (name.empty()) break;
        skip_cfws(s, p);
        if (p >= s.size() || s[p] != '=') break;
        ++p;
        skip_cfws(s, p);
        std::string value;
        if (p < s.size() && s[p] == '"') {
            if (!read_quoted(s, p, value)) break;
        } else {
            // Lenient: an unquoted value runs to white space or ';', so that
            // boundary=----=_Part_1_2.3 (a tspecial, unquoted, as some
            // producers write it) still yields the boundary they meant.
            const size_t start = p;
            while (p < s.size() && !is_space(s[p]) && s[p] != ';' && s[p] != '"' &&
                   static_cast<unsigned char>(s[p]) > 0x20 && static_cast<unsigned char>(s[p]) != 0x7F) {
                ++p;
            }
            value.assign(s.substr(start, p - start));
            if (value.empty()) break;
        }
        ct.params.emplace_back(ascii_lower(name), std::move(value));
    }
    return ct;
}

std::string_view Part::header(std::string_view name) const {
    for (const auto &h : headers) {
        if (header_name_equals(h.name, name)) return h.value;
    }
    return {};
}

SplitResult split_multipart(std::string_view body, std::string_view boundary) {
    SplitResult r;
    // Where the current part's content starts; npos before the first delimiter.
    size_t part_start = npos;
    size_t pos = 0;
    bool closed = false;
    auto finish_part = [&](size_t end) -> bool {
        if (r.parts.size() == kMaxParts) {
            r.error = "more than " + std::to_string(kMaxParts) + " MIME parts";
            r.parts.clear();
            return false;
        }
        const std::string_view text = body.substr(part_start, end - part_start);
        auto parsed = parse_raw_message(text);
        if (!parsed) {
            r.error = "the headers of MIME part " + std::to_string(r.parts.size() + 1) +
                      " do not parse: " + parsed.error().message;
            r.parts.clear();
            return false;
        }
        r.parts.push_back(Part{std::move(parsed->headers), text.substr(parsed->body_offset)});
        return true;
    };
    while (pos < body.size() && !closed) {
        const size_t nl = body.find('\n', pos);
        const size_t next = nl == npos ? body.size() : nl + 1;
        std::string_view line = body.substr(pos, (nl == npos ? body.size() : nl) - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.size() >= 2 + boundary.size() && line.starts_with("--") && line.substr(2, boundary.size()) == boundary) {
            std::string_view rest = line.substr(2 + boundary.size());
            const bool close = rest.starts_with("--");
            if (close) rest.remove_prefix(2);
            bool padding_only = true;
            for (const char c : rest) padding_only = padding_only && (c == ' ' || c == '\t');
            if (padding_only) {
                if (part_start != npos) {
                    // The line break before the delimiter belongs to it (RFC 2046 5.1.1).
                    size_t end = pos;
                    if (end > part_start && body[end - 1] == '\n') --end;
                    if (end > part_start && body[end - 1] == '\r') --end;
                    if (!finish_part(end)) return r;
                }
                part_start = next;
                closed = close;
            }
        }
        pos = next;
    }
    if (part_start == npos) {
        r.error = "no line \"--" + detail::excerpt(boundary) + "\" opens a MIME part";
        return r;
    }
    if (!closed && part_start < body.size()) {
        if (!finish_part(body.size())) return r;
    }
    return r;
}

std::optional<std::string> decode_transfer_encoding(std::string_view body, std::string_view encoding) {
    const std::string enc = ascii_lower(trim(encoding));
    if (enc.empty() || enc == "7bit" || enc == "8bit" || enc == "binary") return std::string(body);
    if (enc == "base64") {
        std::string out;
        if (!detail::base64_decode(body, out, true)) return std::nullopt;
        return out;
    }
    if (enc == "quoted-printable") return quoted_printable(body);
    return std::nullopt;
}

std::optional<int64_t> parse_rfc5322_date(std::string_view s) {
    static constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                                 "jul", "aug", "sep", "oct", "nov", "dec"};
    size_t p = 0;
    skip_cfws(s, p);
    // Optional day name and comma.
    if (p < s.size() && is_alpha(s[p])) {
        while (p < s.size() && is_alpha(s[p])) ++p;
        skip_cfws(s, p);
        if (p >= s.size() || s[p] != ',') return std::nullopt;
        ++p;
        skip_cfws(s, p);
    }
    int day = 0;
    if (!read_number(s, p, 1, 2, day)) return std::nullopt;
    skip_cfws(s, p);
    const size_t month_start = p;
    while (p < s.size() && is_alpha(s[p])) ++p;
    const std::string month_name = ascii_lower(s.substr(month_start, p - month_start));
    int month = 0;
    for (size_t i = 0; i < kMonths.size(); ++i) {
        if (month_name == kMonths[i]) month = static_cast<int>(i) + 1;
    }
    if (month == 0) return std::nullopt;
    skip_cfws(s, p);
    const size_t year_start = p;
    int year = 0;
    if (!read_number(s, p, 2, 4, year)) return std::nullopt;
    if (p - year_start == 2) {
        year += year < 50 ? 2000 : 1900;  // RFC 5322 4.3
    } else if (p - year_start == 3) {
        year += 1900;
    }
    skip_cfws(s, p);
    int hour = 0;
    int minute = 0;
    int second = 0;
    if (!read_number(s, p, 2, 2, hour)) return std::nullopt;
    skip_cfws(s, p);
    if (p >= s.size() || s[p] != ':') return std::nullopt;
    ++p;
    skip_cfws(s, p);
    if (!read_number(s, p, 2, 2, minute)) return std::nullopt;
    skip_cfws(s, p);
    if (p < s.size() && s[p] == ':') {
        ++p;
        skip_cfws(s, p);
        if (!read_number(s, p, 2, 2, second)) return std::nullopt;
    }
    skip_cfws(s, p);
    int offset = 0;  // minutes east of UTC
    if (p < s.size() && (s[p] == '+' || s[p] == '-')) {
        const bool negative = s[p] == '-';
        ++p;
        int hhmm = 0;
        const size_t start = p;
        if (!read_number(s, p, 4, 4, hhmm) || p - start != 4) return std::nullopt;
        if (hhmm % 100 > 59 || hhmm / 100 > 23) return std::nullopt;
        offset = (negative ? -1 : 1) * (hhmm / 100 * 60 + hhmm % 100);
    } else if (p < s.size() && is_alpha(s[p])) {
        const size_t start = p;
        while (p < s.size() && is_alpha(s[p])) ++p;
        const std::string zone = ascii_lower(s.substr(start, p - start));
        static constexpr std::pair<std::string_view, int> kZones[] = {
            {"ut", 0},         {"gmt", 0},        {"utc", 0},        {"z", 0},          {"est", -5 * 60},
            {"edt", -4 * 60},  {"cst", -6 * 60},  {"cdt", -5 * 60},  {"mst", -7 * 60},  {"mdt", -6 * 60},
            {"pst", -8 * 60},  {"pdt", -7 * 60},
        };
        bool known = false;
        for (const auto &[name, minutes] : kZones) {
            if (zone == name) {
                offset = minutes;
                known = true;
            }
        }
        // RFC 5322 4.3: military zones were so often wrong that they count as -0000.
        if (!known && zone.size() != 1) return std::nullopt;
    }
    skip_cfws(s, p);
    if (p != s.size()) return std::nullopt;

    // Reuse the RFC 3339 parser for the calendar and range checks.
    std::string rfc3339 = std::to_string(year) + "-" + two_digits(month) + "-" + two_digits(day) + "T" +
                          two_digits(hour) + ":" + two_digits(minute) + ":" + two_digits(second);
    const int abs_offset = offset < 0 ? -offset : offset;
    rfc3339 += (offset < 0 ? "-" : "+") + two_digits(abs_offset / 60) + ":" + two_digits(abs_offset % 60);
    if (year > 9999) return std::nullopt;
    auto ms = parse_timestamp(rfc3339);
    if (!ms) return std::nullopt;
    return *ms;
}

}  // namespace presend::feedback::mime
