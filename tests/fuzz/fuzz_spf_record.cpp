// Feeds arbitrary bytes to the SPF parser, the record linter and check_host().
// The first byte picks the client address and the identity; the rest is the
// record, served as the TXT record of example.com in a small fixed zone whose
// other names (includes, a loop back to example.com, a timeout, an exp text
// full of macros, eleven MX names) give the evaluation somewhere to go.
// Checks: errors are positioned parse errors; terms point at their text;
// lint agrees with the parser; check_host() always sets a result, stays
// within the lookup limits and agrees with the parser; JSON output parses.
#include <cjson/cJSON.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "dns.hpp"
#include "json.hpp"
#include "spf.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace {

constexpr const char *kZone = R"({
  "example.com": [ {"A": "192.0.2.10"}, {"AAAA": "2001:db8::10"}, {"MX": [10, "mx.example.com"]} ],
  "mx.example.com": [ {"A": "192.0.2.20"}, {"AAAA": "2001:db8::20"} ],
  "host.example.com": [ {"A": "192.0.2.10"}, {"AAAA": "2001:db8::10"} ],
  "10.2.0.192.in-addr.arpa": [ {"PTR": "host.example.com"}, {"PTR": "example.com"} ],
  "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa": [ {"PTR": "host.example.com"} ],
  "inc.example.com": [ {"TXT": "v=spf1 ip4:198.51.100.0/24 a:host.example.com -all exp=exp.example.com"} ],
  "loop.example.com": [ {"TXT": "v=spf1 include:example.com -all"} ],
  "redir.example.com": [ {"TXT": "v=spf1 redirect=example.com"} ],
  "exp.example.com": [ {"TXT": "%{i} %{ir} %{p} %{s} %{l1r-} %{o} %{d2} %{c} %{r} %{t} %{v} %{h} %{S} is not allowed"} ],
  "slow.example.com": [ "TIMEOUT" ],
  "two.example.com": [ {"TXT": "v=spf1 -all"}, {"TXT": "v=spf1 +all"} ],
  "many.example.com": [ {"MX": [0, "mx.example.com"]}, {"MX": [1, "mx.example.com"]}, {"MX": [2, "mx.example.com"]},
                        {"MX": [3, "mx.example.com"]}, {"MX": [4, "mx.example.com"]}, {"MX": [5, "mx.example.com"]},
                        {"MX": [6, "mx.example.com"]}, {"MX": [7, "mx.example.com"]}, {"MX": [8, "mx.example.com"]},
                        {"MX": [9, "mx.example.com"]}, {"MX": [10, "mx.example.com"]} ],
  "10.2.0.192.in-addr._spf.example.com": [ {"A": "127.0.0.2"} ]
})";

constexpr const char *kIps[] = {"192.0.2.10", "192.0.2.20",   "198.51.100.7",      "2001:db8::10",
                                "2001:db8::20", "::ffff:192.0.2.10", "203.0.113.1", "2001:db8:ffff::1"};
constexpr const char *kSenders[] = {"user@example.com", "", "@example.com", "strong-bad+x@Example.COM"};

presend::FixtureResolver &zone() {
    static std::unique_ptr<presend::FixtureResolver> z = [] {
        auto r = presend::FixtureResolver::from_json(kZone);
        if (!r) __builtin_trap();
        return std::move(*r);
    }();
    return *z;
}

void check_json(const std::string &out) {
    cJSON *doc = cJSON_ParseWithLength(out.data(), out.size());
    if (doc == nullptr) __builtin_trap();
    cJSON_Delete(doc);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    const uint8_t sel = data[0];
    std::string_view text(reinterpret_cast<const char *>(data + 1), size - 1);

    // The parser.
    auto rec = presend::spf_parse(text);
    if (!rec) {
        const auto &e = rec.error();
        if (e.status != presend::Status::parse || e.message.empty() || e.position > text.size()) __builtin_trap();
    } else {
        if (rec->text != text) __builtin_trap();
        for (const auto &t : rec->terms) {
            if (t.text.empty() || t.position + t.text.size() > text.size()) __builtin_trap();
            if (text.substr(t.position, t.text.size()) != t.text) __builtin_trap();
            if (t.cidr4 > 32 || t.cidr6 > 128) __builtin_trap();
        }
        if (rec->lookup_terms() > rec->terms.size()) __builtin_trap();
    }

    // Lint agrees with the parser about syntax.
    auto findings = presend::spf_lint_record(text);
    bool syntax = false;
    for (const auto &f : findings) {
        if (f.code.rfind("spf.", 0) != 0 || f.message.empty()) __builtin_trap();
        if (f.position != presend::Error::npos && f.position > text.size()) __builtin_trap();
        if (f.code == "spf.syntax") syntax = true;
    }
    if (syntax == rec.ok()) __builtin_trap();
    {
        std::string out;
        presend::JsonWriter w(out);
        presend::write_spf_record_json(w, rec ? *rec : presend::SpfRecord{}, findings);
        check_json(out);
    }

    // check_host() with the input as example.com's record.
    presend::FixtureResolver &dns = zone();
    dns.zone()["example.com"].records[presend::RRType::TXT] = {std::string(text)};
    presend::SpfRequest req;
    req.ip = kIps[sel & 7];
    req.mail_from = kSenders[(sel >> 3) & 3];
    req.helo = (sel & 0x20) != 0 ? "example.com" : "mail.example.com";
    req.receiver = (sel & 0x40) != 0 ? "mx.receiver.example" : "";
    req.now = 1700000000;
    presend::SpfOutcome o = presend::spf_check_host(dns, req);
    using presend::SpfResult;
    switch (o.result) {
        case SpfResult::none:
        case SpfResult::neutral:
        case SpfResult::pass:
        case SpfResult::fail:
        case SpfResult::softfail:
        case SpfResult::temperror:
        case SpfResult::permerror: break;
        default: __builtin_trap();
    }
    bool error = o.result == SpfResult::permerror || o.result == SpfResult::temperror;
    if (o.lookups < 0 || o.lookups > presend::kSpfLookupLimit + 1) __builtin_trap();
    if (o.lookups > presend::kSpfLookupLimit && o.result != SpfResult::permerror) __builtin_trap();
    if (o.void_lookups < 0 || o.void_lookups > presend::kSpfVoidLookupLimit + 1) __builtin_trap();
    if (o.void_lookups > presend::kSpfVoidLookupLimit && o.result != SpfResult::permerror) __builtin_trap();
    if (error && o.problem.empty()) __builtin_trap();
    if (o.result != SpfResult::fail && !o.explanation.empty()) __builtin_trap();
    // Whenever example.com's policy is the one checked, it must agree with the parser.
    bool checks_example = o.domain == "example.com" || o.domain == "Example.COM";
    if (checks_example) {
        if (!presend::spf_is_record(text) && o.result != SpfResult::none) __builtin_trap();
        if (presend::spf_is_record(text) && !rec && o.result != SpfResult::permerror) __builtin_trap();
        if (rec && o.result == SpfResult::none) __builtin_trap();
    }
    if (!o.matched.empty() && error) __builtin_trap();
    {
        std::string out;
        presend::JsonWriter w(out);
        presend::write_spf_outcome_json(w, o);
        check_json(out);
    }
    return 0;
}
