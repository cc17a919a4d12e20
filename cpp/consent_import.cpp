#include "consent_import.hpp"

#include <cjson/cJSON.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "json.hpp"
#include "sqlite.hpp"
#include "text.hpp"

namespace presend {

namespace {

constexpr size_t kMaxFieldBytes = 4096;

Error perr(std::string msg) { return Error{Status::parse, std::move(msg)}; }

Result<std::optional<int64_t>> opt_time(std::string_view key, std::string_view v) {
    if (v.empty()) return std::optional<int64_t>();
    auto t = parse_timestamp(v);
    if (!t) return perr(std::string(key) + ": " + t.error().message);
    return std::optional<int64_t>(*t);
}

}  // namespace

Result<ConsentRecord> consent_from_fields(const std::vector<std::pair<std::string_view, std::string_view>> &fields,
                                          const NormalizeOptions &norm, int64_t now) {
    ConsentRecord r;
    r.consented_at = now;
    r.updated_at = now;
    bool has_address = false, has_list = false, has_consented = false;
    for (const auto &[key, raw] : fields) {
        std::string_view v = trim(raw);
        if (v.size() > kMaxFieldBytes) return perr(std::string(key) + " is longer than 4096 bytes");
        if (key == "address") {
            if (v.empty()) continue;
            auto n = normalize_address(v, norm);
            if (!n) return perr("address \"" + std::string(v) + "\": " + n.error().message);
            r.address = std::move(*n);
            has_address = true;
        } else if (key == "list") {
            if (v.empty()) continue;
            r.list = std::string(v);
            has_list = true;
        } else if (key == "status") {
            if (v.empty()) continue;
            if (v == "subscribed") r.status = ConsentStatus::subscribed;
            else if (v == "unconfirmed") r.status = ConsentStatus::unconfirmed;
            else if (v == "unsubscribed") r.status = ConsentStatus::unsubscribed;
            else return perr("status must be subscribed, unconfirmed or unsubscribed, not \"" + std::string(v) + "\"");
        } else if (key == "method") {
            if (v.empty()) continue;
            if (v == "single") r.method = ConsentMethod::single;
            else if (v == "double") r.method = ConsentMethod::double_opt_in;
            else if (v == "import") r.method = ConsentMethod::import;
            else if (v == "api") r.method = ConsentMethod::api;
            else return perr("method must be single, double, import or api, not \"" + std::string(v) + "\"");
        } else if (key == "consented_at") {
            auto t = opt_time(key, v);
            if (!t) return std::move(t).error();
            if (*t) {
                r.consented_at = **t;
                has_consented = true;
            }
        } else if (key == "confirmed_at") {
            auto t = opt_time(key, v);
            if (!t) return std::move(t).error();
            r.confirmed_at = *t;
        } else if (key == "expires_at") {
            auto t = opt_time(key, v);
            if (!t) return std::move(t).error();
            r.expires_at = *t;
        } else if (key == "withdrawn_at") {
            auto t = opt_time(key, v);
            if (!t) return std::move(t).error();
            r.withdrawn_at = *t;
        } else if (key == "source") {
            r.source = std::string(v);
        } else if (key == "ip") {
            r.ip = std::string(v);
        } else if (key == "country") {
            if (!v.empty() && (v.size() != 2 || !std::all_of(v.begin(), v.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); }))) {
                return perr("country must be an ISO 3166-1 alpha-2 code such as \"DE\", not \"" + std::string(v) + "\"");
            }
            r.country = std::string(v);
            for (auto &ch : r.country) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        } else if (key == "jurisdiction") {
            r.jurisdiction = std::string(v);
        } else {
            return perr("unknown field \"" + std::string(key) + "\"");
        }
    }
    if (!has_address) return perr("address is required");
    if (!has_list) return perr("list is required (\"*\" means every list)");
    if (r.status == ConsentStatus::unsubscribed && !r.withdrawn_at) r.withdrawn_at = now;
    if (r.confirmed_at && *r.confirmed_at < r.consented_at && has_consented) {
        return perr("confirmed_at is earlier than consented_at");
    }
    return r;
}

Result<ConsentRecord> consent_from_json(const cJSON *object, const NormalizeOptions &norm, int64_t now) {
    if (!json_is_object(object)) return perr("a consent record must be a JSON object");
    std::vector<std::pair<std::string_view, std::string_view>> fields;
    for (const cJSON *m = json_child(object); m != nullptr; m = json_next(m)) {
        std::string_view k = json_key(m);
        if (json_is_null(m)) continue;
        if (!json_is_string(m)) return perr(std::string(k) + " must be a string");
        fields.emplace_back(k, m->valuestring);
    }
    return consent_from_fields(fields, norm, now);
}

std::string suppression_key(std::string_view target, const NormalizeOptions &norm) {
    target = trim(target);
    if (!target.empty() && target.front() == '@') {
        auto d = normalize_domain(target.substr(1));
        if (!d) fail(Status::parse, "invalid domain \"" + std::string(target) + "\": " + d.error().message);
        return "@" + *d;
    }
    auto n = normalize_address(target, norm);
    if (!n) fail(Status::parse, "invalid address \"" + std::string(target) + "\": " + n.error().message);
    return std::move(*n);
}

Result<SuppressionRecord> suppression_from_json(const cJSON *object, const NormalizeOptions &norm, int64_t now) {
    if (!json_is_object(object)) return perr("a suppression must be a JSON object");
    SuppressionRecord r;
    r.created_at = now;
    bool has_address = false, has_reason = false;
    for (const cJSON *m = json_child(object); m != nullptr; m = json_next(m)) {
        std::string_view k = json_key(m);
        if (json_is_null(m)) continue;
        if (!json_is_string(m)) return perr(std::string(k) + " must be a string");
        std::string_view v = trim(std::string_view(m->valuestring));
        if (k == "address") {
            try {
                r.address = suppression_key(v, norm);
            } catch (const Failure &f) {
                return f.error;
            }
            has_address = true;
        } else if (k == "reason") {
            has_reason = true;
            if (v == "bounce") r.reason = SuppressionReason::bounce;
            else if (v == "complaint") r.reason = SuppressionReason::complaint;
            else if (v == "manual") r.reason = SuppressionReason::manual;
            else if (v == "unsubscribe") r.reason = SuppressionReason::unsubscribe;
            else return perr("reason must be bounce, complaint, manual or unsubscribe, not \"" + std::string(v) + "\"");
        } else if (k == "list") {
            r.list = std::string(v);
        } else if (k == "expires_at") {
            auto t = opt_time(k, v);
            if (!t) return std::move(t).error();
            r.expires_at = *t;
        } else if (k == "note") {
            if (v.size() > kMaxFieldBytes) return perr("note is longer than 4096 bytes");
            r.note = std::string(v);
        } else {
            return perr("unknown field \"" + std::string(k) + "\"");
        }
    }
    if (!has_address) return perr("address is required (an address, or \"@domain\")");
    if (!has_reason) r.reason = SuppressionReason::manual;
    return r;
}

namespace {

struct Report {
    int64_t imported = 0;
    int64_t rejected = 0;
    std::string errors;  // JSON array body
    JsonWriter *w = nullptr;

    void error(size_t line, Status status, std::string_view message) {
        ++rejected;
        if (static_cast<size_t>(rejected) > kMaxImportErrorsListed) return;
        w->begin_object();
        w->field("line", line);
        w->field("status", static_cast<int64_t>(status));
        w->field("message", message);
        w->end_object();
    }
};

ImportFormat detect(std::string_view data, std::string_view name) {
    auto ends_with = [&](std::string_view suffix) {
        return name.size() >= suffix.size() && ascii_iequals(name.substr(name.size() - suffix.size()), suffix);
    };
    if (ends_with(".csv")) return ImportFormat::csv;
    if (ends_with(".jsonl") || ends_with(".ndjson") || ends_with(".json")) return ImportFormat::jsonl;
    std::string_view t = trim(data);
    if (t.size() >= 3 && static_cast<unsigned char>(t[0]) == 0xEF) t = trim(t.substr(3));  // UTF-8 BOM
    return !t.empty() && t.front() == '{' ? ImportFormat::jsonl : ImportFormat::csv;
}

void import_csv(Conn &c, std::string_view data, const NormalizeOptions &norm, int64_t now, Report &rep) {
    static constexpr std::string_view kColumns[] = {"address", "list", "status", "method", "consented_at",
                                                    "confirmed_at", "withdrawn_at", "source", "ip", "country",
                                                    "jurisdiction", "expires_at"};
    CsvReader reader(data);
    std::vector<std::string> header, row;
    Error err;
    if (!reader.next(header, err)) {
        if (!err.message.empty()) fail(Status::parse, "CSV header: " + err.message);
        return;  // empty input: nothing to import
    }
    if (!err.message.empty()) fail(Status::parse, "CSV header: " + err.message);
    for (auto &h : header) {
        h = ascii_lower(trim(h));
        if (std::find(std::begin(kColumns), std::end(kColumns), h) == std::end(kColumns)) {
            fail(Status::parse, "unknown column \"" + h + "\" in the CSV header (columns: address, list, status, "
                                "method, consented_at, confirmed_at, source, ip, country, jurisdiction, expires_at)");
        }
        if (std::count(header.begin(), header.end(), h) > 1) fail(Status::parse, "column \"" + h + "\" appears twice");
    }
    if (std::find(header.begin(), header.end(), "address") == header.end()) {
        fail(Status::parse, "the CSV header has no \"address\" column");
    }
    std::vector<std::pair<std::string_view, std::string_view>> fields;
    for (;;) {
        err = Error{};
        if (!reader.next(row, err)) break;
        if (!err.message.empty()) {
            rep.error(reader.line(), Status::parse, err.message);
            continue;
        }
        if (row.size() != header.size()) {
            rep.error(reader.line(), Status::parse,
                      "expected " + std::to_string(header.size()) + " fields, found " + std::to_string(row.size()));
            continue;
        }
        fields.clear();
        for (size_t i = 0; i < row.size(); ++i) fields.emplace_back(header[i], row[i]);
        auto rec = consent_from_fields(fields, norm, now);
        if (!rec) {
            rep.error(reader.line(), rec.error().status, rec.error().message);
            continue;
        }
        consent_put(c, *rec);
        ++rep.imported;
    }
}

void import_jsonl(Conn &c, std::string_view data, const NormalizeOptions &norm, int64_t now, Report &rep) {
    size_t line = 0, pos = 0;
    while (pos < data.size()) {
        size_t end = data.find('\n', pos);
        if (end == std::string_view::npos) end = data.size();
        std::string_view text = trim(data.substr(pos, end - pos));
        pos = end + 1;
        ++line;
        if (line == 1 && text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text = trim(text.substr(3));
        if (text.empty()) continue;
        auto doc = json_parse(text, 1024 * 1024);
        if (!doc) {
            rep.error(line, doc.error().status, doc.error().message);
            continue;
        }
        auto rec = consent_from_json(doc->get(), norm, now);
        if (!rec) {
            rep.error(line, rec.error().status, rec.error().message);
            continue;
        }
        consent_put(c, *rec);
        ++rep.imported;
    }
}

}  // namespace

std::string import_consent(Conn &c, std::string_view data, ImportFormat format, std::string_view name_hint,
                           const NormalizeOptions &norm, int64_t now, const ImportCommitHook &before_commit) {
    if (format == ImportFormat::automatic) format = detect(data, name_hint);
    Report rep;
    std::string errors;
    JsonWriter ew(errors);
    ew.begin_array();
    rep.w = &ew;
    {
        // One transaction: a crash leaves either all good rows or none.
        Transaction tx(c.db(), Transaction::Kind::immediate);
        if (format == ImportFormat::csv) import_csv(c, data, norm, now, rep);
        else import_jsonl(c, data, norm, now, rep);
        if (before_commit) before_commit(c, format == ImportFormat::csv ? "csv" : "jsonl", rep.imported, rep.rejected);
        tx.commit();
    }
    ew.end_array();
    std::string out;
    JsonWriter w(out);
    w.begin_object();
    w.field("format", format == ImportFormat::csv ? "csv" : "jsonl");
    w.field("imported", rep.imported);
    w.field("rejected", rep.rejected);
    w.key("errors").raw(errors);
    w.end_object();
    return out;
}

}  // namespace presend
