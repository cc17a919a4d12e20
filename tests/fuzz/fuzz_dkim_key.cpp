// dkim_parse_key over arbitrary bytes, alone and as the TXT record of a
// selector in a small fixture zone: no crash, a parsed key has what the
// parser promises, and the JSON written for it is valid JSON.
#include <cjson/cJSON.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "dkim.hpp"
#include "json.hpp"  // JsonWriter

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace {

void check_findings(const std::vector<presend::AuthFinding> &findings) {
    for (const auto &f : findings) {
        if (!f.code.starts_with("dkim.") || f.message.empty()) __builtin_trap();
    }
}

bool has(const std::vector<presend::AuthFinding> &findings, std::string_view code) {
    for (const auto &f : findings) {
        if (f.code == code) return true;
    }
    return false;
}

// cJSON itself: presend's json_parse refuses an escaped NUL on purpose, and
// input quoted in the output may hold one.
void check_json(const std::string &out) {
    const char *end = nullptr;
    cJSON *doc = cJSON_ParseWithLengthOpts(out.c_str(), out.size() + 1, &end, 1);  // the size with the NUL
    if (doc == nullptr) __builtin_trap();
    cJSON_Delete(doc);
}

void check_key(const presend::DkimKey &k) {
    using presend::DkimKeyType;
    if (k.tags.empty() || k.find("p") == nullptr) __builtin_trap();
    for (size_t i = 0; i < k.tags.size(); ++i) {
        const auto &name = k.tags[i].name;
        if (name.empty() || !((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z'))) __builtin_trap();
        for (size_t j = 0; j < i; ++j) {
            if (k.tags[j].name == name) __builtin_trap();
        }
    }
    if (const auto *v = k.find("v"); v != nullptr && (v != &k.tags.front() || v->value != "DKIM1")) __builtin_trap();
    if (k.revoked != k.public_key.empty()) __builtin_trap();
    for (const char c : k.public_key) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') __builtin_trap();
    }
    if (k.revoked || k.key_type == DkimKeyType::unknown) {
        if (k.key_bits != 0 || !k.key_format.empty()) __builtin_trap();
    } else if (k.key_type == DkimKeyType::ed25519) {
        if (k.key_bits != 256 || k.key_format != "raw") __builtin_trap();
    } else if (k.key_bits == 0 || (k.key_format != "spki" && k.key_format != "pkcs1")) {
        __builtin_trap();
    }
    const bool rsa = k.key_type == DkimKeyType::rsa && !k.revoked;
    if (has(k.findings, "dkim.weak_key") != (rsa && k.key_bits < 1024)) __builtin_trap();
    if (has(k.findings, "dkim.short_key") != (rsa && k.key_bits >= 1024 && k.key_bits < 2048)) __builtin_trap();
    if (has(k.findings, "dkim.revoked") != k.revoked) __builtin_trap();
    if (has(k.findings, "dkim.testing") != k.testing) __builtin_trap();
    check_findings(k.findings);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    const auto r = presend::dkim_parse_key(text);
    if (!r.ok()) {
        if (r.error().message.empty() || r.error().position > size) __builtin_trap();
    } else {
        check_key(*r);
    }

    const presend::DkimRecordCheck rc = presend::dkim_check_record(text);
    if (rc.key.has_value() != r.ok() || rc.error.has_value() == r.ok()) __builtin_trap();
    std::string out;
    presend::JsonWriter w(out);
    presend::write_dkim_record_json(w, rc);
    check_json(out);

    // The same text as the only TXT record of a provider selector.
    static std::unique_ptr<presend::FixtureResolver> dns = [] {
        auto z = presend::FixtureResolver::from_json(
            R"({"tok._domainkey.example.com": [{"CNAME": "tok.dkim.amazonses.com"}]})");
        if (!z) __builtin_trap();
        return std::move(*z);
    }();
    dns->zone()["tok.dkim.amazonses.com"].records[presend::RRType::TXT] = {std::string(text)};
    const auto sel = presend::dkim_check_selector(*dns, "example.com", "tok", presend::DkimProviderRules::ses_easy_dkim());
    if (sel.queries != 1 || sel.cnames.size() != 1) __builtin_trap();
    if (sel.ok() && !r.ok()) __builtin_trap();
    if (sel.key.has_value() && !r.ok()) __builtin_trap();
    check_findings(sel.findings);
    out.clear();
    presend::JsonWriter ws(out);
    presend::write_dkim_selector_json(ws, sel);
    check_json(out);
    return 0;
}
