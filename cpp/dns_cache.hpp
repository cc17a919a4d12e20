// A resolver that keeps answers in the store for their TTL (and negative
// answers for the SOA's negative-caching time, RFC 2308). Timeouts and
// server failures are never cached: the next refresh asks again.
#pragma once

#include <cstdint>

#include "dns.hpp"
#include "store.hpp"

namespace presend {

class CachingResolver final : public Resolver {
public:
    static constexpr uint32_t kMaxTtl = 86400;

    CachingResolver(Resolver &inner, Conn &conn, int64_t now_ms) : inner_(inner), conn_(conn), now_ms_(now_ms) {}
    DnsAnswer query(std::string_view name, RRType type) override;

    uint64_t hits() const noexcept { return hits_; }
    uint64_t misses() const noexcept { return misses_; }

private:
    Resolver &inner_;
    Conn &conn_;
    int64_t now_ms_;
    uint64_t hits_ = 0, misses_ = 0;
};

}  // namespace presend
