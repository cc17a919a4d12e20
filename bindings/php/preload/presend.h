#define FFI_SCOPE "presend"
#define FFI_LIB "libpresend.so.1"
/*
 * presend.h for PHP-FPM preloading, loaded by ffi.preload or by preload.php
 * with FFI::load(); requests then use FFI::scope("presend"). PHP reads the
 * two #define lines only at the very top of the file: keep them there.
 * FFI_LIB is looked up like dlopen() does (ld.so.conf, LD_LIBRARY_PATH); set
 * it to the absolute path of libpresend.so.1 if the library is elsewhere.
 * The declarations below are checked against c_api/include/presend/presend.h
 * by tests/HeaderTest.php; on the CLI the binding reads this same file.
 */
typedef int32_t presend_status;
typedef int32_t presend_verdict;
typedef int32_t presend_import_format;
typedef struct presend_engine presend_engine;
typedef struct presend_decision presend_decision;
typedef int64_t (*presend_clock_fn)(void *user_data);
typedef struct presend_engine_options {
    uint32_t struct_size;
    const char *store_path;
    presend_clock_fn clock;
    void *clock_user_data;
    uint32_t flags;
    struct presend_dns_callback *dns;
} presend_engine_options;

const char *presend_version(void);
int32_t presend_version_number(void);
int32_t presend_abi_version(void);
const char *presend_status_str(presend_status status);
void presend_free(void *p);
const char *presend_verdict_str(presend_verdict verdict);

void presend_engine_options_init(presend_engine_options *options);
presend_status presend_engine_open(presend_engine **out, const char *config_path, const presend_engine_options *options, char **errmsg);
presend_status presend_engine_open_json(presend_engine **out, const char *config_json, size_t len, const presend_engine_options *options, char **errmsg);
void presend_engine_free(presend_engine *engine);
const char *presend_engine_errmsg(const presend_engine *engine);

presend_status presend_engine_check(presend_engine *engine, const char *message_json, size_t len, uint32_t flags, presend_decision **out);
void presend_decision_free(presend_decision *decision);
const char *presend_decision_json(const presend_decision *decision);
presend_status presend_engine_release(presend_engine *engine, const char *decision_id);

presend_status presend_consent_put(presend_engine *engine, const char *record_json, size_t len);
presend_status presend_consent_withdraw(presend_engine *engine, const char *address, const char *list);
presend_status presend_consent_get(presend_engine *engine, const char *address, const char *list, char **json_out);
presend_status presend_consent_import_data(presend_engine *engine, const char *data, size_t len, presend_import_format format, char **report_json);
presend_status presend_suppression_put(presend_engine *engine, const char *record_json, size_t len);
presend_status presend_suppression_remove(presend_engine *engine, const char *address, const char *list);
presend_status presend_quota_status(presend_engine *engine, const char *account, const char *region, char **json_out);

presend_status presend_events_ingest(presend_engine *engine, const char *data, size_t len, const char *options_json, char **report_json);
presend_status presend_pause(presend_engine *engine, const char *account, const char *region, const char *reason, char **json_out);
presend_status presend_resume(presend_engine *engine, const char *account, const char *region, char **json_out);
presend_status presend_audit_verify(presend_engine *engine, char **json_out);
presend_status presend_report(presend_engine *engine, const char *options_json, char **out);

presend_status presend_address_normalize(const char *address, size_t len, uint32_t flags, char **normalized, char **errmsg);
