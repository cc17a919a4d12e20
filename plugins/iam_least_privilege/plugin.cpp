// The iam_least_privilege plugin: blocks a send that the sending credentials'
// IAM policies would deny, before SES does, and lints those policies at init.
// Built on presend_plugin.h alone; exports presend_plugin_entry only.
#include <presend/presend_plugin.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <exception>
#include <fstream>
#include <iterator>
#include <new>
#include <string>
#include <vector>

#include "iam_internal.hpp"
#include "ses.hpp"

namespace presend::iam {
namespace {

constexpr const char *kName = "iam_least_privilege";  // the configuration's "name" and presend_<name>.so
constexpr const char *kVersion = "1.0.0";

constexpr const char *kReasons = R"([)"
    R"({"code":"iam.send_denied","severity":"block","description":"the IAM policies of the sending credentials would deny the SES request for this send (ExplicitDeny or ImplicitDeny); the message names the deciding statement"},)"
    R"({"code":"iam.recipient_denied","severity":"block","description":"the policies deny sending to this recipient (a ses:Recipients condition); the other recipients may be sent to"},)"
    R"({"code":"iam.account_unmapped","severity":"warn","description":"the message's account has no AWS credentials in the plugin's configuration, so its policies were not checked"},)"
    R"({"code":"iam.request_incomplete","severity":"warn","description":"the SES request could not be built (no From address, or no region): the policies were not checked"})"
    R"(])";

struct State {
    const presend_plugin_host *host = nullptr;
    PluginConfig config;
};

Result<std::string> read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{std::string("cannot read it: ") + std::strerror(errno), Error::npos};
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return Error{"cannot read it", Error::npos};
    return text;
}

// Headers a v1 SendEmail request cannot carry make a message a raw send.
bool custom_header(std::string_view name) {
    static constexpr std::string_view kPlain[] = {"from", "to", "cc", "bcc", "subject", "reply-to", "date",
                                                  "message-id", "mime-version", "content-type",
                                                  "content-transfer-encoding", "return-path", "sender",
                                                  "x-ses-configuration-set"};
    std::string n = lower(name);
    return std::find(std::begin(kPlain), std::end(kPlain), n) == std::end(kPlain);
}

struct Denial {
    const Request *request = nullptr;
    Evaluation evaluation;
};

// The first request (resource) the policies do not allow, if any.
std::optional<Denial> first_denial(const std::vector<Policy> &policies, const std::vector<Request> &requests) {
    for (const auto &r : requests) {
        Evaluation e = evaluate(policies, r);
        if (e.decision != Decision::allow) return Denial{&r, std::move(e)};
    }
    return std::nullopt;
}

std::string denial_text(const std::vector<Policy> &policies, const Denial &d) {
    std::string out = "AWS would deny " + d.request->action + " on " + d.request->resource + ": " +
                      std::string(decision_name(d.evaluation.decision));
    if (d.evaluation.deciding) {
        out += " by " + describe(policies, *d.evaluation.deciding);
        return utf8_clean(out);
    }
    // The Allow that came closest: its action and resource matched.
    for (const NearMiss &nm : d.evaluation.near_misses) {
        const Statement &st = policies[nm.ref.policy].statements[nm.ref.statement];
        if (st.effect != Effect::allow) continue;
        const Condition &c = st.conditions[nm.condition];
        out += " (no statement allows it; " + describe(policies, nm.ref) + " would, but its condition " + c.op_text +
               " " + c.key + " does not hold)";
        return utf8_clean(out);
    }
    out += " (no statement allows this action on this resource)";
    return utf8_clean(out);
}

bool mentions_recipients(const std::vector<Policy> &policies) {
    for (const auto &p : policies) {
        for (const auto &st : p.statements) {
            for (const auto &c : st.conditions) {
                if (iequals(c.key, "ses:Recipients")) return true;
            }
        }
    }
    return false;
}

int32_t fail(const presend_plugin_host *host, presend_plugin_context *ctx, const std::string &message) {
    if (host->set_error != nullptr) host->set_error(ctx, utf8_clean(message).c_str());
    return 1;
}

int32_t report(const presend_plugin_host *host, presend_plugin_context *ctx, size_t recipient, const char *code,
               int32_t severity, const std::string &message) {
    return host->add_finding(ctx, recipient, code, severity, utf8_clean(message).c_str());
}

int32_t check_message(State &s, presend_plugin_context *ctx) {
    const presend_plugin_host *h = s.host;
    auto field = [&](const char *name) -> std::string {
        const char *v = h->message_field(ctx, name);
        return v != nullptr ? std::string(v) : std::string();
    };
    std::string account = field("account");
    if (account.empty()) account = s.config.default_account;
    if (account.empty() && s.config.accounts.size() == 1) account = s.config.accounts.front().account;
    const AccountProfile *prof = s.config.find(account);
    if (prof == nullptr) {
        return report(h, ctx, PRESEND_PLUGIN_MESSAGE, "iam.account_unmapped", PRESEND_PLUGIN_WARN,
                      "account \"" + account + "\" has no AWS credentials in the iam_least_privilege configuration; "
                                               "its IAM policies were not checked") < 0
                   ? fail(h, ctx, "iam: add_finding refused iam.account_unmapped")
                   : 0;
    }
    SendMessage m;
    m.from = field("from");
    m.mail_from = field("mail_from");
    m.region = field("region");
    m.raw = h->message_field(ctx, "raw") != nullptr;
    m.now_ms = h->now_ms != nullptr ? h->now_ms(ctx) : 0;
    size_t headers = h->header_count != nullptr ? h->header_count(ctx) : 0;
    for (size_t i = 0; i < headers; ++i) {
        const char *name = h->header_name(ctx, i);
        const char *value = h->header_value(ctx, i);
        if (name == nullptr) continue;
        if (iequals(name, "From") && m.from.empty() && value != nullptr) m.from = value;
        if (iequals(name, "X-SES-CONFIGURATION-SET") && value != nullptr) {
            std::string v = value;
            v.erase(0, v.find_first_not_of(" \t"));
            v.erase(v.find_last_not_of(" \t") + 1);
            m.configuration_set = v;
        }
        if (custom_header(name)) m.custom_headers = true;
    }
    // SES sees the recipients the host will still send to.
    std::vector<size_t> indices;
    size_t n = h->recipient_count(ctx);
    for (size_t i = 0; i < n; ++i) {
        if (h->recipient_allowed == nullptr || h->recipient_allowed(ctx, i) != 0) indices.push_back(i);
    }
    if (indices.empty()) return 0;  // nothing will be sent
    auto with = [&](const std::vector<size_t> &which) {
        SendMessage copy = m;
        for (size_t i : which) {
            const char *a = h->recipient_address(ctx, i);
            if (a != nullptr) copy.recipients.emplace_back(a);
        }
        return send_requests(*prof, copy);
    };
    auto requests = with(indices);
    if (!requests) {
        return report(h, ctx, PRESEND_PLUGIN_MESSAGE, "iam.request_incomplete", PRESEND_PLUGIN_WARN,
                      "the IAM policies were not checked: " + requests.error().message) < 0
                   ? fail(h, ctx, "iam: add_finding refused iam.request_incomplete")
                   : 0;
    }
    auto denial = first_denial(prof->policies, *requests);
    if (!denial) return 0;
    // When only some recipients are refused (a ses:Recipients condition),
    // block those and let the host send to the rest, if SES would allow that.
    if (indices.size() > 1 && mentions_recipients(prof->policies)) {
        std::vector<size_t> refused, kept;
        std::vector<std::string> reasons;
        for (size_t i : indices) {
            auto one = with({i});
            std::optional<Denial> d;
            if (one) d = first_denial(prof->policies, *one);
            if (one && d) {
                refused.push_back(i);
                reasons.push_back(denial_text(prof->policies, *d));
            } else {
                kept.push_back(i);
            }
        }
        if (!refused.empty() && !kept.empty()) {
            auto rest = with(kept);
            if (rest && !first_denial(prof->policies, *rest)) {
                for (size_t k = 0; k < refused.size(); ++k) {
                    if (report(h, ctx, refused[k], "iam.recipient_denied", PRESEND_PLUGIN_BLOCK, reasons[k]) < 0) {
                        return fail(h, ctx, "iam: add_finding refused iam.recipient_denied");
                    }
                }
                return 0;
            }
        }
    }
    if (report(h, ctx, PRESEND_PLUGIN_MESSAGE, "iam.send_denied", PRESEND_PLUGIN_BLOCK,
               denial_text(prof->policies, *denial)) < 0) {
        return fail(h, ctx, "iam: add_finding refused iam.send_denied");
    }
    return 0;
}

int32_t plugin_init(const presend_plugin_host *host, const char *config_json, size_t len, void **state) noexcept {
    try {
        *state = nullptr;
        auto cfg = parse_plugin_config(std::string_view(config_json != nullptr ? config_json : "{}", config_json != nullptr ? len : 2),
                                       read_file);
        if (!cfg) return fail(host, nullptr, cfg.error().message);
        if (cfg->lint != LintMode::off) {
            size_t errors = 0;
            std::string first_error;
            for (const auto &acc : cfg->accounts) {
                LintOptions opts;
                opts.profile = lint_profile(acc);
                for (const auto &f : lint(acc.policies, opts)) {
                    std::string line = "account \"" + acc.account + "\": " + f.policy + ": " + f.code + " (" +
                                       std::string(severity_name(f.severity)) + "): " + f.message;
                    if (f.severity == Severity::error) {
                        ++errors;
                        if (first_error.empty()) first_error = line;
                    }
                    if (host->log != nullptr) {
                        host->log(f.severity == Severity::info ? PRESEND_PLUGIN_LOG_INFO : PRESEND_PLUGIN_LOG_WARN, kName,
                                  utf8_clean(line).c_str());
                    }
                }
            }
            if (cfg->lint == LintMode::strict && errors > 0) {
                return fail(host, nullptr,
                            "iam_least_privilege: " + std::to_string(errors) +
                                " lint error(s) with \"lint\": \"strict\"; the first: " + first_error);
            }
        }
        *state = new State{host, std::move(*cfg)};
        return 0;
    } catch (const std::bad_alloc &) {
        return fail(host, nullptr, "iam_least_privilege: out of memory");
    } catch (const std::exception &e) {
        return fail(host, nullptr, std::string("iam_least_privilege: ") + e.what());
    } catch (...) {
        return fail(host, nullptr, "iam_least_privilege: init failed");
    }
}

int32_t plugin_check(void *state, presend_plugin_context *ctx) noexcept {
    auto *s = static_cast<State *>(state);
    if (s == nullptr) return 1;
    try {
        return check_message(*s, ctx);
    } catch (const std::bad_alloc &) {
        return fail(s->host, ctx, "iam: out of memory");
    } catch (const std::exception &e) {
        return fail(s->host, ctx, std::string("iam: ") + e.what());
    } catch (...) {
        return fail(s->host, ctx, "iam: check failed");
    }
}

void plugin_shutdown(void *state) noexcept { delete static_cast<State *>(state); }

const char *plugin_reasons(void *) noexcept { return kReasons; }

const presend_plugin kPlugin = {
    sizeof(presend_plugin),
    PRESEND_PLUGIN_ABI_VERSION,
    kName,
    kVersion,
    // The policies are immutable after init and the check only reads them.
    PRESEND_PLUGIN_THREAD_SAFE,
    plugin_init,
    plugin_check,
    plugin_shutdown,
    plugin_reasons,
    "iam",  // reason codes iam.*, as DESIGN.md names them
};

}  // namespace
}  // namespace presend::iam

extern "C" __attribute__((visibility("default"))) const presend_plugin *presend_plugin_entry(const presend_plugin_host *host);

extern "C" const presend_plugin *presend_plugin_entry(const presend_plugin_host *host) {
    // Every host function this plugin calls must be within the host's table.
    if (host == nullptr || host->abi_version < PRESEND_PLUGIN_ABI_MIN ||
        host->struct_size < offsetof(presend_plugin_host, set_error) + sizeof(host->set_error)) {
        return nullptr;
    }
    return &presend::iam::kPlugin;
}
