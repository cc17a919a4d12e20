// The report model (schema 1, documented in docs/report.md) read into plain
// values, so that each renderer walks typed data instead of JSON.
//
// Reading is strict about types and lenient about presence: a member with the
// wrong type (a string where a number belongs, a negative count) is an error
// naming its path, while a missing member reads as absent (null), a missing
// list as empty. Members the renderers do not know are ignored, so that the
// model can grow within schema 1.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "result.hpp"

struct cJSON;

namespace presend::report {

using Number = std::optional<double>;
using Text = std::optional<std::string>;
using Flag = std::optional<bool>;

// A named count, in model order ("allow": 1200).
struct Count {
    std::string key;
    Number value;
};

struct Summary {
    Number messages, recipients, released;
    std::vector<Count> verdicts, recipient_verdicts;
};

struct VolumeDay {
    Text date;
    Number sent, blocked, deferred;
};

struct Volume {
    Text account, region, tier;
    Number max_24h, max_rate, peak_24h, peak_share;
    std::vector<VolumeDay> days;
};

struct ReasonCount {
    Text code, severity;
    Number recipients, messages;
};

struct NotSentRow {
    Text at, decision, message_id, account, region, list, recipient, verdict;
    std::vector<std::string> reasons;
};

struct NotSent {
    Number total, shown;
    Flag truncated;
    std::vector<NotSentRow> rows;
};

struct ReputationDay {
    Text date;
    Number sends, bounces, complaints;
};

struct Reputation {
    Text account, region, status;
    Number window_hours, min_volume, sends, bounces, complaints, bounce_rate, complaint_rate;
    Flag counts, paused;
    // presend's own levels (the reputation check's configuration).
    Number bounce_warn, bounce_defer, complaint_warn, complaint_defer;
    // SES's thresholds; SES's published values when the model has none.
    Number bounce_review, bounce_pause, complaint_review, complaint_pause;
    std::vector<ReputationDay> days;
};

struct ConsentCoverage {
    Text list;
    Number marketing_recipients, double_opt_in, share, with_evidence;
};

struct Identity {
    Text identity, region, checked_at, spf, dkim, dmarc, dmarc_policy, status;
    Flag verified, aligned;
    Number dkim_bits;
    std::vector<std::string> problems;
};

struct LintItem {
    Text code, severity, policy, statement, message;
};

struct Plugin {
    Text name, version;
    std::vector<ReasonCount> findings;
    std::vector<LintItem> lint;
};

struct Audit {
    Number records;
    Flag verified;
    Text first_bad, problem, key;
};

struct Requested {
    Number max_24h, max_rate;
    Text basis;
};

struct Recent {
    Number days, sent, peak_24h, average_24h;
};

struct SesRequest {
    // The written answers, known questions first, then any other text
    // members in model order: (member name, text).
    std::vector<std::pair<std::string, std::string>> answers;
    std::optional<Requested> requested;
    std::optional<Recent> recent;
};

struct Model {
    Text generated_at, from, to, presend_version, addresses;
    Summary summary;
    std::vector<Volume> volume;
    std::vector<ReasonCount> top_reasons;
    NotSent not_sent;
    std::vector<Reputation> reputation;
    std::vector<Count> events;
    std::vector<ConsentCoverage> consent_coverage;
    std::vector<Identity> authentication;
    std::vector<Plugin> plugins;
    std::optional<Audit> audit;
    SesRequest ses_request;
};

// The schema this code renders.
inline constexpr int kSchema = 1;

// Checks the header ("report": "presend", "schema": 1) and reads the model.
// Errors: status schema, naming the offending member ("volume[0].days[2].sent
// must be a number").
Result<Model> read_model(const cJSON *root);

}  // namespace presend::report
