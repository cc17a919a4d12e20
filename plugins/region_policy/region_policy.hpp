// The region (jurisdiction) policy: the policy pack, the plugin's settings
// and the rules, as pure functions over plain values. The plugin entry
// (plugin.cpp) turns what the host offers into these values; tests and the
// fuzz target call them directly, without loading the shared object.
//
// Nothing here includes presend's own headers: a plugin depends only on
// presend_plugin.h, and this library does not depend on that either.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "plugin_result.hpp"

namespace presend::region {

// ---------------------------------------------------------------------------
// Results

struct Error {
    std::string message;
};

template <class T>
using Result = plugins::Result<T, Error>;

// ---------------------------------------------------------------------------
// Reasons

// The values are presend_plugin_severity's.
enum class Severity : int32_t { info = 0, warn = 1, defer = 2, block = 3 };

std::string_view severity_name(Severity s) noexcept;

struct ReasonDef {
    std::string_view code;
    Severity severity;
    std::string_view description;
};

// Every code the plugin reports. All findings concern one recipient: even
// the rules about the message's content (postal address, unsubscribe, sender
// identification) bind only the recipients whose law requires them.
namespace codes {
inline constexpr std::string_view consent_missing = "region.consent_missing";
inline constexpr std::string_view consent_basis_not_accepted = "region.consent_basis_not_accepted";
inline constexpr std::string_view consent_evidence_missing = "region.consent_evidence_missing";
inline constexpr std::string_view implied_consent_expired = "region.implied_consent_expired";
inline constexpr std::string_view implied_consent_expiring = "region.implied_consent_expiring";
inline constexpr std::string_view double_opt_in_required = "region.double_opt_in_required";
inline constexpr std::string_view opted_out = "region.opted_out";
inline constexpr std::string_view opt_out_overdue = "region.opt_out_overdue";
inline constexpr std::string_view residency_violation = "region.residency_violation";
inline constexpr std::string_view unsubscribe_missing = "region.unsubscribe_missing";
inline constexpr std::string_view postal_address_missing = "region.postal_address_missing";
inline constexpr std::string_view sender_identification_missing = "region.sender_identification_missing";
inline constexpr std::string_view jurisdiction_unknown = "region.jurisdiction_unknown";
inline constexpr std::string_view jurisdiction_unresolved = "region.jurisdiction_unresolved";
}  // namespace codes

std::span<const ReasonDef> reasons() noexcept;
const ReasonDef *find_reason(std::string_view code) noexcept;
// The reasons as the JSON array presend_plugin.reasons_json returns.
const std::string &reasons_json();

// ---------------------------------------------------------------------------
// Calendar: whole days since 1970-01-01 (UTC), the unit of every legal
// period here. Times outside years 1..9999 are clamped into that range.

int64_t day_of(int64_t unix_ms) noexcept;
std::string format_day(int64_t day);
// "YYYY-MM-DD" (a real date), or nullopt.
std::optional<int64_t> parse_day(std::string_view text) noexcept;
// The same day of the month `months` months later; the month's last day when
// it has no such day (31 August + 6 months = 28 or 29 February).
int64_t add_months(int64_t day, int32_t months) noexcept;
// Monday to Friday and not in `holidays` (sorted).
bool is_business_day(int64_t day, std::span<const int64_t> holidays) noexcept;
// The `n`th business day after `day` (`day` itself when n is 0).
int64_t nth_business_day_after(int64_t day, int32_t n, std::span<const int64_t> holidays) noexcept;

// ---------------------------------------------------------------------------
// The policy pack: jurisdictions as data (policy-pack.json, shipped inside
// the plugin; a user's pack is merged over it or replaces it).

// The grounds on which a recipient may get commercial mail. The consent
// record has no such field: Settings::basis_of maps its source and method.
enum class Basis : uint8_t { express, existing_customer, implied_purchase, implied_inquiry };
inline constexpr size_t kBasisCount = 4;
std::string_view basis_name(Basis b) noexcept;
std::optional<Basis> basis_from_name(std::string_view s) noexcept;

// What the consent record must carry to prove consent.
enum class EvidenceField : uint8_t { consented_at, method, source, ip, confirmed_at };
std::string_view evidence_name(EvidenceField f) noexcept;

enum class Regime : uint8_t {
    opt_in,   // commercial mail needs consent (GDPR/ePrivacy, PECR, CASL, Spam Act)
    opt_out,  // commercial mail may go until the recipient objects (CAN-SPAM)
};

struct BasisRule {
    bool accepted = false;
    int32_t months = 0;  // the basis lapses this many months after consented_at; 0: never
};

struct Jurisdiction {
    std::string id;    // "EU", "US", ...: upper case [A-Z0-9_]
    std::string name;  // for messages
    std::string law;   // the law cited in messages
    std::vector<std::string> countries;  // ISO 3166-1 alpha-2, upper case
    std::vector<std::string> aliases;    // other names a record's jurisdiction field may use
    Regime regime = Regime::opt_in;
    std::array<BasisRule, kBasisCount> bases{};
    std::vector<EvidenceField> evidence;
    bool double_opt_in = false;
    std::vector<std::string> residency_regions;  // empty: no residency rule
    bool unsubscribe = false;
    bool postal_address = false;
    bool sender_name = false;
    int32_t opt_out_business_days = -1;  // -1: no statutory period
    std::vector<int64_t> holidays;       // days, sorted: not business days
};

struct AwsRegion {
    std::string name;
    std::string country;
};

struct Pack {
    int32_t format = 1;
    std::string version;
    std::vector<Jurisdiction> jurisdictions;
    std::map<std::string, AwsRegion, std::less<>> aws_regions;

    // By id or alias, case-insensitively.
    const Jurisdiction *find(std::string_view name) const noexcept;
    // By ISO country code, case-insensitively.
    const Jurisdiction *for_country(std::string_view country) const noexcept;
};

// Limits of a pack and of the plugin's configuration.
inline constexpr size_t kMaxPackBytes = 4u << 20;
inline constexpr size_t kMaxConfigBytes = 1u << 20;

// The pack shipped with the plugin (embedded at build time).
std::string_view shipped_pack_json() noexcept;

// Parses and validates a pack. Unknown keys are errors, so that a misspelt
// rule is never silently ignored.
Result<Pack> parse_pack(std::string_view json);

// RFC 7396 JSON Merge Patch: `patch` over `base`, both JSON texts; the
// result as JSON text. Objects merge key by key, null removes a key,
// anything else replaces.
Result<std::string> merge_patch(std::string_view base, std::string_view patch);

// ---------------------------------------------------------------------------
// The plugin's configuration (the "config" object of its entry in presend's
// configuration), resolved against the pack.

struct Settings {
    std::string default_jurisdiction;                                 // "" : none
    std::map<std::string, std::string, std::less<>> list_jurisdictions;  // list -> jurisdiction id
    std::vector<std::string> double_opt_in;                           // jurisdiction ids (pack's as well)
    std::vector<std::string> residency;                               // jurisdiction ids with residency on
    std::string sender_name;
    std::vector<std::string> postal_addresses;
    bool postal_address_in_template = false;
    std::string postal_address_header = "X-Presend-Postal-Address";
    std::map<std::string, Basis, std::less<>> source_bases;  // lower-case source (prefix before ':') -> basis
    std::map<std::string, Basis, std::less<>> method_bases;  // method -> basis
    Basis default_basis = Basis::express;
    int32_t expiring_notice_days = 30;

    // The basis a record stands on: its source ("purchase", or
    // "purchase:order-1234"), else its method, else the default.
    Basis basis_of(std::string_view source, std::string_view method) const;
};

struct Policy {
    Pack pack;
    Settings settings;
    bool double_opt_in(const Jurisdiction &j) const noexcept;
    bool residency(const Jurisdiction &j) const noexcept;
};

// Reads a file named by the configuration ("pack": "path"); an error text
// when it cannot.
using FileReader = std::function<Result<std::string>(const std::string &path)>;
Result<std::string> read_file(const std::string &path);

// Builds the policy from the plugin's configuration: the shipped pack,
// the user's pack merged over it (or replacing it), and the settings.
Result<Policy> make_policy(std::string_view config_json, const FileReader &read = read_file);

// ---------------------------------------------------------------------------
// Evaluation

// A recipient's consent record, as presend_plugin_consent carries it
// (times in ms since the epoch, -1 when absent; strings "" when absent).
struct ConsentFacts {
    std::string_view list = "*";
    std::string_view status = "subscribed";
    std::string_view method = "single";
    int64_t consented_at = 0;
    int64_t confirmed_at = -1;
    int64_t withdrawn_at = -1;
    int64_t expires_at = -1;
    std::string_view source;
    std::string_view ip;
    std::string_view country;
    std::string_view jurisdiction;
};

struct Header {
    std::string_view name;
    std::string_view value;
};

// Whether something the law asks of the message was found, and how.
struct Presence {
    bool present = false;
    std::string how;  // for messages: where it was found, or why not
};

// The message as the rules see it. The text searches (postal address,
// sender name) run at most once per message, and only when a recipient's
// jurisdiction asks for them.
class MessageInfo {
public:
    MessageInfo() = default;
    bool marketing = true;
    std::optional<std::string> region;  // the sending AWS region
    std::string list;
    std::string from;               // the From header's text
    std::optional<std::string_view> raw;  // the whole RFC 5322 text, when the host gave it
    std::vector<Header> headers;

    bool has_header(std::string_view name) const noexcept;
    const Presence &postal_address(const Settings &s);
    const Presence &sender_name(const Settings &s);

private:
    const std::string &searchable();
    std::optional<std::string> searchable_;
    std::optional<Presence> postal_, sender_;
};

// Which jurisdiction a recipient falls under: the record's jurisdiction
// field, else its country, else the list's default, else the configured
// default.
struct Resolution {
    const Jurisdiction *jurisdiction = nullptr;
    std::string how;          // "the record's country DE", ...
    std::string unknown_name;  // a record's jurisdiction the pack does not know
};
Resolution resolve_jurisdiction(const Policy &policy, const ConsentFacts *consent, std::string_view list);

struct Finding {
    std::string_view code;
    Severity severity;
    std::string message;
};

// The findings for one recipient. `consent` is null when the recipient has
// no record.
std::vector<Finding> evaluate_recipient(const Policy &policy, MessageInfo &message, const ConsentFacts *consent,
                                        int64_t now_ms);

// ---------------------------------------------------------------------------
// Text helpers (exposed for tests and the fuzz target)

// Lower-case ASCII letters and digits (and any non-ASCII bytes) as words,
// each preceded and followed by one space: punctuation, line breaks, HTML
// tags and character references between words do not matter.
std::string normalize_words(std::string_view text);
// The text of a raw message to search: quoted-printable soft line breaks
// and escapes undone, base64 bodies decoded, then normalize_words.
std::string searchable_text(std::string_view raw);
// The display name of a From header ("News" of "News <a@example.com>").
std::string display_name(std::string_view from);

}  // namespace presend::region
