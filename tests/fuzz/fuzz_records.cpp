// Consent and suppression records as JSON objects (presend_consent_put,
// presend_suppression_put): a record or a clear error, and a record that
// parsed holds normalized keys.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "consent_import.hpp"
#include "json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    bool suppression = (data[0] & 1) != 0;
    presend::NormalizeOptions norm;
    norm.local_part_case_insensitive = (data[0] & 2) != 0;
    auto doc = presend::json_parse(std::string_view(reinterpret_cast<const char *>(data + 1), size - 1), 1 << 20);
    if (!doc) return 0;
    const int64_t now = 1793610000000;
    if (suppression) {
        auto r = presend::suppression_from_json(doc->get(), norm, now);
        if (!r) {
            if (r.error().message.empty()) __builtin_trap();
            return 0;
        }
        if (r->address.empty() || (r->address.front() != '@' && r->address.find('@') == std::string::npos)) __builtin_trap();
    } else {
        auto r = presend::consent_from_json(doc->get(), norm, now);
        if (!r) {
            if (r.error().message.empty()) __builtin_trap();
            return 0;
        }
        if (r->address.find('@') == std::string::npos || r->list.empty()) __builtin_trap();
        auto again = presend::normalize_address(r->address, norm);
        if (!again || *again != r->address) __builtin_trap();
    }
    return 0;
}
