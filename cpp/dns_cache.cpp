#include "dns_cache.hpp"

#include <cjson/cJSON.h>

#include <algorithm>

#include "json.hpp"

namespace presend {

namespace {

constexpr const char *kGet = "SELECT status, answer, expires_at FROM dns_cache WHERE name = ?1 AND type = ?2";
constexpr const char *kPut =
    "INSERT OR REPLACE INTO dns_cache(name, type, status, answer, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)";

std::string encode(const DnsAnswer &a) {
    std::string out;
    JsonWriter w(out);
    w.begin_object();
    w.key("records").begin_array();
    for (const auto &r : a.records) w.value(r);
    w.end_array();
    w.key("mx").begin_array();
    for (const auto &m : a.mx) w.begin_array().value(static_cast<int64_t>(m.preference)).value(m.exchange).end_array();
    w.end_array();
    w.key("cnames").begin_array();
    for (const auto &c : a.cnames) w.value(c);
    w.end_array();
    w.end_object();
    return out;
}

std::optional<DnsAnswer> decode(std::string_view status, std::string_view json) {
    DnsAnswer a;
    if (status == "ok") a.status = DnsStatus::ok;
    else if (status == "nxdomain") a.status = DnsStatus::nxdomain;
    else if (status == "nodata") a.status = DnsStatus::nodata;
    else return std::nullopt;
    auto doc = json_parse(json, 1 << 20);
    if (!doc || !json_is_object(doc->get())) return std::nullopt;
    const cJSON *root = doc->get();
    for (const cJSON *r = json_child(cJSON_GetObjectItemCaseSensitive(root, "records")); r != nullptr; r = json_next(r)) {
        if (json_is_string(r)) a.records.emplace_back(r->valuestring);
    }
    for (const cJSON *m = json_child(cJSON_GetObjectItemCaseSensitive(root, "mx")); m != nullptr; m = json_next(m)) {
        const cJSON *pref = json_child(m);
        const cJSON *ex = json_next(pref);
        if (pref != nullptr && cJSON_IsNumber(pref) && json_is_string(ex)) {
            a.mx.push_back(MxRecord{static_cast<uint16_t>(pref->valuedouble), ex->valuestring});
        }
    }
    for (const cJSON *c = json_child(cJSON_GetObjectItemCaseSensitive(root, "cnames")); c != nullptr; c = json_next(c)) {
        if (json_is_string(c)) a.cnames.emplace_back(c->valuestring);
    }
    return a;
}

}  // namespace

DnsAnswer CachingResolver::query(std::string_view name_in, RRType type) {
    std::string name = dns_name(name_in);
    {
        Use s(conn_.stmt(kGet));
        s->bind(1, name).bind(2, static_cast<int64_t>(type));
        if (s->step() && s->int64(2) > now_ms_) {
            if (auto a = decode(s->text(0), s->text(1))) {
                a->ttl = static_cast<uint32_t>((s->int64(2) - now_ms_ + 999) / 1000);
                ++hits_;
                return *a;
            }
        }
    }
    ++misses_;
    DnsAnswer a = inner_.query(name, type);
    if (a.failed()) return a;
    uint32_t ttl = std::min(a.ttl, kMaxTtl);
    if (ttl == 0) return a;
    Use s(conn_.stmt(kPut));
    s->bind(1, name).bind(2, static_cast<int64_t>(type)).bind(3, dns_status_name(a.status)).bind(4, encode(a));
    s->bind(5, now_ms_ + int64_t{ttl} * 1000);
    s->run();
    return a;
}

}  // namespace presend
