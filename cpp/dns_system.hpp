// The system resolver (see dns_system.cpp for why glibc's res_nsend).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dns.hpp"

namespace presend {

struct Nameserver {
    std::string address;  // IPv4
    uint16_t port = 53;
};

struct SystemResolverOptions {
    int64_t timeout_ms = 3000;  // per try, rounded up to whole seconds
    int attempts = 2;
    // Servers to ask instead of resolv.conf's (tests, or a dedicated resolver).
    std::vector<Nameserver> nameservers;
};

class SystemResolver final : public Resolver {
public:
    explicit SystemResolver(SystemResolverOptions options = {});
    DnsAnswer query(std::string_view name, RRType type) override;

    static constexpr uint32_t kDefaultNegativeTtl = 300;

private:
    SystemResolverOptions options_;
};

}  // namespace presend
