// parse_raw_message over arbitrary bytes: no crash, and a parsed message keeps
// its invariants.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mail.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    const auto r = presend::parse_raw_message(text);
    if (!r.ok()) {
        if (r.error().message.empty() || r.error().position > size) __builtin_trap();
        return 0;
    }
    if (r->body_offset > size || r->headers.size() > presend::kMaxHeaderCount) __builtin_trap();
    size_t value_bytes = 0;
    for (const auto &h : r->headers) {
        if (h.name.empty() || h.name.find(':') != std::string::npos) __builtin_trap();
        if (!h.value.empty() && (h.value.front() == ' ' || h.value.front() == '\t')) __builtin_trap();
        value_bytes += h.name.size() + h.value.size();
    }
    // Unfolding only removes bytes.
    if (value_bytes > r->body_offset) __builtin_trap();
    return 0;
}
