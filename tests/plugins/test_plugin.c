/* Plugins for the tests of the plugin host, built from presend_plugin.h
 * alone (C99, no libpresend). One source, several objects: TEST_PLUGIN
 * selects what the object does.
 *   1 testplug   a working plugin, configured by its JSON (see below)
 *   2 newabi     built for a newer plugin ABI than the host's
 *   3 declines   its entry returns NULL
 *   4 noentry    exports no entry function
 *   5 slowplug   not thread-safe: fails if two checks overlap
 *   6 prefixed   reports its reasons under "pp." (reason_prefix)
 *   7 usurper    claims presend's own prefix "engine."
 *   8 twin       also reports under "pp."
 *
 * testplug's configuration is read with strstr, to stay dependency-free:
 *   "fail_init"        init fails
 *   "block:DOMAIN"     recipients at DOMAIN get testplug.blocked (block)
 *   "fail_on:TEXT"     the check fails when a recipient contains TEXT
 *   "bad:KIND"         report a malformed finding: prefix, severity, index, utf8
 * Every check adds testplug.seen (info) with the message's account, region,
 * stream and recipient count, and testplug.no_consent (warn) for each
 * recipient without a consent record. */
#define _POSIX_C_SOURCE 199309L /* nanosleep */
#include <presend/presend_plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef TEST_PLUGIN
#define TEST_PLUGIN 1
#endif

#define EXPORT __attribute__((visibility("default")))

#if TEST_PLUGIN == 1
#define NAME "testplug"
#elif TEST_PLUGIN == 2
#define NAME "newabi"
#elif TEST_PLUGIN == 3
#define NAME "declines"
#elif TEST_PLUGIN == 5
#define NAME "slowplug"
#elif TEST_PLUGIN == 6
#define NAME "prefixed"
#define PREFIX "pp"
#elif TEST_PLUGIN == 7
#define NAME "usurper"
#define PREFIX "engine"
#else
#define NAME "twin"
#define PREFIX "pp"
#endif
#ifndef PREFIX
#define PREFIX NAME
#endif

#if TEST_PLUGIN != 4
struct state {
    const presend_plugin_host *host;
    char block[128];
    char fail_on[128];
    char bad[32];
    int in_check;
};

static void copy_after(const char *config, const char *key, char *out, size_t size) {
    const char *p = strstr(config, key);
    size_t n = 0;
    out[0] = '\0';
    if (p == NULL) return;
    p += strlen(key);
    while (p[n] != '\0' && p[n] != '"' && n + 1 < size) {
        out[n] = p[n];
        ++n;
    }
    out[n] = '\0';
}

static int32_t init(const presend_plugin_host *host, const char *config_json, size_t len, void **state) {
    struct state *s;
    char *config = (char *)malloc(len + 1);
    if (config == NULL) return 1;
    memcpy(config, config_json, len);
    config[len] = '\0';
    if (strstr(config, "fail_init") != NULL) {
        host->set_error(NULL, "the configuration asks init to fail");
        free(config);
        return 1;
    }
    s = (struct state *)calloc(1, sizeof *s);
    if (s == NULL) {
        free(config);
        return 1;
    }
    s->host = host;
    copy_after(config, "block:", s->block, sizeof s->block);
    copy_after(config, "fail_on:", s->fail_on, sizeof s->fail_on);
    copy_after(config, "bad:", s->bad, sizeof s->bad);
    free(config);
    *state = s;
    return 0;
}

static int32_t check(void *state, presend_plugin_context *ctx) {
    struct state *s = (struct state *)state;
    const presend_plugin_host *h = s->host;
    size_t n = h->recipient_count(ctx), i;
    char text[512];
    if (s->in_check) {
        /* slowplug is not thread-safe: presend must never run two of its checks at once. */
        h->set_error(ctx, "two checks overlapped");
        return 1;
    }
    s->in_check = 1;
#if TEST_PLUGIN == 5
    {
        struct timespec pause = {0, 200000}; /* widen the window an overlap would need */
        nanosleep(&pause, NULL);
    }
#endif
    for (i = 0; i < n; ++i) {
        const char *a = h->recipient_address(ctx, i);
        const char *at = strrchr(a, '@');
        presend_plugin_consent consent;
        if (s->fail_on[0] != '\0' && strstr(a, s->fail_on) != NULL) {
            snprintf(text, sizeof text, "cannot judge %s", a);
            h->set_error(ctx, text);
            s->in_check = 0;
            return 1;
        }
        if (s->block[0] != '\0' && at != NULL && strcmp(at + 1, s->block) == 0) {
            snprintf(text, sizeof text, "%s is at %s", a, s->block);
            h->add_finding(ctx, i, PREFIX ".blocked", PRESEND_PLUGIN_BLOCK, text);
        }
        memset(&consent, 0, sizeof consent);
        consent.struct_size = sizeof consent;
        if (h->recipient_consent(ctx, i, &consent) == 0) {
            h->add_finding(ctx, i, PREFIX ".no_consent", PRESEND_PLUGIN_WARN, "no consent record");
        } else if (strcmp(consent.status, "subscribed") == 0 && consent.country[0] != '\0') {
            snprintf(text, sizeof text, "consent %s via %s in %s", consent.method, consent.source, consent.country);
            h->add_finding(ctx, i, PREFIX ".consent_seen", PRESEND_PLUGIN_INFO, text);
        }
    }
    if (strcmp(s->bad, "prefix") == 0) h->add_finding(ctx, PRESEND_PLUGIN_MESSAGE, "other.code", PRESEND_PLUGIN_WARN, "x");
    if (strcmp(s->bad, "severity") == 0) h->add_finding(ctx, PRESEND_PLUGIN_MESSAGE, PREFIX ".x", 7, "x");
    if (strcmp(s->bad, "index") == 0) h->add_finding(ctx, n + 3, PREFIX ".x", PRESEND_PLUGIN_WARN, "x");
    if (strcmp(s->bad, "utf8") == 0) h->add_finding(ctx, PRESEND_PLUGIN_MESSAGE, PREFIX ".x", PRESEND_PLUGIN_WARN, "\xff\xfe");
    snprintf(text, sizeof text, "%s/%s %s, %zu recipients, at %lld", h->message_field(ctx, "account"),
             h->message_field(ctx, "region"), h->message_field(ctx, "stream"), n, (long long)h->now_ms(ctx));
    h->add_finding(ctx, PRESEND_PLUGIN_MESSAGE, PREFIX ".seen", PRESEND_PLUGIN_INFO, text);
    s->in_check = 0;
    return 0;
}

static void shutdown(void *state) { free(state); }

#if TEST_PLUGIN == 1
static const char *reasons(void *state) {
    (void)state;
    return "[{\"code\": \"testplug.blocked\", \"severity\": \"block\", \"description\": \"the recipient's domain is blocked\"},"
           " {\"code\": \"testplug.no_consent\", \"severity\": \"warn\", \"description\": \"no consent record\"}]";
}
#endif

static presend_plugin table = {
    sizeof(presend_plugin),
#if TEST_PLUGIN == 2
    PRESEND_PLUGIN_ABI_VERSION + 1,
#else
    PRESEND_PLUGIN_ABI_VERSION,
#endif
    NAME,
    "0.1.0",
#if TEST_PLUGIN == 5
    0,
#else
    PRESEND_PLUGIN_THREAD_SAFE,
#endif
    init, check, shutdown,
#if TEST_PLUGIN == 1
    reasons
#else
    NULL
#endif
    ,
#if TEST_PLUGIN >= 6
    PREFIX
#else
    NULL
#endif
};

EXPORT const presend_plugin *presend_plugin_entry(const presend_plugin_host *host);
EXPORT const presend_plugin *presend_plugin_entry(const presend_plugin_host *host) {
    if (host->struct_size < sizeof(presend_plugin_host)) return NULL;
#if TEST_PLUGIN == 3
    (void)table;
    return NULL;
#else
    return &table;
#endif
}
#else
/* noentry: something exported, but not the entry function. */
EXPORT int presend_plugin_entrance(void);
EXPORT int presend_plugin_entrance(void) { return 4; }
#endif
