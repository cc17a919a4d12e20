// Message JSON (README "Message in"), structured and raw, through the same
// parsing and recipient handling a check does, without a store.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "checks.hpp"
#include "config.hpp"
#include "message.hpp"

namespace {
const presend::Config &config() {
    static const presend::Config c = *presend::parse_config(
        R"({"defaults": {"account": "prod", "region": "us-east-1"},
            "accounts": {"prod": {"regions": {"us-east-1": {}, "eu-west-1": {}}},
                         "test": {"tier": "sandbox", "regions": {"us-east-1": {}}}}})");
    return c;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string_view text(reinterpret_cast<const char *>(data), size);
    auto m = presend::parse_message(text, config());
    if (!m) {
        if (m.error().message.empty()) __builtin_trap();
        return 0;
    }
    presend::Decision d;
    presend::ParsedRecipients p = presend::parse_recipients(*m, config(), d);
    if (p.invalid_messages.size() != d.recipients.size()) __builtin_trap();
    for (const auto &r : d.recipients) {
        if (r.valid && r.address.find('@') == std::string::npos) __builtin_trap();
    }
    return 0;
}
