// Declarations of presend_wrap.c (see there).
#ifndef PRESEND_GO_WRAP_H
#define PRESEND_GO_WRAP_H

#include <presend/presend.h>

presend_status go_presend_check(presend_engine *e, const char *json, size_t len, uint32_t flags,
                                presend_decision **out, char **err);
presend_status go_presend_release(presend_engine *e, const char *id, char **err);
presend_status go_presend_consent_put(presend_engine *e, const char *json, size_t len, char **err);
presend_status go_presend_consent_withdraw(presend_engine *e, const char *address, const char *list,
                                           char **err);
presend_status go_presend_suppression_put(presend_engine *e, const char *json, size_t len, char **err);
presend_status go_presend_suppression_remove(presend_engine *e, const char *address, const char *list,
                                             char **err);
presend_status go_presend_events_ingest(presend_engine *e, const char *data, size_t len, const char *options,
                                        char **out, char **err);
presend_status go_presend_pause(presend_engine *e, const char *account, const char *region,
                                const char *reason, char **out, char **err);
presend_status go_presend_resume(presend_engine *e, const char *account, const char *region, char **out,
                                 char **err);
presend_status go_presend_audit_verify(presend_engine *e, char **out, char **err);
presend_status go_presend_report(presend_engine *e, const char *options, char **out, char **err);
presend_status go_presend_quota_status(presend_engine *e, const char *account, const char *region,
                                       char **out, char **err);
presend_status go_presend_consent_import_data(presend_engine *e, const char *data, size_t len,
                                              presend_import_format format, char **out, char **err);

#endif
