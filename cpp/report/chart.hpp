// Inline SVG charts for the HTML report. Each returns a <figure> holding an
// <svg> whose marks carry their numbers twice: as data-* attributes in the
// canonical number form (number_text) and as visible <text>, so the chart is
// readable printed in black and white and checkable by a program.
//
//   volume:  rect.bar[data-date][data-value]          recipients sent that day
//            text.bar-label[data-date][data-value]    the same number, shown
//            line.limit[data-value][data-off-scale]   the 24-hour maximum
//            text.limit-label[data-value]
//   rates:   rect.bar[data-date][data-value]          the day's rate (ratio)
//              [data-sends][data-bounces|data-complaints]
//            text.bar-label[data-date][data-value]    the rate as a percentage
//            text.bar-label.no-data[data-date]        a day without sends
//            line.threshold[data-kind][data-value]    presend_warn, presend_defer,
//            text.threshold-label[data-kind][data-value]  ses_review, ses_pause
//            line.window-rate[data-value], text.window-label[data-value]
//   consent: rect.bar[data-list][data-value]          double opt-in share (ratio)
//            text.bar-label[data-list][data-value]
#pragma once

#include <string>
#include <vector>

#include "report/describe.hpp"
#include "report/model.hpp"

namespace presend::report {

// `id` makes element ids unique within the page ("volume-0").
std::string volume_chart(const Volume &v, const std::string &id);
std::string rate_chart(const Reputation &r, RateKind k, const std::string &id);
std::string consent_chart(const std::vector<ConsentCoverage> &lists, const std::string &id);

// The step between axis ticks for a range of `span` split into about
// `parts`: 1, 2, 2.5 or 5 times a power of ten.
double nice_step(double span, int parts);

}  // namespace presend::report
