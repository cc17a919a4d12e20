/* The C ABI, from C99 and nothing but presend.h: every function, its
 * ownership rules, its errors. Each case prints its name; any failed
 * expectation fails the program. */
#define _XOPEN_SOURCE 700 /* mkdtemp */
#include <presend/presend.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures = 0;

#define EXPECT(cond)                                                                  \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: expectation failed: %s\n", __FILE__, __LINE__, #cond); \
            ++failures;                                                               \
        }                                                                             \
    } while (0)

#define EXPECT_STATUS(call, want)                                                              \
    do {                                                                                       \
        presend_status st_ = (call);                                                           \
        if (st_ != (want)) {                                                                   \
            fprintf(stderr, "%s:%d: %s returned %d (%s), wanted %d\n", __FILE__, __LINE__, #call, \
                    (int)st_, presend_status_str(st_), (int)(want));                           \
            ++failures;                                                                        \
        }                                                                                      \
    } while (0)

static char dir[256];
static int64_t fake_now = 1793610000000; /* 2026-11-02T09:00:00Z */

static int64_t fake_clock(void *user) {
    (void)user;
    return fake_now;
}

static const char *kConfig =
    "{\"defaults\": {\"account\": \"prod\", \"region\": \"us-east-1\"},"
    " \"accounts\": {\"prod\": {\"regions\": {\"us-east-1\": {\"max_24h\": 3, \"max_rate\": 100},"
    "                                          \"eu-west-1\": {}}}}}";

static presend_engine *open_engine(const char *store_name) {
    char path[512];
    presend_engine_options opts;
    presend_engine *e = NULL;
    char *err = NULL;
    snprintf(path, sizeof path, "%s/%s", dir, store_name);
    presend_engine_options_init(&opts);
    opts.store_path = path;
    opts.clock = fake_clock;
    EXPECT_STATUS(presend_engine_open_json(&e, kConfig, strlen(kConfig), &opts, &err), PRESEND_OK);
    EXPECT(err == NULL);
    presend_free(err);
    return e;
}

static presend_decision *check(presend_engine *e, const char *json, uint32_t flags) {
    presend_decision *d = NULL;
    EXPECT_STATUS(presend_engine_check(e, json, strlen(json), flags, &d), PRESEND_OK);
    return d;
}

static void test_versions(void) {
    puts("versions");
    EXPECT(strcmp(presend_version(), PRESEND_VERSION_STRING) == 0);
    EXPECT(presend_version_number() == PRESEND_VERSION_NUMBER);
    EXPECT(presend_abi_version() == 1);
    EXPECT(strcmp(presend_status_str(PRESEND_EJSON), "malformed JSON") == 0);
    EXPECT(strcmp(presend_status_str(-12345), "unknown error") == 0);
    EXPECT(strcmp(presend_verdict_str(PRESEND_PARTIAL), "partial") == 0);
    EXPECT(strcmp(presend_verdict_str(99), "unknown") == 0);
}

static void test_open_errors(void) {
    presend_engine *e = (presend_engine *)1;
    char *err = NULL;
    presend_engine_options small;
    puts("open errors");
    EXPECT_STATUS(presend_engine_open_json(&e, "{", 1, NULL, &err), PRESEND_EJSON);
    EXPECT(e == NULL);
    EXPECT(err != NULL && strstr(err, "malformed JSON") != NULL);
    presend_free(err);

    err = NULL;
    EXPECT_STATUS(presend_engine_open_json(&e, "{\"acounts\": {}}", 15, NULL, &err), PRESEND_ECONFIG);
    EXPECT(err != NULL && strstr(err, "acounts") != NULL);
    presend_free(err);

    /* errmsg may be NULL. */
    EXPECT_STATUS(presend_engine_open_json(&e, "[]", 2, NULL, NULL), PRESEND_ECONFIG);
    EXPECT_STATUS(presend_engine_open(&e, "/nonexistent/presend.json", NULL, NULL), PRESEND_EIO);
    EXPECT_STATUS(presend_engine_open_json(NULL, kConfig, strlen(kConfig), NULL, NULL), PRESEND_EINVAL);

    /* An options struct from a future or broken caller: too small is refused. */
    memset(&small, 0, sizeof small);
    small.struct_size = 2;
    EXPECT_STATUS(presend_engine_open_json(&e, kConfig, strlen(kConfig), &small, NULL), PRESEND_EINVAL);

    /* Destructors accept NULL. */
    presend_engine_free(NULL);
    presend_decision_free(NULL);
    presend_batch_free(NULL);
    presend_free(NULL);
}

static void test_check_and_accessors(void) {
    presend_engine *e = open_engine("check.db");
    presend_decision *d;
    const char *msg =
        "{\"from\": \"App <app@example.com>\", \"stream\": \"transactional\","
        " \"to\": [\"A <a@Example.ORG>\", \"not an address\"], \"cc\": [\"a@example.org\"]}";
    puts("check and accessors");
    d = check(e, msg, 0);
    EXPECT(presend_decision_verdict(d) == PRESEND_PARTIAL);
    EXPECT(presend_decision_retry_after_ms(d) == 0);
    EXPECT(strlen(presend_decision_id(d)) == 36);
    EXPECT(presend_decision_recipient_count(d) == 2);
    EXPECT(strcmp(presend_decision_recipient_address(d, 0), "a@example.org") == 0);
    EXPECT(presend_decision_recipient_verdict(d, 0) == PRESEND_ALLOW);
    EXPECT(presend_decision_recipient_verdict(d, 1) == PRESEND_BLOCK);
    EXPECT(presend_decision_reason_count(d, 0) == 1); /* recipient.duplicate */
    EXPECT(strcmp(presend_decision_reason_code(d, 0, 0), "recipient.duplicate") == 0);
    EXPECT(strcmp(presend_decision_reason_code(d, 1, 0), "recipient.invalid") == 0);
    EXPECT(presend_decision_reason_code(d, 1, 1) == NULL);
    EXPECT(presend_decision_reason_count(d, PRESEND_MESSAGE_LEVEL) == 0);
    EXPECT(presend_decision_recipient_address(d, 2) == NULL);
    EXPECT(presend_decision_recipient_verdict(d, 2) == -1);
    EXPECT(strstr(presend_decision_json(d), "\"verdict\":\"partial\"") != NULL);
    /* The JSON is computed once and stays the same pointer. */
    EXPECT(presend_decision_json(d) == presend_decision_json(d));
    presend_decision_free(d);

    /* The quota: max_24h is 3. */
    d = check(e, "{\"from\": \"a@example.com\", \"stream\": \"transactional\", \"to\": [\"b@example.org\", \"c@example.org\"]}", 0);
    EXPECT(presend_decision_verdict(d) == PRESEND_ALLOW);
    presend_decision_free(d);
    d = check(e, "{\"from\": \"a@example.com\", \"stream\": \"transactional\", \"to\": [\"d@example.org\"]}", PRESEND_CHECK_DRY_RUN);
    EXPECT(presend_decision_verdict(d) == PRESEND_DEFER);
    EXPECT(presend_decision_retry_after_ms(d) == 86400000);
    EXPECT(strcmp(presend_decision_reason_code(d, 0, 0), "quota.daily_exhausted") == 0);
    EXPECT(presend_decision_reason_count(d, PRESEND_MESSAGE_LEVEL) == 1); /* quota.approaching */
    /* A dry run is not stored, so it cannot be released. */
    EXPECT_STATUS(presend_engine_release(e, presend_decision_id(d)), PRESEND_ENOTFOUND);
    presend_decision_free(d);
    presend_engine_free(e);
}

static void test_check_errors(void) {
    presend_engine *e = open_engine("errors.db");
    presend_decision *d = (presend_decision *)1;
    const char bad_utf8[] = "{\"from\": \"a@example.com\", \"to\": [\"\xc3\x28@example.org\"]}";
    const char with_nul[] = "{\"from\": \"a@example.com\",\0 \"to\": []}";
    puts("check errors");
    EXPECT_STATUS(presend_engine_check(e, "{", 1, 0, &d), PRESEND_EJSON);
    EXPECT(d == NULL);
    EXPECT(strstr(presend_engine_errmsg(e), "malformed JSON") != NULL);
    EXPECT_STATUS(presend_engine_check(e, bad_utf8, sizeof bad_utf8 - 1, 0, &d), PRESEND_EJSON);
    EXPECT(strstr(presend_engine_errmsg(e), "UTF-8") != NULL);
    EXPECT_STATUS(presend_engine_check(e, with_nul, sizeof with_nul - 1, 0, &d), PRESEND_EJSON);
    EXPECT_STATUS(presend_engine_check(e, "{\"to\": [], \"x\": 1}", 18, 0, &d), PRESEND_EMESSAGE);
    EXPECT(strstr(presend_engine_errmsg(e), "\"x\"") != NULL);
    EXPECT_STATUS(presend_engine_check(e, "{\"account\": \"nope\"}", 19, 0, &d), PRESEND_EUNKNOWN_ACCOUNT);
    EXPECT_STATUS(presend_engine_check(e, "{\"region\": \"mars-1\"}", 20, 0, &d), PRESEND_EUNKNOWN_REGION);
    EXPECT_STATUS(presend_engine_check(e, "{}", 2, 0x80, &d), PRESEND_EINVAL);
    EXPECT_STATUS(presend_engine_check(e, NULL, 0, 0, &d), PRESEND_EINVAL);
    EXPECT_STATUS(presend_engine_check(e, "{}", 2, 0, NULL), PRESEND_EINVAL);
    EXPECT_STATUS(presend_engine_check(NULL, "{}", 2, 0, &d), PRESEND_EINVAL);
    EXPECT(strlen(presend_engine_errmsg(NULL)) > 0);
    EXPECT_STATUS(presend_engine_release(e, "no-such-decision"), PRESEND_ENOTFOUND);
    presend_engine_free(e);
}

static void test_release(void) {
    presend_engine *e = open_engine("release.db");
    presend_decision *d, *d2;
    const char *three = "{\"from\": \"a@example.com\", \"stream\": \"transactional\", \"to\": [\"a@example.org\", \"b@example.org\", \"c@example.org\"]}";
    const char *one = "{\"from\": \"a@example.com\", \"stream\": \"transactional\", \"to\": [\"d@example.org\"]}";
    puts("release");
    d = check(e, three, 0);
    EXPECT(presend_decision_verdict(d) == PRESEND_ALLOW);
    d2 = check(e, one, 0);
    EXPECT(presend_decision_verdict(d2) == PRESEND_DEFER);
    presend_decision_free(d2);
    EXPECT_STATUS(presend_engine_release(e, presend_decision_id(d)), PRESEND_OK);
    EXPECT_STATUS(presend_engine_release(e, presend_decision_id(d)), PRESEND_ESTATE);
    EXPECT(strstr(presend_engine_errmsg(e), "already released") != NULL);
    d2 = check(e, one, 0);
    EXPECT(presend_decision_verdict(d2) == PRESEND_ALLOW);
    presend_decision_free(d2);
    presend_decision_free(d);
    presend_engine_free(e);
}

static void test_batch(void) {
    presend_engine *e = open_engine("batch.db");
    presend_batch *b = NULL;
    const char *batch =
        "[{\"from\": \"a@example.com\", \"stream\": \"transactional\", \"to\": [\"a@example.org\", \"b@example.org\"]},"
        " {\"from\": \"a@example.com\", \"bogus\": true},"
        " {\"from\": \"a@example.com\", \"stream\": \"transactional\", \"to\": [\"c@example.org\", \"d@example.org\"]}]";
    puts("batch");
    EXPECT_STATUS(presend_engine_check_batch(e, batch, strlen(batch), 0, &b), PRESEND_OK);
    EXPECT(presend_batch_count(b) == 3);
    EXPECT(presend_batch_status(b, 0) == PRESEND_OK);
    EXPECT(presend_decision_verdict(presend_batch_decision(b, 0)) == PRESEND_ALLOW);
    EXPECT(presend_batch_status(b, 1) == PRESEND_EMESSAGE);
    EXPECT(strstr(presend_batch_errmsg(b, 1), "bogus") != NULL);
    EXPECT(presend_batch_decision(b, 1) == NULL);
    EXPECT(presend_decision_verdict(presend_batch_decision(b, 2)) == PRESEND_PARTIAL);
    EXPECT(presend_batch_status(b, 3) == PRESEND_EINVAL);
    EXPECT(strncmp(presend_batch_json(b), "[{\"decision_id\"", 15) == 0);
    EXPECT(strstr(presend_batch_json(b), "\"error\":{\"status\":-6") != NULL);
    presend_batch_free(b);
    EXPECT_STATUS(presend_engine_check_batch(e, "{}", 2, 0, &b), PRESEND_EMESSAGE);
    EXPECT(b == NULL);
    presend_engine_free(e);
}

static void test_consent_and_suppression(void) {
    presend_engine *e = open_engine("consent.db");
    char *json = NULL, *report = NULL;
    presend_decision *d;
    const char *rec = "{\"address\": \"Ann@Example.ORG\", \"list\": \"weekly\", \"method\": \"double\","
                      " \"consented_at\": \"2026-01-01T00:00:00Z\", \"confirmed_at\": \"2026-01-01T00:03:00Z\","
                      " \"source\": \"form\", \"ip\": \"198.51.100.7\", \"country\": \"de\"}";
    const char *csv = "address,list\nb@example.org,weekly\nbad,weekly\n";
    const char *msg = "{\"from\": \"n@example.com\", \"list\": \"weekly\", \"to\": [\"Ann@example.org\", \"b@example.org\"],"
                      " \"headers\": [[\"List-Unsubscribe\", \"<https://example.com/u/Zx8Kq2LmN4pR7sT1vW3y>\"],"
                      " [\"List-Unsubscribe-Post\", \"List-Unsubscribe=One-Click\"]]}";
    puts("consent and suppression");
    EXPECT_STATUS(presend_consent_put(e, rec, strlen(rec)), PRESEND_OK);
    EXPECT_STATUS(presend_consent_get(e, "Ann@example.org", NULL, &json), PRESEND_OK);
    EXPECT(strstr(json, "\"method\":\"double\"") != NULL);
    EXPECT(strstr(json, "\"country\":\"DE\"") != NULL);
    EXPECT(strstr(json, "\"confirmed_at\":\"2026-01-01T00:03:00Z\"") != NULL);
    presend_free(json);
    EXPECT_STATUS(presend_consent_get(e, "nobody@example.org", "weekly", &json), PRESEND_OK);
    EXPECT(strcmp(json, "[]") == 0);
    presend_free(json);
    EXPECT_STATUS(presend_consent_get(e, "not an address", NULL, &json), PRESEND_EPARSE);
    EXPECT(json == NULL);
    EXPECT_STATUS(presend_consent_put(e, "{\"address\": \"x@example.org\"}", 28), PRESEND_EPARSE);
    EXPECT(strstr(presend_engine_errmsg(e), "list is required") != NULL);

    EXPECT_STATUS(presend_consent_import_data(e, csv, strlen(csv), PRESEND_IMPORT_CSV, &report), PRESEND_OK);
    EXPECT(strstr(report, "\"imported\":1") != NULL);
    EXPECT(strstr(report, "\"rejected\":1") != NULL);
    presend_free(report);
    EXPECT_STATUS(presend_consent_import(e, "/nonexistent.csv", PRESEND_IMPORT_AUTO, &report), PRESEND_EIO);
    EXPECT_STATUS(presend_consent_import_data(e, csv, strlen(csv), 7, &report), PRESEND_EINVAL);

    d = check(e, msg, 0);
    EXPECT(presend_decision_verdict(d) == PRESEND_ALLOW);
    presend_decision_free(d);

    EXPECT_STATUS(presend_consent_withdraw(e, "b@example.org", "weekly"), PRESEND_OK);
    EXPECT_STATUS(presend_consent_withdraw(e, "b@example.org", "monthly"), PRESEND_ENOTFOUND);
    EXPECT_STATUS(presend_suppression_put(e, "{\"address\": \"@Example.ORG\", \"reason\": \"complaint\"}", 50), PRESEND_OK);
    EXPECT_STATUS(presend_suppression_put(e, "{\"address\": \"x@example.org\", \"reason\": \"often\"}", 47), PRESEND_EPARSE);
    d = check(e, msg, PRESEND_CHECK_DRY_RUN);
    EXPECT(presend_decision_verdict(d) == PRESEND_BLOCK);
    EXPECT(strcmp(presend_decision_reason_code(d, 0, 0), "suppression.complaint") == 0);
    presend_decision_free(d);

    EXPECT_STATUS(presend_suppression_list(e, "{\"reason\": \"complaint\"}", &json), PRESEND_OK);
    EXPECT(strstr(json, "\"address\":\"@example.org\"") != NULL);
    presend_free(json);
    EXPECT_STATUS(presend_suppression_list(e, NULL, &json), PRESEND_OK);
    presend_free(json);
    EXPECT_STATUS(presend_suppression_list(e, "{\"colour\": \"red\"}", &json), PRESEND_EINVAL);
    EXPECT_STATUS(presend_suppression_remove(e, "@example.org", NULL), PRESEND_OK);
    EXPECT_STATUS(presend_suppression_remove(e, "@example.org", NULL), PRESEND_ENOTFOUND);
    presend_engine_free(e);
}

static void test_quota_calls(void) {
    presend_engine *e = open_engine("quota.db");
    char *json = NULL, *report = NULL;
    const char *ses = "{\"Max24HourSend\": 50000.0, \"MaxSendRate\": 14.0, \"SentLast24Hours\": 7.0}";
    puts("quota status and sync");
    EXPECT_STATUS(presend_quota_status(e, NULL, NULL, &json), PRESEND_OK);
    EXPECT(strstr(json, "\"max_24h\":3") != NULL);
    EXPECT(strstr(json, "\"limits_source\":\"config\"") != NULL);
    presend_free(json);
    EXPECT_STATUS(presend_quota_status(e, "prod", "eu-west-1", &json), PRESEND_OK);
    EXPECT(strstr(json, "\"max_24h\":50000") != NULL);
    presend_free(json);
    EXPECT_STATUS(presend_quota_status(e, "nope", NULL, &json), PRESEND_EUNKNOWN_ACCOUNT);
    EXPECT_STATUS(presend_quota_status(e, "prod", "mars-1", &json), PRESEND_EUNKNOWN_REGION);
    EXPECT_STATUS(presend_quota_sync(e, "prod", "us-east-1", ses, strlen(ses), &report), PRESEND_OK);
    EXPECT(strstr(report, "\"added_to_ledger\":7") != NULL);
    presend_free(report);
    EXPECT_STATUS(presend_quota_status(e, "prod", "us-east-1", &json), PRESEND_OK);
    EXPECT(strstr(json, "\"sent_24h\":7") != NULL);
    EXPECT(strstr(json, "\"limits_source\":\"ses\"") != NULL);
    presend_free(json);
    EXPECT_STATUS(presend_quota_sync(e, "prod", "us-east-1", "{\"Max24HourSend\": -1}", 21, NULL), PRESEND_EINVAL);
    presend_engine_free(e);
}

static void test_utilities(void) {
    char *n = NULL, *err = NULL;
    const char nul[] = "a@exa\0mple.com";
    puts("address and reasons");
    EXPECT_STATUS(presend_address_normalize("Ann <Ann@BÜCHER.example>", strlen("Ann <Ann@BÜCHER.example>"), 0, &n, &err), PRESEND_OK);
    EXPECT(n != NULL && strcmp(n, "Ann@xn--bcher-kva.example") == 0);
    presend_free(n);
    EXPECT_STATUS(presend_address_normalize("Ann@Example.com", 15, PRESEND_ADDRESS_LOCAL_CASE_INSENSITIVE, &n, NULL), PRESEND_OK);
    EXPECT(strcmp(n, "ann@example.com") == 0);
    presend_free(n);
    EXPECT_STATUS(presend_address_normalize("no at sign", 10, 0, &n, &err), PRESEND_EPARSE);
    EXPECT(n == NULL && err != NULL && strlen(err) > 0);
    presend_free(err);
    EXPECT_STATUS(presend_address_normalize(nul, sizeof nul - 1, 0, &n, NULL), PRESEND_EPARSE);
    EXPECT(strstr(presend_reasons_json(), "\"code\":\"consent.withdrawn\"") != NULL);
    EXPECT(strstr(presend_reasons_json(), "\"severity\":\"defer\"") != NULL);
}

/* A host's DNS: a few names, answered by the callback. */
static int lookups = 0;
static int32_t host_dns(void *user, const char *name, int32_t type, presend_dns_answer *answer) {
    (void)user;
    ++lookups;
    if (strcmp(name, "mail.example.com") == 0 && type == PRESEND_DNS_TXT) {
        const char *spf = "v=spf1 include:amazonses.com -all";
        presend_dns_answer_add(answer, spf, strlen(spf));
        presend_dns_answer_set_ttl(answer, 60);
        return PRESEND_DNS_OK;
    }
    if (strcmp(name, "mail.example.com") == 0 && type == PRESEND_DNS_MX) {
        EXPECT(presend_dns_answer_add(answer, "mx", 2) == PRESEND_EINVAL); /* not "PREFERENCE EXCHANGE" */
        presend_dns_answer_add(answer, "10 feedback-smtp.us-east-1.amazonses.com", 40);
        return PRESEND_DNS_OK;
    }
    if (strcmp(name, "amazonses.com") == 0 && type == PRESEND_DNS_TXT) {
        const char *spf = "v=spf1 ip4:54.240.0.0/18 -all";
        presend_dns_answer_add(answer, spf, strlen(spf));
        return PRESEND_DNS_OK;
    }
    if (strcmp(name, "s1._domainkey.example.com") == 0 && type == PRESEND_DNS_TXT) {
        /* The ed25519 key of RFC 8463's example. */
        const char *key = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
        presend_dns_answer_add(answer, key, strlen(key));
        return PRESEND_DNS_OK;
    }
    if (strcmp(name, "_dmarc.example.com") == 0 && type == PRESEND_DNS_TXT) {
        const char *dmarc = "v=DMARC1; p=quarantine";
        presend_dns_answer_add(answer, dmarc, strlen(dmarc));
        return PRESEND_DNS_OK;
    }
    if (strcmp(name, "example.com") == 0 || strcmp(name, "mail.example.com") == 0) return PRESEND_DNS_NODATA;
    return PRESEND_DNS_NXDOMAIN;
}

static void test_auth(void) {
    static const char *config =
        "{\"accounts\": {\"prod\": {\"regions\": {\"us-east-1\": {}, \"eu-west-1\": {}}}},"
        " \"defaults\": {\"account\": \"prod\", \"region\": \"us-east-1\"},"
        " \"identities\": {\"example.com\": {\"regions\": [\"us-east-1\"], \"mail_from\": \"mail.example.com\","
        "                                  \"dkim_selectors\": [\"s1\"]}}}";
    const char *msg = "{\"from\": \"News <news@example.com>\", \"to\": [\"a@example.org\"], \"stream\": \"transactional\"}";
    const char *eu = "{\"from\": \"News <news@example.com>\", \"to\": [\"a@example.org\"], \"stream\": \"transactional\", \"region\": \"eu-west-1\"}";
    const char *spf_req = "{\"ip\": \"192.0.2.1\", \"mail_from\": \"a@example.com\","
                          " \"zone\": {\"example.com\": [{\"TXT\": \"v=spf1 ip4:192.0.2.0/24 -all\"}]}}";
    char path[512], *report = NULL, *json = NULL, *err = NULL;
    presend_engine_options opts;
    presend_dns_callback dns;
    presend_engine *e = NULL;
    presend_decision *d;
    int after_refresh;
    puts("sender authentication");
    snprintf(path, sizeof path, "%s/auth.db", dir);
    presend_engine_options_init(&opts);
    presend_dns_callback_init(&dns);
    EXPECT(dns.struct_size == sizeof dns);
    dns.lookup = host_dns;
    opts.store_path = path;
    opts.dns = &dns;
    EXPECT_STATUS(presend_engine_open_json(&e, config, strlen(config), &opts, NULL), PRESEND_OK);

    EXPECT_STATUS(presend_auth_status(e, "example.com", &json), PRESEND_OK);
    EXPECT(strcmp(json, "null") == 0);
    presend_free(json);
    EXPECT_STATUS(presend_auth_refresh(e, &report), PRESEND_OK);
    EXPECT(strstr(report, "\"spf\":\"pass\"") != NULL);
    EXPECT(strstr(report, "\"dkim\":\"ok\"") != NULL);
    EXPECT(strstr(report, "\"dmarc\":\"present\"") != NULL);
    presend_free(report);
    EXPECT(lookups > 0);
    EXPECT_STATUS(presend_auth_status(e, NULL, &json), PRESEND_OK);
    EXPECT(json[0] == '[' && strstr(json, "\"domain\":\"example.com\"") != NULL);
    presend_free(json);

    after_refresh = lookups;
    d = check(e, msg, 0);
    EXPECT(presend_decision_verdict(d) == PRESEND_ALLOW);
    EXPECT(presend_decision_reason_count(d, PRESEND_MESSAGE_LEVEL) == 0);
    presend_decision_free(d);
    d = check(e, eu, 0);
    EXPECT(presend_decision_verdict(d) == PRESEND_BLOCK);
    EXPECT(strcmp(presend_decision_reason_code(d, PRESEND_MESSAGE_LEVEL, 0), "auth.identity_unverified") == 0);
    presend_decision_free(d);
    EXPECT(lookups == after_refresh); /* checks never ask the host's DNS */
    presend_engine_free(e);

    /* One-off evaluation, without an engine. */
    EXPECT_STATUS(presend_auth_evaluate("spf", spf_req, strlen(spf_req), &json, &err), PRESEND_OK);
    EXPECT(json != NULL && strstr(json, "\"result\":\"pass\"") != NULL);
    presend_free(json);
    EXPECT_STATUS(presend_auth_evaluate("dkim", "{\"record\": \"v=DKIM1; p=\"}", strlen("{\"record\": \"v=DKIM1; p=\"}"), &json, &err), PRESEND_OK);
    EXPECT(strstr(json, "dkim.revoked") != NULL);
    presend_free(json);
    EXPECT_STATUS(presend_auth_evaluate("spf", "{\"colour\": 1}", strlen("{\"colour\": 1}"), &json, &err), PRESEND_EINVAL);
    EXPECT(json == NULL && err != NULL && strstr(err, "colour") != NULL);
    presend_free(err);
    EXPECT_STATUS(presend_auth_evaluate("srv", "{}", 2, &json, NULL), PRESEND_EINVAL);
}

int main(void) {
    char tmpl[256];
    char cmd[300];
    const char *tmp = getenv("TMPDIR");
    snprintf(tmpl, sizeof tmpl, "%s/presend-capi-XXXXXX", tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
    if (mkdtemp(tmpl) == NULL) return 2;
    snprintf(dir, sizeof dir, "%s", tmpl);
    test_versions();
    test_open_errors();
    test_check_and_accessors();
    test_check_errors();
    test_release();
    test_batch();
    test_consent_and_suppression();
    test_quota_calls();
    test_utilities();
    test_auth();
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    if (failures) {
        fprintf(stderr, "%d expectation(s) failed\n", failures);
        return 1;
    }
    puts("all passed");
    return 0;
}
