/*
 * presend.h: the C interface of presend, an embedded compliance gate for
 * outgoing email.
 *
 * A mailer calls presend right before each send. presend answers, per message
 * and per recipient, whether the message may go now (allow), may go to some
 * recipients only (partial), must not go (block) or should be tried again
 * later (defer), with machine-readable reason codes, and records the decision.
 *
 * Conventions (they hold for every function below):
 *
 *  - Fallible functions return a presend_status: PRESEND_OK (0) or a negative
 *    PRESEND_E* code. Codes are never renumbered; new ones may be added, so a
 *    caller must treat an unknown negative value as a generic error.
 *  - Constructors set *out on success and set it to NULL on failure.
 *    Destructors (presend_*_free) accept NULL and may run on any thread.
 *  - Ownership is stated on each function: "borrowed" memory belongs to
 *    presend and stays valid for the stated time; "owned" memory belongs to
 *    the caller, who releases it with presend_free() (never with free()).
 *  - Text is UTF-8. Inputs that may contain NUL bytes or come from languages
 *    with counted strings take (pointer, length); other strings are
 *    NUL-terminated.
 *  - Times are milliseconds since the Unix epoch (UTC), as int64_t.
 *  - Options structs begin with struct_size; fields are only ever appended.
 *    Initialize them with the matching *_options_init() function (also usable
 *    from FFIs that cannot expand macros); passing NULL means all defaults.
 *  - Error text: a failing call on an engine leaves a message that
 *    presend_engine_errmsg() returns. See that function for threads.
 *
 * Threads: one presend_engine may be used from many threads at once (it
 * keeps a pool of store connections and serializes what must be serialized).
 * A presend_decision or presend_batch is immutable once returned and may be
 * read from any thread; free it once, from any thread.
 *
 * Processes: several processes may open the same store file; quota
 * reservations are exact across them. An engine that was open when the
 * process forked notices it in the child and opens new store connections
 * there; the parent's connections are never used by the child. fork() waits
 * until calls that other threads are making on the engine have finished, so
 * that the child inherits no store lock held half-way.
 *
 * Background work: an engine that writes starts one thread of its own (per
 * process, on the first write that needs it) that folds the store's
 * write-ahead log back into the file, so that checks never wait for it.
 * presend_engine_free stops it.
 */
#ifndef PRESEND_H
#define PRESEND_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(PRESEND_BUILDING) && defined(__GNUC__)
#define PRESEND_API __attribute__((visibility("default")))
#else
#define PRESEND_API
#endif

/* ------------------------------------------------------------------------
 * Versions
 * ------------------------------------------------------------------------ */

#define PRESEND_VERSION_MAJOR 1
#define PRESEND_VERSION_MINOR 2
#define PRESEND_VERSION_PATCH 0
#define PRESEND_VERSION_STRING "1.2.0"
/* major * 10000 + minor * 100 + patch */
#define PRESEND_VERSION_NUMBER 10200

/* The library's version string, e.g. "1.0.0". Borrowed, static. */
PRESEND_API const char *presend_version(void);

/* The library's version as PRESEND_VERSION_NUMBER computes it. Compare with
 * the macro to detect a header/library mismatch at run time. */
PRESEND_API int32_t presend_version_number(void);

/* The ABI major version (the library's SONAME number, 1 for presend 1.x). */
PRESEND_API int32_t presend_abi_version(void);

/* ------------------------------------------------------------------------
 * Status codes
 * ------------------------------------------------------------------------ */

typedef int32_t presend_status;

enum presend_status_code {
    PRESEND_OK = 0,
    PRESEND_ERROR = -1,           /* an error with no more specific code */
    PRESEND_EINVAL = -2,          /* a NULL handle, a bad flag or an out-of-range argument */
    PRESEND_ENOMEM = -3,          /* out of memory */
    PRESEND_EJSON = -4,           /* input is not well-formed JSON or not valid UTF-8 */
    PRESEND_ECONFIG = -5,         /* the configuration is invalid (the message names the key) */
    PRESEND_EMESSAGE = -6,        /* the message has the wrong shape (unknown field, wrong type, ...) */
    PRESEND_ETOOBIG = -7,         /* input exceeds a documented limit */
    PRESEND_EUNKNOWN_ACCOUNT = -8,/* the account is not in the configuration */
    PRESEND_EUNKNOWN_REGION = -9, /* the region is not configured for the account */
    PRESEND_ESTORE = -10,         /* the store could not be read or written */
    PRESEND_EREADONLY = -11,      /* the store file or its directory is read-only */
    PRESEND_ECORRUPT = -12,       /* the store file is not a presend store, or is damaged */
    PRESEND_EBUSY = -13,          /* the store stayed locked by another process past the timeout */
    PRESEND_ENOTFOUND = -14,      /* no such decision, record or file */
    PRESEND_ESTATE = -15,         /* not possible in the current state (e.g. released twice) */
    PRESEND_EIO = -16,            /* a file could not be read */
    PRESEND_ESCHEMA = -17,        /* the store was written by a newer presend */
    PRESEND_EPARSE = -18,         /* a value does not parse (address, timestamp, CSV row, ...) */
    PRESEND_EPLUGIN = -19         /* a plugin could not be loaded or initialized (1.1) */
};

/* A short, static English description of a status code ("invalid argument").
 * Borrowed, static. Unknown codes give "unknown error". */
PRESEND_API const char *presend_status_str(presend_status status);

/* Releases memory that presend returned as owned. Accepts NULL. */
PRESEND_API void presend_free(void *p);

/* ------------------------------------------------------------------------
 * Verdicts
 * ------------------------------------------------------------------------ */

typedef int32_t presend_verdict;

enum presend_verdict_code {
    PRESEND_ALLOW = 0,   /* send to every recipient */
    PRESEND_PARTIAL = 1, /* send only to the recipients whose verdict is PRESEND_ALLOW */
    PRESEND_BLOCK = 2,   /* do not send */
    PRESEND_DEFER = 3    /* do not send now; retry after presend_decision_retry_after_ms() */
};

/* "allow", "partial", "block", "defer"; "unknown" otherwise. Borrowed, static. */
PRESEND_API const char *presend_verdict_str(presend_verdict verdict);

/* ------------------------------------------------------------------------
 * Engine
 * ------------------------------------------------------------------------ */

typedef struct presend_engine presend_engine;

/* Returns the current time in milliseconds since the Unix epoch. presend
 * calls it while holding the quota ledger's lock, from any thread that uses
 * the engine; it must be thread-safe and must not call back into presend.
 * presend never lets its notion of time go backwards: a clock that returns
 * an earlier time than one already seen by the store is treated as that
 * later time. */
typedef int64_t (*presend_clock_fn)(void *user_data);

typedef struct presend_engine_options {
    uint32_t struct_size;     /* sizeof(presend_engine_options) */
    /* Path of the SQLite store file. Overrides the configuration's "store".
     * NULL: use the configuration's; if it has none, "presend.db".
     * Relative paths in a configuration file are relative to that file's
     * directory; relative paths here are relative to the working directory.
     * Borrowed for the duration of the open call. */
    const char *store_path;
    /* Clock. NULL: the system's real-time clock. */
    presend_clock_fn clock;
    void *clock_user_data;    /* passed to clock; retained by the engine, not freed */
    uint32_t flags;           /* PRESEND_OPEN_* */
    /* DNS answered by the host (see "Sender authentication" below) instead
     * of the configuration's resolver. NULL: the configuration's. Added in
     * 1.1; callers built against 1.0 pass a smaller struct_size. */
    struct presend_dns_callback *dns;
} presend_engine_options;

/* Open the store read-only: checks may only run as dry runs, and changes
 * fail with PRESEND_EREADONLY. */
#define PRESEND_OPEN_READONLY 0x1u

/* Fills *options with defaults and struct_size. */
PRESEND_API void presend_engine_options_init(presend_engine_options *options);

/* Opens an engine from a JSON configuration file.
 *   out        receives the engine (owned: free with presend_engine_free), or NULL.
 *   config_path  the configuration file (see the README, "Configuration").
 *   options    may be NULL.
 *   errmsg     may be NULL; on failure receives an owned description of the
 *              problem (free with presend_free), or NULL when out of memory.
 * The store is created if it does not exist and migrated if it is older.
 * Fails with PRESEND_EIO (file), PRESEND_EJSON, PRESEND_ECONFIG,
 * PRESEND_ESTORE, PRESEND_EREADONLY, PRESEND_ECORRUPT or PRESEND_ESCHEMA. */
PRESEND_API presend_status presend_engine_open(presend_engine **out, const char *config_path,
                                               const presend_engine_options *options, char **errmsg);

/* As presend_engine_open, with the configuration given as JSON text of
 * `len` bytes. Relative store paths are relative to the working directory. */
PRESEND_API presend_status presend_engine_open_json(presend_engine **out, const char *config_json,
                                                    size_t len, const presend_engine_options *options,
                                                    char **errmsg);

/* Closes the engine and its store connections. Accepts NULL. No other call
 * on the engine may be running or follow. Decisions and batches already
 * returned stay valid. */
PRESEND_API void presend_engine_free(presend_engine *engine);

/* The message of the most recent failed call on `engine` made by the calling
 * thread, or "" if there is none. Borrowed: valid until the calling thread's
 * next call on this engine. Because the message is kept per engine and per
 * thread, concurrent threads do not overwrite each other's messages; a
 * binding whose runtime moves work between threads (Go) must read it in the
 * same native call as the failing function, on the same thread. */
PRESEND_API const char *presend_engine_errmsg(const presend_engine *engine);

/* ------------------------------------------------------------------------
 * Checking messages
 * ------------------------------------------------------------------------ */

typedef struct presend_decision presend_decision;

/* Evaluate and report, but reserve no quota and store nothing. */
#define PRESEND_CHECK_DRY_RUN 0x1u

/* Limits on input, checked before anything else (PRESEND_ETOOBIG). */
#define PRESEND_MAX_MESSAGE_JSON_BYTES (48u * 1024u * 1024u) /* a raw message may be 40 MiB */
#define PRESEND_MAX_BATCH_JSON_BYTES (256u * 1024u * 1024u)
#define PRESEND_MAX_BATCH_MESSAGES 100000u
#define PRESEND_MAX_RECIPIENTS_PARSED 10000u /* more are rejected before any check runs */

/* Checks one message given as JSON (README, "Message in").
 *   out      receives the decision (owned: free with presend_decision_free), or NULL.
 *   flags    0 or PRESEND_CHECK_DRY_RUN.
 * Unless dry-run, an allowing decision reserves quota for every allowed
 * recipient, and the decision is stored in the same transaction.
 * When the store fails during a check, the call still succeeds: the decision
 * is defer with reason engine.unavailable (or allow with a warning when the
 * configuration sets fail_open). Input errors fail the call: PRESEND_EJSON,
 * PRESEND_EMESSAGE, PRESEND_ETOOBIG, PRESEND_EUNKNOWN_ACCOUNT,
 * PRESEND_EUNKNOWN_REGION, PRESEND_EREADONLY (a non-dry-run check on a
 * read-only engine). */
PRESEND_API presend_status presend_engine_check(presend_engine *engine, const char *message_json,
                                                size_t len, uint32_t flags, presend_decision **out);

/* Frees a decision. Accepts NULL. Does not release its quota (see
 * presend_engine_release). */
PRESEND_API void presend_decision_free(presend_decision *decision);

/* The decision's identifier (a UUID string). Borrowed: valid until the
 * decision is freed. Dry-run decisions have an identifier too but are not
 * stored. */
PRESEND_API const char *presend_decision_id(const presend_decision *decision);

/* The message verdict. */
PRESEND_API presend_verdict presend_decision_verdict(const presend_decision *decision);

/* For defer and partial decisions with deferred recipients: milliseconds
 * until the earliest moment a retry can allow one of them (exact, rounded up
 * to the millisecond); 0 otherwise. */
PRESEND_API int64_t presend_decision_retry_after_ms(const presend_decision *decision);

/* Number of distinct recipients (To, Cc and Bcc, in that order,
 * duplicates merged). */
PRESEND_API size_t presend_decision_recipient_count(const presend_decision *decision);

/* Recipient i's address in normalized form (or as given if it is invalid).
 * Borrowed: valid until the decision is freed. NULL if i is out of range. */
PRESEND_API const char *presend_decision_recipient_address(const presend_decision *decision, size_t i);

/* Recipient i's verdict: PRESEND_ALLOW, PRESEND_BLOCK or PRESEND_DEFER;
 * -1 if i is out of range. */
PRESEND_API presend_verdict presend_decision_recipient_verdict(const presend_decision *decision, size_t i);

/* Pass as the recipient index to address the message-level reasons. */
#define PRESEND_MESSAGE_LEVEL ((size_t)-1)

/* Number of reasons recorded for recipient i (or PRESEND_MESSAGE_LEVEL),
 * including warnings, information and findings of checks in monitor mode. */
PRESEND_API size_t presend_decision_reason_count(const presend_decision *decision, size_t i);

/* Reason j of recipient i (or PRESEND_MESSAGE_LEVEL): its stable dotted code,
 * e.g. "consent.withdrawn". Borrowed: valid until the decision is freed. NULL
 * if out of range. The full list: presend_reasons_json(). */
PRESEND_API const char *presend_decision_reason_code(const presend_decision *decision, size_t i, size_t j);

/* The whole decision as JSON (README, "Decision out"). Borrowed: valid until
 * the decision is freed. */
PRESEND_API const char *presend_decision_json(const presend_decision *decision);

/* Releases the quota a stored decision reserved, because the message was not
 * sent. Fails with PRESEND_ENOTFOUND for an unknown (or dry-run) decision and
 * PRESEND_ESTATE when it was already released. */
PRESEND_API presend_status presend_engine_release(presend_engine *engine, const char *decision_id);

/* ------------------------------------------------------------------------
 * Batches: a campaign pre-checked in one call and one transaction
 * ------------------------------------------------------------------------ */

typedef struct presend_batch presend_batch;

/* Checks a JSON array of messages in order, in one store transaction: later
 * messages see the quota reserved by earlier ones. A message that is not
 * valid gets its own error status (presend_batch_status) and does not stop
 * the others. The call itself fails only when the input is not a JSON array
 * (PRESEND_EJSON, PRESEND_EMESSAGE) or too big (PRESEND_ETOOBIG).
 *   out   receives the batch (owned: free with presend_batch_free), or NULL. */
PRESEND_API presend_status presend_engine_check_batch(presend_engine *engine, const char *messages_json,
                                                      size_t len, uint32_t flags, presend_batch **out);

/* Frees a batch and the decisions in it. Accepts NULL. */
PRESEND_API void presend_batch_free(presend_batch *batch);

/* Number of messages in the batch (the length of the input array). */
PRESEND_API size_t presend_batch_count(const presend_batch *batch);

/* Status of message i: PRESEND_OK when it has a decision, else the error;
 * PRESEND_EINVAL when i is out of range. */
PRESEND_API presend_status presend_batch_status(const presend_batch *batch, size_t i);

/* Error text of message i, or "" when it has a decision. Borrowed: valid
 * until the batch is freed. */
PRESEND_API const char *presend_batch_errmsg(const presend_batch *batch, size_t i);

/* Decision of message i, or NULL when it failed. Borrowed: valid until the
 * batch is freed; do not free it. */
PRESEND_API const presend_decision *presend_batch_decision(const presend_batch *batch, size_t i);

/* The whole batch as a JSON array of decisions and {"error": {"status": ..,
 * "message": ..}} entries. Borrowed: valid until the batch is freed. */
PRESEND_API const char *presend_batch_json(const presend_batch *batch);

/* ------------------------------------------------------------------------
 * Consent and suppression
 * ------------------------------------------------------------------------ */

/* Records (creates or replaces) a consent record given as a JSON object:
 *   {"address": "a@example.org", "list": "weekly",
 *    "status": "subscribed" | "unconfirmed" | "unsubscribed",
 *    "method": "single" | "double" | "import" | "api",
 *    "consented_at": "2026-01-02T03:04:05Z", "confirmed_at": ..., "source": "signup-form",
 *    "ip": "198.51.100.7", "country": "DE", "jurisdiction": "EU", "expires_at": ...}
 * "address" and "list" are required ("*" as the list means every list);
 * "status" defaults to "subscribed", "method" to "api", "consented_at" to now. */
PRESEND_API presend_status presend_consent_put(presend_engine *engine, const char *record_json, size_t len);

/* Marks consent for (address, list) as withdrawn now ("unsubscribed").
 * PRESEND_ENOTFOUND if there is no record. */
PRESEND_API presend_status presend_consent_withdraw(presend_engine *engine, const char *address,
                                                    const char *list);

/* The consent records of an address as a JSON array (all lists when `list` is
 * NULL). *json_out is owned: free with presend_free. An address without
 * records gives "[]". */
PRESEND_API presend_status presend_consent_get(presend_engine *engine, const char *address, const char *list,
                                               char **json_out);

typedef int32_t presend_import_format;
enum presend_import_format_code {
    PRESEND_IMPORT_AUTO = 0,  /* by file extension (.csv, .jsonl/.ndjson), else by content */
    PRESEND_IMPORT_CSV = 1,   /* a header row naming the columns (same names as the JSON keys) */
    PRESEND_IMPORT_JSONL = 2  /* one JSON object per line, as for presend_consent_put */
};

/* Imports consent records from a file. Bad rows are reported and skipped;
 * good rows are imported. The import is one transaction: after a crash
 * either every good row is stored or none is.
 *   report_json  receives an owned JSON report (free with presend_free):
 *     {"imported": N, "rejected": M, "errors": [{"line": L, "status": S, "message": "..."}]}
 *     (at most 1,000 errors listed; "rejected" counts all). May be NULL.
 * Fails (and imports nothing) only when the file cannot be read or the store fails. */
PRESEND_API presend_status presend_consent_import(presend_engine *engine, const char *path,
                                                  presend_import_format format, char **report_json);

/* As presend_consent_import, from memory. PRESEND_IMPORT_AUTO looks at the content. */
PRESEND_API presend_status presend_consent_import_data(presend_engine *engine, const char *data, size_t len,
                                                       presend_import_format format, char **report_json);

/* Adds (or replaces) a suppression given as a JSON object:
 *   {"address": "a@example.org" | "@example.org" (a whole domain),
 *    "reason": "bounce" | "complaint" | "manual" | "unsubscribe",
 *    "list": "weekly" (omit for every list and stream),
 *    "expires_at": "2027-01-01T00:00:00Z", "note": "..."} */
PRESEND_API presend_status presend_suppression_put(presend_engine *engine, const char *record_json, size_t len);

/* Removes the suppression of an address or "@domain" for `list` (NULL: the
 * global one). PRESEND_ENOTFOUND if there is none. */
PRESEND_API presend_status presend_suppression_remove(presend_engine *engine, const char *address,
                                                      const char *list);

/* Suppressions as a JSON array, filtered by a JSON object that may hold
 * "address", "reason", "list" and "limit" (default 1000); filter may be NULL.
 * *json_out is owned: free with presend_free. */
PRESEND_API presend_status presend_suppression_list(presend_engine *engine, const char *filter_json,
                                                    char **json_out);

/* ------------------------------------------------------------------------
 * Quota
 * ------------------------------------------------------------------------ */

/* The quota state of an account and region as JSON:
 *   {"account": "prod", "region": "us-east-1", "tier": "production",
 *    "sent_24h": 1200, "max_24h": 50000, "remaining_24h": 48800,
 *    "max_rate": 14, "burst": 14, "rate_available": 14,
 *    "next_release_ms": ..., "synced_at": "...", "limits_source": "config" | "ses",
 *    "now": "...", "ledger": "sqlite" | "redis"}
 * With the Redis ledger (fleet mode) the figures are the fleet's, read from
 * Redis. NULL account or region: the configuration's defaults. *json_out is owned:
 * free with presend_free. */
PRESEND_API presend_status presend_quota_status(presend_engine *engine, const char *account, const char *region,
                                                char **json_out);

/* Reconciles the ledger with what SES reports for the account and region,
 * given as the JSON of SES's GetSendQuota answer:
 *   {"Max24HourSend": 50000, "MaxSendRate": 14, "SentLast24Hours": 1234}
 * The limits SES reports replace the configured ones. When SES counts more
 * sends in the last 24 hours than the ledger (other senders on the account),
 * the difference is recorded as sent now; when it counts fewer, the ledger
 * keeps its own (larger) count, so a sync never over-allows.
 * report_json may be NULL; else receives an owned JSON report of the change. */
PRESEND_API presend_status presend_quota_sync(presend_engine *engine, const char *account, const char *region,
                                              const char *ses_quota_json, size_t len, char **report_json);

/* ------------------------------------------------------------------------
 * Sender authentication (SPF, DKIM, DMARC)
 *
 * Checks never resolve DNS. presend_auth_refresh resolves the identities of
 * the configuration, evaluates them and stores their status with the time;
 * each check then reads the stored status (and warns with auth.status_stale
 * when it is older than configured). DNS comes from the configuration's
 * resolver ("dns": system or fixture), or from the host through a callback.
 * ------------------------------------------------------------------------ */

/* Record types presend asks for. */
enum presend_dns_rrtype {
    PRESEND_DNS_A = 1,
    PRESEND_DNS_CNAME = 5,
    PRESEND_DNS_PTR = 12,
    PRESEND_DNS_MX = 15,
    PRESEND_DNS_TXT = 16,
    PRESEND_DNS_AAAA = 28
};

/* What the host's lookup found. */
enum presend_dns_result {
    PRESEND_DNS_OK = 0,        /* records were added to the answer */
    PRESEND_DNS_NXDOMAIN = 1,  /* the name does not exist */
    PRESEND_DNS_NODATA = 2,    /* the name exists without records of the type */
    PRESEND_DNS_TIMEOUT = 3,   /* no answer in time */
    PRESEND_DNS_SERVFAIL = 4   /* the server failed */
};

/* An answer being filled by the host's callback. Borrowed: valid only during
 * the callback. */
typedef struct presend_dns_answer presend_dns_answer;

/* Looks up `name` (lower-case, no trailing dot; borrowed for the call) for
 * `rrtype` (a presend_dns_rrtype), adds the records with
 * presend_dns_answer_add and returns a presend_dns_result. Called from the
 * thread running presend_auth_refresh, one lookup at a time per engine; it
 * must not call back into the engine. */
typedef int32_t (*presend_dns_lookup_fn)(void *user_data, const char *name, int32_t rrtype,
                                         presend_dns_answer *answer);

typedef struct presend_dns_callback {
    uint32_t struct_size;          /* sizeof(presend_dns_callback) */
    presend_dns_lookup_fn lookup;
    void *user_data;               /* retained by the engine, not freed */
} presend_dns_callback;

/* Fills *callback with struct_size and NULLs. */
PRESEND_API void presend_dns_callback_init(presend_dns_callback *callback);

/* Adds one record to an answer: A/AAAA an address in text form; TXT one
 * record's text (its character-strings joined); MX "PREFERENCE EXCHANGE";
 * PTR/CNAME a name. `data` is copied. PRESEND_EINVAL for an MX that does not
 * parse. */
PRESEND_API presend_status presend_dns_answer_add(presend_dns_answer *answer, const char *data, size_t len);

/* Records that the lookup followed a CNAME to `target` (copied), so that
 * presend can tell where a selector points (SES Easy DKIM). */
PRESEND_API presend_status presend_dns_answer_add_cname(presend_dns_answer *answer, const char *target);

/* How long the answer may be cached, in seconds (default 300). */
PRESEND_API void presend_dns_answer_set_ttl(presend_dns_answer *answer, uint32_t ttl);

/* Resolves and evaluates every identity of the configuration (SPF of its
 * MAIL FROM domain, its DKIM selectors, DMARC of its domain) and stores the
 * results with the current time.
 *   report_json  may be NULL; else receives an owned JSON report (free with
 *                presend_free): per identity, what was found and why.
 * DNS failures are results (auth.dns_error), not errors of this call; it
 * fails for store errors (PRESEND_ESTORE...) and a read-only engine. */
PRESEND_API presend_status presend_auth_refresh(presend_engine *engine, char **report_json);

/* The stored status of one identity's domain, or of all when `domain` is
 * NULL, as JSON (the last refresh's report with its time). An unknown or
 * never refreshed domain gives "null" (or "[]" for all). *json_out is owned:
 * free with presend_free. */
PRESEND_API presend_status presend_auth_status(presend_engine *engine, const char *domain, char **json_out);

/* Evaluates authentication records on the spot, without an engine or a
 * store (for diagnostics and before publishing a record). `kind` and the
 * request (a JSON object):
 *   "spf"      {"ip", "mail_from", "helo"}: RFC 7208 check_host() and its
 *              explanation; {"domain"}: lint of the published record;
 *              {"record"}: parse and lint a record as given
 *   "dkim"     {"domain", "selector", "provider_suffix"?}: the selector's key
 *              (provider_suffix: the CNAME target it must point under);
 *              {"record"}: parse and lint a key record
 *   "dmarc"    {"domain", "mode"?}: discovery ("dmarcbis", the default, or
 *              "rfc7489"); {"record", "mode"?}: parse and lint a record
 *   "identity" {"domain", "mail_from", "easy_dkim_tokens", "dkim_selectors",
 *              "spf_include", "sending_ips", "mode"}: what `auth refresh`
 *              would store for such an identity
 * DNS: "zone" (a fixture object, as DESIGN.md describes), "zone_file" (a
 * path), or the system resolver ("nameservers" to override resolv.conf).
 *   result_json  receives an owned JSON result (free with presend_free).
 *   errmsg       may be NULL; on failure receives an owned description. */
PRESEND_API presend_status presend_auth_evaluate(const char *kind, const char *request_json, size_t len,
                                                 char **result_json, char **errmsg);

/* ------------------------------------------------------------------------
 * Utilities
 * ------------------------------------------------------------------------ */

/* Address normalization flag: compare local parts case-insensitively. */
#define PRESEND_ADDRESS_LOCAL_CASE_INSENSITIVE 0x1u

/* Normalizes one address ("a@Example.COM" or "Name <a@b>") into the form
 * presend stores and compares: the domain lower-cased in A-label (punycode)
 * form, the local part as given.
 *   normalized  receives an owned string (free with presend_free), or NULL.
 *   errmsg      may be NULL; on PRESEND_EPARSE receives an owned reason. */
PRESEND_API presend_status presend_address_normalize(const char *address, size_t len, uint32_t flags,
                                                     char **normalized, char **errmsg);

/* Every reason code as a JSON array of {"code", "severity", "check",
 * "description"}. Borrowed, static. */
PRESEND_API const char *presend_reasons_json(void);

/* The reason codes of an engine: presend's and those its plugins declare,
 * each with a "source" ("presend" or "plugin NAME VERSION"). *json_out is
 * owned: free with presend_free. (1.1) */
PRESEND_API presend_status presend_engine_reasons(presend_engine *engine, char **json_out);

/* ------------------------------------------------------------------------
 * Feedback: provider events, the reputation guard, pauses (1.2)
 * ------------------------------------------------------------------------ */

/* Ingests what a provider reported: Amazon SES notifications and published
 * events (bare or in SNS envelopes; one JSON document, an array, or JSON
 * Lines) or one ARF feedback report (RFC 5965). Each event is stored once:
 * ingesting the same event again changes nothing. Permanent bounces and
 * complaints add their recipients to the suppression list (with the event's
 * fingerprint); bounces and complaints feed the reputation guard.
 *   options_json  NULL or {"format": "auto" | "ses" | "arf", "account": ...,
 *                 "region": ..., "source": "name for the audit trail",
 *                 "sns_certificate": "PEM of the SNS signing certificate"}
 *   report_json   may be NULL; receives an owned JSON report:
 *                 {"documents", "ingested", "duplicates", "failed", "other",
 *                  "suppressed", "bounces", "transient_bounces", "complaints",
 *                  "outcomes": [{"index", "line", "status": "ingested" |
 *                  "duplicate" | "error" | "sns_confirmation" | "notice", ...,
 *                  "error": {"code", "message"}}]}
 * A malformed document is reported in its outcome and does not stop the
 * others; PRESEND_OK then still. Errors: PRESEND_EINVAL (bad options),
 * PRESEND_ETOOBIG, PRESEND_ESTORE (nothing of the input was stored). */
PRESEND_API presend_status presend_events_ingest(presend_engine *engine, const char *data, size_t len,
                                                 const char *options_json, char **report_json);

/* Bounce and complaint rates per account and region over the configured
 * window, with the levels, SES's review and pause thresholds, how far each
 * rate is from them, and any pause. NULL account/region: all of them.
 * *json_out is owned. */
PRESEND_API presend_status presend_reputation_status(presend_engine *engine, const char *account, const char *region,
                                                     char **json_out);

/* Pauses an account (region NULL: every region) or one region: every message
 * is deferred with reputation.paused until presend_resume. reason may be NULL.
 * json_out may be NULL. PRESEND_EINVAL for an unknown account or region. */
PRESEND_API presend_status presend_pause(presend_engine *engine, const char *account, const char *region,
                                         const char *reason, char **json_out);
/* Lifts a pause set with the same account and region. PRESEND_ENOTFOUND when
 * there is none. */
PRESEND_API presend_status presend_resume(presend_engine *engine, const char *account, const char *region,
                                          char **json_out);

/* ------------------------------------------------------------------------
 * The audit trail and reports (1.2)
 * ------------------------------------------------------------------------ */

/* Verifies the whole audit chain: {"ok", "records", "first_bad", "problem",
 * "verified_through", "head", "key"}. A broken chain is PRESEND_OK with
 * "ok": false (the call worked; the trail did not). *json_out is owned. */
PRESEND_API presend_status presend_audit_verify(presend_engine *engine, char **json_out);

/* A report over a period, as JSON (the model) or rendered:
 *   options_json  {"from": "2026-11-01", "to": "2026-11-30" (dates or RFC
 *                 3339 times; "to" is exclusive; default: the last 7 days),
 *                 "format": "json" | "html" | "csv" | "md", "limit": rows of
 *                 the not-sent table (default 200)}
 *   out           receives the owned document. */
PRESEND_API presend_status presend_report(presend_engine *engine, const char *options_json, char **out);

#ifdef __cplusplus
}
#endif

#endif /* PRESEND_H */
