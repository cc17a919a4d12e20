// parse_list_unsubscribe, uri_scheme and uri_has_opaque_token over arbitrary
// bytes: no crash, and every parsed URI meets the parser's own rules.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mail.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    (void)presend::uri_has_opaque_token(text);
    (void)presend::uri_scheme(text);
    const auto r = presend::parse_list_unsubscribe(text);
    if (!r.ok()) {
        if (r.error().position > size) __builtin_trap();
        return 0;
    }
    if (r->uris.empty()) __builtin_trap();
    for (const auto &uri : r->uris) {
        if (uri.empty() || presend::uri_scheme(uri).empty()) __builtin_trap();
        for (const char c : uri) {
            if (c == '<' || c == '>' || static_cast<unsigned char>(c) <= 0x20) __builtin_trap();
        }
        (void)presend::uri_has_opaque_token(uri);
    }
    return 0;
}
