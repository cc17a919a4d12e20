// C side of the Go binding. Go moves goroutines between threads, and presend
// keeps an engine's error text per thread, so each engine call is wrapped to
// copy that text in the same native call, on the same thread. The copy is
// malloc'ed here; the Go side frees it with free().
#include "presend_wrap.h"

#include <stdlib.h>
#include <string.h>

static char *go_presend_err(presend_engine *e, presend_status st) {
    if (st == PRESEND_OK) return NULL;
    const char *m = presend_engine_errmsg(e);
    return strdup(m != NULL ? m : "");
}

presend_status go_presend_check(presend_engine *e, const char *json, size_t len, uint32_t flags,
                                presend_decision **out, char **err) {
    presend_status st = presend_engine_check(e, json, len, flags, out);
    *err = go_presend_err(e, st);
    return st;
}

presend_status go_presend_release(presend_engine *e, const char *id, char **err) {
    presend_status st = presend_engine_release(e, id);
    *err = go_presend_err(e, st);
    return st;
}

presend_status go_presend_consent_put(presend_engine *e, const char *json, size_t len, char **err) {
    presend_status st = presend_consent_put(e, json, len);
    *err = go_presend_err(e, st);
    return st;
}

presend_status go_presend_consent_withdraw(presend_engine *e, const char *address, const char *list,
                                           char **err) {
    presend_status st = presend_consent_withdraw(e, address, list);
    *err = go_presend_err(e, st);
    return st;
}

presend_status go_presend_suppression_put(presend_engine *e, const char *json, size_t len, char **err) {
    presend_status st = presend_suppression_put(e, json, len);
    *err = go_presend_err(e, st);
    return st;
}

presend_status go_presend_suppression_remove(presend_engine *e, const char *address, const char *list,
                                             char **err) {
    presend_status st = presend_suppression_remove(e, address, list);
    *err = go_presend_err(e, st);
    return st;
}

presend_status go_presend_events_ingest(presend_engine *e, const char *data, size_t len, const char *options,
                                        char **out, char **err) {
    presend_status st = presend_events_ingest(e, data, len, options, out);
    *err = go_presend_err(e, st);
    return st;
}

presend_status go_presend_pause(presend_engine *e, const char *account, const char *region,
                                const char *reason, char **out, char **err) {
    presend_status st = presend_pause(e, account, region, reason, out);
    *err = go_presend_err(e, st);
    return st;
}

presend_status go_presend_resume(presend_engine *e, const char *account, const char *region, char **out,
                                 char **err) {
    presend_status st = presend_resume(e, account, region, out);
    *err = go_presend_err(e, st);
    return st;
}

presend_status go_presend_audit_verify(presend_engine *e, char **out, char **err) {
    presend_status st = presend_audit_verify(e, out);
    *err = go_presend_err(e, st);
    return st;
}

presend_status go_presend_report(presend_engine *e, const char *options, char **out, char **err) {
    presend_status st = presend_report(e, options, out);
    *err = go_presend_err(e, st);
    return st;
}

presend_status go_presend_quota_status(presend_engine *e, const char *account, const char *region,
                                       char **out, char **err) {
    presend_status st = presend_quota_status(e, account, region, out);
    *err = go_presend_err(e, st);
    return st;
}

presend_status go_presend_consent_import_data(presend_engine *e, const char *data, size_t len,
                                              presend_import_format format, char **out, char **err) {
    presend_status st = presend_consent_import_data(e, data, len, format, out);
    *err = go_presend_err(e, st);
    return st;
}
