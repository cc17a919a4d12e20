// parse_timestamp over arbitrary bytes; a value that parses formats to text
// that parses back to the same value.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    const auto r = presend::parse_timestamp(text);
    if (r.ok()) {
        const std::string formatted = presend::format_timestamp(*r);
        const auto again = presend::parse_timestamp(formatted);
        if (!again.ok() || *again != *r) __builtin_trap();
    } else if (r.error().position > size) {
        __builtin_trap();
    }
    // Any 64-bit value formats without crashing.
    if (size >= sizeof(int64_t)) {
        int64_t ms;
        std::memcpy(&ms, data, sizeof ms);
        (void)presend::format_timestamp(ms);
    }
    return 0;
}
