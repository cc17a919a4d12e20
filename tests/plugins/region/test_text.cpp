// Finding the postal address and the sender's name in a message's text.
#include <gtest/gtest.h>

#include <string>

#include "helpers.hpp"

namespace rp = presend::region;

namespace {

bool found(std::string_view raw, std::string_view address) {
    const std::string text = rp::searchable_text(raw);
    return text.find(rp::normalize_words(address)) != std::string::npos;
}

TEST(RegionText, NormalizeWords) {
    EXPECT_EQ(rp::normalize_words(""), " ");
    EXPECT_EQ(rp::normalize_words("..."), " ");
    EXPECT_EQ(rp::normalize_words("1 Main St."), " 1 main st ");
    EXPECT_EQ(rp::normalize_words("1 Main St.,\r\n  Springfield"), " 1 main st springfield ");
    EXPECT_EQ(rp::normalize_words("<p>1&nbsp;Main</p><br/>St"), " 1 main st ");
    EXPECT_EQ(rp::normalize_words("A&amp;B &#160;C"), " a b c ");
    EXPECT_EQ(rp::normalize_words("a < b"), " a b ");       // no '>' close by: a character
    EXPECT_EQ(rp::normalize_words("M\xc3\xbcllerstra\xc3\x9f" "e 5"), " m\xc3\xbcllerstra\xc3\x9f" "e 5 ");
    EXPECT_EQ(rp::normalize_words("1\xc2\xa0Main\xe2\x80\xaf" "St"), " 1 main st ");  // NBSP, narrow NBSP
}

TEST(RegionText, AddressesMatchWordForWord) {
    const char *address = "1 Main Street, Springfield, IL 62701";
    EXPECT_TRUE(found("Example Inc. | 1 Main Street | Springfield IL 62701 | USA", address));
    EXPECT_TRUE(found("<td>1 Main Street<br>Springfield, IL&nbsp;62701</td>", address));
    EXPECT_TRUE(found("1 MAIN STREET\r\nSPRINGFIELD, IL 62701", address));
    EXPECT_FALSE(found("1 Main St, Springfield, IL 62701", address));       // abbreviated differently
    EXPECT_FALSE(found("11 Main Street, Springfield, IL 62701", address));  // whole words only
    EXPECT_FALSE(found("1 Main Street, Springfield, IL 627011", address));
}

TEST(RegionText, QuotedPrintableIsUndone) {
    const char *raw = "Content-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                      "<p style=3D\"x\">1 Main Street, Spring=\r\nfield, IL 62701</p>\r\n";
    EXPECT_TRUE(found(raw, "1 Main Street, Springfield, IL 62701"));
    EXPECT_TRUE(found("M=C3=BCllerstra=C3=9Fe 5=\n, Berlin", "M\xc3\xbcllerstra\xc3\x9f" "e 5, Berlin"));
}

TEST(RegionText, Base64BodiesAreDecoded) {
    // "<p>1 Main Street, Springfield, IL 62701</p>" in base64, in two lines.
    const char *raw =
        "From: a@example.com\r\nContent-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n"
        "--b1\r\nContent-Type: text/plain\r\n\r\nHello\r\n"
        "--b1\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        "PHA+MSBNYWluIFN0cmVldCwgU3By\r\naW5nZmllbGQsIElMIDYyNzAxPC9wPg==\r\n"
        "--b1--\r\n";
    EXPECT_TRUE(found(raw, "1 Main Street, Springfield, IL 62701"));
    // The same text not marked base64 is left alone.
    const char *unmarked = "From: a@example.com\r\n\r\nPHA+MSBNYWluIFN0cmVldCwgU3By\r\naW5nZmllbGQsIElMIDYyNzAxPC9wPg==\r\n";
    EXPECT_FALSE(found(unmarked, "1 Main Street, Springfield, IL 62701"));
}

TEST(RegionText, Base64BodyWithoutTrailingNewline) {
    const char *raw = "Content-Transfer-Encoding: BASE64\n\nMSBNYWluIFN0cmVldA==";
    EXPECT_TRUE(found(raw, "1 Main Street"));
}

TEST(RegionText, DisplayName) {
    EXPECT_EQ(rp::display_name("News <news@example.com>"), "News");
    EXPECT_EQ(rp::display_name("  \"Example, Inc.\" <a@example.com> "), "Example, Inc.");
    EXPECT_EQ(rp::display_name("\"Say \\\"hi\\\"\" <a@example.com>"), "Say \"hi\"");
    EXPECT_EQ(rp::display_name("a@example.com (Example News)"), "Example News");
    EXPECT_EQ(rp::display_name("a@example.com"), "");
    EXPECT_EQ(rp::display_name("<a@example.com>"), "");
    EXPECT_EQ(rp::display_name("\"\" <a@example.com>"), "");
    EXPECT_EQ(rp::display_name("=?UTF-8?Q?M=C3=BCller?= <m@example.de>"), "=?UTF-8?Q?M=C3=BCller?=");
    EXPECT_EQ(rp::display_name(""), "");
}

TEST(RegionText, TheSearchRunsOncePerMessage) {
    rp::Settings s;
    s.postal_addresses = {"1 Main Street"};
    rp::MessageInfo m;
    std::string raw = "\r\n\r\n1 Main Street";
    m.raw = raw;
    const rp::Presence &first = m.postal_address(s);
    EXPECT_TRUE(first.present);
    raw = "\r\n\r\nnothing here!";  // a second call does not look again
    EXPECT_TRUE(m.postal_address(s).present);
    EXPECT_EQ(&first, &m.postal_address(s));
}

}  // namespace
