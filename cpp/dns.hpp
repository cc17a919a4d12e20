// DNS for sender authentication: one resolver interface and its
// implementations (the system's stub resolver, the JSON fixture format of
// DESIGN.md, a host callback, and a cache in the store). Nothing on the
// per-send path uses any of them: `auth refresh` does, out of band.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "result.hpp"

namespace presend {

enum class RRType : uint16_t { A = 1, CNAME = 5, PTR = 12, MX = 15, TXT = 16, AAAA = 28 };
std::string_view rrtype_name(RRType t) noexcept;

enum class DnsStatus {
    ok,        // records (possibly after following CNAMEs)
    nxdomain,  // the name does not exist
    nodata,    // the name exists, with no record of the type
    timeout,   // no answer in time
    servfail,  // the server failed (SERVFAIL, REFUSED, a malformed answer)
};
std::string_view dns_status_name(DnsStatus s) noexcept;

struct MxRecord {
    uint16_t preference = 0;
    std::string exchange;  // lower-case, no trailing dot
};

struct DnsAnswer {
    DnsStatus status = DnsStatus::nxdomain;
    // A / AAAA: addresses in text form ("192.0.2.1", "2001:db8::1").
    // TXT: one string per record, its character-strings joined without spaces.
    // PTR / CNAME: names, lower-case, no trailing dot.
    std::vector<std::string> records;
    std::vector<MxRecord> mx;  // MX answers
    // The CNAMEs followed to reach the answer, in order (lower-case).
    std::vector<std::string> cnames;
    // Seconds the answer may be cached; for nxdomain/nodata the negative
    // caching time (RFC 2308: the SOA's minimum, bounded by its TTL).
    uint32_t ttl = 0;
    std::string detail;  // for timeout / servfail: what happened

    bool ok() const noexcept { return status == DnsStatus::ok; }
    // A lookup error that is not an answer (RFC 7208 temperror).
    bool failed() const noexcept { return status == DnsStatus::timeout || status == DnsStatus::servfail; }
};

class Resolver {
public:
    virtual ~Resolver() = default;
    // `name` is case-insensitive and may end with a dot. Never throws for
    // DNS outcomes; every outcome is a status.
    virtual DnsAnswer query(std::string_view name, RRType type) = 0;
};

// Lower-cases a domain name and removes one trailing dot.
std::string dns_name(std::string_view name);

// The DNS fixture format of DESIGN.md: a JSON object mapping names to lists
// of records ({"TXT": "..."} or {"TXT": ["a", "b"]}, {"A": "192.0.2.1"},
// {"AAAA": ...}, {"MX": [10, "mx.example.com"]}, {"PTR": "..."},
// {"CNAME": "..."}; a record's value may be "TIMEOUT"), and the bare strings
// "TIMEOUT" / "SERVFAIL" for every type without records. Absent names do not
// exist; present names without records of a type have no data. CNAMEs are
// followed (at most 8) for the other types, as a recursive resolver does.
class FixtureResolver final : public Resolver {
public:
    static Result<std::unique_ptr<FixtureResolver>> from_json(std::string_view json);
    static Result<std::unique_ptr<FixtureResolver>> from_file(const std::string &path);

    DnsAnswer query(std::string_view name, RRType type) override;

    // Adds or replaces data (used by the RFC 7208 test driver and tests).
    struct Entry {
        std::map<RRType, std::vector<std::string>> records;  // MX as "pref exchange"
        std::map<RRType, DnsStatus> failures;                // a type that times out
        DnsStatus all_failure = DnsStatus::ok;               // "TIMEOUT" / "SERVFAIL" for the name
    };
    std::map<std::string, Entry> &zone() noexcept { return zone_; }
    uint64_t queries() const noexcept { return queries_; }

    static constexpr uint32_t kTtl = 300;  // fixture answers, positive and negative

private:
    DnsAnswer lookup(const std::string &name, RRType type, int depth);
    std::map<std::string, Entry> zone_;
    uint64_t queries_ = 0;
};

}  // namespace presend
