// The unsubscribe checks of RFC 2369 and RFC 8058 as the large mailbox
// providers apply them to bulk mail: a List-Unsubscribe header with a one-click
// HTTPS URI, List-Unsubscribe-Post, both covered by the DKIM signature.
#include <string>

#include "mail.hpp"
#include "text.hpp"

namespace presend {

namespace {

constexpr std::string_view kListUnsubscribe = "List-Unsubscribe";
constexpr std::string_view kListUnsubscribePost = "List-Unsubscribe-Post";
constexpr std::string_view kOneClick = "List-Unsubscribe=One-Click";
// Header values quoted in messages are cut here: they come from the sender.
constexpr size_t kMaxQuotedBytes = 80;
constexpr size_t kMaxListedSchemes = 8;

std::string quoted(std::string_view value) {
    std::string out = "\"";
    out.append(value.substr(0, kMaxQuotedBytes));
    if (value.size() > kMaxQuotedBytes) out.append("...");
    out.push_back('"');
    return out;
}

bool contains(const std::vector<std::string> &names, std::string_view name) {
    for (const auto &n : names) {
        if (n == name) return true;
    }
    return false;
}

}  // namespace

std::vector<UnsubscribeFinding> evaluate_unsubscribe(const std::vector<Header> &headers,
                                                     const UnsubscribePolicy &policy) {
    std::vector<UnsubscribeFinding> findings;
    auto add = [&](const char *code, std::string message) { findings.push_back({code, std::move(message)}); };

    const Header *lu = nullptr;
    const Header *lup = nullptr;
    size_t lu_count = 0;
    size_t lup_count = 0;
    bool any_dkim = false;
    for (const auto &h : headers) {
        if (header_name_equals(h.name, kListUnsubscribe)) {
            if (lu_count++ == 0) lu = &h;
        } else if (header_name_equals(h.name, kListUnsubscribePost)) {
            if (lup_count++ == 0) lup = &h;
        } else if (header_name_equals(h.name, "DKIM-Signature")) {
            any_dkim = true;
        }
    }

    if (lu == nullptr) {
        add("unsubscribe.missing", "no List-Unsubscribe header");
        return findings;
    }
    if (lu_count > 1 || lup_count > 1) {
        std::string message;
        if (lu_count > 1) message = std::to_string(lu_count) + " List-Unsubscribe headers";
        if (lup_count > 1) {
            if (!message.empty()) message += " and ";
            message += std::to_string(lup_count) + " List-Unsubscribe-Post headers";
        }
        add("unsubscribe.duplicate", message + "; only one of each is allowed (the first is checked)");
    }

    const auto parsed = parse_list_unsubscribe(lu->value);
    if (!parsed) {
        add("unsubscribe.malformed", "List-Unsubscribe does not parse: " + parsed.error().message);
        return findings;
    }
    const std::vector<std::string> &uris = parsed->uris;

    bool has_https = false;
    bool has_mailto = false;
    for (const auto &uri : uris) {
        const std::string scheme = uri_scheme(uri);
        has_https = has_https || scheme == "https";
        has_mailto = has_mailto || scheme == "mailto";
    }
    // The schemes present, distinct and in order, for the messages below.
    auto found_schemes = [&] {
        std::vector<std::string> seen;
        std::string out;
        for (const auto &uri : uris) {
            std::string scheme = uri_scheme(uri);
            if (contains(seen, scheme)) continue;
            if (seen.size() == kMaxListedSchemes) {
                out += ", ...";
                break;
            }
            if (!out.empty()) out += ", ";
            out += scheme;
            seen.push_back(std::move(scheme));
        }
        return out;
    };

    if (!has_https) {
        if (has_mailto && policy.accept_mailto_only) {
            add("unsubscribe.mailto_only",
                "List-Unsubscribe has no https URI (found: " + found_schemes() +
                    "); accepted by configuration, but Gmail requires one-click HTTPS");
        } else {
            add("unsubscribe.not_https", "List-Unsubscribe has no https URI (found: " + found_schemes() + ")");
        }
    } else if (lup == nullptr) {
        add("unsubscribe.one_click_missing",
            "List-Unsubscribe has an https URI but there is no List-Unsubscribe-Post header (RFC 8058 one-click)");
    } else if (trim(lup->value) != kOneClick) {
        add("unsubscribe.one_click_invalid",
            "List-Unsubscribe-Post is " + quoted(trim(lup->value)) + ", expected \"List-Unsubscribe=One-Click\"");
    }

    if (any_dkim) {
        bool covered = false;
        bool explained_by_parsed = false;
        std::string problem;
        for (const auto &h : headers) {
            if (!header_name_equals(h.name, "DKIM-Signature")) continue;
            const auto sig = parse_dkim_signature(h.value);
            if (!sig) {
                if (problem.empty()) problem = "DKIM-Signature does not parse: " + sig.error().message;
                continue;
            }
            const bool has_lu = contains(sig->h, "list-unsubscribe");
            const bool has_lup = lup == nullptr || contains(sig->h, "list-unsubscribe-post");
            if (has_lu && has_lup) {
                covered = true;
                break;
            }
            // A signature that parses explains the problem better than a broken one.
            if (!explained_by_parsed) {
                explained_by_parsed = true;
                const char *missing = !has_lu ? (!has_lup ? "List-Unsubscribe and List-Unsubscribe-Post"
                                                          : "List-Unsubscribe")
                                              : "List-Unsubscribe-Post";
                problem = "DKIM-Signature (d=" + sig->d.substr(0, kMaxQuotedBytes) + ") does not sign " + missing;
            }
        }
        if (!covered) add("unsubscribe.not_signed", problem);
    }

    bool token = false;
    for (const auto &uri : uris) {
        if (uri_has_opaque_token(uri)) {
            token = true;
            break;
        }
    }
    if (!token) add("unsubscribe.no_token", "no List-Unsubscribe URI carries a per-recipient token");
    return findings;
}

}  // namespace presend
