// What a check produces (findings) and what the engine returns (a decision).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config.hpp"
#include "reasons.hpp"

namespace presend {

enum class Verdict { allow = 0, partial = 1, block = 2, defer = 3 };
std::string_view verdict_name(Verdict v) noexcept;

struct Finding {
    const ReasonDef *def = nullptr;
    std::string message;        // specific detail for this occurrence
    bool enforced = true;       // false for checks in monitor mode
    int64_t retry_after_ms = 0; // for defer findings
    // A check may judge one occurrence less or more severe than the code's
    // default (authentication: a missing DMARC record blocks a bulk sender
    // and only warns others).
    std::optional<Severity> severity_override;

    Severity severity() const noexcept { return severity_override.value_or(def->severity); }
    // Whether it stops the recipient (block or defer, enforced).
    bool stops() const noexcept {
        return enforced && (severity() == Severity::block || severity() == Severity::defer);
    }
};

struct RecipientResult {
    std::string address;  // normalized, or the text as given when invalid
    std::string domain;   // normalized domain ("" when invalid)
    bool valid = false;
    Verdict verdict = Verdict::allow;
    int64_t retry_after_ms = 0;
    std::vector<Finding> reasons;
    // The consent the send rests on (marketing): "double" (confirmed double
    // opt-in), "single", "import", "api"; "" when none was read.
    std::string consent_basis;
    bool consent_evidence = false;  // the record says when and from where
};

struct QuotaSnapshot {
    std::string account, region;
    Tier tier = Tier::production;
    int64_t sent_24h = 0;
    int64_t max_24h = 0;
    int64_t max_rate = 0;
    int64_t burst = 0;
};

struct Decision {
    std::string id;
    int64_t created_at = 0;
    bool dry_run = false;
    Verdict verdict = Verdict::allow;
    int64_t retry_after_ms = 0;
    std::string account, region, list, message_id;
    Stream stream = Stream::marketing;
    std::vector<RecipientResult> recipients;
    std::vector<Finding> reasons;  // message-level
    std::optional<QuotaSnapshot> quota;

    // Applies the enforced findings: each recipient's verdict is the most
    // severe of its own and the message-level findings; the message verdict
    // follows from the recipients'.
    void settle();

    // The decision as JSON (README "Decision out"); computed once, on first
    // use, and safe to call from several threads.
    const std::string &json() const;

private:
    mutable std::once_flag json_once_;
    mutable std::string json_;
};

void write_decision_json(const Decision &d, std::string &out);

}  // namespace presend
