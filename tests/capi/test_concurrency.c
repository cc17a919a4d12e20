/* Exactness under concurrency, through the C ABI only:
 *   processes  8 processes x 100 single-recipient checks against a 24-hour
 *              maximum of 200: exactly 200 allowed, the rest deferred with
 *              quota.daily_exhausted.
 *   threads    one engine shared by 8 threads, the same numbers.
 *   fork       an engine opened and used before fork(), then used by the
 *              parent and 4 children at once: the total stays exact and the
 *              store stays intact. */
#define _GNU_SOURCE
#include <presend/presend.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHECKS 100
#define WORKERS 8
#define MAX_24H 200

static const char *kConfig =
    "{\"accounts\": {\"prod\": {\"regions\": {\"us-east-1\": {\"max_24h\": 200, \"max_rate\": 1000000}}}}}";

struct counts {
    int allowed, exhausted, other, errors;
};

static char store[512];

static presend_engine *open_engine(void) {
    presend_engine_options opts;
    presend_engine *e = NULL;
    char *err = NULL;
    presend_engine_options_init(&opts);
    opts.store_path = store;
    if (presend_engine_open_json(&e, kConfig, strlen(kConfig), &opts, &err) != PRESEND_OK) {
        fprintf(stderr, "open: %s\n", err ? err : "?");
        presend_free(err);
        exit(3);
    }
    return e;
}

static void run_checks(presend_engine *e, int worker, int n, struct counts *c) {
    char msg[256];
    int i;
    for (i = 0; i < n; ++i) {
        presend_decision *d = NULL;
        snprintf(msg, sizeof msg,
                 "{\"from\": \"a@example.com\", \"stream\": \"transactional\", \"to\": [\"w%d-%d@example.org\"]}",
                 worker, i);
        if (presend_engine_check(e, msg, strlen(msg), 0, &d) != PRESEND_OK) {
            fprintf(stderr, "check: %s\n", presend_engine_errmsg(e));
            c->errors++;
            continue;
        }
        if (presend_decision_verdict(d) == PRESEND_ALLOW) c->allowed++;
        else if (presend_decision_verdict(d) == PRESEND_DEFER &&
                 strcmp(presend_decision_reason_code(d, 0, 0), "quota.daily_exhausted") == 0)
            c->exhausted++;
        else c->other++;
        presend_decision_free(d);
    }
}

static void add_counts(struct counts *total, const struct counts *c) {
    total->allowed += c->allowed;
    total->exhausted += c->exhausted;
    total->other += c->other;
    total->errors += c->errors;
}

static int report(const char *name, const struct counts *c, int want_allowed, int want_exhausted) {
    printf("%s: allowed %d, deferred (quota.daily_exhausted) %d, other %d, errors %d\n", name, c->allowed,
           c->exhausted, c->other, c->errors);
    if (c->allowed != want_allowed || c->exhausted != want_exhausted || c->other != 0 || c->errors != 0) {
        fprintf(stderr, "%s: wanted %d allowed and %d deferred\n", name, want_allowed, want_exhausted);
        return 1;
    }
    return 0;
}

static void fresh_store(const char *dir, const char *name) {
    char path[600];
    snprintf(store, sizeof store, "%s/%s", dir, name);
    unlink(store);
    snprintf(path, sizeof path, "%s-wal", store);
    unlink(path);
    snprintf(path, sizeof path, "%s-shm", store);
    unlink(path);
}

/* Forks `n` workers that wait on `go` and report their counts on a pipe. */
static int test_processes(void) {
    int go[2], results[2], i;
    struct counts total = {0, 0, 0, 0};
    if (pipe(go) != 0 || pipe(results) != 0) return 2;
    /* Create the store once so that the children race only for the quota. */
    presend_engine_free(open_engine());
    for (i = 0; i < WORKERS; ++i) {
        pid_t pid = fork();
        if (pid < 0) return 2;
        if (pid == 0) {
            struct counts c = {0, 0, 0, 0};
            char byte;
            presend_engine *e;
            close(go[1]);
            if (read(go[0], &byte, 1) < 0) _exit(4); /* wait for the start */
            e = open_engine();
            run_checks(e, i, CHECKS, &c);
            presend_engine_free(e);
            if (write(results[1], &c, sizeof c) != (ssize_t)sizeof c) _exit(5);
            _exit(0);
        }
    }
    close(go[0]);
    close(go[1]); /* every child's read returns: start together */
    close(results[1]); /* a child that dies before writing ends the read, not the test */
    for (i = 0; i < WORKERS; ++i) {
        struct counts c;
        int status = 0;
        if (read(results[0], &c, sizeof c) != (ssize_t)sizeof c) {
            fprintf(stderr, "a child process ended without reporting its counts\n");
            return 2;
        }
        add_counts(&total, &c);
        wait(&status);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "a worker process failed (status %d)\n", status);
            return 1;
        }
    }
    return report("8 processes x 100 checks", &total, MAX_24H, WORKERS * CHECKS - MAX_24H);
}

struct thread_arg {
    presend_engine *e;
    int worker;
    struct counts c;
    int errmsg_ok;
};

static void *thread_main(void *p) {
    struct thread_arg *a = p;
    presend_decision *d = NULL;
    char bad[64];
    run_checks(a->e, a->worker, CHECKS, &a->c);
    /* Each thread sees its own error text, whatever the others do. */
    snprintf(bad, sizeof bad, "{\"from\": \"x@example.com\", \"w%d\": 1}", a->worker);
    presend_engine_check(a->e, bad, strlen(bad), 0, &d);
    snprintf(bad, sizeof bad, "\"w%d\"", a->worker);
    a->errmsg_ok = strstr(presend_engine_errmsg(a->e), bad) != NULL;
    return NULL;
}

static int test_threads(void) {
    pthread_t threads[WORKERS];
    struct thread_arg args[WORKERS];
    struct counts total = {0, 0, 0, 0};
    presend_engine *e = open_engine();
    int i, rc;
    for (i = 0; i < WORKERS; ++i) {
        memset(&args[i], 0, sizeof args[i]);
        args[i].e = e;
        args[i].worker = i;
        pthread_create(&threads[i], NULL, thread_main, &args[i]);
    }
    for (i = 0; i < WORKERS; ++i) {
        pthread_join(threads[i], NULL);
        add_counts(&total, &args[i].c);
        if (!args[i].errmsg_ok) {
            fprintf(stderr, "thread %d read another thread's error text\n", i);
            total.errors++;
        }
    }
    presend_engine_free(e);
    rc = report("8 threads x 100 checks on one engine", &total, MAX_24H, WORKERS * CHECKS - MAX_24H);
    return rc;
}

static int test_fork(void) {
    presend_engine *e = open_engine();
    struct counts total = {0, 0, 0, 0};
    int results[2], i;
    char *json = NULL;
    /* Used before fork: the pool holds a connection the children must not touch. */
    run_checks(e, 99, 1, &total);
    if (pipe(results) != 0) return 2;
    for (i = 0; i < 4; ++i) {
        pid_t pid = fork();
        if (pid == 0) {
            struct counts c = {0, 0, 0, 0};
            run_checks(e, i, 60, &c);
            presend_engine_free(e);
            if (write(results[1], &c, sizeof c) != (ssize_t)sizeof c) _exit(5);
            _exit(0);
        }
    }
    close(results[1]); /* a child that dies before writing ends the read, not the test */
    run_checks(e, 98, 60, &total);
    for (i = 0; i < 4; ++i) {
        struct counts c;
        int status = 0;
        if (read(results[0], &c, sizeof c) != (ssize_t)sizeof c) {
            fprintf(stderr, "a child process ended without reporting its counts\n");
            return 2;
        }
        add_counts(&total, &c);
        wait(&status);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "a forked child failed (status %d)\n", status);
            return 1;
        }
    }
    if (presend_quota_status(e, NULL, NULL, &json) != PRESEND_OK || strstr(json, "\"sent_24h\":200") == NULL) {
        fprintf(stderr, "ledger after fork: %s\n", json ? json : presend_engine_errmsg(e));
        presend_free(json);
        return 1;
    }
    presend_free(json);
    presend_engine_free(e);
    return report("engine used across fork (parent + 4 children)", &total, MAX_24H, 1 + 60 * 5 - MAX_24H);
}

int main(void) {
    char dir[256];
    char cmd[300];
    const char *tmp = getenv("TMPDIR");
    int rc = 0;
    snprintf(dir, sizeof dir, "%s/presend-conc-XXXXXX", tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) return 2;
    fresh_store(dir, "processes.db");
    rc |= test_processes();
    fresh_store(dir, "threads.db");
    rc |= test_threads();
    fresh_store(dir, "fork.db");
    rc |= test_fork();
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return rc;
}
