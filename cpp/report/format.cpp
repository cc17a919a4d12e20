#include "report/format.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "text.hpp"

namespace presend::report {

namespace {

constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53

bool is_whole(double v) { return std::isfinite(v) && v == std::floor(v) && std::fabs(v) < kMaxExactInteger; }

std::string group_digits(std::string_view digits) {
    std::string out;
    size_t n = digits.size();
    for (size_t i = 0; i < n; ++i) {
        if (i > 0 && (n - i) % 3 == 0) out.push_back(',');
        out.push_back(digits[i]);
    }
    return out;
}

// The code point of the UTF-8 sequence at s[i] and its length (s is valid UTF-8).
char32_t decode(std::string_view s, size_t i, size_t &len) {
    auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
    unsigned char c = b(0);
    if (c < 0x80) {
        len = 1;
        return c;
    }
    if (c < 0xE0) {
        len = 2;
        return (char32_t(c & 0x1F) << 6) | (b(1) & 0x3F);
    }
    if (c < 0xF0) {
        len = 3;
        return (char32_t(c & 0x0F) << 12) | (char32_t(b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    }
    len = 4;
    return (char32_t(c & 0x07) << 18) | (char32_t(b(1) & 0x3F) << 12) | (char32_t(b(2) & 0x3F) << 6) | (b(3) & 0x3F);
}

bool is_bidi_control(char32_t cp) {
    return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

}  // namespace

std::string number_text(double v) {
    if (!std::isfinite(v)) return "";
    if (is_whole(v)) {
        if (v == 0) return "0";  // not "-0"
        return std::to_string(static_cast<int64_t>(v));
    }
    char buf[40];
    for (int prec = 1; prec <= 17; ++prec) {
        std::snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (std::strtod(buf, nullptr) == v) return buf;
    }
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

std::string count_text(double v) {
    if (!std::isfinite(v)) return "\u2014";
    bool negative = v < 0;
    double a = std::fabs(v);
    std::string out = negative ? "-" : "";
    if (is_whole(a)) {
        out += group_digits(std::to_string(static_cast<int64_t>(a)));
        return out;
    }
    char buf[400];
    std::snprintf(buf, sizeof buf, "%.1f", a);
    std::string_view s(buf);
    size_t dot = s.find('.');
    out += group_digits(s.substr(0, dot));
    if (dot != std::string_view::npos) out += s.substr(dot);
    return out;
}

std::string count_text(const std::optional<double> &v) { return v ? count_text(*v) : "\u2014"; }

std::string percent_text(double ratio, int decimals) {
    double p = ratio * 100.0;
    if (!std::isfinite(p)) return "\u2014";
    char buf[400];
    std::snprintf(buf, sizeof buf, "%.*f%%", decimals, p);
    return buf;
}

std::string percent_text(const std::optional<double> &ratio, int decimals) {
    return ratio ? percent_text(*ratio, decimals) : "\u2014";
}

std::string percent_short(double ratio) {
    double p = ratio * 100.0;
    if (!std::isfinite(p)) return "\u2014";
    char buf[400];
    std::snprintf(buf, sizeof buf, "%.3f", p);
    std::string s(buf);
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    if (s == "-0") s = "0";
    return s + "%";
}

std::string neutralize(std::string_view in) {
    std::string repaired;
    if (!utf8_valid(in)) {
        repaired = utf8_repair(in);
        in = repaired;
    }
    std::string out;
    out.reserve(in.size());
    for (size_t i = 0; i < in.size();) {
        size_t len = 1;
        char32_t cp = decode(in, i, len);
        if (cp == '\r') {
            out.push_back('\n');
            if (i + 1 < in.size() && in[i + 1] == '\n') ++i;
        } else if ((cp < 0x20 && cp != '\t' && cp != '\n') || (cp >= 0x7F && cp <= 0x9F)) {
            out += "\uFFFD";
        } else if (is_bidi_control(cp)) {
            char buf[16];
            std::snprintf(buf, sizeof buf, "[U+%04X]", static_cast<unsigned>(cp));
            out += buf;
        } else {
            out.append(in.substr(i, len));
        }
        i += len;
    }
    return out;
}

std::string html_escape(std::string_view s) {
    std::string clean = neutralize(s);
    std::string out;
    out.reserve(clean.size() + 16);
    for (char c : clean) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out.push_back(c);
        }
    }
    return out;
}

std::string md_text(std::string_view s) {
    std::string clean = neutralize(s);
    // One line: Markdown gives line starts meaning (headings, lists, tables).
    for (char &c : clean) {
        if (c == '\n' || c == '\t') c = ' ';
    }
    std::string_view t = trim(clean);
    std::string out;
    out.reserve(t.size() + 8);
    for (char c : t) {
        switch (c) {
            case '\\': case '`': case '*': case '_': case '[': case ']': case '<': case '>':
            case '|': case '~': case '!': case '&': case '#':
                out.push_back('\\');
                out.push_back(c);
                break;
            default: out.push_back(c);
        }
    }
    return out;
}

std::string md_line(std::string_view s) {
    std::string out = md_text(s);
    if (!out.empty() && (out[0] == '-' || out[0] == '+' || out[0] == '=')) {
        out.insert(out.begin(), '\\');
    } else {
        size_t d = 0;
        while (d < out.size() && d < 10 && out[d] >= '0' && out[d] <= '9') ++d;
        if (d > 0 && d < out.size() && (out[d] == '.' || out[d] == ')')) out.insert(d, 1, '\\');
    }
    return out;
}

std::string md_code(std::string_view s) {
    std::string clean = neutralize(s);
    for (char &c : clean) {
        if (c == '\n' || c == '\t') c = ' ';
    }
    std::string_view t = trim(clean);
    if (t.empty()) return "";
    // A code span cannot escape a backslash before a table's pipe, nor a
    // backtick reliably everywhere: such text is written as escaped text.
    if (t.find_first_of("`|\\") != std::string_view::npos) return md_text(t);
    return "`" + std::string(t) + "`";
}

std::string csv_field(std::string_view s, bool numeric) {
    std::string v = numeric ? std::string(s) : neutralize(s);
    if (!numeric && !v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t')) {
        v.insert(v.begin(), '\'');
    }
    if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
    std::string out = "\"";
    for (char c : v) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

}  // namespace presend::report
