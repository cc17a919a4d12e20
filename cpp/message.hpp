// A message as presend sees it: the sender, the recipients, the routing
// (account, region, stream, list) and the headers the checks read.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config.hpp"
#include "mail.hpp"
#include "result.hpp"

struct cJSON;

namespace presend {

struct Message {
    std::string from;       // the From header value (a mailbox-list)
    std::string mail_from;  // the envelope sender (Return-Path), may be empty
    // Recipient header values or entries; each may hold several addresses.
    std::vector<std::string> to, cc, bcc;
    std::string account, region;  // resolved against the configuration's defaults
    Stream stream = Stream::marketing;
    std::string list;  // empty: none given
    std::vector<Header> headers;
    std::string message_id;
    std::string raw;  // the RFC 5322 text, when the host gave one (plugins may read it)
};

// Builds a Message from its JSON form (README "Message in"): either the
// structured form or {"raw": "<RFC 5322 text>", ...}. With "raw", the
// recipients come from To/Cc/Bcc unless "to"/"cc"/"bcc" are also given (the
// SMTP envelope). Unknown fields and wrong types are errors (status message).
// Account and region fall back to the configuration's defaults; unknown ones
// are errors (status unknown_account / unknown_region).
Result<Message> message_from_json(const cJSON *node, const Config &config);
Result<Message> parse_message(std::string_view json, const Config &config);

}  // namespace presend
