// JSON in (cJSON behind an owning handle, with strict validation helpers) and
// JSON out (a small writer that appends to a std::string).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "result.hpp"
#include "text.hpp"  // json_append_string

struct cJSON;

namespace presend {

struct JsonDeleter {
    void operator()(cJSON *p) const noexcept;
};
using JsonPtr = std::unique_ptr<cJSON, JsonDeleter>;

// Parses JSON text: validates UTF-8 first (cJSON does not), rejects trailing
// bytes, depth over 64, and documents over `max_bytes` (status too_big).
// Errors carry status json and the byte position.
Result<JsonPtr> json_parse(std::string_view text, size_t max_bytes);

// Accessors over cJSON nodes. `what` names the value in error messages
// ("message.to[2]").
bool json_is_object(const cJSON *node) noexcept;
bool json_is_array(const cJSON *node) noexcept;
bool json_is_string(const cJSON *node) noexcept;
bool json_is_null(const cJSON *node) noexcept;
const char *json_key(const cJSON *node) noexcept;
const cJSON *json_child(const cJSON *node) noexcept;  // first member/element
const cJSON *json_next(const cJSON *node) noexcept;
size_t json_array_size(const cJSON *node) noexcept;

// A string value (UTF-8 already validated at parse time).
Result<std::string_view> json_string(const cJSON *node, std::string_view what, Status status);
// A whole number in [min, max] (JSON numbers are doubles: integers up to 2^53).
Result<int64_t> json_int(const cJSON *node, std::string_view what, int64_t min, int64_t max, Status status);
Result<double> json_number(const cJSON *node, std::string_view what, Status status);
Result<bool> json_bool(const cJSON *node, std::string_view what, Status status);

// Appends JSON output to a string. The caller is responsible for the
// structure (commas are inserted automatically within one object/array).
class JsonWriter {
public:
    explicit JsonWriter(std::string &out) : out_(out) {}

    JsonWriter &begin_object();
    JsonWriter &end_object();
    JsonWriter &begin_array();
    JsonWriter &end_array();
    JsonWriter &key(std::string_view k);
    JsonWriter &value(std::string_view s);
    JsonWriter &value(const char *s) { return value(std::string_view(s)); }
    JsonWriter &value(int64_t v);
    JsonWriter &value(int v) { return value(static_cast<int64_t>(v)); }
    JsonWriter &value(size_t v) { return value(static_cast<int64_t>(v)); }
    JsonWriter &value(double v);
    JsonWriter &value(bool v);
    JsonWriter &null();
    // A timestamp as an RFC 3339 string, or null when absent.
    JsonWriter &timestamp(std::optional<int64_t> unix_ms);
    // Inserts already-serialized JSON as one value.
    JsonWriter &raw(std::string_view json);

    template <class T>
    JsonWriter &field(std::string_view k, const T &v) {
        key(k);
        return value(v);
    }

private:
    void separate();
    std::string &out_;
    // One bit per nesting level: whether the level already has an element.
    uint64_t has_element_ = 0;
    int depth_ = 0;
    bool after_key_ = false;
};


}  // namespace presend
