// The request SES authorizes for one send, and the plugin's configuration
// that says which credentials (policies) a presend account sends with.
// Pure functions: files are read through a reader the caller passes.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "iam.hpp"

namespace presend::iam {

// One send as presend sees it (the plugin reads it from the host's table).
struct SendMessage {
    std::string from;       // the From header: "Name <addr>" or "addr"
    std::string mail_from;  // the envelope sender / Return-Path, "" when none
    std::vector<std::string> recipients;
    bool raw = false;             // the host gave the whole RFC 5322 text
    bool custom_headers = false;  // headers that v1 SendEmail cannot carry
    std::string region;           // "" when the message names none
    std::string configuration_set;  // its X-SES-CONFIGURATION-SET header, "" when none
    int64_t now_ms = 0;           // the time of the check, ms since the epoch
};

struct Mailbox {
    std::string display;  // "" when there is none
    std::string address;  // local@domain
};
// The first mailbox of a From header value; nullopt when there is no address.
std::optional<Mailbox> parse_mailbox(std::string_view from);

// The credentials one presend account sends with.
struct AccountProfile {
    std::string account;  // the presend account ("*" for every other)
    Api api = Api::v2;
    // Which v1 action a message uses: automatic picks SendRawEmail for raw
    // messages and messages with headers of their own, SendEmail otherwise.
    enum class V1Action : uint8_t { automatic, send_email, send_raw_email } v1_action = V1Action::automatic;
    std::string partition = "aws";
    std::string aws_account_id;
    std::string region;               // used when the message names none
    std::string identity = "domain";  // "domain", "address", or an identity name
    std::string configuration_set;    // used when the message names none
    std::string feedback_address;     // ses:FeedbackAddress; else the message's mail_from
    Context context;                  // more keys (aws:username...); they override the built ones
    std::vector<Policy> policies;
};

enum class LintMode : uint8_t { warn, strict, off };

struct PluginConfig {
    std::vector<AccountProfile> accounts;
    std::string default_account;  // for messages that name no account
    LintMode lint = LintMode::warn;
    // The profile of a presend account: its own, else "*", else NULL.
    const AccountProfile *find(std::string_view account) const;
};

// Returns a file's text, or an Error naming why it could not.
using FileReader = std::function<Result<std::string>(const std::string &path)>;

// Reads the plugin configuration (see README.md). Policy files named by a
// relative path are read relative to "policy_dir" when the configuration
// gives one, else relative to the process's working directory.
Result<PluginConfig> parse_plugin_config(std::string_view json, const FileReader &read_file);

// The IAM action the send calls.
std::string send_action(const AccountProfile &profile, const SendMessage &message);
std::string identity_name(const AccountProfile &profile, const Mailbox &from);
std::string identity_arn(const AccountProfile &profile, std::string_view region, std::string_view identity);
std::string configuration_set_arn(const AccountProfile &profile, std::string_view region, std::string_view name);

// The requests SES authorizes for the send: one per resource (the identity,
// then the configuration set when there is one), with the same context.
// An Error when the message lacks what a request needs (a From address, a
// region).
Result<std::vector<Request>> send_requests(const AccountProfile &profile, const SendMessage &message);

// The profile the linter checks a policy set against.
SendProfile lint_profile(const AccountProfile &profile);

// aws:CurrentTime's form: 2024-05-01T12:00:00Z.
std::string iso8601_utc(int64_t ms);

}  // namespace presend::iam
