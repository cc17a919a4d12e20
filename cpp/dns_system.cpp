// The system's stub resolver, through glibc's thread-safe res_n* functions
// (libresolv). Chosen over libunbound because presend only needs what a
// stub resolver gives (the host's configured recursive servers, which
// already validate DNSSEC where the operator wants it), glibc is on every
// system presend runs on, and it starts no threads and opens no trust anchor
// files of its own. res_nsend, rather than res_nquery, returns the raw
// answer, so that presend tells a timeout from a SERVFAIL, and NXDOMAIN from
// NODATA, and reads the SOA for negative caching (RFC 2308).
#include "dns_system.hpp"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <vector>

#include "text.hpp"

namespace presend {

namespace {

// Owns a resolver state for one query (res_ninit reads resolv.conf; a
// per-query state keeps the resolver safe to use from any thread).
class ResState {
public:
    ResState() { ok_ = res_ninit(&st_) == 0; }
    ~ResState() {
        if (ok_) res_nclose(&st_);
    }
    ResState(const ResState &) = delete;
    ResState &operator=(const ResState &) = delete;
    bool ok() const noexcept { return ok_; }
    res_state get() noexcept { return &st_; }

private:
    struct __res_state st_ {};
    bool ok_ = false;
};

DnsAnswer failure(DnsStatus s, std::string detail) {
    DnsAnswer a;
    a.status = s;
    a.detail = std::move(detail);
    return a;
}

}  // namespace

SystemResolver::SystemResolver(SystemResolverOptions options) : options_(std::move(options)) {}

DnsAnswer SystemResolver::query(std::string_view name_in, RRType type) {
    std::string name = dns_name(name_in);
    if (name.empty() || name.size() > 253) return failure(DnsStatus::nxdomain, "invalid name");
    ResState rs;
    if (!rs.ok()) return failure(DnsStatus::servfail, "cannot initialize the resolver (resolv.conf)");
    res_state st = rs.get();
    // Whole seconds per try (the resolver's unit), at least one.
    st->retrans = static_cast<int>(std::max<int64_t>(1, (options_.timeout_ms + 999) / 1000));
    st->retry = std::max(1, options_.attempts);
    st->options |= RES_USE_EDNS0;
    // The servers to ask: the configured ones, else resolv.conf's.
    std::vector<sockaddr_in> servers;
    if (!options_.nameservers.empty()) {
        for (const auto &ns : options_.nameservers) {
            sockaddr_in sin{};
            sin.sin_family = AF_INET;
            sin.sin_port = htons(ns.port);
            if (inet_pton(AF_INET, ns.address.c_str(), &sin.sin_addr) == 1) servers.push_back(sin);
        }
    } else {
        for (int i = 0; i < st->nscount && i < MAXNS; ++i) servers.push_back(st->nsaddr_list[i]);
    }
    if (servers.empty()) return failure(DnsStatus::servfail, "no name server is configured");

    unsigned char q[NS_PACKETSZ];
    int qlen = res_nmkquery(st, ns_o_query, name.c_str(), ns_c_in, static_cast<int>(type), nullptr, 0, nullptr, q,
                            sizeof q);
    if (qlen < 0) return failure(DnsStatus::nxdomain, "cannot form a query for \"" + name + "\"");
    std::vector<unsigned char> buf(65536);
    // One server at a time, so that an error answer (SERVFAIL, REFUSED) comes
    // back to us instead of being retried on the next server and reported
    // as a timeout: with a nonzero pfcode, glibc's res_nsend returns such
    // answers as they are (it does so for dig).
    st->pfcode = RES_PRF_REPLY;
    int n = -1;
    int error_answers = 0;
    std::string last_error;
    for (const auto &server : servers) {
        st->nsaddr_list[0] = server;
        st->nscount = 1;
        errno = 0;
        int got = res_nsend(st, q, qlen, buf.data(), static_cast<int>(buf.size()));
        if (got < 0) {
            if (errno == ECONNREFUSED) ++error_answers;  // nothing listens there: a failure, not silence
            last_error = errno == ETIMEDOUT ? "timed out" : (errno != 0 ? std::strerror(errno) : "no answer");
            continue;
        }
        ns_msg probe;
        if (ns_initparse(buf.data(), got, &probe) < 0) {
            ++error_answers;
            last_error = "malformed answer";
            continue;
        }
        int rc = ns_msg_getflag(probe, ns_f_rcode);
        if (rc == ns_r_noerror || rc == ns_r_nxdomain) {
            n = got;
            break;
        }
        ++error_answers;
        last_error = "server answered rcode " + std::to_string(rc);
    }
    if (n < 0) {
        // No usable answer: a server that answered with an error is a server
        // failure; only silence from all of them is a timeout.
        std::string what = std::string(rrtype_name(type)) + " query for " + name + ": " + last_error;
        return failure(error_answers > 0 ? DnsStatus::servfail : DnsStatus::timeout, what);
    }

    ns_msg msg;
    if (ns_initparse(buf.data(), n, &msg) < 0) return failure(DnsStatus::servfail, "malformed DNS answer");
    int rcode = ns_msg_getflag(msg, ns_f_rcode);
    DnsAnswer a;
    // Negative answers: the SOA in the authority section bounds the caching time.
    auto negative_ttl = [&] {
        uint32_t ttl = kDefaultNegativeTtl;
        for (int i = 0; i < ns_msg_count(msg, ns_s_ns); ++i) {
            ns_rr rr;
            if (ns_parserr(&msg, ns_s_ns, i, &rr) < 0 || ns_rr_type(rr) != ns_t_soa) continue;
            // MINIMUM is the last 32-bit field of the SOA RDATA.
            if (ns_rr_rdlen(rr) >= 4) {
                const unsigned char *p = ns_rr_rdata(rr) + ns_rr_rdlen(rr) - 4;
                uint32_t minimum = ns_get32(p);
                ttl = std::min<uint32_t>(ns_rr_ttl(rr), minimum);
            }
        }
        return ttl;
    };
    if (rcode == ns_r_nxdomain) {
        a.status = DnsStatus::nxdomain;
        a.ttl = negative_ttl();
        return a;
    }
    if (rcode != ns_r_noerror) {
        return failure(DnsStatus::servfail, std::string(rrtype_name(type)) + " query for " + name +
                                                ": server answered rcode " + std::to_string(rcode));
    }
    uint32_t ttl = std::numeric_limits<uint32_t>::max();
    char dname[NS_MAXDNAME];
    for (int i = 0; i < ns_msg_count(msg, ns_s_an); ++i) {
        ns_rr rr;
        if (ns_parserr(&msg, ns_s_an, i, &rr) < 0) return failure(DnsStatus::servfail, "malformed DNS answer");
        int t = ns_rr_type(rr);
        const unsigned char *rd = ns_rr_rdata(rr);
        size_t len = ns_rr_rdlen(rr);
        if (t == ns_t_cname && type != RRType::CNAME) {
            if (ns_name_uncompress(ns_msg_base(msg), ns_msg_end(msg), rd, dname, sizeof dname) < 0) continue;
            a.cnames.push_back(dns_name(dname));
            continue;
        }
        if (t != static_cast<int>(type)) continue;
        ttl = std::min<uint32_t>(ttl, ns_rr_ttl(rr));
        switch (type) {
            case RRType::A:
            case RRType::AAAA: {
                char text[INET6_ADDRSTRLEN];
                int af = type == RRType::A ? AF_INET : AF_INET6;
                if ((af == AF_INET && len != 4) || (af == AF_INET6 && len != 16)) continue;
                if (inet_ntop(af, rd, text, sizeof text) != nullptr) a.records.emplace_back(text);
                break;
            }
            case RRType::TXT: {
                // One record: length-prefixed character-strings, joined.
                std::string joined;
                size_t pos = 0;
                while (pos < len) {
                    size_t l = rd[pos++];
                    if (pos + l > len) break;
                    joined.append(reinterpret_cast<const char *>(rd + pos), l);
                    pos += l;
                }
                a.records.push_back(std::move(joined));
                break;
            }
            case RRType::MX: {
                if (len < 3) continue;
                uint16_t pref = ns_get16(rd);
                if (ns_name_uncompress(ns_msg_base(msg), ns_msg_end(msg), rd + 2, dname, sizeof dname) < 0) continue;
                a.mx.push_back(MxRecord{pref, dns_name(dname)});
                break;
            }
            case RRType::PTR:
            case RRType::CNAME: {
                if (ns_name_uncompress(ns_msg_base(msg), ns_msg_end(msg), rd, dname, sizeof dname) < 0) continue;
                a.records.push_back(dns_name(dname));
                break;
            }
        }
    }
    if (a.records.empty() && a.mx.empty()) {
        a.status = DnsStatus::nodata;
        a.ttl = negative_ttl();
        return a;
    }
    a.status = DnsStatus::ok;
    a.ttl = ttl;
    return a;
}

}  // namespace presend
