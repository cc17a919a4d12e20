// Message headers: the raw RFC 5322 header block, List-Unsubscribe (RFC 2369,
// RFC 8058), DKIM-Signature tag lists (RFC 6376). Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "result.hpp"

namespace presend {

inline constexpr size_t kMaxRawMessageBytes = 40u * 1024 * 1024;  // SES's own limit for a message
inline constexpr size_t kMaxHeaderCount = 1000;
inline constexpr size_t kMaxHeaderBytes = 1024 * 1024;  // the whole header block

struct Header {
    std::string name;   // as written (compare case-insensitively)
    std::string value;  // unfolded (CRLF/LF followed by WSP becomes that WSP), leading WSP after ':' removed,
                        // trailing CR/LF removed; bytes otherwise as given
};

struct RawMessage {
    std::vector<Header> headers;
    size_t body_offset = 0;  // offset of the body in the input (== size when there is none)
};

// Parses the header block of an RFC 5322 message (CRLF or bare LF line ends).
// Errors (status parse, with the byte position): a line that is neither a
// header field nor a continuation, a field name with bytes outside 33..126
// other than ':', more than kMaxHeaderCount fields, a header block over
// kMaxHeaderBytes, input over kMaxRawMessageBytes (status too_big).
Result<RawMessage> parse_raw_message(std::string_view text);

// Case-insensitive ASCII comparison of header names.
bool header_name_equals(std::string_view a, std::string_view b) noexcept;

// RFC 2369 List-Unsubscribe value: one or more angle-bracketed URIs separated
// by commas, with optional CFWS (comments in parentheses, folding white space)
// around them. URIs may not contain white space (RFC 2369 says it is ignored
// when folded; presend rejects it to stay strict, as receivers do).
struct ListUnsubscribe {
    std::vector<std::string> uris;
};
Result<ListUnsubscribe> parse_list_unsubscribe(std::string_view value);

// Scheme of a URI, lower-cased ("https", "mailto", ...), empty if it has none.
std::string uri_scheme(std::string_view uri);

// True when an http(s) URI carries something that looks like a per-recipient
// opaque token: a path segment or query value of at least 16 characters from
// [A-Za-z0-9_-.~=%], or a mailto URI whose address or query has such a run.
bool uri_has_opaque_token(std::string_view uri);

// DKIM-Signature tag=value list (RFC 6376 3.2 and 3.5).
struct DkimSignature {
    std::vector<std::pair<std::string, std::string>> tags;  // in order; values with FWS removed
    std::string v, a, d, s, i;
    std::vector<std::string> h;  // signed header names, lower-cased, in order
    std::optional<std::string> find(std::string_view tag) const;
};
// Requires v=1, a=, d=, s=, h=, b=, bh=; h= must include "from". Duplicate
// tags are an error (RFC 6376 3.2).
Result<DkimSignature> parse_dkim_signature(std::string_view value);

// One finding of the unsubscribe evaluation.
struct UnsubscribeFinding {
    std::string code;     // one of the unsubscribe.* reason codes
    std::string message;  // human detail, naming the header/URI at fault
};
struct UnsubscribePolicy {
    bool accept_mailto_only = false;  // Yahoo accepts mailto-only; Gmail does not
};
// Evaluates the unsubscribe headers of a marketing message. Returns every
// finding (empty vector: compliant). Codes:
//   unsubscribe.missing            no List-Unsubscribe header
//   unsubscribe.duplicate          more than one List-Unsubscribe or List-Unsubscribe-Post
//   unsubscribe.malformed          List-Unsubscribe does not parse (RFC 2369)
//   unsubscribe.not_https          no https URI (http only, or mailto only when not accepted)
//   unsubscribe.one_click_missing  https URI present but no List-Unsubscribe-Post
//   unsubscribe.one_click_invalid  List-Unsubscribe-Post value is not exactly List-Unsubscribe=One-Click
//   unsubscribe.not_signed         a DKIM-Signature is present whose h= does not cover both headers
//                                  (or that does not parse)
//   unsubscribe.no_token           (warn) no URI carries an opaque per-recipient token
//   unsubscribe.mailto_only        (warn) only mailto URIs, accepted by configuration
std::vector<UnsubscribeFinding> evaluate_unsubscribe(const std::vector<Header> &headers,
                                                     const UnsubscribePolicy &policy);

}  // namespace presend
