#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "text.hpp"

namespace presend {
namespace {

// --- UTF-8 -----------------------------------------------------------------------

struct Utf8Case {
    std::string input;
    bool valid;
    size_t bad_offset;  // when !valid
};

TEST(Utf8Valid, Table) {
    const std::vector<Utf8Case> cases = {
        {"", true, 0},
        {"plain ascii", true, 0},
        {"caf\xC3\xA9", true, 0},                       // U+00E9
        {"\xC2\x80", true, 0},                          // U+0080, smallest 2-byte
        {"\xDF\xBF", true, 0},                          // U+07FF
        {"\xE0\xA0\x80", true, 0},                      // U+0800, smallest 3-byte
        {"\xED\x9F\xBF", true, 0},                      // U+D7FF, below the surrogates
        {"\xEE\x80\x80", true, 0},                      // U+E000, above the surrogates
        {"\xEF\xBF\xBF", true, 0},                      // U+FFFF
        {"\xF0\x90\x80\x80", true, 0},                  // U+10000, smallest 4-byte
        {"\xF4\x8F\xBF\xBF", true, 0},                  // U+10FFFF, the last code point
        {"0123456789abcdef\xE2\x82\xAC", true, 0},      // after the 8-byte fast path
        {std::string("a\0b", 3), true, 0},              // NUL is a valid code point
        {"\x80", false, 0},                             // lone continuation byte
        {"ab\xBF", false, 2},
        {"\xC0\x80", false, 0},                         // overlong NUL
        {"\xC1\xBF", false, 0},                         // overlong
        {"\xE0\x9F\xBF", false, 0},                     // overlong 3-byte
        {"\xF0\x8F\xBF\xBF", false, 0},                 // overlong 4-byte
        {"\xED\xA0\x80", false, 0},                     // U+D800, a surrogate
        {"x\xED\xBF\xBF", false, 1},                    // U+DFFF
        {"\xF4\x90\x80\x80", false, 0},                 // U+110000
        {"\xF5\x80\x80\x80", false, 0},
        {"\xFF", false, 0},
        {"abc\xC3", false, 3},                          // truncated at the end
        {"abc\xE2\x82", false, 3},
        {"\xE2\x28\xA1", false, 0},                     // bad second byte
        {"\xF0\x90\x80\x41", false, 0},                 // bad fourth byte
        {"0123456789abcdefgh\xC3(", false, 18},         // offset past the fast path
    };
    for (const auto &c : cases) {
        size_t offset = 12345;
        EXPECT_EQ(utf8_valid(c.input, &offset), c.valid) << testing::PrintToString(c.input);
        if (!c.valid) {
            EXPECT_EQ(offset, c.bad_offset) << testing::PrintToString(c.input);
        } else {
            EXPECT_EQ(offset, 12345u) << "offset written for valid input";
        }
    }
    EXPECT_FALSE(utf8_valid("\x80"));  // the offset is optional
}

// --- Timestamps ----------------------------------------------------------------------

struct TimestampCase {
    std::string text;
    int64_t ms;
};

TEST(ParseTimestamp, Valid) {
    const std::vector<TimestampCase> cases = {
        {"1970-01-01T00:00:00Z", 0},
        {"1970-01-01", 0},
        {"1970-01-01T00:00:00.001Z", 1},
        {"2026-11-25T09:06:30Z", 1795597590000},
        {"2026-11-25t09:06:30z", 1795597590000},
        {"2026-11-25 09:06:30Z", 1795597590000},
        {"2026-11-25T10:06:30+01:00", 1795597590000},
        {"2026-11-25T10:06:30+0100", 1795597590000},
        {"2026-11-25T03:36:30-05:30", 1795597590000},
        {"2026-11-25T09:06:30-00:00", 1795597590000},
        {"2026-11-25T09:06:30.123Z", 1795597590123},
        {"2026-11-25T09:06:30.1Z", 1795597590100},
        {"2026-11-25T09:06:30.12Z", 1795597590120},
        {"2026-11-25T09:06:30.123999999999Z", 1795597590123},  // truncated, not rounded
        {"2026-11-25T09:06:30.000Z", 1795597590000},
        {"2026-11-25", 1795564800000},
        {"2024-02-29T12:00:00Z", 1709208000000},
        {"2000-02-29", 951782400000},
        {"2100-03-01", 4107542400000},
        {"2038-01-19T03:14:08Z", 2147483648000},
        {"9999-12-31T23:59:59.999Z", 253402300799999},
        {"1970-01-01T01:00:00+01:00", 0},  // the earliest instant, reached through an offset
        {"1970-01-01T00:00:00-23:59", 86340000},
        // Leap seconds: only at 23:59 UTC, read as the last millisecond of the minute.
        {"2016-12-31T23:59:60Z", 1483228799999},
        {"2016-12-31T23:59:60.5Z", 1483228799999},
        {"2017-01-01T00:59:60+01:00", 1483228799999},
        {"2016-12-31T18:59:60-05:00", 1483228799999},
    };
    for (const auto &c : cases) {
        const auto r = parse_timestamp(c.text);
        ASSERT_TRUE(r.ok()) << c.text << ": " << r.error().message;
        EXPECT_EQ(*r, c.ms) << c.text;
    }
}

struct BadTimestampCase {
    std::string text;
    size_t position;
    std::string message_part;
};

TEST(ParseTimestamp, Invalid) {
    const std::vector<BadTimestampCase> cases = {
        {"", 0, "year"},
        {"2026", 4, "'-' after the year"},
        {"26-11-25", 0, "year"},
        {"10000-01-01", 4, "'-' after the year"},
        {"2026/11/25", 4, "'-'"},
        {"2026-1-25", 5, "month"},
        {"2026-11-5", 8, "day"},
        {"1969-12-31T23:59:59Z", 0, "before 1970"},
        {"0000-01-01", 0, "before 1970"},
        {"2026-00-10", 5, "month out of range"},
        {"2026-13-01", 5, "month out of range"},
        {"2026-01-00", 8, "day out of range"},
        {"2026-01-32", 8, "day out of range"},
        {"2026-04-31", 8, "day out of range"},
        {"2023-02-29", 8, "day out of range"},
        {"2100-02-29", 8, "day out of range"},  // divisible by 100, not by 400
        {"2026-01-01X", 10, "'T'"},
        {"2026-01-01T", 11, "hour"},
        {"2026-01-01T10", 13, "':' after the hour"},
        {"2026-01-01T10:00Z", 16, "':' after the minute"},
        {"2026-01-01T10:00:0Z", 17, "second"},
        {"2026-01-01T24:00:00Z", 11, "hour out of range"},
        {"2026-01-01T23:60:00Z", 14, "minute out of range"},
        {"2026-01-01T23:59:61Z", 17, "second out of range"},
        {"2026-01-01T10:00:60Z", 17, "leap second"},
        {"2016-12-31T23:59:60+01:00", 17, "leap second"},
        {"2026-01-01T10:00:00", 19, "offset"},
        {"2026-01-01T10:00:00.Z", 20, "digits after '.'"},
        {"2026-01-01T10:00:00,5Z", 19, "offset"},
        {"2026-01-01T10:00:00+1:00", 20, "offset hour"},
        {"2026-01-01T10:00:00+01:0", 23, "offset minutes"},
        {"2026-01-01T10:00:00+24:00", 20, "offset out of range"},
        {"2026-01-01T10:00:00+01:60", 20, "offset out of range"},
        {"2026-01-01T10:00:00Zx", 20, "after the timestamp"},
        {"2026-01-01T10:00:00+01:00 ", 25, "after the timestamp"},
        {"2026-01-01 ", 11, "hour"},
        {" 2026-01-01", 0, "year"},
        {"1970-01-01T00:00:00+00:01", 0, "before 1970-01-01"},
        {"9999-12-31T23:59:59-00:01", 0, "after 9999-12-31"},
    };
    for (const auto &c : cases) {
        const auto r = parse_timestamp(c.text);
        ASSERT_FALSE(r.ok()) << c.text << " parsed as " << *r;
        EXPECT_EQ(r.error().status, Status::parse) << c.text;
        EXPECT_EQ(r.error().position, c.position) << c.text << ": " << r.error().message;
        EXPECT_NE(r.error().message.find(c.message_part), std::string::npos) << c.text << ": " << r.error().message;
    }
}

TEST(FormatTimestamp, Table) {
    const std::vector<TimestampCase> cases = {
        {"1970-01-01T00:00:00Z", 0},
        {"1970-01-01T00:00:00.001Z", 1},
        {"1970-01-01T00:00:00.999Z", 999},
        {"1970-01-01T00:00:01Z", 1000},
        {"2026-11-25T09:06:30Z", 1795597590000},
        {"2026-11-25T09:06:30.120Z", 1795597590120},
        {"2024-02-29T12:00:00Z", 1709208000000},
        {"2100-03-01T00:00:00Z", 4107542400000},
        {"9999-12-31T23:59:59.999Z", 253402300799999},
        {"1969-12-31T23:59:59.999Z", -1},
        {"1969-12-31T00:00:00Z", -86400000},
    };
    for (const auto &c : cases) EXPECT_EQ(format_timestamp(c.ms), c.text) << c.ms;
}

TEST(FormatTimestamp, ExtremesDoNotCrash) {
    EXPECT_FALSE(format_timestamp(std::numeric_limits<int64_t>::min()).empty());
    EXPECT_FALSE(format_timestamp(std::numeric_limits<int64_t>::max()).empty());
}

// Walks the calendar one day at a time with a naive day counter and checks
// both directions against it for every day from 1970 to 2500.
TEST(Timestamp, EveryDayAgainstNaiveCalendar) {
    auto leap = [](int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; };
    const int month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t day_number = 0;
    for (int y = 1970; y <= 2500; ++y) {
        for (int m = 1; m <= 12; ++m) {
            const int days = month_days[m - 1] + (m == 2 && leap(y) ? 1 : 0);
            for (int d = 1; d <= days; ++d, ++day_number) {
                char date[32];
                std::snprintf(date, sizeof date, "%04d-%02d-%02d", y, m, d);
                const auto r = parse_timestamp(date);
                ASSERT_TRUE(r.ok()) << date;
                ASSERT_EQ(*r, day_number * 86400000) << date;
                const int64_t ms = day_number * 86400000 + 45296789;  // 12:34:56.789
                ASSERT_EQ(format_timestamp(ms), std::string(date) + "T12:34:56.789Z");
            }
        }
    }
}

TEST(Timestamp, FormatThenParseRoundTrips) {
    for (int64_t ms = 0; ms < 253402300799999; ms += 7919LL * 86400000 + 3600007) {
        const auto r = parse_timestamp(format_timestamp(ms));
        ASSERT_TRUE(r.ok()) << format_timestamp(ms);
        EXPECT_EQ(*r, ms) << format_timestamp(ms);
    }
}

// --- ASCII helpers -------------------------------------------------------------------

TEST(Ascii, Lower) {
    EXPECT_EQ(ascii_lower("List-Unsubscribe"), "list-unsubscribe");
    EXPECT_EQ(ascii_lower("AZaz09@[`{"), "azaz09@[`{");
    EXPECT_EQ(ascii_lower("\xC3\x89T\xC3\x89"), "\xC3\x89t\xC3\x89");  // non-ASCII bytes untouched
    EXPECT_EQ(ascii_lower(""), "");
}

TEST(Ascii, IEquals) {
    EXPECT_TRUE(ascii_iequals("DKIM-Signature", "dkim-signature"));
    EXPECT_TRUE(ascii_iequals("", ""));
    EXPECT_FALSE(ascii_iequals("From", "Fro"));
    EXPECT_FALSE(ascii_iequals("From", "Frnm"));
    EXPECT_FALSE(ascii_iequals("@", "`"));  // 0x40 and 0x60 differ by the case bit but are not letters
    EXPECT_FALSE(ascii_iequals("\xC3\xA9", "\xC3\x89"));
}

TEST(Ascii, Trim) {
    EXPECT_EQ(trim("  a b \t\r\n"), "a b");
    EXPECT_EQ(trim("\r\n\t "), "");
    EXPECT_EQ(trim(""), "");
    EXPECT_EQ(trim("x"), "x");
    EXPECT_EQ(trim("\va\v"), "\va\v");  // only space, tab, CR and LF
}

// --- CSV -------------------------------------------------------------------------------

struct CsvRecord {
    size_t line;
    std::vector<std::string> fields;
    size_t error_position = Error::npos;  // set: the record is an error at this byte
};

struct CsvCase {
    std::string name;
    std::string input;
    std::vector<CsvRecord> records;
};

std::vector<CsvRecord> read_all(std::string_view input) {
    CsvReader reader(input);
    std::vector<CsvRecord> out;
    std::vector<std::string> fields;
    Error error;
    while (reader.next(fields, error)) {
        if (error.status == Status::ok) {
            out.push_back({reader.line(), fields});
        } else {
            EXPECT_EQ(error.status, Status::parse);
            EXPECT_TRUE(fields.empty());
            out.push_back({reader.line(), {}, error.position});
        }
    }
    EXPECT_EQ(error.status, Status::ok);
    return out;
}

TEST(CsvReader, Table) {
    using F = std::vector<std::string>;
    const size_t ok = Error::npos;
    const std::vector<CsvCase> cases = {
        {"empty input", "", {}},
        {"only line ends", "\n\r\n\n", {}},
        {"only a BOM", "\xEF\xBB\xBF", {}},
        {"one field", "a", {{1, F{"a"}, ok}}},
        {"simple LF", "a,b,c\nd,e,f\n", {{1, F{"a", "b", "c"}, ok}, {2, F{"d", "e", "f"}, ok}}},
        {"simple CRLF", "a,b\r\nc,d\r\n", {{1, F{"a", "b"}, ok}, {2, F{"c", "d"}, ok}}},
        {"no final line end", "a,b\nc,d", {{1, F{"a", "b"}, ok}, {2, F{"c", "d"}, ok}}},
        {"final lone CR", "a,b\r", {{1, F{"a", "b"}, ok}}},
        {"CR inside a field is data", "a\rb,c\n", {{1, F{"a\rb", "c"}, ok}}},
        {"empty fields", ",,\n", {{1, F{"", "", ""}, ok}}},
        {"trailing comma at end", "a,", {{1, F{"a", ""}, ok}}},
        {"blank lines skipped", "\na\n\n\r\nb\n\n", {{2, F{"a"}, ok}, {5, F{"b"}, ok}}},
        {"white space kept", " a , b \n", {{1, F{" a ", " b "}, ok}}},
        {"BOM skipped", "\xEF\xBB\xBF" "email,consent\nx@y,1\n",
         {{1, F{"email", "consent"}, ok}, {2, F{"x@y", "1"}, ok}}},
        {"BOM only at the start", "a\n\xEF\xBB\xBF" "b\n", {{1, F{"a"}, ok}, {2, F{"\xEF\xBB\xBF" "b"}, ok}}},
        {"quoted", "\"a,b\",\"c\"\"d\"\n", {{1, F{"a,b", "c\"d"}, ok}}},
        {"quoted empty", "\"\",x\n\"\"\n", {{1, F{"", "x"}, ok}, {2, F{""}, ok}}},
        {"only quotes", "\"\"\"\"\n", {{1, F{"\""}, ok}}},
        {"quoted spans lines", "\"a\nb\",c\r\nd\n", {{1, F{"a\nb", "c"}, ok}, {3, F{"d"}, ok}}},
        {"quoted keeps CRLF", "\"a\r\n\r\nb\"\nz\n", {{1, F{"a\r\n\r\nb"}, ok}, {4, F{"z"}, ok}}},
        {"quoted at end without line end", "x,\"y\"", {{1, F{"x", "y"}, ok}}},
        {"quote inside unquoted", "ab\"c,d\nok\n", {{1, {}, 2}, {2, F{"ok"}, ok}}},
        {"byte after closing quote", "\"a\"b,c\nok\n", {{1, {}, 3}, {2, F{"ok"}, ok}}},
        {"space after closing quote", "x,\"a\" \nok", {{1, {}, 5}, {2, F{"ok"}, ok}}},
        {"error on the second line of a record", "\"a\nb\"x\nok\n", {{1, {}, 5}, {3, F{"ok"}, ok}}},
        {"error on the last line", "ok\nab\"c", {{1, F{"ok"}, ok}, {2, {}, 5}}},
        {"unterminated quote eats the rest", "ok\n\"abc\nd,e\n", {{1, F{"ok"}, ok}, {2, {}, 3}}},
        {"unterminated after escaped quote", "a,\"b\"\"", {{1, {}, 2}}},
    };
    for (const auto &c : cases) {
        SCOPED_TRACE(c.name);
        const auto got = read_all(c.input);
        ASSERT_EQ(got.size(), c.records.size());
        for (size_t i = 0; i < got.size(); ++i) {
            SCOPED_TRACE("record " + std::to_string(i));
            EXPECT_EQ(got[i].line, c.records[i].line);
            EXPECT_EQ(got[i].fields, c.records[i].fields);
            EXPECT_EQ(got[i].error_position, c.records[i].error_position);
        }
    }
}

TEST(CsvReader, ErrorMessageNamesTheLine) {
    CsvReader reader("a\nb\n\"x\ny\"z\n");
    std::vector<std::string> fields;
    Error error;
    ASSERT_TRUE(reader.next(fields, error));
    ASSERT_TRUE(reader.next(fields, error));
    ASSERT_TRUE(reader.next(fields, error));
    EXPECT_EQ(error.status, Status::parse);
    EXPECT_EQ(error.position, 9u);
    EXPECT_EQ(reader.line(), 3u);
    EXPECT_NE(error.message.find("line 4"), std::string::npos) << error.message;
    EXPECT_NE(error.message.find("after a closing quote"), std::string::npos) << error.message;
    EXPECT_FALSE(reader.next(fields, error));
    EXPECT_EQ(error.status, Status::ok);

    CsvReader unterminated("a\n\"open\n");
    ASSERT_TRUE(unterminated.next(fields, error));
    ASSERT_TRUE(unterminated.next(fields, error));
    EXPECT_NE(error.message.find("line 2: unterminated quoted field"), std::string::npos) << error.message;
}

TEST(CsvReader, ErrorResetsOnTheNextRecord) {
    CsvReader reader("a\"\nb\n");
    std::vector<std::string> fields{"stale", "values"};
    Error error;
    ASSERT_TRUE(reader.next(fields, error));
    EXPECT_EQ(error.status, Status::parse);
    ASSERT_TRUE(reader.next(fields, error));
    EXPECT_EQ(error.status, Status::ok);
    EXPECT_EQ(fields, std::vector<std::string>{"b"});
}

TEST(CsvReader, ReusedFieldVectorShrinks) {
    CsvReader reader("a,b,c\nd\n");
    std::vector<std::string> fields;
    Error error;
    ASSERT_TRUE(reader.next(fields, error));
    EXPECT_EQ(fields.size(), 3u);
    ASSERT_TRUE(reader.next(fields, error));
    EXPECT_EQ(fields, std::vector<std::string>{"d"});
}

}  // namespace
}  // namespace presend
