#include <cjson/cJSON.h>

#include <fstream>
#include <iterator>

#include "dns.hpp"
#include "json.hpp"
#include "text.hpp"

namespace presend {

std::string_view rrtype_name(RRType t) noexcept {
    switch (t) {
        case RRType::A: return "A";
        case RRType::CNAME: return "CNAME";
        case RRType::PTR: return "PTR";
        case RRType::MX: return "MX";
        case RRType::TXT: return "TXT";
        case RRType::AAAA: return "AAAA";
    }
    return "?";
}

std::string_view dns_status_name(DnsStatus s) noexcept {
    switch (s) {
        case DnsStatus::ok: return "ok";
        case DnsStatus::nxdomain: return "nxdomain";
        case DnsStatus::nodata: return "nodata";
        case DnsStatus::timeout: return "timeout";
        case DnsStatus::servfail: return "servfail";
    }
    return "?";
}

std::string dns_name(std::string_view name) {
    std::string out = ascii_lower(name);
    if (!out.empty() && out.back() == '.') out.pop_back();
    return out;
}

namespace {

constexpr Status kZ = Status::parse;

bool type_from(std::string_view s, RRType &t) {
    if (s == "A") t = RRType::A;
    else if (s == "AAAA") t = RRType::AAAA;
    else if (s == "MX") t = RRType::MX;
    else if (s == "TXT") t = RRType::TXT;
    else if (s == "PTR") t = RRType::PTR;
    else if (s == "CNAME") t = RRType::CNAME;
    else return false;
    return true;
}

Error zerr(std::string msg) { return Error{kZ, "DNS fixture: " + std::move(msg)}; }

}  // namespace

Result<std::unique_ptr<FixtureResolver>> FixtureResolver::from_json(std::string_view json) {
    auto doc = json_parse(json, 64u * 1024 * 1024);
    if (!doc) {
        Error e = std::move(doc).error();
        e.message = "DNS fixture: " + e.message;
        return e;
    }
    const cJSON *root = doc->get();
    if (!json_is_object(root)) return zerr("must be a JSON object of names");
    auto r = std::make_unique<FixtureResolver>();
    for (const cJSON *n = json_child(root); n != nullptr; n = json_next(n)) {
        std::string name = dns_name(json_key(n));
        if (!json_is_array(n)) return zerr("\"" + name + "\" must map to a list of records");
        Entry &e = r->zone_[name];
        size_t i = 0;
        for (const cJSON *rec = json_child(n); rec != nullptr; rec = json_next(rec), ++i) {
            std::string where = "\"" + name + "\"[" + std::to_string(i) + "]";
            if (json_is_string(rec)) {
                std::string_view s = rec->valuestring;
                if (s == "TIMEOUT") e.all_failure = DnsStatus::timeout;
                else if (s == "SERVFAIL") e.all_failure = DnsStatus::servfail;
                else return zerr(where + ": a bare string must be \"TIMEOUT\" or \"SERVFAIL\"");
                continue;
            }
            if (!json_is_object(rec) || json_child(rec) == nullptr || json_next(json_child(rec)) != nullptr) {
                return zerr(where + " must be an object with one key, the record type");
            }
            const cJSON *v = json_child(rec);
            RRType t{};
            if (!type_from(json_key(v), t)) {
                return zerr(where + ": unknown record type \"" + std::string(json_key(v)) + "\"");
            }
            if (json_is_string(v) && std::string_view(v->valuestring) == "TIMEOUT") {
                e.failures[t] = DnsStatus::timeout;
                continue;
            }
            std::string value;
            if (t == RRType::MX) {
                if (!json_is_array(v) || json_array_size(v) != 2 || !cJSON_IsNumber(json_child(v)) ||
                    !json_is_string(json_next(json_child(v)))) {
                    return zerr(where + ": MX must be [preference, exchange]");
                }
                double pref = json_child(v)->valuedouble;
                if (pref < 0 || pref > 65535) return zerr(where + ": MX preference out of range");
                value = std::to_string(static_cast<int>(pref)) + " " + dns_name(json_next(json_child(v))->valuestring);
            } else if (t == RRType::TXT && json_is_array(v)) {
                for (const cJSON *part = json_child(v); part != nullptr; part = json_next(part)) {
                    if (!json_is_string(part)) return zerr(where + ": TXT parts must be strings");
                    value += part->valuestring;
                }
            } else if (json_is_string(v)) {
                value = v->valuestring;
                if (t == RRType::PTR || t == RRType::CNAME) value = dns_name(value);
            } else {
                return zerr(where + ": the value must be a string");
            }
            e.records[t].push_back(std::move(value));
        }
    }
    return r;
}

Result<std::unique_ptr<FixtureResolver>> FixtureResolver::from_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{Status::io, "cannot read DNS fixture \"" + path + "\""};
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return from_json(data);
}

DnsAnswer FixtureResolver::query(std::string_view name, RRType type) {
    ++queries_;
    return lookup(dns_name(name), type, 0);
}

DnsAnswer FixtureResolver::lookup(const std::string &name, RRType type, int depth) {
    DnsAnswer a;
    a.ttl = kTtl;
    auto it = zone_.find(name);
    if (it == zone_.end()) {
        a.status = DnsStatus::nxdomain;
        return a;
    }
    const Entry &e = it->second;
    if (auto f = e.failures.find(type); f != e.failures.end()) {
        a.status = f->second;
        a.detail = std::string(rrtype_name(type)) + " query for " + name + " timed out (fixture)";
        return a;
    }
    auto recs = e.records.find(type);
    if (recs != e.records.end() && !recs->second.empty()) {
        a.status = DnsStatus::ok;
        if (type == RRType::MX) {
            for (const auto &v : recs->second) {
                auto sp = v.find(' ');
                a.mx.push_back(MxRecord{static_cast<uint16_t>(std::stoi(v.substr(0, sp))), v.substr(sp + 1)});
            }
        } else {
            a.records = recs->second;
        }
        return a;
    }
    // Follow a CNAME for other types, as a recursive resolver would.
    auto cname = e.records.find(RRType::CNAME);
    if (type != RRType::CNAME && cname != e.records.end() && !cname->second.empty()) {
        if (depth >= 8) {
            a.status = DnsStatus::servfail;
            a.detail = "CNAME chain longer than 8 at " + name;
            return a;
        }
        DnsAnswer next = lookup(cname->second.front(), type, depth + 1);
        next.cnames.insert(next.cnames.begin(), cname->second.front());
        return next;
    }
    if (e.all_failure != DnsStatus::ok) {
        a.status = e.all_failure;
        a.detail = std::string(rrtype_name(type)) + " query for " + name + ": " +
                   std::string(dns_status_name(e.all_failure)) + " (fixture)";
        return a;
    }
    a.status = DnsStatus::nodata;
    return a;
}

}  // namespace presend
