// One-off authentication evaluations (see presend_auth_evaluate).
#pragma once

#include <string>
#include <string_view>

namespace presend {

// kind "spf", "dkim", "dmarc" or "identity"; the request is a JSON object
// (presend.h documents its fields). Returns the result as JSON; throws
// Failure for a bad request.
std::string auth_evaluate_json(std::string_view kind, std::string_view request_json);

}  // namespace presend
