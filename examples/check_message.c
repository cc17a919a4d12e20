/*
 * check_message: ask presend whether a message may be sent.
 *
 *   check_message CONFIG [MESSAGE|-]
 *
 * CONFIG is a configuration file (or JSON text starting with '{'); MESSAGE is
 * the message as JSON, read from a file or from standard input. Prints the
 * verdict and each recipient's verdict and reason codes. Exit codes are those
 * of `presend check`: 0 allow, 12 partial, 10 block, 11 defer, 1 error.
 */
#include <presend/presend.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads a whole stream into a malloc'ed buffer; NULL on error. */
static char *read_all(FILE *f, size_t *len) {
    size_t cap = 1 << 16;
    char *buf = malloc(cap);
    *len = 0;
    while (buf != NULL && !feof(f) && !ferror(f)) {
        if (*len == cap) {
            char *bigger = realloc(buf, cap *= 2);
            if (bigger == NULL) free(buf);
            buf = bigger;
        } else {
            *len += fread(buf + *len, 1, cap - *len, f);
        }
    }
    if (buf != NULL && ferror(f)) {
        free(buf);
        buf = NULL;
    }
    return buf;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s CONFIG [MESSAGE|-]\n", argv[0]);
        return 2;
    }
    const char *path = argc == 3 ? argv[2] : "-";
    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    size_t len = 0;
    char *message = in != NULL ? read_all(in, &len) : NULL;
    if (in != NULL && in != stdin) fclose(in);
    if (message == NULL) {
        fprintf(stderr, "cannot read %s\n", path);
        return 1;
    }

    presend_engine *engine = NULL;
    char *err = NULL;
    presend_status st = argv[1][0] == '{' ? presend_engine_open_json(&engine, argv[1], strlen(argv[1]), NULL, &err)
                                          : presend_engine_open(&engine, argv[1], NULL, &err);
    presend_decision *d = NULL;
    if (st != PRESEND_OK) {
        fprintf(stderr, "cannot open the engine: %s: %s\n", presend_status_str(st), err != NULL ? err : "");
    } else if ((st = presend_engine_check(engine, message, len, 0, &d)) != PRESEND_OK) {
        fprintf(stderr, "check failed: %s: %s\n", presend_status_str(st), presend_engine_errmsg(engine));
    } else {
        printf("verdict: %s (decision %s)\n", presend_verdict_str(presend_decision_verdict(d)), presend_decision_id(d));
        for (size_t i = 0; i < presend_decision_recipient_count(d); ++i) {
            printf("  %-7s %s", presend_verdict_str(presend_decision_recipient_verdict(d, i)),
                   presend_decision_recipient_address(d, i));
            for (size_t j = 0; j < presend_decision_reason_count(d, i); ++j) printf(" %s", presend_decision_reason_code(d, i, j));
            printf("\n");
        }
        for (size_t j = 0; j < presend_decision_reason_count(d, PRESEND_MESSAGE_LEVEL); ++j)
            printf("  message %s\n", presend_decision_reason_code(d, PRESEND_MESSAGE_LEVEL, j));
    }

    static const int exit_codes[] = {0, 12, 10, 11}; /* allow, partial, block, defer */
    presend_verdict verdict = d != NULL ? presend_decision_verdict(d) : -1;
    int code = verdict >= 0 && verdict <= 3 ? exit_codes[verdict] : 1;
    presend_decision_free(d);
    presend_engine_free(engine);
    presend_free(err);
    free(message);
    return code;
}
