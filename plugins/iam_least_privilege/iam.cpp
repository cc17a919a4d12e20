// IAM policy parsing and evaluation (identity-based policies).
#include "iam.hpp"

#include <arpa/inet.h>
#include <cjson/cJSON.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <memory>
#include <set>

#include "iam_internal.hpp"

namespace presend::iam {

namespace {

using JsonPtr = std::unique_ptr<cJSON, decltype(&cJSON_Delete)>;

struct OpInfo {
    std::string_view name;
    Op op;
};

constexpr std::array<OpInfo, 27> kOps = {{
    {"StringEquals", Op::string_equals},
    {"StringNotEquals", Op::string_not_equals},
    {"StringEqualsIgnoreCase", Op::string_equals_ignore_case},
    {"StringNotEqualsIgnoreCase", Op::string_not_equals_ignore_case},
    {"StringLike", Op::string_like},
    {"StringNotLike", Op::string_not_like},
    {"NumericEquals", Op::numeric_equals},
    {"NumericNotEquals", Op::numeric_not_equals},
    {"NumericLessThan", Op::numeric_less_than},
    {"NumericLessThanEquals", Op::numeric_less_than_equals},
    {"NumericGreaterThan", Op::numeric_greater_than},
    {"NumericGreaterThanEquals", Op::numeric_greater_than_equals},
    {"DateEquals", Op::date_equals},
    {"DateNotEquals", Op::date_not_equals},
    {"DateLessThan", Op::date_less_than},
    {"DateLessThanEquals", Op::date_less_than_equals},
    {"DateGreaterThan", Op::date_greater_than},
    {"DateGreaterThanEquals", Op::date_greater_than_equals},
    {"Bool", Op::boolean},
    {"BinaryEquals", Op::binary_equals},
    {"IpAddress", Op::ip_address},
    {"NotIpAddress", Op::not_ip_address},
    {"ArnEquals", Op::arn_equals},
    {"ArnLike", Op::arn_like},
    {"ArnNotEquals", Op::arn_not_equals},
    {"ArnNotLike", Op::arn_not_like},
    {"Null", Op::null},
}};

// Splits "ForAnyValue:StringLikeIfExists" into its parts.
std::optional<Condition> parse_operator(std::string_view text) {
    Condition c;
    c.op_text = std::string(text);
    std::string_view rest = text;
    if (istarts_with(rest, "ForAllValues:")) {
        c.set = SetOp::for_all_values;
        rest.remove_prefix(13);
    } else if (istarts_with(rest, "ForAnyValue:")) {
        c.set = SetOp::for_any_value;
        rest.remove_prefix(12);
    }
    if (rest.size() > 8 && iequals(rest.substr(rest.size() - 8), "IfExists")) {
        c.if_exists = true;
        rest.remove_suffix(8);
    }
    for (const auto &info : kOps) {
        if (iequals(rest, info.name)) {
            c.op = info.op;
            // Null tests existence itself: neither IfExists nor a set makes sense.
            if (c.op == Op::null && (c.if_exists || c.set != SetOp::none)) return std::nullopt;
            return c;
        }
    }
    return std::nullopt;
}

Error structure_error(std::string msg) { return Error{std::move(msg), Error::npos}; }

std::string number_text(double v) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    if (ec != std::errc()) return "0";
    return std::string(buf, end);
}

// The keys of an object must be unique: JSON parsers disagree on which of two
// duplicates wins, so presend refuses what AWS might read differently.
std::optional<std::string> duplicate_key(const cJSON *object) {
    std::set<std::string> seen;
    for (const cJSON *c = object->child; c != nullptr; c = c->next) {
        if (c->string == nullptr) continue;
        if (!seen.insert(c->string).second) return std::string(c->string);
    }
    return std::nullopt;
}

// A string or an array of strings (Action, Resource...).
Result<std::vector<std::string>> string_list(const cJSON *v, const char *what) {
    std::vector<std::string> out;
    if (cJSON_IsString(v)) {
        out.emplace_back(v->valuestring);
        return out;
    }
    if (!cJSON_IsArray(v)) return structure_error(std::string(what) + " must be a string or an array of strings");
    for (const cJSON *c = v->child; c != nullptr; c = c->next) {
        if (!cJSON_IsString(c)) return structure_error(std::string(what) + " must hold only strings");
        out.emplace_back(c->valuestring);
    }
    if (out.empty()) return structure_error(std::string(what) + " must not be empty");
    return out;
}

Result<std::string> condition_value(const cJSON *v, const std::string &where) {
    if (cJSON_IsString(v)) return std::string(v->valuestring);
    if (cJSON_IsBool(v)) return std::string(cJSON_IsTrue(v) ? "true" : "false");
    if (cJSON_IsNumber(v)) return number_text(v->valuedouble);
    return structure_error(where + ": a condition value must be a string, a boolean or a number");
}

bool valid_action(std::string_view a) {
    if (a == "*") return true;
    auto colon = a.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 >= a.size()) return false;
    for (char ch : a.substr(0, colon)) {
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
                  ch == '*' || ch == '?';
        if (!ok) return false;
    }
    return a.find(':', colon + 1) == std::string_view::npos;
}

bool valid_resource(std::string_view r) {
    if (r == "*") return true;
    if (r.rfind("arn:", 0) != 0) return false;
    return std::count(r.begin(), r.end(), ':') >= 5;
}

Result<Statement> parse_statement(const cJSON *s, size_t index) {
    std::string where = "statement " + std::to_string(index);
    if (!cJSON_IsObject(s)) return structure_error(where + " must be an object");
    if (auto dup = duplicate_key(s)) return structure_error(where + ": duplicate element \"" + *dup + "\"");
    Statement st;
    st.index = index;
    bool have_effect = false, have_action = false, have_resource = false;
    for (const cJSON *e = s->child; e != nullptr; e = e->next) {
        std::string_view k = e->string;
        if (k == "Sid") {
            if (!cJSON_IsString(e)) return structure_error(where + ": Sid must be a string");
            st.sid = e->valuestring;
            where = "statement " + std::to_string(index) + " (\"" + st.sid + "\")";
        } else if (k == "Effect") {
            if (!cJSON_IsString(e)) return structure_error(where + ": Effect must be \"Allow\" or \"Deny\"");
            std::string_view v = e->valuestring;
            if (v == "Allow") st.effect = Effect::allow;
            else if (v == "Deny") st.effect = Effect::deny;
            else return structure_error(where + ": Effect must be \"Allow\" or \"Deny\", not \"" + std::string(v) + "\"");
            have_effect = true;
        } else if (k == "Action" || k == "NotAction") {
            if (have_action) return structure_error(where + ": give Action or NotAction, not both");
            auto list = string_list(e, e->string);
            if (!list) return structure_error(where + ": " + list.error().message);
            for (const auto &a : *list) {
                if (!valid_action(a)) {
                    return structure_error(where + ": \"" + a + "\" is not an action (service:Action, or \"*\")");
                }
            }
            st.actions = std::move(*list);
            st.not_action = k == "NotAction";
            have_action = true;
        } else if (k == "Resource" || k == "NotResource") {
            if (have_resource) return structure_error(where + ": give Resource or NotResource, not both");
            auto list = string_list(e, e->string);
            if (!list) return structure_error(where + ": " + list.error().message);
            for (const auto &r : *list) {
                if (!valid_resource(r)) {
                    return structure_error(where + ": resource \"" + r + "\" must be an ARN (arn:partition:service:region:account:resource) or \"*\"");
                }
            }
            st.resources = std::move(*list);
            st.not_resource = k == "NotResource";
            have_resource = true;
        } else if (k == "Principal" || k == "NotPrincipal") {
            st.has_principal = true;
        } else if (k == "Condition") {
            if (!cJSON_IsObject(e)) return structure_error(where + ": Condition must be an object");
            if (auto dup = duplicate_key(e)) {
                return structure_error(where + ": duplicate condition operator \"" + *dup + "\"");
            }
            for (const cJSON *o = e->child; o != nullptr; o = o->next) {
                auto parsed = parse_operator(o->string);
                if (!parsed) return structure_error(where + ": unknown condition operator \"" + std::string(o->string) + "\"");
                if (!cJSON_IsObject(o) || o->child == nullptr) {
                    return structure_error(where + ": " + std::string(o->string) + " must map condition keys to values");
                }
                if (auto dup = duplicate_key(o)) {
                    return structure_error(where + ": " + std::string(o->string) + ": duplicate key \"" + *dup + "\"");
                }
                for (const cJSON *kv = o->child; kv != nullptr; kv = kv->next) {
                    Condition c = *parsed;
                    c.key = kv->string;
                    if (c.key.empty()) return structure_error(where + ": an empty condition key");
                    std::string w = where + ": " + c.op_text + " " + c.key;
                    if (cJSON_IsArray(kv)) {
                        for (const cJSON *v = kv->child; v != nullptr; v = v->next) {
                            auto val = condition_value(v, w);
                            if (!val) return val.error();
                            c.values.push_back(std::move(*val));
                        }
                    } else {
                        auto val = condition_value(kv, w);
                        if (!val) return val.error();
                        c.values.push_back(std::move(*val));
                    }
                    st.conditions.push_back(std::move(c));
                }
            }
        } else {
            return structure_error(where + ": unknown element \"" + std::string(k) + "\"");
        }
    }
    if (!have_effect) return structure_error(where + ": Effect is missing");
    if (!have_action) return structure_error(where + ": Action (or NotAction) is missing");
    if (!have_resource) return structure_error(where + ": Resource (or NotResource) is missing");
    return st;
}

}  // namespace

// --- small text helpers (iam_internal.hpp) -----------------------------------

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto &c : out) c = ascii_lower(c);
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    }
    return true;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// --- operators -------------------------------------------------------------------

std::string_view op_name(Op op) {
    for (const auto &info : kOps) {
        if (info.op == op) return info.name;
    }
    return "?";
}

bool op_negated(Op op) {
    switch (op) {
        case Op::string_not_equals:
        case Op::string_not_equals_ignore_case:
        case Op::string_not_like:
        case Op::numeric_not_equals:
        case Op::date_not_equals:
        case Op::not_ip_address:
        case Op::arn_not_equals:
        case Op::arn_not_like: return true;
        default: return false;
    }
}

bool op_takes_variables(Op op) {
    switch (op) {
        case Op::string_equals:
        case Op::string_not_equals:
        case Op::string_equals_ignore_case:
        case Op::string_not_equals_ignore_case:
        case Op::string_like:
        case Op::string_not_like:
        case Op::boolean:
        case Op::arn_equals:
        case Op::arn_like:
        case Op::arn_not_equals:
        case Op::arn_not_like: return true;
        default: return false;
    }
}

// --- parsing ----------------------------------------------------------------------

Result<Policy> parse_policy(std::string_view json, std::string name) {
    const char *end = nullptr;
    JsonPtr doc(cJSON_ParseWithLengthOpts(json.data(), json.size(), &end, 0), cJSON_Delete);
    if (!doc) {
        size_t pos = end != nullptr && end >= json.data() && end <= json.data() + json.size()
                         ? static_cast<size_t>(end - json.data())
                         : Error::npos;
        return Error{"not valid JSON" + (pos != Error::npos ? " (at byte " + std::to_string(pos) + ")" : std::string()),
                     pos};
    }
    // Only white space may follow the document.
    for (const char *p = end; p != nullptr && p < json.data() + json.size(); ++p) {
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
            size_t pos = static_cast<size_t>(p - json.data());
            return Error{"not valid JSON: text after the document (at byte " + std::to_string(pos) + ")", pos};
        }
    }
    if (!cJSON_IsObject(doc.get())) return structure_error("a policy must be a JSON object");
    if (auto dup = duplicate_key(doc.get())) return structure_error("duplicate element \"" + *dup + "\"");
    Policy p;
    p.name = std::move(name);
    const cJSON *statements = nullptr;
    for (const cJSON *e = doc->child; e != nullptr; e = e->next) {
        std::string_view k = e->string;
        if (k == "Version") {
            if (!cJSON_IsString(e)) return structure_error("Version must be a string");
            std::string_view v = e->valuestring;
            if (v != kVersion2012 && v != kVersion2008) {
                return structure_error("Version must be \"2012-10-17\" or \"2008-10-17\", not \"" + std::string(v) + "\"");
            }
            p.version = std::string(v);
        } else if (k == "Id") {
            if (!cJSON_IsString(e)) return structure_error("Id must be a string");
            p.id = e->valuestring;
        } else if (k == "Statement") {
            statements = e;
        } else {
            return structure_error("unknown element \"" + std::string(k) + "\" (a policy has Version, Id and Statement)");
        }
    }
    if (statements == nullptr) return structure_error("Statement is missing");
    if (cJSON_IsObject(statements)) {
        auto st = parse_statement(statements, 0);
        if (!st) return st.error();
        p.statements.push_back(std::move(*st));
    } else if (cJSON_IsArray(statements)) {
        size_t i = 0;
        for (const cJSON *s = statements->child; s != nullptr; s = s->next, ++i) {
            auto st = parse_statement(s, i);
            if (!st) return st.error();
            p.statements.push_back(std::move(*st));
        }
    } else {
        return structure_error("Statement must be an object or an array of objects");
    }
    return p;
}

// --- context ---------------------------------------------------------------------

void Context::set(std::string_view key, std::string value) {
    std::string k = lower(key);
    values_[k] = ContextValue{{std::move(value)}, key_multivalued(key)};
    spellings_[k] = std::string(key);
}

void Context::set_list(std::string_view key, std::vector<std::string> values) {
    std::string k = lower(key);
    values_[k] = ContextValue{std::move(values), true};
    spellings_[k] = std::string(key);
}

void Context::erase(std::string_view key) {
    std::string k = lower(key);
    values_.erase(k);
    spellings_.erase(k);
}

const ContextValue *Context::find(std::string_view key) const {
    auto it = values_.find(lower(key));
    return it == values_.end() ? nullptr : &it->second;
}

const std::string &Context::spelling(const std::string &lower_key) const {
    auto it = spellings_.find(lower_key);
    return it == spellings_.end() ? lower_key : it->second;
}

bool key_multivalued(std::string_view key) {
    static constexpr std::string_view kMulti[] = {
        "ses:recipients",        "aws:tagkeys",          "aws:calledvia",          "aws:principalservicenameslist",
        "aws:principalorgpaths", "aws:sourceorgpaths",   "aws:resourceorgpaths",
    };
    std::string k = lower(key);
    return std::find(std::begin(kMulti), std::end(kMulti), k) != std::end(kMulti);
}

bool key_single_valued(std::string_view key) {
    static constexpr std::string_view kSingle[] = {
        "ses:fromaddress",     "ses:fromdisplayname", "ses:feedbackaddress",   "ses:apiversion",
        "aws:sourceip",        "aws:username",        "aws:userid",            "aws:principalarn",
        "aws:principalaccount", "aws:requestedregion", "aws:currenttime",      "aws:epochtime",
        "aws:securetransport", "aws:sourcevpc",       "aws:sourcevpce",        "aws:principaltype",
        "aws:multifactorauthpresent", "aws:tokenissuetime", "aws:useragent",   "aws:sourceaccount",
        "aws:sourcearn",       "aws:principalorgid",  "ses:configurationsetname",
    };
    std::string k = lower(key);
    if (std::find(std::begin(kSingle), std::end(kSingle), k) != std::end(kSingle)) return true;
    return k.rfind("aws:principaltag/", 0) == 0 || k.rfind("aws:resourcetag/", 0) == 0 ||
           k.rfind("aws:requesttag/", 0) == 0;
}

// --- matching ----------------------------------------------------------------------

namespace {

size_t utf8_len(unsigned char lead) {
    if (lead < 0x80) return 1;
    if ((lead & 0xE0) == 0xC0) return 2;
    if ((lead & 0xF0) == 0xE0) return 3;
    if ((lead & 0xF8) == 0xF0) return 4;
    return 1;
}

}  // namespace

bool glob_match(const Pattern &p, std::string_view t, bool ignore_case) {
    const std::string &s = p.text;
    auto wild = [&](size_t i, char w) { return s[i] == w && !p.is_literal(i); };
    auto eq = [&](char a, char b) { return ignore_case ? ascii_lower(a) == ascii_lower(b) : a == b; };
    size_t pi = 0, ti = 0, star = std::string::npos, mark = 0;
    while (ti < t.size()) {
        if (pi < s.size() && wild(pi, '*')) {
            star = pi++;
            mark = ti;
        } else if (pi < s.size() && wild(pi, '?')) {
            ++pi;
            ti += std::min(utf8_len(static_cast<unsigned char>(t[ti])), t.size() - ti);
        } else if (pi < s.size() && eq(s[pi], t[ti])) {
            ++pi;
            ++ti;
        } else if (star != std::string::npos) {
            pi = star + 1;
            ti = ++mark;
        } else {
            return false;
        }
    }
    while (pi < s.size() && wild(pi, '*')) ++pi;
    return pi == s.size();
}

bool wildcard_match(std::string_view pattern, std::string_view text, bool ignore_case) {
    return glob_match(Pattern{std::string(pattern), {}}, text, ignore_case);
}

std::optional<Pattern> substitute(std::string_view text, const Context &ctx, bool variables) {
    Pattern out;
    if (!variables || text.find("${") == std::string_view::npos) {
        out.text = std::string(text);
        return out;
    }
    auto add_literal = [&](std::string_view v) {
        for (char c : v) {
            out.literal.resize(out.text.size() + 1, false);
            out.literal[out.text.size()] = true;
            out.text += c;
        }
    };
    size_t i = 0;
    while (i < text.size()) {
        if (text.compare(i, 2, "${") != 0) {
            out.text += text[i++];
            continue;
        }
        // ${key} or ${key, 'default'}; '' inside the default is one quote.
        size_t j = i + 2;
        std::string key;
        while (j < text.size() && text[j] != '}' && text[j] != ',') key += text[j++];
        std::optional<std::string> fallback;
        if (j < text.size() && text[j] == ',') {
            ++j;
            while (j < text.size() && text[j] == ' ') ++j;
            if (j >= text.size() || text[j] != '\'') {
                out.text += text[i++];  // not a variable: literal text
                continue;
            }
            ++j;
            std::string d;
            bool closed = false;
            while (j < text.size()) {
                if (text[j] == '\'') {
                    if (j + 1 < text.size() && text[j + 1] == '\'') {
                        d += '\'';
                        j += 2;
                        continue;
                    }
                    closed = true;
                    ++j;
                    break;
                }
                d += text[j++];
            }
            while (j < text.size() && text[j] == ' ') ++j;
            if (!closed || j >= text.size() || text[j] != '}') {
                out.text += text[i++];
                continue;
            }
            fallback = std::move(d);
        }
        if (j >= text.size() || text[j] != '}') {
            out.text += text[i++];
            continue;
        }
        // Trim the key.
        size_t a = key.find_first_not_of(' ');
        size_t b = key.find_last_not_of(' ');
        key = a == std::string::npos ? std::string() : key.substr(a, b - a + 1);
        i = j + 1;
        if (key == "*" || key == "?" || key == "$") {
            add_literal(key);
            continue;
        }
        const ContextValue *v = ctx.find(key);
        if (v != nullptr && !v->multi && v->values.size() == 1) {
            add_literal(v->values[0]);
        } else if (fallback) {
            add_literal(*fallback);
        } else {
            return std::nullopt;  // no value: the element matches nothing
        }
    }
    return out;
}

bool action_matches(const Statement &st, std::string_view action) {
    bool any = false;
    for (const auto &a : st.actions) {
        if (wildcard_match(a, action, true)) {
            any = true;
            break;
        }
    }
    return st.not_action ? !any : any;
}

bool resource_matches(const Policy &policy, const Statement &st, const Request &req) {
    bool any = false;
    for (const auto &r : st.resources) {
        auto pat = substitute(r, req.context, policy.variables());
        if (pat && glob_match(*pat, req.resource, false)) {
            any = true;
            break;
        }
    }
    return st.not_resource ? !any : any;
}

std::optional<double> parse_number(std::string_view s) {
    if (s.empty()) return std::nullopt;
    double v = 0;
    const char *b = s.data();
    if (*b == '+') ++b;
    auto [end, ec] = std::from_chars(b, s.data() + s.size(), v, std::chars_format::fixed);
    if (ec != std::errc() || end != s.data() + s.size()) {
        auto [end2, ec2] = std::from_chars(b, s.data() + s.size(), v, std::chars_format::general);
        if (ec2 != std::errc() || end2 != s.data() + s.size()) return std::nullopt;
    }
    if (v != v) return std::nullopt;  // NaN
    return v;
}

namespace {

int digits(std::string_view s, size_t pos, size_t n) {
    if (pos + n > s.size()) return -1;
    int v = 0;
    for (size_t i = 0; i < n; ++i) {
        char c = s[pos + i];
        if (c < '0' || c > '9') return -1;
        v = v * 10 + (c - '0');
    }
    return v;
}

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

std::optional<int64_t> parse_date_ms(std::string_view s) {
    if (s.empty()) return std::nullopt;
    // Epoch seconds.
    if (s.find_first_not_of("0123456789-") == std::string_view::npos && s.find('-', 1) == std::string_view::npos) {
        int64_t v = 0;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
        if (v > 253402300799 || v < -62135596800) return std::nullopt;
        return v * 1000;
    }
    int y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || s[4] != '-' || s[7] != '-') return std::nullopt;
    static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > kDays[mo - 1] || (mo == 2 && d == 29 && !leap)) return std::nullopt;
    int64_t ms = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400000LL;
    size_t i = 10;
    if (i == s.size()) return ms;
    if (s[i] != 'T' && s[i] != 't') return std::nullopt;
    int h = digits(s, i + 1, 2), mi = digits(s, i + 4, 2);
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || i + 3 >= s.size() || s[i + 3] != ':') return std::nullopt;
    ms += (h * 3600LL + mi * 60LL) * 1000;
    i += 6;
    if (i < s.size() && s[i] == ':') {
        int sec = digits(s, i + 1, 2);
        if (sec < 0 || sec > 60) return std::nullopt;
        ms += sec * 1000LL;
        i += 3;
        if (i < s.size() && s[i] == '.') {
            ++i;
            int64_t frac = 0, scale = 100;
            size_t start = i;
            while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
                frac += (s[i] - '0') * scale;
                scale /= 10;
                ++i;
            }
            if (i == start) return std::nullopt;
            ms += frac;
        }
    }
    if (i == s.size()) return ms;
    if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == s.size()) return ms;
    if (s[i] == '+' || s[i] == '-') {
        int oh = digits(s, i + 1, 2);
        size_t mpos = (i + 3 < s.size() && s[i + 3] == ':') ? i + 4 : i + 3;
        int om = digits(s, mpos, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59 || mpos + 2 != s.size()) return std::nullopt;
        int64_t off = (oh * 3600LL + om * 60LL) * 1000;
        return s[i] == '+' ? ms - off : ms + off;
    }
    return std::nullopt;
}

std::optional<Cidr> parse_cidr(std::string_view s) {
    Cidr c;
    std::string addr(s);
    int max_prefix = 0;
    int prefix = -1;
    if (auto slash = addr.find('/'); slash != std::string::npos) {
        std::string_view p = std::string_view(addr).substr(slash + 1);
        if (p.empty() || p.size() > 3) return std::nullopt;
        int v = 0;
        auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
        if (ec != std::errc() || end != p.data() + p.size()) return std::nullopt;
        prefix = v;
        addr.resize(slash);
    }
    if (addr.find(':') != std::string::npos) {
        if (inet_pton(AF_INET6, addr.c_str(), c.bytes.data()) != 1) return std::nullopt;
        c.v6 = true;
        max_prefix = 128;
    } else {
        if (inet_pton(AF_INET, addr.c_str(), c.bytes.data()) != 1) return std::nullopt;
        max_prefix = 32;
    }
    if (prefix > max_prefix) return std::nullopt;
    c.prefix = prefix < 0 ? max_prefix : prefix;
    return c;
}

bool cidr_contains(const Cidr &net, const Cidr &ip) {
    if (net.v6 != ip.v6) return false;
    int bits = net.prefix;
    for (size_t i = 0; bits > 0; ++i, bits -= 8) {
        uint8_t mask = bits >= 8 ? 0xFF : static_cast<uint8_t>(0xFF << (8 - bits));
        if ((net.bytes[i] & mask) != (ip.bytes[i] & mask)) return false;
    }
    return true;
}

namespace {

// Splits an ARN into its six colon-separated parts (the last keeps its colons).
std::optional<std::array<std::string_view, 6>> arn_parts(std::string_view s) {
    std::array<std::string_view, 6> out;
    for (size_t i = 0; i < 5; ++i) {
        auto colon = s.find(':');
        if (colon == std::string_view::npos) return std::nullopt;
        out[i] = s.substr(0, colon);
        s.remove_prefix(colon + 1);
    }
    out[5] = s;
    return out;
}

bool arn_match(const Pattern &p, std::string_view value) {
    // Each part is matched on its own, so a wildcard never spans a colon.
    auto vp = arn_parts(value);
    if (!vp) return false;
    std::array<Pattern, 6> parts;
    size_t part = 0;
    for (size_t i = 0; i < p.text.size(); ++i) {
        if (p.text[i] == ':' && part < 5) {
            ++part;
            continue;
        }
        Pattern &dst = parts[part];
        if (p.is_literal(i)) {
            dst.literal.resize(dst.text.size() + 1, false);
            dst.literal[dst.text.size()] = true;
        }
        dst.text += p.text[i];
    }
    if (part < 5) return false;
    for (size_t i = 0; i < 6; ++i) {
        if (!glob_match(parts[i], (*vp)[i], false)) return false;
    }
    return true;
}

// Whether one request value matches one policy value, in the operator's
// positive sense (for StringNotEquals: whether they are equal).
bool value_matches(Op op, const Pattern &pv, std::string_view rv) {
    switch (op) {
        case Op::string_equals:
        case Op::string_not_equals:
        case Op::binary_equals: return pv.text == rv;
        case Op::string_equals_ignore_case:
        case Op::string_not_equals_ignore_case:
        case Op::boolean: return iequals(pv.text, rv);
        case Op::string_like:
        case Op::string_not_like: return glob_match(pv, rv, false);
        case Op::numeric_equals:
        case Op::numeric_not_equals:
        case Op::numeric_less_than:
        case Op::numeric_less_than_equals:
        case Op::numeric_greater_than:
        case Op::numeric_greater_than_equals: {
            auto a = parse_number(rv);
            auto b = parse_number(pv.text);
            if (!a || !b) return false;
            switch (op) {
                case Op::numeric_less_than: return *a < *b;
                case Op::numeric_less_than_equals: return *a <= *b;
                case Op::numeric_greater_than: return *a > *b;
                case Op::numeric_greater_than_equals: return *a >= *b;
                default: return *a == *b;
            }
        }
        case Op::date_equals:
        case Op::date_not_equals:
        case Op::date_less_than:
        case Op::date_less_than_equals:
        case Op::date_greater_than:
        case Op::date_greater_than_equals: {
            auto a = parse_date_ms(rv);
            auto b = parse_date_ms(pv.text);
            if (!a || !b) return false;
            switch (op) {
                case Op::date_less_than: return *a < *b;
                case Op::date_less_than_equals: return *a <= *b;
                case Op::date_greater_than: return *a > *b;
                case Op::date_greater_than_equals: return *a >= *b;
                default: return *a == *b;
            }
        }
        case Op::ip_address:
        case Op::not_ip_address: {
            auto net = parse_cidr(pv.text);
            auto ip = parse_cidr(rv);
            return net && ip && cidr_contains(*net, *ip);
        }
        case Op::arn_equals:
        case Op::arn_like:
        case Op::arn_not_equals:
        case Op::arn_not_like: return arn_match(pv, rv);
        case Op::null: return false;
    }
    return false;
}

}  // namespace

bool condition_holds(const Policy &policy, const Condition &c, const Request &req) {
    const ContextValue *cv = req.context.find(c.key);
    const bool present = cv != nullptr && !cv->values.empty();
    if (c.op == Op::null) {
        for (const auto &v : c.values) {
            if (iequals(v, "true") && !present) return true;
            if (iequals(v, "false") && present) return true;
        }
        return false;
    }
    if (!present) {
        if (c.if_exists) return true;
        if (c.set == SetOp::for_all_values) return true;
        if (c.set == SetOp::for_any_value) return false;
        // A missing key matches no value: negated operators hold.
        return op_negated(c.op);
    }
    const bool vars = policy.variables() && op_takes_variables(c.op);
    std::vector<Pattern> patterns;
    patterns.reserve(c.values.size());
    for (const auto &v : c.values) {
        // A value whose variable has no value matches nothing.
        if (auto p = substitute(v, req.context, vars)) patterns.push_back(std::move(*p));
    }
    auto matches_any = [&](const std::string &rv) {
        for (const auto &p : patterns) {
            if (value_matches(c.op, p, rv)) return true;
        }
        return false;
    };
    // A request value satisfies the operator: it matches one of the policy's
    // values, or (negated operators) none of them.
    auto satisfies = [&](const std::string &rv) { return op_negated(c.op) ? !matches_any(rv) : matches_any(rv); };
    const auto &vals = cv->values;
    switch (c.set) {
        case SetOp::for_all_values: return std::all_of(vals.begin(), vals.end(), satisfies);
        case SetOp::for_any_value: return std::any_of(vals.begin(), vals.end(), satisfies);
        case SetOp::none: break;
    }
    // Without a set operator, several request values: the positive operator
    // holds when any value matches, and its negation when none does.
    if (op_negated(c.op)) return std::all_of(vals.begin(), vals.end(), satisfies);
    return std::any_of(vals.begin(), vals.end(), satisfies);
}

bool statement_matches(const Policy &policy, const Statement &st, const Request &req) {
    if (!action_matches(st, req.action) || !resource_matches(policy, st, req)) return false;
    for (const auto &c : st.conditions) {
        if (!condition_holds(policy, c, req)) return false;
    }
    return true;
}

std::string_view decision_name(Decision d) {
    switch (d) {
        case Decision::allow: return "Allow";
        case Decision::explicit_deny: return "ExplicitDeny";
        case Decision::implicit_deny: return "ImplicitDeny";
    }
    return "ImplicitDeny";
}

Evaluation evaluate(std::span<const Policy> policies, const Request &req) {
    Evaluation e;
    for (size_t pi = 0; pi < policies.size(); ++pi) {
        const Policy &p = policies[pi];
        for (size_t si = 0; si < p.statements.size(); ++si) {
            const Statement &st = p.statements[si];
            if (!action_matches(st, req.action) || !resource_matches(p, st, req)) continue;
            size_t failed = st.conditions.size();
            for (size_t ci = 0; ci < st.conditions.size(); ++ci) {
                if (!condition_holds(p, st.conditions[ci], req)) {
                    failed = ci;
                    break;
                }
            }
            StatementRef ref{pi, si};
            if (failed < st.conditions.size()) {
                e.near_misses.push_back(NearMiss{ref, failed});
                continue;
            }
            (st.effect == Effect::deny ? e.denies : e.allows).push_back(ref);
        }
    }
    if (!e.denies.empty()) {
        e.decision = Decision::explicit_deny;
        e.deciding = e.denies.front();
    } else if (!e.allows.empty()) {
        e.decision = Decision::allow;
        e.deciding = e.allows.front();
    }
    return e;
}

std::string describe(std::span<const Policy> policies, const StatementRef &ref) {
    if (ref.policy >= policies.size() || ref.statement >= policies[ref.policy].statements.size()) return "?";
    const Policy &p = policies[ref.policy];
    const Statement &st = p.statements[ref.statement];
    std::string out = "statement ";
    if (!st.sid.empty()) out += "\"" + st.sid + "\" ";
    out += "(index " + std::to_string(ref.statement) + ")";
    if (!p.name.empty()) out += " of " + p.name;
    return out;
}

// --- JSON output ---------------------------------------------------------------------

std::string utf8_clean(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    size_t i = 0;
    while (i < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            out += static_cast<char>(c);
            ++i;
            continue;
        }
        size_t n = utf8_len(c);
        bool ok = n > 1 && i + n <= s.size();
        uint32_t cp = n == 2 ? (c & 0x1Fu) : n == 3 ? (c & 0x0Fu) : (c & 0x07u);
        for (size_t k = 1; ok && k < n; ++k) {
            unsigned char cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) ok = false;
            cp = (cp << 6) | (cc & 0x3Fu);
        }
        if (ok) {
            ok = (n == 2 && cp >= 0x80) || (n == 3 && cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF)) ||
                 (n == 4 && cp >= 0x10000 && cp <= 0x10FFFF);
        }
        if (ok) {
            out.append(s.substr(i, n));
            i += n;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
    return out;
}

std::string json_quote(std::string_view raw) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s = utf8_clean(raw);
    std::string out = "\"";
    out.reserve(s.size() + 2);
    for (char ch : s) {
        unsigned char c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20 || c == 0x7F) {
                    out += "\\u00";
                    out += kHex[c >> 4];
                    out += kHex[c & 15];
                } else {
                    out += ch;
                }
        }
    }
    return out + "\"";
}

namespace {

std::string statement_json(std::span<const Policy> policies, const StatementRef &ref) {
    const Policy &p = policies[ref.policy];
    const Statement &st = p.statements[ref.statement];
    return "{\"policy\":" + json_quote(p.name) + ",\"index\":" + std::to_string(ref.statement) +
           ",\"sid\":" + json_quote(st.sid) + ",\"effect\":\"" + (st.effect == Effect::allow ? "Allow" : "Deny") +
           "\"}";
}

}  // namespace

std::string evaluation_json(std::span<const Policy> policies, const Request &req, const Evaluation &e) {
    std::string out = "{\"decision\":" + json_quote(decision_name(e.decision)) + ",\"action\":" + json_quote(req.action) +
                      ",\"resource\":" + json_quote(req.resource) + ",\"statement\":";
    out += e.deciding ? statement_json(policies, *e.deciding) : "null";
    auto list = [&](const std::vector<StatementRef> &refs) {
        std::string s = "[";
        for (size_t i = 0; i < refs.size(); ++i) s += (i ? "," : "") + statement_json(policies, refs[i]);
        return s + "]";
    };
    out += ",\"matched_allow\":" + list(e.allows) + ",\"matched_deny\":" + list(e.denies) + ",\"near_misses\":[";
    for (size_t i = 0; i < e.near_misses.size(); ++i) {
        const auto &nm = e.near_misses[i];
        const Condition &c = policies[nm.ref.policy].statements[nm.ref.statement].conditions[nm.condition];
        std::string s = statement_json(policies, nm.ref);
        s.pop_back();
        out += (i ? "," : "") + s + ",\"failed_condition\":{\"operator\":" + json_quote(c.op_text) +
               ",\"key\":" + json_quote(c.key) + "}}";
    }
    out += "],\"context\":{";
    bool first = true;
    for (const auto &[k, v] : req.context.entries()) {
        out += (first ? "" : ",") + json_quote(req.context.spelling(k)) + ":";
        first = false;
        if (v.multi) {
            out += "[";
            for (size_t i = 0; i < v.values.size(); ++i) out += (i ? "," : "") + json_quote(v.values[i]);
            out += "]";
        } else {
            out += json_quote(v.values.empty() ? std::string() : v.values[0]);
        }
    }
    return out + "}}";
}

std::string_view severity_name(Severity s) {
    switch (s) {
        case Severity::info: return "info";
        case Severity::warning: return "warning";
        case Severity::error: return "error";
    }
    return "info";
}

std::string findings_json(const std::vector<Finding> &findings) {
    std::string out = "[";
    for (size_t i = 0; i < findings.size(); ++i) {
        const Finding &f = findings[i];
        out += (i ? "," : "") + std::string("{\"code\":") + json_quote(f.code) + ",\"severity\":" +
               json_quote(severity_name(f.severity)) + ",\"policy\":" + json_quote(f.policy) + ",\"statement\":" +
               (f.statement ? std::to_string(*f.statement) : std::string("null")) + ",\"sid\":" + json_quote(f.sid) +
               ",\"message\":" + json_quote(f.message) + "}";
    }
    return out + "]";
}

std::string_view api_name(Api a) {
    switch (a) {
        case Api::v1: return "v1";
        case Api::v2: return "v2";
        case Api::smtp: return "smtp";
    }
    return "v2";
}

}  // namespace presend::iam
