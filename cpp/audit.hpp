// The tamper-evident audit trail: an append-only chain of records in the
// store, each carrying HMAC-SHA-256 over its own content and the previous
// record's MAC. Editing, deleting, inserting or reordering records breaks the
// chain at the first record touched, and `presend audit verify` names it.
//
// The chain proves integrity to whoever holds the key. A key kept outside the
// store (configuration, key file, environment) also stops someone who can
// write the store from forging a consistent chain; a key generated into the
// store (when none is configured) only detects accidental damage. Cutting
// records off the end leaves a valid, shorter chain: compare `records` and
// `head` with a copy kept elsewhere (a report, a log) to detect that.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "config.hpp"
#include "store.hpp"

namespace presend {

struct AuditKey {
    std::string bytes;
    std::string source;  // "config", "key_file", "key_env" or "store"
};

// The key the configuration names; source "" when it names none. Throws
// Failure(config) when a key file or variable is missing, unreadable or
// shorter than 16 bytes.
AuditKey audit_key_from_config(const AuditConfig &config);
// The key generated into the store, created on first use (needs a write
// transaction then); read-only stores without one get an empty key.
AuditKey audit_key_from_store(Conn &c, bool read_only);

// Appends one record inside the caller's write transaction.
void audit_append(Conn &c, const AuditKey &key, int64_t at_ms, std::string_view kind, std::string_view content);

struct AuditVerifyResult {
    int64_t records = 0;
    bool ok = true;
    int64_t first_bad = 0;  // the sequence number of the first bad record, 0 when ok
    std::string problem;    // what is wrong with it
    int64_t last_seq = 0;
    std::string head;       // hex MAC of the last good record ("" when empty)
};
AuditVerifyResult audit_verify(Conn &c, const AuditKey &key);

// A recipient address as the history keeps it: as given, or (hashed) a
// keyed token "k:" + 16 hex digits that is stable for the key, so reports
// can still count and group by recipient without holding the address.
std::string history_address(const AuditKey &key, AddressForm form, std::string_view address);

// Lower-case hex of bytes.
std::string to_hex(std::string_view bytes);

}  // namespace presend
