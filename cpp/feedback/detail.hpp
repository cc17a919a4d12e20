// Helpers shared by the feedback parsers; not part of their interface.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "feedback/event.hpp"

namespace presend::feedback::detail {

// Input quoted in an error message is cut so that the message stays readable
// (and small) whatever the input holds.
std::string excerpt(std::string_view s, size_t max = 64);

FeedbackError make_error(ErrorCode code, std::string message);

// A feedback type as SES or ARF writes it, case-insensitively; an
// unregistered value is `other`.
FeedbackType feedback_type_of(std::string_view text);

// Builds a fingerprint: SHA-256 over a versioned label followed by each
// field as a netstring ("<decimal length>:<bytes>,"), so that no two field
// lists encode to the same bytes ("ab"+"c" differs from "a"+"bc").
class Fingerprint {
public:
    explicit Fingerprint(std::string_view channel);  // "ses", "arf"
    void add(std::string_view field);
    // Adds the count, then each address, sorted and without duplicates, so
    // that the order the provider listed recipients in does not matter.
    void add_sorted(std::vector<std::string> values);
    std::string hex() const;  // 64 lower-case hex digits

private:
    std::string canonical_;
};

// Strict RFC 4648 base64 (padding required); with `skip_space`, white space
// (including CR/LF) between characters is ignored, as in MIME bodies.
bool base64_decode(std::string_view in, std::string &out, bool skip_space);

}  // namespace presend::feedback::detail
