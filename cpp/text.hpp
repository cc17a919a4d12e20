// Small text utilities shared by the parsers: UTF-8 validation, timestamps,
// CSV records. Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "result.hpp"

namespace presend {

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above
// U+10FFFF. On failure returns the offset of the first bad byte.
bool utf8_valid(std::string_view s, size_t *bad_offset = nullptr) noexcept;
// s with every invalid UTF-8 sequence replaced by U+FFFD.
std::string utf8_repair(std::string_view s);

// Appends `s` as a JSON string literal (RFC 8259): quotes, backslashes and
// control characters escaped, and any invalid UTF-8 replaced by U+FFFD so
// that text quoted from bad input never makes the output invalid.
void json_append_string(std::string &out, std::string_view s);

// RFC 3339 / ISO 8601 timestamps in UTC or with an offset:
//   2026-11-25T09:06:30Z, 2026-11-25T09:06:30.123Z, 2026-11-25T10:06:30+01:00,
//   2026-11-25 09:06:30Z (space accepted), 2026-11-25 (midnight UTC).
// Returns milliseconds since the Unix epoch. Rejects impossible dates.
Result<int64_t> parse_timestamp(std::string_view text);
// "2026-11-25T09:06:30Z", or "2026-11-25T09:06:30.123Z" when ms is not a
// whole second.
std::string format_timestamp(int64_t unix_ms);

// ASCII helpers.
std::string ascii_lower(std::string_view s);
bool ascii_iequals(std::string_view a, std::string_view b) noexcept;
std::string_view trim(std::string_view s) noexcept;  // spaces, tabs, CR, LF

// RFC 4180 CSV: fields separated by commas, records by CRLF or LF, fields
// optionally quoted with "" as an escaped quote; quoted fields may span lines.
class CsvReader {
public:
    explicit CsvReader(std::string_view data) : data_(data) {}
    // Reads the next record into `fields`. Returns false at end of input.
    // On a syntax error (a quote inside an unquoted field, bytes after a
    // closing quote) returns true with `fields` empty, sets `error` (status
    // parse, "line N: ...") and resumes at the next line, so that later
    // records can still be read. An unterminated quoted field swallows the
    // rest of the input as one bad record: where it should have ended cannot
    // be known, and rescanning from every later line would be quadratic.
    // `error` is reset to status ok on every call.
    bool next(std::vector<std::string> &fields, Error &error);
    // 1-based line number where the last returned record started.
    size_t line() const noexcept { return record_line_; }

private:
    std::string_view data_;
    size_t pos_ = 0;
    size_t line_ = 1;
    size_t record_line_ = 0;
};

}  // namespace presend
