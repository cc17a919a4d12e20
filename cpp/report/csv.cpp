// The CSV report: one long ("tidy") table, a row per value of the model, so
// that a spreadsheet can filter and pivot it. The columns and the rows each
// section produces are listed in docs/report.md.
#include <string_view>

#include "report/format.hpp"
#include "report/renderers.hpp"

namespace presend::report {

namespace {

constexpr std::string_view kHeader = "section,account,region,subject,item,date,metric,value\r\n";

// Where a value belongs: every column but metric and value.
struct Key {
    std::string section, account, region, subject, item, date;
};

class Csv {
public:
    explicit Csv(std::string &out) : out_(out) { out_ += kHeader; }

    void number(const Key &k, std::string_view metric, const Number &v) {
        row(k, metric, v ? number_text(*v) : "", true);
    }
    void text(const Key &k, std::string_view metric, const Text &v) { row(k, metric, v.value_or(""), false); }
    void flag(const Key &k, std::string_view metric, const Flag &v) {
        row(k, metric, v ? (*v ? "true" : "false") : "", true);
    }

private:
    void row(const Key &k, std::string_view metric, std::string_view value, bool numeric) {
        for (const std::string *f : {&k.section, &k.account, &k.region, &k.subject, &k.item, &k.date}) {
            out_ += csv_field(*f);
            out_.push_back(',');
        }
        out_ += csv_field(metric);
        out_.push_back(',');
        out_ += csv_field(value, numeric);
        out_ += "\r\n";
    }
    std::string &out_;
};

std::string s(const Text &t) { return t.value_or(""); }

}  // namespace

std::string render_csv(const Model &m) {
    std::string out;
    Csv csv(out);

    const Key report{"report", "", "", "", "", ""};
    csv.number(report, "schema", Number(kSchema));
    csv.text(report, "generated_at", m.generated_at);
    csv.text(report, "from", m.from);
    csv.text(report, "to", m.to);
    csv.text(report, "presend_version", m.presend_version);
    csv.text(report, "addresses", m.addresses);

    const Key summary{"summary", "", "", "", "", ""};
    csv.number(summary, "messages", m.summary.messages);
    csv.number(summary, "recipients", m.summary.recipients);
    for (const Count &c : m.summary.verdicts) csv.number({"summary", "", "", c.key, "", ""}, "messages", c.value);
    for (const Count &c : m.summary.recipient_verdicts) {
        csv.number({"summary", "", "", c.key, "", ""}, "recipients", c.value);
    }
    csv.number(summary, "released", m.summary.released);

    for (const Volume &v : m.volume) {
        Key k{"volume", s(v.account), s(v.region), "", "", ""};
        csv.text(k, "tier", v.tier);
        csv.number(k, "max_24h", v.max_24h);
        csv.number(k, "max_rate", v.max_rate);
        csv.number(k, "peak_24h", v.peak_24h);
        csv.number(k, "peak_share", v.peak_share);
        for (const VolumeDay &d : v.days) {
            Key dk = k;
            dk.date = s(d.date);
            csv.number(dk, "sent", d.sent);
            csv.number(dk, "blocked", d.blocked);
            csv.number(dk, "deferred", d.deferred);
        }
    }

    for (const ReasonCount &r : m.top_reasons) {
        Key k{"top_reasons", "", "", s(r.code), "", ""};
        csv.text(k, "severity", r.severity);
        csv.number(k, "recipients", r.recipients);
        csv.number(k, "messages", r.messages);
    }

    const Key ns{"not_sent", "", "", "", "", ""};
    csv.number(ns, "total", m.not_sent.total);
    csv.number(ns, "shown", m.not_sent.shown);
    csv.flag(ns, "truncated", m.not_sent.truncated);
    size_t index = 0;
    for (const NotSentRow &r : m.not_sent.rows) {
        Key k{"not_sent", s(r.account), s(r.region), s(r.recipient), std::to_string(++index), s(r.at)};
        csv.text(k, "verdict", r.verdict);
        for (const std::string &code : r.reasons) csv.text(k, "reason", code);
        csv.text(k, "list", r.list);
        csv.text(k, "message_id", r.message_id);
        csv.text(k, "decision", r.decision);
    }

    for (const Reputation &r : m.reputation) {
        Key k{"reputation", s(r.account), s(r.region), "", "", ""};
        csv.number(k, "window_hours", r.window_hours);
        csv.number(k, "min_volume", r.min_volume);
        csv.number(k, "sends", r.sends);
        csv.number(k, "bounces", r.bounces);
        csv.number(k, "complaints", r.complaints);
        csv.flag(k, "counts", r.counts);
        csv.number(k, "bounce_rate", r.bounce_rate);
        csv.number(k, "complaint_rate", r.complaint_rate);
        csv.number(k, "levels.bounce_warn", r.bounce_warn);
        csv.number(k, "levels.bounce_defer", r.bounce_defer);
        csv.number(k, "levels.complaint_warn", r.complaint_warn);
        csv.number(k, "levels.complaint_defer", r.complaint_defer);
        csv.number(k, "ses.bounce_review", r.bounce_review);
        csv.number(k, "ses.bounce_pause", r.bounce_pause);
        csv.number(k, "ses.complaint_review", r.complaint_review);
        csv.number(k, "ses.complaint_pause", r.complaint_pause);
        csv.text(k, "status", r.status);
        csv.flag(k, "paused", r.paused);
        for (const ReputationDay &d : r.days) {
            Key dk = k;
            dk.date = s(d.date);
            csv.number(dk, "sends", d.sends);
            csv.number(dk, "bounces", d.bounces);
            csv.number(dk, "complaints", d.complaints);
        }
    }

    for (const Count &c : m.events) csv.number({"events", "", "", "", "", ""}, c.key, c.value);

    for (const ConsentCoverage &c : m.consent_coverage) {
        Key k{"consent_coverage", "", "", s(c.list), "", ""};
        csv.number(k, "marketing_recipients", c.marketing_recipients);
        csv.number(k, "double_opt_in", c.double_opt_in);
        csv.number(k, "share", c.share);
        csv.number(k, "with_evidence", c.with_evidence);
    }

    for (const Identity &i : m.authentication) {
        Key k{"authentication", "", s(i.region), s(i.identity), "", s(i.checked_at)};
        csv.flag(k, "verified", i.verified);
        csv.text(k, "spf", i.spf);
        csv.text(k, "dkim", i.dkim);
        csv.number(k, "dkim_bits", i.dkim_bits);
        csv.text(k, "dmarc", i.dmarc);
        csv.text(k, "dmarc_policy", i.dmarc_policy);
        csv.flag(k, "aligned", i.aligned);
        csv.text(k, "status", i.status);
        for (const std::string &p : i.problems) csv.text(k, "problem", p);
    }

    for (const Plugin &p : m.plugins) {
        csv.text({"plugins", "", "", s(p.name), "", ""}, "version", p.version);
        for (const ReasonCount &f : p.findings) {
            Key k{"plugin_findings", "", "", s(p.name), s(f.code), ""};
            csv.text(k, "severity", f.severity);
            csv.number(k, "recipients", f.recipients);
            csv.number(k, "messages", f.messages);
        }
        size_t n = 0;
        for (const LintItem &l : p.lint) {
            Key k{"plugin_lint", "", "", s(p.name), std::to_string(++n), ""};
            csv.text(k, "code", l.code);
            csv.text(k, "severity", l.severity);
            csv.text(k, "policy", l.policy);
            csv.text(k, "statement", l.statement);
            csv.text(k, "message", l.message);
        }
    }

    if (m.audit) {
        const Key k{"audit", "", "", "", "", ""};
        csv.number(k, "records", m.audit->records);
        csv.flag(k, "verified", m.audit->verified);
        csv.text(k, "first_bad", m.audit->first_bad);
        csv.text(k, "problem", m.audit->problem);
        csv.text(k, "key", m.audit->key);
    }

    const Key ses{"ses_request", "", "", "", "", ""};
    for (const auto &[key, text] : m.ses_request.answers) csv.text(ses, key, text);
    if (const auto &q = m.ses_request.requested) {
        csv.number(ses, "requested.max_24h", q->max_24h);
        csv.number(ses, "requested.max_rate", q->max_rate);
        csv.text(ses, "requested.basis", q->basis);
    }
    if (const auto &r = m.ses_request.recent) {
        csv.number(ses, "recent.days", r->days);
        csv.number(ses, "recent.sent", r->sent);
        csv.number(ses, "recent.peak_24h", r->peak_24h);
        csv.number(ses, "recent.average_24h", r->average_24h);
    }
    return out;
}

}  // namespace presend::report
