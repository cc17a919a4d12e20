// The HTML report: one self-contained page. No script, no external resource
// (fonts are the reader's own sans-serif), CSS inline, charts as inline SVG.
// Printing is the main use: each section starts a page, charts and table
// rows are never split, and colour only repeats what words already say.
#include <algorithm>
#include <string_view>

#include "report/chart.hpp"
#include "report/describe.hpp"
#include "report/format.hpp"
#include "report/renderers.hpp"

namespace presend::report {

namespace {

constexpr std::string_view kStyle = R"css(
:root { --ink: #1b1b1b; --muted: #555; --rule: #b9b9b9; --head: #eceff3; --bar: #4f7cac; --over: #8f1d1d;
        --ok: #1d6b35; --warn: #8a5300; --bad: #a11d1d; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0 auto; max-width: 1100px; padding: 24px 28px 48px; color: var(--ink); background: #fff;
       font: 15px/1.45 system-ui, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", "DejaVu Sans",
       sans-serif; }
header.report-head { border-bottom: 3px solid var(--ink); padding-bottom: .6em; margin-bottom: 1em; }
h1 { font-size: 1.9em; margin: 0 0 .15em; }
h2 { font-size: 1.4em; margin: 1.6em 0 .6em; padding-bottom: .15em; border-bottom: 2px solid var(--ink); }
h3 { font-size: 1.15em; margin: 1.4em 0 .4em; }
h4 { font-size: 1em; margin: 1.1em 0 .3em; }
p { margin: .4em 0 .7em; }
.meta { margin: .2em 0; color: var(--muted); }
.sub { font-weight: normal; color: var(--muted); }
.note, figcaption, .empty { color: var(--muted); font-size: .92em; }
.empty { font-style: italic; }
nav.toc ol { columns: 2; margin: .4em 0 0; padding-left: 1.4em; }
nav.toc a { color: inherit; }
table { border-collapse: collapse; width: 100%; margin: .4em 0 1em; font-size: .92em; }
th, td { border: 1px solid var(--rule); padding: .3em .5em; text-align: left; vertical-align: top; }
thead th { background: var(--head); }
th.num, td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace;
              font-size: .9em; overflow-wrap: break-word; }
td.ids code { overflow-wrap: anywhere; }
td.ids { font-size: .85em; }
td.when { white-space: nowrap; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15em 1.2em; margin: .4em 0 .8em; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; font-variant-numeric: tabular-nums; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: .6em; margin: .8em 0; }
.figure-box { border: 1px solid var(--rule); border-top: 4px solid var(--ink); padding: .4em .6em; }
.figure-box .value { display: block; font-size: 1.5em; font-weight: 700; font-variant-numeric: tabular-nums; }
.figure-box .label { color: var(--muted); font-size: .9em; }
ul.findings { list-style: none; padding: 0; margin: .4em 0 1em; }
ul.findings li { padding: .25em 0 .25em 6.2em; text-indent: -6.2em; }
.tag { display: inline-block; min-width: 5.6em; text-indent: 0; text-align: center; font-size: .78em;
       font-weight: 700; letter-spacing: .03em; text-transform: uppercase; border: 1.5px solid currentColor;
       border-radius: 3px; padding: 0 .3em; margin-right: .5em; }
.tag-ok { color: var(--ok); } .tag-info { color: var(--muted); }
.tag-warn { color: var(--warn); border-style: dashed; } .tag-bad { color: var(--bad); border-width: 2.5px; }
.alert { border: 4px double var(--bad); color: var(--bad); padding: .7em 1em; margin: .8em 0 1em; font-weight: 700;
         font-size: 1.08em; }
.alert strong { font-size: 1.15em; display: block; }
.ok-box { border: 2px solid var(--ok); color: var(--ok); padding: .6em 1em; margin: .8em 0 1em; font-weight: 600; }
tr.reached td { font-weight: 600; }
.answer { border-left: 4px solid var(--rule); padding-left: .9em; }
figure.chart-figure { margin: .6em 0 1.2em; }
svg.chart { display: block; width: 100%; height: auto; max-width: 940px; overflow: visible; }
svg.chart text { fill: var(--ink); font-family: inherit; }
svg.chart .tick, svg.chart .x-label { font-size: 11px; fill: #333; }
svg.chart .gridline { stroke: #dcdcdc; stroke-width: 1; }
svg.chart .axis { stroke: #333; stroke-width: 1.2; }
svg.chart .axis-break { stroke: #333; stroke-width: 1.5; fill: none; }
svg.chart .bar { fill: var(--bar); }
svg.chart .bar.over { fill: var(--over); stroke: #000; stroke-width: 1.2; }
svg.chart .track { fill: #f1f1f1; stroke: #d0d0d0; }
svg.chart .bar-label, svg.chart .limit-label, svg.chart .window-label, svg.chart .threshold-label {
  paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
svg.chart .bar-label.over { font-weight: 700; }
svg.chart .bar-label.inside { fill: #fff; stroke: none; }
svg.chart .bar-label.no-data { fill: var(--muted); font-style: italic; }
svg.chart .limit { stroke: #000; stroke-width: 2; stroke-dasharray: 9 4; }
svg.chart .limit.off-scale { stroke-dasharray: 3 3; }
svg.chart .limit-key { stroke: #000; stroke-width: 2; stroke-dasharray: 9 4; }
svg.chart .limit-label, svg.chart .threshold-label, svg.chart .window-label { font-size: 12px; font-weight: 600; }
svg.chart line.threshold { stroke-width: 1.6; fill: none; }
svg.chart line.t-ses_pause { stroke: #8f1d1d; stroke-width: 2.6; }
svg.chart line.t-ses_review { stroke: #b4470b; stroke-width: 2; stroke-dasharray: 10 4; }
svg.chart line.t-presend_defer { stroke: #333; stroke-dasharray: 7 3 2 3; }
svg.chart line.t-presend_warn { stroke: #666; stroke-dasharray: 2 3; }
svg.chart text.t-ses_pause { fill: #8f1d1d; }
svg.chart text.t-ses_review { fill: #8a3508; }
svg.chart line.window-rate { stroke: #17457a; stroke-width: 1.4; }
svg.chart text.window-label { fill: #17457a; }
svg.chart .leader { stroke: #999; stroke-width: .8; }
footer { margin-top: 2.5em; padding-top: .5em; border-top: 1px solid var(--rule); color: var(--muted);
         font-size: .85em; }
@page { size: A4; margin: 14mm 12mm 16mm; }
@media print {
  html { font-size: 10pt; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav.toc { display: none; }
  section { break-before: page; page-break-before: always; }
  section#summary { break-before: auto; page-break-before: auto; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  figure, svg, .alert, .ok-box, .figures, dl.facts, tr, ul.findings li { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  svg.chart { max-height: 95mm; }
  a { color: inherit; text-decoration: none; }
  th, td { padding: .2em .4em; }
}
)css";

struct SectionInfo {
    const char *id;
    const char *title;
};

constexpr SectionInfo kSections[] = {
    {"summary", "Summary"},
    {"volume", "Volume per day against the 24-hour maximum"},
    {"reasons", "Top reasons"},
    {"not-sent", "Recipients not sent, and why"},
    {"reputation", "Bounce and complaint rates"},
    {"events", "Events from SES"},
    {"consent", "Consent coverage by list"},
    {"authentication", "Sender authentication"},
    {"plugins", "Plugin findings and IAM lint"},
    {"audit", "Audit chain"},
    {"ses-request", "Evidence for an Amazon SES request"},
};

std::string e(std::string_view s) { return html_escape(s); }
std::string et(const Text &t) { return e(text_or_dash(t)); }
std::string code(const Text &t) { return t && !t->empty() ? "<code>" + e(*t) + "</code>" : "\u2014"; }
std::string td_num(const Number &v) { return "<td class=\"num\">" + count_text(v) + "</td>"; }
std::string td_pct(const Number &v, int decimals) { return "<td class=\"num\">" + percent_text(v, decimals) + "</td>"; }

std::string level_class(Level l) {
    switch (l) {
        case Level::ok: return "ok";
        case Level::info: return "info";
        case Level::warn: return "warn";
        case Level::bad: return "bad";
    }
    return "info";
}

std::string tag(Level l, std::string_view word) {
    return "<span class=\"tag tag-" + level_class(l) + "\">" + e(word) + "</span>";
}

Level status_level(const Text &status) {
    if (!status) return Level::info;
    if (*status == "ok" || *status == "pass") return Level::ok;
    if (*status == "warn" || *status == "warning") return Level::warn;
    return Level::bad;
}

std::string status_tag(const Text &status) {
    return status ? tag(status_level(status), *status) : std::string("\u2014");
}

// Text that may hold paragraphs: blank lines separate paragraphs, a single
// line break stays one.
std::string paragraphs(std::string_view text) {
    std::string esc = html_escape(text);
    std::string out = "<p>";
    size_t i = 0;
    while (i < esc.size()) {
        if (esc[i] == '\n') {
            size_t j = i;
            while (j < esc.size() && (esc[j] == '\n' || esc[j] == ' ' || esc[j] == '\t')) ++j;
            size_t breaks = static_cast<size_t>(std::count(esc.begin() + static_cast<long>(i),
                                                           esc.begin() + static_cast<long>(j), '\n'));
            if (j >= esc.size()) break;
            out += breaks > 1 ? "</p><p>" : "<br>";
            i = j;
            continue;
        }
        out.push_back(esc[i++]);
    }
    return out + "</p>";
}

void open_section(std::string &o, size_t index, const std::string &extra_class = "") {
    const SectionInfo &s = kSections[index];
    o += "<section id=\"" + std::string(s.id) + "\"";
    if (!extra_class.empty()) o += " class=\"" + extra_class + "\"";
    o += " aria-labelledby=\"h-" + std::string(s.id) + "\"><h2 id=\"h-" + std::string(s.id) + "\">" + s.title +
         "</h2>";
}

void fact(std::string &o, std::string_view term, const std::string &html_value) {
    o += "<dt>" + e(term) + "</dt><dd>" + html_value + "</dd>";
}

// --- sections ------------------------------------------------------------------------

void summary(std::string &o, const Model &m) {
    open_section(o, 0, "summary");
    if (audit_failed(m.audit)) {
        o += "<div class=\"alert audit-failed\" role=\"alert\"><strong>Audit chain not verified</strong>" +
             e(audit_sentence(m.audit)) + " See <a href=\"#audit\">Audit chain</a>.</div>";
    }
    o += "<h3>At a glance</h3><ul class=\"findings\">";
    for (const Finding &f : findings(m)) {
        o += "<li class=\"finding level-" + level_class(f.level) + "\">" + tag(f.level, level_word(f.level)) +
             e(f.text) + "</li>";
    }
    o += "</ul>";

    const Summary &s = m.summary;
    o += "<div class=\"figures\">";
    auto box = [&](const Number &v, std::string_view label, std::string_view key) {
        o += "<div class=\"figure-box\" data-key=\"" + e(key) + "\"><span class=\"value\">" + count_text(v) +
             "</span><span class=\"label\">" + e(label) + "</span></div>";
    };
    box(s.messages, "messages checked", "messages");
    box(s.recipients, "recipients checked", "recipients");
    box(m.not_sent.total, "recipients not sent", "not_sent");
    box(s.released, "decisions released unsent", "released");
    o += "</div>";

    o += "<h3>Verdicts</h3>";
    std::vector<std::string> keys;
    for (const Count &c : s.verdicts) keys.push_back(c.key);
    for (const Count &c : s.recipient_verdicts) {
        if (std::find(keys.begin(), keys.end(), c.key) == keys.end()) keys.push_back(c.key);
    }
    if (keys.empty()) {
        o += "<p class=\"empty\">No decisions in this period.</p></section>";
        return;
    }
    auto find = [](const std::vector<Count> &v, const std::string &k) -> Number {
        for (const Count &c : v) {
            if (c.key == k) return c.value;
        }
        return std::nullopt;
    };
    o += "<table class=\"verdicts\"><thead><tr><th>Verdict</th><th class=\"num\">Messages</th>"
         "<th class=\"num\">Share of messages</th><th class=\"num\">Recipients</th>"
         "<th class=\"num\">Share of recipients</th></tr></thead><tbody>";
    for (const std::string &k : keys) {
        Number msg = find(s.verdicts, k), rcpt = find(s.recipient_verdicts, k);
        o += "<tr data-verdict=\"" + e(k) + "\"><td>" + e(verdict_label(k)) + "</td>" + td_num(msg) +
             td_pct(ratio(msg, s.messages), 1) + td_num(rcpt) + td_pct(ratio(rcpt, s.recipients), 1) + "</tr>";
    }
    o += "</tbody></table>";
    o += "<p class=\"note\">A partial verdict sends to some of a message's recipients and holds back the others; "
         "recipient verdicts count each recipient once.</p></section>";
}

void volume(std::string &o, const Model &m) {
    open_section(o, 1);
    o += "<p>Recipients allowed and sent each day (UTC), per account and region, against the account's maximum "
         "per 24 hours in that region. SES counts its quota per recipient over a rolling 24 hours; the busiest "
         "24 hours below are rolling, the bars are calendar days.</p>";
    if (m.volume.empty()) o += "<p class=\"empty\">No sending in this period.</p>";
    for (size_t i = 0; i < m.volume.size(); ++i) {
        const Volume &v = m.volume[i];
        o += "<div class=\"block volume-block\"><h3>" + e(place(v.account, v.region));
        if (v.tier) o += " <span class=\"sub\">(" + e(*v.tier) + ")</span>";
        o += "</h3><dl class=\"facts\">";
        fact(o, "Maximum per 24 hours", count_text(v.max_24h));
        fact(o, "Maximum send rate", v.max_rate ? count_text(v.max_rate) + " per second" : "\u2014");
        fact(o, "Busiest 24 hours", count_text(v.peak_24h));
        fact(o, "Busiest 24 hours as a share of the maximum", percent_text(v.peak_share, 1));
        o += "</dl>";
        o += volume_chart(v, "volume-" + std::to_string(i));
        if (!v.days.empty()) {
            o += "<table class=\"days\"><thead><tr><th>Date</th><th class=\"num\">Sent</th>"
                 "<th class=\"num\">Blocked</th><th class=\"num\">Deferred</th>"
                 "<th class=\"num\">Sent as a share of the 24-hour maximum</th></tr></thead><tbody>";
            for (const VolumeDay &d : v.days) {
                o += "<tr><td>" + et(d.date) + "</td>" + td_num(d.sent) + td_num(d.blocked) + td_num(d.deferred) +
                     td_pct(ratio(d.sent, v.max_24h), 1) + "</tr>";
            }
            o += "</tbody></table>";
        }
        o += "</div>";
    }
    o += "</section>";
}

void reason_table(std::string &o, const std::vector<ReasonCount> &rows, const char *css_class) {
    o += "<table class=\"" + std::string(css_class) +
         "\"><thead><tr><th>Reason</th><th>Severity</th><th class=\"num\">Recipients</th>"
         "<th class=\"num\">Messages</th></tr></thead><tbody>";
    for (const ReasonCount &r : rows) {
        o += "<tr><td>" + code(r.code) + "</td><td>" + et(r.severity) + "</td>" + td_num(r.recipients) +
             td_num(r.messages) + "</tr>";
    }
    o += "</tbody></table>";
}

void reasons(std::string &o, const Model &m) {
    open_section(o, 2);
    if (m.top_reasons.empty()) {
        o += "<p class=\"empty\">No recipient or message was blocked or deferred in this period.</p>";
    } else {
        o += "<p>The reasons presend gave most often, counted per recipient (recipient-level reasons) and per "
             "message (message-level reasons).</p>";
        reason_table(o, m.top_reasons, "reasons");
    }
    o += "</section>";
}

void not_sent(std::string &o, const Model &m) {
    const NotSent &n = m.not_sent;
    open_section(o, 3);
    o += "<p>" + count_text(n.total) + " recipients were blocked or deferred in this period.";
    if (n.shown) o += " " + count_text(n.shown) + " are listed below.";
    o += "</p>";
    if (n.truncated && *n.truncated) {
        o += "<p class=\"note truncated\"><strong>The list is truncated:</strong> " + count_text(n.shown) + " of " +
             count_text(n.total) + " recipients are shown.</p>";
    }
    if (n.rows.empty()) {
        o += "<p class=\"empty\">No recipients to list.</p></section>";
        return;
    }
    o += "<table class=\"not-sent\"><thead><tr><th>When (UTC)</th><th>Recipient</th><th>Verdict</th>"
         "<th>Reasons</th><th>List</th><th>Account / region</th><th>Message-ID and decision</th></tr></thead><tbody>";
    for (const NotSentRow &r : n.rows) {
        std::string rs;
        for (const std::string &c : r.reasons) rs += (rs.empty() ? "" : "<br>") + ("<code>" + e(c) + "</code>");
        o += "<tr><td class=\"when\">" + et(r.at) + "</td><td class=\"recipient\">" + code(r.recipient) + "</td><td>" + et(r.verdict) + "</td><td>" +
             (rs.empty() ? std::string("\u2014") : rs) + "</td><td>" + et(r.list) + "</td><td>" +
             e(place(r.account, r.region)) + "</td><td class=\"ids\">" + code(r.message_id) + "<br>" +
             code(r.decision) + "</td></tr>";
    }
    o += "</tbody></table></section>";
}

void rate_block(std::string &o, const Reputation &r, RateKind k, const std::string &id) {
    const std::string noun(rate_noun(k));
    o += "<h4>" + e(std::string(1, static_cast<char>(noun[0] - 'a' + 'A')) + noun.substr(1)) + " rate</h4>";
    o += rate_chart(r, k, id);
    Number w = window_rate(r, k);
    std::vector<Threshold> ts = thresholds(r, k);
    if (!w) {
        o += "<p class=\"empty\">No " + e(noun) + " rate over the window.</p>";
        return;
    }
    std::string hours = r.window_hours ? count_text(r.window_hours) + "-hour" : "window";
    o += "<table class=\"distances\" data-kind=\"" + e(noun) + "\"><thead><tr><th>Threshold</th>"
         "<th class=\"num\">Level</th><th>The " + e(hours) + " " + e(noun) + " rate (" +
         percent_text(*w, rate_decimals(k)) + ") is</th></tr></thead><tbody>";
    for (const Threshold &t : ts) {
        bool hit = reached(*w, t.value);
        std::string name = t.label.substr(0, t.label.rfind(' '));
        o += "<tr" + std::string(hit ? " class=\"reached\"" : "") + " data-kind=\"" + e(t.kind) + "\"><td>" +
             e(name) + "</td><td class=\"num\">" + percent_short(t.value) + "</td><td>" +
             e(distance(*w, t.value, k)) + "</td></tr>";
    }
    o += "</tbody></table>";
}

void reputation(std::string &o, const Model &m) {
    open_section(o, 4);
    o += "<p>Bounces and complaints SES reported, as a share of sends. SES reviews an account whose bounce rate "
         "reaches 5% or complaint rate 0.1%, and may pause its sending at 10% and 0.5%; presend warns and defers "
         "marketing mail at its own, lower levels so that an account never gets there.</p>";
    if (m.reputation.empty()) o += "<p class=\"empty\">No sending in this period.</p>";
    for (size_t i = 0; i < m.reputation.size(); ++i) {
        const Reputation &r = m.reputation[i];
        o += "<div class=\"block reputation-block\"><h3>" + e(place(r.account, r.region)) + "</h3>";
        if (r.paused && *r.paused) {
            o += "<div class=\"alert paused\" role=\"alert\"><strong>Sending is paused</strong>for " +
                 e(place(r.account, r.region)) + ".</div>";
        }
        o += "<dl class=\"facts\">";
        fact(o, "Status", status_tag(r.status));
        fact(o, "Window", r.window_hours ? "the last " + count_text(r.window_hours) + " hours" : "\u2014");
        fact(o, "Sends, bounces, complaints",
             count_text(r.sends) + " sends, " + count_text(r.bounces) + " bounces, " + count_text(r.complaints) +
                 " complaints");
        fact(o, "Bounce rate", percent_text(r.bounce_rate, 2));
        fact(o, "Complaint rate", percent_text(r.complaint_rate, 3));
        std::string mv = count_text(r.min_volume) + " sends";
        if (r.counts) mv += *r.counts ? " (reached: the rates count)" : " (not reached: the rates are not acted on yet)";
        fact(o, "Minimum volume", mv);
        o += "</dl>";
        rate_block(o, r, RateKind::bounce, "bounce-" + std::to_string(i));
        rate_block(o, r, RateKind::complaint, "complaint-" + std::to_string(i));
        if (!r.days.empty()) {
            o += "<table class=\"days\"><thead><tr><th>Date</th><th class=\"num\">Sends</th>"
                 "<th class=\"num\">Bounces</th><th class=\"num\">Bounce rate</th><th class=\"num\">Complaints</th>"
                 "<th class=\"num\">Complaint rate</th></tr></thead><tbody>";
            for (const ReputationDay &d : r.days) {
                o += "<tr><td>" + et(d.date) + "</td>" + td_num(d.sends) + td_num(d.bounces) +
                     td_pct(ratio(d.bounces, d.sends), 2) + td_num(d.complaints) +
                     td_pct(ratio(d.complaints, d.sends), 3) + "</tr>";
            }
            o += "</tbody></table>";
        }
        o += "</div>";
    }
    o += "</section>";
}

void events(std::string &o, const Model &m) {
    open_section(o, 5);
    if (m.events.empty()) {
        o += "<p class=\"empty\">No events in this period.</p></section>";
        return;
    }
    o += "<p>Bounce, complaint and delivery notifications from SES that presend ingested in this period.</p>"
         "<table class=\"events\"><thead><tr><th>Event</th><th class=\"num\">Count</th></tr></thead><tbody>";
    for (const Count &c : m.events) {
        o += "<tr data-key=\"" + e(c.key) + "\"><td>" + e(event_label(c.key)) + "</td>" + td_num(c.value) + "</tr>";
    }
    o += "</tbody></table></section>";
}

void consent(std::string &o, const Model &m) {
    open_section(o, 6);
    if (m.consent_coverage.empty()) {
        o += "<p class=\"empty\">No marketing recipients in this period.</p></section>";
        return;
    }
    o += "<p>For each list, the marketing recipients of the period, how many confirmed their subscription by "
         "double opt-in, and how many have a consent record with evidence (when, how and from where).</p>";
    o += consent_chart(m.consent_coverage, "consent-chart");
    o += "<table class=\"consent\"><thead><tr><th>List</th><th class=\"num\">Marketing recipients</th>"
         "<th class=\"num\">Double opt-in</th><th class=\"num\">Share double opt-in</th>"
         "<th class=\"num\">With consent evidence</th><th class=\"num\">Share with evidence</th></tr></thead><tbody>";
    for (const ConsentCoverage &c : m.consent_coverage) {
        o += "<tr><td>" + code(c.list) + "</td>" + td_num(c.marketing_recipients) + td_num(c.double_opt_in) +
             td_pct(c.share, 1) + td_num(c.with_evidence) + td_pct(evidence_share(c), 1) + "</tr>";
    }
    o += "</tbody></table></section>";
}

void authentication(std::string &o, const Model &m) {
    open_section(o, 7);
    if (m.authentication.empty()) {
        o += "<p class=\"empty\">No sending identities are recorded.</p></section>";
        return;
    }
    o += "<p>Each sending identity as last checked: verification in SES, SPF, DKIM and DMARC in DNS, and "
         "whether they align with the From domain.</p>";
    o += "<table class=\"authentication\"><thead><tr><th>Identity</th><th>Region</th><th>Verified</th>"
         "<th>SPF</th><th>DKIM</th><th>DMARC</th><th>Aligned</th><th>Status</th><th>Problems</th>"
         "<th>Checked (UTC)</th></tr></thead><tbody>";
    for (const Identity &i : m.authentication) {
        std::string dkim = et(i.dkim);
        if (i.dkim_bits) dkim += " (" + number_text(*i.dkim_bits) + "-bit)";
        std::string dmarc = et(i.dmarc);
        if (i.dmarc_policy) dmarc += " (p=" + e(*i.dmarc_policy) + ")";
        std::string problems;
        for (const std::string &p : i.problems) problems += (problems.empty() ? "" : "<br>") + ("<code>" + e(p) + "</code>");
        bool fail = status_level(i.status) == Level::bad;
        o += "<tr" + std::string(fail ? " class=\"status-fail\"" : "") + "><td>" + code(i.identity) + "</td><td>" +
             et(i.region) + "</td><td>" + e(yes_no(i.verified)) + "</td><td>" + et(i.spf) + "</td><td>" + dkim +
             "</td><td>" + dmarc + "</td><td>" + e(yes_no(i.aligned)) + "</td><td>" + status_tag(i.status) +
             "</td><td>" + (problems.empty() ? std::string("none") : problems) + "</td><td class=\"when\">" + et(i.checked_at) +
             "</td></tr>";
    }
    o += "</tbody></table></section>";
}

void plugins(std::string &o, const Model &m) {
    open_section(o, 8);
    if (m.plugins.empty()) {
        o += "<p class=\"empty\">No plugins were loaded.</p></section>";
        return;
    }
    for (const Plugin &p : m.plugins) {
        o += "<div class=\"block plugin-block\"><h3><code>" + et(p.name) + "</code>";
        if (p.version) o += " <span class=\"sub\">version " + e(*p.version) + "</span>";
        o += "</h3><h4>Findings</h4>";
        if (p.findings.empty()) {
            o += "<p class=\"empty\">No findings in this period.</p>";
        } else {
            reason_table(o, p.findings, "findings");
        }
        o += "<h4>Lint</h4>";
        if (p.lint.empty()) {
            o += "<p class=\"empty\">No lint findings.</p>";
        } else {
            o += "<table class=\"lint\"><thead><tr><th>Severity</th><th>Code</th><th>Policy</th><th>Statement</th>"
                 "<th>Message</th></tr></thead><tbody>";
            for (const LintItem &l : p.lint) {
                o += "<tr><td>" + et(l.severity) + "</td><td>" + code(l.code) + "</td><td>" + code(l.policy) +
                     "</td><td>" + code(l.statement) + "</td><td>" + et(l.message) + "</td></tr>";
            }
            o += "</tbody></table>";
        }
        o += "</div>";
    }
    o += "</section>";
}

void audit(std::string &o, const Model &m) {
    bool failed = audit_failed(m.audit);
    open_section(o, 9, failed ? "failed" : "verified");
    if (failed) {
        o += "<div class=\"alert audit-failed\" role=\"alert\"><strong>Audit chain not verified</strong>" +
             e(audit_sentence(m.audit)) + "</div>";
    } else {
        o += "<div class=\"ok-box audit-verified\">" + e(audit_sentence(m.audit)) + "</div>";
    }
    o += "<p>Every decision is recorded in a hash chain: each record carries a keyed hash of the one before it, "
         "so a record altered, removed or reordered afterwards breaks the chain at that point.</p>";
    if (m.audit) {
        const Audit &a = *m.audit;
        o += "<dl class=\"facts\">";
        fact(o, "Records checked", count_text(a.records));
        fact(o, "Chain verified", e(yes_no(a.verified)));
        fact(o, "First bad record", et(a.first_bad));
        fact(o, "Problem", et(a.problem));
        fact(o, "Chain key", et(a.key));
        o += "</dl>";
    }
    o += "</section>";
}

void ses_request(std::string &o, const Model &m) {
    const SesRequest &s = m.ses_request;
    open_section(o, 10);
    o += "<p>Answers to the questions AWS asks when an account requests production access or a higher sending "
         "quota, with the figures of this period.</p>";
    if (s.answers.empty() && !s.requested && !s.recent) o += "<p class=\"empty\">No evidence in this report.</p>";
    for (const auto &[key, text] : s.answers) {
        o += "<h3>" + e(ses_question(key)) + "</h3><div class=\"answer\" data-key=\"" + e(key) + "\">" +
             paragraphs(text) + "</div>";
    }
    if (s.requested) {
        const Requested &q = *s.requested;
        o += "<h3>Requested sending limits</h3><dl class=\"facts requested\">";
        fact(o, "Maximum per 24 hours", count_text(q.max_24h));
        fact(o, "Maximum send rate", q.max_rate ? count_text(q.max_rate) + " per second" : "\u2014");
        o += "</dl>";
        if (q.basis) o += "<div class=\"answer\" data-key=\"basis\">" + paragraphs(*q.basis) + "</div>";
    }
    if (s.recent) {
        const Recent &r = *s.recent;
        o += "<h3>Recent sending</h3><dl class=\"facts recent\">";
        fact(o, "Days", count_text(r.days));
        fact(o, "Recipients sent", count_text(r.sent));
        fact(o, "Busiest 24 hours", count_text(r.peak_24h));
        fact(o, "Average per 24 hours", count_text(r.average_24h));
        o += "</dl>";
    }
    o += "</section>";
}

}  // namespace

std::string render_html(const Model &m) {
    std::string o;
    o.reserve(64 * 1024);
    std::string title = "presend compliance report, " + period(m);
    o += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<meta name=\"color-scheme\" content=\"light\"><meta name=\"generator\" content=\"presend\">";
    o += "<title>" + e(title) + "</title><style>";
    o += kStyle;
    o += "</style></head>\n<body>\n<header class=\"report-head\"><h1>presend compliance report</h1>";
    o += "<p class=\"meta period\">Period: <strong>" + et(m.from) + "</strong> to <strong>" + et(m.to) +
         "</strong></p>";
    o += "<p class=\"meta\">Generated " + et(m.generated_at) + " by presend " + et(m.presend_version) + ".</p>";
    o += "<p class=\"meta addresses\">" + e(addresses_note(m.addresses)) + "</p></header>\n";
    o += "<nav class=\"toc\" aria-label=\"Contents\"><ol>";
    for (const SectionInfo &s : kSections) {
        o += "<li><a href=\"#" + std::string(s.id) + "\">" + s.title + "</a></li>";
    }
    o += "</ol></nav>\n<main>\n";
    summary(o, m);
    o += "\n";
    volume(o, m);
    o += "\n";
    reasons(o, m);
    o += "\n";
    not_sent(o, m);
    o += "\n";
    reputation(o, m);
    o += "\n";
    events(o, m);
    o += "\n";
    consent(o, m);
    o += "\n";
    authentication(o, m);
    o += "\n";
    plugins(o, m);
    o += "\n";
    audit(o, m);
    o += "\n";
    ses_request(o, m);
    o += "\n</main>\n<footer>presend " + et(m.presend_version) + " \u00b7 report schema " +
         std::to_string(kSchema) + " \u00b7 " + e(period(m)) + "</footer>\n</body></html>\n";
    return o;
}

}  // namespace presend::report
