#include "text.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace presend {

namespace {

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_cont(unsigned char c) noexcept { return (c & 0xC0) == 0x80; }

// --- Calendar arithmetic (proleptic Gregorian) -------------------------------
// Differences of days_before_year() count the days between two 1 January; the
// floor divisions keep it right for years before 1, which format_timestamp
// may meet for negative inputs.

constexpr int64_t kMsPerSecond = 1000;
constexpr int64_t kMsPerMinute = 60 * kMsPerSecond;
constexpr int64_t kMsPerHour = 60 * kMsPerMinute;
constexpr int64_t kMsPerDay = 24 * kMsPerHour;
// The last millisecond parse_timestamp accepts: 9999-12-31T23:59:59.999Z.
constexpr int64_t kMaxTimestampMs = 253402300799999;

constexpr int kDaysBeforeMonth[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};

int64_t floor_div(int64_t a, int64_t b) noexcept {
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
}

bool is_leap(int64_t y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int64_t y, int m) noexcept {
    static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return (m == 2 && is_leap(y)) ? 29 : kDays[m - 1];
}

int64_t days_before_year(int64_t y) noexcept {
    const int64_t p = y - 1;
    return 365 * y + floor_div(p, 4) - floor_div(p, 100) + floor_div(p, 400);
}

int64_t days_from_civil(int64_t y, int m, int d) noexcept {
    int64_t days = days_before_year(y) - days_before_year(1970);
    days += kDaysBeforeMonth[m - 1] + ((m > 2 && is_leap(y)) ? 1 : 0);
    return days + d - 1;
}

struct Civil {
    int64_t year;
    int month;
    int day;
};

Civil civil_from_days(int64_t days) noexcept {
    const int64_t target = days + days_before_year(1970);
    // 146097 days per 400 years: the estimate is off by at most one year.
    int64_t y = floor_div(target * 400, 146097);
    while (days_before_year(y) > target) --y;
    while (days_before_year(y + 1) <= target) ++y;
    int doy = static_cast<int>(target - days_before_year(y));
    int m = 1;
    while (m < 12 && doy >= days_in_month(y, m)) {
        doy -= days_in_month(y, m);
        ++m;
    }
    return Civil{y, m, doy + 1};
}

// Reads exactly `count` digits at `pos`.
bool read_digits(std::string_view s, size_t &pos, size_t count, int &out) noexcept {
    if (s.size() - pos < count) return false;
    int v = 0;
    for (size_t i = 0; i < count; ++i) {
        const char c = s[pos + i];
        if (!is_digit(c)) return false;
        v = v * 10 + (c - '0');
    }
    pos += count;
    out = v;
    return true;
}

Error ts_error(const char *what, size_t pos) {
    return parse_error(std::string("timestamp: ") + what + " at byte " + std::to_string(pos), pos);
}

std::string &field_slot(std::vector<std::string> &fields, size_t index) {
    if (index < fields.size()) {
        fields[index].clear();
        return fields[index];
    }
    return fields.emplace_back();
}

}  // namespace

// --- UTF-8 -------------------------------------------------------------------

// bad_offset is the start of the first ill-formed sequence (its lead byte, or
// the stray continuation byte), like most decoders report it.
bool utf8_valid(std::string_view s, size_t *bad_offset) noexcept {
    const auto *p = reinterpret_cast<const unsigned char *>(s.data());
    const size_t n = s.size();
    size_t i = 0;
    while (i < n) {
        // Mostly ASCII in practice: skip eight bytes at a time.
        if (n - i >= 8) {
            uint64_t chunk;
            std::memcpy(&chunk, p + i, sizeof chunk);
            if ((chunk & 0x8080808080808080ull) == 0) {
                i += 8;
                continue;
            }
        }
        const unsigned char c = p[i];
        size_t len = 0;
        if (c < 0x80) {
            ++i;
            continue;
        }
        bool ok = false;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            ok = n - i >= 2 && is_cont(p[i + 1]);
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (n - i >= 3 && is_cont(p[i + 1]) && is_cont(p[i + 2])) {
                const unsigned char c1 = p[i + 1];
                ok = !(c == 0xE0 && c1 < 0xA0)      // overlong
                     && !(c == 0xED && c1 > 0x9F);  // UTF-16 surrogates
            }
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (n - i >= 4 && is_cont(p[i + 1]) && is_cont(p[i + 2]) && is_cont(p[i + 3])) {
                const unsigned char c1 = p[i + 1];
                ok = !(c == 0xF0 && c1 < 0x90)      // overlong
                     && !(c == 0xF4 && c1 > 0x8F);  // above U+10FFFF
            }
        }
        if (!ok) {
            if (bad_offset) *bad_offset = i;
            return false;
        }
        i += len;
    }
    return true;
}

std::string utf8_repair(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 8);
    while (!s.empty()) {
        size_t bad = 0;
        if (utf8_valid(s, &bad)) {
            out += s;
            break;
        }
        out += s.substr(0, bad);
        out += "\xEF\xBF\xBD";
        s.remove_prefix(bad + 1);
        // The continuation bytes of the broken sequence go with it.
        while (!s.empty() && (static_cast<unsigned char>(s.front()) & 0xC0) == 0x80) s.remove_prefix(1);
    }
    return out;
}

// --- Timestamps ----------------------------------------------------------------

// Grammar: full-date [ ("T" / "t" / " ") full-time ], where full-time is
// HH:MM:SS[.frac] followed by Z, z, +hh:mm, -hh:mm or (ISO 8601 basic, as
// PHP's DATE_ISO8601 writes it) +hhmm. Fractions of any length are truncated
// to milliseconds. A leap second (:60) is accepted only where one can occur,
// at 23:59 UTC, and is read as 23:59:59.999 so that values stay ordered and
// inside their day. The result must lie within 1970-01-01T00:00:00Z ..
// 9999-12-31T23:59:59.999Z, so that format_timestamp() of any parsed value
// parses back to the same value.
Result<int64_t> parse_timestamp(std::string_view t) {
    size_t p = 0;
    int year = 0;
    int month = 0;
    int day = 0;
    if (!read_digits(t, p, 4, year)) return ts_error("expected a 4-digit year", p);
    if (p >= t.size() || t[p] != '-') return ts_error("expected '-' after the year", p);
    ++p;
    const size_t month_pos = p;
    if (!read_digits(t, p, 2, month)) return ts_error("expected a 2-digit month", p);
    if (p >= t.size() || t[p] != '-') return ts_error("expected '-' after the month", p);
    ++p;
    const size_t day_pos = p;
    if (!read_digits(t, p, 2, day)) return ts_error("expected a 2-digit day", p);
    if (year < 1970) return ts_error("year before 1970", 0);
    if (month < 1 || month > 12) return ts_error("month out of range", month_pos);
    if (day < 1 || day > days_in_month(year, month)) return ts_error("day out of range for the month", day_pos);
    const int64_t days = days_from_civil(year, month, day);
    if (p == t.size()) return days * kMsPerDay;

    if (t[p] != 'T' && t[p] != 't' && t[p] != ' ') return ts_error("expected 'T' or end of input after the date", p);
    ++p;
    int hour = 0;
    int minute = 0;
    int second = 0;
    const size_t hour_pos = p;
    if (!read_digits(t, p, 2, hour)) return ts_error("expected a 2-digit hour", p);
    if (p >= t.size() || t[p] != ':') return ts_error("expected ':' after the hour", p);
    ++p;
    const size_t minute_pos = p;
    if (!read_digits(t, p, 2, minute)) return ts_error("expected a 2-digit minute", p);
    if (p >= t.size() || t[p] != ':') return ts_error("expected ':' after the minute", p);
    ++p;
    const size_t second_pos = p;
    if (!read_digits(t, p, 2, second)) return ts_error("expected a 2-digit second", p);
    if (hour > 23) return ts_error("hour out of range", hour_pos);
    if (minute > 59) return ts_error("minute out of range", minute_pos);
    if (second > 60) return ts_error("second out of range", second_pos);

    int64_t ms = 0;
    if (p < t.size() && t[p] == '.') {
        ++p;
        const size_t frac_start = p;
        int64_t scale = 100;
        while (p < t.size() && is_digit(t[p])) {
            ms += (t[p] - '0') * scale;
            scale /= 10;
            ++p;
        }
        if (p == frac_start) return ts_error("expected digits after '.'", p);
    }

    int64_t offset_minutes = 0;
    if (p >= t.size()) return ts_error("expected 'Z' or a UTC offset", p);
    if (t[p] == 'Z' || t[p] == 'z') {
        ++p;
    } else if (t[p] == '+' || t[p] == '-') {
        const bool negative = t[p] == '-';
        ++p;
        int oh = 0;
        int om = 0;
        const size_t offset_pos = p;
        if (!read_digits(t, p, 2, oh)) return ts_error("expected a 2-digit offset hour", p);
        if (p < t.size() && t[p] == ':') ++p;
        if (!read_digits(t, p, 2, om)) return ts_error("expected 2-digit offset minutes", p);
        if (oh > 23 || om > 59) return ts_error("UTC offset out of range", offset_pos);
        offset_minutes = (negative ? -1 : 1) * (oh * 60 + om);
    } else {
        return ts_error("expected 'Z' or a UTC offset", p);
    }
    if (p != t.size()) return ts_error("unexpected bytes after the timestamp", p);

    if (second == 60) {
        const int64_t utc_minute = ((hour * 60 + minute - offset_minutes) % 1440 + 1440) % 1440;
        if (utc_minute != 23 * 60 + 59) return ts_error("leap second outside 23:59 UTC", second_pos);
        second = 59;
        ms = 999;
    }
    const int64_t value = days * kMsPerDay + hour * kMsPerHour + minute * kMsPerMinute + second * kMsPerSecond + ms -
                          offset_minutes * kMsPerMinute;
    if (value < 0) return ts_error("timestamp before 1970-01-01T00:00:00Z", 0);
    if (value > kMaxTimestampMs) return ts_error("timestamp after 9999-12-31T23:59:59.999Z", 0);
    return value;
}

std::string format_timestamp(int64_t unix_ms) {
    const int64_t days = floor_div(unix_ms, kMsPerDay);
    int64_t in_day = unix_ms % kMsPerDay;
    if (in_day < 0) in_day += kMsPerDay;
    const Civil c = civil_from_days(days);
    const int hour = static_cast<int>(in_day / kMsPerHour);
    const int minute = static_cast<int>(in_day / kMsPerMinute % 60);
    const int second = static_cast<int>(in_day / kMsPerSecond % 60);
    const int ms = static_cast<int>(in_day % kMsPerSecond);
    char buf[64];
    int len;
    if (ms != 0) {
        len = std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", static_cast<long long>(c.year),
                            c.month, c.day, hour, minute, second, ms);
    } else {
        len = std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02dZ", static_cast<long long>(c.year),
                            c.month, c.day, hour, minute, second);
    }
    return std::string(buf, len > 0 ? static_cast<size_t>(len) : 0);
}

// --- ASCII helpers -------------------------------------------------------------

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (char &c : out) c = lower(c);
    return out;
}

bool ascii_iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

std::string_view trim(std::string_view s) noexcept {
    constexpr std::string_view kSpace = " \t\r\n";
    const size_t first = s.find_first_not_of(kSpace);
    if (first == std::string_view::npos) return {};
    const size_t last = s.find_last_not_of(kSpace);
    return s.substr(first, last - first + 1);
}

// --- CSV -------------------------------------------------------------------------

// next() resets `error` to status ok on every call. When it returns true with
// error.status != ok, the record was bad: `fields` is empty, error.position is
// the byte offset of the problem and line() the line where the record began.
// Reading resumes after the physical line holding the bad byte, except for an
// unterminated quoted field: it runs to the end of the input by definition, so
// nothing is left to resume at (restarting on the line after the opening quote
// instead would rescan the rest of the input once per bad line).
bool CsvReader::next(std::vector<std::string> &fields, Error &error) {
    error = Error{Status::ok, {}, Error::npos};
    const size_t n = data_.size();
    if (pos_ == 0 && data_.starts_with("\xEF\xBB\xBF")) pos_ = 3;

    // Blank lines are not records.
    while (pos_ < n) {
        if (data_[pos_] == '\n') {
            ++pos_;
            ++line_;
        } else if (data_[pos_] == '\r' && (pos_ + 1 == n || data_[pos_ + 1] == '\n')) {
            pos_ += pos_ + 1 == n ? 1 : 2;
            ++line_;
        } else {
            break;
        }
    }
    if (pos_ >= n) {
        fields.clear();
        return false;
    }
    record_line_ = line_;

    auto fail_rest_of_line = [&](const char *what, size_t at) {
        error = parse_error("line " + std::to_string(line_) + ": " + what, at);
        const size_t nl = data_.find('\n', at);
        if (nl == std::string_view::npos) {
            pos_ = n;
        } else {
            pos_ = nl + 1;
            ++line_;
        }
        fields.clear();
    };
    // A line ends at LF, CRLF, or a CR that is the last byte of the input.
    auto line_end_at = [&](size_t at) -> size_t {
        if (data_[at] == '\n') return 1;
        if (data_[at] == '\r' && (at + 1 == n || data_[at + 1] == '\n')) return at + 1 == n ? 1 : 2;
        return 0;
    };

    size_t count = 0;
    for (;;) {
        std::string &field = field_slot(fields, count++);
        if (pos_ < n && data_[pos_] == '"') {
            const size_t open = pos_;
            const size_t open_line = line_;
            ++pos_;
            for (;;) {
                const size_t q = data_.find('"', pos_);
                if (q == std::string_view::npos) {
                    error = parse_error("line " + std::to_string(open_line) + ": unterminated quoted field", open);
                    line_ += static_cast<size_t>(std::count(data_.begin() + static_cast<ptrdiff_t>(pos_), data_.end(), '\n'));
                    pos_ = n;
                    fields.clear();
                    return true;
                }
                line_ += static_cast<size_t>(std::count(data_.begin() + static_cast<ptrdiff_t>(pos_),
                                                        data_.begin() + static_cast<ptrdiff_t>(q), '\n'));
                field.append(data_.substr(pos_, q - pos_));
                if (q + 1 < n && data_[q + 1] == '"') {
                    field.push_back('"');
                    pos_ = q + 2;
                    continue;
                }
                pos_ = q + 1;
                break;
            }
            if (pos_ == n) break;
            if (data_[pos_] == ',') {
                ++pos_;
                continue;
            }
            if (const size_t eol = line_end_at(pos_)) {
                pos_ += eol;
                ++line_;
                break;
            }
            fail_rest_of_line("unexpected byte after a closing quote", pos_);
            return true;
        }

        const size_t start = pos_;
        size_t stop = start;
        size_t eol = 0;
        while (stop < n) {
            const char c = data_[stop];
            if (c == ',' || c == '"') break;
            if ((c == '\n' || c == '\r') && (eol = line_end_at(stop)) != 0) break;
            ++stop;
        }
        if (stop < n && data_[stop] == '"') {
            fail_rest_of_line("quote inside an unquoted field", stop);
            return true;
        }
        field.assign(data_.substr(start, stop - start));
        pos_ = stop;
        if (pos_ == n) break;
        if (data_[pos_] == ',') {
            ++pos_;
            continue;
        }
        pos_ += eol;
        ++line_;
        break;
    }
    fields.resize(count);
    return true;
}

void json_append_string(std::string &out, std::string_view s) {
    // Text quoted from bad input (an error naming a bad address) must not
    // make presend's own JSON invalid.
    std::string repaired;
    if (!utf8_valid(s)) {
        repaired = utf8_repair(s);
        s = repaired;
    }
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    size_t run = 0;  // start of the current run of bytes that need no escaping
    for (size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f) continue;
        out.append(s.data() + run, i - run);
        run = i + 1;
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                out += "\\u00";
                out.push_back(kHex[c >> 4]);
                out.push_back(kHex[c & 15]);
        }
    }
    out.append(s.data() + run, s.size() - run);
    out.push_back('"');
}

}  // namespace presend
