// Consent and suppression records from JSON objects, CSV rows and JSON
// Lines: one validation path for the API, the CLI and bulk imports.
#pragma once

#include <functional>

#include <string>
#include <string_view>

#include "address.hpp"
#include "result.hpp"
#include "store.hpp"

struct cJSON;

namespace presend {

enum class ImportFormat { automatic = 0, csv = 1, jsonl = 2 };

inline constexpr size_t kMaxImportErrorsListed = 1000;

// A consent record from a JSON object whose values are strings (or null).
// Keys: address, list, status, method, consented_at, confirmed_at, source,
// ip, country, jurisdiction, expires_at. Unknown keys are errors.
Result<ConsentRecord> consent_from_json(const cJSON *object, const NormalizeOptions &norm, int64_t now);

// The same from (column, value) pairs; empty values count as absent.
Result<ConsentRecord> consent_from_fields(const std::vector<std::pair<std::string_view, std::string_view>> &fields,
                                          const NormalizeOptions &norm, int64_t now);

// A suppression from a JSON object: address (or "@domain"), reason, list,
// expires_at, note.
Result<SuppressionRecord> suppression_from_json(const cJSON *object, const NormalizeOptions &norm, int64_t now);

// The stored key of a suppression target: a normalized address, or
// "@" + normalized domain for "@example.org". Throws Failure(parse).
std::string suppression_key(std::string_view target, const NormalizeOptions &norm);

// Imports consent records in one transaction and returns the JSON report
// (see presend_consent_import). Throws Failure only for store errors and for
// a CSV header that cannot be used (status parse), importing nothing.
// `before_commit`, when given, runs inside the transaction with the counts
// (the engine's audit record of the import).
using ImportCommitHook = std::function<void(Conn &, std::string_view format, int64_t imported, int64_t rejected)>;
std::string import_consent(Conn &c, std::string_view data, ImportFormat format, std::string_view name_hint,
                           const NormalizeOptions &norm, int64_t now, const ImportCommitHook &before_commit = nullptr);

}  // namespace presend
