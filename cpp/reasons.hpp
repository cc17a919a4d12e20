// The one list of reason codes: each with its severity, the check that
// produces it, and a description. `presend reasons` prints it; the README
// documents it. Codes are a public contract: never renamed, only added.
#pragma once

#include <span>
#include <string_view>

namespace presend {

enum class Severity { info, warn, defer, block };
std::string_view severity_name(Severity s) noexcept;

struct ReasonDef {
    std::string_view code;
    Severity severity;
    std::string_view check;
    std::string_view description;
};

std::span<const ReasonDef> all_reasons() noexcept;
// nullptr when the code is unknown.
const ReasonDef *find_reason(std::string_view code) noexcept;
// Reasons that plugins bring, interned for the life of the process (a
// decision may outlive the engine and its plugins, and holds pointers to
// its reasons). The first registration of a code fixes its definition.
const ReasonDef &intern_reason(std::string_view code, Severity severity, std::string_view check,
                               std::string_view description);
// An interned (plugin) reason, or nullptr.
const ReasonDef *find_interned_reason(std::string_view code) noexcept;

// For codes known at compile time: aborts if the code is missing from the
// table, which a unit test guarantees never happens.
const ReasonDef &reason(std::string_view code) noexcept;

}  // namespace presend
