#include "config.hpp"

#include <cjson/cJSON.h>
#include <openssl/sha.h>

#include <arpa/inet.h>

#include <functional>

#include "json.hpp"
#include "reasons.hpp"
#ifdef PRESEND_HAVE_REDIS
#include "redis_ledger.hpp"
#endif

namespace presend {

std::string_view mode_name(Mode m) noexcept {
    switch (m) {
        case Mode::enforce: return "enforce";
        case Mode::monitor: return "monitor";
        case Mode::off: return "off";
    }
    return "off";
}

std::string_view stream_name(Stream s) noexcept {
    return s == Stream::marketing ? "marketing" : "transactional";
}

namespace {

constexpr size_t kMaxConfigBytes = 4u * 1024 * 1024;
constexpr Status kC = Status::config;

Error cerr(std::string msg) { return Error{kC, std::move(msg)}; }

// Walks an object's members, dispatching each key to a handler; unknown keys
// are an error naming their path.
using Handler = std::function<std::optional<Error>(const cJSON *, const std::string &path)>;

std::optional<Error> each_member(const cJSON *obj, const std::string &path,
                                 const std::vector<std::pair<std::string_view, Handler>> &handlers) {
    if (!json_is_object(obj)) return cerr(path + " must be an object");
    for (const cJSON *m = json_child(obj); m != nullptr; m = json_next(m)) {
        std::string_view k = json_key(m);
        std::string sub = path.empty() ? std::string(k) : path + "." + std::string(k);
        bool known = false;
        for (const auto &[name, handler] : handlers) {
            if (name == k) {
                known = true;
                if (auto e = handler(m, sub)) return e;
                break;
            }
        }
        if (!known) return cerr("unknown configuration key \"" + sub + "\"");
    }
    return std::nullopt;
}

Handler str_into(std::string &out) {
    return [&out](const cJSON *v, const std::string &path) -> std::optional<Error> {
        auto s = json_string(v, path, kC);
        if (!s) return std::move(s).error();
        out = std::string(*s);
        return std::nullopt;
    };
}

Handler bool_into(bool &out) {
    return [&out](const cJSON *v, const std::string &path) -> std::optional<Error> {
        auto b = json_bool(v, path, kC);
        if (!b) return std::move(b).error();
        out = *b;
        return std::nullopt;
    };
}

Handler int_into(int64_t &out, int64_t min, int64_t max) {
    return [&out, min, max](const cJSON *v, const std::string &path) -> std::optional<Error> {
        auto i = json_int(v, path, min, max, kC);
        if (!i) return std::move(i).error();
        out = *i;
        return std::nullopt;
    };
}

Handler mode_into(Mode &out) {
    return [&out](const cJSON *v, const std::string &path) -> std::optional<Error> {
        auto s = json_string(v, path, kC);
        if (!s) return std::move(s).error();
        if (*s == "enforce") out = Mode::enforce;
        else if (*s == "monitor") out = Mode::monitor;
        else if (*s == "off") out = Mode::off;
        else return cerr(path + " must be \"enforce\", \"monitor\" or \"off\"");
        return std::nullopt;
    };
}

Handler stream_into(Stream &out) {
    return [&out](const cJSON *v, const std::string &path) -> std::optional<Error> {
        auto s = json_string(v, path, kC);
        if (!s) return std::move(s).error();
        if (*s == "marketing") out = Stream::marketing;
        else if (*s == "transactional") out = Stream::transactional;
        else return cerr(path + " must be \"marketing\" or \"transactional\"");
        return std::nullopt;
    };
}

Handler strings_into(std::vector<std::string> &out) {
    return [&out](const cJSON *v, const std::string &path) -> std::optional<Error> {
        if (!json_is_array(v)) return cerr(path + " must be an array of strings");
        size_t i = 0;
        for (const cJSON *el = json_child(v); el != nullptr; el = json_next(el), ++i) {
            auto s = json_string(el, path + "[" + std::to_string(i) + "]", kC);
            if (!s) return std::move(s).error();
            out.emplace_back(*s);
        }
        return std::nullopt;
    };
}

// A domain name in the form presend compares: A-label, lower-case.
Handler domain_into(std::string &out) {
    return [&out](const cJSON *v, const std::string &path) -> std::optional<Error> {
        auto s = json_string(v, path, kC);
        if (!s) return std::move(s).error();
        auto d = normalize_domain(*s);
        if (!d) return cerr(path + ": " + d.error().message);
        out = std::move(*d);
        return std::nullopt;
    };
}

std::optional<Error> parse_identity(const cJSON *v, const std::string &path, IdentityConfig &id) {
    auto e = each_member(v, path, {
        {"regions", strings_into(id.regions)},
        {"dkim_selectors", strings_into(id.dkim_selectors)},
        {"easy_dkim_tokens", strings_into(id.easy_dkim_tokens)},
        {"dkim_provider_suffix", domain_into(id.dkim_provider_suffix)},
        {"mail_from", domain_into(id.mail_from)},
        {"provider_mail_from", domain_into(id.provider_mail_from)},
        {"spf_include", domain_into(id.spf_include)},
        {"sending_ips", strings_into(id.sending_ips)},
    });
    if (e) return e;
    if (id.regions.empty()) return cerr(path + ".regions must name the regions where the identity is verified");
    for (const auto &sel : id.dkim_selectors) {
        if (sel.empty() || sel.find_first_of(" \t@") != std::string::npos) return cerr(path + ".dkim_selectors: invalid selector \"" + sel + "\"");
    }
    for (const auto &ip : id.sending_ips) {
        unsigned char buf[16];
        if (inet_pton(AF_INET, ip.c_str(), buf) != 1 && inet_pton(AF_INET6, ip.c_str(), buf) != 1) {
            return cerr(path + ".sending_ips: \"" + ip + "\" is not an IP address");
        }
    }
    if (!id.mail_from.empty() && id.mail_from != id.domain && !(id.mail_from.size() > id.domain.size() &&
        id.mail_from.compare(id.mail_from.size() - id.domain.size() - 1, std::string::npos, "." + id.domain) == 0)) {
        return cerr(path + ".mail_from: a custom MAIL FROM domain must be a subdomain of " + id.domain);
    }
    return std::nullopt;
}

constexpr int64_t kMaxLimit = int64_t{1} << 40;
constexpr int64_t kMaxRateLimit = 1000000;

std::optional<Error> parse_region(const cJSON *v, const std::string &path, RegionLimits &r, Tier tier) {
    bool has_24h = false, has_rate = false, has_burst = false;
    auto e = each_member(v, path, {
        {"max_24h", [&](const cJSON *x, const std::string &p) { has_24h = true; return int_into(r.max_24h, 0, kMaxLimit)(x, p); }},
        {"max_rate", [&](const cJSON *x, const std::string &p) { has_rate = true; return int_into(r.max_rate, 1, kMaxRateLimit)(x, p); }},
        {"burst", [&](const cJSON *x, const std::string &p) { has_burst = true; return int_into(r.burst, 1, kMaxRateLimit * 60)(x, p); }},
    });
    if (e) return e;
    // A region without numbers gets SES's figures for the tier.
    if (!has_24h) r.max_24h = tier == Tier::sandbox ? kSandboxMax24h : kProductionMax24h;
    if (!has_rate) r.max_rate = tier == Tier::sandbox ? kSandboxMaxRate : kProductionMaxRate;
    if (!has_burst) r.burst = r.max_rate;
    return std::nullopt;
}

std::optional<Error> parse_account(const cJSON *v, const std::string &path, AccountConfig &a,
                                   const NormalizeOptions &norm) {
    // The tier decides the regions' defaults, so read it first.
    const cJSON *tier = cJSON_GetObjectItemCaseSensitive(v, "tier");
    if (tier != nullptr) {
        auto s = json_string(tier, path + ".tier", kC);
        if (!s) return std::move(s).error();
        if (*s == "production") a.tier = Tier::production;
        else if (*s == "sandbox") a.tier = Tier::sandbox;
        else return cerr(path + ".tier must be \"production\" or \"sandbox\"");
    }
    bool has_regions = false;
    auto e = each_member(v, path, {
        {"tier", [](const cJSON *, const std::string &) { return std::optional<Error>(); }},
        {"max_recipients_per_message", int_into(a.max_recipients_per_message, 1, 100000)},
        {"aws_account_id", [&](const cJSON *x, const std::string &p) -> std::optional<Error> {
             auto s = json_string(x, p, kC);
             if (!s) return std::move(s).error();
             if (s->size() != 12 || s->find_first_not_of("0123456789") != std::string_view::npos) {
                 return cerr(p + " must be the 12-digit AWS account ID");
             }
             a.aws_account_id = std::string(*s);
             return std::nullopt;
         }},
        {"verified_recipients", [&](const cJSON *x, const std::string &p) -> std::optional<Error> {
             if (!json_is_array(x)) return cerr(p + " must be an array of addresses or domains");
             size_t i = 0;
             for (const cJSON *el = json_child(x); el != nullptr; el = json_next(el), ++i) {
                 std::string what = p + "[" + std::to_string(i) + "]";
                 auto s = json_string(el, what, kC);
                 if (!s) return std::move(s).error();
                 std::string_view text = *s;
                 if (text.find('@') == std::string_view::npos || text.front() == '@') {
                     if (!text.empty() && text.front() == '@') text.remove_prefix(1);
                     auto d = normalize_domain(text);
                     if (!d) return cerr(what + ": " + d.error().message);
                     a.verified_recipients.push_back(std::move(*d));
                 } else {
                     auto n = normalize_address(text, norm);
                     if (!n) return cerr(what + ": " + n.error().message);
                     a.verified_recipients.push_back(std::move(*n));
                 }
             }
             return std::nullopt;
         }},
        {"regions", [&](const cJSON *x, const std::string &p) -> std::optional<Error> {
             has_regions = true;
             if (!json_is_object(x)) return cerr(p + " must be an object of regions");
             for (const cJSON *r = json_child(x); r != nullptr; r = json_next(r)) {
                 std::string name = json_key(r);
                 if (name.empty()) return cerr(p + " has an empty region name");
                 RegionLimits limits;
                 if (auto err = parse_region(r, p + "." + name, limits, a.tier)) return err;
                 a.regions[name] = limits;
             }
             return std::nullopt;
         }},
    });
    if (e) return e;
    if (!has_regions || a.regions.empty()) return cerr(path + ".regions must name at least one region");
    return std::nullopt;
}

}  // namespace

Result<Config> parse_config(std::string_view json) {
    auto doc = json_parse(json, kMaxConfigBytes);
    if (!doc) {
        Error err = std::move(doc).error();
        err.message = "configuration: " + err.message;
        return err;
    }
    Config c;
    {
        unsigned char md[SHA256_DIGEST_LENGTH];
        SHA256(reinterpret_cast<const unsigned char *>(json.data()), json.size(), md);
        static constexpr char kHex[] = "0123456789abcdef";
        for (unsigned char b : md) {
            c.source_sha256.push_back(kHex[b >> 4]);
            c.source_sha256.push_back(kHex[b & 15]);
        }
    }
    const cJSON *root = doc->get();
    if (!json_is_object(root)) return cerr("configuration must be a JSON object");

    // The address rules apply to verified_recipients, so read them first.
    if (const cJSON *addr = cJSON_GetObjectItemCaseSensitive(root, "address")) {
        if (auto e = each_member(addr, "address",
                                 {{"local_part_case_insensitive", bool_into(c.address.local_part_case_insensitive)}})) {
            return *e;
        }
    }

    std::string durability = "normal";
    auto e = each_member(root, "", {
        {"store", str_into(c.store)},
        {"fail_open", bool_into(c.fail_open)},
        {"address", [](const cJSON *, const std::string &) { return std::optional<Error>(); }},
        {"durability", str_into(durability)},
        {"busy_timeout_ms", int_into(c.busy_timeout_ms, 0, 3600000)},
        {"unavailable_retry_ms", int_into(c.unavailable_retry_ms, 0, 86400000)},
        {"defaults", [&](const cJSON *v, const std::string &p) {
             return each_member(v, p, {{"account", str_into(c.default_account)},
                                       {"region", str_into(c.default_region)},
                                       {"stream", stream_into(c.default_stream)}});
         }},
        {"accounts", [&](const cJSON *v, const std::string &p) -> std::optional<Error> {
             if (!json_is_object(v)) return cerr(p + " must be an object of accounts");
             for (const cJSON *a = json_child(v); a != nullptr; a = json_next(a)) {
                 AccountConfig acct;
                 acct.name = json_key(a);
                 if (acct.name.empty()) return cerr(p + " has an empty account name");
                 if (auto err = parse_account(a, p + "." + acct.name, acct, c.address)) return err;
                 c.accounts[acct.name] = std::move(acct);
             }
             return std::nullopt;
         }},
        {"checks", [&](const cJSON *v, const std::string &p) {
             return each_member(v, p, {
                 {"recipient", [&](const cJSON *x, const std::string &q) {
                      return each_member(x, q, {{"mode", mode_into(c.recipient.mode)}});
                  }},
                 {"consent", [&](const cJSON *x, const std::string &q) {
                      return each_member(x, q, {{"mode", mode_into(c.consent.mode)},
                                                {"require_double_opt_in", bool_into(c.consent.require_double_opt_in)}});
                  }},
                 {"suppression", [&](const cJSON *x, const std::string &q) {
                      return each_member(x, q, {{"mode", mode_into(c.suppression.mode)}});
                  }},
                 {"unsubscribe", [&](const cJSON *x, const std::string &q) {
                      return each_member(x, q, {{"mode", mode_into(c.unsubscribe.mode)},
                                                {"accept_mailto_only", bool_into(c.unsubscribe.accept_mailto_only)}});
                  }},
                 {"quota", [&](const cJSON *x, const std::string &q) {
                      return each_member(x, q, {{"mode", mode_into(c.quota.mode)},
                                                {"approaching_ratio", [&](const cJSON *y, const std::string &r) -> std::optional<Error> {
                                                     auto d = json_number(y, r, kC);
                                                     if (!d) return std::move(d).error();
                                                     if (*d <= 0 || *d > 1) return cerr(r + " must be in (0, 1]");
                                                     c.quota.approaching_ratio = *d;
                                                     return std::nullopt;
                                                 }}});
                  }},
                 {"auth", [&](const cJSON *x, const std::string &q) -> std::optional<Error> {
                      int64_t hours = 24;
                      std::string bulk = "auto", dmarc = "dmarcbis";
                      auto err = each_member(x, q, {{"mode", mode_into(c.auth.mode)},
                                                    {"stale_after_hours", int_into(hours, 1, 24 * 366)},
                                                    {"bulk_sender", [&](const cJSON *y, const std::string &r) -> std::optional<Error> {
                                                         if (cJSON_IsBool(y)) {
                                                             bulk = cJSON_IsTrue(y) ? "yes" : "no";
                                                             return std::nullopt;
                                                         }
                                                         return str_into(bulk)(y, r);
                                                     }},
                                                    {"bulk_threshold", int_into(c.auth.bulk_threshold, 1, kMaxLimit)},
                                                    {"dmarc_mode", str_into(dmarc)},
                                                    {"block", strings_into(c.auth.block)}});
                      if (err) return err;
                      c.auth.stale_after_ms = hours * 3600 * 1000;
                      if (bulk == "auto") c.auth.bulk_sender = BulkSender::automatic;
                      else if (bulk == "yes") c.auth.bulk_sender = BulkSender::yes;
                      else if (bulk == "no") c.auth.bulk_sender = BulkSender::no;
                      else return cerr(q + ".bulk_sender must be true, false or \"auto\"");
                      if (dmarc == "dmarcbis") c.auth.dmarc_mode = DmarcDiscoveryMode::dmarcbis;
                      else if (dmarc == "rfc7489") c.auth.dmarc_mode = DmarcDiscoveryMode::rfc7489;
                      else return cerr(q + ".dmarc_mode must be \"dmarcbis\" or \"rfc7489\"");
                      for (const auto &code : c.auth.block) {
                          if (code.rfind("auth.", 0) != 0 || find_reason(code) == nullptr) {
                              return cerr(q + ".block: \"" + code + "\" is not an auth.* reason code");
                          }
                      }
                      return std::nullopt;
                  }},
                 {"reputation", [&](const cJSON *x, const std::string &q) -> std::optional<Error> {
                      int64_t hours = 168, retry_minutes = 60;
                      auto &r = c.reputation;
                      auto rate_into = [](double &out) -> Handler {
                          return [&out](const cJSON *y, const std::string &path) -> std::optional<Error> {
                              auto d = json_number(y, path, kC);
                              if (!d) return std::move(d).error();
                              if (!(*d > 0 && *d <= 1)) return cerr(path + " must be a rate in (0, 1], e.g. 0.04 for 4%");
                              out = *d;
                              return std::nullopt;
                          };
                      };
                      auto err = each_member(x, q, {{"mode", mode_into(r.mode)},
                                                    {"window_hours", int_into(hours, 1, 24 * 90)},
                                                    {"min_volume", int_into(r.min_volume, 1, kMaxLimit)},
                                                    {"bounce_warn", rate_into(r.bounce_warn)},
                                                    {"bounce_defer", rate_into(r.bounce_defer)},
                                                    {"complaint_warn", rate_into(r.complaint_warn)},
                                                    {"complaint_defer", rate_into(r.complaint_defer)},
                                                    {"retry_after_minutes", int_into(retry_minutes, 1, 7 * 24 * 60)}});
                      if (err) return err;
                      r.window_ms = hours * 3600 * 1000;
                      r.retry_after_ms = retry_minutes * 60 * 1000;
                      if (r.bounce_warn > r.bounce_defer) return cerr(q + ".bounce_warn must not exceed bounce_defer");
                      if (r.complaint_warn > r.complaint_defer) {
                          return cerr(q + ".complaint_warn must not exceed complaint_defer");
                      }
                      return std::nullopt;
                  }},
                 {"frequency", [&](const cJSON *x, const std::string &q) {
                      int64_t hours = 0;
                      auto err = each_member(x, q, {{"mode", mode_into(c.frequency.mode)},
                                                    {"max_messages", int_into(c.frequency.max_messages, 1, 1000000)},
                                                    {"period_hours", int_into(hours, 1, 24 * 366)},
                                                    {"per_list", bool_into(c.frequency.per_list)}});
                      if (err) return err;
                      c.frequency.period_ms = hours * 3600 * 1000;
                      if (c.frequency.mode != Mode::off && (c.frequency.max_messages == 0 || hours == 0)) {
                          return std::optional<Error>(cerr(q + " needs max_messages and period_hours when it is on"));
                      }
                      return std::optional<Error>();
                  }},
             });
         }},
        {"identities", [&](const cJSON *v, const std::string &p) -> std::optional<Error> {
             if (!json_is_object(v)) return cerr(p + " must be an object of identities (domains or addresses)");
             for (const cJSON *x = json_child(v); x != nullptr; x = json_next(x)) {
                 std::string key = json_key(x);
                 std::string where = p + "." + key;
                 IdentityConfig id;
                 if (key.find('@') != std::string::npos) {
                     auto n = normalize_address(key, c.address);
                     if (!n) return cerr(where + ": " + n.error().message);
                     id.name = *n;
                     id.is_address = true;
                     id.domain = id.name.substr(id.name.rfind('@') + 1);
                 } else {
                     auto d = normalize_domain(key);
                     if (!d) return cerr(where + ": " + d.error().message);
                     id.name = *d;
                     id.domain = *d;
                 }
                 if (auto err = parse_identity(x, where, id)) return err;
                 if (c.identities.contains(id.name)) return cerr(where + ": the identity is listed twice");
                 c.identities[id.name] = std::move(id);
             }
             return std::nullopt;
         }},
        {"dns", [&](const cJSON *v, const std::string &p) -> std::optional<Error> {
             auto err = each_member(v, p, {{"resolver", str_into(c.dns.resolver)},
                                           {"zone", str_into(c.dns.zone)},
                                           {"timeout_ms", int_into(c.dns.timeout_ms, 100, 60000)},
                                           {"attempts", int_into(c.dns.attempts, 1, 10)},
                                           {"nameservers", strings_into(c.dns.nameservers)},
                                           {"cache", bool_into(c.dns.cache)}});
             if (err) return err;
             if (c.dns.resolver != "system" && c.dns.resolver != "fixture") {
                 return cerr(p + ".resolver must be \"system\" or \"fixture\"");
             }
             if (c.dns.resolver == "fixture" && c.dns.zone.empty()) return cerr(p + ".zone must name the fixture file");
             return std::nullopt;
         }},
        {"ledger", [&](const cJSON *v, const std::string &p) -> std::optional<Error> {
             auto err = each_member(v, p, {{"backend", str_into(c.ledger_backend)},
                                           {"url", str_into(c.redis.url)},
                                           {"connect_timeout_ms", int_into(c.redis.connect_timeout_ms, 10, 60000)},
                                           {"command_timeout_ms", int_into(c.redis.command_timeout_ms, 10, 60000)},
                                           {"prefix", str_into(c.redis.prefix)},
                                           {"share_suppressions", bool_into(c.redis.share_suppressions)},
                                           {"stream_max", int_into(c.redis.stream_max, 1000, int64_t{1} << 40)}});
             if (err) return err;
#ifdef PRESEND_HAVE_REDIS
             if (c.ledger_backend != "sqlite" && c.ledger_backend != "redis") {
                 return cerr(p + ".backend must be \"sqlite\" or \"redis\"");
             }
             if (c.ledger_backend == "redis") {
                 auto u = parse_redis_url(c.redis.url);
                 if (!u) return cerr(p + ".url: " + u.error().message);
                 if (u->tls) return cerr(p + ".url: rediss:// (TLS) is not supported by this build");
             }
#else
             if (c.ledger_backend != "sqlite") {
                 return cerr(p + ".backend \"" + c.ledger_backend + "\" is not supported by this build (use \"sqlite\")");
             }
#endif
             return std::nullopt;
         }},
        {"events", [&](const cJSON *v, const std::string &p) -> std::optional<Error> {
             std::string verify = "auto";
             auto err = each_member(v, p, {{"sns_verify", str_into(verify)}, {"sns_cert_dir", str_into(c.events.sns_cert_dir)}});
             if (err) return err;
             if (verify == "auto") c.events.sns_verify = SnsVerify::automatic;
             else if (verify == "off") c.events.sns_verify = SnsVerify::off;
             else if (verify == "if_present") c.events.sns_verify = SnsVerify::if_present;
             else if (verify == "required") c.events.sns_verify = SnsVerify::required;
             else return cerr(p + ".sns_verify must be \"auto\", \"off\", \"if_present\" or \"required\"");
             return std::nullopt;
         }},
        {"audit", [&](const cJSON *v, const std::string &p) -> std::optional<Error> {
             std::string addresses = "clear";
             auto err = each_member(v, p, {{"key", str_into(c.audit.key)},
                                           {"key_file", str_into(c.audit.key_file)},
                                           {"key_env", str_into(c.audit.key_env)},
                                           {"addresses", str_into(addresses)}});
             if (err) return err;
             int given = !c.audit.key.empty() + !c.audit.key_file.empty() + !c.audit.key_env.empty();
             if (given > 1) return cerr(p + ": give one of key, key_file and key_env");
             if (!c.audit.key.empty() && c.audit.key.size() < 16) return cerr(p + ".key must be at least 16 bytes");
             if (addresses == "clear") c.audit.addresses = AddressForm::clear;
             else if (addresses == "hashed") c.audit.addresses = AddressForm::hashed;
             else return cerr(p + ".addresses must be \"clear\" or \"hashed\"");
             return std::nullopt;
         }},
        {"plugin_dirs", strings_into(c.plugin_dirs)},
        {"plugins", [&](const cJSON *v, const std::string &p) -> std::optional<Error> {
             if (!json_is_array(v)) return cerr(p + " must be an array of plugins");
             size_t i = 0;
             for (const cJSON *x = json_child(v); x != nullptr; x = json_next(x), ++i) {
                 std::string where = p + "[" + std::to_string(i) + "]";
                 PluginConfig pc;
                 auto err = each_member(x, where, {
                     {"name", str_into(pc.name)},
                     {"mode", mode_into(pc.mode)},
                     {"config", [&](const cJSON *y, const std::string &q) -> std::optional<Error> {
                          if (!json_is_object(y)) return cerr(q + " must be an object");
                          char *text = cJSON_PrintUnformatted(y);
                          if (text == nullptr) return cerr(q + ": out of memory");
                          pc.config_json = text;
                          cJSON_free(text);
                          return std::nullopt;
                      }},
                 });
                 if (err) return err;
                 if (pc.name.empty() || pc.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos) {
                     return cerr(where + ".name must be a plugin name of [a-z0-9_]");
                 }
                 for (const auto &other : c.plugins) {
                     if (other.name == pc.name) return cerr(where + ": plugin \"" + pc.name + "\" is listed twice");
                 }
                 c.plugins.push_back(std::move(pc));
             }
             return std::nullopt;
         }},
    });
    if (e) return *e;

    if (!c.plugins.empty() && c.plugin_dirs.empty()) {
        return cerr("plugins need plugin_dirs: presend loads plugins only from directories the configuration names");
    }
    if (durability == "normal") c.durability = Durability::normal;
    else if (durability == "full") c.durability = Durability::full;
    else return cerr("durability must be \"normal\" or \"full\"");

    if (c.accounts.empty()) return cerr("accounts must configure at least one account");
    if (!c.default_account.empty()) {
        auto it = c.accounts.find(c.default_account);
        if (it == c.accounts.end()) return cerr("defaults.account \"" + c.default_account + "\" is not in accounts");
        if (!c.default_region.empty() && !it->second.regions.contains(c.default_region)) {
            return cerr("defaults.region \"" + c.default_region + "\" is not configured for account \"" +
                        c.default_account + "\"");
        }
    } else if (c.accounts.size() == 1) {
        c.default_account = c.accounts.begin()->first;
    }
    if (c.default_region.empty() && !c.default_account.empty()) {
        const auto &regions = c.accounts[c.default_account].regions;
        if (regions.size() == 1) c.default_region = regions.begin()->first;
    }
    return c;
}

}  // namespace presend
