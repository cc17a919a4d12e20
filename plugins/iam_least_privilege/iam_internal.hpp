// Helpers shared by the evaluator, the linter and the SES request model.
// Not part of the interface the CLI and the plugin use.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "iam.hpp"

namespace presend::iam {

char ascii_lower(char c);
std::string lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);
// s with every byte that is not part of valid UTF-8 replaced by U+FFFD.
std::string utf8_clean(std::string_view s);

// A wildcard pattern whose '*' and '?' may be literal characters (those that
// came from ${*}, ${?} or a substituted variable's value).
struct Pattern {
    std::string text;
    std::vector<bool> literal;  // literal[i]: text[i] is not a wildcard (shorter: false)
    bool is_literal(size_t i) const { return i < literal.size() && literal[i]; }
};

bool glob_match(const Pattern &pattern, std::string_view text, bool ignore_case);

// Substitutes policy variables (when `variables`); nullopt when a variable
// has no value in the context and no default.
std::optional<Pattern> substitute(std::string_view text, const Context &ctx, bool variables);

std::optional<double> parse_number(std::string_view s);
// ISO 8601 date or date-time (UTC unless an offset is given), or epoch seconds.
std::optional<int64_t> parse_date_ms(std::string_view s);

struct Cidr {
    bool v6 = false;
    std::array<uint8_t, 16> bytes{};
    int prefix = 0;
};
std::optional<Cidr> parse_cidr(std::string_view s);
bool cidr_contains(const Cidr &net, const Cidr &ip);

}  // namespace presend::iam
