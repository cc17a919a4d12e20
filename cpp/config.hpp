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
};

enum class Durability { normal, full };

struct Config {
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

    NormalizeOptions address;
    Durability durability = Durability::normal;
    int64_t busy_timeout_ms = 10000;
    int64_t unavailable_retry_ms = 30000;
    std::string ledger_backend = "sqlite";
};

// Parses configuration JSON. Unknown keys are errors (a misspelt key must not
// silently leave a check at its default); the message names the key's path.
Result<Config> parse_config(std::string_view json);

}  // namespace presend
