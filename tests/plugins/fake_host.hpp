// A fake presend host for driving a built plugin through presend_plugin.h
// alone, as presend itself would: the per-check context is plain data that a
// test fills in and reads back. Included by one test file per executable.
#pragma once

#include <presend/presend_plugin.h>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

// The fake host's per-check context.
struct presend_plugin_context {
    struct Consent {
        std::string list = "weekly", status = "subscribed", method = "double", source = "https://example.com/f",
                    ip = "192.0.2.1", country, jurisdiction;
        int64_t consented_at = 0, confirmed_at = -1, withdrawn_at = -1, expires_at = -1;
    };
    struct Reported {
        size_t recipient;
        std::string code;
        int32_t severity;
        std::string message;
    };
    std::map<std::string, std::string> fields;
    std::vector<std::pair<std::string, std::string>> headers;
    std::vector<std::string> recipients;
    std::vector<int> allowed;                     // per recipient; missing ones are allowed
    std::vector<std::optional<Consent>> consents;  // per recipient; missing ones have none
    int32_t consent_error = 0;  // negative: recipient_consent fails with it
    int32_t finding_error = 0;  // negative: add_finding refuses with it
    int64_t now = 0;
    std::vector<Reported> findings;
    std::string error;
};

namespace fake_host {

inline std::mutex g_mu;
inline std::string g_init_error;       // set_error(nullptr, ...) during init
inline std::vector<std::string> g_log;  // "plugin: message"

inline const char *message_field(const presend_plugin_context *c, const char *name) {
    auto it = c->fields.find(name);
    return it == c->fields.end() ? nullptr : it->second.c_str();
}
inline size_t header_count(const presend_plugin_context *c) { return c->headers.size(); }
inline const char *header_name(const presend_plugin_context *c, size_t i) {
    return i < c->headers.size() ? c->headers[i].first.c_str() : nullptr;
}
inline const char *header_value(const presend_plugin_context *c, size_t i) {
    return i < c->headers.size() ? c->headers[i].second.c_str() : nullptr;
}
inline size_t recipient_count(const presend_plugin_context *c) { return c->recipients.size(); }
inline const char *recipient_address(const presend_plugin_context *c, size_t i) {
    return i < c->recipients.size() ? c->recipients[i].c_str() : nullptr;
}
inline int32_t recipient_allowed(const presend_plugin_context *c, size_t i) {
    return i < c->allowed.size() ? c->allowed[i] : 1;
}
inline int32_t recipient_consent(const presend_plugin_context *c, size_t i, presend_plugin_consent *out) {
    if (out == nullptr || out->struct_size < sizeof(presend_plugin_consent)) return -2;
    if (c->consent_error < 0) return c->consent_error;
    if (i >= c->consents.size() || !c->consents[i]) return 0;
    const auto &r = *c->consents[i];
    out->list = r.list.c_str();
    out->status = r.status.c_str();
    out->method = r.method.c_str();
    out->consented_at = r.consented_at;
    out->confirmed_at = r.confirmed_at;
    out->withdrawn_at = r.withdrawn_at;
    out->expires_at = r.expires_at;
    out->source = r.source.c_str();
    out->ip = r.ip.c_str();
    out->country = r.country.c_str();
    out->jurisdiction = r.jurisdiction.c_str();
    return 1;
}
inline int64_t now_ms(const presend_plugin_context *c) { return c->now; }
inline int32_t add_finding(presend_plugin_context *c, size_t recipient, const char *code, int32_t severity,
                           const char *message) {
    if (c->finding_error < 0) return c->finding_error;
    if (recipient != PRESEND_PLUGIN_MESSAGE && recipient >= c->recipients.size()) return -2;
    c->findings.push_back({recipient, code, severity, message});
    return 0;
}
inline void log_message(int32_t, const char *plugin, const char *message) {
    std::lock_guard lock(g_mu);
    g_log.push_back(std::string(plugin) + ": " + message);
}
inline void *alloc(size_t n) { return std::malloc(n); }
inline void release(void *p) { std::free(p); }
inline void set_error(presend_plugin_context *c, const char *message) {
    if (c == nullptr) g_init_error = message;
    else c->error = message;
}

// The host table, at this header's ABI version.
inline presend_plugin_host table() {
    presend_plugin_host h{};
    h.struct_size = sizeof h;
    h.abi_version = PRESEND_PLUGIN_ABI_VERSION;
    h.presend_version = "test";
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
}

}  // namespace fake_host
