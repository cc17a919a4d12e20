/* Uses the installed SDK: opens an engine from JSON configuration text, checks
 * two messages and asserts their verdicts. Exits 0 when everything holds.
 *
 *   consumer STORE_PATH
 */
#include <presend/presend.h>

#include <stdio.h>
#include <string.h>

static const char config[] =
    "{\"defaults\": {\"account\": \"prod\", \"region\": \"us-east-1\"},"
    " \"accounts\": {\"prod\": {\"tier\": \"production\","
    "   \"regions\": {\"us-east-1\": {\"max_24h\": 1000, \"max_rate\": 10}}}}}";

static const char transactional[] =
    "{\"from\": \"Shop <orders@shop.example>\", \"to\": [\"customer@mail.example\"],"
    " \"stream\": \"transactional\"}";

/* Marketing mail to an address that never consented. */
static const char marketing[] =
    "{\"from\": \"News <news@shop.example>\", \"to\": [\"stranger@mail.example\"],"
    " \"stream\": \"marketing\", \"list\": \"weekly\","
    " \"headers\": [[\"List-Unsubscribe\", \"<https://shop.example/u/8f3k2m9q>\"],"
    "              [\"List-Unsubscribe-Post\", \"List-Unsubscribe=One-Click\"]]}";

static int failures = 0;

static void expect(int ok, const char *what) {
    if (!ok) {
        fprintf(stderr, "consumer: FAILED: %s\n", what);
        ++failures;
    }
}

static int has_reason(const presend_decision *d, size_t i, const char *code) {
    for (size_t j = 0; j < presend_decision_reason_count(d, i); ++j) {
        if (strcmp(presend_decision_reason_code(d, i, j), code) == 0) return 1;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: consumer STORE_PATH\n");
        return 2;
    }
    expect(presend_version_number() == PRESEND_VERSION_NUMBER, "header and library versions match");
    expect(strcmp(presend_version(), PRESEND_VERSION_STRING) == 0, "version string matches the header");
    expect(presend_abi_version() == PRESEND_VERSION_MAJOR, "ABI version is the major version");

    presend_engine_options options;
    presend_engine_options_init(&options);
    options.store_path = argv[1];
    presend_engine *engine = NULL;
    char *err = NULL;
    presend_status st = presend_engine_open_json(&engine, config, strlen(config), &options, &err);
    if (st != PRESEND_OK) {
        fprintf(stderr, "consumer: cannot open the engine: %s: %s\n", presend_status_str(st), err ? err : "");
        presend_free(err);
        return 1;
    }

    presend_decision *d = NULL;
    st = presend_engine_check(engine, transactional, strlen(transactional), 0, &d);
    expect(st == PRESEND_OK, "transactional message checked");
    if (st == PRESEND_OK) {
        expect(presend_decision_verdict(d) == PRESEND_ALLOW, "transactional message allowed");
        expect(presend_decision_recipient_count(d) == 1, "one recipient");
        expect(strcmp(presend_decision_recipient_address(d, 0), "customer@mail.example") == 0, "recipient address");
        printf("transactional: %s\n", presend_verdict_str(presend_decision_verdict(d)));
    }
    presend_decision_free(d);

    d = NULL;
    st = presend_engine_check(engine, marketing, strlen(marketing), PRESEND_CHECK_DRY_RUN, &d);
    expect(st == PRESEND_OK, "marketing message checked");
    if (st == PRESEND_OK) {
        expect(presend_decision_verdict(d) == PRESEND_BLOCK, "marketing message without consent blocked");
        expect(has_reason(d, 0, "consent.missing"), "reason consent.missing");
        printf("marketing: %s\n", presend_verdict_str(presend_decision_verdict(d)));
    }
    presend_decision_free(d);

    presend_engine_free(engine);
    if (failures == 0) printf("consumer: ok\n");
    return failures == 0 ? 0 : 1;
}
