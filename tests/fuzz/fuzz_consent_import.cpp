// Consent import (CSV and JSON Lines) into an in-memory store: bad rows are
// reported, never fatal; the report's counts add up.
#include <cjson/cJSON.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "consent_import.hpp"
#include "store.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    // The first byte picks the format.
    auto format = static_cast<presend::ImportFormat>(data[0] % 3);
    std::string_view text(reinterpret_cast<const char *>(data + 1), size - 1);
    presend::StoreOptions o;
    o.path = ":memory:";
    presend::Conn c(o);
    presend::prepare_schema(c, false);
    try {
        std::string report = presend::import_consent(c, text, format, "", {}, 1793610000000);
        cJSON *doc = cJSON_Parse(report.c_str());
        if (doc == nullptr) __builtin_trap();
        int imported = cJSON_GetObjectItem(doc, "imported")->valueint;
        if (imported < 0 || cJSON_GetObjectItem(doc, "rejected")->valueint < 0) __builtin_trap();
        cJSON_Delete(doc);
    } catch (const presend::Failure &f) {
        // Only an unusable CSV header may refuse the whole input.
        if (f.error.status != presend::Status::parse) __builtin_trap();
    }
    return 0;
}
