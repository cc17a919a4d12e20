// The request SES authorizes for a send, and the plugin's configuration.
#include "ses.hpp"

#include <cjson/cJSON.h>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "iam_internal.hpp"

namespace presend::iam {

namespace {

using JsonPtr = std::unique_ptr<cJSON, decltype(&cJSON_Delete)>;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
    return s;
}

// Removes (comments) outside quotes.
std::string strip_comments(std::string_view s) {
    std::string out;
    int depth = 0;
    bool quoted = false;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '\\' && i + 1 < s.size() && (quoted || depth > 0)) {
            if (depth == 0) {
                out += c;
                out += s[i + 1];
            }
            ++i;
            continue;
        }
        if (depth == 0 && c == '"') quoted = !quoted;
        if (!quoted && c == '(') {
            ++depth;
            continue;
        }
        if (!quoted && c == ')' && depth > 0) {
            --depth;
            continue;
        }
        if (depth == 0) out += c;
    }
    return out;
}

std::string unquote_display(std::string_view d) {
    d = trim(d);
    std::string out;
    bool quoted = false;
    for (size_t i = 0; i < d.size(); ++i) {
        char c = d[i];
        if (c == '"') {
            quoted = !quoted;
            continue;
        }
        if (c == '\\' && quoted && i + 1 < d.size()) {
            out += d[++i];
            continue;
        }
        out += c;
    }
    return std::string(trim(out));
}

bool plausible_address(std::string_view a) {
    auto at = a.rfind('@');
    return at != std::string_view::npos && at > 0 && at + 1 < a.size() && a.find_first_of(" \t<>,") == std::string_view::npos;
}

Error config_error(std::string msg) { return Error{"iam_least_privilege configuration: " + std::move(msg), Error::npos}; }

Result<std::string> string_field(const cJSON *obj, const char *key, const std::string &where, bool required) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (v == nullptr) {
        if (required) return config_error(where + ": \"" + key + "\" is missing");
        return std::string();
    }
    if (!cJSON_IsString(v)) return config_error(where + ": \"" + key + "\" must be a string");
    return std::string(v->valuestring);
}

Result<Api> parse_api(std::string_view v, const std::string &where) {
    if (v == "v2") return Api::v2;
    if (v == "v1") return Api::v1;
    if (v == "smtp") return Api::smtp;
    return config_error(where + ": \"api\" must be \"v2\", \"v1\" or \"smtp\", not \"" + std::string(v) + "\"");
}

std::string join_path(const std::string &dir, const std::string &path) {
    if (dir.empty() || path.empty() || path[0] == '/') return path;
    return dir.back() == '/' ? dir + path : dir + "/" + path;
}

Result<AccountProfile> parse_account(const std::string &name, const cJSON *a, Api default_api,
                                     const std::string &policy_dir, const FileReader &read_file) {
    std::string where = "account \"" + name + "\"";
    if (!cJSON_IsObject(a)) return config_error(where + " must be an object");
    static constexpr std::string_view kKeys[] = {"aws_account_id", "policies", "region", "identity",
                                                 "configuration_set", "feedback_address", "context", "api",
                                                 "v1_action", "partition"};
    for (const cJSON *c = a->child; c != nullptr; c = c->next) {
        if (std::find(std::begin(kKeys), std::end(kKeys), std::string_view(c->string)) == std::end(kKeys)) {
            return config_error(where + ": unknown key \"" + std::string(c->string) + "\"");
        }
    }
    AccountProfile p;
    p.account = name;
    p.api = default_api;
    auto id = string_field(a, "aws_account_id", where, true);
    if (!id) return id.error();
    if (id->size() != 12 || id->find_first_not_of("0123456789") != std::string::npos) {
        return config_error(where + ": \"aws_account_id\" must be the 12-digit AWS account id, not \"" + *id + "\"");
    }
    p.aws_account_id = *id;
    for (auto [key, dst] : {std::pair<const char *, std::string *>{"region", &p.region},
                            {"configuration_set", &p.configuration_set},
                            {"feedback_address", &p.feedback_address},
                            {"partition", &p.partition}}) {
        auto v = string_field(a, key, where, false);
        if (!v) return v.error();
        if (!v->empty()) *dst = *v;
    }
    auto ident = string_field(a, "identity", where, false);
    if (!ident) return ident.error();
    if (!ident->empty()) p.identity = *ident;
    auto api = string_field(a, "api", where, false);
    if (!api) return api.error();
    if (!api->empty()) {
        auto parsed = parse_api(*api, where);
        if (!parsed) return parsed.error();
        p.api = *parsed;
    }
    auto v1 = string_field(a, "v1_action", where, false);
    if (!v1) return v1.error();
    if (*v1 == "SendEmail") p.v1_action = AccountProfile::V1Action::send_email;
    else if (*v1 == "SendRawEmail") p.v1_action = AccountProfile::V1Action::send_raw_email;
    else if (!v1->empty() && *v1 != "auto") {
        return config_error(where + ": \"v1_action\" must be \"auto\", \"SendEmail\" or \"SendRawEmail\"");
    }
    if (const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(a, "context")) {
        if (!cJSON_IsObject(ctx)) return config_error(where + ": \"context\" must map condition keys to values");
        for (const cJSON *kv = ctx->child; kv != nullptr; kv = kv->next) {
            if (cJSON_IsString(kv)) {
                p.context.set(kv->string, kv->valuestring);
            } else if (cJSON_IsArray(kv)) {
                std::vector<std::string> values;
                for (const cJSON *v = kv->child; v != nullptr; v = v->next) {
                    if (!cJSON_IsString(v)) return config_error(where + ": context \"" + std::string(kv->string) + "\": values must be strings");
                    values.emplace_back(v->valuestring);
                }
                p.context.set_list(kv->string, std::move(values));
            } else {
                return config_error(where + ": context \"" + std::string(kv->string) + "\" must be a string or an array of strings");
            }
        }
    }
    const cJSON *pols = cJSON_GetObjectItemCaseSensitive(a, "policies");
    if (!cJSON_IsArray(pols) || pols->child == nullptr) {
        return config_error(where + ": \"policies\" must list the policy documents (file paths or inline objects)");
    }
    size_t n = 0;
    for (const cJSON *e = pols->child; e != nullptr; e = e->next, ++n) {
        if (cJSON_IsString(e)) {
            std::string path = join_path(policy_dir, e->valuestring);
            auto text = read_file(path);
            if (!text) return config_error(where + ": policy " + path + ": " + text.error().message);
            auto pol = parse_policy(*text, path);
            if (!pol) return config_error(where + ": policy " + path + ": " + pol.error().message);
            p.policies.push_back(std::move(*pol));
        } else if (cJSON_IsObject(e)) {
            char *text = cJSON_PrintUnformatted(e);
            if (text == nullptr) return config_error("out of memory");
            std::string json(text);
            cJSON_free(text);
            std::string label = name + " inline policy " + std::to_string(n);
            auto pol = parse_policy(json, label);
            if (!pol) return config_error(where + ": " + label + ": " + pol.error().message);
            p.policies.push_back(std::move(*pol));
        } else {
            return config_error(where + ": each entry of \"policies\" is a file path or a policy object");
        }
    }
    return p;
}

}  // namespace

std::optional<Mailbox> parse_mailbox(std::string_view from) {
    // The first mailbox: up to a comma outside quotes, comments and <...>.
    bool quoted = false, angle = false;
    int depth = 0;
    size_t lt = std::string_view::npos, gt = std::string_view::npos, end = from.size();
    for (size_t i = 0; i < from.size(); ++i) {
        char c = from[i];
        if (c == '\\' && (quoted || depth > 0)) {
            ++i;
            continue;
        }
        if (depth == 0 && c == '"' && !angle) quoted = !quoted;
        if (quoted) continue;
        if (c == '(') ++depth;
        else if (c == ')' && depth > 0) --depth;
        if (depth > 0) continue;
        if (c == '<' && lt == std::string_view::npos) {
            lt = i;
            angle = true;
        } else if (c == '>' && angle) {
            gt = i;
            angle = false;
        } else if (c == ',' && !angle) {
            end = i;
            break;
        }
    }
    Mailbox m;
    if (lt != std::string_view::npos && lt < end) {
        if (gt == std::string_view::npos || gt < lt) return std::nullopt;
        m.address = std::string(trim(from.substr(lt + 1, gt - lt - 1)));
        std::string display = strip_comments(from.substr(0, lt));
        // A group name ("Team: a <b@c>") is not part of the display name.
        if (auto colon = display.find(':'); colon != std::string::npos && display.find('"') == std::string::npos) {
            display = display.substr(colon + 1);
        }
        m.display = unquote_display(display);
    } else {
        std::string bare = strip_comments(from.substr(0, end));
        m.address = std::string(trim(bare));
    }
    if (!plausible_address(m.address)) return std::nullopt;
    return m;
}

const AccountProfile *PluginConfig::find(std::string_view account) const {
    const AccountProfile *star = nullptr;
    for (const auto &a : accounts) {
        if (a.account == account) return &a;
        if (a.account == "*") star = &a;
    }
    return star;
}

Result<PluginConfig> parse_plugin_config(std::string_view json, const FileReader &read_file) {
    JsonPtr doc(cJSON_ParseWithLength(json.data(), json.size()), cJSON_Delete);
    if (!doc || !cJSON_IsObject(doc.get())) return config_error("not a JSON object");
    static constexpr std::string_view kKeys[] = {"api", "lint", "policy_dir", "default_account", "accounts"};
    for (const cJSON *c = doc->child; c != nullptr; c = c->next) {
        if (std::find(std::begin(kKeys), std::end(kKeys), std::string_view(c->string)) == std::end(kKeys)) {
            return config_error("unknown key \"" + std::string(c->string) + "\"");
        }
    }
    PluginConfig cfg;
    Api api = Api::v2;
    auto api_text = string_field(doc.get(), "api", "the configuration", false);
    if (!api_text) return api_text.error();
    if (!api_text->empty()) {
        auto parsed = parse_api(*api_text, "the configuration");
        if (!parsed) return parsed.error();
        api = *parsed;
    }
    auto lint_text = string_field(doc.get(), "lint", "the configuration", false);
    if (!lint_text) return lint_text.error();
    if (*lint_text == "strict") cfg.lint = LintMode::strict;
    else if (*lint_text == "off") cfg.lint = LintMode::off;
    else if (!lint_text->empty() && *lint_text != "warn") {
        return config_error("\"lint\" must be \"warn\", \"strict\" or \"off\", not \"" + *lint_text + "\"");
    }
    auto dir = string_field(doc.get(), "policy_dir", "the configuration", false);
    if (!dir) return dir.error();
    auto def = string_field(doc.get(), "default_account", "the configuration", false);
    if (!def) return def.error();
    cfg.default_account = *def;
    const cJSON *accounts = cJSON_GetObjectItemCaseSensitive(doc.get(), "accounts");
    if (!cJSON_IsObject(accounts) || accounts->child == nullptr) {
        return config_error("\"accounts\" must map presend accounts to their AWS credentials' policies");
    }
    for (const cJSON *a = accounts->child; a != nullptr; a = a->next) {
        auto prof = parse_account(a->string, a, api, *dir, read_file);
        if (!prof) return prof.error();
        cfg.accounts.push_back(std::move(*prof));
    }
    if (!cfg.default_account.empty() && cfg.find(cfg.default_account) == nullptr) {
        return config_error("\"default_account\" \"" + cfg.default_account + "\" is not in \"accounts\"");
    }
    return cfg;
}

std::string send_action(const AccountProfile &profile, const SendMessage &message) {
    switch (profile.api) {
        case Api::v2: return "ses:SendEmail";  // SES v2 sends simple and raw content alike with SendEmail
        case Api::smtp: return "ses:SendRawEmail";
        case Api::v1: break;
    }
    switch (profile.v1_action) {
        case AccountProfile::V1Action::send_email: return "ses:SendEmail";
        case AccountProfile::V1Action::send_raw_email: return "ses:SendRawEmail";
        case AccountProfile::V1Action::automatic: break;
    }
    return message.raw || message.custom_headers ? "ses:SendRawEmail" : "ses:SendEmail";
}

std::string identity_name(const AccountProfile &profile, const Mailbox &from) {
    auto at = from.address.rfind('@');
    std::string domain = lower(std::string_view(from.address).substr(at + 1));
    if (profile.identity == "domain") return domain;
    if (profile.identity == "address") return from.address.substr(0, at + 1) + domain;
    return profile.identity;
}

std::string identity_arn(const AccountProfile &p, std::string_view region, std::string_view identity) {
    return "arn:" + p.partition + ":ses:" + std::string(region) + ":" + p.aws_account_id + ":identity/" +
           std::string(identity);
}

std::string configuration_set_arn(const AccountProfile &p, std::string_view region, std::string_view name) {
    return "arn:" + p.partition + ":ses:" + std::string(region) + ":" + p.aws_account_id + ":configuration-set/" +
           std::string(name);
}

std::string iso8601_utc(int64_t ms) {
    int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    int64_t rem = secs - days * 86400;
    // civil_from_days
    int64_t z = days + 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int64_t d = doy - (153 * mp + 2) / 5 + 1;
    const int64_t m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ", static_cast<long long>(y),
                  static_cast<long long>(m), static_cast<long long>(d), static_cast<long long>(rem / 3600),
                  static_cast<long long>(rem % 3600 / 60), static_cast<long long>(rem % 60));
    return buf;
}

Result<std::vector<Request>> send_requests(const AccountProfile &p, const SendMessage &m) {
    auto from = parse_mailbox(m.from);
    if (!from) return Error{"the message has no From address SES could authorize", Error::npos};
    const std::string &region = !m.region.empty() ? m.region : p.region;
    if (region.empty()) {
        return Error{"the message names no region and account \"" + p.account + "\" configures none", Error::npos};
    }
    Context ctx;
    ctx.set("ses:FromAddress", from->address);
    if (!from->display.empty()) ctx.set("ses:FromDisplayName", from->display);
    if (!m.recipients.empty()) ctx.set_list("ses:Recipients", m.recipients);
    std::string feedback = p.feedback_address;
    if (feedback.empty() && !m.mail_from.empty()) {
        auto mf = parse_mailbox(m.mail_from);
        if (mf) feedback = mf->address;
    }
    if (!feedback.empty()) ctx.set("ses:FeedbackAddress", feedback);
    // The SMTP interface's ses:ApiVersion is not documented: left absent.
    if (p.api == Api::v2) ctx.set("ses:ApiVersion", "2");
    if (p.api == Api::v1) ctx.set("ses:ApiVersion", "1");
    ctx.set("aws:RequestedRegion", region);
    ctx.set("aws:CurrentTime", iso8601_utc(m.now_ms));
    ctx.set("aws:EpochTime", std::to_string(m.now_ms >= 0 ? m.now_ms / 1000 : (m.now_ms - 999) / 1000));
    ctx.set("aws:SecureTransport", "true");
    for (const auto &[k, v] : p.context.entries()) {
        if (v.multi) ctx.set_list(p.context.spelling(k), v.values);
        else ctx.set(p.context.spelling(k), v.values.empty() ? std::string() : v.values[0]);
    }
    std::vector<Request> out;
    std::string action = send_action(p, m);
    out.push_back(Request{action, identity_arn(p, region, identity_name(p, *from)), ctx});
    const std::string &set = !m.configuration_set.empty() ? m.configuration_set : p.configuration_set;
    if (!set.empty()) out.push_back(Request{action, configuration_set_arn(p, region, set), ctx});
    return out;
}

SendProfile lint_profile(const AccountProfile &p) {
    SendProfile s;
    s.api = p.api;
    s.partition = p.partition;
    s.aws_account_id = p.aws_account_id;
    s.region = p.region;
    if (p.identity != "domain" && p.identity != "address") s.identity = p.identity;
    s.configuration_set = p.configuration_set;
    return s;
}

}  // namespace presend::iam
