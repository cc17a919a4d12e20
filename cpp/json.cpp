#include "json.hpp"

#include <cjson/cJSON.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "text.hpp"

namespace presend {

void JsonDeleter::operator()(cJSON *p) const noexcept { cJSON_Delete(p); }

namespace {

constexpr int kMaxDepth = 64;

// cJSON accepts deep nesting up to its own compile-time limit; presend's
// documents are shallow, so a tighter limit turns hostile input into a clear
// error instead of deep recursion.
bool depth_ok(const cJSON *node, int depth) {
    if (depth > kMaxDepth) return false;
    for (const cJSON *c = node->child; c != nullptr; c = c->next) {
        if (c->child != nullptr && !depth_ok(c, depth + 1)) return false;
    }
    return true;
}

// A cheap pre-scan so that cJSON never recurses deeply, and so that an
// escaped NUL (which cJSON would silently end a string at) is refused:
// "a@example.com\u0000x" must not become "a@example.com".
// Control characters are refused too: JSON allows none inside strings and
// only tab, CR and LF between tokens (cJSON would skip any byte below 0x20,
// NUL included, as white space).
enum class Prescan { ok, too_deep, nul, control };
Prescan prescan(std::string_view text, size_t &pos) {
    int depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (static_cast<unsigned char>(c) < 0x20 && (in_string || (c != '\t' && c != '\n' && c != '\r'))) {
            pos = i;
            return c == '\0' ? Prescan::nul : Prescan::control;
        }
        if (in_string) {
            if (c == '\\') {
                if (text.substr(i, 6) == "\\u0000") {
                    pos = i;
                    return Prescan::nul;
                }
                ++i;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        if (c == '"') in_string = true;
        else if (c == '[' || c == '{') {
            if (++depth > kMaxDepth) return Prescan::too_deep;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return Prescan::ok;
}

}  // namespace

Result<JsonPtr> json_parse(std::string_view text, size_t max_bytes) {
    if (text.size() > max_bytes) {
        return Error{Status::too_big,
                     "JSON document of " + std::to_string(text.size()) + " bytes exceeds the limit of " +
                         std::to_string(max_bytes) + " bytes"};
    }
    size_t bad = 0;
    if (!utf8_valid(text, &bad)) {
        return Error{Status::json, "invalid UTF-8 at byte " + std::to_string(bad), bad};
    }
    switch (prescan(text, bad)) {
        case Prescan::too_deep:
            return Error{Status::json, "JSON nested deeper than " + std::to_string(kMaxDepth) + " levels"};
        case Prescan::nul:
            return Error{Status::json, "NUL character in JSON at byte " + std::to_string(bad), bad};
        case Prescan::control:
            return Error{Status::json, "control character in JSON at byte " + std::to_string(bad), bad};
        case Prescan::ok: break;
    }
    const char *end = nullptr;
    cJSON *root = cJSON_ParseWithLengthOpts(text.data(), text.size(), &end, false);
    if (root == nullptr) {
        size_t pos = end != nullptr && end >= text.data() ? static_cast<size_t>(end - text.data()) : 0;
        if (text.empty() || trim(text).empty()) return Error{Status::json, "empty JSON document", 0};
        return Error{Status::json, "malformed JSON near byte " + std::to_string(pos), pos};
    }
    JsonPtr owned(root);
    size_t consumed = static_cast<size_t>(end - text.data());
    std::string_view rest = trim(text.substr(consumed));
    // cJSON stops at an embedded NUL; anything but white space after the value is an error.
    if (!rest.empty() && !(rest.size() == 1 && rest[0] == '\0')) {
        return Error{Status::json, "unexpected data after the JSON value at byte " + std::to_string(consumed),
                     consumed};
    }
    if (!depth_ok(root, 1)) {
        return Error{Status::json, "JSON nested deeper than " + std::to_string(kMaxDepth) + " levels"};
    }
    return owned;
}

bool json_is_object(const cJSON *node) noexcept { return node != nullptr && cJSON_IsObject(node); }
bool json_is_array(const cJSON *node) noexcept { return node != nullptr && cJSON_IsArray(node); }
bool json_is_string(const cJSON *node) noexcept { return node != nullptr && cJSON_IsString(node); }
bool json_is_null(const cJSON *node) noexcept { return node != nullptr && cJSON_IsNull(node); }
const char *json_key(const cJSON *node) noexcept { return node->string != nullptr ? node->string : ""; }
const cJSON *json_child(const cJSON *node) noexcept { return node != nullptr ? node->child : nullptr; }
const cJSON *json_next(const cJSON *node) noexcept { return node != nullptr ? node->next : nullptr; }
size_t json_array_size(const cJSON *node) noexcept {
    return node != nullptr ? static_cast<size_t>(cJSON_GetArraySize(node)) : 0;
}

Result<std::string_view> json_string(const cJSON *node, std::string_view what, Status status) {
    if (!json_is_string(node) || node->valuestring == nullptr) {
        return Error{status, std::string(what) + " must be a string"};
    }
    return std::string_view(node->valuestring);
}

Result<double> json_number(const cJSON *node, std::string_view what, Status status) {
    if (node == nullptr || !cJSON_IsNumber(node) || !std::isfinite(node->valuedouble)) {
        return Error{status, std::string(what) + " must be a number"};
    }
    return node->valuedouble;
}

Result<int64_t> json_int(const cJSON *node, std::string_view what, int64_t min, int64_t max, Status status) {
    auto d = json_number(node, what, status);
    if (!d) return std::move(d).error();
    double v = *d;
    if (v != std::floor(v) || v < static_cast<double>(min) || v > static_cast<double>(max)) {
        return Error{status, std::string(what) + " must be a whole number from " + std::to_string(min) + " to " +
                                 std::to_string(max)};
    }
    return static_cast<int64_t>(v);
}

Result<bool> json_bool(const cJSON *node, std::string_view what, Status status) {
    if (node == nullptr || !cJSON_IsBool(node)) return Error{status, std::string(what) + " must be true or false"};
    return cJSON_IsTrue(node) != 0;
}

void JsonWriter::separate() {
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (depth_ > 0) {
        uint64_t bit = uint64_t{1} << (depth_ - 1);
        if (has_element_ & bit) out_.push_back(',');
        has_element_ |= bit;
    }
}

JsonWriter &JsonWriter::begin_object() {
    separate();
    out_.push_back('{');
    ++depth_;
    has_element_ &= ~(uint64_t{1} << (depth_ - 1));
    return *this;
}
JsonWriter &JsonWriter::end_object() {
    --depth_;
    out_.push_back('}');
    return *this;
}
JsonWriter &JsonWriter::begin_array() {
    separate();
    out_.push_back('[');
    ++depth_;
    has_element_ &= ~(uint64_t{1} << (depth_ - 1));
    return *this;
}
JsonWriter &JsonWriter::end_array() {
    --depth_;
    out_.push_back(']');
    return *this;
}
JsonWriter &JsonWriter::key(std::string_view k) {
    separate();
    json_append_string(out_, k);
    out_.push_back(':');
    after_key_ = true;
    return *this;
}
JsonWriter &JsonWriter::value(std::string_view s) {
    separate();
    json_append_string(out_, s);
    return *this;
}
JsonWriter &JsonWriter::value(int64_t v) {
    separate();
    out_ += std::to_string(v);
    return *this;
}
JsonWriter &JsonWriter::value(double v) {
    separate();
    if (!std::isfinite(v)) {
        out_ += "null";
        return *this;
    }
    char buf[32];
    int n = std::snprintf(buf, sizeof buf, "%.17g", v);
    // Prefer the shortest form that round-trips.
    for (int prec = 1; prec <= 17; ++prec) {
        char trial[32];
        int m = std::snprintf(trial, sizeof trial, "%.*g", prec, v);
        if (std::strtod(trial, nullptr) == v) {
            out_.append(trial, static_cast<size_t>(m));
            return *this;
        }
    }
    out_.append(buf, static_cast<size_t>(n));
    return *this;
}
JsonWriter &JsonWriter::value(bool v) {
    separate();
    out_ += v ? "true" : "false";
    return *this;
}
JsonWriter &JsonWriter::null() {
    separate();
    out_ += "null";
    return *this;
}
JsonWriter &JsonWriter::timestamp(std::optional<int64_t> unix_ms) {
    if (!unix_ms) return null();
    return value(std::string_view(format_timestamp(*unix_ms)));
}
JsonWriter &JsonWriter::raw(std::string_view json) {
    separate();
    out_ += json;
    return *this;
}

}  // namespace presend
