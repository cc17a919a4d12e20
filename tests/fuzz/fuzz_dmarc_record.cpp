// dmarc_parse over arbitrary bytes in both modes, and discovery and
// alignment over a small fixed fixture zone where the input is the record at
// _dmarc.mail.example.com: no crash, the parser's promises hold, discovery
// stays within its query budget, and the JSON is valid.
#include <cjson/cJSON.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "dmarc.hpp"
#include "json.hpp"  // JsonWriter

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace {

using presend::DmarcMode;

void check_findings(const std::vector<presend::AuthFinding> &findings) {
    for (const auto &f : findings) {
        if (!f.code.starts_with("dmarc.") || f.message.empty()) __builtin_trap();
    }
}

// cJSON itself: presend's json_parse refuses an escaped NUL on purpose, and
// input quoted in the output may hold one.
void check_json(const std::string &out) {
    const char *end = nullptr;
    cJSON *doc = cJSON_ParseWithLengthOpts(out.c_str(), out.size() + 1, &end, 1);  // the size with the NUL
    if (doc == nullptr) __builtin_trap();
    cJSON_Delete(doc);
}

void check_record(const presend::DmarcRecord &r, DmarcMode mode) {
    if (r.tags.empty() || r.tags[0].name != "v" || r.tags[0].value != "DMARC1") __builtin_trap();
    for (size_t i = 0; i < r.tags.size(); ++i) {
        const auto &name = r.tags[i].name;
        if (name.empty()) __builtin_trap();
        for (const char c : name) {
            if (c < 'a' || c > 'z') __builtin_trap();
        }
        for (size_t j = 0; j < i; ++j) {
            if (r.tags[j].name == name) __builtin_trap();
        }
    }
    if ((r.p_invalid && r.p) || (r.sp_invalid && r.sp) || (r.np_invalid && r.np)) __builtin_trap();
    if (r.pct > 100) __builtin_trap();
    for (const auto *list : {&r.rua, &r.ruf}) {
        for (const auto &uri : *list) {
            if (uri.find(':') == std::string::npos) __builtin_trap();
            for (const char c : uri) {
                if (c == ' ' || c == '\t' || c == ',' || c == '!' || c == ';') __builtin_trap();
            }
        }
    }
    for (auto tag : {presend::DmarcPolicyTag::p, presend::DmarcPolicyTag::sp, presend::DmarcPolicyTag::np}) {
        const auto pol = presend::dmarc_record_policy(r, tag, mode);
        // Without a valid rua=, a broken record yields no policy rather than none.
        if (r.p_invalid && r.rua.empty() && pol) __builtin_trap();
        if (r.p_invalid && !r.rua.empty() && pol != presend::DmarcPolicy::none) __builtin_trap();
    }
    check_findings(r.findings);
}

presend::FixtureResolver &zone() {
    static std::unique_ptr<presend::FixtureResolver> dns = [] {
        auto z = presend::FixtureResolver::from_json(R"({
          "_dmarc.example.com": [{"TXT": "v=DMARC1; p=quarantine; sp=none; np=reject; rua=mailto:d@example.com"}],
          "bounce.example.com": [{"A": "192.0.2.1"}],
          "_dmarc.slow.example.com": ["TIMEOUT"]
        })");
        if (!z) __builtin_trap();
        return std::move(*z);
    }();
    return *dns;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    for (DmarcMode mode : {DmarcMode::dmarcbis, DmarcMode::rfc7489}) {
        const auto r = presend::dmarc_parse(text, mode);
        if (!r.ok()) {
            if (r.error().message.empty() || r.error().position > size) __builtin_trap();
            // Only a duplicate tag makes a record that starts right invalid.
            if (presend::dmarc_is_record(text) && r.error().message.find("duplicate tag") == std::string::npos) {
                __builtin_trap();
            }
        } else {
            if (!presend::dmarc_is_record(text)) __builtin_trap();
            check_record(*r, mode);
        }
        std::string out;
        presend::JsonWriter w(out);
        presend::write_dmarc_record_check_json(w, presend::dmarc_check_record(text, mode));
        check_json(out);
    }

    // Discovery discards TXT records that do not start with v=DMARC1, so only
    // those that do can change its outcome.
    if (!presend::dmarc_is_record(text)) return 0;
    presend::FixtureResolver &dns = zone();
    dns.zone()["_dmarc.mail.example.com"].records[presend::RRType::TXT] = {std::string(text)};
    for (DmarcMode mode : {DmarcMode::dmarcbis, DmarcMode::rfc7489}) {
        for (const char *from : {"a.mail.example.com", "mail.example.com", "x.slow.example.com"}) {
            const auto d = presend::dmarc_discover(dns, from, mode);
            const size_t max_lookups = mode == DmarcMode::dmarcbis ? 8 : 2;
            if (d.lookups.size() > max_lookups || d.queries > max_lookups + 1) __builtin_trap();
            if ((d.status == presend::DmarcStatus::found) != d.record.has_value()) __builtin_trap();
            if (d.record && d.record_domain.empty()) __builtin_trap();
            if (d.status != presend::DmarcStatus::found && (d.policy || d.enforced_policy)) __builtin_trap();
            if (d.org_domain.empty() && d.status != presend::DmarcStatus::dns_error &&
                !(d.status == presend::DmarcStatus::found && mode == DmarcMode::dmarcbis)) {
                __builtin_trap();
            }
            check_findings(d.findings);
            std::string out;
            presend::JsonWriter w(out);
            presend::write_dmarc_discovery_json(w, d);
            check_json(out);
            for (const char *other : {"bounce.example.com", "a.mail.example.com", "example.net"}) {
                const auto a = presend::dmarc_check_alignment(dns, d, other, presend::DmarcIdentifier::dkim);
                if (a.queries > 8 || (a.aligned && a.dns_error)) __builtin_trap();
                if (a.strict && a.aligned && a.other_domain != d.from_domain) __builtin_trap();
            }
        }
    }
    return 0;
}
