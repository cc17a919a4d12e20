// parse_dkim_signature over arbitrary bytes: no crash, and a parsed signature
// has what the parser promises.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mail.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    const auto r = presend::parse_dkim_signature(text);
    if (!r.ok()) {
        if (r.error().message.empty() || r.error().position > size) __builtin_trap();
        return 0;
    }
    if (r->v != "1" || r->a.empty() || r->d.empty() || r->s.empty()) __builtin_trap();
    bool from = false;
    for (const auto &name : r->h) {
        if (name.empty()) __builtin_trap();
        for (const char c : name) {
            if (c >= 'A' && c <= 'Z') __builtin_trap();
        }
        from = from || name == "from";
    }
    if (!from) __builtin_trap();
    for (const char *tag : {"b", "bh"}) {
        const auto value = r->find(tag);
        if (!value || value->empty()) __builtin_trap();
        for (const char c : *value) {
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') __builtin_trap();
        }
    }
    return 0;
}
