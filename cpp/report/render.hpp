// presend's audit report, rendered from its model: a JSON document (schema 1,
// described field by field in docs/report.md) that the store's aggregation
// produces for a period. The renderers are pure: model text in, report text
// out, no I/O, no clock, no locale.
//
//   json  the model, validated and pretty-printed (2-space indent, members in
//         model order, numbers in their shortest exact form)
//   html  one self-contained page (inline CSS and SVG charts, no script, no
//         external resource) meant to be read on screen and printed
//   md    GitHub-flavoured Markdown: the same sections, tables, no charts
//   csv   one long-format table (RFC 4180, CRLF): section, account, region,
//         subject, item, date, metric, value
//
// Every string from the model is escaped for the target format; nothing in a
// model can add markup, a link, a table column or a spreadsheet formula.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "result.hpp"

namespace presend::report {

enum class Format { json, html, csv, md };

// "json", "html", "csv", "md" (also "markdown"), as given to --format.
// Anything else: status invalid_argument.
Result<Format> parse_format(std::string_view name);
// The canonical name ("md" for Format::md).
std::string_view format_name(Format f) noexcept;
// The usual file extension without the dot ("html", "md", ...).
std::string_view format_extension(Format f) noexcept;

// The largest model accepted (status too_big beyond it). The aggregation caps
// the listed recipients, so a real model is far smaller.
inline constexpr size_t kMaxModelBytes = size_t{64} << 20;

// Renders a model. Errors:
//   json    the text is not JSON (message names the byte position)
//   too_big the text is longer than kMaxModelBytes
//   schema  not a presend report ("report" is not "presend"), a schema other
//           than 1, or a member of the wrong type (the message names it, e.g.
//           "volume[0].days[2].sent must be a number")
// The output ends with a newline; csv ends with CRLF.
Result<std::string> render(std::string_view model_json, Format f);

}  // namespace presend::report
