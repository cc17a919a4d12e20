#include "plugin_host.hpp"

#include <cjson/cJSON.h>
#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

#include <presend/presend.h>
#include <presend/presend_plugin.h>

#include "json.hpp"
#include "text.hpp"

// The per-check handle a plugin sees as presend_plugin_context.
struct presend_plugin_context {
    presend::CheckContext *ctx = nullptr;
    const presend::LoadedPlugin *plugin = nullptr;
    struct Pending {
        size_t recipient;
        std::string code, message;
        presend::Severity severity;
    };
    std::vector<Pending> findings;  // kept until the check succeeds
    std::string error;
    std::string malformed;  // why a finding was refused
};

namespace presend {

namespace {

constexpr size_t kMaxCodeBytes = 128;
constexpr size_t kMaxMessageBytes = 4096;

// Errors of a plugin's init: init runs on the thread that opens the engine.
thread_local std::string t_init_error;

const char *message_field(const presend_plugin_context *c, const char *name) {
    if (c == nullptr || name == nullptr) return nullptr;
    const Message &m = c->ctx->message;
    std::string_view n = name;
    auto opt = [](const std::string &s) { return s.empty() ? nullptr : s.c_str(); };
    if (n == "from") return opt(m.from);
    if (n == "mail_from") return opt(m.mail_from);
    if (n == "account") return opt(m.account);
    if (n == "region") return opt(m.region);
    if (n == "stream") return m.stream == Stream::marketing ? "marketing" : "transactional";
    if (n == "list") return opt(m.list);
    if (n == "message_id") return opt(m.message_id);
    if (n == "raw") return opt(m.raw);
    return nullptr;
}

size_t header_count(const presend_plugin_context *c) { return c != nullptr ? c->ctx->message.headers.size() : 0; }

const char *header_name(const presend_plugin_context *c, size_t i) {
    if (c == nullptr || i >= c->ctx->message.headers.size()) return nullptr;
    return c->ctx->message.headers[i].name.c_str();
}

const char *header_value(const presend_plugin_context *c, size_t i) {
    if (c == nullptr || i >= c->ctx->message.headers.size()) return nullptr;
    return c->ctx->message.headers[i].value.c_str();
}

size_t recipient_count(const presend_plugin_context *c) { return c != nullptr ? c->ctx->decision.recipients.size() : 0; }

const char *recipient_address(const presend_plugin_context *c, size_t i) {
    if (c == nullptr || i >= c->ctx->decision.recipients.size()) return nullptr;
    return c->ctx->decision.recipients[i].address.c_str();
}

int32_t recipient_allowed(const presend_plugin_context *c, size_t i) {
    if (c == nullptr || i >= c->ctx->decision.recipients.size()) return 0;
    return c->ctx->still_allowed(i) ? 1 : 0;
}

int32_t recipient_consent(const presend_plugin_context *cc, size_t i, presend_plugin_consent *out) {
    auto *c = const_cast<presend_plugin_context *>(cc);  // the cache is the context's own
    if (c == nullptr || out == nullptr || i >= c->ctx->decision.recipients.size()) return PRESEND_EINVAL;
    if (out->struct_size < offsetof(presend_plugin_consent, jurisdiction) + sizeof out->jurisdiction) {
        return PRESEND_EINVAL;
    }
    const auto &r = c->ctx->decision.recipients[i];
    if (!r.valid) return 0;
    const std::optional<presend::ConsentRecord> *found = nullptr;
    try {
        found = &c->ctx->consent(i);
    } catch (const Failure &f) {
        c->error = "reading consent: " + f.error.message;
        return static_cast<int32_t>(f.error.status);
    } catch (...) {
        return PRESEND_ERROR;
    }
    const auto &rec = *found;
    if (!rec) return 0;
    // The record stays in the check's context, so these pointers last the whole check.
    out->list = rec->list.c_str();
    out->status = consent_status_name(rec->status).data();
    out->method = consent_method_name(rec->method).data();
    out->consented_at = rec->consented_at;
    out->confirmed_at = rec->confirmed_at.value_or(-1);
    out->withdrawn_at = rec->withdrawn_at.value_or(-1);
    out->expires_at = rec->expires_at.value_or(-1);
    out->source = rec->source.c_str();
    out->ip = rec->ip.c_str();
    out->country = rec->country.c_str();
    out->jurisdiction = rec->jurisdiction.c_str();
    return 1;
}

int64_t now_ms(const presend_plugin_context *c) { return c != nullptr ? c->ctx->now_ms : 0; }

int32_t add_finding(presend_plugin_context *c, size_t recipient, const char *code, int32_t severity,
                    const char *message) {
    if (c == nullptr) return PRESEND_EINVAL;
    auto refuse = [&](std::string why) {
        if (c->malformed.empty()) c->malformed = std::move(why);
        return PRESEND_EINVAL;
    };
    const std::string &prefix = c->plugin->prefix();
    if (code == nullptr) return refuse("a finding without a code");
    std::string_view cv = code;
    if (cv.size() <= prefix.size() + 1 || cv.substr(0, prefix.size()) != prefix || cv[prefix.size()] != '.' ||
        cv.size() > kMaxCodeBytes ||
        cv.substr(prefix.size() + 1).find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_.") != std::string_view::npos) {
        return refuse("finding code \"" + utf8_repair(cv.substr(0, kMaxCodeBytes)) + "\" is not " + prefix +
                      ".<lower-case name>");
    }
    if (severity < PRESEND_PLUGIN_INFO || severity > PRESEND_PLUGIN_BLOCK) {
        return refuse("finding " + std::string(cv) + " has an unknown severity " + std::to_string(severity));
    }
    if (recipient != PRESEND_PLUGIN_MESSAGE && recipient >= c->ctx->decision.recipients.size()) {
        return refuse("finding " + std::string(cv) + " names recipient " + std::to_string(recipient) + " of " +
                      std::to_string(c->ctx->decision.recipients.size()));
    }
    std::string_view mv = message != nullptr ? std::string_view(message) : std::string_view();
    if (mv.size() > kMaxMessageBytes || !utf8_valid(mv)) {
        return refuse("finding " + std::string(cv) + " has a message that is not UTF-8 or is over 4096 bytes");
    }
    static constexpr Severity kSev[] = {Severity::info, Severity::warn, Severity::defer, Severity::block};
    c->findings.push_back({recipient, std::string(cv), std::string(mv), kSev[severity]});
    return 0;
}

void log_message(int32_t level, const char *plugin, const char *message) {
    static constexpr const char *kLevels[] = {"debug", "info", "warning", "error"};
    const char *lv = level >= 0 && level <= 3 ? kLevels[level] : "log";
    std::fprintf(stderr, "presend: plugin %s: %s: %s\n", plugin != nullptr ? plugin : "?", lv,
                 message != nullptr ? message : "");
}

void *alloc(size_t size) { return std::malloc(size); }
void release(void *p) { std::free(p); }

void set_error(presend_plugin_context *c, const char *message) {
    std::string text = message != nullptr ? utf8_repair(message) : std::string("(no message)");
    if (c == nullptr) t_init_error = std::move(text);
    else c->error = std::move(text);
}

const presend_plugin_host &host_table() {
    static const presend_plugin_host host = [] {
        presend_plugin_host h{};
        h.struct_size = sizeof h;
        h.abi_version = PRESEND_PLUGIN_ABI_VERSION;
        h.presend_version = PRESEND_VERSION_STRING;
        h.message_field = message_field;
        h.header_count = header_count;
        h.header_name = header_name;
        h.header_value = header_value;
        h.recipient_count = recipient_count;
        h.recipient_address = recipient_address;
        h.recipient_allowed = recipient_allowed;
        h.recipient_consent = recipient_consent;
        h.now_ms = now_ms;
        h.add_finding = add_finding;
        h.log = log_message;
        h.alloc = alloc;
        h.free = release;
        h.set_error = set_error;
        return h;
    }();
    return host;
}

[[noreturn]] void plugin_fail(const std::string &name, const std::string &why) {
    fail(Status::plugin, "plugin \"" + name + "\": " + why);
}

std::optional<Severity> severity_from(std::string_view s) {
    if (s == "info") return Severity::info;
    if (s == "warn") return Severity::warn;
    if (s == "defer") return Severity::defer;
    if (s == "block") return Severity::block;
    return std::nullopt;
}

}  // namespace

std::unique_ptr<LoadedPlugin> LoadedPlugin::load(const PluginConfig &config, const std::vector<std::string> &dirs) {
    std::unique_ptr<LoadedPlugin> p(new LoadedPlugin());
    p->name_ = config.name;
    p->mode_ = config.mode;
    std::string file = "presend_" + config.name + ".so";
    for (const auto &dir : dirs) {
        std::string candidate = dir + "/" + file;
        if (::access(candidate.c_str(), R_OK) == 0) {
            p->path_ = candidate;
            break;
        }
    }
    if (p->path_.empty()) {
        std::string where;
        for (const auto &d : dirs) where += (where.empty() ? "" : ", ") + d;
        plugin_fail(config.name, file + " is in none of plugin_dirs (" + where + ")");
    }
    p->handle_ = dlopen(p->path_.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (p->handle_ == nullptr) {
        const char *err = dlerror();
        plugin_fail(config.name, "cannot load " + p->path_ + ": " + (err != nullptr ? err : "unknown error"));
    }
    void *sym = dlsym(p->handle_, PRESEND_PLUGIN_ENTRY);
    if (sym == nullptr) plugin_fail(config.name, p->path_ + " does not export " PRESEND_PLUGIN_ENTRY);
    presend_plugin_entry_fn entry;
    static_assert(sizeof entry == sizeof sym);
    std::memcpy(&entry, &sym, sizeof entry);  // dlsym's object pointer as a function pointer (POSIX)
    const presend_plugin *t = entry(&host_table());
    if (t == nullptr) {
        plugin_fail(config.name, "declined to work with this presend (plugin ABI " +
                                     std::to_string(PRESEND_PLUGIN_ABI_VERSION) + ")");
    }
    if (t->abi_version < PRESEND_PLUGIN_ABI_MIN || t->abi_version > PRESEND_PLUGIN_ABI_VERSION) {
        plugin_fail(config.name, "built for plugin ABI " + std::to_string(t->abi_version) + "; this presend loads ABI " +
                                     std::to_string(PRESEND_PLUGIN_ABI_MIN) + " to " +
                                     std::to_string(PRESEND_PLUGIN_ABI_VERSION));
    }
    if (t->struct_size < offsetof(presend_plugin, shutdown) + sizeof t->shutdown || t->name == nullptr ||
        t->init == nullptr || t->check == nullptr || t->shutdown == nullptr) {
        plugin_fail(config.name, "its plugin table is incomplete");
    }
    if (config.name != t->name) {
        plugin_fail(config.name, p->path_ + " calls itself \"" + utf8_repair(t->name) + "\"");
    }
    p->table_ = t;
    p->version_ = t->version != nullptr ? t->version : "";
    p->prefix_ = config.name;
    if (t->struct_size >= offsetof(presend_plugin, reason_prefix) + sizeof t->reason_prefix && t->reason_prefix != nullptr) {
        p->prefix_ = t->reason_prefix;
        if (p->prefix_.empty() || p->prefix_.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos) {
            plugin_fail(config.name, "reason_prefix \"" + utf8_repair(p->prefix_) + "\" is not [a-z0-9_]");
        }
    }
    static constexpr std::string_view kReserved[] = {"consent", "suppression", "recipient", "unsubscribe", "auth",
                                                     "quota", "frequency", "reputation", "engine"};
    for (auto r : kReserved) {
        if (p->prefix_ == r) plugin_fail(config.name, "reason prefix \"" + p->prefix_ + "\" belongs to presend");
    }
    p->serialize_ = (t->flags & PRESEND_PLUGIN_THREAD_SAFE) == 0;

    t_init_error.clear();
    void *state = nullptr;
    if (t->init(&host_table(), config.config_json.data(), config.config_json.size(), &state) != 0) {
        plugin_fail(config.name, "init failed: " + (t_init_error.empty() ? std::string("(no message)") : t_init_error));
    }
    p->state_ = state;
    p->initialized_ = true;

    // The reasons it declares, for `presend reasons` and stable definitions.
    if (t->struct_size >= offsetof(presend_plugin, reasons_json) + sizeof t->reasons_json && t->reasons_json != nullptr) {
        const char *json = t->reasons_json(p->state_);
        auto doc = json_parse(json != nullptr ? json : "[]", 1 << 20);
        if (!doc || !json_is_array(doc->get())) plugin_fail(config.name, "reasons_json is not a JSON array");
        for (const cJSON *r = json_child(doc->get()); r != nullptr; r = json_next(r)) {
            const cJSON *code = cJSON_GetObjectItemCaseSensitive(r, "code");
            const cJSON *sev = cJSON_GetObjectItemCaseSensitive(r, "severity");
            const cJSON *desc = cJSON_GetObjectItemCaseSensitive(r, "description");
            if (!json_is_string(code) || !json_is_string(sev)) plugin_fail(config.name, "reasons_json: each reason needs code and severity");
            std::string_view c = code->valuestring;
            if (c.rfind(p->prefix_ + ".", 0) != 0) {
                plugin_fail(config.name, "reasons_json: \"" + std::string(c) + "\" does not start with \"" + p->prefix_ + ".\"");
            }
            auto s = severity_from(sev->valuestring);
            if (!s) plugin_fail(config.name, "reasons_json: unknown severity \"" + std::string(sev->valuestring) + "\"");
            p->reasons_.push_back(&intern_reason(c, *s, config.name, json_is_string(desc) ? desc->valuestring : ""));
        }
    }
    return p;
}

LoadedPlugin::~LoadedPlugin() {
    if (initialized_ && table_ != nullptr) table_->shutdown(state_);
    if (handle_ != nullptr) dlclose(handle_);
}

void LoadedPlugin::check(CheckContext &ctx, bool fail_open, int64_t retry_ms) const {
    presend_plugin_context c;
    c.ctx = &ctx;
    c.plugin = this;
    int32_t rc = 0;
    {
        std::unique_lock lock(mu_, std::defer_lock);
        if (serialize_) lock.lock();
        rc = table_->check(state_, &c);
    }
    if (rc != 0 || !c.malformed.empty()) {
        // Fail closed: whatever it reported is not trusted.
        std::string why = !c.malformed.empty() ? "malformed finding: " + c.malformed
                                               : (c.error.empty() ? "its check failed (" + std::to_string(rc) + ")" : c.error);
        Finding &f = ctx.add_message(reason("engine.plugin_failed"), "plugin " + name_ + ": " + why, retry_ms);
        if (fail_open) f.enforced = false;
        return;
    }
    for (auto &p : c.findings) {
        const ReasonDef *def = find_interned_reason(p.code);
        if (def == nullptr) def = &intern_reason(p.code, p.severity, name_, "reported by plugin " + name_);
        int64_t retry = p.severity == Severity::defer ? retry_ms : 0;
        Finding &f = p.recipient == PRESEND_PLUGIN_MESSAGE ? ctx.add_message(*def, std::move(p.message), retry)
                                                           : ctx.add(p.recipient, *def, std::move(p.message), retry);
        f.severity_override = p.severity;
    }
}

}  // namespace presend
