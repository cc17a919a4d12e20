/*
 * presend_plugin.h: the interface between presend and its plugins.
 *
 * A plugin is a shared object that adds checks to presend without
 * rebuilding it. It includes only this header and does not link to
 * libpresend (a host may have loaded presend with RTLD_LOCAL, or linked it
 * statically): everything it needs from presend comes through the table of
 * host services it is given, as SQLite's loadable extensions do.
 *
 * A plugin exports one function, named by PRESEND_PLUGIN_ENTRY:
 *
 *     const presend_plugin *presend_plugin_entry(const presend_plugin_host *host);
 *
 * presend calls it once after loading the object (dlopen RTLD_NOW |
 * RTLD_LOCAL, only from the directories the configuration names). The
 * plugin may look at host->abi_version and host->struct_size, and returns
 * its own table (static storage: it must stay valid until the object is
 * unloaded), or NULL if it cannot work with this host. presend accepts
 * tables whose abi_version lies in
 * [PRESEND_PLUGIN_ABI_MIN, PRESEND_PLUGIN_ABI_VERSION] and reads only the
 * fields that struct_size covers. Both tables only ever grow at the end.
 *
 * Lifecycle: init once per engine with the plugin's JSON configuration
 * (a failing init stops the engine from opening, with the plugin's error
 * text); check once per message, possibly from several threads at once
 * unless the plugin leaves out PRESEND_PLUGIN_THREAD_SAFE, in which case
 * presend serializes its checks; shutdown once when the engine closes.
 *
 * Findings: a check reports what it finds with host->add_finding: a code
 * that starts with the plugin's reason prefix (its name, unless the table
 * says otherwise) and a dot ("region.residency_violation"),
 * a severity, a message, and the recipient it concerns (or the whole
 * message). They are the same kind as presend's own findings: they take part
 * in the verdict, honour the plugin's mode (enforce / monitor / off) and are
 * recorded with the decision. A malformed finding (wrong prefix, unknown
 * severity, recipient out of range, text that is not UTF-8) is refused with
 * a negative status, and the check is then treated as failed. A check that
 * fails (returns nonzero) makes the decision defer with engine.plugin_failed,
 * unless the configuration sets fail_open.
 *
 * Strings passed to the plugin are UTF-8, NUL-terminated and borrowed: valid
 * during the call that returned them. Strings the plugin passes are copied.
 */
#ifndef PRESEND_PLUGIN_H
#define PRESEND_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI this header describes, and the oldest one presend still loads. */
#define PRESEND_PLUGIN_ABI_VERSION 1
#define PRESEND_PLUGIN_ABI_MIN 1

/* The name of the function every plugin exports. */
#define PRESEND_PLUGIN_ENTRY "presend_plugin_entry"

/* Pass as the recipient index of a finding about the whole message. */
#define PRESEND_PLUGIN_MESSAGE ((size_t)-1)

enum presend_plugin_severity {
    PRESEND_PLUGIN_INFO = 0,  /* recorded; changes no verdict */
    PRESEND_PLUGIN_WARN = 1,  /* recorded; changes no verdict */
    PRESEND_PLUGIN_DEFER = 2, /* the recipient (or message) is deferred */
    PRESEND_PLUGIN_BLOCK = 3  /* the recipient (or message) is blocked */
};

enum presend_plugin_log_level {
    PRESEND_PLUGIN_LOG_DEBUG = 0,
    PRESEND_PLUGIN_LOG_INFO = 1,
    PRESEND_PLUGIN_LOG_WARN = 2,
    PRESEND_PLUGIN_LOG_ERROR = 3
};

/* Flags of presend_plugin.flags. */
#define PRESEND_PLUGIN_THREAD_SAFE 0x1u /* check may run on several threads at once */

/* One check of one message: opaque, valid only during presend_plugin.check. */
typedef struct presend_plugin_context presend_plugin_context;

/* A recipient's consent record for the message's list (or for every list). */
typedef struct presend_plugin_consent {
    uint32_t struct_size;     /* set by the plugin before the call: sizeof(presend_plugin_consent) */
    const char *list;         /* "*" for every list */
    const char *status;       /* "subscribed", "unconfirmed", "unsubscribed" */
    const char *method;       /* "single", "double", "import", "api" */
    int64_t consented_at;     /* ms since the epoch */
    int64_t confirmed_at;     /* ms, or -1 when absent */
    int64_t withdrawn_at;     /* ms, or -1 */
    int64_t expires_at;       /* ms, or -1 */
    const char *source;       /* "" when absent */
    const char *ip;           /* "" when absent */
    const char *country;      /* ISO 3166-1 alpha-2, upper case; "" when absent */
    const char *jurisdiction; /* "" when absent */
} presend_plugin_consent;

/* The services presend offers a plugin. Every function is safe to call from
 * the thread running the plugin's init or check with the context given
 * there; none may be called after that call returns. */
typedef struct presend_plugin_host {
    uint32_t struct_size;  /* sizeof(presend_plugin_host) as presend was built */
    uint32_t abi_version;  /* PRESEND_PLUGIN_ABI_VERSION of presend */
    const char *presend_version; /* e.g. "1.1.0" */

    /* The message. Fields: "from", "mail_from", "account", "region",
     * "stream" ("marketing" / "transactional"), "list", "message_id",
     * "raw" (the whole RFC 5322 text, when the host gave one). NULL when the
     * message has no such field. */
    const char *(*message_field)(const presend_plugin_context *ctx, const char *name);
    size_t (*header_count)(const presend_plugin_context *ctx);
    /* Header i's name and value (unfolded); NULL when i is out of range. */
    const char *(*header_name)(const presend_plugin_context *ctx, size_t i);
    const char *(*header_value)(const presend_plugin_context *ctx, size_t i);

    /* The recipients (To, Cc, Bcc, merged), as presend normalized them. */
    size_t (*recipient_count)(const presend_plugin_context *ctx);
    const char *(*recipient_address)(const presend_plugin_context *ctx, size_t i);
    /* 1 when the recipient is still allowed by the checks that ran before
     * this plugin (built-in checks run first), else 0. */
    int32_t (*recipient_allowed)(const presend_plugin_context *ctx, size_t i);
    /* Fills *out (whose struct_size the plugin sets) with recipient i's
     * consent record for the message's list, falling back to the record for
     * every list. Returns 1 when found, 0 when there is none, negative on a
     * store error (the check should then fail). */
    int32_t (*recipient_consent)(const presend_plugin_context *ctx, size_t i, presend_plugin_consent *out);

    /* The time of the check, ms since the epoch (the engine's clock). */
    int64_t (*now_ms)(const presend_plugin_context *ctx);

    /* Reports a finding (see the top of this file). recipient is an index
     * or PRESEND_PLUGIN_MESSAGE. Returns 0, or a negative presend_status
     * when the finding is malformed (then the check counts as failed). */
    int32_t (*add_finding)(presend_plugin_context *ctx, size_t recipient, const char *code, int32_t severity,
                           const char *message);

    /* Writes to the host's log (presend's log callback, or standard error). */
    void (*log)(int32_t level, const char *plugin, const char *message);

    /* Memory the plugin hands to presend, or keeps across calls, may come
     * from here; it is not required. */
    void *(*alloc)(size_t size);
    void (*free)(void *p);

    /* Sets the error text of a failing init (ctx NULL) or check; copied.
     * Call it before returning nonzero. */
    void (*set_error)(presend_plugin_context *ctx, const char *message);
} presend_plugin_host;

/* What a plugin gives presend. */
typedef struct presend_plugin {
    uint32_t struct_size; /* sizeof(presend_plugin) as the plugin was built */
    uint32_t abi_version; /* PRESEND_PLUGIN_ABI_VERSION the plugin was built with */
    const char *name;     /* lower-case [a-z0-9_]; the file is presend_<name>.so */
    const char *version;  /* the plugin's own version, e.g. "1.0.0" */
    uint32_t flags;       /* PRESEND_PLUGIN_* */

    /* Reads the plugin's configuration (JSON text of `len` bytes, "{}" when
     * none is given) and sets *state to the plugin's data for this engine.
     * Returns 0, or nonzero after host->set_error(NULL, ...). */
    int32_t (*init)(const presend_plugin_host *host, const char *config_json, size_t len, void **state);

    /* Checks one message. Returns 0 (whatever it found), or nonzero when it
     * could not check (after host->set_error(ctx, ...)). */
    int32_t (*check)(void *state, presend_plugin_context *ctx);

    /* Releases what init set up. */
    void (*shutdown)(void *state);

    /* Optional (NULL): the reason codes the plugin may report, as a JSON
     * array of {"code", "severity", "description"} (severity "info",
     * "warn", "defer" or "block": the usual one), for `presend reasons`.
     * Borrowed: static, or valid until shutdown. */
    const char *(*reasons_json)(void *state);

    /* Optional (NULL: the name): the prefix of the plugin's reason codes,
     * lower-case [a-z0-9_], such as "region" for the plugin region_policy.
     * Two loaded plugins may not share a prefix, nor use one of presend's
     * own (consent, suppression, recipient, unsubscribe, auth, quota,
     * frequency, reputation, engine). */
    const char *reason_prefix;
} presend_plugin;

/* The type of the entry function. */
typedef const presend_plugin *(*presend_plugin_entry_fn)(const presend_plugin_host *host);

#ifdef __cplusplus
}
#endif

#endif /* PRESEND_PLUGIN_H */
