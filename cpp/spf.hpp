// SPF (RFC 7208): the record parser, check_host() over a Resolver, a linter
// that reports what checkdmarc reports, and JSON output for the CLI.
//
// Parsing is a pure function over the record text. Evaluation and lint do DNS
// only through Resolver::query, so they run against the fixture resolver in
// tests and against the system resolver in `auth refresh`, never on the
// per-send path.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dns.hpp"
#include "result.hpp"

namespace presend {

class JsonWriter;

// RFC 7208 4.6.4: terms that cause DNS lookups (include, a, mx, ptr, exists,
// redirect) per check_host(), and lookups that return no answer.
inline constexpr int kSpfLookupLimit = 10;
inline constexpr int kSpfVoidLookupLimit = 2;
// RFC 7208 4.6.4: an mx mechanism with more MX names is a permerror; a ptr
// mechanism or %{p} macro looks at no more PTR names than this.
inline constexpr size_t kSpfMaxMxNames = 10;
inline constexpr size_t kSpfMaxPtrNames = 10;
// Records longer than this may not fit a 512-byte UDP answer (RFC 7208 3.4).
inline constexpr size_t kSpfRecommendedMaxBytes = 450;

enum class SpfQualifier : char { pass = '+', fail = '-', softfail = '~', neutral = '?' };
enum class SpfMechanism : uint8_t { all, include, a, mx, ptr, ip4, ip6, exists };
enum class SpfModifier : uint8_t { redirect, exp, unknown };

std::string_view spf_mechanism_name(SpfMechanism m) noexcept;  // "all", "include", ...

// One term of a record, as written and as understood.
struct SpfTerm {
    bool is_modifier = false;
    // Mechanisms: the qualifier ('+' when none was written) and the kind.
    SpfQualifier qualifier = SpfQualifier::pass;
    bool qualifier_written = false;
    SpfMechanism mechanism = SpfMechanism::all;
    // Modifiers: redirect, exp, or any other (ignored in evaluation).
    SpfModifier modifier = SpfModifier::unknown;
    // Mechanism name lower-cased; modifier name as written (redirect and exp
    // lower-cased).
    std::string name;
    // The argument: a domain-spec (include, a, mx, ptr, exists, redirect,
    // exp), an address (ip4, ip6) or a macro-string (unknown modifiers).
    // Empty when the mechanism has none (a, mx, ptr default to <domain>).
    std::string value;
    // CIDR prefix lengths; -1 when not written. ip4 uses cidr4, ip6 uses
    // cidr6, a and mx may have both (dual-cidr-length).
    int cidr4 = -1;
    int cidr6 = -1;
    // ip4 / ip6: the network in network byte order (ip4 in the first 4 bytes).
    std::array<uint8_t, 16> network{};
    size_t position = 0;  // byte offset of the term in the record
    std::string text;     // the term exactly as written

    // Whether evaluating this term costs one of the kSpfLookupLimit lookups.
    bool causes_lookup() const noexcept;
};

struct SpfRecord {
    std::string text;
    std::vector<SpfTerm> terms;  // in record order, mechanisms and modifiers

    const SpfTerm *redirect() const noexcept;  // nullptr when absent
    const SpfTerm *exp() const noexcept;       // nullptr when absent
    // Terms that cost a DNS lookup when evaluated (include, a, mx, ptr,
    // exists, redirect), not counting what included records add.
    size_t lookup_terms() const noexcept;
};

// Whether a TXT string is an SPF record: "v=spf1" (any case) followed by a
// space or the end (RFC 7208 4.5). "v=spf10" is not.
bool spf_is_record(std::string_view txt) noexcept;

// Parses a whole record (RFC 7208 section 12 ABNF): the version, terms
// separated by one or more spaces, trailing spaces allowed. Mechanisms
// all, include, a, mx, ptr, ip4, ip6, exists with an optional qualifier;
// modifiers redirect=, exp= (each at most once) and unknown name=value
// modifiers, whose macro-string is still checked. Domain-specs must end in a
// top label that is not all digits, or in a macro; CIDR lengths have no
// leading zeros and are at most 32 / 128; ip4 networks are dotted quads;
// the macro letters c, r and t are only allowed in explanation text.
// Errors have status parse, the byte offset of the problem and a message
// that names the term.
Result<SpfRecord> spf_parse(std::string_view record);

// --- check_host() (RFC 7208 sections 4 and 5) --------------------------------

enum class SpfResult : uint8_t { none, neutral, pass, fail, softfail, temperror, permerror };
std::string_view spf_result_name(SpfResult r) noexcept;  // "none", "neutral", ...

struct SpfRequest {
    std::string ip;         // client address: "192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1"
    std::string mail_from;  // MAIL FROM address; empty: check the HELO identity (postmaster@helo)
    std::string helo;       // HELO/EHLO name (%{h})
    std::string receiver;   // the checking host's name (%{r}); empty: "unknown"
    // The explanation of a fail when the record has no usable exp=.
    std::string default_explanation;
    // %{t} in explanations, seconds since the Unix epoch; negative: now.
    int64_t now = -1;
};

struct SpfOutcome {
    SpfResult result = SpfResult::none;
    std::string scope;           // "mfrom", or "helo" when MAIL FROM was empty
    std::string sender;          // <sender> as evaluated: "postmaster@helo" for the HELO identity
    std::string domain;          // the domain whose policy was checked
    std::string record;          // its SPF record, when one was selected
    std::string matched;         // the term that decided, as written; empty when none matched
    std::string matched_domain;  // the domain whose record holds `matched` (differs after redirect)
    std::string explanation;     // fail only: the exp= text, else the default explanation
    std::string problem;         // none / temperror / permerror: why
    int lookups = 0;             // DNS-lookup terms evaluated (the one over the limit included)
    int void_lookups = 0;        // lookups that found no name or no data
};

// Evaluates the SPF policy for the request. Never throws for DNS or policy
// problems: they are results. An address that is neither IPv4 nor IPv6 gives
// permerror with the problem saying so. IPv4-mapped IPv6 addresses are
// IPv4 (RFC 7208 5). The MAIL FROM local part defaults to "postmaster".
// A MAIL FROM or HELO domain that is malformed (empty or over-long label,
// not multi-label, a domain literal) gives none (RFC 7208 4.3).
SpfOutcome spf_check_host(Resolver &dns, const SpfRequest &req);

// --- Lint ---------------------------------------------------------------------

enum class SpfSeverity : uint8_t { error, warning, info };
std::string_view spf_severity_name(SpfSeverity s) noexcept;  // "error", "warning", "info"

struct SpfFinding {
    std::string code;  // stable, dotted: "spf.plus_all", ...
    SpfSeverity severity = SpfSeverity::info;
    std::string message;
    size_t position = Error::npos;  // byte offset in that domain's record, when relevant
    std::string domain;             // whose record it is about; empty for spf_lint_record
};

// Findings about one record, without DNS. Codes:
//   spf.syntax (error, with position)   spf.plus_all (error)
//   spf.neutral_all (warning)           spf.ptr (warning)
//   spf.too_many_lookups (error: over 10 lookup terms in the record alone)
//   spf.redirect_with_all (warning)     spf.after_all (warning)
//   spf.no_all (info)                   spf.unknown_modifier (info)
//   spf.long_record (warning)           spf.cidr_host_bits (info)
std::vector<SpfFinding> spf_lint_record(std::string_view record);

// Fetches the domain's record and lints it and everything it includes or
// redirects to. Adds to the codes above:
//   spf.no_record (error)               spf.multiple_records (error)
//   spf.dns_error (warning: a lookup failed, findings may be incomplete)
//   spf.too_many_lookups (error: over 10 counted through includes/redirect)
//   spf.include_loop (error, names the cycle)
//   spf.include_no_record (error: include/redirect target without a record)
//   spf.void_lookups (error: over 2 names without data)
//   spf.too_many_mx (error: an mx mechanism over 10 MX names)
//   spf.lookups (info: the counts, always present when a record was found)
// Targets containing macros depend on the message and are not followed.
std::vector<SpfFinding> spf_lint(Resolver &dns, std::string_view domain);

// --- JSON ---------------------------------------------------------------------

// {"result", "description", "scope", "sender", "domain", "record", "matched",
//  "matched_domain", "explanation", "problem", "lookups", "lookup_limit",
//  "void_lookups", "void_lookup_limit"}
void write_spf_outcome_json(JsonWriter &w, const SpfOutcome &outcome);
// {"record", "terms": [{"text", "position", "type": "mechanism"|"modifier",
//  "qualifier", "result", "name", "value", "cidr4", "cidr6", "lookup"}],
//  "lookup_terms", "errors", "warnings", "findings": [...]}.
// For a record that did not parse pass a default SpfRecord: the findings
// then hold the syntax error.
void write_spf_record_json(JsonWriter &w, const SpfRecord &record, const std::vector<SpfFinding> &findings);
// [{"code", "severity", "message", "position" (null when none), "domain"}]
void write_spf_findings_json(JsonWriter &w, const std::vector<SpfFinding> &findings);

}  // namespace presend
