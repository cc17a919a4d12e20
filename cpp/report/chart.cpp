#include "report/chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string_view>

#include "report/format.hpp"

namespace presend::report {

namespace {

// Coordinates with one decimal: enough for print, short in the file.
std::string n1(double v) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    std::string s(buf);
    if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
    if (s == "-0") s = "0";
    return s;
}

std::string attr(std::string_view name, std::string_view value) {
    return " " + std::string(name) + "=\"" + html_escape(value) + "\"";
}

std::string num_attr(std::string_view name, const Number &v) { return attr(name, v ? number_text(*v) : ""); }

// Roughly how wide a label is: digits and most letters of the sans-serif
// fonts in use are about 0.6 em wide.
double text_width(std::string_view s, double font_size) {
    size_t chars = 0;
    for (char c : s) {
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++chars;
    }
    return static_cast<double>(chars) * font_size * 0.62;
}

bool is_iso_date(std::string_view d) {
    if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
    for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
        if (d[i] < '0' || d[i] > '9') return false;
    }
    return true;
}

// At most `max_chars` characters of s, with an ellipsis when cut.
std::string cut_text(std::string_view s, size_t max_chars) {
    std::string out;
    size_t chars = 0;
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if ((c & 0xC0) != 0x80 && ++chars > max_chars) {
            out += "\u2026";
            break;
        }
        out.push_back(ch);
    }
    return out;
}

// The x-axis label of a day: the full date when there is room, else month
// and day; other text is cut to 12 characters (the data-date keeps it whole).
std::string day_label(const Text &date, double slot) {
    if (!date) return "\u2014";
    if (is_iso_date(*date)) return slot >= 80 ? *date : date->substr(5);
    return cut_text(*date, 12);
}

struct Frame {
    double width, height, left, right, top, bottom;
    double plot_w() const { return width - left - right; }
    double plot_h() const { return height - top - bottom; }
    double base() const { return height - bottom; }
};

struct Scale {
    double top = 1;  // the value at the top of the plot
    double step = 1;
};

Scale make_scale(double raw, int parts, double min_step) {
    Scale s;
    if (!(raw > 0)) raw = min_step > 0 ? min_step : 1;
    s.step = std::max(nice_step(raw, parts), min_step);
    s.top = std::ceil(raw / s.step - 1e-9) * s.step;
    if (s.top <= 0) s.top = s.step;
    return s;
}

double y_of(const Frame &f, const Scale &s, double v) { return f.base() - std::min(v / s.top, 1.0) * f.plot_h(); }

void open_svg(std::string &o, const Frame &f, const std::string &id, const std::string &title,
              const std::string &css_class) {
    o += "<svg class=\"chart " + css_class + "\" viewBox=\"0 0 " + n1(f.width) + " " + n1(f.height) +
         "\" width=\"" + n1(f.width) + "\" height=\"" + n1(f.height) +
         "\" preserveAspectRatio=\"xMinYMin meet\" role=\"img\" aria-labelledby=\"" + id + "-title\">";
    o += "<title id=\"" + id + "-title\">" + html_escape(title) + "</title>";
}

// Horizontal grid lines with their values on the left.
template <class Label>
void grid(std::string &o, const Frame &f, const Scale &s, Label &&label) {
    o += "<g class=\"grid\">";
    int ticks = static_cast<int>(std::llround(s.top / s.step));
    for (int i = 0; i <= ticks && i <= 20; ++i) {
        double v = s.step * i;
        double y = y_of(f, s, v);
        o += "<line class=\"gridline\" x1=\"" + n1(f.left) + "\" x2=\"" + n1(f.left + f.plot_w()) + "\" y1=\"" +
             n1(y) + "\" y2=\"" + n1(y) + "\"/>";
        o += "<text class=\"tick\" x=\"" + n1(f.left - 8) + "\" y=\"" + n1(y + 4) + "\" text-anchor=\"end\">" +
             html_escape(label(v)) + "</text>";
    }
    o += "</g>";
}

void axes(std::string &o, const Frame &f) {
    o += "<line class=\"axis\" x1=\"" + n1(f.left) + "\" x2=\"" + n1(f.left) + "\" y1=\"" + n1(f.top) + "\" y2=\"" +
         n1(f.base()) + "\"/>";
    o += "<line class=\"axis\" x1=\"" + n1(f.left) + "\" x2=\"" + n1(f.left + f.plot_w()) + "\" y1=\"" +
         n1(f.base()) + "\" y2=\"" + n1(f.base()) + "\"/>";
}

// Date labels under the bars: all across when the widest fits its slot,
// else all turned upright; on very crowded charts only every k-th.
struct XLabels {
    std::vector<std::string> text;
    bool upright = false;
    size_t every = 1;
    double height = 0;  // room needed below the axis
};

constexpr double kXLabelSize = 11;

template <class Days>
XLabels plan_x_labels(const Days &days, double plot_w) {
    XLabels x;
    if (days.empty()) return x;
    const double slot = plot_w / static_cast<double>(days.size());
    double widest = 0;
    for (const auto &d : days) {
        x.text.push_back(day_label(d.date, slot));
        widest = std::max(widest, text_width(x.text.back(), kXLabelSize));
    }
    x.upright = widest > slot * 0.95;
    if (x.upright && slot < kXLabelSize + 2) x.every = static_cast<size_t>(std::ceil((kXLabelSize + 2) / slot));
    x.height = x.upright ? widest + 14 : 24;
    return x;
}

template <class Days>
void x_labels(std::string &o, const Frame &f, const Days &days, const XLabels &x) {
    const double slot = f.plot_w() / static_cast<double>(days.size());
    o += "<g class=\"x-labels\">";
    for (size_t i = 0; i < days.size(); ++i) {
        if (i % x.every != 0) continue;
        double cx = f.left + slot * (static_cast<double>(i) + 0.5);
        std::string a = attr("data-date", days[i].date.value_or(""));
        if (!x.upright) {
            o += "<text class=\"x-label\"" + a + " x=\"" + n1(cx) + "\" y=\"" + n1(f.base() + 16) +
                 "\" text-anchor=\"middle\">" + html_escape(x.text[i]) + "</text>";
        } else {
            double lx = cx + kXLabelSize * 0.35, ly = f.base() + 8;
            o += "<text class=\"x-label\"" + a + " x=\"" + n1(lx) + "\" y=\"" + n1(ly) +
                 "\" transform=\"rotate(-90 " + n1(lx) + " " + n1(ly) + ")\" text-anchor=\"end\">" +
                 html_escape(x.text[i]) + "</text>";
        }
    }
    o += "</g>";
}

// A bar's value label: above a bar when it fits across the bar's slot;
// otherwise turned upright, inside the bar when the bar is tall enough.
void bar_label(std::string &o, const std::string &attrs, const std::string &text, double cx, double bar_top,
               double bar_h, double slot, const std::string &extra_class = "") {
    double fs = 11;
    std::string cls = "bar-label" + extra_class;
    if (text_width(text, fs) <= slot * 0.96) {
        o += "<text class=\"" + cls + "\"" + attrs + " x=\"" + n1(cx) + "\" y=\"" + n1(bar_top - 5) +
             "\" text-anchor=\"middle\" font-size=\"" + n1(fs) + "\">" + html_escape(text) + "</text>";
        return;
    }
    fs = std::clamp(slot * 0.8, 6.0, 11.0);
    double len = text_width(text, fs);
    double x = cx + fs * 0.35;
    if (bar_h >= len + 10) {
        double y = bar_top + 5;
        o += "<text class=\"" + cls + " inside\"" + attrs + " x=\"" + n1(x) + "\" y=\"" + n1(y) +
             "\" transform=\"rotate(-90 " + n1(x) + " " + n1(y) + ")\" text-anchor=\"end\" font-size=\"" + n1(fs) +
             "\">" + html_escape(text) + "</text>";
    } else {
        double y = bar_top - 4;
        o += "<text class=\"" + cls + "\"" + attrs + " x=\"" + n1(x) + "\" y=\"" + n1(y) + "\" transform=\"rotate(-90 " +
             n1(x) + " " + n1(y) + ")\" text-anchor=\"start\" font-size=\"" + n1(fs) + "\">" + html_escape(text) +
             "</text>";
    }
}

// Labels at the right of the plot for horizontal lines, moved apart so that
// none overlaps another; a short leader joins a moved label to its line.
struct SideLabel {
    double line_y;
    std::string attrs, text, css_class;
    double y = 0;
};

void side_labels(std::string &o, const Frame &f, std::vector<SideLabel> labels) {
    const double gap = 15;
    std::sort(labels.begin(), labels.end(), [](const SideLabel &a, const SideLabel &b) { return a.line_y > b.line_y; });
    // Bottom to top: each label at least `gap` above the one below it.
    for (size_t i = 0; i < labels.size(); ++i) {
        labels[i].y = labels[i].line_y + 4;
        if (i > 0) labels[i].y = std::min(labels[i].y, labels[i - 1].y - gap);
    }
    // If that pushed the top ones out of the picture, push back down.
    double min_y = 12;
    for (size_t i = labels.size(); i-- > 0;) {
        if (labels[i].y < min_y) labels[i].y = min_y;
        min_y = labels[i].y + gap;
    }
    double x0 = f.left + f.plot_w();
    for (const SideLabel &l : labels) {
        o += "<line class=\"leader\" x1=\"" + n1(x0) + "\" x2=\"" + n1(x0 + 8) + "\" y1=\"" + n1(l.line_y) +
             "\" y2=\"" + n1(l.y - 4) + "\"/>";
        o += "<text class=\"" + l.css_class + "\"" + l.attrs + " x=\"" + n1(x0 + 11) + "\" y=\"" + n1(l.y) +
             "\" text-anchor=\"start\">" + html_escape(l.text) + "</text>";
    }
}

}  // namespace

double nice_step(double span, int parts) {
    double raw = span / std::max(parts, 1);
    if (!(raw > 0) || !std::isfinite(raw)) return 1;
    double p = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
        if (m * p >= raw * (1 - 1e-9)) return m * p;
    }
    return 10 * p;
}

std::string volume_chart(const Volume &v, const std::string &id) {
    std::string o;
    const std::string where = place(v.account, v.region);
    if (v.days.empty()) return "<p class=\"empty\">No days in this period.</p>";

    Frame f{760, 0, 70, 20, 40, 0};
    const XLabels xl = plan_x_labels(v.days, f.plot_w());
    f.bottom = xl.height;
    f.height = f.top + 250 + f.bottom;
    double peak = 0;
    for (const VolumeDay &d : v.days) peak = std::max(peak, d.sent.value_or(0));
    const Number limit = v.max_24h;
    // A maximum far above the busiest day would flatten the bars to nothing:
    // then the bars keep their own scale and the maximum is drawn above it.
    const bool off_scale = limit && peak > 0 && *limit > 5 * peak;
    double raw = off_scale ? peak : std::max(peak, limit.value_or(0));
    Scale s = make_scale(raw * 1.08, 4, 1);

    o += "<figure class=\"chart-figure chart-volume\"" + attr("data-account", v.account.value_or("")) +
         attr("data-region", v.region.value_or("")) + ">";
    open_svg(o, f, id, "Recipients sent per day, " + where, "volume");
    grid(o, f, s, [](double t) { return count_text(t); });

    const double slot = f.plot_w() / static_cast<double>(v.days.size());
    const double bw = std::min(std::max(slot * 0.72, 1.0), 90.0);
    o += "<g class=\"bars\">";
    size_t over_days = 0;
    for (size_t i = 0; i < v.days.size(); ++i) {
        const VolumeDay &d = v.days[i];
        double val = d.sent.value_or(0);
        double top = y_of(f, s, val);
        double h = f.base() - top;
        double cx = f.left + slot * (static_cast<double>(i) + 0.5);
        bool over = limit && d.sent && *d.sent > *limit;
        over_days += over ? 1 : 0;
        std::string a = attr("data-date", d.date.value_or("")) + num_attr("data-value", d.sent);
        o += "<rect class=\"bar" + std::string(over ? " over" : "") + "\"" + a + " x=\"" + n1(cx - bw / 2) +
             "\" y=\"" + n1(top) + "\" width=\"" + n1(bw) + "\" height=\"" + n1(h) + "\"/>";
        bar_label(o, a, count_text(d.sent), cx, top, h, slot, over ? " over" : "");
    }
    o += "</g>";
    axes(o, f);
    x_labels(o, f, v.days, xl);

    if (limit) {
        double y = off_scale ? f.top - 16 : y_of(f, s, *limit);
        std::string text = "24-hour maximum " + count_text(*limit);
        if (off_scale) {
            char times[32];
            std::snprintf(times, sizeof times, "%.0f", std::floor(*limit / peak));
            text += " (above the scale: " + std::string(times) + "\u00d7 the busiest day)";
        }
        std::string a = num_attr("data-value", limit) + attr("data-off-scale", off_scale ? "true" : "false");
        o += "<line class=\"limit" + std::string(off_scale ? " off-scale" : "") + "\"" + a + " x1=\"" + n1(f.left) +
             "\" x2=\"" + n1(f.left + f.plot_w()) + "\" y1=\"" + n1(y) + "\" y2=\"" + n1(y) + "\"/>";
        if (off_scale) {
            // The break in the value axis between the scale and the maximum.
            o += "<path class=\"axis-break\" d=\"M" + n1(f.left - 6) + " " + n1(f.top - 4) + "l12 -5M" +
                 n1(f.left - 6) + " " + n1(f.top + 1) + "l12 -5\"/>";
        }
        // The label sits on the line at the right, unless bars there reach
        // the line: then it goes above the plot, keyed by a piece of the line.
        const double right = f.left + f.plot_w() - 4;
        const double width = text_width(text, 12) * 1.1;
        bool crowded = false;
        for (size_t i = 0; i < v.days.size() && !off_scale; ++i) {
            double cx = f.left + slot * (static_cast<double>(i) + 0.5);
            if (cx + bw / 2 < right - width || cx - bw / 2 > right) continue;
            crowded = crowded || y_of(f, s, v.days[i].sent.value_or(0)) < y + 22;
        }
        double label_y = crowded ? f.top - 14 : y - 6;
        if (crowded) {
            o += "<line class=\"limit-key\" x1=\"" + n1(right - width - 34) + "\" x2=\"" + n1(right - width - 6) +
                 "\" y1=\"" + n1(label_y - 4) + "\" y2=\"" + n1(label_y - 4) + "\"/>";
        }
        o += "<text class=\"limit-label\"" + num_attr("data-value", limit) + " x=\"" + n1(right) + "\" y=\"" +
             n1(label_y) + "\" text-anchor=\"end\">" + html_escape(text) + "</text>";
    }
    o += "</svg><figcaption>Recipients sent per day (UTC) for " + html_escape(where);
    if (!limit) {
        o += ". No 24-hour maximum is known for this account and region, so none is drawn.";
    } else if (over_days > 0) {
        o += ". Dark bars: " + std::to_string(over_days) + (over_days == 1 ? " day" : " days") +
             " above the 24-hour maximum.";
    } else {
        o += ", against the 24-hour maximum (dashed line).";
    }
    o += "</figcaption></figure>";
    return o;
}

std::string rate_chart(const Reputation &r, RateKind k, const std::string &id) {
    std::string o;
    const std::string where = place(r.account, r.region);
    const std::string noun(rate_noun(k));
    const std::vector<Threshold> ts = thresholds(r, k);
    const Number window = window_rate(r, k);

    Frame f{760, 0, 62, 172, 30, 0};
    const XLabels xl = plan_x_labels(r.days, f.plot_w());
    f.bottom = std::max(xl.height, 24.0);
    f.height = f.top + 220 + f.bottom;
    double raw = window.value_or(0);
    for (const Threshold &t : ts) raw = std::max(raw, t.value);
    for (const ReputationDay &d : r.days) raw = std::max(raw, ratio(day_count(d, k), d.sends).value_or(0));
    Scale s = make_scale(raw > 0 ? raw * 1.1 : 0.01, 4, 0);

    double review = 0;
    for (const Threshold &t : ts) {
        if (t.kind == "ses_review") review = t.value;
    }

    o += "<figure class=\"chart-figure chart-" + noun + "\"" + attr("data-account", r.account.value_or("")) +
         attr("data-region", r.region.value_or("")) + ">";
    open_svg(o, f, id, "Daily " + noun + " rate, " + where, "rates " + noun);
    grid(o, f, s, [](double t) { return percent_short(t); });

    o += "<g class=\"bars\">";
    if (!r.days.empty()) {
        const double slot = f.plot_w() / static_cast<double>(r.days.size());
        const double bw = std::min(std::max(slot * 0.72, 1.0), 90.0);
        for (size_t i = 0; i < r.days.size(); ++i) {
            const ReputationDay &d = r.days[i];
            const Number count = day_count(d, k);
            const Number rate = ratio(count, d.sends);
            double cx = f.left + slot * (static_cast<double>(i) + 0.5);
            std::string date = attr("data-date", d.date.value_or(""));
            if (!rate) {
                std::string text = d.sends && *d.sends == 0 ? "no sends" : "no data";
                bar_label(o, date + attr("data-value", ""), text, cx, f.base(), 0, slot, " no-data");
                continue;
            }
            double top = y_of(f, s, *rate);
            double h = f.base() - top;
            bool over = review > 0 && *rate >= review;
            std::string a = date + num_attr("data-value", rate);
            o += "<rect class=\"bar" + std::string(over ? " over" : "") + "\"" + a + num_attr("data-sends", d.sends) +
                 num_attr("data-" + noun + "s", count) + " x=\"" + n1(cx - bw / 2) + "\" y=\"" + n1(top) +
                 "\" width=\"" + n1(bw) + "\" height=\"" + n1(h) + "\"/>";
            bar_label(o, a, percent_text(*rate, rate_decimals(k)), cx, top, h, slot, over ? " over" : "");
        }
    }
    o += "</g>";
    axes(o, f);
    if (!r.days.empty()) x_labels(o, f, r.days, xl);

    std::vector<SideLabel> labels;
    for (const Threshold &t : ts) {
        double y = y_of(f, s, t.value);
        std::string a = attr("data-kind", t.kind) + attr("data-value", number_text(t.value));
        o += "<line class=\"threshold t-" + t.kind + "\"" + a + " x1=\"" + n1(f.left) + "\" x2=\"" +
             n1(f.left + f.plot_w()) + "\" y1=\"" + n1(y) + "\" y2=\"" + n1(y) + "\"/>";
        labels.push_back({y, a, t.label, "threshold-label t-" + t.kind});
    }
    if (window) {
        double y = y_of(f, s, *window);
        std::string a = num_attr("data-value", window);
        std::string hours = r.window_hours ? count_text(r.window_hours) + "-hour" : "window";
        o += "<line class=\"window-rate\"" + a + " x1=\"" + n1(f.left) + "\" x2=\"" + n1(f.left + f.plot_w()) +
             "\" y1=\"" + n1(y) + "\" y2=\"" + n1(y) + "\"/>";
        labels.push_back({y, a, hours + " rate " + percent_text(*window, rate_decimals(k)), "window-label"});
    }
    side_labels(o, f, labels);
    o += "</svg><figcaption>Daily " + html_escape(noun) + " rate (" + html_escape(noun) +
         "s \u00f7 sends) for " + html_escape(where) +
         ", against SES's review and pause thresholds and presend's own warn and defer levels";
    o += review > 0 ? ". Dark bars: days at or above SES's review threshold." : ".";
    if (r.days.empty()) o += " No days in this period.";
    o += "</figcaption></figure>";
    return o;
}

std::string consent_chart(const std::vector<ConsentCoverage> &lists, const std::string &id) {
    if (lists.empty()) return "";
    const double row = 30;
    Frame f{760, 0, 170, 64, 26, 8};
    f.height = f.top + f.bottom + row * static_cast<double>(lists.size());
    std::string o = "<figure class=\"chart-figure chart-consent\">";
    open_svg(o, f, id, "Share of marketing recipients with double opt-in, by list", "consent");
    // Scale marks at 0, 25, 50, 75 and 100%.
    for (int q = 0; q <= 4; ++q) {
        double x = f.left + f.plot_w() * q / 4.0;
        o += "<line class=\"gridline\" x1=\"" + n1(x) + "\" x2=\"" + n1(x) + "\" y1=\"" + n1(f.top - 4) +
             "\" y2=\"" + n1(f.height - f.bottom) + "\"/>";
        o += "<text class=\"tick\" x=\"" + n1(x) + "\" y=\"" + n1(f.top - 9) + "\" text-anchor=\"middle\">" +
             std::to_string(q * 25) + "%</text>";
    }
    o += "<g class=\"bars\">";
    for (size_t i = 0; i < lists.size(); ++i) {
        const ConsentCoverage &c = lists[i];
        Number share = c.share ? c.share : ratio(c.double_opt_in, c.marketing_recipients);
        double y = f.top + row * static_cast<double>(i);
        std::string name = c.list.value_or("(no list)");
        std::string shown = cut_text(name, 28);
        std::string a = attr("data-list", c.list.value_or("")) + num_attr("data-value", share);
        o += "<text class=\"y-label\"" + attr("data-list", c.list.value_or("")) + " x=\"" + n1(f.left - 8) +
             "\" y=\"" + n1(y + row / 2 + 4) + "\" text-anchor=\"end\">" + html_escape(shown) + "</text>";
        o += "<rect class=\"track\" x=\"" + n1(f.left) + "\" y=\"" + n1(y + 5) + "\" width=\"" + n1(f.plot_w()) +
             "\" height=\"" + n1(row - 10) + "\"/>";
        double w = std::clamp(share.value_or(0), 0.0, 1.0) * f.plot_w();
        o += "<rect class=\"bar\"" + a + " x=\"" + n1(f.left) + "\" y=\"" + n1(y + 5) + "\" width=\"" + n1(w) +
             "\" height=\"" + n1(row - 10) + "\"/>";
        o += "<text class=\"bar-label\"" + a + " x=\"" + n1(f.left + f.plot_w() + 8) + "\" y=\"" +
             n1(y + row / 2 + 4) + "\" text-anchor=\"start\">" + html_escape(percent_text(share, 1)) + "</text>";
    }
    o += "</g></svg><figcaption>Share of marketing recipients on each list whose consent was confirmed by double "
         "opt-in.</figcaption></figure>";
    return o;
}

}  // namespace presend::report
