// DMARC (RFC 9989 "DMARCbis", and RFC 7489): the policy record's parser and
// linter, policy discovery with the organizational domain (the DNS Tree Walk
// of DMARCbis, or the public suffix list of RFC 7489), and identifier
// alignment for DKIM d= and the MAIL FROM domain.
//
// Sections cited as "bis N" are those of draft-ietf-dmarc-dmarcbis-41, the
// last draft of RFC 9989.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dkim.hpp"  // AuthFinding, AuthSeverity
#include "dns.hpp"
#include "result.hpp"

namespace presend {

class JsonWriter;

// Finding codes (severity):
//   dmarc.missing         (error)   no DMARC record applies to the domain
//   dmarc.syntax          (error/warning) a malformed tag or a duplicate; a record that is not DMARC1
//   dmarc.invalid_policy  (error)   p=, sp= or np= has an invalid value: receivers act as p=none when rua=
//                                   has a valid URI, else apply no DMARC (bis 4.10.1, RFC 7489 6.6.3)
//   dmarc.no_policy       (warning) no p=: DMARCbis treats it as p=none; RFC 7489 requires p=
//   dmarc.policy_none     (info)    the policy is none: monitoring only
//   dmarc.testing         (info)    t=y: receivers apply one level less than the policy
//   dmarc.pct_partial     (warning) pct= under 100: RFC 7489 receivers apply the policy to a sample
//   dmarc.obsolete_tag    (info)    pct=, rf=, ri= (removed by DMARCbis) or a !size URI suffix
//   dmarc.unknown_tag     (info)    a tag that the mode does not define; ignored
//   dmarc.invalid_uri     (warning) a rua=/ruf= URI that is not valid; ignored
//   dmarc.no_rua          (info)    no valid rua=: no aggregate reports
//   dmarc.several_records (error)   more than one DMARC record at one name: all are discarded
//   dmarc.psd_policy      (info)    the policy comes from a public suffix operator's record (psd=y)
//   dmarc.dns_error       (error)   a lookup timed out or failed: the answer is not known
//   dmarc.invalid_domain  (error)   the From domain is not a valid domain name

enum class DmarcMode {
    dmarcbis,  // RFC 9989: DNS Tree Walk, psd=, np=, t=; pct/rf/ri removed
    rfc7489,   // RFC 7489: organizational domain from the public suffix list
};
std::string_view dmarc_mode_name(DmarcMode m) noexcept;  // "dmarcbis", "rfc7489"
std::optional<DmarcMode> dmarc_mode_from_name(std::string_view name) noexcept;

enum class DmarcPolicy { none, quarantine, reject };
std::string_view dmarc_policy_name(DmarcPolicy p) noexcept;

enum class DmarcPsd { unspecified, yes, no };  // psd=u (or absent), psd=y, psd=n
std::string_view dmarc_psd_name(DmarcPsd p) noexcept;  // "u", "y", "n"

struct DmarcTag {
    std::string name;   // lower-cased (DMARC tag names are ABNF literals, case-insensitive)
    std::string value;  // WSP around it removed
    size_t position = 0;  // byte offset of the name in the record
};

struct DmarcRecord {
    std::vector<DmarcTag> tags;  // the well-formed tags, unknown ones included, in order
    // p=, sp=, np=: the valid values; nullopt when absent or invalid.
    std::optional<DmarcPolicy> p, sp, np;
    // A value was given but is not none/quarantine/reject.
    bool p_invalid = false, sp_invalid = false, np_invalid = false;
    bool adkim_strict = false;  // adkim=s
    bool aspf_strict = false;   // aspf=s
    bool testing = false;       // t=y
    DmarcPsd psd = DmarcPsd::unspecified;
    std::vector<std::string> rua, ruf;  // the valid URIs (without an obsolete !size suffix)
    std::vector<std::string> fo{"0"};   // fo= options, lower-cased
    uint32_t pct = 100;                 // RFC 7489 only
    std::vector<std::string> rf{"afrf"};  // RFC 7489 only
    uint32_t ri = 86400;                // RFC 7489 only
    std::vector<AuthFinding> findings;  // about this record alone

    const DmarcTag *find(std::string_view name) const noexcept;
};

// Parses a DMARC policy record. The record must start with v=DMARC1 (bis 4.7,
// RFC 7489 6.3): otherwise, and for a duplicate tag (the tag-list of RFC 6376
// 3.2, which both specifications adopt), this is an error (status parse, with
// the byte position) and receivers ignore the record. Any other syntax error
// leaves the tag at its default and becomes a finding (bis 4.8, RFC 7489 6.4).
// The mode says which tags exist and what a missing p= means.
Result<DmarcRecord> dmarc_parse(std::string_view txt, DmarcMode mode = DmarcMode::dmarcbis);

// True when the TXT record is meant as a DMARC record: it starts with
// v=DMARC1 (bis 4.10 step 2; other TXT records at a _dmarc name are ignored).
bool dmarc_is_record(std::string_view txt) noexcept;

enum class DmarcPolicyTag { p, sp, np };
std::string_view dmarc_policy_tag_name(DmarcPolicyTag t) noexcept;

// The policy a receiver takes from `record` through `tag` (np falls back to
// sp, sp to p, p to none when absent in DMARCbis). When p=, sp= or (DMARCbis)
// np= is invalid, or (RFC 7489) p= is missing, receivers act as if p=none was
// published when rua= has a valid URI, and apply no DMARC otherwise
// (nullopt): bis 4.10.1, RFC 7489 6.6.3 step 6. np= is not an RFC 7489 tag.
std::optional<DmarcPolicy> dmarc_record_policy(const DmarcRecord &record, DmarcPolicyTag tag, DmarcMode mode);

// The result of linting one record, for `presend auth dmarc --record TEXT`.
struct DmarcRecordCheck {
    std::string record;
    DmarcMode mode = DmarcMode::dmarcbis;
    std::optional<DmarcRecord> parsed;
    std::optional<Error> error;
    std::vector<AuthFinding> findings;  // dmarc.syntax or the record's findings
};
DmarcRecordCheck dmarc_check_record(std::string_view txt, DmarcMode mode = DmarcMode::dmarcbis);

// --- Discovery -------------------------------------------------------------------

enum class DmarcStatus {
    found,      // a DMARC record applies to the domain
    none,       // no record applies (definitely: every query answered)
    dns_error,  // a query that decides the answer timed out or failed
};
std::string_view dmarc_status_name(DmarcStatus s) noexcept;

// One _dmarc query.
struct DmarcLookup {
    std::string domain;   // the name queried is "_dmarc." + domain
    DnsStatus dns_status = DnsStatus::nxdomain;
    std::string dns_detail;
    std::vector<std::string> cnames;   // followed from the _dmarc name
    std::vector<std::string> records;  // every TXT record there
    size_t dmarc_records = 0;           // TXT records that start with v=DMARC1
    std::optional<DmarcRecord> record;  // set when exactly one, and it parses
    std::optional<Error> error;         // the parse error of a single record that does not parse
};

// The names (without "_dmarc.") that a full DMARCbis DNS Tree Walk from
// `domain` queries, in order: the domain itself, then (bis 4.10 steps 3-4)
// its parent, or its 7 rightmost labels when it has 8 labels or more, then
// one label less at a time down to the top-level domain. At most 8 names.
// `domain` is a normalized name (lower case, A-labels, no trailing dot).
std::vector<std::string> dmarc_tree_walk_names(std::string_view domain);

struct DmarcDiscovery {
    DmarcMode mode = DmarcMode::dmarcbis;
    DmarcStatus status = DmarcStatus::none;
    std::string from_domain;    // normalized (A-labels, lower case)
    std::string record_domain;  // where the applied record was found; empty if none
    // The organizational domain of from_domain; empty when the domain is
    // invalid or a DNS error left it unknown (DMARCbis), otherwise never empty.
    std::string org_domain;
    std::optional<DmarcRecord> record;  // the applied record
    // The policy for from_domain: from p= when the record is the From
    // domain's own, else sp= (existing subdomain) or np= (non-existent
    // subdomain, DMARCbis). nullopt: no DMARC processing.
    std::optional<DmarcPolicy> policy;
    DmarcPolicyTag policy_tag = DmarcPolicyTag::p;
    // What receivers apply to failing mail: `policy`, one level lower with t=y (bis 4.7).
    std::optional<DmarcPolicy> enforced_policy;
    // Whether from_domain exists (an A query: NXDOMAIN means no, bis 3.2.13);
    // only asked when the record's np= could apply.
    std::optional<bool> from_domain_exists;
    std::vector<DmarcLookup> lookups;  // the _dmarc queries made, in order
    uint32_t queries = 0;              // every DNS query made (the _dmarc ones and the existence query)
    std::vector<AuthFinding> findings; // discovery findings and the applied record's

    bool adkim_strict() const noexcept { return record && record->adkim_strict; }
    bool aspf_strict() const noexcept { return record && record->aspf_strict; }
};

// Finds the DMARC record and policy for a From domain (any case, U-labels or
// A-labels, optional trailing dot).
//  - dmarcbis: the DNS Tree Walk of bis 4.10, from the From domain up to its
//    top-level domain, at most 8 _dmarc queries whatever the number of labels,
//    stopping at a record with psd=y or psd=n. The walk gives both the policy
//    record (bis 4.10.1: the From domain's, else the organizational
//    domain's, else the public suffix domain's) and the organizational domain
//    (bis 4.10.2). At most one more query (A) tests whether the From domain
//    exists, when the record's np= could apply. At most 9 queries in all.
//  - rfc7489: _dmarc.<From domain>, else _dmarc.<organizational domain>,
//    the organizational domain taken from the public suffix list (RFC 7489
//    3.2, 6.6.3). At most 2 queries.
DmarcDiscovery dmarc_discover(Resolver &resolver, std::string_view from_domain,
                              DmarcMode mode = DmarcMode::dmarcbis);

// --- Organizational domains and alignment -----------------------------------

// Where organizational domains come from.
class DmarcOrgDomains {
public:
    virtual ~DmarcOrgDomains() = default;
    // The organizational domain of a normalized domain; nullopt when it
    // cannot be known now (a DNS error).
    virtual std::optional<std::string> org_domain(const std::string &domain) = 0;
};

// RFC 7489 3.2: the registrable domain under the public suffix list (libpsl,
// the system's list when it is newer than libpsl's built-in one; ICANN and
// private sections). A domain that is itself a public suffix is its own
// organizational domain. No DNS. The list is loaded once per process and
// never changes after; any thread may use it.
class PslOrgDomains final : public DmarcOrgDomains {
public:
    std::optional<std::string> org_domain(const std::string &domain) override;
};

// DMARCbis 4.10.2: one DNS Tree Walk per domain. Answers are cached by name
// and shared between walks, and a discovery's answers can be added, so the
// walks for the From domain, the DKIM d= domains and the MAIL FROM domain
// query each _dmarc name at most once. Each walk queries at most 8 names, so
// aligning n other domains costs at most 8n queries beyond the discovery,
// and none for names the From domain's walk already queried.
class TreeWalkOrgDomains final : public DmarcOrgDomains {
public:
    explicit TreeWalkOrgDomains(Resolver &resolver) : resolver_(resolver) {}
    std::optional<std::string> org_domain(const std::string &domain) override;
    // Adds the answers of a DMARCbis discovery to the cache.
    void remember(const DmarcDiscovery &discovery);
    uint32_t queries() const noexcept { return queries_; }  // queries made by this object

private:
    Resolver &resolver_;
    std::map<std::string, DmarcLookup> cache_;
    uint32_t queries_ = 0;
};

// Identifier alignment (bis 4.4, RFC 7489 3.1): strict requires the two
// domains to be equal; relaxed requires equal organizational domains.
// Domains compare as normalized names (case-insensitive, A-labels). False
// when a domain is invalid or an organizational domain is not known.
bool dmarc_aligned(std::string_view from_domain, std::string_view other_domain, bool strict, DmarcOrgDomains &orgs);

enum class DmarcIdentifier { dkim, spf };  // DKIM d=, or the SPF (MAIL FROM) domain

struct DmarcAlignment {
    DmarcIdentifier identifier = DmarcIdentifier::dkim;
    bool aligned = false;
    bool strict = false;       // adkim=s / aspf=s of the applied record (relaxed without one)
    std::string from_domain;   // normalized
    std::string other_domain;  // normalized; empty when invalid
    std::string from_org, other_org;  // empty when not needed (strict or equal) or not known
    bool dns_error = false;    // an organizational domain could not be found
    uint32_t queries = 0;      // DNS queries this call made
};

// Aligns DKIM d= or the MAIL FROM domain with a discovery's From domain, in
// the discovery's mode, with the record's adkim=/aspf=. The From domain's
// organizational domain comes from the discovery. In DMARCbis mode the other
// domain needs its own tree walk: it reuses the discovery's answers and
// makes at most 8 queries (none when the domains are equal or alignment is
// strict). Pass a TreeWalkOrgDomains that already remembers the discovery
// to share answers across several calls.
DmarcAlignment dmarc_check_alignment(Resolver &resolver, const DmarcDiscovery &discovery,
                                     std::string_view other_domain, DmarcIdentifier identifier);
DmarcAlignment dmarc_check_alignment(const DmarcDiscovery &discovery, std::string_view other_domain,
                                     DmarcIdentifier identifier, DmarcOrgDomains &orgs);

// --- JSON ------------------------------------------------------------------------

// {"tags": {...}, "p", "sp", "np", "adkim", "aspf", "t", "psd", "rua", "ruf",
//  "fo", "pct", "rf", "ri", "findings"}; findings left out when `with_findings` is false.
void write_dmarc_record_json(JsonWriter &w, const DmarcRecord &record, bool with_findings = true);
// {"record", "mode", "valid", "parsed": {...}|null, "error": {...}|null, "policy", "findings"}
void write_dmarc_record_check_json(JsonWriter &w, const DmarcRecordCheck &check);
// {"domain", "mode", "status", "record_domain", "org_domain", "policy", "policy_tag",
//  "enforced_policy", "from_domain_exists", "queries", "lookups": [...], "record", "findings"}
void write_dmarc_discovery_json(JsonWriter &w, const DmarcDiscovery &discovery);
// {"identifier", "aligned", "strict", "from_domain", "other_domain", "from_org", "other_org", "dns_error", "queries"}
void write_dmarc_alignment_json(JsonWriter &w, const DmarcAlignment &alignment);

}  // namespace presend
