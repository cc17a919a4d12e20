// Runs the RFC 7208 test suite against spf_check_host(). The input is the
// JSON that rfc7208_suite.py makes from the suite's YAML: per scenario a zone
// in the DNS fixture format, TXT strings the format cannot carry (as hex),
// and the cases. Prints every failing case with what was expected and what
// came out; exits 1 if any case fails.
//
// An explanation that differs from the expected one only in letter case is
// accepted and listed: the suite's v-macro-ip6 case writes the nibbles of
// %{ir} in upper case, RFC 7208 7.4 writes them in lower case (as presend
// does), and DNS names are case-insensitive.
#include <cjson/cJSON.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "dns.hpp"
#include "json.hpp"
#include "spf.hpp"
#include "text.hpp"

namespace {

using presend::json_child;
using presend::json_key;
using presend::json_next;

std::string str(const cJSON *obj, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? std::string(v->valuestring) : std::string();
}

bool unhex(const std::string &hex, std::string &out) {
    auto digit = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    };
    if (hex.size() % 2 != 0) return false;
    out.clear();
    for (size_t i = 0; i < hex.size(); i += 2) {
        int hi = digit(hex[i]);
        int lo = digit(hex[i + 1]);
        if (hi < 0 || lo < 0) return false;
        out += static_cast<char>(hi * 16 + lo);
    }
    return true;
}

}  // namespace

int main(int argc, char **argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: spf_suite SUITE.json (made by rfc7208_suite.py)\n");
        return 2;
    }
    std::ifstream in(argv[1], std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "cannot read %s\n", argv[1]);
        return 2;
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto doc = presend::json_parse(text, 64u * 1024 * 1024);
    if (!doc) {
        std::fprintf(stderr, "%s: %s\n", argv[1], doc.error().message.c_str());
        return 2;
    }
    const cJSON *scenarios = cJSON_GetObjectItemCaseSensitive(doc->get(), "scenarios");
    if (!presend::json_is_array(scenarios)) {
        std::fprintf(stderr, "%s: no \"scenarios\" array\n", argv[1]);
        return 2;
    }

    size_t total = 0;
    size_t failed = 0;
    std::vector<std::string> case_only;
    std::vector<std::string> not_preferred;
    for (const cJSON *sc = json_child(scenarios); sc != nullptr; sc = json_next(sc)) {
        std::string section = str(sc, "description");
        char *zone_text = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(sc, "zone"));
        if (zone_text == nullptr) {
            std::fprintf(stderr, "%s: scenario \"%s\" has no zone\n", argv[1], section.c_str());
            return 2;
        }
        auto zone = presend::FixtureResolver::from_json(zone_text);
        cJSON_free(zone_text);
        if (!zone) {
            std::fprintf(stderr, "scenario \"%s\": %s\n", section.c_str(), zone.error().message.c_str());
            return 2;
        }
        presend::FixtureResolver &dns = **zone;
        const cJSON *raw = cJSON_GetObjectItemCaseSensitive(sc, "raw_txt");
        for (const cJSON *r = json_child(raw); r != nullptr; r = json_next(r)) {
            std::string bytes;
            if (!unhex(str(r, "hex"), bytes)) {
                std::fprintf(stderr, "scenario \"%s\": bad hex in raw_txt\n", section.c_str());
                return 2;
            }
            dns.zone()[presend::dns_name(str(r, "name"))].records[presend::RRType::TXT].push_back(bytes);
        }

        const cJSON *cases = cJSON_GetObjectItemCaseSensitive(sc, "cases");
        for (const cJSON *c = json_child(cases); c != nullptr; c = json_next(c)) {
            ++total;
            presend::SpfRequest req;
            req.ip = str(c, "host");
            req.mail_from = str(c, "mailfrom");
            req.helo = str(c, "helo");
            req.default_explanation = "DEFAULT";
            presend::SpfOutcome out = presend::spf_check_host(dns, req);
            std::string got(presend::spf_result_name(out.result));

            std::string expected;
            std::string preferred;
            bool result_ok = false;
            const cJSON *results = cJSON_GetObjectItemCaseSensitive(c, "results");
            for (const cJSON *r = json_child(results); r != nullptr; r = json_next(r)) {
                if (!expected.empty()) expected += " or ";
                else preferred = r->valuestring;
                expected += r->valuestring;
                if (got == r->valuestring) result_ok = true;
            }
            if (result_ok && got != preferred) {
                not_preferred.push_back(str(c, "name") + ": " + got + " (accepted; the suite prefers " + preferred + ")");
            }
            const cJSON *exp = cJSON_GetObjectItemCaseSensitive(c, "explanation");
            bool exp_ok = true;
            if (cJSON_IsString(exp)) {
                std::string want = exp->valuestring;
                if (out.explanation != want) {
                    exp_ok = presend::ascii_iequals(out.explanation, want);
                    if (exp_ok) case_only.push_back(str(c, "name"));
                }
            }
            if (result_ok && exp_ok) continue;
            ++failed;
            std::printf("FAIL %s / %s (RFC 7208 %s)\n", section.c_str(), str(c, "name").c_str(), str(c, "spec").c_str());
            std::printf("  host %s, mail from \"%s\", helo \"%s\"\n", req.ip.c_str(), req.mail_from.c_str(),
                        req.helo.c_str());
            std::printf("  result: expected %s, got %s\n", expected.c_str(), got.c_str());
            if (cJSON_IsString(exp)) {
                std::printf("  explanation: expected \"%s\", got \"%s\"\n", exp->valuestring, out.explanation.c_str());
            }
            if (!out.problem.empty()) std::printf("  problem: %s\n", out.problem.c_str());
            if (!out.matched.empty()) std::printf("  matched: %s (%s)\n", out.matched.c_str(), out.matched_domain.c_str());
        }
    }
    for (const auto &line : not_preferred) std::printf("note: %s\n", line.c_str());
    for (const auto &name : case_only) {
        std::printf("note: %s: explanation matched ignoring letter case\n", name.c_str());
    }
    std::printf("RFC 7208 test suite: %zu of %zu cases pass\n", total - failed, total);
    return failed == 0 && total > 0 ? 0 : 1;
}
