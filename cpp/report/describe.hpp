// What the report says in words, shared by the HTML and Markdown renderers so
// that both formats say the same thing. Returns plain text (the renderer
// escapes it).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "report/model.hpp"

namespace presend::report {

// "prod / us-east-1", with "—" for a missing part.
std::string place(const Text &account, const Text &region);
std::string text_or_dash(const Text &t);
std::string yes_no(const Flag &f);

// Headings and labels for model keys; unknown keys are shown as they are.
std::string verdict_label(std::string_view verdict);
std::string event_label(std::string_view key);
// The question AWS asks that an ses_request answer responds to.
std::string ses_question(std::string_view key);

enum class Level { ok, info, warn, bad };
std::string_view level_word(Level l) noexcept;  // "OK", "Note", "Warning", "Problem"

// One line of the summary's "at a glance" list.
struct Finding {
    Level level;
    std::string text;
};
std::vector<Finding> findings(const Model &m);

// The audit result in one sentence, and whether it failed (not verified, or
// no result at all).
std::string audit_sentence(const std::optional<Audit> &a);
bool audit_failed(const std::optional<Audit> &a);

// A threshold a rate is judged against.
struct Threshold {
    std::string kind;   // "presend_warn", "presend_defer", "ses_review", "ses_pause"
    std::string label;  // "SES review 5%"
    double value;
};
enum class RateKind { bounce, complaint };
std::string_view rate_noun(RateKind k) noexcept;  // "bounce", "complaint"
int rate_decimals(RateKind k) noexcept;           // 2 for bounces, 3 for complaints
Number window_rate(const Reputation &r, RateKind k);
Number day_count(const ReputationDay &d, RateKind k);
// In increasing order of value; thresholds the model does not state are left out.
std::vector<Threshold> thresholds(const Reputation &r, RateKind k);
// How far the window rate is from a threshold: "2.70 percentage points below
// (46% of the threshold)" or "0.30 percentage points above: reached".
std::string distance(double rate, double threshold, RateKind k);
bool reached(double rate, double threshold);

// The consent evidence share (with_evidence / marketing_recipients), absent
// when there are no marketing recipients.
Number evidence_share(const ConsentCoverage &c);
// A day's rate, absent on a day without sends.
Number ratio(const Number &part, const Number &whole);

// "2026-11-18T00:00:00Z to 2026-11-25T00:00:00Z"
std::string period(const Model &m);
// What the addresses field means for the reader.
std::string addresses_note(const Text &addresses);

}  // namespace presend::report
