/* presend_compare_c: one contender of the comparison (bench/compare/README.md):
 * presend through its C API, as a C host calls it. It speaks the drivers'
 * common protocol (see the README): it loads the messages, then checks them
 * in a closed loop for --seconds (or --count messages), reserving quota and
 * storing every decision, started together with the other processes of the
 * run (--sync); it writes PREFIX.json (the counts, times and memory) and
 * PREFIX.lat (each call's latency in nanoseconds, one per line). */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <presend/presend.h>

struct options {
    const char *config;
    const char *store;
    const char *messages;
    const char *out;
    int64_t first;
    double seconds;
    int64_t count;
    int sync;
    int64_t warmup;
};

static void die(const char *what, const char *detail) {
    fprintf(stderr, "presend_compare_c: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

static int64_t clock_ns(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static char *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) die(path, strerror(errno));
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap);
    if (!buf) die("out of memory", NULL);
    size_t r;
    while ((r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (cap - n < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
            if (!buf) die("out of memory", NULL);
        }
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* A field of /proc/self/status in kB, or -1. */
static int64_t status_kb(const char *key) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    size_t klen = strlen(key);
    int64_t v = -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
            v = strtoll(line + klen + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return v;
}

static void parse(int argc, char **argv, struct options *o) {
    memset(o, 0, sizeof *o);
    o->seconds = 10;
    o->warmup = 2000;
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        if (!strcmp(a, "--sync")) {
            o->sync = 1;
            continue;
        }
        if (i + 1 >= argc) die("missing value of", a);
        const char *v = argv[++i];
        if (!strcmp(a, "--config")) o->config = v;
        else if (!strcmp(a, "--store")) o->store = v;
        else if (!strcmp(a, "--messages")) o->messages = v;
        else if (!strcmp(a, "--out")) o->out = v;
        else if (!strcmp(a, "--first")) o->first = strtoll(v, NULL, 10);
        else if (!strcmp(a, "--seconds")) o->seconds = strtod(v, NULL);
        else if (!strcmp(a, "--count")) o->count = strtoll(v, NULL, 10);
        else if (!strcmp(a, "--warmup")) o->warmup = strtoll(v, NULL, 10);
        else if (!strncmp(a, "--max-", 6) || !strcmp(a, "--burst")) continue; /* the config has the limits */
        else die("unknown option", a);
    }
    if (!o->config || !o->store || !o->messages || !o->out) die("--config, --store, --messages and --out are required", NULL);
}

int main(int argc, char **argv) {
    struct options o;
    parse(argc, argv, &o);

    size_t config_len = 0, file_len = 0;
    char *config = read_all(o.config, &config_len);
    char *file = read_all(o.messages, &file_len);
    size_t n_msgs = 0, cap = 1024;
    char **msgs = malloc(cap * sizeof *msgs);
    size_t *lens = malloc(cap * sizeof *lens);
    for (char *p = file; p < file + file_len;) {
        char *nl = memchr(p, '\n', (size_t)(file + file_len - p));
        if (!nl) nl = file + file_len;
        if (nl > p) {
            if (n_msgs == cap) {
                cap *= 2;
                msgs = realloc(msgs, cap * sizeof *msgs);
                lens = realloc(lens, cap * sizeof *lens);
            }
            *nl = '\0';
            msgs[n_msgs] = p;
            lens[n_msgs++] = (size_t)(nl - p);
        }
        p = nl + 1;
    }
    if (n_msgs == 0) die(o.messages, "no messages");
    int64_t base_kb = status_kb("RssAnon"); /* the messages loaded, the engine not yet open */

    presend_engine_options eo;
    presend_engine_options_init(&eo);
    eo.store_path = o.store;
    presend_engine *e = NULL;
    char *err = NULL;
    presend_status st = presend_engine_open_json(&e, config, config_len, &eo, &err);
    if (st != PRESEND_OK) die("presend_engine_open_json", err ? err : presend_status_str(st));

    size_t next = (size_t)(o.first % (int64_t)n_msgs);
    for (int64_t i = 0; i < o.warmup; ++i) {
        presend_decision *d = NULL;
        size_t k = (next + (size_t)i) % n_msgs;
        if (presend_engine_check(e, msgs[k], lens[k], PRESEND_CHECK_DRY_RUN, &d) != PRESEND_OK) {
            die("warm-up check", presend_engine_errmsg(e));
        }
        presend_decision_free(d);
    }

    if (o.sync) {
        /* Ready; start when the coordinator says so (all processes together). */
        char line[16];
        fputs("ready\n", stdout);
        fflush(stdout);
        if (!fgets(line, sizeof line, stdin)) die("--sync", "no go from the coordinator");
    }

    size_t lat_cap = 1 << 16, n_lat = 0;
    int64_t *lat = malloc(lat_cap * sizeof *lat);
    int64_t allowed = 0, blocked = 0, deferred = 0, errors = 0;
    int64_t verdicts[4] = {0, 0, 0, 0};
    int64_t rss_anon_peak = status_kb("RssAnon");
    int64_t first_ns = clock_ns(CLOCK_REALTIME);
    int64_t deadline = first_ns + (int64_t)(o.seconds * 1e9);
    int64_t last_ns = first_ns;
    for (int64_t i = 0;; ++i) {
        if (o.count > 0 ? i >= o.count : (i & 15) == 0 && clock_ns(CLOCK_REALTIME) >= deadline) break;
        size_t k = next;
        next = (next + 1) % n_msgs;
        presend_decision *d = NULL;
        int64_t t0 = clock_ns(CLOCK_MONOTONIC);
        st = presend_engine_check(e, msgs[k], lens[k], 0, &d);
        if (st == PRESEND_OK) {
            presend_verdict v = presend_decision_verdict(d);
            if (v >= 0 && v < 4) ++verdicts[v];
            size_t n = presend_decision_recipient_count(d);
            for (size_t r = 0; r < n; ++r) {
                presend_verdict rv = presend_decision_recipient_verdict(d, r);
                if (rv == PRESEND_ALLOW) ++allowed;
                else if (rv == PRESEND_DEFER) ++deferred;
                else ++blocked;
            }
        } else {
            ++errors;
        }
        presend_decision_free(d);
        int64_t t1 = clock_ns(CLOCK_MONOTONIC);
        if (n_lat == lat_cap) {
            lat_cap *= 2;
            lat = realloc(lat, lat_cap * sizeof *lat);
            if (!lat) die("out of memory", NULL);
        }
        lat[n_lat++] = t1 - t0;
        if ((i & 1023) == 1023) {
            int64_t r = status_kb("RssAnon");
            if (r > rss_anon_peak) rss_anon_peak = r;
        }
    }
    last_ns = clock_ns(CLOCK_REALTIME);
    int64_t r = status_kb("RssAnon");
    if (r > rss_anon_peak) rss_anon_peak = r;

    char path[4096];
    snprintf(path, sizeof path, "%s.lat", o.out);
    FILE *f = fopen(path, "w");
    if (!f) die(path, strerror(errno));
    for (size_t i = 0; i < n_lat; ++i) fprintf(f, "%" PRId64 "\n", lat[i]);
    if (fclose(f) != 0) die(path, strerror(errno));

    snprintf(path, sizeof path, "%s.json", o.out);
    f = fopen(path, "w");
    if (!f) die(path, strerror(errno));
    fprintf(f,
            "{\"driver\": \"presend-c\", \"checks\": %zu, \"errors\": %" PRId64 ", \"allowed\": %" PRId64
            ", \"blocked\": %" PRId64 ", \"deferred\": %" PRId64 ", \"verdicts\": {\"allow\": %" PRId64
            ", \"partial\": %" PRId64 ", \"block\": %" PRId64 ", \"defer\": %" PRId64 "}, \"first_ns\": %" PRId64
            ", \"last_ns\": %" PRId64 ", \"vm_hwm_kb\": %" PRId64 ", \"rss_anon_base_kb\": %" PRId64
            ", \"rss_anon_peak_kb\": %" PRId64
            ", \"runtime\": \"presend %s\"}\n",
            n_lat, errors, allowed, blocked, deferred, verdicts[0], verdicts[1], verdicts[2], verdicts[3], first_ns,
            last_ns, status_kb("VmHWM"), base_kb, rss_anon_peak, presend_version());
    if (fclose(f) != 0) die(path, strerror(errno));

    presend_engine_free(e);
    free(lat);
    free(msgs);
    free(lens);
    free(file);
    free(config);
    return errors > 0 ? 1 : 0;
}
