// The engine's configuration: parsed once at open, immutable afterwards.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "address.hpp"
#include "result.hpp"

namespace presend {

enum class Mode { enforce, monitor, off };
std::string_view mode_name(Mode m) noexcept;

enum class Tier { production, sandbox };
enum class Stream { marketing, transactional };
std::string_view stream_name(Stream s) noexcept;

// Amazon SES's published figures.
inline constexpr int64_t kSandboxMax24h = 200;
inline constexpr int64_t kSandboxMaxRate = 1;
inline constexpr int64_t kProductionMax24h = 50000;  // a new production account's usual start
inline constexpr int64_t kProductionMaxRate = 14;
inline constexpr int64_t kSesMaxRecipientsPerMessage = 50;

struct RegionLimits {
    int64_t max_24h = 0;
    int64_t max_rate = 0;  // recipients per second
    int64_t burst = 0;     // recipients that may go at once; at least 1
};

struct AccountConfig {
    std::string name;
    Tier tier = Tier::production;
    // Normalized addresses ("a@example.com") and domains ("example.com").
    std::vector<std::string> verified_recipients;
    std::map<std::string, RegionLimits, std::less<>> regions;
    int64_t max_recipients_per_message = kSesMaxRecipientsPerMessage;
    std::string aws_account_id;  // 12 digits; maps SES events (mail.sendingAccountId) to this account
};

enum class Durability { normal, full };

// A sending identity as SES knows it: a domain (covering its subdomains) or
// one address, verified in some regions, with how it authenticates mail.
struct IdentityConfig {
    std::string name;  // normalized: "example.com" (A-label) or "news@example.com"
    bool is_address = false;
    std::string domain;  // the domain part (the name itself for a domain identity)
    std::vector<std::string> regions;
    std::vector<std::string> dkim_selectors;    // selectors the sender publishes (TXT key records)
    std::vector<std::string> easy_dkim_tokens;  // SES Easy DKIM: <token>._domainkey CNAMEs to the provider
    std::string dkim_provider_suffix = "dkim.amazonses.com";
    std::string mail_from;  // custom MAIL FROM domain; empty: the provider's own (not aligned with From)
    std::string provider_mail_from = "amazonses.com";
    std::string spf_include = "amazonses.com";  // what the MAIL FROM domain's SPF must include
    std::vector<std::string> sending_ips;       // dedicated IPs the SPF record must pass
};

// A plugin to load: presend_<name>.so from the first of plugin_dirs that has it.
struct PluginConfig {
    std::string name;
    Mode mode = Mode::enforce;
    std::string config_json = "{}";  // handed to the plugin's init
};

// Amazon SES's review and pause thresholds for an account's rates.
inline constexpr double kSesBounceReview = 0.05;
inline constexpr double kSesBouncePause = 0.10;
inline constexpr double kSesComplaintReview = 0.001;
inline constexpr double kSesComplaintPause = 0.005;

// auto: verify signed envelopes when a certificate is at hand (sns_cert_dir
// or one the host passes), else accept them unchecked.
enum class SnsVerify { automatic, off, if_present, required };
enum class AddressForm { clear, hashed };

struct AuditConfig {
    // At most one of these; none: a key generated in the store (detects
    // damage, not deliberate edits by someone who can read the store).
    std::string key;       // the key itself (at least 16 bytes)
    std::string key_file;  // a file holding it
    std::string key_env;   // an environment variable holding it
    AddressForm addresses = AddressForm::clear;  // in decisions, the send log and the audit trail
};

enum class DmarcDiscoveryMode { dmarcbis, rfc7489 };
enum class BulkSender { automatic, yes, no };

struct DnsConfig {
    std::string resolver = "system";  // "system" or "fixture"
    std::string zone;                 // the fixture file (resolver "fixture")
    int64_t timeout_ms = 3000;
    int64_t attempts = 2;
    std::vector<std::string> nameservers;  // "address" or "address:port"; empty: resolv.conf
    bool cache = true;
};

struct Config {
    std::string source_sha256;  // hex SHA-256 of the JSON it was parsed from (the audit trail records it)
    std::string store;  // empty: not given
    bool fail_open = false;
    std::string default_account;  // empty when there is no default
    std::string default_region;
    Stream default_stream = Stream::marketing;
    std::map<std::string, AccountConfig, std::less<>> accounts;

    struct {
        Mode mode = Mode::enforce;
    } recipient;
    struct {
        Mode mode = Mode::enforce;
        bool require_double_opt_in = false;
    } consent;
    struct {
        Mode mode = Mode::enforce;
    } suppression;
    struct {
        Mode mode = Mode::enforce;
        bool accept_mailto_only = false;
    } unsubscribe;
    struct {
        Mode mode = Mode::enforce;
        double approaching_ratio = 0.9;
    } quota;
    struct {
        Mode mode = Mode::off;
        int64_t max_messages = 0;
        int64_t period_ms = 0;
        bool per_list = false;
    } frequency;
    struct {
        Mode mode = Mode::enforce;
        int64_t stale_after_ms = 24 * 3600 * 1000;
        BulkSender bulk_sender = BulkSender::automatic;
        int64_t bulk_threshold = 5000;  // recipients a day (Gmail's and Yahoo's bulk-sender line)
        DmarcDiscoveryMode dmarc_mode = DmarcDiscoveryMode::dmarcbis;
        std::vector<std::string> block;  // auth.* codes raised from warning to block
    } auth;

    // The reputation guard: bounce and complaint rates per account and
    // region over a rolling window, once the window has min_volume sends.
    struct {
        Mode mode = Mode::enforce;
        int64_t window_ms = 7LL * 24 * 3600 * 1000;
        int64_t min_volume = 500;
        double bounce_warn = 0.02;
        double bounce_defer = 0.04;      // under SES's 5% review threshold
        double complaint_warn = 0.0005;
        double complaint_defer = 0.0008;  // under SES's 0.1% review threshold
        int64_t retry_after_ms = 3600 * 1000;
    } reputation;
    struct {
        SnsVerify sns_verify = SnsVerify::automatic;
        std::string sns_cert_dir;  // trusted SNS signing certificates, by file name
    } events;
    AuditConfig audit;

    // Sender identities by normalized name; empty: the auth check is off.
    std::map<std::string, IdentityConfig, std::less<>> identities;
    DnsConfig dns;

    std::vector<std::string> plugin_dirs;  // the only directories plugins load from
    std::vector<PluginConfig> plugins;

    NormalizeOptions address;
    Durability durability = Durability::normal;
    int64_t busy_timeout_ms = 10000;
    int64_t unavailable_retry_ms = 30000;
    std::string ledger_backend = "sqlite";  // or "redis" (fleet mode)
    struct {
        std::string url = "redis://127.0.0.1:6379/0";
        int64_t connect_timeout_ms = 1000;
        int64_t command_timeout_ms = 1000;
        std::string prefix = "presend:";
        bool share_suppressions = true;  // suppressions and withdrawals reach every host
        int64_t stream_max = 1000000;    // changes the stream keeps (about)
    } redis;
};

// Parses configuration JSON. Unknown keys are errors (a misspelt key must not
// silently leave a check at its default); the message names the key's path.
Result<Config> parse_config(std::string_view json);

}  // namespace presend
