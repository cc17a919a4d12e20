// The extern "C" shims of presend.h. Each function checks its arguments,
// calls the core, and catches everything at the boundary: no exception and
// no C++ type crosses it.
#include <presend/presend.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include "address.hpp"
#include "auth_tools.hpp"
#include "config.hpp"
#include "decision.hpp"
#include "dns.hpp"
#include "engine.hpp"
#include "json.hpp"
#include "reasons.hpp"
#include "result.hpp"
#include "text.hpp"

struct presend_engine {
    std::unique_ptr<presend::Engine> impl;
};

struct presend_decision {
    std::unique_ptr<presend::Decision> impl;
};

struct presend_dns_answer {
    presend::RRType type{};
    presend::DnsAnswer answer;
};

struct presend_batch {
    struct Entry {
        presend_status status = PRESEND_OK;
        std::string errmsg;
        presend_decision decision;
    };
    std::vector<Entry> entries;
    std::once_flag json_once;
    std::string json;
};

namespace {

using presend::Failure;
using presend::Status;

presend_status to_c(Status s) noexcept { return static_cast<presend_status>(s); }

// Copies text into memory the caller owns (released with presend_free).
char *owned_copy(std::string_view s) noexcept {
    auto *p = static_cast<char *>(std::malloc(s.size() + 1));
    if (p == nullptr) return nullptr;
    std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    return p;
}

void set_errmsg(char **errmsg, std::string_view text) noexcept {
    if (errmsg != nullptr) *errmsg = owned_copy(text);
}

// Runs `body` on an engine, turning exceptions into a status and recording
// the message on the engine for the calling thread.
template <class F>
presend_status guarded(presend_engine *engine, F &&body) noexcept {
    if (engine == nullptr || !engine->impl) return PRESEND_EINVAL;
    try {
        body(*engine->impl);
        return PRESEND_OK;
    } catch (const Failure &f) {
        try {
            engine->impl->set_error(f.error.message);
        } catch (...) {
        }
        return to_c(f.error.status);
    } catch (const std::bad_alloc &) {
        return PRESEND_ENOMEM;
    } catch (const std::exception &e) {
        try {
            engine->impl->set_error(e.what());
        } catch (...) {
        }
        return PRESEND_ERROR;
    } catch (...) {
        return PRESEND_ERROR;
    }
}

template <class F>
presend_status guarded_open(presend_engine **out, char **errmsg, F &&body) noexcept {
    if (errmsg != nullptr) *errmsg = nullptr;
    if (out == nullptr) {
        set_errmsg(errmsg, "out must not be NULL");
        return PRESEND_EINVAL;
    }
    *out = nullptr;
    try {
        auto e = std::make_unique<presend_engine>();
        e->impl = body();
        *out = e.release();
        return PRESEND_OK;
    } catch (const Failure &f) {
        set_errmsg(errmsg, f.error.message);
        return to_c(f.error.status);
    } catch (const std::bad_alloc &) {
        return PRESEND_ENOMEM;
    } catch (const std::exception &ex) {
        set_errmsg(errmsg, ex.what());
        return PRESEND_ERROR;
    } catch (...) {
        set_errmsg(errmsg, "unknown error");
        return PRESEND_ERROR;
    }
}

// DNS answered by the host's callback.
class CallbackResolver final : public presend::Resolver {
public:
    CallbackResolver(presend_dns_lookup_fn fn, void *user) : fn_(fn), user_(user) {}
    presend::DnsAnswer query(std::string_view name, presend::RRType type) override {
        presend_dns_answer a;
        a.type = type;
        a.answer.ttl = 300;
        std::string n = presend::dns_name(name);
        int32_t r = fn_(user_, n.c_str(), static_cast<int32_t>(type), &a);
        switch (r) {
            case PRESEND_DNS_OK:
                a.answer.status = a.answer.records.empty() && a.answer.mx.empty() ? presend::DnsStatus::nodata
                                                                                  : presend::DnsStatus::ok;
                break;
            case PRESEND_DNS_NXDOMAIN: a.answer.status = presend::DnsStatus::nxdomain; break;
            case PRESEND_DNS_NODATA: a.answer.status = presend::DnsStatus::nodata; break;
            case PRESEND_DNS_TIMEOUT:
                a.answer.status = presend::DnsStatus::timeout;
                a.answer.detail = "the host's lookup of " + n + " timed out";
                break;
            default:
                a.answer.status = presend::DnsStatus::servfail;
                a.answer.detail = "the host's lookup of " + n + " failed (" + std::to_string(r) + ")";
        }
        if (!a.answer.ok()) {
            a.answer.records.clear();
            a.answer.mx.clear();
        }
        return std::move(a.answer);
    }

private:
    presend_dns_lookup_fn fn_;
    void *user_;
};

presend::EngineOptions engine_options(const presend_engine_options *o) {
    presend::EngineOptions out;
    if (o == nullptr) return out;
    // Read only the fields the caller's struct has (struct_size grows when
    // fields are appended).
    auto has = [o](size_t end) { return o->struct_size >= end; };
    if (o->struct_size < offsetof(presend_engine_options, store_path)) {
        presend::fail(Status::invalid_argument, "options.struct_size is too small; use presend_engine_options_init()");
    }
    if (has(offsetof(presend_engine_options, store_path) + sizeof o->store_path) && o->store_path != nullptr) {
        out.store_path = o->store_path;
    }
    if (has(offsetof(presend_engine_options, clock) + sizeof o->clock)) out.clock = o->clock;
    if (has(offsetof(presend_engine_options, clock_user_data) + sizeof o->clock_user_data)) {
        out.clock_user_data = o->clock_user_data;
    }
    if (has(offsetof(presend_engine_options, flags) + sizeof o->flags)) {
        if ((o->flags & ~PRESEND_OPEN_READONLY) != 0) presend::fail(Status::invalid_argument, "unknown flags in options.flags");
        out.read_only = (o->flags & PRESEND_OPEN_READONLY) != 0;
    }
    if (has(offsetof(presend_engine_options, dns) + sizeof o->dns) && o->dns != nullptr) {
        const presend_dns_callback *cb = o->dns;
        if (cb->struct_size < offsetof(presend_dns_callback, user_data) + sizeof cb->user_data || cb->lookup == nullptr) {
            presend::fail(Status::invalid_argument, "options.dns needs presend_dns_callback_init() and a lookup function");
        }
        out.resolver = std::make_shared<CallbackResolver>(cb->lookup, cb->user_data);
    }
    return out;
}

std::string read_file(const char *path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) presend::fail(Status::io, std::string("\"") + path + "\" is a directory, not a file");
    std::ifstream in(path, std::ios::binary);
    if (!in) presend::fail(Status::io, std::string("cannot read \"") + path + "\": " + std::strerror(errno));
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) presend::fail(Status::io, std::string("error reading \"") + path + "\"");
    return data;
}

std::unique_ptr<presend::Engine> open_engine(std::string_view json, presend::EngineOptions opts,
                                             const std::string &base_dir) {
    auto cfg = presend::parse_config(json);
    if (!cfg) throw Failure{std::move(cfg).error()};
    // Relative paths in a configuration file are relative to that file.
    if (!base_dir.empty() && !cfg->store.empty() && cfg->store.front() != '/' && cfg->store != ":memory:") {
        cfg->store = base_dir + "/" + cfg->store;
    }
    if (!base_dir.empty() && !cfg->dns.zone.empty() && cfg->dns.zone.front() != '/') {
        cfg->dns.zone = base_dir + "/" + cfg->dns.zone;
    }
    for (auto &d : cfg->plugin_dirs) {
        if (!base_dir.empty() && !d.empty() && d.front() != '/') d = base_dir + "/" + d;
    }
    return presend::Engine::open(std::move(*cfg), std::move(opts));
}

std::string_view view(const char *p, size_t len) { return p == nullptr ? std::string_view() : std::string_view(p, len); }

const presend::RecipientResult *recipient_at(const presend_decision *d, size_t i) {
    if (d == nullptr || !d->impl || i >= d->impl->recipients.size()) return nullptr;
    return &d->impl->recipients[i];
}

const std::vector<presend::Finding> *reasons_at(const presend_decision *d, size_t i) {
    if (d == nullptr || !d->impl) return nullptr;
    if (i == PRESEND_MESSAGE_LEVEL) return &d->impl->reasons;
    const auto *r = recipient_at(d, i);
    return r != nullptr ? &r->reasons : nullptr;
}

}  // namespace

extern "C" {

const char *presend_version(void) { return PRESEND_VERSION_STRING; }
int32_t presend_version_number(void) { return PRESEND_VERSION_NUMBER; }
int32_t presend_abi_version(void) { return PRESEND_VERSION_MAJOR; }

const char *presend_status_str(presend_status status) {
    switch (status) {
        case PRESEND_OK: return "ok";
        case PRESEND_ERROR: return "error";
        case PRESEND_EINVAL: return "invalid argument";
        case PRESEND_ENOMEM: return "out of memory";
        case PRESEND_EJSON: return "malformed JSON";
        case PRESEND_ECONFIG: return "invalid configuration";
        case PRESEND_EMESSAGE: return "invalid message";
        case PRESEND_ETOOBIG: return "input too big";
        case PRESEND_EUNKNOWN_ACCOUNT: return "unknown account";
        case PRESEND_EUNKNOWN_REGION: return "unknown region";
        case PRESEND_ESTORE: return "store error";
        case PRESEND_EREADONLY: return "store is read-only";
        case PRESEND_ECORRUPT: return "store is corrupt or not a presend store";
        case PRESEND_EBUSY: return "store is busy";
        case PRESEND_ENOTFOUND: return "not found";
        case PRESEND_ESTATE: return "invalid state";
        case PRESEND_EIO: return "I/O error";
        case PRESEND_ESCHEMA: return "store schema is newer than this library";
        case PRESEND_EPARSE: return "parse error";
        case PRESEND_EPLUGIN: return "plugin error";
        default: return "unknown error";
    }
}

void presend_free(void *p) { std::free(p); }

const char *presend_verdict_str(presend_verdict verdict) {
    switch (verdict) {
        case PRESEND_ALLOW: return "allow";
        case PRESEND_PARTIAL: return "partial";
        case PRESEND_BLOCK: return "block";
        case PRESEND_DEFER: return "defer";
        default: return "unknown";
    }
}

void presend_engine_options_init(presend_engine_options *options) {
    if (options == nullptr) return;
    std::memset(options, 0, sizeof *options);
    options->struct_size = sizeof *options;
}

presend_status presend_engine_open(presend_engine **out, const char *config_path,
                                   const presend_engine_options *options, char **errmsg) {
    return guarded_open(out, errmsg, [&] {
        if (config_path == nullptr) presend::fail(Status::invalid_argument, "config_path must not be NULL");
        std::string text = read_file(config_path);
        std::string path(config_path);
        auto slash = path.rfind('/');
        std::string dir = slash == std::string::npos ? std::string(".") : path.substr(0, slash == 0 ? 1 : slash);
        return open_engine(text, engine_options(options), dir);
    });
}

presend_status presend_engine_open_json(presend_engine **out, const char *config_json, size_t len,
                                        const presend_engine_options *options, char **errmsg) {
    return guarded_open(out, errmsg, [&] {
        if (config_json == nullptr) presend::fail(Status::invalid_argument, "config_json must not be NULL");
        return open_engine(std::string_view(config_json, len), engine_options(options), std::string());
    });
}

void presend_engine_free(presend_engine *engine) { delete engine; }

const char *presend_engine_errmsg(const presend_engine *engine) {
    if (engine == nullptr || !engine->impl) return "invalid engine handle (NULL)";
    try {
        return engine->impl->error_text();
    } catch (...) {
        return "";
    }
}

presend_status presend_engine_check(presend_engine *engine, const char *message_json, size_t len, uint32_t flags,
                                    presend_decision **out) {
    if (out != nullptr) *out = nullptr;
    return guarded(engine, [&](presend::Engine &e) {
        if (out == nullptr) presend::fail(Status::invalid_argument, "out must not be NULL");
        if (message_json == nullptr) presend::fail(Status::invalid_argument, "message_json must not be NULL");
        if ((flags & ~PRESEND_CHECK_DRY_RUN) != 0) presend::fail(Status::invalid_argument, "unknown check flags");
        auto d = std::make_unique<presend_decision>();
        d->impl = e.check(std::string_view(message_json, len), (flags & PRESEND_CHECK_DRY_RUN) != 0);
        *out = d.release();
    });
}

void presend_decision_free(presend_decision *decision) { delete decision; }

const char *presend_decision_id(const presend_decision *d) {
    return d != nullptr && d->impl ? d->impl->id.c_str() : nullptr;
}

presend_verdict presend_decision_verdict(const presend_decision *d) {
    return d != nullptr && d->impl ? static_cast<presend_verdict>(d->impl->verdict) : -1;
}

int64_t presend_decision_retry_after_ms(const presend_decision *d) {
    return d != nullptr && d->impl ? d->impl->retry_after_ms : 0;
}

size_t presend_decision_recipient_count(const presend_decision *d) {
    return d != nullptr && d->impl ? d->impl->recipients.size() : 0;
}

const char *presend_decision_recipient_address(const presend_decision *d, size_t i) {
    const auto *r = recipient_at(d, i);
    return r != nullptr ? r->address.c_str() : nullptr;
}

presend_verdict presend_decision_recipient_verdict(const presend_decision *d, size_t i) {
    const auto *r = recipient_at(d, i);
    return r != nullptr ? static_cast<presend_verdict>(r->verdict) : -1;
}

size_t presend_decision_reason_count(const presend_decision *d, size_t i) {
    const auto *rs = reasons_at(d, i);
    return rs != nullptr ? rs->size() : 0;
}

const char *presend_decision_reason_code(const presend_decision *d, size_t i, size_t j) {
    const auto *rs = reasons_at(d, i);
    if (rs == nullptr || j >= rs->size()) return nullptr;
    // Codes live in the static reason table, so they are NUL-terminated.
    return (*rs)[j].def->code.data();
}

const char *presend_decision_json(const presend_decision *d) {
    if (d == nullptr || !d->impl) return nullptr;
    try {
        return d->impl->json().c_str();
    } catch (...) {
        return nullptr;
    }
}

presend_status presend_engine_release(presend_engine *engine, const char *decision_id) {
    return guarded(engine, [&](presend::Engine &e) {
        if (decision_id == nullptr) presend::fail(Status::invalid_argument, "decision_id must not be NULL");
        e.release(decision_id);
    });
}

presend_status presend_engine_check_batch(presend_engine *engine, const char *messages_json, size_t len,
                                          uint32_t flags, presend_batch **out) {
    if (out != nullptr) *out = nullptr;
    return guarded(engine, [&](presend::Engine &e) {
        if (out == nullptr) presend::fail(Status::invalid_argument, "out must not be NULL");
        if (messages_json == nullptr) presend::fail(Status::invalid_argument, "messages_json must not be NULL");
        if ((flags & ~PRESEND_CHECK_DRY_RUN) != 0) presend::fail(Status::invalid_argument, "unknown check flags");
        auto items = e.check_batch(std::string_view(messages_json, len), (flags & PRESEND_CHECK_DRY_RUN) != 0);
        auto b = std::make_unique<presend_batch>();
        b->entries.resize(items.size());
        for (size_t i = 0; i < items.size(); ++i) {
            auto &entry = b->entries[i];
            if (items[i].decision) {
                entry.decision.impl = std::move(items[i].decision);
            } else {
                entry.status = to_c(items[i].error.status);
                entry.errmsg = std::move(items[i].error.message);
            }
        }
        *out = b.release();
    });
}

void presend_batch_free(presend_batch *batch) { delete batch; }

size_t presend_batch_count(const presend_batch *b) { return b != nullptr ? b->entries.size() : 0; }

presend_status presend_batch_status(const presend_batch *b, size_t i) {
    if (b == nullptr || i >= b->entries.size()) return PRESEND_EINVAL;
    return b->entries[i].status;
}

const char *presend_batch_errmsg(const presend_batch *b, size_t i) {
    if (b == nullptr || i >= b->entries.size()) return "";
    return b->entries[i].errmsg.c_str();
}

const presend_decision *presend_batch_decision(const presend_batch *b, size_t i) {
    if (b == nullptr || i >= b->entries.size() || !b->entries[i].decision.impl) return nullptr;
    return &b->entries[i].decision;
}

const char *presend_batch_json(const presend_batch *b) {
    if (b == nullptr) return nullptr;
    auto *mb = const_cast<presend_batch *>(b);  // the cache is filled once; the batch is logically const
    try {
        std::call_once(mb->json_once, [mb] {
            std::string out;
            out.push_back('[');
            bool first = true;
            for (const auto &entry : mb->entries) {
                if (!first) out.push_back(',');
                first = false;
                if (entry.decision.impl) {
                    out += entry.decision.impl->json();
                } else {
                    presend::JsonWriter w(out);
                    w.begin_object().key("error").begin_object();
                    w.field("status", static_cast<int64_t>(entry.status));
                    w.field("code", presend_status_str(entry.status));
                    w.field("message", entry.errmsg);
                    w.end_object().end_object();
                }
            }
            out.push_back(']');
            mb->json = std::move(out);
        });
        return mb->json.c_str();
    } catch (...) {
        return nullptr;
    }
}

presend_status presend_consent_put(presend_engine *engine, const char *record_json, size_t len) {
    return guarded(engine, [&](presend::Engine &e) {
        if (record_json == nullptr) presend::fail(Status::invalid_argument, "record_json must not be NULL");
        e.consent_put_json(std::string_view(record_json, len));
    });
}

presend_status presend_consent_withdraw(presend_engine *engine, const char *address, const char *list) {
    return guarded(engine, [&](presend::Engine &e) {
        if (address == nullptr || list == nullptr) presend::fail(Status::invalid_argument, "address and list must not be NULL");
        e.consent_withdraw(address, list);
    });
}

presend_status presend_consent_get(presend_engine *engine, const char *address, const char *list, char **json_out) {
    if (json_out != nullptr) *json_out = nullptr;
    return guarded(engine, [&](presend::Engine &e) {
        if (address == nullptr || json_out == nullptr) presend::fail(Status::invalid_argument, "address and json_out must not be NULL");
        std::optional<std::string_view> l;
        if (list != nullptr) l = list;
        std::string json = e.consent_get_json(address, l);
        if ((*json_out = owned_copy(json)) == nullptr) throw std::bad_alloc();
    });
}

presend_status presend_consent_import(presend_engine *engine, const char *path, presend_import_format format,
                                      char **report_json) {
    if (report_json != nullptr) *report_json = nullptr;
    return guarded(engine, [&](presend::Engine &e) {
        if (path == nullptr) presend::fail(Status::invalid_argument, "path must not be NULL");
        if (format < PRESEND_IMPORT_AUTO || format > PRESEND_IMPORT_JSONL) presend::fail(Status::invalid_argument, "unknown import format");
        std::string data = read_file(path);
        std::string report = e.consent_import(data, format, path);
        if (report_json != nullptr && (*report_json = owned_copy(report)) == nullptr) throw std::bad_alloc();
    });
}

presend_status presend_consent_import_data(presend_engine *engine, const char *data, size_t len,
                                           presend_import_format format, char **report_json) {
    if (report_json != nullptr) *report_json = nullptr;
    return guarded(engine, [&](presend::Engine &e) {
        if (data == nullptr && len != 0) presend::fail(Status::invalid_argument, "data must not be NULL");
        if (format < PRESEND_IMPORT_AUTO || format > PRESEND_IMPORT_JSONL) presend::fail(Status::invalid_argument, "unknown import format");
        std::string report = e.consent_import(view(data, len), format, "");
        if (report_json != nullptr && (*report_json = owned_copy(report)) == nullptr) throw std::bad_alloc();
    });
}

presend_status presend_suppression_put(presend_engine *engine, const char *record_json, size_t len) {
    return guarded(engine, [&](presend::Engine &e) {
        if (record_json == nullptr) presend::fail(Status::invalid_argument, "record_json must not be NULL");
        e.suppression_put_json(std::string_view(record_json, len));
    });
}

presend_status presend_suppression_remove(presend_engine *engine, const char *address, const char *list) {
    return guarded(engine, [&](presend::Engine &e) {
        if (address == nullptr) presend::fail(Status::invalid_argument, "address must not be NULL");
        std::optional<std::string_view> l;
        if (list != nullptr) l = list;
        e.suppression_remove(address, l);
    });
}

presend_status presend_suppression_list(presend_engine *engine, const char *filter_json, char **json_out) {
    if (json_out != nullptr) *json_out = nullptr;
    return guarded(engine, [&](presend::Engine &e) {
        if (json_out == nullptr) presend::fail(Status::invalid_argument, "json_out must not be NULL");
        std::string json = e.suppression_list_json(filter_json != nullptr ? filter_json : "");
        if ((*json_out = owned_copy(json)) == nullptr) throw std::bad_alloc();
    });
}

presend_status presend_quota_status(presend_engine *engine, const char *account, const char *region, char **json_out) {
    if (json_out != nullptr) *json_out = nullptr;
    return guarded(engine, [&](presend::Engine &e) {
        if (json_out == nullptr) presend::fail(Status::invalid_argument, "json_out must not be NULL");
        std::string json = e.quota_status_json(account != nullptr ? account : "", region != nullptr ? region : "");
        if ((*json_out = owned_copy(json)) == nullptr) throw std::bad_alloc();
    });
}

presend_status presend_quota_sync(presend_engine *engine, const char *account, const char *region,
                                  const char *ses_quota_json, size_t len, char **report_json) {
    if (report_json != nullptr) *report_json = nullptr;
    return guarded(engine, [&](presend::Engine &e) {
        if (ses_quota_json == nullptr) presend::fail(Status::invalid_argument, "ses_quota_json must not be NULL");
        std::string report = e.quota_sync_json(account != nullptr ? account : "", region != nullptr ? region : "",
                                               std::string_view(ses_quota_json, len));
        if (report_json != nullptr && (*report_json = owned_copy(report)) == nullptr) throw std::bad_alloc();
    });
}

void presend_dns_callback_init(presend_dns_callback *callback) {
    if (callback == nullptr) return;
    std::memset(callback, 0, sizeof *callback);
    callback->struct_size = sizeof *callback;
}

presend_status presend_dns_answer_add(presend_dns_answer *answer, const char *data, size_t len) {
    if (answer == nullptr || (data == nullptr && len != 0)) return PRESEND_EINVAL;
    try {
        std::string_view v(data, len);
        if (answer->type == presend::RRType::MX) {
            // "PREFERENCE EXCHANGE"
            auto sp = v.find(' ');
            if (sp == std::string_view::npos || sp == 0 || sp > 5 ||
                v.substr(0, sp).find_first_not_of("0123456789") != std::string_view::npos) {
                return PRESEND_EINVAL;
            }
            unsigned long pref = std::stoul(std::string(v.substr(0, sp)));
            std::string exchange = presend::dns_name(presend::trim(v.substr(sp + 1)));
            if (pref > 65535 || exchange.empty()) return PRESEND_EINVAL;
            answer->answer.mx.push_back(presend::MxRecord{static_cast<uint16_t>(pref), std::move(exchange)});
        } else if (answer->type == presend::RRType::PTR || answer->type == presend::RRType::CNAME) {
            answer->answer.records.push_back(presend::dns_name(v));
        } else {
            answer->answer.records.emplace_back(v);
        }
        return PRESEND_OK;
    } catch (const std::bad_alloc &) {
        return PRESEND_ENOMEM;
    } catch (...) {
        return PRESEND_ERROR;
    }
}

presend_status presend_dns_answer_add_cname(presend_dns_answer *answer, const char *target) {
    if (answer == nullptr || target == nullptr) return PRESEND_EINVAL;
    try {
        answer->answer.cnames.push_back(presend::dns_name(target));
        return PRESEND_OK;
    } catch (...) {
        return PRESEND_ENOMEM;
    }
}

void presend_dns_answer_set_ttl(presend_dns_answer *answer, uint32_t ttl) {
    if (answer != nullptr) answer->answer.ttl = ttl;
}

presend_status presend_auth_refresh(presend_engine *engine, char **report_json) {
    if (report_json != nullptr) *report_json = nullptr;
    return guarded(engine, [&](presend::Engine &e) {
        std::string report = e.auth_refresh_json();
        if (report_json != nullptr && (*report_json = owned_copy(report)) == nullptr) throw std::bad_alloc();
    });
}

presend_status presend_auth_status(presend_engine *engine, const char *domain, char **json_out) {
    if (json_out != nullptr) *json_out = nullptr;
    return guarded(engine, [&](presend::Engine &e) {
        if (json_out == nullptr) presend::fail(Status::invalid_argument, "json_out must not be NULL");
        std::string json = e.auth_status_json(domain != nullptr ? std::optional<std::string_view>(domain) : std::nullopt);
        if ((*json_out = owned_copy(json)) == nullptr) throw std::bad_alloc();
    });
}

presend_status presend_auth_evaluate(const char *kind, const char *request_json, size_t len, char **result_json,
                                     char **errmsg) {
    if (result_json != nullptr) *result_json = nullptr;
    if (errmsg != nullptr) *errmsg = nullptr;
    if (kind == nullptr || request_json == nullptr || result_json == nullptr) return PRESEND_EINVAL;
    try {
        std::string result = presend::auth_evaluate_json(kind, std::string_view(request_json, len));
        if ((*result_json = owned_copy(result)) == nullptr) return PRESEND_ENOMEM;
        return PRESEND_OK;
    } catch (const Failure &f) {
        set_errmsg(errmsg, f.error.message);
        return to_c(f.error.status);
    } catch (const std::bad_alloc &) {
        return PRESEND_ENOMEM;
    } catch (const std::exception &e) {
        set_errmsg(errmsg, e.what());
        return PRESEND_ERROR;
    } catch (...) {
        return PRESEND_ERROR;
    }
}

presend_status presend_engine_reasons(presend_engine *engine, char **json_out) {
    if (json_out != nullptr) *json_out = nullptr;
    return guarded(engine, [&](presend::Engine &e) {
        if (json_out == nullptr) presend::fail(Status::invalid_argument, "json_out must not be NULL");
        if ((*json_out = owned_copy(e.reasons_json())) == nullptr) throw std::bad_alloc();
    });
}

presend_status presend_address_normalize(const char *address, size_t len, uint32_t flags, char **normalized,
                                         char **errmsg) {
    if (normalized != nullptr) *normalized = nullptr;
    if (errmsg != nullptr) *errmsg = nullptr;
    if (address == nullptr || normalized == nullptr) return PRESEND_EINVAL;
    if ((flags & ~PRESEND_ADDRESS_LOCAL_CASE_INSENSITIVE) != 0) return PRESEND_EINVAL;
    try {
        presend::NormalizeOptions opts;
        opts.local_part_case_insensitive = (flags & PRESEND_ADDRESS_LOCAL_CASE_INSENSITIVE) != 0;
        std::string_view text(address, len);
        if (text.find('\0') != std::string_view::npos) {
            set_errmsg(errmsg, "the address contains a NUL byte");
            return PRESEND_EPARSE;
        }
        auto n = presend::normalize_address(text, opts);
        if (!n) {
            set_errmsg(errmsg, n.error().message);
            return PRESEND_EPARSE;
        }
        if ((*normalized = owned_copy(*n)) == nullptr) return PRESEND_ENOMEM;
        return PRESEND_OK;
    } catch (const std::bad_alloc &) {
        return PRESEND_ENOMEM;
    } catch (...) {
        return PRESEND_ERROR;
    }
}

const char *presend_reasons_json(void) {
    // Built once; the table is static.
    static const std::string json = [] {
        std::string out;
        presend::JsonWriter w(out);
        w.begin_array();
        for (const auto &r : presend::all_reasons()) {
            w.begin_object();
            w.field("code", r.code);
            w.field("severity", presend::severity_name(r.severity));
            w.field("check", r.check);
            w.field("description", r.description);
            w.end_object();
        }
        w.end_array();
        return out;
    }();
    return json.c_str();
}

}  // extern "C"

// --- feedback, audit, reports (1.2) -----------------------------------------

presend_status presend_events_ingest(presend_engine *engine, const char *data, size_t len, const char *options_json,
                                     char **report_json) {
    if (report_json != nullptr) *report_json = nullptr;
    return guarded(engine, [&](presend::Engine &e) {
        if (data == nullptr && len != 0) presend::fail(Status::invalid_argument, "data must not be NULL");
        std::string report = e.events_ingest(std::string_view(data != nullptr ? data : "", len),
                                             options_json != nullptr ? options_json : "");
        if (report_json != nullptr && (*report_json = owned_copy(report)) == nullptr) throw std::bad_alloc();
    });
}

presend_status presend_reputation_status(presend_engine *engine, const char *account, const char *region,
                                         char **json_out) {
    if (json_out != nullptr) *json_out = nullptr;
    return guarded(engine, [&](presend::Engine &e) {
        if (json_out == nullptr) presend::fail(Status::invalid_argument, "json_out must not be NULL");
        auto opt = [](const char *s) { return s != nullptr ? std::optional<std::string_view>(s) : std::nullopt; };
        std::string json = e.reputation_json(opt(account), opt(region));
        if ((*json_out = owned_copy(json)) == nullptr) throw std::bad_alloc();
    });
}

presend_status presend_pause(presend_engine *engine, const char *account, const char *region, const char *reason,
                             char **json_out) {
    if (json_out != nullptr) *json_out = nullptr;
    return guarded(engine, [&](presend::Engine &e) {
        if (account == nullptr) presend::fail(Status::invalid_argument, "account must not be NULL");
        std::string json = e.pause(account, region != nullptr ? std::optional<std::string_view>(region) : std::nullopt,
                                   reason != nullptr ? reason : "");
        if (json_out != nullptr && (*json_out = owned_copy(json)) == nullptr) throw std::bad_alloc();
    });
}

presend_status presend_resume(presend_engine *engine, const char *account, const char *region, char **json_out) {
    if (json_out != nullptr) *json_out = nullptr;
    return guarded(engine, [&](presend::Engine &e) {
        if (account == nullptr) presend::fail(Status::invalid_argument, "account must not be NULL");
        std::string json = e.resume(account, region != nullptr ? std::optional<std::string_view>(region) : std::nullopt);
        if (json_out != nullptr && (*json_out = owned_copy(json)) == nullptr) throw std::bad_alloc();
    });
}

presend_status presend_audit_verify(presend_engine *engine, char **json_out) {
    if (json_out != nullptr) *json_out = nullptr;
    return guarded(engine, [&](presend::Engine &e) {
        if (json_out == nullptr) presend::fail(Status::invalid_argument, "json_out must not be NULL");
        std::string json = e.audit_verify_json();
        if ((*json_out = owned_copy(json)) == nullptr) throw std::bad_alloc();
    });
}

presend_status presend_report(presend_engine *engine, const char *options_json, char **out) {
    if (out != nullptr) *out = nullptr;
    return guarded(engine, [&](presend::Engine &e) {
        if (out == nullptr) presend::fail(Status::invalid_argument, "out must not be NULL");
        std::string doc = e.report(options_json != nullptr ? options_json : "");
        if ((*out = owned_copy(doc)) == nullptr) throw std::bad_alloc();
    });
}
