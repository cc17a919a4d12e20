// Feeds arbitrary bytes to parse_mailbox, normalize_address (both local-part
// options) and normalize_domain. Checks that errors are positioned parse
// errors, that the two normalization routes agree, and that normalized forms
// are fixed points.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "address.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace {

void check_error(const presend::Error &e, size_t input_size) {
    if (e.status != presend::Status::parse || e.message.empty()) __builtin_trap();
    if (e.position != presend::Error::npos && e.position > input_size) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string_view text(reinterpret_cast<const char *>(data), size);

    auto mb = presend::parse_mailbox(text);
    if (!mb) check_error(mb.error(), size);

    for (bool ci : {false, true}) {
        presend::NormalizeOptions opts;
        opts.local_part_case_insensitive = ci;
        auto n = presend::normalize_address(text, opts);
        if (!n) {
            check_error(n.error(), size);
            continue;
        }
        if (!mb) __builtin_trap();  // normalized although it did not parse
        auto via_mailbox = presend::normalize_mailbox(*mb, opts);
        if (!via_mailbox || *via_mailbox != *n) __builtin_trap();
        if (n->size() > presend::kMaxAddressBytes) __builtin_trap();
        auto again = presend::normalize_address(*n, opts);
        if (!again || *again != *n) __builtin_trap();
    }

    auto d = presend::normalize_domain(text);
    if (!d) {
        check_error(d.error(), size);
    } else {
        if (d->size() > presend::kMaxDomainBytes + 2) __builtin_trap();  // + brackets of a literal
        auto again = presend::normalize_domain(*d);
        if (!again || *again != *d) __builtin_trap();
    }
    return 0;
}
