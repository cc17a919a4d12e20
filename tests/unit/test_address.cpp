#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "address.hpp"

namespace presend {
namespace {

// --- parse_mailbox: accepted forms -------------------------------------------

struct MailboxCase {
    std::string_view input;
    std::string_view display_name;
    std::string_view local;
    std::string_view domain;
};

class AddressParseMailbox : public ::testing::TestWithParam<MailboxCase> {};

TEST_P(AddressParseMailbox, Parses) {
    const MailboxCase &c = GetParam();
    auto r = parse_mailbox(c.input);
    ASSERT_TRUE(r.ok()) << "input: " << c.input << "\nerror: " << r.error().message;
    EXPECT_EQ(r->display_name, c.display_name);
    EXPECT_EQ(r->local, c.local);
    EXPECT_EQ(r->domain, c.domain);
}

INSTANTIATE_TEST_SUITE_P(
    AddressForms, AddressParseMailbox,
    ::testing::Values(
        MailboxCase{"john@example.com", "", "john", "example.com"},
        MailboxCase{"  john.q.public@Example.COM  ", "", "john.q.public", "Example.COM"},
        MailboxCase{"John Doe <john@example.com>", "John Doe", "john", "example.com"},
        MailboxCase{"<john@example.com>", "", "john", "example.com"},
        MailboxCase{"\"Doe, John\" <john@example.com>", "Doe, John", "john", "example.com"},
        MailboxCase{"\"Joe \\\"Q\\\" Public\" <q@x.org>", "Joe \"Q\" Public", "q", "x.org"},
        MailboxCase{"John   Q.  Public <jqp@x.org>", "John Q. Public", "jqp", "x.org"},
        MailboxCase{"John (the man) Doe <j@x.org>", "John Doe", "j", "x.org"},
        MailboxCase{"(lead) j@x.org (trail (nested \\) paren))", "", "j", "x.org"},
        MailboxCase{"j(c)@(c)x.org", "", "j", "x.org"},
        MailboxCase{"\"john\"@example.com", "", "john", "example.com"},
        MailboxCase{"\"john.doe\"@example.com", "", "john.doe", "example.com"},
        MailboxCase{"\"john doe\"@example.com", "", "\"john doe\"", "example.com"},
        MailboxCase{"\"a\\b\"@x.org", "", "ab", "x.org"},
        MailboxCase{"\"a\\\\b\"@x.org", "", "\"a\\\\b\"", "x.org"},
        MailboxCase{"\"a,b\"@x.org", "", "\"a,b\"", "x.org"},
        MailboxCase{"\"a..b\"@x.org", "", "\"a..b\"", "x.org"},
        MailboxCase{"john . doe @ example . com", "", "john.doe", "example.com"},
        MailboxCase{"\"john\".doe@x.org", "", "john.doe", "x.org"},
        MailboxCase{"\"john x\".doe@x.org", "", "\"john x.doe\"", "x.org"},
        MailboxCase{"user+tag@x.org", "", "user+tag", "x.org"},
        MailboxCase{"!#$%&'*+-/=?^_`{|}~@x.org", "", "!#$%&'*+-/=?^_`{|}~", "x.org"},
        MailboxCase{"jörg@bücher.example", "", "jörg", "bücher.example"},
        MailboxCase{"\"Jörg Müller\" <jörg@bücher.example>", "Jörg Müller", "jörg", "bücher.example"},
        MailboxCase{"Jörg <j@xn--bcher-kva.example>", "Jörg", "j", "xn--bcher-kva.example"},
        MailboxCase{"j@[192.0.2.1]", "", "j", "[192.0.2.1]"},
        MailboxCase{"j@[IPv6:2001:db8::1]", "", "j", "[IPv6:2001:db8::1]"},
        MailboxCase{"Name <@route.example,@other.example:j@x.org>", "Name", "j", "x.org"},
        MailboxCase{"j@example.com.", "", "j", "example.com."},
        MailboxCase{"\"folded\r\n name\" <j@x.org>", "folded name", "j", "x.org"},
        MailboxCase{"Name\r\n <j@x.org>", "Name", "j", "x.org"},
        MailboxCase{"\"\" <j@x.org>", "", "j", "x.org"},
        MailboxCase{"< j @ x.org >", "", "j", "x.org"}));

// --- parse_mailbox: rejected forms -------------------------------------------

struct MailboxErrorCase {
    std::string_view input;
    std::string_view message;  // the error message contains this
    size_t position;
};

class AddressParseMailboxError : public ::testing::TestWithParam<MailboxErrorCase> {};

TEST_P(AddressParseMailboxError, Rejects) {
    const MailboxErrorCase &c = GetParam();
    auto r = parse_mailbox(c.input);
    ASSERT_FALSE(r.ok()) << "input: " << c.input << " parsed as " << r->local << "@" << r->domain;
    EXPECT_EQ(r.error().status, Status::parse);
    EXPECT_NE(r.error().message.find(c.message), std::string::npos)
        << "input: " << c.input << "\nmessage: " << r.error().message;
    EXPECT_EQ(r.error().position, c.position) << "input: " << c.input << "\nmessage: " << r.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    AddressErrors, AddressParseMailboxError,
    ::testing::Values(
        MailboxErrorCase{"", "empty address", 0},
        MailboxErrorCase{"  (just a comment) ", "empty address", 0},
        MailboxErrorCase{"john", "missing '@' in address", 4},
        MailboxErrorCase{"John <john>", "missing '@' in address", 10},
        MailboxErrorCase{"@example.com", "empty local part", 0},
        MailboxErrorCase{"\"\"@example.com", "empty local part", 0},
        MailboxErrorCase{"john@", "missing domain after '@'", 5},
        MailboxErrorCase{"john doe@x.org", "space in unquoted local part", 5},
        MailboxErrorCase{".john@x.org", "local part starts with '.'", 0},
        MailboxErrorCase{"john.@x.org", "local part ends with '.'", 4},
        MailboxErrorCase{"jo..hn@x.org", "consecutive dots in local part", 3},
        MailboxErrorCase{"j@.x.org", "domain starts with '.'", 2},
        MailboxErrorCase{"j@x..org", "empty domain label", 4},
        MailboxErrorCase{"j@exa mple.org", "space in domain", 6},
        MailboxErrorCase{"\"john@x.org", "unterminated quoted string", 0},
        MailboxErrorCase{"John <j@x.org", "unbalanced '<'", 5},
        MailboxErrorCase{"j@x.org>", "unbalanced '>'", 7},
        MailboxErrorCase{"(comment j@x.org", "unterminated comment", 0},
        MailboxErrorCase{"j@x.org (a (b)", "unterminated comment", 8},
        MailboxErrorCase{"j@x.org)", "unbalanced ')'", 7},
        MailboxErrorCase{"j@[192.0.2.1", "unterminated domain literal", 2},
        MailboxErrorCase{"j@[1.2\\.3.4]", "in domain literal", 6},
        MailboxErrorCase{"<>", "empty address '<>'", 0},
        MailboxErrorCase{"a@x.org, b@y.org", "unexpected ','", 7},
        MailboxErrorCase{"Team: a@x.org;", "a group is not a mailbox", 4},
        MailboxErrorCase{"a@x.org <a@x.org>", "quote a display name", 8},
        MailboxErrorCase{"<a@x.org> junk", "after '>'", 10},
        MailboxErrorCase{"abc\xff@x.org", "invalid UTF-8 at byte 3", 3},
        MailboxErrorCase{"\"Caf\xc3\" <a@x.org>", "invalid UTF-8 at byte 4", 4},
        MailboxErrorCase{"a@x\xc0\xaf.org", "invalid UTF-8 at byte 3", 3},          // overlong '/'
        MailboxErrorCase{"a@\xed\xa0\x80.org", "invalid UTF-8 at byte 2", 2},       // surrogate
        MailboxErrorCase{"\"a\nBcc: evil@x.org\"@x.org", "line break in quoted string", 2},
        MailboxErrorCase{"\"a\x01\"@x.org", "control character byte 0x01", 2},
        MailboxErrorCase{"a@\"x\".org", "quoted string in domain", 2},
        MailboxErrorCase{"j@x.org \"Name\"", "unexpected '\"' after address", 8},
        MailboxErrorCase{
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@x.org",  // 65 bytes
            "local part longer than 64 bytes", 0},
        MailboxErrorCase{"\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa b\"@x.org",  // 63 + quotes
                         "local part longer than 64 bytes", 0}));

TEST(AddressParseMailboxLimits, LocalPartOfExactly64BytesIsAccepted) {
    const std::string local(64, 'a');
    auto r = parse_mailbox(local + "@x.org");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->local, local);
}

TEST(AddressParseMailboxLimits, EmbeddedNulIsAnErrorNotATruncation) {
    const std::string input("a\0b@x.org", 9);
    auto r = parse_mailbox(input);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().position, 1u);
}

TEST(AddressParseMailboxLimits, OverLongInputIsRejected) {
    const std::string input(kMaxHeaderValueBytes + 1, 'a');
    auto r = parse_mailbox(input);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("longer than"), std::string::npos);
}

// --- parse_address_list --------------------------------------------------------

// An item rendered compactly for comparison: "local@domain" with "|group" and
// "|name" when set, or "ERR:<message>" for an error item.
std::string render(const AddressItem &item) {
    std::string out;
    if (item.mailbox) {
        out = item.mailbox->local + "@" + item.mailbox->domain;
        if (!item.mailbox->display_name.empty()) out += " name=" + item.mailbox->display_name;
    } else {
        out = "ERR:" + item.error.message;
    }
    if (!item.group.empty()) out += " group=" + item.group;
    return out;
}

struct ListCase {
    std::string_view input;
    std::vector<std::string> items;
};

class AddressParseList : public ::testing::TestWithParam<ListCase> {};

TEST_P(AddressParseList, Items) {
    const ListCase &c = GetParam();
    auto items = parse_address_list(c.input);
    std::vector<std::string> got;
    for (const auto &item : items) got.push_back(render(item));
    EXPECT_EQ(got, c.items) << "input: " << c.input;
}

INSTANTIATE_TEST_SUITE_P(
    AddressLists, AddressParseList,
    ::testing::Values(
        ListCase{"", {}},
        ListCase{" \t\r\n ", {}},
        ListCase{"a@x.org", {"a@x.org"}},
        ListCase{"a@x.org, b@y.org", {"a@x.org", "b@y.org"}},
        ListCase{"a@x.org,,b@y.org, ,", {"a@x.org", "b@y.org"}},
        ListCase{", (only a comment) ,a@x.org", {"a@x.org"}},
        ListCase{"\"Doe, John\" <j@x.org>, \"Roe, Jane\" <r@x.org>",
                 {"j@x.org name=Doe, John", "r@x.org name=Roe, Jane"}},
        ListCase{"\"a,b\"@x.org, c@y.org", {"\"a,b\"@x.org", "c@y.org"}},
        ListCase{"a@x.org (note, with comma), b@y.org", {"a@x.org", "b@y.org"}},
        ListCase{"a@[192.0.2.1], b@y.org", {"a@[192.0.2.1]", "b@y.org"}},
        ListCase{"<@r.example,@s.example:a@x.org>, b@y.org", {"a@x.org", "b@y.org"}},
        ListCase{"a@x.org, bad, b@y.org", {"a@x.org", "ERR:missing '@' in address", "b@y.org"}},
        ListCase{"Team: a@x.org, B <b@y.org>;", {"a@x.org group=Team", "b@y.org name=B group=Team"}},
        ListCase{"\"The, Team\": a@x.org;", {"a@x.org group=The, Team"}},
        ListCase{"undisclosed-recipients:;", {}},
        ListCase{"undisclosed-recipients: ;, a@x.org", {"a@x.org"}},
        ListCase{"a@x.org, Team: b@y.org;, c@z.org", {"a@x.org", "b@y.org group=Team", "c@z.org"}},
        ListCase{"Team: b@y.org; c@z.org", {"b@y.org group=Team", "c@z.org"}},
        ListCase{"Team: a@x.org, b@y.org", {"a@x.org group=Team", "b@y.org group=Team"}},
        ListCase{"Team: a@x.org, bad;", {"a@x.org group=Team", "ERR:missing '@' in address group=Team"}},
        ListCase{"Te@m: a@x.org;",
                 {"ERR:unexpected '@' in group name", "a@x.org group=Te@m"}},
        ListCase{": a@x.org;", {"ERR:empty group name", "a@x.org"}},
        ListCase{"A: B: c@x.org;;", {"ERR:unexpected ':' (a group is not a mailbox) group=A", "ERR:unexpected ';' at start of address"}},
        ListCase{"a@x.org; b@y.org", {"ERR:unexpected ';' after address"}},
        // An unclosed '<' ends at the next comma, so the elements after it still parse.
        ListCase{"Name <a@x.org, b@y.org, c@z.org", {"ERR:unbalanced '<'", "b@y.org", "c@z.org"}},
        ListCase{"a@x.org, \"unterminated, b@y.org", {"a@x.org", "ERR:unterminated quoted string"}},
        ListCase{"a@x.org, (unterminated, b@y.org", {"a@x.org", "ERR:unterminated comment"}},
        ListCase{"a@x.org, b\xff@y.org, c@z.org", {"a@x.org", "ERR:invalid UTF-8 at byte 1", "c@z.org"}},
        ListCase{"Jörg <jörg@bücher.example>, x@xn--bcher-kva.example",
                 {"jörg@bücher.example name=Jörg", "x@xn--bcher-kva.example"}}));

TEST(AddressParseListItems, ItemTextIsTheTrimmedElementAndErrorPositionsPointIntoIt) {
    auto items = parse_address_list("  a@x.org ,\t John  <j@x..org>  , b@y.org");
    ASSERT_EQ(items.size(), 3u);
    EXPECT_EQ(items[0].text, "a@x.org");
    EXPECT_EQ(items[1].text, "John  <j@x..org>");
    ASSERT_FALSE(items[1].mailbox);
    EXPECT_EQ(items[1].error.status, Status::parse);
    EXPECT_EQ(items[1].error.message, "empty domain label");
    EXPECT_EQ(items[1].error.position, 11u);
    EXPECT_EQ(items[1].text.substr(items[1].error.position, 1), ".");
    EXPECT_TRUE(items[2].mailbox);
}

TEST(AddressParseListItems, OverLongValueYieldsOneErrorItem) {
    std::string value;
    while (value.size() <= kMaxHeaderValueBytes) value += "a@x.org, ";
    auto items = parse_address_list(value);
    ASSERT_EQ(items.size(), 1u);
    EXPECT_FALSE(items[0].mailbox);
    EXPECT_EQ(items[0].error.status, Status::parse);
    EXPECT_NE(items[0].error.message.find("longer than 65536 bytes"), std::string::npos);
}

TEST(AddressParseListItems, LargeListParsesEveryElement) {
    std::string value;
    size_t n = 0;
    while (value.size() + 32 < kMaxHeaderValueBytes) {
        value += "\"User, " + std::to_string(n) + "\" <u" + std::to_string(n) + "@example.com>, ";
        ++n;
    }
    auto items = parse_address_list(value);
    ASSERT_EQ(items.size(), n);
    EXPECT_EQ(items.back().mailbox->local, "u" + std::to_string(n - 1));
    EXPECT_EQ(items.back().mailbox->display_name, "User, " + std::to_string(n - 1));
}

TEST(AddressParseListItems, PathologicalNestingStaysAnError) {
    // Deep comment nesting and long runs of brackets are linear to scan and
    // produce one error item each.
    std::string deep(kMaxHeaderValueBytes / 2, '(');
    auto items = parse_address_list(deep);
    ASSERT_EQ(items.size(), 1u);
    EXPECT_EQ(items[0].error.message, "unterminated comment");

    std::string angles(kMaxHeaderValueBytes, '<');
    items = parse_address_list(angles);
    ASSERT_EQ(items.size(), 1u);
    EXPECT_FALSE(items[0].mailbox);
}

// --- normalize_domain ----------------------------------------------------------

struct DomainCase {
    std::string_view input;
    std::string_view expected;
};

class AddressNormalizeDomain : public ::testing::TestWithParam<DomainCase> {};

TEST_P(AddressNormalizeDomain, Normalizes) {
    const DomainCase &c = GetParam();
    auto r = normalize_domain(c.input);
    ASSERT_TRUE(r.ok()) << "input: " << c.input << "\nerror: " << r.error().message;
    EXPECT_EQ(*r, c.expected);
    // The normalized form is a fixed point.
    auto again = normalize_domain(*r);
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(*again, *r);
}

INSTANTIATE_TEST_SUITE_P(
    AddressDomains, AddressNormalizeDomain,
    ::testing::Values(
        DomainCase{"example.com", "example.com"},
        DomainCase{"Example.COM.", "example.com"},
        DomainCase{"mail-1.sub.example.co.uk", "mail-1.sub.example.co.uk"},
        DomainCase{"123.example", "123.example"},
        DomainCase{"BÜCHER.example", "xn--bcher-kva.example"},
        DomainCase{"bücher.example", "xn--bcher-kva.example"},
        DomainCase{"xn--bcher-kva.example", "xn--bcher-kva.example"},
        DomainCase{"XN--BCHER-KVA.Example", "xn--bcher-kva.example"},
        DomainCase{"faß.de", "xn--fa-hia.de"},  // non-transitional: ß is kept, not mapped to "ss"
        DomainCase{"münchen。de", "xn--mnchen-3ya.de"},
        DomainCase{"例え.テスト", "xn--r8jz45g.xn--zckzah"},
        DomainCase{"[192.0.2.1]", "[192.0.2.1]"},
        DomainCase{"[IPv6:2001:DB8::1]", "[ipv6:2001:db8::1]"},
        DomainCase{"[IPv6:::ffff:192.0.2.1]", "[ipv6:::ffff:192.0.2.1]"}));

TEST(AddressNormalizeDomainLimits, LabelOf63BytesAndDomainOf253BytesAreAccepted) {
    const std::string label63(63, 'a');
    auto r = normalize_domain(label63 + ".com");
    ASSERT_TRUE(r.ok()) << r.error().message;

    std::string d = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'b');  // 253 bytes
    ASSERT_EQ(d.size(), 253u);
    r = normalize_domain(d);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(*r, d);
    r = normalize_domain(d + ".");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(*r, d);
}

class AddressNormalizeDomainError : public ::testing::TestWithParam<MailboxErrorCase> {};

TEST_P(AddressNormalizeDomainError, Rejects) {
    const MailboxErrorCase &c = GetParam();
    auto r = normalize_domain(c.input);
    ASSERT_FALSE(r.ok()) << "input: " << c.input << " normalized to " << *r;
    EXPECT_EQ(r.error().status, Status::parse);
    EXPECT_NE(r.error().message.find(c.message), std::string::npos)
        << "input: " << c.input << "\nmessage: " << r.error().message;
    EXPECT_EQ(r.error().position, c.position) << "input: " << c.input << "\nmessage: " << r.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    AddressErrors, AddressNormalizeDomainError,
    ::testing::Values(
        MailboxErrorCase{"", "empty domain", 0},
        MailboxErrorCase{".", "empty domain", 0},
        MailboxErrorCase{"example..com", "empty domain label", 8},
        MailboxErrorCase{".example.com", "empty domain label", 0},
        MailboxErrorCase{"example.com..", "empty domain label", 12},
        MailboxErrorCase{"localhost", "single label", 0},
        MailboxErrorCase{"192.0.2.1", "top-level domain is all digits", 8},
        MailboxErrorCase{"-ex.com", "starts with '-'", 0},
        MailboxErrorCase{"ex-.com", "ends with '-'", 2},
        MailboxErrorCase{"ex_ample.com", "invalid character '_' in domain", 2},
        MailboxErrorCase{"ex ample.com", "invalid character space in domain", 2},
        MailboxErrorCase{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com",  // 64
                         "domain label longer than 63 bytes", 0},
        MailboxErrorCase{"b\xfc" "cher.example", "invalid UTF-8 at byte 1", 1},  // Latin-1, not UTF-8
        MailboxErrorCase{"[192.0.2.1", "unterminated domain literal", 0},
        MailboxErrorCase{"[192.0.2.256]", "invalid IPv4 address literal", 1},
        MailboxErrorCase{"[192.0.2]", "invalid IPv4 address literal", 1},
        MailboxErrorCase{"[]", "invalid IPv4 address literal", 1},
        MailboxErrorCase{"[IPv6:2001:db8::g]", "invalid IPv6 address literal", 1},
        MailboxErrorCase{"[2001:db8::1]", "unsupported address literal", 1},
        MailboxErrorCase{"[x-tag:whatever]", "unsupported address literal", 1}));

class AddressNormalizeIdnError : public ::testing::TestWithParam<std::string_view> {};

TEST_P(AddressNormalizeIdnError, ReportsLibidn2Reason) {
    auto r = normalize_domain(GetParam());
    ASSERT_FALSE(r.ok()) << "input: " << GetParam() << " normalized to " << *r;
    EXPECT_EQ(r.error().status, Status::parse);
    EXPECT_EQ(r.error().message.rfind("invalid internationalized domain: ", 0), 0u) << r.error().message;
    EXPECT_GT(r.error().message.size(), std::string_view("invalid internationalized domain: ").size());
}

INSTANTIATE_TEST_SUITE_P(AddressIdn, AddressNormalizeIdnError,
                         ::testing::Values("xn--zz.example",          // not valid punycode
                                           "xn--bcher-kva-.example",  // not valid punycode
                                           "\xf0\x9f\x92\xa9.la",     // emoji: disallowed in IDNA2008
                                           "-\xc3\xbc.com",           // leading hyphen in a U-label
                                           "a\xe2\x80\x8c" "b.com"    // ZWNJ outside its CONTEXTJ rule
                                           ));

TEST(AddressNormalizeDomainLimits, LongUnicodeLabelIsRejected) {
    std::string label;
    for (int i = 0; i < 70; ++i) label += "\xc3\xbc";  // 70 x 'ü'
    auto r = normalize_domain(label + ".com");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, Status::parse);
}

TEST(AddressNormalizeDomainLimits, DomainOver253BytesIsRejected) {
    const std::string label63(63, 'a');
    std::string d = label63 + "." + label63 + "." + label63 + "." + std::string(62, 'b');  // 254 bytes
    auto r = normalize_domain(d);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("domain longer than 253 bytes"), std::string::npos);

    // The same through the IDN path: "ü" is 2 bytes as given but 7 as the
    // A-label "xn--tda", so what counts is the length of the A-label form.
    const std::string tail = "." + label63 + "." + label63 + "." + label63 + ".";
    r = normalize_domain("\xc3\xbc" + tail + std::string(53, 'b'));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->size(), 253u);
    r = normalize_domain("\xc3\xbc" + tail + std::string(54, 'b'));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, Status::parse);
}

// --- normalize_address / normalize_mailbox -------------------------------------

struct AddressCase {
    std::string_view input;
    bool case_insensitive;
    std::string_view expected;
};

class AddressNormalize : public ::testing::TestWithParam<AddressCase> {};

TEST_P(AddressNormalize, Normalizes) {
    const AddressCase &c = GetParam();
    NormalizeOptions opts;
    opts.local_part_case_insensitive = c.case_insensitive;
    auto r = normalize_address(c.input, opts);
    ASSERT_TRUE(r.ok()) << "input: " << c.input << "\nerror: " << r.error().message;
    EXPECT_EQ(*r, c.expected);
    auto again = normalize_address(*r, opts);
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(*again, *r);
}

INSTANTIATE_TEST_SUITE_P(
    Addresses, AddressNormalize,
    ::testing::Values(
        AddressCase{"John.Doe@Example.COM", false, "John.Doe@example.com"},
        AddressCase{"John.Doe@Example.COM", true, "john.doe@example.com"},
        AddressCase{"\"John Doe\" <John.Doe@Example.COM.>", false, "John.Doe@example.com"},
        AddressCase{"\"John\"@example.com", false, "John@example.com"},
        AddressCase{"\"John Doe\"@example.com", false, "\"John Doe\"@example.com"},
        AddressCase{"\"John Doe\"@example.com", true, "\"john doe\"@example.com"},
        AddressCase{"Jörg <Jörg@BÜCHER.example>", true, "jörg@xn--bcher-kva.example"},
        AddressCase{"user@[IPv6:2001:DB8::1]", false, "user@[ipv6:2001:db8::1]"},
        AddressCase{"user@[192.0.2.1]", false, "user@[192.0.2.1]"}));

class AddressNormalizeError : public ::testing::TestWithParam<std::pair<std::string_view, std::string_view>> {};

TEST_P(AddressNormalizeError, Rejects) {
    auto [input, message] = GetParam();
    auto r = normalize_address(input);
    ASSERT_FALSE(r.ok()) << "input: " << input << " normalized to " << *r;
    EXPECT_EQ(r.error().status, Status::parse);
    EXPECT_NE(r.error().message.find(message), std::string::npos) << "input: " << input << "\nmessage: " << r.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    AddressErrors, AddressNormalizeError,
    ::testing::Values(std::pair<std::string_view, std::string_view>{"john", "missing '@'"},
                      std::pair<std::string_view, std::string_view>{"john@localhost", "single label"},
                      std::pair<std::string_view, std::string_view>{"john@exa_mple.com", "invalid character '_'"},
                      std::pair<std::string_view, std::string_view>{"john@[300.1.1.1]", "invalid IPv4"},
                      std::pair<std::string_view, std::string_view>{"john@xn--zz.com", "invalid internationalized domain"}));

TEST(AddressNormalizeLimits, TotalLengthIsAtMost254Bytes) {
    const std::string local(64, 'l');
    const std::string label(63, 'd');
    // 64 + 1 + 189 = 254: accepted.
    std::string domain = label + "." + label + "." + std::string(57, 'd') + ".com";
    ASSERT_EQ(domain.size(), 189u);
    auto r = normalize_address(local + "@" + domain);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->size(), 254u);
    // One more byte: rejected, although each part is within its own limit.
    domain = label + "." + label + "." + std::string(58, 'd') + ".com";
    r = normalize_address(local + "@" + domain);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("address longer than 254 bytes"), std::string::npos);
}

TEST(AddressNormalizeMailbox, ChecksAndCanonicalizesAHandBuiltMailbox) {
    Mailbox mb;
    mb.local = "\"john\"";
    mb.domain = "Example.com";
    auto r = normalize_mailbox(mb);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(*r, "john@example.com");

    mb.local = "\"a\\ b\"";
    r = normalize_mailbox(mb);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(*r, "\"a b\"@example.com");

    mb.local = "john doe";
    r = normalize_mailbox(mb);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "invalid character space in local part");

    mb.local = "";
    r = normalize_mailbox(mb);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "empty local part");

    mb.local = "j";
    mb.domain = "";
    r = normalize_mailbox(mb);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "empty domain");
}

TEST(AddressNormalizeMailbox, AgreesWithNormalizeAddress) {
    for (std::string_view input : {"A <X.Y@Bücher.Example>", "\"x y\"@Example.com", "x@[IPv6:::1]"}) {
        auto mb = parse_mailbox(input);
        ASSERT_TRUE(mb.ok()) << input;
        auto a = normalize_mailbox(*mb);
        auto b = normalize_address(input);
        ASSERT_TRUE(a.ok() && b.ok()) << input;
        EXPECT_EQ(*a, *b);
    }
}

}  // namespace
}  // namespace presend
