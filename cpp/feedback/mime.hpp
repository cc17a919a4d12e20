// The parts of MIME (RFC 2045, RFC 2046) and of RFC 5322 dates that feedback
// reports need. Pure functions; used by arf.hpp and tested with it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mail.hpp"  // Header

namespace presend::feedback::mime {

inline constexpr size_t kMaxParts = 100;  // parts of one multipart body

struct ContentType {
    std::string type;     // lower-case: "multipart"
    std::string subtype;  // lower-case: "report"
    std::vector<std::pair<std::string, std::string>> params;  // names lower-case; values unquoted, case kept

    std::optional<std::string> param(std::string_view name) const;  // first of that (case-insensitive) name
};

// type "/" subtype *(";" attribute "=" value), value a quoted string (quoted
// pairs resolved) or, leniently, any run of bytes up to white space or ';'
// (RFC 2045 wants a token; producers write boundary=----=_Part_1 unquoted);
// white space and comments allowed between the pieces. A parameter that does not parse ends the list (what came
// before is kept), as lenient mail readers do. nullopt: no type/subtype.
std::optional<ContentType> parse_content_type(std::string_view value);

struct Part {
    std::vector<Header> headers;
    std::string_view body;  // still transfer-encoded; a view into the multipart body

    // The first header of that (case-insensitive) name; empty when absent.
    std::string_view header(std::string_view name) const;
};

struct SplitResult {
    std::vector<Part> parts;  // empty when there is an error
    std::string error;        // empty on success
};

// Splits a multipart body at "--boundary" lines (RFC 2046 5.1.1): CRLF or LF
// line ends, transport padding after the delimiter allowed, preamble and
// epilogue dropped. A missing close delimiter ends the last part at the end
// of the input (truncated reports are common). Errors: no delimiter line,
// more than kMaxParts parts, a part whose headers do not parse.
SplitResult split_multipart(std::string_view body, std::string_view boundary);

// Undoes a Content-Transfer-Encoding. 7bit, 8bit, binary and none: as is.
// base64: white space ignored, nullopt when it is not base64.
// quoted-printable: soft line breaks and =XX escapes; an '=' that starts
// neither is kept (RFC 2045 6.7 suggests this robustness). Other encodings:
// nullopt.
std::optional<std::string> decode_transfer_encoding(std::string_view body, std::string_view encoding);

// RFC 5322 3.3 date-time, with the obsolete forms of 4.3 that reports still
// carry: optional day name, 2- and 3-digit years, named zones (UT, GMT, EST,
// EDT, CST, CDT, MST, MDT, PST, PDT; a military letter counts as +0000),
// seconds optional, a trailing comment ("(PDT)") ignored. ms since the epoch.
std::optional<int64_t> parse_rfc5322_date(std::string_view value);

}  // namespace presend::feedback::mime
