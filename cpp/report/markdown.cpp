// The Markdown report (GitHub flavoured): the HTML report's sections and
// tables, with numbers where the HTML has charts.
#include <algorithm>
#include <string_view>
#include <vector>

#include "report/describe.hpp"
#include "report/format.hpp"
#include "report/renderers.hpp"
#include "text.hpp"

namespace presend::report {

namespace {

constexpr const char *kDash = "\u2014";

std::string t(const Text &v) { return v && !v->empty() ? md_text(*v) : kDash; }
std::string c(const Text &v) { return v && !v->empty() ? md_code(*v) : kDash; }

// A table: `align` holds 'l' or 'r' per column.
class Table {
public:
    Table(std::vector<std::string> head, std::string align) : head_(std::move(head)), align_(std::move(align)) {}
    void row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
    void write(std::string &o) const {
        line(o, head_);
        o += "|";
        for (char a : align_) o += a == 'r' ? "---:|" : "---|";
        o += "\n";
        for (const auto &r : rows_) line(o, r);
        o += "\n";
    }

private:
    static void line(std::string &o, const std::vector<std::string> &cells) {
        o += "|";
        for (const std::string &cell : cells) o += " " + (cell.empty() ? std::string(kDash) : cell) + " |";
        o += "\n";
    }
    std::vector<std::string> head_;
    std::string align_;
    std::vector<std::vector<std::string>> rows_;
};

std::string paragraphs(std::string_view text) {
    std::string clean = neutralize(text);
    std::string out, para;
    auto flush = [&] {
        std::string p = md_line(para);
        if (!p.empty()) out += (out.empty() ? "" : "\n\n") + p;
        para.clear();
    };
    size_t i = 0;
    while (i <= clean.size()) {
        size_t nl = clean.find('\n', i);
        std::string_view line = std::string_view(clean).substr(i, nl == std::string::npos ? std::string::npos : nl - i);
        if (trim(line).empty()) {
            flush();
        } else {
            para += (para.empty() ? "" : " ") + std::string(line);
        }
        if (nl == std::string::npos) break;
        i = nl + 1;
    }
    flush();
    return out + "\n\n";
}

void bullet(std::string &o, std::string_view term, const std::string &md_value) {
    o += "- **" + std::string(term) + ":** " + md_value + "\n";
}

void summary(std::string &o, const Model &m) {
    o += "## Summary\n\n";
    if (audit_failed(m.audit)) {
        o += "> **AUDIT CHAIN NOT VERIFIED.** " + md_text(audit_sentence(m.audit)) + "\n\n";
    }
    o += "### At a glance\n\n";
    for (const Finding &f : findings(m)) {
        o += "- **" + std::string(level_word(f.level)) + ":** " + md_text(f.text) + "\n";
    }
    o += "\n";
    Table figures({"Messages checked", "Recipients checked", "Recipients not sent", "Decisions released unsent"},
                  "rrrr");
    figures.row({count_text(m.summary.messages), count_text(m.summary.recipients), count_text(m.not_sent.total),
                 count_text(m.summary.released)});
    figures.write(o);

    const Summary &s = m.summary;
    std::vector<std::string> keys;
    for (const Count &k : s.verdicts) keys.push_back(k.key);
    for (const Count &k : s.recipient_verdicts) {
        if (std::find(keys.begin(), keys.end(), k.key) == keys.end()) keys.push_back(k.key);
    }
    o += "### Verdicts\n\n";
    if (keys.empty()) {
        o += "No decisions in this period.\n\n";
        return;
    }
    auto find = [](const std::vector<Count> &v, const std::string &k) -> Number {
        for (const Count &x : v) {
            if (x.key == k) return x.value;
        }
        return std::nullopt;
    };
    Table verdicts({"Verdict", "Messages", "Share of messages", "Recipients", "Share of recipients"}, "lrrrr");
    for (const std::string &k : keys) {
        Number msg = find(s.verdicts, k), rcpt = find(s.recipient_verdicts, k);
        verdicts.row({md_text(verdict_label(k)), count_text(msg), percent_text(ratio(msg, s.messages), 1),
                      count_text(rcpt), percent_text(ratio(rcpt, s.recipients), 1)});
    }
    verdicts.write(o);
}

void volume(std::string &o, const Model &m) {
    o += "## Volume per day against the 24-hour maximum\n\n"
         "Recipients allowed and sent each day (UTC), per account and region, against the account's maximum per "
         "24 hours in that region.\n\n";
    if (m.volume.empty()) o += "No sending in this period.\n\n";
    for (const Volume &v : m.volume) {
        o += "### " + md_text(place(v.account, v.region));
        if (v.tier) o += " (" + md_text(*v.tier) + ")";
        o += "\n\n";
        bullet(o, "Maximum per 24 hours", v.max_24h ? count_text(v.max_24h) : "none known");
        bullet(o, "Maximum send rate", v.max_rate ? count_text(v.max_rate) + " per second" : kDash);
        bullet(o, "Busiest 24 hours", count_text(v.peak_24h));
        bullet(o, "Busiest 24 hours as a share of the maximum", percent_text(v.peak_share, 1));
        o += "\n";
        if (v.days.empty()) {
            o += "No days in this period.\n\n";
            continue;
        }
        Table days({"Date", "Sent", "Blocked", "Deferred", "Sent as a share of the 24-hour maximum"}, "lrrrr");
        for (const VolumeDay &d : v.days) {
            std::string share = percent_text(ratio(d.sent, v.max_24h), 1);
            if (v.max_24h && d.sent && *d.sent > *v.max_24h) share += " (over the maximum)";
            days.row({t(d.date), count_text(d.sent), count_text(d.blocked), count_text(d.deferred), share});
        }
        days.write(o);
    }
}

void reason_table(std::string &o, const std::vector<ReasonCount> &rows) {
    Table table({"Reason", "Severity", "Recipients", "Messages"}, "llrr");
    for (const ReasonCount &r : rows) {
        table.row({c(r.code), t(r.severity), count_text(r.recipients), count_text(r.messages)});
    }
    table.write(o);
}

void reasons(std::string &o, const Model &m) {
    o += "## Top reasons\n\n";
    if (m.top_reasons.empty()) {
        o += "No recipient or message was blocked or deferred in this period.\n\n";
        return;
    }
    reason_table(o, m.top_reasons);
}

void not_sent(std::string &o, const Model &m) {
    const NotSent &n = m.not_sent;
    o += "## Recipients not sent, and why\n\n";
    o += count_text(n.total) + " recipients were blocked or deferred in this period.";
    if (n.shown) o += " " + count_text(n.shown) + " are listed below.";
    o += "\n\n";
    if (n.truncated && *n.truncated) {
        o += "**The list is truncated:** " + count_text(n.shown) + " of " + count_text(n.total) +
             " recipients are shown.\n\n";
    }
    if (n.rows.empty()) {
        o += "No recipients to list.\n\n";
        return;
    }
    Table table({"When (UTC)", "Recipient", "Verdict", "Reasons", "List", "Account / region", "Message-ID",
                 "Decision"},
                "llllllll");
    for (const NotSentRow &r : n.rows) {
        std::string rs;
        for (const std::string &code : r.reasons) rs += (rs.empty() ? "" : ", ") + md_code(code);
        table.row({t(r.at), c(r.recipient), t(r.verdict), rs, t(r.list), md_text(place(r.account, r.region)),
                   c(r.message_id), c(r.decision)});
    }
    table.write(o);
}

void rate_part(std::string &o, const Reputation &r, RateKind k) {
    const std::string noun(rate_noun(k));
    Number w = window_rate(r, k);
    if (!w) return;
    std::string hours = r.window_hours ? count_text(r.window_hours) + "-hour" : "window";
    Table table({"Threshold", "Level", "The " + hours + " " + noun + " rate (" + percent_text(*w, rate_decimals(k)) +
                                           ") is"},
                "lrl");
    for (const Threshold &th : thresholds(r, k)) {
        std::string name = th.label.substr(0, th.label.rfind(' '));
        std::string d = md_text(distance(*w, th.value, k));
        if (reached(*w, th.value)) d = "**" + d + "**";
        table.row({md_text(name), md_text(percent_short(th.value)), d});
    }
    table.write(o);
}

void reputation(std::string &o, const Model &m) {
    o += "## Bounce and complaint rates\n\n"
         "SES reviews an account whose bounce rate reaches 5% or complaint rate 0.1%, and may pause its sending at "
         "10% and 0.5%; presend warns and defers marketing mail at its own, lower levels.\n\n";
    if (m.reputation.empty()) o += "No sending in this period.\n\n";
    for (const Reputation &r : m.reputation) {
        o += "### " + md_text(place(r.account, r.region)) + "\n\n";
        if (r.paused && *r.paused) o += "> **SENDING IS PAUSED** for " + md_text(place(r.account, r.region)) + ".\n\n";
        bullet(o, "Status", t(r.status));
        bullet(o, "Window", r.window_hours ? "the last " + count_text(r.window_hours) + " hours" : kDash);
        bullet(o, "Sends, bounces, complaints",
               count_text(r.sends) + " sends, " + count_text(r.bounces) + " bounces, " + count_text(r.complaints) +
                   " complaints");
        bullet(o, "Bounce rate", md_text(percent_text(r.bounce_rate, 2)));
        bullet(o, "Complaint rate", md_text(percent_text(r.complaint_rate, 3)));
        std::string mv = count_text(r.min_volume) + " sends";
        if (r.counts) mv += *r.counts ? " (reached: the rates count)" : " (not reached: the rates are not acted on yet)";
        bullet(o, "Minimum volume", mv);
        o += "\n";
        rate_part(o, r, RateKind::bounce);
        rate_part(o, r, RateKind::complaint);
        if (!r.days.empty()) {
            Table days({"Date", "Sends", "Bounces", "Bounce rate", "Complaints", "Complaint rate"}, "lrrrrr");
            for (const ReputationDay &d : r.days) {
                Number br = ratio(d.bounces, d.sends), cr = ratio(d.complaints, d.sends);
                days.row({t(d.date), count_text(d.sends), count_text(d.bounces),
                          br ? percent_text(br, 2) : "no sends", count_text(d.complaints),
                          cr ? percent_text(cr, 3) : "no sends"});
            }
            days.write(o);
        }
    }
}

void events(std::string &o, const Model &m) {
    o += "## Events from SES\n\n";
    if (m.events.empty()) {
        o += "No events in this period.\n\n";
        return;
    }
    Table table({"Event", "Count"}, "lr");
    for (const Count &k : m.events) table.row({md_text(event_label(k.key)), count_text(k.value)});
    table.write(o);
}

void consent(std::string &o, const Model &m) {
    o += "## Consent coverage by list\n\n";
    if (m.consent_coverage.empty()) {
        o += "No marketing recipients in this period.\n\n";
        return;
    }
    Table table({"List", "Marketing recipients", "Double opt-in", "Share double opt-in", "With consent evidence",
                 "Share with evidence"},
                "lrrrrr");
    for (const ConsentCoverage &x : m.consent_coverage) {
        table.row({c(x.list), count_text(x.marketing_recipients), count_text(x.double_opt_in),
                   percent_text(x.share, 1), count_text(x.with_evidence), percent_text(evidence_share(x), 1)});
    }
    table.write(o);
}

void authentication(std::string &o, const Model &m) {
    o += "## Sender authentication\n\n";
    if (m.authentication.empty()) {
        o += "No sending identities are recorded.\n\n";
        return;
    }
    Table table({"Identity", "Region", "Verified", "SPF", "DKIM", "DMARC", "Aligned", "Status", "Problems",
                 "Checked (UTC)"},
                "llllllllll");
    for (const Identity &i : m.authentication) {
        std::string dkim = t(i.dkim);
        if (i.dkim_bits) dkim += " (" + number_text(*i.dkim_bits) + "-bit)";
        std::string dmarc = t(i.dmarc);
        if (i.dmarc_policy) dmarc += " (p=" + md_text(*i.dmarc_policy) + ")";
        std::string problems;
        for (const std::string &p : i.problems) problems += (problems.empty() ? "" : ", ") + md_code(p);
        std::string status = t(i.status);
        if (i.status && *i.status != "ok") status = "**" + status + "**";
        table.row({c(i.identity), t(i.region), yes_no(i.verified), t(i.spf), dkim, dmarc, yes_no(i.aligned), status,
                   problems.empty() ? "none" : problems, t(i.checked_at)});
    }
    table.write(o);
}

void plugins(std::string &o, const Model &m) {
    o += "## Plugin findings and IAM lint\n\n";
    if (m.plugins.empty()) {
        o += "No plugins were loaded.\n\n";
        return;
    }
    for (const Plugin &p : m.plugins) {
        o += "### " + t(p.name);
        if (p.version) o += " (version " + md_text(*p.version) + ")";
        o += "\n\n#### Findings\n\n";
        if (p.findings.empty()) {
            o += "No findings in this period.\n\n";
        } else {
            reason_table(o, p.findings);
        }
        o += "#### Lint\n\n";
        if (p.lint.empty()) {
            o += "No lint findings.\n\n";
            continue;
        }
        Table table({"Severity", "Code", "Policy", "Statement", "Message"}, "lllll");
        for (const LintItem &l : p.lint) {
            table.row({t(l.severity), c(l.code), c(l.policy), c(l.statement), t(l.message)});
        }
        table.write(o);
    }
}

void audit(std::string &o, const Model &m) {
    o += "## Audit chain\n\n";
    if (audit_failed(m.audit)) {
        o += "> **AUDIT CHAIN NOT VERIFIED.** " + md_text(audit_sentence(m.audit)) + "\n\n";
    } else {
        o += md_line(audit_sentence(m.audit)) + "\n\n";
    }
    if (!m.audit) return;
    const Audit &a = *m.audit;
    bullet(o, "Records checked", count_text(a.records));
    bullet(o, "Chain verified", yes_no(a.verified));
    bullet(o, "First bad record", t(a.first_bad));
    bullet(o, "Problem", t(a.problem));
    bullet(o, "Chain key", t(a.key));
    o += "\n";
}

void ses_request(std::string &o, const Model &m) {
    const SesRequest &s = m.ses_request;
    o += "## Evidence for an Amazon SES request\n\n"
         "Answers to the questions AWS asks when an account requests production access or a higher sending quota, "
         "with the figures of this period.\n\n";
    if (s.answers.empty() && !s.requested && !s.recent) o += "No evidence in this report.\n\n";
    for (const auto &[key, text] : s.answers) {
        o += "### " + md_text(ses_question(key)) + "\n\n" + paragraphs(text);
    }
    if (s.requested) {
        const Requested &q = *s.requested;
        o += "### Requested sending limits\n\n";
        bullet(o, "Maximum per 24 hours", count_text(q.max_24h));
        bullet(o, "Maximum send rate", q.max_rate ? count_text(q.max_rate) + " per second" : kDash);
        o += "\n";
        if (q.basis) o += paragraphs(*q.basis);
    }
    if (s.recent) {
        const Recent &r = *s.recent;
        o += "### Recent sending\n\n";
        bullet(o, "Days", count_text(r.days));
        bullet(o, "Recipients sent", count_text(r.sent));
        bullet(o, "Busiest 24 hours", count_text(r.peak_24h));
        bullet(o, "Average per 24 hours", count_text(r.average_24h));
        o += "\n";
    }
}

}  // namespace

std::string render_markdown(const Model &m) {
    std::string o;
    o += "# presend compliance report\n\n";
    o += "**Period:** " + t(m.from) + " to " + t(m.to) + "\n\n";
    o += "Generated " + t(m.generated_at) + " by presend " + t(m.presend_version) + ", report schema " +
         std::to_string(kSchema) + ".\n\n";
    o += md_line(addresses_note(m.addresses)) + "\n\n";
    summary(o, m);
    volume(o, m);
    reasons(o, m);
    not_sent(o, m);
    reputation(o, m);
    events(o, m);
    consent(o, m);
    authentication(o, m);
    plugins(o, m);
    audit(o, m);
    ses_request(o, m);
    while (o.size() > 1 && o[o.size() - 1] == '\n' && o[o.size() - 2] == '\n') o.pop_back();
    return o;
}

}  // namespace presend::report
