// Feeds arbitrary bytes to parse_address_list and normalizes every mailbox it
// yields. Beyond "no crash, no sanitizer report" it checks that every item is
// either a mailbox or a positioned parse error, and that a normalized address
// is a fixed point of normalize_address.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "address.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace {

void check_normalized(const presend::Mailbox &mb, bool case_insensitive) {
    presend::NormalizeOptions opts;
    opts.local_part_case_insensitive = case_insensitive;
    auto n = presend::normalize_mailbox(mb, opts);
    if (!n) {
        if (n.error().status != presend::Status::parse || n.error().message.empty()) __builtin_trap();
        return;
    }
    if (n->size() > presend::kMaxAddressBytes) __builtin_trap();
    auto again = presend::normalize_address(*n, opts);
    if (!again || *again != *n) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string_view value(reinterpret_cast<const char *>(data), size);
    for (const auto &item : presend::parse_address_list(value)) {
        if (item.mailbox) {
            if (item.text.empty() || item.mailbox->local.empty() || item.mailbox->domain.empty()) __builtin_trap();
            if (item.mailbox->local.size() > presend::kMaxLocalPartBytes) __builtin_trap();
            // The item's text alone parses to the same mailbox.
            auto alone = presend::parse_mailbox(item.text);
            if (!alone || alone->local != item.mailbox->local || alone->domain != item.mailbox->domain) __builtin_trap();
            check_normalized(*item.mailbox, false);
            check_normalized(*item.mailbox, true);
        } else {
            if (item.error.status != presend::Status::parse || item.error.message.empty()) __builtin_trap();
            if (item.error.position != presend::Error::npos && item.error.position > item.text.size()) __builtin_trap();
        }
    }
    return 0;
}
