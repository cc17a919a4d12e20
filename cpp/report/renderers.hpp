// The renderers behind render(): each turns a read model into one format.
#pragma once

#include <string>

#include "report/model.hpp"

struct cJSON;

namespace presend::report {

std::string render_html(const Model &m);
std::string render_markdown(const Model &m);
std::string render_csv(const Model &m);
// The model as parsed, pretty-printed.
std::string render_json(const cJSON *root);

}  // namespace presend::report
