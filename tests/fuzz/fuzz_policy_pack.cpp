// The region_policy plugin's parsers over arbitrary bytes: the input is read
// as a whole policy pack, as an override merged over the shipped pack, and
// as the plugin's configuration; each policy that parses is then applied to
// records from each of its jurisdictions, with the input as the raw message.
// Findings must be declared reasons with messages presend accepts.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "region_policy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace {

namespace rp = presend::region;

bool utf8_ok(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        const size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (len == 0 || i + len > s.size()) return false;
        for (size_t k = 1; k < len; ++k) {
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        }
        i += len;
    }
    return true;
}

void exercise(const rp::Policy &policy, std::string_view raw) {
    const rp::Pack &pack = policy.pack;
    for (const auto &j : pack.jurisdictions) {
        if (pack.find(j.id) != &j) __builtin_trap();
        for (const auto &c : j.countries) {
            if (pack.for_country(c) != &j) __builtin_trap();
        }
    }
    static constexpr const char *kSources[] = {"", "purchase:1", "inquiry", "customer", "https://example.com/f"};
    static constexpr const char *kStatuses[] = {"subscribed", "unsubscribed", "unconfirmed"};
    const int64_t day = 86'400'000;
    const int64_t now = 20'500 * day;  // 2026-02-17
    size_t k = 0;
    for (const auto &j : pack.jurisdictions) {
        rp::MessageInfo m;
        m.marketing = k % 4 != 3;
        if (k % 3 != 0) m.region = k % 2 == 0 ? "eu-west-1" : "us-east-1";
        m.list = "weekly";
        m.from = std::string(raw.substr(0, 200));
        if (k % 2 == 1) m.raw = raw;
        if (k % 5 != 0) m.headers.push_back({"List-Unsubscribe", "<https://example.com/u>"});
        rp::ConsentFacts c;
        c.status = kStatuses[k % 3];
        c.source = kSources[k % 5];
        c.country = j.countries.empty() ? std::string_view() : std::string_view(j.countries.front());
        c.jurisdiction = k % 7 == 0 ? std::string_view(j.id) : std::string_view();
        c.consented_at = now - static_cast<int64_t>(k * 97 % 900) * day;
        c.withdrawn_at = k % 2 == 0 ? now - static_cast<int64_t>(k % 30) * day : -1;
        c.confirmed_at = k % 3 == 0 ? c.consented_at : -1;
        const rp::ConsentFacts *records[] = {&c, nullptr};
        for (const rp::ConsentFacts *record : records) {
            for (const auto &f : rp::evaluate_recipient(policy, m, record, now)) {
                const rp::ReasonDef *def = rp::find_reason(f.code);
                if (def == nullptr || def->severity != f.severity) __builtin_trap();
                if (f.message.size() > 4096 || !utf8_ok(f.message)) __builtin_trap();
            }
        }
        ++k;
    }
}

rp::Result<std::string> no_files(const std::string &) { return rp::Error{"no files here"}; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string_view text(reinterpret_cast<const char *>(data), size);

    // As a whole pack (pack_mode "replace").
    if (auto pack = rp::parse_pack(text); pack.ok()) {
        rp::Policy policy;
        policy.pack = std::move(pack).value();
        exercise(policy, text);
    }

    // As an override over the shipped pack.
    if (auto merged = rp::merge_patch(rp::shipped_pack_json(), text); merged.ok()) {
        if (auto pack = rp::parse_pack(*merged); pack.ok()) {
            rp::Policy policy;
            policy.pack = std::move(pack).value();
            exercise(policy, text);
        }
    }

    // As the plugin's configuration.
    if (auto policy = rp::make_policy(text, no_files); policy.ok()) exercise(*policy, text);

    // The text helpers on their own.
    const std::string words = rp::searchable_text(text);
    if (words.empty() || words.front() != ' ' || words.back() != ' ') __builtin_trap();
    (void)rp::display_name(text);
    return 0;
}
