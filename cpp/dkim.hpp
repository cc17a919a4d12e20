// DKIM public keys in the DNS (RFC 6376 3.6, RFC 8301, RFC 8463): the key
// record's parser, a linter that says what receivers will make of it, and a
// selector check over a Resolver. Also the finding type that the DKIM and
// DMARC checks share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dns.hpp"
#include "result.hpp"

namespace presend {

class JsonWriter;

// --- Findings shared by the sender-authentication checks ---------------------

enum class AuthSeverity { info, warning, error };
std::string_view auth_severity_name(AuthSeverity s) noexcept;  // "info", "warning", "error"

// One observation about a DNS record or a lookup. Codes are stable dotted
// strings ("dkim.weak_key", "dmarc.missing"): a public contract, only added to.
struct AuthFinding {
    std::string code;
    AuthSeverity severity = AuthSeverity::info;
    std::string message;  // human text naming the record, tag or name at fault
};

// [{"code": ..., "severity": ..., "message": ...}, ...]
void write_auth_findings_json(JsonWriter &w, const std::vector<AuthFinding> &findings);
// True when some finding has severity error.
bool auth_has_error(const std::vector<AuthFinding> &findings) noexcept;

// --- The key record (RFC 6376 3.6.1) ------------------------------------------
//
// Finding codes (severity):
//   dkim.revoked          (error)   p= is empty: the key has been revoked
//   dkim.weak_key         (error)   RSA key under 1024 bits: verifiers ignore the signature (RFC 8301 3.2)
//   dkim.short_key        (warning) RSA key of 1024 to 2047 bits: signers SHOULD use 2048 (RFC 8301 3.2)
//   dkim.long_key         (warning) RSA key over 4096 bits: verifiers need not support it (RFC 8301 3.2)
//   dkim.unknown_key_type (error)   k= is neither rsa nor ed25519: verifiers ignore the key
//   dkim.no_sha256        (error)   h= lists no sha256: rsa-sha256 / ed25519-sha256 signatures fail
//   dkim.testing          (warning) t=y: receivers treat signed mail like unsigned mail
//   dkim.not_email        (error)   s= allows neither "email" nor "*"
//   dkim.ed25519          (info)    an ed25519 key: not every receiver verifies these (RFC 8463)
// and, from the selector check:
//   dkim.syntax           (error)   the key record does not parse
//   dkim.missing          (error)   no key record at the selector
//   dkim.several_keys     (error)   more than one key record at the selector
//   dkim.dns_error        (error)   the lookup timed out or failed (SERVFAIL): not the same as missing
//   dkim.cname_mismatch   (error)   the selector should be a CNAME to the provider and is not
//   dkim.invalid_domain   (error)   the domain is not a valid DNS name
//   dkim.invalid_selector (error)   the selector is not a valid DNS name

enum class DkimKeyType { rsa, ed25519, unknown };
std::string_view dkim_key_type_name(DkimKeyType t) noexcept;  // "rsa", "ed25519", "unknown"

struct DkimTag {
    std::string name;   // case-sensitive (RFC 6376 3.2)
    std::string value;  // FWS around it removed; for p= all FWS removed
    size_t position = 0;  // byte offset of the tag name in the record
};

struct DkimKey {
    std::vector<DkimTag> tags;   // every tag, unknown ones included, in order
    std::string version;         // v= ("DKIM1"), empty when absent
    std::string key_type_tag = "rsa";  // k= as written (default "rsa")
    DkimKeyType key_type = DkimKeyType::rsa;
    // h=, lower-cased; empty when the tag is absent (every algorithm allowed).
    std::vector<std::string> hashes;
    std::vector<std::string> services{"*"};  // s=, lower-cased
    std::vector<std::string> flags;          // t=, lower-cased
    bool testing = false;          // t=y
    bool strict_subdomains = false;  // t=s: i= must not be a subdomain of d=
    std::string notes;             // n=
    std::string public_key;        // p= (base64, FWS removed); empty when revoked
    bool revoked = false;
    // "spki" (SubjectPublicKeyInfo), "pkcs1" (a bare RSAPublicKey), "raw"
    // (ed25519), or empty (revoked, unknown key type).
    std::string key_format;
    // RSA modulus size; 256 for ed25519; 0 when revoked or of an unknown type.
    uint32_t key_bits = 0;
    std::vector<AuthFinding> findings;  // the codes listed above, for this record alone

    const DkimTag *find(std::string_view name) const noexcept;
};

// Parses a DKIM key record (the TXT record's text, its character-strings
// joined). Tags v, h, k, n, p, s, t; unknown tags are ignored. Errors
// (status parse, with the byte position): tag-list syntax (RFC 6376 3.2), a
// duplicate tag, v= not first or not "DKIM1", a missing p=, p= that is not
// base64, an RSA p= that is neither a SubjectPublicKeyInfo nor an
// RSAPublicKey (or holds another kind of key), an ed25519 p= that is not 32
// bytes, malformed h=, s= or t= lists. Everything a receiver would accept but
// a sender should know about is a finding on the key.
Result<DkimKey> dkim_parse_key(std::string_view txt);

// The result of linting one key record: the key, or the parse error as a
// dkim.syntax finding. For `presend auth dkim --record TEXT`.
struct DkimRecordCheck {
    std::string record;
    std::optional<DkimKey> key;
    std::optional<Error> error;
    std::vector<AuthFinding> findings;  // dkim.syntax or the key's findings
};
DkimRecordCheck dkim_check_record(std::string_view txt);

// --- The selector in the DNS ---------------------------------------------------

// What a sending provider expects the selector to be. SES Easy DKIM: the
// domain publishes <token>._domainkey.<domain> CNAME <token>.dkim.amazonses.com
// and the configuration lists the tokens as selectors.
struct DkimProviderRules {
    // When not empty, the selector must be a CNAME to a name ending with this
    // suffix (".dkim.amazonses.com"); compared case-insensitively.
    std::string cname_suffix;
    // The CNAME target must be exactly <selector><cname_suffix>.
    bool target_is_selector = false;

    static DkimProviderRules none() { return {}; }
    static DkimProviderRules ses_easy_dkim() { return {".dkim.amazonses.com", true}; }
};

struct DkimSelectorCheck {
    std::string domain;    // normalized (A-labels, lower case)
    std::string selector;  // lower case
    std::string name;      // <selector>._domainkey.<domain>, the name queried
    DnsStatus dns_status = DnsStatus::nxdomain;
    std::string dns_detail;
    std::vector<std::string> cnames;   // followed from `name`, in order
    std::vector<std::string> records;  // every TXT record found
    std::optional<DkimKey> key;        // the (first valid) key record
    std::vector<AuthFinding> findings; // selector findings, then the key's
    uint32_t queries = 0;              // DNS queries made (0 or 1)

    // A usable key and no error finding.
    bool ok() const noexcept { return key.has_value() && !auth_has_error(findings); }
};

// Queries <selector>._domainkey.<domain> TXT (one query; the resolver follows
// CNAMEs and reports them), checks the CNAME against `rules`, picks the key
// record among the TXT records (other TXT records are ignored; more than one
// key record is dkim.several_keys) and lints it. Timeouts and SERVFAIL are
// dkim.dns_error, never dkim.missing.
DkimSelectorCheck dkim_check_selector(Resolver &resolver, std::string_view domain, std::string_view selector,
                                      const DkimProviderRules &rules = {});

// --- JSON ------------------------------------------------------------------------

// {"tags": {...}, "version", "key_type", "key_format", "bits", "revoked",
//  "testing", "strict_subdomains", "hashes", "services", "flags", "notes",
//  "findings": [...]}; findings are left out when `with_findings` is false.
void write_dkim_key_json(JsonWriter &w, const DkimKey &key, bool with_findings = true);
// {"record", "valid", "key": {...}|null, "error": {"message", "position"}|null, "findings"}
void write_dkim_record_json(JsonWriter &w, const DkimRecordCheck &check);
// {"domain", "selector", "name", "dns_status" (null when nothing was queried),
//  "dns_detail", "cnames", "records", "key": {...}|null, "queries", "ok", "findings"}
void write_dkim_selector_json(JsonWriter &w, const DkimSelectorCheck &check);

}  // namespace presend
