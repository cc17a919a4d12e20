#include "report/model.hpp"

#include <cjson/cJSON.h>

#include <cmath>
#include <string_view>

#include "json.hpp"
#include "report/format.hpp"

namespace presend::report {

namespace {

// SES's published review and pause levels (bounces 5% / 10%, complaints
// 0.1% / 0.5%), used when a model does not state them.
constexpr double kSesBounceReview = 0.05;
constexpr double kSesBouncePause = 0.10;
constexpr double kSesComplaintReview = 0.001;
constexpr double kSesComplaintPause = 0.005;

// Reads members of one object; the first type error wins and later reads
// return absent values, so the calling code needs no checks of its own.
class Reader {
public:
    const std::optional<Error> &error() const { return error_; }

    static std::string at(const std::string &path, size_t i) { return path + "[" + std::to_string(i) + "]"; }
    static std::string member(const std::string &path, std::string_view key) {
        return path.empty() ? std::string(key) : path + "." + std::string(key);
    }

    const cJSON *get(const cJSON *obj, std::string_view key) const {
        if (error_ || obj == nullptr) return nullptr;
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, std::string(key).c_str());
        return json_is_null(v) ? nullptr : v;
    }

    // Counts and rates: a finite number, not negative.
    Number number(const cJSON *obj, std::string_view key, const std::string &path) {
        const cJSON *v = get(obj, key);
        if (v == nullptr) return std::nullopt;
        if (!cJSON_IsNumber(v) || !std::isfinite(v->valuedouble)) {
            fail(member(path, key), "must be a number");
            return std::nullopt;
        }
        if (v->valuedouble < 0) {
            fail(member(path, key), "must not be negative");
            return std::nullopt;
        }
        return v->valuedouble;
    }

    Text text(const cJSON *obj, std::string_view key, const std::string &path) {
        const cJSON *v = get(obj, key);
        if (v == nullptr) return std::nullopt;
        if (!json_is_string(v) || v->valuestring == nullptr) {
            fail(member(path, key), "must be a string");
            return std::nullopt;
        }
        return std::string(v->valuestring);
    }

    // A string or a number shown as text (a record number, say).
    Text label(const cJSON *obj, std::string_view key, const std::string &path) {
        const cJSON *v = get(obj, key);
        if (v != nullptr && cJSON_IsNumber(v) && std::isfinite(v->valuedouble)) return number_text(v->valuedouble);
        return text(obj, key, path);
    }

    Flag flag(const cJSON *obj, std::string_view key, const std::string &path) {
        const cJSON *v = get(obj, key);
        if (v == nullptr) return std::nullopt;
        if (!cJSON_IsBool(v)) {
            fail(member(path, key), "must be true or false");
            return std::nullopt;
        }
        return cJSON_IsTrue(v) != 0;
    }

    // An object member, or nullptr when absent.
    const cJSON *object(const cJSON *obj, std::string_view key, const std::string &path) {
        const cJSON *v = get(obj, key);
        if (v != nullptr && !json_is_object(v)) {
            fail(member(path, key), "must be an object");
            return nullptr;
        }
        return v;
    }

    // The elements of an array member that are objects (an element of
    // another type is an error).
    template <class F>
    void objects(const cJSON *obj, std::string_view key, const std::string &path, F &&each) {
        const cJSON *v = get(obj, key);
        if (v == nullptr) return;
        std::string p = member(path, key);
        if (!json_is_array(v)) {
            fail(p, "must be an array");
            return;
        }
        size_t i = 0;
        for (const cJSON *e = json_child(v); e != nullptr && !error_; e = json_next(e), ++i) {
            if (!json_is_object(e)) {
                fail(at(p, i), "must be an object");
                return;
            }
            each(e, at(p, i));
        }
    }

    std::vector<std::string> strings(const cJSON *obj, std::string_view key, const std::string &path) {
        std::vector<std::string> out;
        const cJSON *v = get(obj, key);
        if (v == nullptr) return out;
        std::string p = member(path, key);
        if (!json_is_array(v)) {
            fail(p, "must be an array");
            return out;
        }
        size_t i = 0;
        for (const cJSON *e = json_child(v); e != nullptr; e = json_next(e), ++i) {
            if (!json_is_string(e) || e->valuestring == nullptr) {
                fail(at(p, i), "must be a string");
                return {};
            }
            out.emplace_back(e->valuestring);
        }
        return out;
    }

    // Every member of an object, each a count.
    std::vector<Count> counts(const cJSON *obj, std::string_view key, const std::string &path) {
        std::vector<Count> out;
        const cJSON *o = object(obj, key, path);
        std::string p = member(path, key);
        for (const cJSON *e = json_child(o); e != nullptr && !error_; e = json_next(e)) {
            out.push_back({json_key(e), number(o, json_key(e), p)});
        }
        return out;
    }

    void fail(const std::string &path, std::string_view what) {
        if (!error_) error_ = Error{Status::schema, path + " " + std::string(what)};
    }

private:
    std::optional<Error> error_;
};

ReasonCount read_reason(Reader &r, const cJSON *o, const std::string &p) {
    return {r.text(o, "code", p), r.text(o, "severity", p), r.number(o, "recipients", p), r.number(o, "messages", p)};
}

Number or_default(Number v, double fallback) { return v ? v : Number(fallback); }

}  // namespace

Result<Model> read_model(const cJSON *root) {
    if (!json_is_object(root)) return Error{Status::schema, "the report model must be a JSON object"};
    const cJSON *report = cJSON_GetObjectItemCaseSensitive(root, "report");
    if (!json_is_string(report) || std::string_view(report->valuestring) != "presend") {
        return Error{Status::schema, "not a presend report: \"report\" must be \"presend\""};
    }
    const cJSON *schema = cJSON_GetObjectItemCaseSensitive(root, "schema");
    if (schema == nullptr || !cJSON_IsNumber(schema)) {
        return Error{Status::schema, "the report model has no \"schema\" number"};
    }
    if (schema->valuedouble != kSchema) {
        return Error{Status::schema, "report schema " + number_text(schema->valuedouble) +
                                         " is not supported (this presend renders schema " +
                                         std::to_string(kSchema) + ")"};
    }

    Reader r;
    Model m;
    const std::string top;
    m.generated_at = r.text(root, "generated_at", top);
    m.from = r.text(root, "from", top);
    m.to = r.text(root, "to", top);
    m.presend_version = r.text(root, "presend_version", top);
    m.addresses = r.text(root, "addresses", top);

    if (const cJSON *s = r.object(root, "summary", top)) {
        const std::string p = "summary";
        m.summary.messages = r.number(s, "messages", p);
        m.summary.recipients = r.number(s, "recipients", p);
        m.summary.verdicts = r.counts(s, "verdicts", p);
        m.summary.recipient_verdicts = r.counts(s, "recipient_verdicts", p);
        m.summary.released = r.number(s, "released", p);
    }

    r.objects(root, "volume", top, [&](const cJSON *o, const std::string &p) {
        Volume v;
        v.account = r.text(o, "account", p);
        v.region = r.text(o, "region", p);
        v.tier = r.text(o, "tier", p);
        v.max_24h = r.number(o, "max_24h", p);
        v.max_rate = r.number(o, "max_rate", p);
        r.objects(o, "days", p, [&](const cJSON *d, const std::string &dp) {
            v.days.push_back({r.text(d, "date", dp), r.number(d, "sent", dp), r.number(d, "blocked", dp),
                              r.number(d, "deferred", dp)});
        });
        v.peak_24h = r.number(o, "peak_24h", p);
        v.peak_share = r.number(o, "peak_share", p);
        m.volume.push_back(std::move(v));
    });

    r.objects(root, "top_reasons", top,
              [&](const cJSON *o, const std::string &p) { m.top_reasons.push_back(read_reason(r, o, p)); });

    if (const cJSON *n = r.object(root, "not_sent", top)) {
        const std::string p = "not_sent";
        m.not_sent.total = r.number(n, "total", p);
        m.not_sent.shown = r.number(n, "shown", p);
        m.not_sent.truncated = r.flag(n, "truncated", p);
        r.objects(n, "rows", p, [&](const cJSON *o, const std::string &rp) {
            NotSentRow row;
            row.at = r.text(o, "at", rp);
            row.decision = r.text(o, "decision", rp);
            row.message_id = r.text(o, "message_id", rp);
            row.account = r.text(o, "account", rp);
            row.region = r.text(o, "region", rp);
            row.list = r.text(o, "list", rp);
            row.recipient = r.text(o, "recipient", rp);
            row.verdict = r.text(o, "verdict", rp);
            row.reasons = r.strings(o, "reasons", rp);
            m.not_sent.rows.push_back(std::move(row));
        });
    }

    r.objects(root, "reputation", top, [&](const cJSON *o, const std::string &p) {
        Reputation v;
        v.account = r.text(o, "account", p);
        v.region = r.text(o, "region", p);
        v.window_hours = r.number(o, "window_hours", p);
        v.min_volume = r.number(o, "min_volume", p);
        v.sends = r.number(o, "sends", p);
        v.bounces = r.number(o, "bounces", p);
        v.complaints = r.number(o, "complaints", p);
        v.counts = r.flag(o, "counts", p);
        v.bounce_rate = r.number(o, "bounce_rate", p);
        v.complaint_rate = r.number(o, "complaint_rate", p);
        if (const cJSON *l = r.object(o, "levels", p)) {
            std::string lp = Reader::member(p, "levels");
            v.bounce_warn = r.number(l, "bounce_warn", lp);
            v.bounce_defer = r.number(l, "bounce_defer", lp);
            v.complaint_warn = r.number(l, "complaint_warn", lp);
            v.complaint_defer = r.number(l, "complaint_defer", lp);
        }
        const cJSON *ses = r.object(o, "ses", p);
        std::string sp = Reader::member(p, "ses");
        v.bounce_review = or_default(r.number(ses, "bounce_review", sp), kSesBounceReview);
        v.bounce_pause = or_default(r.number(ses, "bounce_pause", sp), kSesBouncePause);
        v.complaint_review = or_default(r.number(ses, "complaint_review", sp), kSesComplaintReview);
        v.complaint_pause = or_default(r.number(ses, "complaint_pause", sp), kSesComplaintPause);
        v.status = r.text(o, "status", p);
        v.paused = r.flag(o, "paused", p);
        r.objects(o, "days", p, [&](const cJSON *d, const std::string &dp) {
            v.days.push_back({r.text(d, "date", dp), r.number(d, "sends", dp), r.number(d, "bounces", dp),
                              r.number(d, "complaints", dp)});
        });
        m.reputation.push_back(std::move(v));
    });

    m.events = r.counts(root, "events", top);

    r.objects(root, "consent_coverage", top, [&](const cJSON *o, const std::string &p) {
        m.consent_coverage.push_back({r.text(o, "list", p), r.number(o, "marketing_recipients", p),
                                      r.number(o, "double_opt_in", p), r.number(o, "share", p),
                                      r.number(o, "with_evidence", p)});
    });

    r.objects(root, "authentication", top, [&](const cJSON *o, const std::string &p) {
        Identity v;
        v.identity = r.text(o, "identity", p);
        v.region = r.text(o, "region", p);
        v.verified = r.flag(o, "verified", p);
        v.checked_at = r.text(o, "checked_at", p);
        v.spf = r.text(o, "spf", p);
        v.dkim = r.text(o, "dkim", p);
        v.dkim_bits = r.number(o, "dkim_bits", p);
        v.dmarc = r.text(o, "dmarc", p);
        v.dmarc_policy = r.text(o, "dmarc_policy", p);
        v.aligned = r.flag(o, "aligned", p);
        v.status = r.text(o, "status", p);
        v.problems = r.strings(o, "problems", p);
        m.authentication.push_back(std::move(v));
    });

    r.objects(root, "plugins", top, [&](const cJSON *o, const std::string &p) {
        Plugin v;
        v.name = r.text(o, "name", p);
        v.version = r.text(o, "version", p);
        r.objects(o, "findings", p,
                  [&](const cJSON *f, const std::string &fp) { v.findings.push_back(read_reason(r, f, fp)); });
        r.objects(o, "lint", p, [&](const cJSON *l, const std::string &lp) {
            v.lint.push_back({r.text(l, "code", lp), r.text(l, "severity", lp), r.text(l, "policy", lp),
                              r.text(l, "statement", lp), r.text(l, "message", lp)});
        });
        m.plugins.push_back(std::move(v));
    });

    if (const cJSON *a = r.object(root, "audit", top)) {
        const std::string p = "audit";
        m.audit = Audit{r.number(a, "records", p), r.flag(a, "verified", p), r.label(a, "first_bad", p),
                        r.text(a, "problem", p), r.text(a, "key", p)};
    }

    if (const cJSON *s = r.object(root, "ses_request", top)) {
        const std::string p = "ses_request";
        static constexpr std::string_view kKnown[] = {"list_building", "bounces_and_complaints", "opt_out",
                                                      "content"};
        for (std::string_view k : kKnown) {
            if (Text t = r.text(s, k, p)) m.ses_request.answers.emplace_back(std::string(k), std::move(*t));
        }
        for (const cJSON *e = json_child(s); e != nullptr; e = json_next(e)) {
            std::string_view k = json_key(e);
            bool known = false;
            for (std::string_view kk : kKnown) known = known || kk == k;
            if (!known && json_is_string(e)) m.ses_request.answers.emplace_back(std::string(k), e->valuestring);
        }
        if (const cJSON *q = r.object(s, "requested", p)) {
            std::string qp = Reader::member(p, "requested");
            m.ses_request.requested =
                Requested{r.number(q, "max_24h", qp), r.number(q, "max_rate", qp), r.text(q, "basis", qp)};
        }
        if (const cJSON *q = r.object(s, "recent", p)) {
            std::string qp = Reader::member(p, "recent");
            m.ses_request.recent = Recent{r.number(q, "days", qp), r.number(q, "sent", qp),
                                          r.number(q, "peak_24h", qp), r.number(q, "average_24h", qp)};
        }
    }

    if (r.error()) return *r.error();
    return m;
}

}  // namespace presend::report
