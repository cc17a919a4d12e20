#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "mail.hpp"

namespace presend {
namespace {

// --- parse_raw_message ------------------------------------------------------------

using Fields = std::vector<std::pair<std::string, std::string>>;

Fields fields_of(const RawMessage &m) {
    Fields out;
    for (const auto &h : m.headers) out.emplace_back(h.name, h.value);
    return out;
}

struct RawCase {
    std::string name;
    std::string input;
    Fields fields;
    size_t body_offset;
};

TEST(ParseRawMessage, Valid) {
    const std::vector<RawCase> cases = {
        {"empty input", "", {}, 0},
        {"CRLF with body", "From: a@x\r\nTo: b@y\r\n\r\nHello\r\n", {{"From", "a@x"}, {"To", "b@y"}}, 22},
        {"LF with body", "From: a@x\nTo: b@y\n\nHello\n", {{"From", "a@x"}, {"To", "b@y"}}, 19},
        {"no body separator", "From: a@x\r\nTo: b@y\r\n", {{"From", "a@x"}, {"To", "b@y"}}, 20},
        {"no final line end", "From: a@x", {{"From", "a@x"}}, 9},
        {"empty body", "A: 1\r\n\r\n", {{"A", "1"}}, 8},
        {"body only", "\r\nbody", {}, 2},
        {"separator at the end without LF", "A: 1\n\r", {{"A", "1"}}, 6},
        {"folded with CRLF", "Subject: a\r\n b\r\n\tc\r\n\r\n", {{"Subject", "a b\tc"}}, 22},
        {"folded with LF", "Subject: a\n  b\n\n", {{"Subject", "a  b"}}, 16},
        {"leading WSP after the colon", "Subject: \t x\r\n", {{"Subject", "x"}}, 14},
        {"no space after the colon", "Subject:x\r\n", {{"Subject", "x"}}, 11},
        {"empty value", "X-Empty:\r\nY: 1\r\n", {{"X-Empty", ""}, {"Y", "1"}}, 16},
        {"value starts on a continuation line", "Subject:\r\n  hello\r\n world\r\n",
         {{"Subject", "hello world"}}, 27},
        {"trailing WSP kept", "Subject: a  \r\n", {{"Subject", "a  "}}, 14},
        {"colon in the value", "X: a:b: c\r\n", {{"X", "a:b: c"}}, 11},
        {"name with punctuation", "X-A.B_c~!#: v\n", {{"X-A.B_c~!#", "v"}}, 14},
        {"bare CR in the value kept", "X: a\rb\r\n", {{"X", "a\rb"}}, 8},
        {"8-bit value bytes kept", "Subject: caf\xC3\xA9\n", {{"Subject", "caf\xC3\xA9"}}, 15},
        {"case kept", "dKiM-sIgNaTuRe: x\n", {{"dKiM-sIgNaTuRe", "x"}}, 18},
        {"From: is a header, not mbox", "From: a@x\n", {{"From", "a@x"}}, 10},
        {"body lines are not parsed", "A: 1\n\nnot a header\n From x\n", {{"A", "1"}}, 6},
    };
    for (const auto &c : cases) {
        SCOPED_TRACE(c.name);
        const auto r = parse_raw_message(c.input);
        ASSERT_TRUE(r.ok()) << r.error().message;
        EXPECT_EQ(fields_of(*r), c.fields);
        EXPECT_EQ(r->body_offset, c.body_offset);
    }
}

struct BadRawCase {
    std::string name;
    std::string input;
    size_t position;
    std::string message_part;
};

TEST(ParseRawMessage, Invalid) {
    const std::vector<BadRawCase> cases = {
        {"mbox From line", "From someone@x Mon Jan 1 00:00:00 2026\nA: 1\n", 0, "line 1 (byte 0)"},
        {"continuation first", " folded\r\nA: 1\r\n", 0, "line 1 (byte 0): continuation"},
        {"no colon", "A: 1\r\nnot a header\r\n", 6, "line 2 (byte 6): neither"},
        {"empty name", "A: 1\n: v\n", 5, "line 2 (byte 5): empty header field name"},
        {"space before colon", "A: 1\nSubject : x\n", 12, "line 2 (byte 12): byte 0x20"},
        {"control byte in name", "A: 1\nB: 2\nX\x01Y: v\n", 11, "line 3 (byte 11): byte 0x01"},
        {"DEL in name", "X\x7F: v\n", 1, "byte 0x7F"},
        {"8-bit byte in name", "Sub\xC3\xA9: v\n", 3, "byte 0xC3"},
        {"tab before colon", "X\t: v\n", 1, "byte 0x09"},
        {"mbox line needs the space", "From\n", 0, "neither"},
    };
    for (const auto &c : cases) {
        SCOPED_TRACE(c.name);
        const auto r = parse_raw_message(c.input);
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().status, Status::parse);
        EXPECT_EQ(r.error().position, c.position);
        EXPECT_NE(r.error().message.find(c.message_part), std::string::npos) << r.error().message;
    }
}

TEST(ParseRawMessage, HeaderCountLimit) {
    std::string at_limit;
    for (size_t i = 0; i < kMaxHeaderCount; ++i) at_limit += "X: " + std::to_string(i) + "\r\n";
    const auto ok = parse_raw_message(at_limit + "\r\nbody");
    ASSERT_TRUE(ok.ok()) << ok.error().message;
    EXPECT_EQ(ok->headers.size(), kMaxHeaderCount);
    EXPECT_EQ(ok->headers.back().value, std::to_string(kMaxHeaderCount - 1));

    const auto over = parse_raw_message(at_limit + "Y: one too many\r\n\r\n");
    ASSERT_FALSE(over.ok());
    EXPECT_EQ(over.error().status, Status::too_big);
    EXPECT_EQ(over.error().position, at_limit.size());
    EXPECT_NE(over.error().message.find("line 1001"), std::string::npos) << over.error().message;

    // Continuation lines are not fields.
    std::string folded = at_limit;
    for (int i = 0; i < 10; ++i) folded += " more\r\n";
    EXPECT_TRUE(parse_raw_message(folded).ok());
}

TEST(ParseRawMessage, HeaderBlockLimit) {
    // One field whose line, CRLF included, ends exactly at the limit.
    const std::string line = "X: " + std::string(kMaxHeaderBytes - 5, 'a') + "\r\n";
    ASSERT_EQ(line.size(), kMaxHeaderBytes);
    const auto ok = parse_raw_message(line + "\r\n" + std::string(100, 'b'));
    ASSERT_TRUE(ok.ok()) << ok.error().message;
    EXPECT_EQ(ok->headers[0].value.size(), kMaxHeaderBytes - 5);
    EXPECT_EQ(ok->body_offset, kMaxHeaderBytes + 2);

    const auto over = parse_raw_message("Y: 1\r\n" + line + "\r\n");
    ASSERT_FALSE(over.ok());
    EXPECT_EQ(over.error().status, Status::too_big);
    EXPECT_EQ(over.error().position, 6u);

    // The body does not count.
    const auto big_body = parse_raw_message("A: 1\r\n\r\n" + std::string(2 * kMaxHeaderBytes, 'b'));
    EXPECT_TRUE(big_body.ok());
}

TEST(ParseRawMessage, MessageSizeLimit) {
    std::string message = "A: 1\r\n\r\n";
    message.resize(kMaxRawMessageBytes, 'b');
    const auto ok = parse_raw_message(message);
    ASSERT_TRUE(ok.ok()) << ok.error().message;
    EXPECT_EQ(ok->body_offset, 8u);

    message.push_back('b');
    const auto over = parse_raw_message(message);
    ASSERT_FALSE(over.ok());
    EXPECT_EQ(over.error().status, Status::too_big);
}

TEST(HeaderNameEquals, CaseInsensitive) {
    EXPECT_TRUE(header_name_equals("List-Unsubscribe", "list-unsubscribe"));
    EXPECT_TRUE(header_name_equals("LIST-UNSUBSCRIBE-POST", "List-Unsubscribe-Post"));
    EXPECT_FALSE(header_name_equals("List-Unsubscribe", "List-Unsubscribe-Post"));
    EXPECT_FALSE(header_name_equals("List-Unsubscribe ", "List-Unsubscribe"));
}

// --- parse_list_unsubscribe -----------------------------------------------------------

struct LuCase {
    std::string input;
    std::vector<std::string> uris;
};

TEST(ParseListUnsubscribe, Valid) {
    const std::vector<LuCase> cases = {
        {"<https://example.com/u/1>", {"https://example.com/u/1"}},
        {"<mailto:u@example.com>, <https://example.com/u>", {"mailto:u@example.com", "https://example.com/u"}},
        {"<mailto:u@x>,<https://x/u>", {"mailto:u@x", "https://x/u"}},
        {"  \t<https://x/u>  ", {"https://x/u"}},
        {"<mailto:u@x>,\r\n <https://x/u>", {"mailto:u@x", "https://x/u"}},
        {"(first) <https://x/u> (why (nested)) , (c)<mailto:u@x>(end)", {"https://x/u", "mailto:u@x"}},
        {"(escaped \\) paren) <https://x/u>", {"https://x/u"}},
        {"<mailto:list-request@example.com?subject=unsubscribe>",
         {"mailto:list-request@example.com?subject=unsubscribe"}},
        {"<HTTPS://X/U>", {"HTTPS://X/U"}},
        {"<x-custom+v1.2:opaque>", {"x-custom+v1.2:opaque"}},
        {"<https://x/caf\xC3\xA9>", {"https://x/caf\xC3\xA9"}},
    };
    for (const auto &c : cases) {
        const auto r = parse_list_unsubscribe(c.input);
        ASSERT_TRUE(r.ok()) << c.input << ": " << r.error().message;
        EXPECT_EQ(r->uris, c.uris) << c.input;
    }
}

struct BadLuCase {
    std::string input;
    size_t position;
    std::string message_part;
};

TEST(ParseListUnsubscribe, Invalid) {
    const std::vector<BadLuCase> cases = {
        {"", 0, "no URI"},
        {"   ", 3, "no URI"},
        {"(only a comment)", 16, "no URI"},
        {"https://x/u", 0, "expected '<'"},
        {"<https://x/u>, https://y", 15, "expected '<'"},
        {"<https://x/u", 0, "unterminated '<'"},
        {"<a:b>, <https://x/u", 7, "unterminated '<'"},
        {"<>", 0, "empty <>"},
        {"<https://x/u>, <>", 15, "empty <>"},
        {"<https://x/u> junk", 14, "after a URI"},
        {"<https://x/u> <mailto:u@x>", 14, "after a URI"},
        {"<https://x/u>;<mailto:u@x>", 13, "after a URI"},
        {"<https://x/u>,", 14, "after ','"},
        {"<https://x/u>,,<mailto:u@x>", 14, "expected '<'"},
        {"<https://x/ u>", 11, "white space"},
        {"<https://x/\tu>", 11, "white space"},
        {"<https://x/\r\n u>", 11, "white space"},
        {"<https://x/\x01u>", 11, "control"},
        {"<https://x/<u>", 11, "'<' inside"},
        {"<example.com/u>", 1, "without a scheme"},
        {"<:foo>", 1, "without a scheme"},
        {"<1http://x>", 1, "without a scheme"},
        {"<ht_tp://x>", 1, "without a scheme"},
        {"(open <https://x/u>", 0, "unterminated comment"},
        {"<https://x/u> (a (b)", 14, "unterminated comment"},
        {"(trailing backslash \\", 0, "unterminated comment"},
    };
    for (const auto &c : cases) {
        const auto r = parse_list_unsubscribe(c.input);
        ASSERT_FALSE(r.ok()) << c.input;
        EXPECT_EQ(r.error().status, Status::parse);
        EXPECT_EQ(r.error().position, c.position) << c.input << ": " << r.error().message;
        EXPECT_NE(r.error().message.find(c.message_part), std::string::npos) << c.input << ": " << r.error().message;
        EXPECT_NE(r.error().message.find("byte " + std::to_string(c.position)), std::string::npos)
            << r.error().message;
    }
}

TEST(UriScheme, Table) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"https://x/u", "https"},
        {"HTTPS://x/u", "https"},
        {"MailTo:u@x", "mailto"},
        {"x-a+b.c:y", "x-a+b.c"},
        {"a:", "a"},
        {"", ""},
        {"https", ""},
        {"//x/u", ""},
        {"1a:b", ""},
        {"a b:c", ""},
        {":x", ""},
    };
    for (const auto &[uri, scheme] : cases) EXPECT_EQ(uri_scheme(uri), scheme) << uri;
}

TEST(UriHasOpaqueToken, Table) {
    const std::vector<std::pair<std::string, bool>> cases = {
        {"https://example.com/unsubscribe", false},
        {"https://example.com/u/8f3a1c9e2b7d4f60a1b2", true},
        {"https://e.com/u?t=Zx8Kq2LmN4pR7sT1vW", true},
        {"mailto:unsub+8f3a1c9e2b7d4f60@example.com", true},
        {"mailto:unsubscribe@example.com?subject=unsubscribe", false},
        // The length limit, on both sides (16 bytes with a digit).
        {"https://x.com/u/8f3a1c9e2b7d4f6", false},
        {"https://x.com/u/8f3a1c9e2b7d4f60", true},
        {"https://x.com/u?id=8f3a1c9e2b7d4f6", false},
        {"https://x.com/u?id=8f3a1c9e2b7d4f60", true},
        // Words are not tokens, however long.
        {"https://example.com/unsubscribe-from-all-lists", false},
        {"https://example.com/?list=weekly-newsletter-digest", false},
        // Percent-encoded prose is not a token; encoded token bytes are.
        {"mailto:u@x.com?body=please%20unsubscribe%20me", false},
        {"https://x.com/u/abc%2Fdef%3D4567890123", true},
        // The parameter name does not count towards the value.
        {"https://x.com/u?campaign_id_1234=x", false},
        {"https://x.com/u?a=1&t=0123456789abcdef&b=2", true},
        {"https://x.com/u?a=1;t=0123456789abcdef", true},
        {"https://x.com/u?0123456789abcdef", true},
        // Base64url with padding, and the other token bytes.
        {"https://x.com/u/eyJ1IjoxMjM0NX0_-~.==", true},
        // The host and the fragment never count.
        {"https://subscribers-0123456789.example.com/u", false},
        {"https://x.com/u#0123456789abcdef", false},
        {"HTTP://x.com/U/0123456789ABCDEF", true},
        {"http://x.com/0123456789abcdef", true},
        // mailto: the domain is the same for every recipient; the query counts.
        {"mailto:unsubscribe@mail-0123456789abcdef.example.com", false},
        {"mailto:u@x.com?subject=unsub-0123456789abcdef", true},
        {"mailto:a@x.com,0123456789abcdef@x.com", true},
        {"mailto:0123456789abcdef", true},
        // Other schemes carry no recognised token.
        {"ftp://x.com/0123456789abcdef", false},
        {"urn:0123456789abcdef0123", false},
        {"no-scheme/0123456789abcdef", false},
        {"", false},
    };
    for (const auto &[uri, expected] : cases) EXPECT_EQ(uri_has_opaque_token(uri), expected) << uri;
}

// --- parse_dkim_signature --------------------------------------------------------------

const std::string kSignature =
    "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=sel1;\r\n"
    "\tt=1764061590; i=@example.com;\r\n"
    "\th=From : To:Subject:\r\n"
    "  List-Unsubscribe:LIST-UNSUBSCRIBE-POST; bh=47DEQpj8HBSa+/\r\n"
    "  TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\r\n"
    "\tb=dzdVyOfAKCdLXdJOc9G2q8LoXSlEniSbav+yuU4zGeeruD00lszZVoG4ZHRNiYzR\r\n"
    "  \t 9pT2fD==";

TEST(ParseDkimSignature, Typical) {
    const auto r = parse_dkim_signature(kSignature);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->v, "1");
    EXPECT_EQ(r->a, "rsa-sha256");
    EXPECT_EQ(r->d, "example.com");
    EXPECT_EQ(r->s, "sel1");
    EXPECT_EQ(r->i, "@example.com");
    EXPECT_EQ(r->h, (std::vector<std::string>{"from", "to", "subject", "list-unsubscribe", "list-unsubscribe-post"}));
    EXPECT_EQ(r->find("bh"), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    EXPECT_EQ(r->find("b"), "dzdVyOfAKCdLXdJOc9G2q8LoXSlEniSbav+yuU4zGeeruD00lszZVoG4ZHRNiYzR9pT2fD==");
    EXPECT_EQ(r->find("c"), "relaxed/relaxed");
    EXPECT_EQ(r->find("t"), "1764061590");
    EXPECT_EQ(r->find("x"), std::nullopt);
    EXPECT_EQ(r->find("B"), std::nullopt);  // tag names are case-sensitive
    ASSERT_EQ(r->tags.size(), 10u);
    EXPECT_EQ(r->tags[0].first, "v");
    EXPECT_EQ(r->tags[5].first, "t");
    EXPECT_EQ(r->tags[9].first, "b");
}

TEST(ParseDkimSignature, Minimal) {
    const auto r = parse_dkim_signature("v=1;a=ed25519-sha256;d=x;s=s;h=from;bh=AA==;b=BB==");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->i, "");
    EXPECT_EQ(r->h, std::vector<std::string>{"from"});
    EXPECT_EQ(r->tags.size(), 7u);
}

TEST(ParseDkimSignature, Syntax) {
    const std::string base = "a=rsa-sha256; d=x; s=s; h=from; bh=AA==; b=BB==";
    struct Case {
        std::string input;
        bool ok;
    };
    const std::vector<Case> cases = {
        {"v=1; " + base, true},
        {"v=1; " + base + ";", true},           // trailing ';'
        {"v=1; " + base + " ; \r\n ", true},    // and white space after it
        {" v = 1 ;" + base, true},              // FWS around '=' and ';'
        {"v\r\n =\r\n 1;" + base, true},
        {"v=1; x_new9=; " + base, true},         // unknown tags with empty values are kept
        {"v=1; z=From:a@x|To:b@y; " + base, true},
        {"v=1; " + base + "; X=1; x=2", true},  // x and X are different tags
    };
    for (const auto &c : cases) {
        const auto r = parse_dkim_signature(c.input);
        EXPECT_EQ(r.ok(), c.ok) << c.input << ": " << (r.ok() ? "" : r.error().message);
    }
    const auto r = parse_dkim_signature("v=1; x_new9=; " + base);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->find("x_new9"), "");
    const auto spaced = parse_dkim_signature("v=1; n= two  words ; " + base);
    ASSERT_TRUE(spaced.ok());
    EXPECT_EQ(spaced->find("n"), "two  words");  // trimmed, inner white space kept
}

struct BadDkimCase {
    std::string input;
    size_t position;
    std::string message_part;
};

TEST(ParseDkimSignature, Invalid) {
    const std::string rest = "; a=rsa-sha256; d=x; s=s; h=from; bh=AA==; b=BB==";  // 49 bytes
    const std::string all = "v=1" + rest;                                           // 52 bytes
    const std::vector<BadDkimCase> cases = {
        {"", 0, "empty tag list"},
        {" \r\n ", 4, "empty tag list"},
        {"v=1;;" + rest.substr(2), 4, "expected a tag name"},
        {";v=1" + rest, 0, "expected a tag name"},
        {"1v=1" + rest, 0, "expected a tag name"},
        {"_v=1" + rest, 0, "expected a tag name"},
        {"v-x=1" + rest, 1, "expected '=' after tag 'v'"},
        {"v 1" + rest, 2, "expected '=' after tag 'v'"},
        {"v" , 1, "expected '=' after tag 'v'"},
        {"v=1" + rest + "; v=1", 54, "duplicate tag 'v'"},
        {"v=1; d=y" + rest, 24, "duplicate tag 'd'"},
        {"v=1; n=caf\xC3\xA9" + rest, 10, "byte 0xC3 in the value of tag 'n'"},
        {"v=1; n=a\x01" + rest, 8, "byte 0x01"},
        {rest.substr(2), 47, "missing required tag 'v='"},
        {"v=1; d=x; s=s; h=from; bh=AA==; b=BB==", 38, "missing required tag 'a='"},
        {"v=1; a=r; d=x; s=s; h=from; bh=AA==", 35, "missing required tag 'b='"},
        {"v=1; a=r; d=x; s=s; h=from; b=BB==", 34, "missing required tag 'bh='"},
        {"v=1; a=r; s=s; h=from; bh=AA==; b=BB==", 38, "missing required tag 'd='"},
        {"v=1; a=r; d=x; s=s; bh=AA==; b=BB==", 35, "missing required tag 'h='"},
        {"v=1; a=r; d=x; h=from; bh=AA==; b=BB==", 38, "missing required tag 's='"},
        {"V=1" + rest, 52, "missing required tag 'v='"},
        {"v=2" + rest, 0, "unsupported version v=2"},
        {"v=1.0" + rest, 0, "unsupported version"},
        {"v=1; a=; d=x; s=s; h=from; bh=AA==; b=BB==", 5, "empty value of tag 'a='"},
        {"v=1; a=r; d=x; s=s; h=from; bh=AA==; b= \r\n ", 37, "empty value of tag 'b='"},
        {"v=1; a=r; d=x; s=s; h=to:subject; bh=AA==; b=BB==", 20, "does not include From"},
        {"v=1; a=r; d=x; s=s; h=from::to; bh=AA==; b=BB==", 20, "empty header name"},
        {"v=1; a=r; d=x; s=s; h=from:to:; bh=AA==; b=BB==", 20, "empty header name"},
        {"v=1; a=r; d=x; s=s; h=from:x y; bh=AA==; b=BB==", 20, "byte 0x20 in a header name"},
        {"v=1; a=r; d=x; s=s; h=from-x; bh=AA==; b=BB==", 20, "does not include From"},
    };
    for (const auto &c : cases) {
        const auto r = parse_dkim_signature(c.input);
        ASSERT_FALSE(r.ok()) << testing::PrintToString(c.input);
        EXPECT_EQ(r.error().status, Status::parse);
        EXPECT_EQ(r.error().position, c.position) << c.input << ": " << r.error().message;
        EXPECT_NE(r.error().message.find(c.message_part), std::string::npos) << c.input << ": " << r.error().message;
    }
    EXPECT_TRUE(parse_dkim_signature(all).ok());
}

TEST(ParseDkimSignature, LongInputIsCutInMessages) {
    const auto r = parse_dkim_signature(std::string(100000, 'x') + " 1");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().position, 100001u);
    EXPECT_LT(r.error().message.size(), 200u);
    const auto v = parse_dkim_signature("v=" + std::string(100000, '9') + "; a=r; d=x; s=s; h=from; bh=AA==; b=BB==");
    ASSERT_FALSE(v.ok());
    EXPECT_LT(v.error().message.size(), 200u);
}

TEST(ParseDkimSignature, ManyTagsWithOneDuplicate) {
    std::string value = "v=1; a=r; d=x; s=s; h=from; bh=AA==; b=BB==";
    for (int i = 0; i < 5000; ++i) value += "; t" + std::to_string(i) + "=1";
    EXPECT_TRUE(parse_dkim_signature(value).ok());
    const size_t at = value.size() + 2;
    value += "; t42=2";
    const auto r = parse_dkim_signature(value);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().position, at);
    EXPECT_NE(r.error().message.find("duplicate tag 't42'"), std::string::npos);
}

}  // namespace
}  // namespace presend
