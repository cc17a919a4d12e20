// evaluate_unsubscribe over a few headers cut from the input: one header per
// line, "name:value"; a line without ':' is a List-Unsubscribe value. Both
// policies run on every input.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "mail.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace {
constexpr size_t kMaxHeaders = 16;

void check(const std::vector<presend::UnsubscribeFinding> &findings) {
    for (const auto &f : findings) {
        if (!f.code.starts_with("unsubscribe.") || f.message.empty()) __builtin_trap();
    }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    std::vector<presend::Header> headers;
    size_t start = 0;
    while (start < text.size() && headers.size() < kMaxHeaders) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view line = text.substr(start, end - start);
        const size_t colon = line.find(':');
        if (colon == std::string_view::npos) {
            headers.push_back({"List-Unsubscribe", std::string(line)});
        } else {
            headers.push_back({std::string(line.substr(0, colon)), std::string(line.substr(colon + 1))});
        }
        start = end + 1;
    }
    presend::UnsubscribePolicy policy;
    const auto strict = presend::evaluate_unsubscribe(headers, policy);
    check(strict);
    policy.accept_mailto_only = true;
    const auto lenient = presend::evaluate_unsubscribe(headers, policy);
    check(lenient);
    // Accepting mailto-only turns one finding into another, never adds one.
    if (lenient.size() != strict.size()) __builtin_trap();
    return 0;
}
