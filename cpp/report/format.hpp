// Text and number formatting shared by the report renderers: how numbers are
// written (canonical for machines, grouped for people) and how untrusted text
// is escaped for HTML, Markdown and CSV. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace presend::report {

// The canonical form of a model number, used in JSON, CSV and HTML data-*
// attributes: whole numbers below 2^53 as integers ("4120"), others in the
// shortest form that reads back as the same double ("0.0824", "6.58e-05").
std::string number_text(double v);

// For people: whole numbers grouped by thousands ("4,120"); fractions with
// one decimal ("1,563.4"). "—" when absent.
std::string count_text(double v);
std::string count_text(const std::optional<double> &v);

// A ratio as a percentage with a fixed number of decimals (0.023, 2 →
// "2.30%"); "—" when absent or not finite.
std::string percent_text(double ratio, int decimals);
std::string percent_text(const std::optional<double> &ratio, int decimals);
// A ratio as a percentage with at most three decimals and no trailing zeros,
// for thresholds (0.05 → "5%", 0.001 → "0.1%", 0.0008 → "0.08%").
std::string percent_short(double ratio);

// Text from the model made safe to show: C0/C1 control characters other than
// tab and line feed become U+FFFD, CR LF and CR become LF, and the Unicode
// bidirectional controls (which can make text display in an order other than
// the one stored, e.g. to disguise an address) become a visible "[U+202E]".
std::string neutralize(std::string_view s);

// HTML text and attribute values (always double-quoted by the caller).
std::string html_escape(std::string_view s);

// Markdown (GitHub flavoured), one line: every character that Markdown or
// inline HTML could interpret is backslash-escaped, `|` included so that a
// table keeps its columns, line breaks become spaces.
std::string md_text(std::string_view s);
// The same for text that starts a line: what would open a block there (a
// list item, a setext underline, "1." or "1)") is escaped as well.
std::string md_line(std::string_view s);
// A code span holding `s` literally.
std::string md_code(std::string_view s);

// One RFC 4180 CSV field. Text that a spreadsheet could take for a formula
// (starting with = + - @ tab or CR, as OWASP's CSV-injection advice lists) is
// prefixed with an apostrophe; fields holding a comma, quote or line break
// are quoted. `numeric` fields come from number_text and are left alone.
std::string csv_field(std::string_view s, bool numeric = false);

}  // namespace presend::report
