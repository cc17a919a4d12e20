// The synthetic population and traffic of the benchmark, shared by the driver
// (presend_bench) and the micro-benchmarks, so that both measure the same
// kind of data. Everything here is a pure function of its arguments: the
// same record index always gives the same address and consent record, so a
// store built once can be reused and spot-checked by a later run.
#pragma once

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>

namespace presend_bench {

// Bump when the generated records change: a stored population made by an
// older generator is rebuilt rather than reused.
inline constexpr int kGeneratorVersion = 2;

inline constexpr const char *kList = "weekly";
inline constexpr const char *kAccount = "prod";
inline constexpr const char *kRegion = "us-east-1";

inline uint64_t mix64(uint64_t x) {
    // The splitmix64 finalizer: a bijection with good avalanche.
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

// A small, fast, seedable generator for the traffic (splitmix64).
class Rng {
public:
    explicit Rng(uint64_t seed) : state_(seed) {}
    uint64_t next() {
        state_ += 0x9e3779b97f4a7c15ull;
        uint64_t x = state_;
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
        return x ^ (x >> 31);
    }
    // Uniform in [0, n), n > 0 (the modulo bias is far below what matters here).
    uint64_t below(uint64_t n) { return next() % n; }

private:
    uint64_t state_;
};

// Subscriber i's address, e.g. "user000123@example-417.com". Indices at or
// beyond the population size give addresses with no consent record.
inline std::string subscriber_address(int64_t i, int64_t domains) {
    char buf[64];
    auto d = static_cast<int64_t>(mix64(static_cast<uint64_t>(i) ^ 0x5eed0d0a11ULL) % static_cast<uint64_t>(domains));
    std::snprintf(buf, sizeof buf, "user%06" PRId64 "@example-%" PRId64 ".com", i, d);
    return buf;
}

inline std::string iso_time(int64_t unix_seconds) {
    std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

enum class Kind { single, double_opt_in, unconfirmed, unsubscribed };

// The shares of the population, in basis points (1/100 of a percent).
inline constexpr uint64_t kUnsubscribedBp = 200;  // 2 % withdrew consent
inline constexpr uint64_t kUnconfirmedBp = 100;   // 1 % never confirmed a double opt-in
inline constexpr uint64_t kSinglePct = 55;        // of the rest: 55 % single, 45 % double opt-in

inline Kind subscriber_kind(int64_t i) {
    uint64_t h = mix64(static_cast<uint64_t>(i) * 31 + 7);
    uint64_t bp = h % 10000;
    if (bp < kUnsubscribedBp) return Kind::unsubscribed;
    if (bp < kUnsubscribedBp + kUnconfirmedBp) return Kind::unconfirmed;
    return (h >> 20) % 100 < kSinglePct ? Kind::single : Kind::double_opt_in;
}

inline constexpr const char *kCsvHeader = "address,list,status,method,consented_at,confirmed_at,withdrawn_at,source,ip,country\n";

// Appends subscriber i's consent record as a CSV row (columns of kCsvHeader).
inline void append_consent_csv(std::string &out, int64_t i, int64_t domains) {
    static constexpr const char *kSources[] = {"signup-form", "checkout", "newsletter-popup", "event-2024", "import-2021"};
    static constexpr const char *kCountries[] = {"US", "DE", "GB", "FR", "CA", "NL", "BR", "IN", "ES", "SE"};
    uint64_t h = mix64(static_cast<uint64_t>(i) * 131 + 17);
    constexpr int64_t kSince = 1546300800;  // 2019-01-01T00:00:00Z
    constexpr int64_t kSpan = 6LL * 365 * 86400;
    int64_t consented = kSince + static_cast<int64_t>(h % kSpan);
    Kind kind = subscriber_kind(i);
    const char *status = "subscribed";
    const char *method = "single";
    std::string confirmed, withdrawn;
    switch (kind) {
        case Kind::single: break;
        case Kind::double_opt_in:
            method = "double";
            confirmed = iso_time(consented + static_cast<int64_t>((h >> 24) % 86400));
            break;
        case Kind::unconfirmed:
            status = "unconfirmed";
            method = "double";
            break;
        case Kind::unsubscribed:
            status = "unsubscribed";
            method = (h >> 8) % 2 == 0 ? "single" : "double";
            withdrawn = iso_time(consented + 86400 + static_cast<int64_t>((h >> 24) % (200 * 86400)));
            break;
    }
    char ip[32];
    std::snprintf(ip, sizeof ip, "%s.%u", (h >> 40) % 2 == 0 ? "198.51.100" : "203.0.113",
                  static_cast<unsigned>((h >> 48) % 254 + 1));
    out += subscriber_address(i, domains);
    out += ',';
    out += kList;
    out += ',';
    out += status;
    out += ',';
    out += method;
    out += ',';
    out += iso_time(consented);
    out += ',';
    out += confirmed;
    out += ',';
    out += withdrawn;
    out += ',';
    out += kSources[(h >> 12) % 5];
    out += ',';
    out += ip;
    out += ',';
    out += kCountries[(h >> 16) % 10];
    out += '\n';
}

inline uint64_t gcd(uint64_t a, uint64_t b) {
    while (b != 0) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

// The k-th suppressed subscriber: k -> k * stride mod records is a
// permutation when stride and records are coprime, so the suppressions are
// distinct and spread evenly over the population.
inline int64_t suppressed_subscriber(int64_t k, int64_t records) {
    auto n = static_cast<uint64_t>(records);
    uint64_t stride = 2654435761ull % n;
    if (stride == 0) stride = 1;
    while (gcd(stride, n) != 1) ++stride;
    return static_cast<int64_t>((static_cast<uint64_t>(k) * stride + 12345) % n);
}

// Suppression k: mostly hard bounces, then complaints, manual entries and
// unsubscribes scoped to the list.
struct SuppressionRow {
    std::string address;
    const char *reason;
    bool list_scoped;  // only for kList; else for every list and stream
};

inline SuppressionRow suppression_row(int64_t k, int64_t records, int64_t domains) {
    uint64_t h = mix64(static_cast<uint64_t>(k) + 99) % 100;
    const char *reason = h < 60 ? "bounce" : h < 85 ? "complaint" : h < 95 ? "manual" : "unsubscribe";
    return {subscriber_address(suppressed_subscriber(k, records), domains), reason, h >= 95};
}

// Suppression k as presend_suppression_put JSON.
inline std::string suppression_json(int64_t k, int64_t records, int64_t domains) {
    SuppressionRow row = suppression_row(k, records, domains);
    std::string out = "{\"address\":\"" + row.address + "\",\"reason\":\"" + row.reason + "\"";
    if (row.list_scoped) out += std::string(",\"list\":\"") + kList + "\"";
    out += ",\"note\":\"benchmark\"}";
    return out;
}

// What a run varies in the engine configuration.
struct ConfigChoice {
    bool frequency = false;
    std::string plugins_dir;   // non-empty: load both shipped plugins from here
    std::string redis_url;     // non-empty: the quota ledger on Redis at this URL
    std::string redis_prefix;  // of the Redis ledger's keys
    bool quota_only = false;   // every check off but quota
};

// `s` as the body of a JSON string.
inline std::string json_string_body(const std::string &s) {
    std::string out;
    for (char ch : s) {
        if (ch == '"' || ch == '\\') out += '\\';
        out += ch;
    }
    return out;
}

// The engine configuration: one production account and region with limits
// (within what presend accepts) that the run never reaches, every check
// enforced; the frequency cap is high enough never to defer, so that its
// reads and its send log writes are measured without changing verdicts.
//
// With `plugins_dir`, both shipped plugins are loaded from it and enforced:
// region_policy with the shipped pack (US by default; the records' countries
// decide the rest), and iam_least_privilege with a least-privilege policy
// that allows what the benchmark sends, so verdicts stay those of the run
// without plugins and the difference is the plugins' cost.
//
// With `redis_url`, the quota ledger is Redis (fleet mode), under
// `redis_prefix`, with the same limits. With `quota_only`, the recipient,
// consent, suppression, unsubscribe and frequency checks are off, so that a
// reserving check does little besides its reservation.
inline std::string config_json(const ConfigChoice &choice) {
    const char *other = choice.quota_only ? "off" : "enforce";
    std::string c =
        "{\"fail_open\":false,"
        "\"defaults\":{\"account\":\"prod\",\"region\":\"us-east-1\",\"stream\":\"marketing\"},"
        "\"accounts\":{\"prod\":{\"tier\":\"production\",\"regions\":{\"us-east-1\":"
        "{\"max_24h\":1099511627776,\"max_rate\":1000000,\"burst\":60000000}}}},";
    c += std::string("\"checks\":{\"recipient\":{\"mode\":\"") + other + "\"},"
         "\"consent\":{\"mode\":\"" + other + "\",\"require_double_opt_in\":false},"
         "\"suppression\":{\"mode\":\"" + other + "\"},"
         "\"unsubscribe\":{\"mode\":\"" + other + "\",\"accept_mailto_only\":false},"
         "\"quota\":{\"mode\":\"enforce\"},";
    c += choice.frequency && !choice.quota_only
             ? "\"frequency\":{\"mode\":\"enforce\",\"max_messages\":1000,\"period_hours\":24}"
             : "\"frequency\":{\"mode\":\"off\"}";
    if (choice.redis_url.empty()) {
        c += "},\"ledger\":{\"backend\":\"sqlite\"},";
    } else {
        c += "},\"ledger\":{\"backend\":\"redis\",\"url\":\"" + json_string_body(choice.redis_url) +
             "\",\"prefix\":\"" + json_string_body(choice.redis_prefix) + "\"},";
    }
    if (choice.plugins_dir.empty()) {
        c += "\"plugins\":[]}";
        return c;
    }
    c += "\"plugin_dirs\":[\"" + json_string_body(choice.plugins_dir) + "\"],\"plugins\":["
         "{\"name\":\"region_policy\",\"mode\":\"enforce\",\"config\":"
         "{\"default_jurisdiction\":\"US\",\"postal_address_in_template\":true}},"
         "{\"name\":\"iam_least_privilege\",\"mode\":\"enforce\",\"config\":"
         "{\"api\":\"v2\",\"lint\":\"strict\",\"accounts\":{\"prod\":{\"aws_account_id\":\"123456789012\","
         "\"policies\":[{\"Version\":\"2012-10-17\",\"Statement\":["
         "{\"Sid\":\"SendAsNews\",\"Effect\":\"Allow\",\"Action\":\"ses:SendEmail\","
         "\"Resource\":\"arn:aws:ses:us-east-1:123456789012:identity/example.com\","
         "\"Condition\":{\"StringEquals\":{\"ses:FromAddress\":\"news@example.com\"}}},"
         "{\"Sid\":\"ReadQuota\",\"Effect\":\"Allow\",\"Action\":\"ses:GetSendQuota\",\"Resource\":\"*\"}]}]}}}}]}";
    return c;
}

inline std::string config_json(bool frequency, const std::string &plugins_dir = "") {
    ConfigChoice choice;
    choice.frequency = frequency;
    choice.plugins_dir = plugins_dir;
    return config_json(choice);
}

// Builds one marketing message to `n` recipients into `out`: each recipient
// is a random subscriber, or (with probability unknown_bp / 10,000) an address
// with no consent record. The List-Unsubscribe URI carries a fresh token.
inline void build_message(std::string &out, Rng &rng, int n, int64_t records, int64_t domains, uint64_t unknown_bp,
                          const char *message_id_prefix, uint64_t seq) {
    static constexpr char kAlnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    char token[23];
    for (int i = 0; i < 22; ++i) token[i] = kAlnum[rng.below(62)];
    token[0] = kAlnum[rng.below(10)];  // a digit, as real opaque tokens have
    token[22] = '\0';
    out.clear();
    out += "{\"from\":\"News <news@example.com>\",\"mail_from\":\"bounce@mail.example.com\",\"to\":[";
    for (int i = 0; i < n; ++i) {
        int64_t idx = rng.below(10000) < unknown_bp ? records + static_cast<int64_t>(rng.below(static_cast<uint64_t>(records)))
                                                    : static_cast<int64_t>(rng.below(static_cast<uint64_t>(records)));
        if (i > 0) out += ',';
        out += '"';
        out += subscriber_address(idx, domains);
        out += '"';
    }
    out += "],\"account\":\"prod\",\"region\":\"us-east-1\",\"stream\":\"marketing\",\"list\":\"weekly\","
           "\"headers\":[[\"List-Unsubscribe\",\"<https://example.com/u/";
    out += token;
    out += ">, <mailto:unsubscribe+";
    out += token;
    out += "@example.com>\"],[\"List-Unsubscribe-Post\",\"List-Unsubscribe=One-Click\"]],\"message_id\":\"<";
    out += message_id_prefix;
    out += '.';
    out += std::to_string(seq);
    out += "@example.com>\"}";
}

}  // namespace presend_bench
