// The report renderers over arbitrary bytes: the input is read as a report
// model and rendered in every format. A model that renders must give output
// that is valid UTF-8; one that does not must say why with a status other
// than ok. Nothing may crash, hang or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "report/render.hpp"
#include "text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string_view input(reinterpret_cast<const char *>(data), size);
    using presend::report::Format;
    for (Format f : {Format::json, Format::html, Format::csv, Format::md}) {
        auto out = presend::report::render(input, f);
        if (out.ok()) {
            size_t bad = 0;
            if (!presend::utf8_valid(*out, &bad)) std::abort();
            if (out->empty() || out->back() != '\n') std::abort();
        } else if (out.error().status == presend::Status::ok || out.error().message.empty()) {
            std::abort();
        }
    }
    return 0;
}
