// The report: what presend decided over a period, read from the store into
// one JSON document (the model, docs/report.md), rendered as HTML, CSV or
// Markdown by presend_report.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "engine.hpp"
#include "json.hpp"
#include "report/render.hpp"
#include "reputation.hpp"
#include "text.hpp"

#ifndef PRESEND_VERSION_TEXT
#define PRESEND_VERSION_TEXT "unknown"
#endif

namespace presend {

namespace {

constexpr int64_t kDayMs = 86400000;

struct ReportOptions {
    int64_t from = 0, to = 0;
    std::string format = "json";
    int64_t limit = 200;
};

ReportOptions report_options(std::string_view json, int64_t now) {
    ReportOptions o;
    o.to = (now / kDayMs + 1) * kDayMs;  // the end of today (UTC)
    o.from = o.to - 7 * kDayMs;
    bool has_from = false;
    if (!trim(json).empty()) {
        auto doc = json_parse(json, 64 * 1024);
        if (!doc) throw Failure{std::move(doc).error()};
        const cJSON *root = doc->get();
        if (!json_is_object(root)) fail(Status::invalid_argument, "report options must be a JSON object");
        for (const cJSON *m = json_child(root); m != nullptr; m = json_next(m)) {
            std::string_view k = json_key(m);
            std::string path = "options." + std::string(k);
            if (k == "limit") {
                auto v = json_int(m, path, 0, 1000000, Status::invalid_argument);
                if (!v) throw Failure{std::move(v).error()};
                o.limit = *v;
                continue;
            }
            auto v = json_string(m, path, Status::invalid_argument);
            if (!v) throw Failure{std::move(v).error()};
            if (k == "from" || k == "to") {
                auto t = parse_timestamp(*v);
                if (!t) fail(Status::invalid_argument, path + ": " + t.error().message);
                if (k == "from") {
                    o.from = *t;
                    has_from = true;
                } else {
                    o.to = *t;
                    if (!has_from) o.from = o.to - 7 * kDayMs;
                }
            } else if (k == "format") {
                o.format = std::string(*v);
            } else {
                fail(Status::invalid_argument, "unknown report option \"" + std::string(k) + "\"");
            }
        }
    }
    if (o.to <= o.from) fail(Status::invalid_argument, "the report's \"to\" must be after its \"from\"");
    if (o.to - o.from > 3660 * kDayMs) fail(Status::invalid_argument, "a report covers at most ten years");
    return o;
}

// Decision ids are UUIDv7: their first 48 bits are the time in ms, so a
// period is a range of the primary key.
std::string id_bound(int64_t ms) {
    static constexpr char kHex[] = "0123456789abcdef";
    auto v = static_cast<uint64_t>(std::max<int64_t>(ms, 0));
    std::string out;
    for (int i = 11; i >= 0; --i) {
        out.push_back(kHex[(v >> (4 * i)) & 15]);
        if (i == 4) out.push_back('-');
    }
    return out;  // "hhhhhhhh-hhhh": sorts before every id of that ms ('-' < '0')
}

std::string day_of(int64_t ms) { return format_timestamp(ms - ((ms % kDayMs) + kDayMs) % kDayMs).substr(0, 10); }

void for_each_code(std::string_view codes, const std::function<void(std::string_view)> &f) {
    while (!codes.empty()) {
        size_t sp = codes.find(' ');
        std::string_view c = codes.substr(0, sp);
        if (!c.empty()) f(c);
        if (sp == std::string_view::npos) break;
        codes.remove_prefix(sp + 1);
    }
}

std::string severity_of(std::string_view code) {
    const ReasonDef *d = find_reason(code);
    if (d == nullptr) d = find_interned_reason(code);
    return d != nullptr ? std::string(severity_name(d->severity)) : std::string("block");
}

std::string grouped(int64_t n) {
    std::string s = std::to_string(n), out;
    int count = 0;
    for (auto it = s.rbegin(); it != s.rend(); ++it) {
        if (count > 0 && count % 3 == 0 && *it != '-') out.push_back(',');
        out.push_back(*it);
        ++count;
    }
    std::reverse(out.begin(), out.end());
    return out;
}

}  // namespace

std::string Engine::report(std::string_view options_json) {
    ReportOptions o = report_options(options_json, clock_ms());
    auto fmt = report::parse_format(o.format);
    if (!fmt) fail(Status::invalid_argument, "options.format: " + fmt.error().message);
    std::string model = report_model_json(o.from, o.to, o.limit);
    auto rendered = report::render(model, *fmt);
    if (!rendered) fail(Status::error, "rendering the report: " + rendered.error().message);
    return std::move(*rendered);
}

std::string Engine::report_model_json(int64_t from, int64_t to, int64_t limit) {
    const std::string lo = id_bound(from), hi = id_bound(to);
    int64_t now = clock_ms();
    auto lease = pool_.acquire();
    Conn &c = *lease;
    // One read transaction: every figure comes from the same snapshot.
    Transaction tx(c.db(), Transaction::Kind::deferred);

    std::string out;
    JsonWriter w(out);
    w.begin_object().field("report", "presend").field("schema", 1);
    w.key("generated_at").timestamp(now);
    w.key("from").timestamp(from);
    w.key("to").timestamp(to);
    w.field("presend_version", PRESEND_VERSION_TEXT);
    w.field("addresses", config_.audit.addresses == AddressForm::hashed ? "hashed" : "clear");

    // Two passes over the period read everything per decision and per
    // recipient: the decisions, then the recipients joined to their decision
    // (both in primary-key order, so the join walks the two b-trees together).
    struct Day {
        int64_t sent = 0, blocked = 0, deferred = 0;
    };
    struct Coverage {
        int64_t recipients = 0, double_opt_in = 0, evidence = 0;
    };
    std::map<std::string, int64_t> verdicts{{"allow", 0}, {"partial", 0}, {"block", 0}, {"defer", 0}};
    std::map<std::string, int64_t> rverdicts{{"allow", 0}, {"block", 0}, {"defer", 0}};
    int64_t messages = 0, recipients = 0, released = 0;
    std::map<std::pair<std::string, std::string>, std::map<int64_t, Day>> volume;  // day index -> counts
    std::unordered_map<std::string, std::pair<int64_t, int64_t>> reasons;          // code -> (recipients, messages)
    std::map<std::string, Coverage> coverage;                                       // list -> marketing sends
    auto floor_day = [](int64_t ms) { return ms / kDayMs - (ms % kDayMs < 0 ? 1 : 0); };
    // The (account, region) of consecutive rows rarely changes: keep the last entry.
    std::pair<std::string, std::string> last_key;
    std::map<int64_t, Day> *last_days = nullptr;
    auto days_of = [&](std::string_view account, std::string_view region) -> std::map<int64_t, Day> & {
        if (last_days == nullptr || last_key.first != account || last_key.second != region) {
            last_key = {std::string(account), std::string(region)};
            last_days = &volume[last_key];
        }
        return *last_days;
    };
    {
        Use s(c.stmt("SELECT verdict, released_at IS NOT NULL, account, region, created_at, reserved, reasons FROM decision "
                     "WHERE id >= ?1 AND id < ?2"));
        s->bind(1, lo).bind(2, hi);
        while (s->step()) {
            ++messages;
            ++verdicts[std::string(s->text(0))];
            bool was_released = s->int64(1) != 0;
            released += was_released ? 1 : 0;
            int64_t reserved = s->int64(5);
            if (reserved > 0 && !was_released) days_of(s->text(2), s->text(3))[floor_day(s->int64(4))].sent += reserved;
            if (!s->is_null(6)) for_each_code(s->text(6), [&](std::string_view code) { ++reasons[std::string(code)].second; });
        }
    }
    {
        Use s(c.stmt("SELECT d.account, d.region, d.created_at, d.stream, coalesce(d.list, '*'), r.verdict, r.reasons, "
                     "r.consent, r.evidence FROM decision d JOIN decision_recipient r ON r.decision_id = d.id "
                     "WHERE d.id >= ?1 AND d.id < ?2"));
        s->bind(1, lo).bind(2, hi);
        std::string last_list;
        Coverage *last_cov = nullptr;
        while (s->step()) {
            ++recipients;
            std::string_view verdict = s->text(5);
            if (verdict == "allow") {
                ++rverdicts["allow"];
                if (s->text(3) == "marketing") {
                    std::string_view list = s->text(4);
                    if (last_cov == nullptr || last_list != list) {
                        last_list = std::string(list);
                        last_cov = &coverage[last_list];
                    }
                    ++last_cov->recipients;
                    if (s->text(7) == "double") ++last_cov->double_opt_in;
                    if (!s->is_null(8) && s->int64(8) == 1) ++last_cov->evidence;
                }
            } else {
                ++rverdicts[std::string(verdict)];
                auto &day = days_of(s->text(0), s->text(1))[floor_day(s->int64(2))];
                if (verdict == "block") ++day.blocked;
                else ++day.deferred;
            }
            if (!s->is_null(6)) for_each_code(s->text(6), [&](std::string_view code) { ++reasons[std::string(code)].first; });
        }
    }

    w.key("summary").begin_object().field("messages", messages).field("recipients", recipients);
    w.key("verdicts").begin_object();
    for (const auto &[k, v] : verdicts) w.field(k, v);
    w.end_object().key("recipient_verdicts").begin_object();
    for (const auto &[k, v] : rverdicts) w.field(k, v);
    w.end_object().field("released", released).end_object();

    // --- volume per day, per account and region -------------------------------
    int64_t first_day = from - ((from % kDayMs) + kDayMs) % kDayMs;
    // Every configured account and region appears, with every day of the period.
    for (const auto &[aname, acct] : config_.accounts) {
        for (const auto &[rname, lim] : acct.regions) {
            (void)lim;
            volume[{aname, rname}];
        }
    }
    int64_t recent_sent = 0, peak_day = 0;
    w.key("volume").begin_array();
    for (auto &[key, days] : volume) {
        const AccountConfig *acct = nullptr;
        const RegionLimits *lim = nullptr;
        if (auto a = config_.accounts.find(key.first); a != config_.accounts.end()) {
            acct = &a->second;
            if (auto r = a->second.regions.find(key.second); r != a->second.regions.end()) lim = &r->second;
        }
        w.begin_object().field("account", key.first).field("region", key.second);
        w.field("tier", acct != nullptr && acct->tier == Tier::sandbox ? "sandbox" : "production");
        w.key("max_24h");
        if (lim != nullptr) w.value(lim->max_24h);
        else w.null();
        w.key("max_rate");
        if (lim != nullptr) w.value(lim->max_rate);
        else w.null();
        int64_t peak = 0;
        w.key("days").begin_array();
        for (int64_t d = first_day; d < to; d += kDayMs) {
            std::string date = day_of(d);
            auto found = days.find(floor_day(d));
            Day v = found != days.end() ? found->second : Day{};
            peak = std::max(peak, v.sent);
            recent_sent += v.sent;
            w.begin_object().field("date", date).field("sent", v.sent).field("blocked", v.blocked);
            w.field("deferred", v.deferred).end_object();
        }
        w.end_array();
        peak_day = std::max(peak_day, peak);
        w.field("peak_24h", peak);
        w.field("peak_share", lim != nullptr && lim->max_24h > 0 ? static_cast<double>(peak) / static_cast<double>(lim->max_24h) : 0.0);
        w.end_object();
    }
    w.end_array();

    // --- reasons ------------------------------------------------------------
    std::vector<std::pair<std::string, std::pair<int64_t, int64_t>>> ranked(reasons.begin(), reasons.end());
    std::sort(ranked.begin(), ranked.end(), [](const auto &a, const auto &b) {
        int64_t ta = a.second.first + a.second.second, tb = b.second.first + b.second.second;
        return ta != tb ? ta > tb : a.first < b.first;
    });
    w.key("top_reasons").begin_array();
    for (const auto &[code, n] : ranked) {
        w.begin_object().field("code", code).field("severity", severity_of(code)).field("recipients", n.first);
        w.field("messages", n.second).end_object();
    }
    w.end_array();

    // --- recipients not sent ----------------------------------------------------
    int64_t not_sent = rverdicts["block"] + rverdicts["defer"];
    w.key("not_sent").begin_object().field("total", not_sent);
    {
        Use s(c.stmt("SELECT d.created_at, d.id, d.message_id, d.account, d.region, d.list, r.address, r.verdict, r.reasons "
                     "FROM decision_recipient r JOIN decision d ON d.id = r.decision_id "
                     "WHERE r.decision_id >= ?1 AND r.decision_id < ?2 AND r.verdict IN ('block', 'defer') "
                     "ORDER BY r.decision_id, r.idx LIMIT ?3"));
        s->bind(1, lo).bind(2, hi).bind(3, limit);
        std::string rows;
        JsonWriter rw(rows);
        rw.begin_array();
        int64_t shown = 0;
        while (s->step()) {
            ++shown;
            rw.begin_object().key("at").timestamp(s->int64(0));
            rw.field("decision", s->text(1)).field("message_id", s->text(2)).field("account", s->text(3));
            rw.field("region", s->text(4)).key("list");
            if (s->is_null(5)) rw.null();
            else rw.value(s->text(5));
            rw.field("recipient", s->text(6)).field("verdict", s->text(7)).key("reasons").begin_array();
            for_each_code(s->text(8), [&](std::string_view code) { rw.value(code); });
            rw.end_array().end_object();
        }
        rw.end_array();
        w.field("shown", shown).field("truncated", shown < not_sent).key("rows").raw(rows);
    }
    w.end_object();

    // --- reputation ----------------------------------------------------------------
    const auto &rc = config_.reputation;
    double worst_bounce = 0, worst_complaint = 0;
    int64_t window_sends = 0;
    w.key("reputation").begin_array();
    for (const auto &[aname, acct] : config_.accounts) {
        for (const auto &[rname, lim] : acct.regions) {
            (void)lim;
            auto counts = reputation_window(c, aname, rname, now - rc.window_ms);
            auto paused = pause_find(c, aname, rname);
            double sends = static_cast<double>(counts.sends);
            double bounce = counts.sends > 0 ? static_cast<double>(counts.bounces) / sends : 0.0;
            double complaint = counts.sends > 0 ? static_cast<double>(counts.complaints) / sends : 0.0;
            bool counts_now = counts.sends >= rc.min_volume;
            if (counts_now) {
                worst_bounce = std::max(worst_bounce, bounce);
                worst_complaint = std::max(worst_complaint, complaint);
            }
            window_sends += counts.sends;
            std::string status = "ok";
            if (paused) status = "paused";
            else if (!counts_now) status = "insufficient_volume";
            else if (bounce >= rc.bounce_defer || complaint >= rc.complaint_defer) status = "defer";
            else if (bounce >= rc.bounce_warn || complaint >= rc.complaint_warn) status = "warn";
            w.begin_object().field("account", aname).field("region", rname).field("window_hours", rc.window_ms / 3600000);
            w.field("min_volume", rc.min_volume).field("sends", counts.sends).field("bounces", counts.bounces);
            w.field("complaints", counts.complaints).field("counts", counts_now).field("bounce_rate", bounce);
            w.field("complaint_rate", complaint);
            w.key("levels").begin_object().field("bounce_warn", rc.bounce_warn).field("bounce_defer", rc.bounce_defer);
            w.field("complaint_warn", rc.complaint_warn).field("complaint_defer", rc.complaint_defer).end_object();
            w.key("ses").begin_object().field("bounce_review", kSesBounceReview).field("bounce_pause", kSesBouncePause);
            w.field("complaint_review", kSesComplaintReview).field("complaint_pause", kSesComplaintPause).end_object();
            w.field("status", status).field("paused", paused.has_value());
            w.key("days").begin_array();
            for (const auto &d : reputation_days(c, aname, rname, from, to)) {
                w.begin_object().field("date", d.date).field("sends", d.counts.sends).field("bounces", d.counts.bounces);
                w.field("complaints", d.counts.complaints).end_object();
            }
            w.end_array().end_object();
        }
    }
    w.end_array();

    // --- events ----------------------------------------------------------------------
    int64_t ev_total = 0, ev_perm = 0, ev_trans = 0, ev_compl = 0, ev_deliv = 0, ev_suppressed = 0;
    {
        Use s(c.stmt("SELECT kind, bounce_type, count(*), sum(effect = 'suppressed') FROM event "
                     "WHERE event_at >= ?1 AND event_at < ?2 GROUP BY kind, bounce_type"));
        s->bind(1, from).bind(2, to);
        while (s->step()) {
            int64_t n = s->int64(2);
            ev_total += n;
            std::string_view kind = s->text(0);
            if (kind == "bounce") (s->text(1) == "Permanent" ? ev_perm : ev_trans) += n;
            else if (kind == "complaint") ev_compl += n;
            else if (kind == "delivery") ev_deliv += n;
        }
    }
    {
        Use s(c.stmt("SELECT count(*) FROM suppression WHERE event_ref IS NOT NULL AND created_at >= ?1 AND created_at < ?2"));
        s->bind(1, from).bind(2, to);
        if (s->step()) ev_suppressed = s->int64(0);
    }
    w.key("events").begin_object().field("ingested", ev_total).field("bounces_permanent", ev_perm);
    w.field("bounces_transient", ev_trans).field("complaints", ev_compl).field("deliveries", ev_deliv);
    w.field("suppressed", ev_suppressed).end_object();

    // --- consent coverage ----------------------------------------------------------------
    int64_t mk_total = 0, mk_double = 0;
    w.key("consent_coverage").begin_array();
    for (const auto &[list, cov] : coverage) {
        mk_total += cov.recipients;
        mk_double += cov.double_opt_in;
        w.begin_object().field("list", list).field("marketing_recipients", cov.recipients);
        w.field("double_opt_in", cov.double_opt_in);
        w.field("share", cov.recipients > 0 ? static_cast<double>(cov.double_opt_in) / static_cast<double>(cov.recipients) : 0.0);
        w.field("with_evidence", cov.evidence).end_object();
    }
    w.end_array();

    // --- authentication ----------------------------------------------------------------------
    w.key("authentication").begin_array();
    {
        std::map<std::string, AuthStatus> stored;
        for (auto &a : auth_status_list(c)) stored[a.domain] = a;
        std::set<std::string> regions;
        for (const auto &[aname, acct] : config_.accounts) {
            for (const auto &[rname, lim] : acct.regions) {
                (void)lim;
                regions.insert(rname);
            }
        }
        for (const auto &[name, id] : config_.identities) {
            auto st = stored.find(id.domain);
            for (const auto &region : regions) {
                bool verified = std::find(id.regions.begin(), id.regions.end(), region) != id.regions.end();
                std::vector<std::string> problems;
                if (!verified) problems.emplace_back("auth.identity_unverified");
                w.begin_object().field("identity", name).field("region", region).field("verified", verified);
                if (st == stored.end()) {
                    problems.emplace_back("auth.status_missing");
                    w.key("checked_at").null().field("spf", "unknown").field("dkim", "unknown").key("dkim_bits").null();
                    w.field("dmarc", "unknown").key("dmarc_policy").null().field("aligned", false);
                } else {
                    const AuthStatus &a = st->second;
                    if (a.spf != "pass") problems.emplace_back("auth.spf_fail");
                    if (a.dkim == "missing") problems.emplace_back("auth.dkim_missing");
                    if (a.dkim == "revoked") problems.emplace_back("auth.dkim_revoked");
                    if (a.dkim == "short" || a.dkim == "weak") problems.emplace_back("auth.dkim_weak_key");
                    if (a.dmarc != "present") problems.emplace_back("auth.dmarc_missing");
                    bool aligned = a.dkim == "ok" || (a.spf == "pass" && !a.mail_from.empty() &&
                                                      (a.mail_from == a.org_domain ||
                                                       (a.mail_from.size() > a.org_domain.size() &&
                                                        a.mail_from.ends_with("." + a.org_domain))));
                    w.key("checked_at").timestamp(a.checked_at).field("spf", a.spf).field("dkim", a.dkim);
                    w.key("dkim_bits");
                    if (a.dkim_bits) w.value(*a.dkim_bits);
                    else w.null();
                    w.field("dmarc", a.dmarc).key("dmarc_policy");
                    if (a.dmarc_policy.empty()) w.null();
                    else w.value(a.dmarc_policy);
                    w.field("aligned", aligned);
                }
                bool fail_now = std::any_of(problems.begin(), problems.end(), [](const std::string &p) {
                    return p != "auth.status_missing";
                });
                w.field("status", problems.empty() ? "ok" : (fail_now ? "fail" : "unknown"));
                w.key("problems").begin_array();
                for (const auto &p : problems) w.value(p);
                w.end_array().end_object();
            }
        }
    }
    w.end_array();

    // --- plugins --------------------------------------------------------------------------------
    w.key("plugins").begin_array();
    for (const auto &p : plugins_) {
        w.begin_object().field("name", p->name()).field("version", p->version()).key("findings").begin_array();
        for (const auto &[code, n] : ranked) {
            if (code.rfind(p->prefix() + ".", 0) != 0) continue;
            w.begin_object().field("code", code).field("severity", severity_of(code)).field("recipients", n.first);
            w.field("messages", n.second).end_object();
        }
        w.end_array().key("lint").begin_array().end_array().end_object();
    }
    w.end_array();

    // --- audit ------------------------------------------------------------------------------------
    auto av = audit_verify(c, audit_key_);
    w.key("audit").begin_object().field("records", av.records).field("verified", av.ok);
    w.key("first_bad");
    if (av.ok) w.null();
    else w.value(av.first_bad);
    w.key("problem");
    if (av.ok) w.null();
    else w.value(av.problem);
    w.field("key", audit_key_.source).field("head", av.head).end_object();

    // --- the SES request evidence ------------------------------------------------------------------
    int64_t days = std::max<int64_t>(1, (to - first_day + kDayMs - 1) / kDayMs);
    int64_t average = recent_sent / days;
    // Headroom of 2x over the busiest day, rounded up to a round figure, and
    // a rate that sends that day's volume in about 8 hours.
    auto round_up = [](int64_t v) {
        int64_t step = v < 10000 ? 1000 : v < 100000 ? 10000 : 100000;
        return std::max<int64_t>(step, (v + step - 1) / step * step);
    };
    int64_t want_24h = round_up(peak_day * 2);
    int64_t want_rate = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(static_cast<double>(want_24h) / (8 * 3600.0))));
    char pct[32];
    std::snprintf(pct, sizeof pct, "%.0f%%", mk_total > 0 ? 100.0 * static_cast<double>(mk_double) / static_cast<double>(mk_total) : 0.0);
    w.key("ses_request").begin_object();
    w.field("list_building",
            std::string("Recipients join by opting in; presend blocks marketing mail to anyone without a consent record for the "
                        "list. ") +
                (mk_total > 0 ? std::string(pct) + " of the " + grouped(mk_total) +
                                    " marketing recipients in the period had confirmed double opt-in; every consent "
                                    "record keeps when, how and from where consent was given."
                              : std::string("No marketing mail was sent in the period.")));
    w.field("bounces_and_complaints",
            "Bounce and complaint notifications from SES are ingested as they arrive; permanent bounces and complaints "
            "add the address to the suppression list at once (" + grouped(ev_suppressed) +
                " in the period), and presend blocks suppressed addresses before every send. Over the last " +
                std::to_string(rc.window_ms / 3600000) + " hours (" + grouped(window_sends) +
                " sends), the worst bounce rate of a region with at least " + grouped(rc.min_volume) + " sends was " +
                format_percent(worst_bounce) + " and the worst complaint rate " + format_percent(worst_complaint) +
                "; presend defers marketing mail from " + format_percent(rc.bounce_defer) + " bounces or " +
                format_percent(rc.complaint_defer) + " complaints, below SES's review thresholds.");
    w.field("opt_out",
            "Every marketing message must carry List-Unsubscribe with an https URI and one-click List-Unsubscribe-Post "
            "(RFC 8058), or presend blocks it; unsubscribes withdraw consent and are honoured before the next send.");
    w.field("content", "Marketing and transactional mail are sent as separate streams; only transactional mail is exempt "
                       "from the consent and unsubscribe rules.");
    w.key("requested").begin_object().field("max_24h", want_24h).field("max_rate", want_rate);
    w.field("basis", "The busiest day in the period sent " + grouped(peak_day) + " recipients (average " + grouped(average) +
                         " a day); the request doubles that, rounded up, and a rate that sends it in about 8 hours.");
    w.end_object();
    w.key("recent").begin_object().field("days", days).field("sent", recent_sent).field("peak_24h", peak_day);
    w.field("average_24h", average).end_object();
    w.end_object();

    w.end_object();
    tx.commit();
    return out;
}

}  // namespace presend
