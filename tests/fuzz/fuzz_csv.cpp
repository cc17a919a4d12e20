// CsvReader over arbitrary bytes: reads every record, terminates, and keeps
// line numbers moving forward.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    presend::CsvReader reader(text);
    std::vector<std::string> fields;
    presend::Error error;
    size_t records = 0;
    size_t last_line = 0;
    while (reader.next(fields, error)) {
        // Every record consumes at least one byte.
        if (++records > size) __builtin_trap();
        if (reader.line() <= last_line) __builtin_trap();
        last_line = reader.line();
        if (error.status != presend::Status::ok) {
            if (!fields.empty() || error.position >= size) __builtin_trap();
        } else if (fields.empty()) {
            __builtin_trap();
        }
    }
    if (error.status != presend::Status::ok) __builtin_trap();
    return 0;
}
