// Configuration JSON: any input gives a configuration or an error that names
// the problem.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    auto c = presend::parse_config(std::string_view(reinterpret_cast<const char *>(data), size));
    if (!c) {
        if (c.error().message.empty() || c.error().status == presend::Status::ok) __builtin_trap();
        return 0;
    }
    // A parsed configuration is usable: every region has a positive rate and burst.
    for (const auto &[name, account] : c->accounts) {
        if (account.regions.empty()) __builtin_trap();
        for (const auto &[region, limits] : account.regions) {
            if (limits.max_rate < 1 || limits.burst < 1 || limits.max_24h < 0) __builtin_trap();
        }
    }
    return 0;
}
