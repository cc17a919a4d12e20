#include "report/render.hpp"

#include <cjson/cJSON.h>

#include <cmath>

#include "json.hpp"
#include "report/format.hpp"
#include "report/model.hpp"
#include "report/renderers.hpp"
#include "text.hpp"

namespace presend::report {

namespace {

void indent(std::string &o, int depth) { o.append(static_cast<size_t>(depth) * 2, ' '); }

void pretty(std::string &o, const cJSON *v, int depth) {
    if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
        bool object = cJSON_IsObject(v);
        const cJSON *c = v->child;
        if (c == nullptr) {
            o += object ? "{}" : "[]";
            return;
        }
        o += object ? "{\n" : "[\n";
        for (; c != nullptr; c = c->next) {
            indent(o, depth + 1);
            if (object) {
                json_append_string(o, c->string != nullptr ? c->string : "");
                o += ": ";
            }
            pretty(o, c, depth + 1);
            if (c->next != nullptr) o.push_back(',');
            o.push_back('\n');
        }
        indent(o, depth);
        o += object ? "}" : "]";
    } else if (cJSON_IsString(v)) {
        json_append_string(o, v->valuestring != nullptr ? v->valuestring : "");
    } else if (cJSON_IsNumber(v)) {
        std::string n = number_text(v->valuedouble);
        o += n.empty() ? "null" : n;
    } else if (cJSON_IsBool(v)) {
        o += cJSON_IsTrue(v) ? "true" : "false";
    } else {
        o += "null";
    }
}

}  // namespace

Result<Format> parse_format(std::string_view name) {
    if (name == "json") return Format::json;
    if (name == "html") return Format::html;
    if (name == "csv") return Format::csv;
    if (name == "md" || name == "markdown") return Format::md;
    return Error{Status::invalid_argument,
                 "unknown report format \"" + std::string(name) + "\" (expected html, json, csv or md)"};
}

std::string_view format_name(Format f) noexcept {
    switch (f) {
        case Format::json: return "json";
        case Format::html: return "html";
        case Format::csv: return "csv";
        case Format::md: return "md";
    }
    return "json";
}

std::string_view format_extension(Format f) noexcept { return format_name(f); }

std::string render_json(const cJSON *root) {
    std::string o;
    pretty(o, root, 0);
    o.push_back('\n');
    return o;
}

Result<std::string> render(std::string_view model_json, Format f) {
    auto parsed = json_parse(model_json, kMaxModelBytes);
    if (!parsed) {
        Error err = std::move(parsed).error();
        err.message = "report model: " + err.message;
        return err;
    }
    const cJSON *root = parsed->get();
    auto model = read_model(root);
    if (!model) {
        Error err = std::move(model).error();
        err.message = "report model: " + err.message;
        return err;
    }
    switch (f) {
        case Format::json: return render_json(root);
        case Format::html: return render_html(*model);
        case Format::csv: return render_csv(*model);
        case Format::md: return render_markdown(*model);
    }
    return Error{Status::invalid_argument, "unknown report format"};
}

}  // namespace presend::report
