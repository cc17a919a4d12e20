// RFC 5322 address parsing and the normalized form presend compares
// addresses in. Pure functions over string_view: no I/O, no global state.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "result.hpp"

namespace presend {

// Hard limits, stated so that hosts know what is rejected (RFC 5321 4.5.3.1).
inline constexpr size_t kMaxLocalPartBytes = 64;
inline constexpr size_t kMaxDomainBytes = 253;       // A-label form, without a trailing dot
inline constexpr size_t kMaxAddressBytes = 254;      // local@domain, A-label form
inline constexpr size_t kMaxHeaderValueBytes = 65536;  // one address header value

struct Mailbox {
    std::string display_name;  // decoded (quotes removed, quoted-pairs resolved, comments dropped); may be empty
    std::string local;         // local part as given, quotes removed if the unquoted form is a dot-atom,
                               // otherwise kept in its quoted form ("a b"@x keeps the quotes)
    std::string domain;        // domain as given (U-label or A-label, case as given, no brackets
                               // removed for a domain literal such as [192.0.2.1])
};

// One element of an address list: a mailbox, or the reason it is not one.
// Bad elements do not hide good ones: "a@x, bad, b@y" yields three items.
struct AddressItem {
    std::string text;                // the element's source text, trimmed
    std::optional<Mailbox> mailbox;  // set when the element parsed
    Error error;                     // set (status parse, with position into `text`) when it did not
    std::string group;               // name of the RFC 5322 group this mailbox belongs to, if any
};

// Parses an address-list (To, Cc, Bcc, From, Reply-To values): mailboxes
// (addr-spec or name-addr), groups ("Team: a@x, b@y;" and the empty group
// "undisclosed-recipients:;"), comments (nested), quoted strings, quoted local
// parts, folding white space, UTF-8 (RFC 6532). Groups are flattened into
// their mailboxes. Input over kMaxHeaderValueBytes yields one error item.
std::vector<AddressItem> parse_address_list(std::string_view value);

// Parses exactly one mailbox (addr-spec or name-addr, optionally surrounded by
// comments and white space).
Result<Mailbox> parse_mailbox(std::string_view text);

struct NormalizeOptions {
    // Lower-case the local part (ASCII letters only). Off by default: RFC 5321
    // says the local part is case-sensitive, and some receivers honour that.
    bool local_part_case_insensitive = false;
};

// The domain in the form presend stores and compares: A-label (punycode,
// IDNA2008 with UTS #46 mapping), lower-case, no trailing dot, every label
// 1..63 LDH bytes, total at most kMaxDomainBytes. Domain literals
// ([192.0.2.1], [IPv6:...]) are validated and returned lower-cased as given.
Result<std::string> normalize_domain(std::string_view domain);

// "local@domain" with the domain normalized as above and the local part as
// given (or lower-cased by the option). Checks the length limits.
Result<std::string> normalize_mailbox(const Mailbox &mailbox, const NormalizeOptions &options = {});

// Parses one address (addr-spec or "Name <addr>") and normalizes it.
Result<std::string> normalize_address(std::string_view text, const NormalizeOptions &options = {});

}  // namespace presend
