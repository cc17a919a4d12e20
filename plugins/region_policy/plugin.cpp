// presend_plugin_entry of the region_policy plugin: reads what the host
// offers into the rule library's values and reports the findings.
//
// Thread safety: the policy is built once by init and only read after
// that; a check keeps everything else on its own stack, so checks may run
// on several threads at once (PRESEND_PLUGIN_THREAD_SAFE).
#include <presend/presend_plugin.h>

#include <cstddef>
#include <exception>
#include <new>
#include <string>

#include "region_policy.hpp"

namespace {

namespace rp = presend::region;

constexpr const char *kName = "region_policy";
constexpr const char *kVersion = "1.0.0";

struct State {
    const presend_plugin_host *host;
    rp::Policy policy;
};

// The host services this plugin calls, all of ABI 1.
bool host_usable(const presend_plugin_host *h) {
    return h != nullptr && h->abi_version >= 1 &&
           h->struct_size >= offsetof(presend_plugin_host, set_error) + sizeof h->set_error && h->message_field != nullptr &&
           h->header_count != nullptr && h->header_name != nullptr && h->header_value != nullptr &&
           h->recipient_count != nullptr && h->recipient_consent != nullptr && h->now_ms != nullptr &&
           h->add_finding != nullptr && h->set_error != nullptr;
}

std::string_view or_empty(const char *s) { return s != nullptr ? std::string_view(s) : std::string_view(); }

int32_t init(const presend_plugin_host *host, const char *config_json, size_t len, void **state) noexcept {
    if (state != nullptr) *state = nullptr;
    if (!host_usable(host)) return 1;  // no set_error to call
    if (state == nullptr) {
        host->set_error(nullptr, "region_policy: init was given no place for its state");
        return 1;
    }
    try {
        const std::string_view config = config_json != nullptr ? std::string_view(config_json, len) : "{}";
        auto policy = rp::make_policy(config);
        if (!policy) {
            host->set_error(nullptr, policy.error().message.c_str());
            return 1;
        }
        // The pack's version is in every finding's message, which the
        // decision records; nothing is logged, so that opening an engine
        // stays quiet.
        *state = new State{host, std::move(*policy)};
        return 0;
    } catch (const std::bad_alloc &) {
        host->set_error(nullptr, "region_policy: out of memory");
    } catch (const std::exception &e) {
        host->set_error(nullptr, e.what());
    } catch (...) {
        host->set_error(nullptr, "region_policy: init failed");
    }
    return 1;
}

int32_t check(void *state, presend_plugin_context *ctx) noexcept {
    auto *s = static_cast<State *>(state);
    if (s == nullptr) return 1;
    const presend_plugin_host *h = s->host;
    try {
        rp::MessageInfo m;
        m.marketing = or_empty(h->message_field(ctx, "stream")) != "transactional";
        if (const char *region = h->message_field(ctx, "region")) m.region = region;
        m.list = or_empty(h->message_field(ctx, "list"));
        if (const char *raw = h->message_field(ctx, "raw")) m.raw = std::string_view(raw);
        const size_t nh = h->header_count(ctx);
        m.headers.reserve(nh);
        for (size_t i = 0; i < nh; ++i) {
            const char *name = h->header_name(ctx, i);
            const char *value = h->header_value(ctx, i);
            if (name != nullptr && value != nullptr) m.headers.push_back({name, value});
        }
        if (const char *from = h->message_field(ctx, "from")) {
            m.from = from;
        } else {
            for (const auto &hd : m.headers) {
                if (hd.name.size() == 4 && (hd.name[0] | 0x20) == 'f' && (hd.name[1] | 0x20) == 'r' &&
                    (hd.name[2] | 0x20) == 'o' && (hd.name[3] | 0x20) == 'm') {
                    m.from = std::string(hd.value);
                    break;
                }
            }
        }

        const int64_t now = h->now_ms(ctx);
        // Transactional mail needs the record only for residency.
        const bool needs_consent = m.marketing || !s->policy.settings.residency.empty();
        const size_t n = h->recipient_count(ctx);
        for (size_t i = 0; i < n; ++i) {
            presend_plugin_consent c{};
            c.struct_size = sizeof c;
            rp::ConsentFacts facts;
            const rp::ConsentFacts *consent = nullptr;
            if (needs_consent) {
                const int32_t rc = h->recipient_consent(ctx, i, &c);
                if (rc < 0) {
                    // Without the record no rule can be judged: fail the
                    // check, and presend defers (or fails open) by its
                    // configuration.
                    const std::string msg = "region_policy: reading the consent record of recipient " +
                                            std::to_string(i) + " failed (status " + std::to_string(rc) + ")";
                    h->set_error(ctx, msg.c_str());
                    return 1;
                }
                if (rc == 1) {
                    facts.list = or_empty(c.list);
                    facts.status = or_empty(c.status);
                    facts.method = or_empty(c.method);
                    facts.consented_at = c.consented_at;
                    facts.confirmed_at = c.confirmed_at;
                    facts.withdrawn_at = c.withdrawn_at;
                    facts.expires_at = c.expires_at;
                    facts.source = or_empty(c.source);
                    facts.ip = or_empty(c.ip);
                    facts.country = or_empty(c.country);
                    facts.jurisdiction = or_empty(c.jurisdiction);
                    consent = &facts;
                }
            }
            for (const auto &f : rp::evaluate_recipient(s->policy, m, consent, now)) {
                // Codes are string literals (rp::codes), so NUL-terminated.
                const int32_t rc = h->add_finding(ctx, i, f.code.data(), static_cast<int32_t>(f.severity), f.message.c_str());
                if (rc != 0) {
                    const std::string msg = "region_policy: presend refused finding " + std::string(f.code) +
                                            " (status " + std::to_string(rc) + ")";
                    h->set_error(ctx, msg.c_str());
                    return 1;
                }
            }
        }
        return 0;
    } catch (const std::bad_alloc &) {
        h->set_error(ctx, "region_policy: out of memory");
    } catch (const std::exception &e) {
        h->set_error(ctx, e.what());
    } catch (...) {
        h->set_error(ctx, "region_policy: check failed");
    }
    return 1;
}

void shutdown(void *state) noexcept { delete static_cast<State *>(state); }

const char *reasons_json(void *) noexcept {
    try {
        return rp::reasons_json().c_str();
    } catch (...) {
        return nullptr;
    }
}

}  // namespace

extern "C" __attribute__((visibility("default"))) const presend_plugin *presend_plugin_entry(
    const presend_plugin_host *host);

extern "C" const presend_plugin *presend_plugin_entry(const presend_plugin_host *host) {
    if (!host_usable(host)) return nullptr;
    static const presend_plugin table = {
        sizeof(presend_plugin), PRESEND_PLUGIN_ABI_VERSION, kName, kVersion, PRESEND_PLUGIN_THREAD_SAFE,
        init, check, shutdown, reasons_json,
        "region",  // reason codes region.*, as DESIGN.md names them
    };
    return &table;
}
