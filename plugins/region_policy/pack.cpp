// The policy pack and the plugin's configuration: parsing, validation and
// the merge of a user's pack over the shipped one.
#include <cjson/cJSON.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <sstream>

#include "region_policy.hpp"

namespace presend::region {

namespace {

struct JsonDeleter {
    void operator()(cJSON *p) const noexcept { cJSON_Delete(p); }
};
using JsonPtr = std::unique_ptr<cJSON, JsonDeleter>;

Error err(std::string msg) { return Error{std::move(msg)}; }

bool utf8_valid(std::string_view s) noexcept {
    size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        size_t len = 0;
        uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > s.size()) return false;
        for (size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        // Overlong forms, surrogates and code points past U+10FFFF.
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        i += len;
    }
    return true;
}

// Parses JSON text that must be one value and nothing else. cJSON does not
// check UTF-8, and every string of a pack may end up in a finding's message,
// which presend refuses unless it is UTF-8.
Result<JsonPtr> parse_json(std::string_view text, size_t max_bytes, std::string_view what) {
    if (text.size() > max_bytes) {
        return err(std::string(what) + " is " + std::to_string(text.size()) + " bytes; the limit is " +
                   std::to_string(max_bytes));
    }
    if (!utf8_valid(text)) return err(std::string(what) + " is not valid UTF-8");
    const char *end = nullptr;
    JsonPtr doc(cJSON_ParseWithLengthOpts(text.data(), text.size(), &end, false));
    if (!doc) {
        size_t at = end != nullptr && end >= text.data() ? static_cast<size_t>(end - text.data()) : 0;
        return err(std::string(what) + " is not well-formed JSON (near byte " + std::to_string(at) + ")");
    }
    size_t used = static_cast<size_t>(end - text.data());
    for (size_t i = used; i < text.size(); ++i) {
        if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\n') {
            return err(std::string(what) + " has text after the JSON value (byte " + std::to_string(i) + ")");
        }
    }
    return doc;
}

std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (char c : s.substr(0, 64)) out += (static_cast<unsigned char>(c) < 0x20 || c == '"') ? '?' : c;
    if (s.size() > 64) out += "...";
    return out + "\"";
}

// The members of an object, refusing keys given twice and keys not in
// `allowed` (an empty `allowed`: any key, for maps such as jurisdictions).
Result<std::vector<const cJSON *>> members(const cJSON *obj, const std::string &where,
                                           std::initializer_list<std::string_view> allowed) {
    if (!cJSON_IsObject(obj)) return err(where + " must be an object");
    std::vector<const cJSON *> out;
    std::set<std::string_view> seen;
    for (const cJSON *m = obj->child; m != nullptr; m = m->next) {
        std::string_view k = m->string != nullptr ? m->string : "";
        if (allowed.size() != 0 && std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
            return err(where + " has an unknown key " + quoted(k));
        }
        if (!seen.insert(k).second) return err(where + " has the key " + quoted(k) + " twice");
        out.push_back(m);
    }
    return out;
}

Result<std::string> string_of(const cJSON *v, const std::string &where, size_t max_len, bool allow_empty = false) {
    if (!cJSON_IsString(v) || v->valuestring == nullptr) return err(where + " must be a string");
    std::string s = v->valuestring;
    if (!allow_empty && s.empty()) return err(where + " must not be empty");
    if (s.size() > max_len) return err(where + " is longer than " + std::to_string(max_len) + " bytes");
    return s;
}

Result<bool> bool_of(const cJSON *v, const std::string &where) {
    if (!cJSON_IsBool(v)) return err(where + " must be true or false");
    return cJSON_IsTrue(v) != 0;
}

Result<int64_t> int_of(const cJSON *v, const std::string &where, int64_t min, int64_t max) {
    if (!cJSON_IsNumber(v)) return err(where + " must be a number");
    double d = v->valuedouble;
    if (!(d >= static_cast<double>(min) && d <= static_cast<double>(max)) || d != static_cast<double>(static_cast<int64_t>(d))) {
        return err(where + " must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
    }
    return static_cast<int64_t>(d);
}

bool all_of_chars(std::string_view s, bool (*ok)(char)) {
    return !s.empty() && std::all_of(s.begin(), s.end(), ok);
}
bool upper_or_digit(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }
bool region_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }
bool alias_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}
bool header_char(char c) { return c > 0x20 && c < 0x7F && c != ':'; }

bool country_code(std::string_view s) { return s.size() == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'; }

std::string upper(std::string_view s) {
    std::string out(s);
    for (auto &c : out) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return out;
}
std::string lower(std::string_view s) {
    std::string out(s);
    for (auto &c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

// An array of strings, each checked by `check` (which returns an error
// text, or "" when the string is fine).
Result<std::vector<std::string>> string_array(const cJSON *v, const std::string &where, size_t max_items,
                                              const std::function<std::string(const std::string &)> &check) {
    if (!cJSON_IsArray(v)) return err(where + " must be an array of strings");
    std::vector<std::string> out;
    size_t i = 0;
    for (const cJSON *e = v->child; e != nullptr; e = e->next, ++i) {
        if (out.size() == max_items) return err(where + " has more than " + std::to_string(max_items) + " entries");
        std::string at = where + "[" + std::to_string(i) + "]";
        auto s = string_of(e, at, 256);
        if (!s) return s.error();
        if (std::string why = check(*s); !why.empty()) return err(at + " " + why);
        if (std::find(out.begin(), out.end(), *s) != out.end()) return err(at + ": " + quoted(*s) + " is listed twice");
        out.push_back(std::move(*s));
    }
    return out;
}

std::optional<EvidenceField> evidence_from_name(std::string_view s) {
    for (auto f : {EvidenceField::consented_at, EvidenceField::method, EvidenceField::source, EvidenceField::ip,
                   EvidenceField::confirmed_at}) {
        if (s == evidence_name(f)) return f;
    }
    return std::nullopt;
}

constexpr size_t kMaxJurisdictions = 64;
constexpr size_t kMaxCountries = 300;
constexpr size_t kMaxRegions = 500;
constexpr size_t kMaxHolidays = 2000;
constexpr size_t kMaxNote = 4000;

Result<Jurisdiction> parse_jurisdiction(const cJSON *obj, const std::string &id) {
    const std::string where = "jurisdictions." + id;
    auto ms = members(obj, where,
                      {"name", "law", "note", "aliases", "countries", "regime", "bases", "evidence", "double_opt_in",
                       "residency_regions", "unsubscribe", "postal_address", "sender_name", "opt_out_deadline"});
    if (!ms) return ms.error();
    Jurisdiction j;
    j.id = id;
    bool has_regime = false;
    for (const cJSON *m : *ms) {
        std::string_view k = m->string;
        std::string at = where + "." + std::string(k);
        if (k == "name") {
            auto s = string_of(m, at, 100);
            if (!s) return s.error();
            j.name = std::move(*s);
        } else if (k == "law") {
            auto s = string_of(m, at, 200);
            if (!s) return s.error();
            j.law = std::move(*s);
        } else if (k == "note") {
            auto s = string_of(m, at, kMaxNote, true);
            if (!s) return s.error();
        } else if (k == "aliases") {
            auto a = string_array(m, at, 16, [](const std::string &s) {
                return s.size() <= 32 && all_of_chars(s, alias_char) ? "" : "must be letters, digits, '_' or '-' (at most 32)";
            });
            if (!a) return a.error();
            j.aliases = std::move(*a);
        } else if (k == "countries") {
            auto a = string_array(m, at, kMaxCountries, [](const std::string &s) {
                return country_code(s) ? "" : "must be an upper-case ISO 3166-1 alpha-2 code such as \"DE\"";
            });
            if (!a) return a.error();
            j.countries = std::move(*a);
        } else if (k == "regime") {
            auto s = string_of(m, at, 16);
            if (!s) return s.error();
            if (*s == "opt_in") j.regime = Regime::opt_in;
            else if (*s == "opt_out") j.regime = Regime::opt_out;
            else return err(at + " must be \"opt_in\" or \"opt_out\"");
            has_regime = true;
        } else if (k == "bases") {
            auto bs = members(m, at, {});
            if (!bs) return bs.error();
            for (const cJSON *b : *bs) {
                std::string bat = at + "." + b->string;
                auto basis = basis_from_name(b->string);
                if (!basis) {
                    return err(bat + ": unknown basis (express, existing_customer, implied_purchase, implied_inquiry)");
                }
                auto fields = members(b, bat, {"months", "note"});
                if (!fields) return fields.error();
                BasisRule rule;
                rule.accepted = true;
                for (const cJSON *f : *fields) {
                    if (std::string_view(f->string) == "months") {
                        auto n = int_of(f, bat + ".months", 1, 1200);
                        if (!n) return n.error();
                        rule.months = static_cast<int32_t>(*n);
                    } else {
                        auto s = string_of(f, bat + ".note", kMaxNote, true);
                        if (!s) return s.error();
                    }
                }
                j.bases[static_cast<size_t>(*basis)] = rule;
            }
        } else if (k == "evidence") {
            auto a = string_array(m, at, 8, [](const std::string &s) {
                return evidence_from_name(s) ? "" : "must be consented_at, method, source, ip or confirmed_at";
            });
            if (!a) return a.error();
            for (const auto &s : *a) j.evidence.push_back(*evidence_from_name(s));
        } else if (k == "double_opt_in" || k == "unsubscribe" || k == "postal_address" || k == "sender_name") {
            auto b = bool_of(m, at);
            if (!b) return b.error();
            (k == "double_opt_in" ? j.double_opt_in : k == "unsubscribe" ? j.unsubscribe
                                                    : k == "postal_address" ? j.postal_address
                                                                            : j.sender_name) = *b;
        } else if (k == "residency_regions") {
            auto a = string_array(m, at, kMaxRegions, [](const std::string &s) {
                return s.size() <= 32 && all_of_chars(s, region_char) ? "" : "must be an AWS region code such as \"eu-west-1\"";
            });
            if (!a) return a.error();
            j.residency_regions = std::move(*a);
        } else if (k == "opt_out_deadline") {
            if (cJSON_IsNull(m)) continue;
            auto fields = members(m, at, {"business_days", "holidays", "note"});
            if (!fields) return fields.error();
            bool has_days = false;
            for (const cJSON *f : *fields) {
                std::string_view fk = f->string;
                if (fk == "business_days") {
                    auto n = int_of(f, at + ".business_days", 0, 365);
                    if (!n) return n.error();
                    j.opt_out_business_days = static_cast<int32_t>(*n);
                    has_days = true;
                } else if (fk == "holidays") {
                    auto a = string_array(f, at + ".holidays", kMaxHolidays, [](const std::string &s) {
                        return parse_day(s) ? "" : "must be a date YYYY-MM-DD";
                    });
                    if (!a) return a.error();
                    for (const auto &s : *a) j.holidays.push_back(*parse_day(s));
                    std::sort(j.holidays.begin(), j.holidays.end());
                } else {
                    auto s = string_of(f, at + ".note", kMaxNote, true);
                    if (!s) return s.error();
                }
            }
            if (!has_days) return err(at + " needs business_days (or null for no statutory period)");
        }
    }
    if (j.name.empty()) return err(where + " needs a name");
    if (!has_regime) return err(where + " needs a regime (\"opt_in\" or \"opt_out\")");
    if (j.law.empty()) j.law = j.name;
    if (j.regime == Regime::opt_in && std::none_of(j.bases.begin(), j.bases.end(), [](const BasisRule &b) { return b.accepted; })) {
        return err(where + " is opt_in but accepts no consent basis (bases)");
    }
    return j;
}

}  // namespace

Result<Pack> parse_pack(std::string_view json) {
    auto doc = parse_json(json, kMaxPackBytes, "the policy pack");
    if (!doc) return doc.error();
    auto ms = members(doc->get(), "the policy pack", {"format", "version", "note", "aws_regions", "jurisdictions"});
    if (!ms) return ms.error();
    Pack pack;
    bool has_format = false, has_jurisdictions = false;
    for (const cJSON *m : *ms) {
        std::string_view k = m->string;
        if (k == "format") {
            auto n = int_of(m, "format", 1, 1000000);
            if (!n) return n.error();
            if (*n != 1) return err("policy pack format " + std::to_string(*n) + " is not supported (this plugin reads format 1)");
            has_format = true;
        } else if (k == "version") {
            auto s = string_of(m, "version", 64);
            if (!s) return s.error();
            if (std::any_of(s->begin(), s->end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20; })) {
                return err("version must not contain spaces or control characters");
            }
            pack.version = std::move(*s);
        } else if (k == "note") {
            auto s = string_of(m, "note", kMaxNote, true);
            if (!s) return s.error();
        } else if (k == "aws_regions") {
            auto rs = members(m, "aws_regions", {});
            if (!rs) return rs.error();
            if (rs->size() > kMaxRegions) return err("aws_regions has more than " + std::to_string(kMaxRegions) + " entries");
            for (const cJSON *r : *rs) {
                std::string code = r->string;
                std::string at = "aws_regions." + code;
                if (code.size() > 32 || !all_of_chars(code, region_char)) {
                    return err("aws_regions: " + quoted(code) + " is not an AWS region code such as \"eu-west-1\"");
                }
                auto fields = members(r, at, {"name", "country", "note"});
                if (!fields) return fields.error();
                AwsRegion region;
                for (const cJSON *f : *fields) {
                    std::string_view fk = f->string;
                    auto s = string_of(f, at + "." + std::string(fk), fk == "note" ? kMaxNote : 100, fk == "note");
                    if (!s) return s.error();
                    if (fk == "name") region.name = std::move(*s);
                    else if (fk == "country") {
                        if (!country_code(*s)) return err(at + ".country must be an upper-case ISO 3166-1 alpha-2 code");
                        region.country = std::move(*s);
                    }
                }
                pack.aws_regions.emplace(std::move(code), std::move(region));
            }
        } else if (k == "jurisdictions") {
            auto js = members(m, "jurisdictions", {});
            if (!js) return js.error();
            if (js->empty()) return err("jurisdictions must name at least one jurisdiction");
            if (js->size() > kMaxJurisdictions) {
                return err("jurisdictions has more than " + std::to_string(kMaxJurisdictions) + " entries");
            }
            for (const cJSON *jv : *js) {
                std::string id = jv->string;
                if (id.size() > 16 || !all_of_chars(id, upper_or_digit)) {
                    return err("jurisdictions: " + quoted(id) + " is not an id of upper-case letters, digits and '_' (at most 16)");
                }
                auto j = parse_jurisdiction(jv, id);
                if (!j) return j.error();
                pack.jurisdictions.push_back(std::move(*j));
            }
            has_jurisdictions = true;
        }
    }
    if (!has_format) return err("the policy pack needs \"format\": 1");
    if (pack.version.empty()) return err("the policy pack needs a version");
    if (!has_jurisdictions) return err("the policy pack needs jurisdictions");

    // Every name and country leads to one jurisdiction.
    std::map<std::string, std::string> names, countries;
    for (const auto &j : pack.jurisdictions) {
        std::vector<std::string> all{j.id};
        all.insert(all.end(), j.aliases.begin(), j.aliases.end());
        for (const auto &n : all) {
            auto [it, fresh] = names.emplace(upper(n), j.id);
            if (!fresh && it->second != j.id) {
                return err("the name " + quoted(n) + " stands for both " + it->second + " and " + j.id);
            }
        }
        for (const auto &c : j.countries) {
            auto [it, fresh] = countries.emplace(c, j.id);
            if (!fresh) return err("country " + c + " is in both " + it->second + " and " + j.id);
        }
    }
    return pack;
}

const Jurisdiction *Pack::find(std::string_view name) const noexcept {
    auto same = [](std::string_view a, std::string_view b) {
        return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
                   auto up = [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; };
                   return up(x) == up(y);
               });
    };
    for (const auto &j : jurisdictions) {
        if (same(j.id, name)) return &j;
        for (const auto &a : j.aliases) {
            if (same(a, name)) return &j;
        }
    }
    return nullptr;
}

const Jurisdiction *Pack::for_country(std::string_view country) const noexcept {
    if (country.size() != 2) return nullptr;
    char cc[2] = {country[0], country[1]};
    for (auto &c : cc) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    for (const auto &j : jurisdictions) {
        for (const auto &c : j.countries) {
            if (c[0] == cc[0] && c[1] == cc[1]) return &j;
        }
    }
    return nullptr;
}

// ---------------------------------------------------------------------------
// RFC 7396 JSON Merge Patch

namespace {

JsonPtr merge_value(JsonPtr target, const cJSON *patch) {
    if (!cJSON_IsObject(patch)) return JsonPtr(cJSON_Duplicate(patch, true));
    if (!target || !cJSON_IsObject(target.get())) target.reset(cJSON_CreateObject());
    if (!target) return nullptr;
    for (const cJSON *m = patch->child; m != nullptr; m = m->next) {
        const char *key = m->string != nullptr ? m->string : "";
        if (cJSON_IsNull(m)) {
            cJSON_DeleteItemFromObjectCaseSensitive(target.get(), key);
            continue;
        }
        JsonPtr existing(cJSON_DetachItemFromObjectCaseSensitive(target.get(), key));
        JsonPtr merged = merge_value(std::move(existing), m);
        if (!merged) return nullptr;
        if (!cJSON_AddItemToObject(target.get(), key, merged.get())) return nullptr;
        (void)merged.release();  // now owned by target
    }
    return target;
}

}  // namespace

Result<std::string> merge_patch(std::string_view base, std::string_view patch) {
    auto b = parse_json(base, kMaxPackBytes, "the base pack");
    if (!b) return b.error();
    auto p = parse_json(patch, kMaxPackBytes, "the pack override");
    if (!p) return p.error();
    JsonPtr merged = merge_value(std::move(*b), p->get());
    if (!merged) return err("out of memory merging the policy packs");
    char *text = cJSON_PrintUnformatted(merged.get());
    if (text == nullptr) return err("out of memory merging the policy packs");
    std::string out(text);
    cJSON_free(text);
    return out;
}

// ---------------------------------------------------------------------------
// Settings

Basis Settings::basis_of(std::string_view source, std::string_view method) const {
    if (!source.empty()) {
        std::string s = lower(source);
        if (auto it = source_bases.find(s); it != source_bases.end()) return it->second;
        if (auto colon = s.find(':'); colon != std::string::npos) {
            if (auto it = source_bases.find(std::string_view(s).substr(0, colon)); it != source_bases.end()) return it->second;
        }
    }
    if (auto it = method_bases.find(method); it != method_bases.end()) return it->second;
    return default_basis;
}

bool Policy::double_opt_in(const Jurisdiction &j) const noexcept {
    return j.double_opt_in ||
           std::find(settings.double_opt_in.begin(), settings.double_opt_in.end(), j.id) != settings.double_opt_in.end();
}

bool Policy::residency(const Jurisdiction &j) const noexcept {
    return !j.residency_regions.empty() &&
           std::find(settings.residency.begin(), settings.residency.end(), j.id) != settings.residency.end();
}

Result<std::string> read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return err("cannot open " + path + ": " + std::strerror(errno));
    std::string text;
    char buf[65536];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        text.append(buf, static_cast<size_t>(in.gcount()));
        if (text.size() > kMaxPackBytes) return err(path + " is larger than " + std::to_string(kMaxPackBytes) + " bytes");
    }
    if (in.bad()) return err("cannot read " + path);
    return text;
}

namespace {

// A jurisdiction named in the configuration, as the pack's id.
Result<std::string> jurisdiction_id(const Pack &pack, const cJSON *v, const std::string &where) {
    auto s = string_of(v, where, 64);
    if (!s) return s.error();
    const Jurisdiction *j = pack.find(*s);
    if (j == nullptr) {
        std::string known;
        for (const auto &k : pack.jurisdictions) known += (known.empty() ? "" : ", ") + k.id;
        return err(where + ": " + quoted(*s) + " is not a jurisdiction of policy pack " + pack.version + " (" + known + ")");
    }
    return j->id;
}

// true (every jurisdiction `eligible` admits), false, or a list of names.
Result<std::vector<std::string>> jurisdiction_set(const Pack &pack, const cJSON *v, const std::string &where,
                                                  const std::function<std::string(const Jurisdiction &)> &eligible) {
    std::vector<std::string> out;
    if (cJSON_IsBool(v)) {
        if (cJSON_IsTrue(v)) {
            for (const auto &j : pack.jurisdictions) {
                if (eligible(j).empty()) out.push_back(j.id);
            }
        }
        return out;
    }
    if (!cJSON_IsArray(v)) return err(where + " must be true, false or an array of jurisdictions");
    size_t i = 0;
    for (const cJSON *e = v->child; e != nullptr; e = e->next, ++i) {
        std::string at = where + "[" + std::to_string(i) + "]";
        auto id = jurisdiction_id(pack, e, at);
        if (!id) return id.error();
        if (std::string why = eligible(*pack.find(*id)); !why.empty()) return err(at + ": " + why);
        if (std::find(out.begin(), out.end(), *id) == out.end()) out.push_back(*id);
    }
    return out;
}

Result<Basis> basis_of_json(const cJSON *v, const std::string &where) {
    auto s = string_of(v, where, 32);
    if (!s) return s.error();
    auto b = basis_from_name(*s);
    if (!b) return err(where + " must be express, existing_customer, implied_purchase or implied_inquiry");
    return *b;
}

}  // namespace

Result<Policy> make_policy(std::string_view config_json, const FileReader &read) {
    auto doc = parse_json(config_json, kMaxConfigBytes, "the region_policy configuration");
    if (!doc) return doc.error();
    auto ms = members(doc->get(), "the region_policy configuration",
                      {"pack", "pack_mode", "default_jurisdiction", "list_jurisdictions", "require_double_opt_in",
                       "data_residency", "sender", "postal_address_in_template", "postal_address_header",
                       "consent_bases", "expiring_notice_days"});
    if (!ms) return ms.error();

    // The pack first: the other keys name its jurisdictions.
    const cJSON *pack_v = cJSON_GetObjectItemCaseSensitive(doc->get(), "pack");
    const cJSON *mode_v = cJSON_GetObjectItemCaseSensitive(doc->get(), "pack_mode");
    bool replace = false;
    if (mode_v != nullptr) {
        auto s = string_of(mode_v, "pack_mode", 16);
        if (!s) return s.error();
        if (*s == "replace") replace = true;
        else if (*s != "merge") return err("pack_mode must be \"merge\" or \"replace\"");
        if (pack_v == nullptr) return err("pack_mode needs a pack");
    }
    std::string pack_text(shipped_pack_json());
    std::string context = "the shipped policy pack";
    if (pack_v != nullptr) {
        std::string user;
        std::string what;
        if (cJSON_IsString(pack_v)) {
            auto path = string_of(pack_v, "pack", 4096);
            if (!path) return path.error();
            auto text = read(*path);
            if (!text) return err("pack: " + text.error().message);
            user = std::move(*text);
            what = "pack " + *path;
        } else if (cJSON_IsObject(pack_v)) {
            char *printed = cJSON_PrintUnformatted(pack_v);
            if (printed == nullptr) return err("out of memory reading pack");
            user = printed;
            cJSON_free(printed);
            what = "the pack given in the configuration";
        } else {
            return err("pack must be a file name or a policy pack object");
        }
        if (replace) {
            pack_text = std::move(user);
        } else {
            auto merged = merge_patch(pack_text, user);
            if (!merged) return err(what + ": " + merged.error().message);
            pack_text = std::move(*merged);
        }
        context = what + (replace ? "" : " (merged over the shipped pack)");
    }
    auto pack = parse_pack(pack_text);
    if (!pack) return err(context + ": " + pack.error().message);

    Policy policy;
    policy.pack = std::move(*pack);
    Settings &s = policy.settings;
    s.source_bases = {{"purchase", Basis::implied_purchase},
                      {"inquiry", Basis::implied_inquiry},
                      {"existing_customer", Basis::existing_customer},
                      {"customer", Basis::existing_customer}};
    const Pack &p = policy.pack;

    for (const cJSON *m : *ms) {
        std::string k = m->string;
        if (k == "pack" || k == "pack_mode") continue;
        if (k == "default_jurisdiction") {
            auto id = jurisdiction_id(p, m, k);
            if (!id) return id.error();
            s.default_jurisdiction = std::move(*id);
        } else if (k == "list_jurisdictions") {
            auto ls = members(m, k, {});
            if (!ls) return ls.error();
            for (const cJSON *l : *ls) {
                auto id = jurisdiction_id(p, l, k + "." + l->string);
                if (!id) return id.error();
                s.list_jurisdictions.emplace(l->string, std::move(*id));
            }
        } else if (k == "require_double_opt_in") {
            auto set = jurisdiction_set(p, m, k, [](const Jurisdiction &j) {
                return j.regime == Regime::opt_in ? std::string() : j.id + " needs no consent (opt_out), so no double opt-in";
            });
            if (!set) return set.error();
            s.double_opt_in = std::move(*set);
        } else if (k == "data_residency") {
            auto set = jurisdiction_set(p, m, k, [](const Jurisdiction &j) {
                return j.residency_regions.empty() ? j.id + " has no residency_regions in the policy pack" : std::string();
            });
            if (!set) return set.error();
            s.residency = std::move(*set);
        } else if (k == "sender") {
            auto fs = members(m, k, {"name", "postal_address"});
            if (!fs) return fs.error();
            for (const cJSON *f : *fs) {
                std::string at = "sender." + std::string(f->string);
                if (std::string_view(f->string) == "name") {
                    auto n = string_of(f, at, 200);
                    if (!n) return n.error();
                    if (normalize_words(*n).size() <= 1) return err(at + " has no letters or digits");
                    s.sender_name = std::move(*n);
                } else {
                    std::vector<std::string> addrs;
                    if (cJSON_IsString(f)) {
                        auto a = string_of(f, at, 1000);
                        if (!a) return a.error();
                        addrs.push_back(std::move(*a));
                    } else {
                        auto a = string_array(f, at, 32, [](const std::string &) { return std::string(); });
                        if (!a) return a.error();
                        addrs = std::move(*a);
                    }
                    for (const auto &a : addrs) {
                        if (normalize_words(a).size() <= 1) return err(at + ": " + quoted(a) + " has no letters or digits");
                    }
                    s.postal_addresses = std::move(addrs);
                }
            }
        } else if (k == "postal_address_in_template") {
            auto b = bool_of(m, k);
            if (!b) return b.error();
            s.postal_address_in_template = *b;
        } else if (k == "postal_address_header") {
            auto h = string_of(m, k, 64);
            if (!h) return h.error();
            if (!all_of_chars(*h, header_char)) return err(k + " must be a header field name");
            s.postal_address_header = std::move(*h);
        } else if (k == "consent_bases") {
            auto fs = members(m, k, {"sources", "methods", "default"});
            if (!fs) return fs.error();
            for (const cJSON *f : *fs) {
                std::string fk = f->string;
                std::string at = k + "." + fk;
                if (fk == "default") {
                    auto b = basis_of_json(f, at);
                    if (!b) return b.error();
                    s.default_basis = *b;
                    continue;
                }
                auto entries = members(f, at, {});
                if (!entries) return entries.error();
                for (const cJSON *e : *entries) {
                    std::string key = e->string;
                    auto b = basis_of_json(e, at + "." + key);
                    if (!b) return b.error();
                    if (fk == "sources") {
                        if (key.empty() || key.size() > 200) return err(at + ": a source must be 1 to 200 bytes");
                        s.source_bases[lower(key)] = *b;
                    } else {
                        if (key != "single" && key != "double" && key != "import" && key != "api") {
                            return err(at + ": " + quoted(key) + " is not a method (single, double, import, api)");
                        }
                        s.method_bases[key] = *b;
                    }
                }
            }
        } else if (k == "expiring_notice_days") {
            auto n = int_of(m, k, 0, 3650);
            if (!n) return n.error();
            s.expiring_notice_days = static_cast<int32_t>(*n);
        }
    }
    return policy;
}

}  // namespace presend::region
