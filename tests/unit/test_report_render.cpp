// The report renderers, as a reader of each format sees them: the model's
// numbers are there, hostile text stays text, empty and zero models render,
// and the charts carry the right numbers.
#include <gtest/gtest.h>

#include <cjson/cJSON.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <functional>
#include <iterator>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "report/format.hpp"
#include "report/render.hpp"
#include "text.hpp"

namespace presend::report {
namespace {

// --- helpers -------------------------------------------------------------------------

std::string read_sample() {
    std::ifstream in(PRESEND_REPORT_SAMPLE, std::ios::binary);
    EXPECT_TRUE(in) << "cannot read " << PRESEND_REPORT_SAMPLE;
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

const std::string &sample() {
    static const std::string s = read_sample();
    return s;
}

struct CJsonFree {
    void operator()(cJSON *p) const { cJSON_Delete(p); }
};
using Doc = std::unique_ptr<cJSON, CJsonFree>;

Doc parse(const std::string &text) {
    Doc d(cJSON_Parse(text.c_str()));
    EXPECT_NE(d, nullptr);
    return d;
}

std::string print(const cJSON *d) {
    char *p = cJSON_PrintUnformatted(d);
    std::string s(p);
    cJSON_free(p);
    return s;
}

// The sample with `edit` applied to its parsed form.
std::string edited(const std::function<void(cJSON *)> &edit) {
    Doc d = parse(sample());
    edit(d.get());
    return print(d.get());
}

cJSON *at(cJSON *node, std::initializer_list<const char *> path) {
    for (const char *p : path) {
        if (cJSON_IsArray(node)) {
            node = cJSON_GetArrayItem(node, std::stoi(p));
        } else {
            node = cJSON_GetObjectItemCaseSensitive(node, p);
        }
        if (node == nullptr) ADD_FAILURE() << "no member " << p;
    }
    return node;
}

void set(cJSON *obj, const char *key, cJSON *value) {
    if (cJSON_HasObjectItem(obj, key)) {
        cJSON_ReplaceItemInObjectCaseSensitive(obj, key, value);
    } else {
        cJSON_AddItemToObject(obj, key, value);
    }
}

std::string render_ok(const std::string &model, Format f) {
    auto r = render(model, f);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : std::string();
}

size_t count(const std::string &haystack, const std::string &needle) {
    size_t n = 0;
    for (size_t p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1)) ++n;
    return n;
}

size_t count_re(const std::string &haystack, const std::string &re) {
    std::regex r(re);
    return static_cast<size_t>(std::distance(std::sregex_iterator(haystack.begin(), haystack.end(), r),
                                             std::sregex_iterator()));
}

std::string re_escape(const std::string &s) {
    static const std::regex special(R"([.^$|()\[\]{}*+?\\])");
    return std::regex_replace(s, special, R"(\$&)");
}

// Every number in a JSON tree, in canonical form, and the whole ones also
// as people read them ("4,120").
void numbers(const cJSON *n, std::vector<double> &out) {
    for (const cJSON *c = n->child; c != nullptr; c = c->next) {
        if (cJSON_IsNumber(c)) out.push_back(c->valuedouble);
        numbers(c, out);
    }
}

void set_all_numbers(cJSON *n, double v) {
    for (cJSON *c = n->child; c != nullptr; c = c->next) {
        if (cJSON_IsNumber(c) && std::string_view(c->string ? c->string : "") != "schema") cJSON_SetNumberValue(c, v);
        set_all_numbers(c, v);
    }
}

std::vector<std::vector<std::string>> read_csv(const std::string &text) {
    CsvReader reader(text);
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> fields;
    Error err;
    while (reader.next(fields, err)) {
        EXPECT_EQ(err.status, Status::ok) << err.message;
        rows.push_back(fields);
    }
    return rows;
}

// The first chart figure of a kind ("volume", "bounce", "complaint", "consent").
std::string figure(const std::string &html, const std::string &kind) {
    size_t b = html.find("<figure class=\"chart-figure chart-" + kind + "\"");
    EXPECT_NE(b, std::string::npos) << kind;
    if (b == std::string::npos) return "";
    return html.substr(b, html.find("</figure>", b) - b);
}

// Markup in Markdown output: a "<" neither escaped with a backslash nor
// inside a code span (which Markdown shows literally).
bool has_raw(const std::string &md, const std::string &tag) {
    std::string text = std::regex_replace(md, std::regex("`[^`\n]*`"), "");
    return std::regex_search(text, std::regex("(^|[^\\\\])" + tag));
}

bool has_nan_or_inf(const std::string &s) {
    return std::regex_search(s, std::regex(R"(\b(nan|NaN|inf|Infinity)\b)"));
}

// A volume entry with `days` days of `sent` each, and a maximum (or none).
std::string volume_model(const std::vector<double> &sent, std::optional<double> max_24h) {
    return edited([&](cJSON *d) {
        cJSON *v = at(d, {"volume", "0"});
        cJSON *days = cJSON_CreateArray();
        for (size_t i = 0; i < sent.size(); ++i) {
            cJSON *day = cJSON_CreateObject();
            char date[48];
            std::snprintf(date, sizeof date, "2026-%02zu-%02zu", 1 + i / 28, 1 + i % 28);
            cJSON_AddStringToObject(day, "date", date);
            cJSON_AddNumberToObject(day, "sent", sent[i]);
            cJSON_AddNumberToObject(day, "blocked", 0);
            cJSON_AddNumberToObject(day, "deferred", 0);
            cJSON_AddItemToArray(days, day);
        }
        set(v, "days", days);
        set(v, "max_24h", max_24h ? cJSON_CreateNumber(*max_24h) : cJSON_CreateNull());
    });
}

// --- formats and errors --------------------------------------------------------------

TEST(ReportFormat, ParsesTheNamesGivenToFormat) {
    EXPECT_EQ(*parse_format("html"), Format::html);
    EXPECT_EQ(*parse_format("json"), Format::json);
    EXPECT_EQ(*parse_format("csv"), Format::csv);
    EXPECT_EQ(*parse_format("md"), Format::md);
    EXPECT_EQ(*parse_format("markdown"), Format::md);
    for (const char *bad : {"", "HTML", "pdf", "xlsx", "md "}) {
        auto f = parse_format(bad);
        ASSERT_FALSE(f.ok()) << bad;
        EXPECT_EQ(f.error().status, Status::invalid_argument);
        EXPECT_NE(f.error().message.find("html, json, csv or md"), std::string::npos);
    }
    EXPECT_EQ(format_name(Format::md), "md");
    EXPECT_EQ(format_extension(Format::html), "html");
}

TEST(ReportErrors, TextThatIsNotJsonIsAJsonError) {
    for (const char *bad : {"", "   ", "{", "{\"report\":\"presend\",\"schema\":1} x", "<html>"}) {
        auto r = render(bad, Format::html);
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_EQ(r.error().status, Status::json) << bad;
        EXPECT_EQ(r.error().message.rfind("report model: ", 0), 0u) << r.error().message;
    }
}

TEST(ReportErrors, AModelBeyondTheLimitIsTooBig) {
    std::string huge(kMaxModelBytes + 1, ' ');
    auto r = render(huge, Format::json);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().status, Status::too_big);
}

TEST(ReportErrors, SomethingOtherThanAPresendReportIsASchemaError) {
    struct Case {
        const char *model;
        const char *says;
    };
    const Case cases[] = {
        {"[]", "must be a JSON object"},
        {"{}", "not a presend report"},
        {R"({"report":"other","schema":1})", "not a presend report"},
        {R"({"report":"presend"})", "no \"schema\""},
        {R"({"report":"presend","schema":"1"})", "no \"schema\""},
        {R"({"report":"presend","schema":2})", "report schema 2 is not supported"},
    };
    for (const Case &c : cases) {
        for (Format f : {Format::json, Format::html, Format::csv, Format::md}) {
            auto r = render(c.model, f);
            ASSERT_FALSE(r.ok()) << c.model;
            EXPECT_EQ(r.error().status, Status::schema) << c.model;
            EXPECT_NE(r.error().message.find(c.says), std::string::npos) << r.error().message;
        }
    }
}

TEST(ReportErrors, AMemberOfTheWrongTypeIsNamed) {
    struct Case {
        std::function<void(cJSON *)> edit;
        const char *says;
    };
    const Case cases[] = {
        {[](cJSON *d) { set(at(d, {"volume", "0", "days", "2"}), "sent", cJSON_CreateString("x")); },
         "volume[0].days[2].sent must be a number"},
        {[](cJSON *d) { set(at(d, {"summary"}), "messages", cJSON_CreateNumber(-1)); },
         "summary.messages must not be negative"},
        {[](cJSON *d) { set(d, "volume", cJSON_CreateObject()); }, "volume must be an array"},
        {[](cJSON *d) { cJSON_AddItemToArray(at(d, {"top_reasons"}), cJSON_CreateString("x")); },
         "top_reasons[4] must be an object"},
        {[](cJSON *d) { set(at(d, {"not_sent"}), "truncated", cJSON_CreateString("yes")); },
         "not_sent.truncated must be true or false"},
        {[](cJSON *d) { cJSON_AddItemToArray(at(d, {"authentication", "1", "problems"}), cJSON_CreateNumber(1)); },
         "authentication[1].problems[4] must be a string"},
        {[](cJSON *d) { set(at(d, {"events"}), "ingested", cJSON_CreateTrue()); },
         "events.ingested must be a number"},
        {[](cJSON *d) { set(at(d, {"reputation", "0", "ses"}), "bounce_review", cJSON_CreateString("5%")); },
         "reputation[0].ses.bounce_review must be a number"},
    };
    for (const Case &c : cases) {
        auto r = render(edited(c.edit), Format::html);
        ASSERT_FALSE(r.ok()) << c.says;
        EXPECT_EQ(r.error().status, Status::schema);
        EXPECT_NE(r.error().message.find(c.says), std::string::npos) << r.error().message;
    }
}

TEST(ReportErrors, MissingMembersAndNullsRender) {
    // Absent is not wrong: a model of only the header renders in every format.
    const std::string bare = R"({"report":"presend","schema":1})";
    for (Format f : {Format::json, Format::html, Format::csv, Format::md}) {
        std::string out = render_ok(bare, f);
        EXPECT_FALSE(out.empty());
        EXPECT_FALSE(has_nan_or_inf(out)) << format_name(f);
    }
}

// --- json ----------------------------------------------------------------------------

TEST(ReportJson, IsTheSameModelPrettyPrinted) {
    std::string out = render_ok(sample(), Format::json);
    Doc a = parse(sample()), b = parse(out);
    EXPECT_TRUE(cJSON_Compare(a.get(), b.get(), true));
    EXPECT_EQ(out.rfind("{\n  \"report\": \"presend\",\n  \"schema\": 1,\n", 0), 0u) << out.substr(0, 80);
    EXPECT_NE(out.find("\n      \"max_24h\": 50000,\n"), std::string::npos);
    EXPECT_NE(out.find("\"peak_share\": 0.0824"), std::string::npos);
    EXPECT_NE(out.find("\"rows\": [\n"), std::string::npos);
    EXPECT_NE(out.find("\"lint\": []"), std::string::npos);
    EXPECT_EQ(out.back(), '\n');
    // Canonical: rendering the rendering changes nothing.
    EXPECT_EQ(render_ok(out, Format::json), out);
}

TEST(ReportJson, KeepsMembersTheRenderersDoNotKnow) {
    std::string model = edited([](cJSON *d) { cJSON_AddStringToObject(d, "x_extra", "kept"); });
    EXPECT_NE(render_ok(model, Format::json).find("\"x_extra\": \"kept\""), std::string::npos);
}

// --- html ----------------------------------------------------------------------------

TEST(ReportHtml, IsOneSelfContainedPageWithPrintRules) {
    std::string h = render_ok(sample(), Format::html);
    EXPECT_EQ(h.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0), 0u);
    EXPECT_EQ(count(h, "<style>"), 1u);
    EXPECT_NE(h.find("@media print"), std::string::npos);
    EXPECT_NE(h.find("break-before: page"), std::string::npos);
    EXPECT_NE(h.find("break-inside: avoid"), std::string::npos);
    EXPECT_EQ(h.find("<script"), std::string::npos);
    EXPECT_EQ(h.find("<link"), std::string::npos);
    EXPECT_EQ(h.find("<img"), std::string::npos);
    EXPECT_EQ(h.find("@import"), std::string::npos);
    EXPECT_EQ(h.find("url("), std::string::npos);
    EXPECT_EQ(h.find("src="), std::string::npos);
    EXPECT_EQ(count_re(h, R"(href="(?!#))"), 0u);
    EXPECT_EQ(count(h, "<h1>"), 1u);
}

TEST(ReportHtml, SectionsFollowTheModelsOrder) {
    std::string h = render_ok(sample(), Format::html);
    size_t last = 0;
    for (const char *id : {"summary", "volume", "reasons", "not-sent", "reputation", "events", "consent",
                           "authentication", "plugins", "audit", "ses-request"}) {
        size_t p = h.find("<section id=\"" + std::string(id) + "\"");
        ASSERT_NE(p, std::string::npos) << id;
        EXPECT_GT(p, last) << id;
        last = p;
    }
}

TEST(ReportHtml, VolumeBarsCarryEachDaysNumber) {
    std::string h = render_ok(sample(), Format::html);
    const std::pair<const char *, int> days[] = {{"2026-11-18", 812},  {"2026-11-19", 1303}, {"2026-11-20", 0},
                                                 {"2026-11-21", 4120}, {"2026-11-22", 2210}, {"2026-11-23", 999},
                                                 {"2026-11-24", 1500}};
    for (const auto &[date, sent] : days) {
        std::string d = date, v = std::to_string(sent);
        EXPECT_EQ(count_re(h, "<rect class=\"bar\" data-date=\"" + d + "\" data-value=\"" + v + "\""), 1u) << d;
        EXPECT_EQ(count_re(h, "<text class=\"bar-label[^\"]*\" data-date=\"" + d + "\" data-value=\"" + v +
                                  "\"[^>]*>" + re_escape(count_text(sent)) + "</text>"),
                  1u)
            << d;
    }
    // 50,000 is more than 5 times the busiest day: drawn above the scale, labelled.
    EXPECT_EQ(count(h, "<line class=\"limit off-scale\" data-value=\"50000\" data-off-scale=\"true\""), 1u);
    EXPECT_EQ(count_re(h, R"(<text class="limit-label" data-value="50000"[^>]*>24-hour maximum 50,000 )"), 1u);
}

TEST(ReportHtml, RateChartsCarryDailyRatesAndLabelledThresholds) {
    std::string h = render_ok(sample(), Format::html);
    // 2026-11-18: 20 bounces and 1 complaint of 812 sends.
    EXPECT_EQ(count(h, "<rect class=\"bar\" data-date=\"2026-11-18\" data-value=\"" + number_text(20.0 / 812) +
                           "\" data-sends=\"812\" data-bounces=\"20\""),
              1u);
    EXPECT_EQ(count_re(h, R"(data-date="2026-11-18" data-value="[0-9.e-]+"[^>]*>2\.46%</text>)"), 1u);
    EXPECT_EQ(count(h, "data-value=\"" + number_text(1.0 / 812) + "\" data-sends=\"812\" data-complaints=\"1\""), 1u);
    EXPECT_EQ(count_re(h, R"(>0\.123%</text>)"), 1u);
    // A day without sends has no rate, and says so.
    EXPECT_EQ(count_re(h, R"(<text class="bar-label no-data" data-date="2026-11-20" data-value=""[^>]*>no sends<)"),
              2u);
    struct T {
        const char *kind, *value, *label;
    };
    for (const T &t : {T{"ses_review", "0.05", "SES review 5%"}, T{"ses_pause", "0.1", "SES pause 10%"},
                       T{"ses_review", "0.001", "SES review 0.1%"}, T{"ses_pause", "0.005", "SES pause 0.5%"},
                       T{"presend_warn", "0.02", "presend warn 2%"}, T{"presend_defer", "0.04", "presend defer 4%"},
                       T{"presend_warn", "0.0005", "presend warn 0.05%"},
                       T{"presend_defer", "0.0008", "presend defer 0.08%"}}) {
        std::string a = "data-kind=\"" + std::string(t.kind) + "\" data-value=\"" + t.value + "\"";
        EXPECT_EQ(count(h, "<line class=\"threshold t-" + std::string(t.kind) + "\" " + a), 1u) << t.label;
        EXPECT_EQ(count_re(h, "<text class=\"threshold-label t-" + std::string(t.kind) + "\" " + re_escape(a) +
                                  "[^>]*>" + re_escape(t.label) + "</text>"),
                  1u)
            << t.label;
    }
    EXPECT_EQ(count_re(h, R"(<text class="window-label" data-value="0.023"[^>]*>168-hour rate 2\.30%</text>)"), 1u);
}

TEST(ReportHtml, SaysHowFarTheWindowRateIsFromEachThreshold) {
    std::string h = render_ok(sample(), Format::html);
    EXPECT_NE(h.find("2.70 percentage points below (46% of the threshold)"), std::string::npos);  // SES review 5%
    EXPECT_NE(h.find("7.70 percentage points below (23% of the threshold)"), std::string::npos);  // SES pause 10%
    EXPECT_NE(h.find("0.30 percentage points above: reached"), std::string::npos);                // presend warn 2%
    EXPECT_NE(h.find("0.034 percentage points below (66% of the threshold)"), std::string::npos); // SES 0.1%
    EXPECT_NE(h.find("0.434 percentage points below (13% of the threshold)"), std::string::npos); // SES 0.5%
}

TEST(ReportHtml, ShowsTheModelsNumbers) {
    std::string h = render_ok(sample(), Format::html);
    Doc d = parse(sample());
    std::vector<double> all;
    numbers(d.get(), all);
    for (double v : all) {
        if (v == std::floor(v)) {
            bool shown = h.find(count_text(v)) != std::string::npos || h.find(number_text(v)) != std::string::npos;
            EXPECT_TRUE(shown) << v;
        }
    }
    for (const char *s : {"8.2%", "2.30%", "0.066%", "82.0%", "30.0%", "99.2%", "2048-bit", "p=quarantine",
                          "10,944", "1,563", "14 per second"}) {
        EXPECT_NE(h.find(s), std::string::npos) << s;
    }
    EXPECT_EQ(count_re(h, R"(<rect class="bar" data-list="weekly" data-value="0.82")"), 1u);
    EXPECT_EQ(count_re(h, R"(<text class="bar-label" data-list="promo" data-value="0.3"[^>]*>30\.0%</text>)"), 1u);
}

TEST(ReportHtml, SaysWhenTheListOfRecipientsIsTruncated) {
    std::string h = render_ok(sample(), Format::html);
    EXPECT_EQ(count_re(h, R"(<p class="note truncated"><strong>The list is truncated:</strong> 3 of 410 )"), 1u);
    EXPECT_NE(h.find("<code>k:9f86d081884c7d65</code>"), std::string::npos);
    std::string whole = edited([](cJSON *d) { set(at(d, {"not_sent"}), "truncated", cJSON_CreateFalse()); });
    EXPECT_EQ(render_ok(whole, Format::html).find("truncated"), std::string::npos);
}

TEST(ReportHtml, AFailedAuditIsProminent) {
    std::string ok = render_ok(sample(), Format::html);
    EXPECT_EQ(ok.find("audit-failed"), std::string::npos);
    EXPECT_NE(ok.find("<section id=\"audit\" class=\"verified\""), std::string::npos);

    std::string model = edited([](cJSON *d) {
        cJSON *a = at(d, {"audit"});
        set(a, "verified", cJSON_CreateFalse());
        set(a, "first_bad", cJSON_CreateNumber(812));
        set(a, "problem", cJSON_CreateString("hash mismatch"));
    });
    std::string h = render_ok(model, Format::html);
    EXPECT_NE(h.find("<section id=\"audit\" class=\"failed\""), std::string::npos);
    // At the top of the summary and in the audit section.
    EXPECT_EQ(count(h, "<div class=\"alert audit-failed\" role=\"alert\">"), 2u);
    size_t summary = h.find("<section id=\"summary\"");
    EXPECT_LT(h.find("audit-failed"), h.find("<h3>At a glance</h3>"));
    EXPECT_GT(h.find("audit-failed"), summary);
    EXPECT_NE(h.find("Audit chain verification FAILED at record 812: hash mismatch."), std::string::npos);

    std::string md = render_ok(model, Format::md);
    EXPECT_EQ(count(md, "> **AUDIT CHAIN NOT VERIFIED.** Audit chain verification FAILED at record 812: hash"), 2u);
    std::string csv = render_ok(model, Format::csv);
    EXPECT_NE(csv.find("audit,,,,,,verified,false\r\n"), std::string::npos);
    EXPECT_NE(csv.find("audit,,,,,,first_bad,812\r\n"), std::string::npos);

    // No audit result at all is not a pass either.
    std::string none = render_ok(edited([](cJSON *d) { cJSON_DeleteItemFromObject(d, "audit"); }), Format::html);
    EXPECT_EQ(count(none, "alert audit-failed"), 2u);
}

TEST(ReportHtml, SaysHowAddressesAreShown) {
    EXPECT_NE(render_ok(sample(), Format::html).find("contains personal data"), std::string::npos);
    std::string hashed = edited([](cJSON *d) { set(d, "addresses", cJSON_CreateString("hashed")); });
    EXPECT_NE(render_ok(hashed, Format::html).find("shown as keyed hashes"), std::string::npos);
    EXPECT_NE(render_ok(hashed, Format::md).find("shown as keyed hashes"), std::string::npos);
}

// --- hostile text --------------------------------------------------------------------

const char *const kScript = "<script>alert(1)</script>";
const char *const kAttr = "\"><img src=x onerror=alert(1)>";
const char *const kFormula = "=HYPERLINK(\"http://evil.example\",\"x\")";

std::string hostile_model() {
    return edited([](cJSON *d) {
        set(d, "presend_version", cJSON_CreateString(kScript));
        cJSON *row = at(d, {"not_sent", "rows", "0"});
        set(row, "recipient", cJSON_CreateString(kScript));
        set(row, "list", cJSON_CreateString("a|b|c"));
        set(row, "message_id", cJSON_CreateString("<m|1@example.com>\\`x`"));
        set(at(d, {"not_sent", "rows", "1"}), "recipient", cJSON_CreateString("evil\u202Egpj.exe"));
        set(at(d, {"volume", "0"}), "account", cJSON_CreateString(kAttr));
        set(at(d, {"volume", "0", "days", "0"}), "date", cJSON_CreateString(kAttr));
        set(at(d, {"top_reasons", "0"}), "code", cJSON_CreateString(kFormula));
        set(at(d, {"top_reasons", "1"}), "code", cJSON_CreateString("@SUM(A1:A9)"));
        set(at(d, {"top_reasons", "2"}), "code", cJSON_CreateString("-2+3"));
        set(at(d, {"top_reasons", "3"}), "code", cJSON_CreateString("+1|x"));
        set(at(d, {"consent_coverage", "0"}), "list", cJSON_CreateString("\tcmd"));
        set(at(d, {"volume", "0"}), "tier", cJSON_CreateString("*bold* _x_ [l](http://x) # h\n- item"));
        set(at(d, {"authentication", "0"}), "identity", cJSON_CreateString("a,b\"c\r\nd"));
        set(at(d, {"ses_request"}), "opt_out",
            cJSON_CreateString("<a href=\"https://evil.example/\">unsubscribe</a>\n\n1. first"));
        cJSON_AddNumberToObject(at(d, {"events"}), "<b>bold</b>", 7);
    });
}

TEST(ReportHostile, HtmlShowsTextNeverMarkup) {
    std::string h = render_ok(hostile_model(), Format::html);
    EXPECT_EQ(h.find("<script"), std::string::npos);
    EXPECT_EQ(h.find("<img"), std::string::npos);
    EXPECT_EQ(h.find("<b>"), std::string::npos);
    EXPECT_EQ(h.find("<a href=\"https"), std::string::npos);
    EXPECT_EQ(count_re(h, R"(href="(?!#))"), 0u);
    EXPECT_NE(h.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
    EXPECT_NE(h.find("data-date=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\""), std::string::npos);
    EXPECT_NE(h.find("&lt;a href=&quot;https://evil.example/&quot;&gt;unsubscribe&lt;/a&gt;"), std::string::npos);
    // A bidirectional override cannot reorder what the reader sees.
    EXPECT_EQ(h.find("\u202E"), std::string::npos);
    EXPECT_NE(h.find("evil[U+202E]gpj.exe"), std::string::npos);
}

TEST(ReportHostile, MarkdownTablesKeepTheirColumns) {
    std::string md = render_ok(hostile_model(), Format::md);
    EXPECT_FALSE(has_raw(md, "<script"));
    EXPECT_FALSE(has_raw(md, "<a "));
    EXPECT_FALSE(has_raw(md, "<b>"));
    EXPECT_FALSE(has_raw(md, "</"));
    EXPECT_NE(md.find("\\<script\\>alert(1)\\</script\\>"), std::string::npos);
    EXPECT_NE(md.find("a\\|b\\|c"), std::string::npos);
    EXPECT_NE(md.find("\\*bold\\* \\_x\\_ \\[l\\](http://x) \\# h - item"), std::string::npos);
    EXPECT_EQ(md.find("\u202E"), std::string::npos);
    // Every row of a table has as many cells as its header.
    std::istringstream lines(md);
    std::string line;
    size_t columns = 0;
    auto cells = [](const std::string &l) {
        size_t n = 0;
        for (size_t i = 0; i < l.size(); ++i) {
            if (l[i] == '\\') {
                ++i;
            } else if (l[i] == '|') {
                ++n;
            }
        }
        return n;
    };
    size_t rows = 0;
    while (std::getline(lines, line)) {
        if (line.empty() || line[0] != '|') {
            columns = 0;
            continue;
        }
        if (columns == 0) {
            columns = cells(line);
            continue;
        }
        EXPECT_EQ(cells(line), columns) << line;
        ++rows;
    }
    EXPECT_GT(rows, 40u);
    // Paragraph text cannot start a list.
    EXPECT_NE(md.find("unsubscribe\\</a\\>\n\n1\\. first"), std::string::npos);
}

TEST(ReportHostile, CsvCellsAreNeverFormulas) {
    std::string csv = render_ok(hostile_model(), Format::csv);
    auto rows = read_csv(csv);
    ASSERT_GT(rows.size(), 100u);
    for (const auto &r : rows) {
        ASSERT_EQ(r.size(), 8u) << csv;
        for (const std::string &f : r) {
            if (!f.empty()) {
                EXPECT_EQ(std::string("=+-@\t\r").find(f[0]), std::string::npos) << f;
            }
        }
    }
    EXPECT_NE(csv.find("top_reasons,,,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",,,severity,block\r\n"),
              std::string::npos);
    EXPECT_NE(csv.find("top_reasons,,,'@SUM(A1:A9),,,recipients,95\r\n"), std::string::npos);
    EXPECT_NE(csv.find("top_reasons,,,'-2+3,,,"), std::string::npos);
    EXPECT_NE(csv.find("top_reasons,,,'+1|x,,,"), std::string::npos);
    EXPECT_NE(csv.find("consent_coverage,,,'\tcmd,,,share,0.82\r\n"), std::string::npos);
    // A field holding a comma, quote or line break is quoted (and read back whole).
    bool found = false;
    for (const auto &r : rows) found = found || r[3] == "a,b\"c\nd";
    EXPECT_TRUE(found);
}

// --- markdown ------------------------------------------------------------------------

TEST(ReportMarkdown, HasTheSectionsAndNumbers) {
    std::string md = render_ok(sample(), Format::md);
    EXPECT_EQ(md.rfind("# presend compliance report\n", 0), 0u);
    size_t last = 0;
    for (const char *h : {"## Summary", "## Volume per day", "## Top reasons", "## Recipients not sent",
                          "## Bounce and complaint rates", "## Events from SES", "## Consent coverage by list",
                          "## Sender authentication", "## Plugin findings and IAM lint", "## Audit chain",
                          "## Evidence for an Amazon SES request"}) {
        size_t p = md.find("\n" + std::string(h));
        ASSERT_NE(p, std::string::npos) << h;
        EXPECT_GT(p, last) << h;
        last = p;
    }
    Doc d = parse(sample());
    std::vector<double> all;
    numbers(d.get(), all);
    for (double v : all) {
        if (v == std::floor(v)) {
            bool shown = md.find(count_text(v)) != std::string::npos || md.find(number_text(v)) != std::string::npos;
            EXPECT_TRUE(shown) << v;
        }
    }
    EXPECT_NE(md.find("| 2026-11-21 | 4,120 | 160 | 31 | 8.2% |"), std::string::npos);
    EXPECT_NE(md.find("| 2026-11-18 | 812 | 20 | 2.46% | 1 | 0.123% |"), std::string::npos);
    EXPECT_NE(md.find("| 2026-11-20 | 0 | 0 | no sends | 0 | no sends |"), std::string::npos);
    EXPECT_NE(md.find("| SES review | 5% | 2.70 percentage points below (46% of the threshold) |"), std::string::npos);
    EXPECT_NE(md.find("| SES pause | 0.5% | 0.434 percentage points below (13% of the threshold) |"),
              std::string::npos);
    EXPECT_NE(md.find("**The list is truncated:** 3 of 410 recipients are shown."), std::string::npos);
    EXPECT_NE(md.find("| `weekly` | 6,100 | 5,002 | 82.0% | 6,050 | 99.2% |"), std::string::npos);
    EXPECT_NE(md.find("| `k:9f86d081884c7d65` |"), std::string::npos);
    EXPECT_EQ(md.find("AUDIT CHAIN NOT VERIFIED"), std::string::npos);
    EXPECT_EQ(md.find("<"), md.find("`<m1@example.com>`") + 1);  // only inside code spans
    EXPECT_EQ(md.back(), '\n');
    EXPECT_NE(md[md.size() - 2], '\n');
}

// --- csv -----------------------------------------------------------------------------

TEST(ReportCsv, IsOneTidyTableWithEveryNumber) {
    std::string csv = render_ok(sample(), Format::csv);
    EXPECT_EQ(csv.rfind("section,account,region,subject,item,date,metric,value\r\n", 0), 0u);
    // CRLF after every record, and no bare LF.
    EXPECT_EQ(count(csv, "\n"), count(csv, "\r\n"));
    EXPECT_EQ(csv.substr(csv.size() - 2), "\r\n");
    auto rows = read_csv(csv);
    std::multiset<std::string> values;
    for (const auto &r : rows) {
        ASSERT_EQ(r.size(), 8u);
        values.insert(r[7]);
    }
    Doc d = parse(sample());
    std::vector<double> all;
    numbers(d.get(), all);
    std::multiset<std::string> wanted;
    for (double v : all) wanted.insert(number_text(v));
    for (const std::string &v : wanted) {
        EXPECT_GE(values.count(v), wanted.count(v)) << "the model's number " << v;
    }
    for (const char *line : {"volume,prod,us-east-1,,,2026-11-21,sent,4120", "volume,prod,us-east-1,,,,max_24h,50000",
                             "volume,prod,us-east-1,,,,peak_share,0.0824",
                             "reputation,prod,us-east-1,,,2026-11-18,bounces,20",
                             "reputation,prod,us-east-1,,,,ses.complaint_review,0.001",
                             "reputation,prod,us-east-1,,,,levels.bounce_warn,0.02", "summary,,,allow,,,messages,1200",
                             "summary,,,block,,,recipients,330", "not_sent,,,,,,truncated,true",
                             "not_sent,prod,us-east-1,bob@example.net,2,2026-11-21T09:14:03Z,reason,suppression.bounce",
                             "not_sent,prod,us-east-1,k:9f86d081884c7d65,3,2026-11-22T17:00:00Z,list,",
                             "consent_coverage,,,promo,,,double_opt_in,210",
                             "authentication,,eu-west-1,news.example.net,,2026-11-24T06:00:00Z,problem,auth.dkim_missing",
                             "authentication,,eu-west-1,news.example.net,,2026-11-24T06:00:00Z,dkim_bits,",
                             "plugin_findings,,,iam_least_privilege,iam.send_denied,,messages,3",
                             "plugin_lint,,,iam_least_privilege,1,,policy,ses-sender.json",
                             "events,,,,,,suppressed,186", "audit,,,,,,records,1520",
                             "ses_request,,,,,,requested.max_24h,10000", "ses_request,,,,,,recent.average_24h,1563"}) {
        EXPECT_NE(csv.find(std::string(line) + "\r\n"), std::string::npos) << line;
    }
}

// --- empty and zero models; chart edge cases -----------------------------------------

TEST(ReportEdges, AnEmptyModelSaysThereIsNothing) {
    const std::string model = R"({"report":"presend","schema":1,"volume":[],"top_reasons":[],
        "not_sent":{"total":0,"shown":0,"truncated":false,"rows":[]},"reputation":[],"events":{},
        "consent_coverage":[],"authentication":[],"plugins":[],"ses_request":{}})";
    std::string h = render_ok(model, Format::html);
    for (const char *s : {"No sending in this period.", "No recipient or message was blocked or deferred",
                          "No recipients to list.", "No events in this period.", "No marketing recipients",
                          "No sending identities are recorded.", "No plugins were loaded.",
                          "No evidence in this report.", "No decisions in this period."}) {
        EXPECT_NE(h.find(s), std::string::npos) << s;
    }
    EXPECT_EQ(h.find("<svg"), std::string::npos);
    std::string md = render_ok(model, Format::md);
    EXPECT_NE(md.find("No sending in this period."), std::string::npos);
    auto rows = read_csv(render_ok(model, Format::csv));
    EXPECT_GT(rows.size(), 3u);
}

TEST(ReportEdges, AModelOfZerosHasNoNanAndDrawsItsCharts) {
    std::string model = edited([](cJSON *d) { set_all_numbers(d, 0); });
    for (Format f : {Format::json, Format::html, Format::csv, Format::md}) {
        std::string out = render_ok(model, f);
        EXPECT_FALSE(has_nan_or_inf(out)) << format_name(f);
    }
    std::string h = render_ok(model, Format::html);
    std::string volume = figure(h, "volume");
    EXPECT_EQ(count(volume, "<rect class=\"bar\" data-date="), 7u);
    EXPECT_EQ(count_re(volume, R"(<text class="bar-label" data-date="[^"]+" data-value="0"[^>]*>0</text>)"), 7u);
    EXPECT_EQ(count(h, "data-off-scale=\"false\""), 1u);
    EXPECT_EQ(count_re(h, R"(<text class="bar-label no-data" data-date="[^"]+" data-value=""[^>]*>no sends<)"), 14u);
    // A threshold of 0 is no threshold: none is drawn.
    EXPECT_EQ(count(h, "<line class=\"threshold "), 0u);
    std::string md = render_ok(model, Format::md);
    EXPECT_NE(md.find("| 2026-11-21 | 0 | 0 | 0 | \u2014 |"), std::string::npos);
}

TEST(ReportEdges, OneDay) {
    std::string h = figure(render_ok(volume_model({321}, 50000), Format::html), "volume");
    EXPECT_EQ(count(h, "<rect class=\"bar\" data-date="), 1u);
    EXPECT_EQ(count_re(h, R"(<rect class="bar" data-date="2026-01-01" data-value="321" x="[0-9.]+" y="[0-9.]+" width="(\d+)(\.\d)?")"),
              1u);
    EXPECT_NE(h.find(">321</text>"), std::string::npos);
}

TEST(ReportEdges, ManyDaysKeepEveryNumber) {
    std::vector<double> sent;
    for (int i = 0; i < 40; ++i) sent.push_back(1000 + 37 * i);
    std::string h = figure(render_ok(volume_model(sent, 3000), Format::html), "volume");
    EXPECT_EQ(count(h, "<rect class=\"bar"), 40u);
    for (double v : sent) {
        EXPECT_EQ(count_re(h, "<text class=\"bar-label[^\"]*\" data-date=\"[^\"]+\" data-value=\"" + number_text(v) +
                                  "\"[^>]*>" + re_escape(count_text(v)) + "</text>"),
                  1u)
            << v;
    }
    // Upright labels when they no longer fit across the bars.
    EXPECT_GT(count(h, "transform=\"rotate(-90"), 40u);
}

TEST(ReportEdges, AMaximumBelowTheVolumeMarksTheDaysOverIt) {
    std::string h = render_ok(volume_model({100, 250, 180}, 200), Format::html);
    EXPECT_EQ(count(figure(h, "volume"), "<rect class=\"bar over\""), 1u);
    EXPECT_NE(h.find("<rect class=\"bar over\" data-date=\"2026-01-02\" data-value=\"250\""), std::string::npos);
    EXPECT_EQ(count(h, "<line class=\"limit\" data-value=\"200\" data-off-scale=\"false\""), 1u);
    EXPECT_NE(h.find("1 day above the 24-hour maximum"), std::string::npos);
    std::string md = render_ok(volume_model({100, 250, 180}, 200), Format::md);
    EXPECT_NE(md.find("| 125.0% (over the maximum) |"), std::string::npos);
}

TEST(ReportEdges, AMaximumFarAboveTheVolumeIsDrawnAboveTheScale) {
    std::string h = render_ok(volume_model({10, 20}, 1000000), Format::html);
    EXPECT_EQ(count(h, "data-off-scale=\"true\""), 1u);
    EXPECT_NE(h.find("24-hour maximum 1,000,000 (above the scale: 50000\u00d7 the busiest day)"), std::string::npos);
    // The bars keep a readable scale: the busiest reaches most of the plot.
    std::smatch m;
    ASSERT_TRUE(std::regex_search(h, m, std::regex(R"re(data-value="20" x="[0-9.]+" y="[0-9.]+" width="[0-9.]+" height="([0-9.]+)")re")));
    EXPECT_GT(std::stod(m[1]), 150.0);
}

TEST(ReportEdges, NoMaximumDrawsNoLine) {
    std::string h = render_ok(volume_model({10, 20}, std::nullopt), Format::html);
    EXPECT_EQ(h.find("class=\"limit"), std::string::npos);
    EXPECT_NE(h.find("No 24-hour maximum is known for this account and region"), std::string::npos);
    EXPECT_NE(render_ok(volume_model({10, 20}, std::nullopt), Format::md).find("none known"), std::string::npos);
}

TEST(ReportEdges, SesThresholdsDefaultToSesPublishedValues) {
    std::string model = edited([](cJSON *d) { cJSON_DeleteItemFromObject(at(d, {"reputation", "0"}), "ses"); });
    std::string h = render_ok(model, Format::html);
    for (const char *label : {">SES review 5%<", ">SES pause 10%<", ">SES review 0.1%<", ">SES pause 0.5%<"}) {
        EXPECT_NE(h.find(label), std::string::npos) << label;
    }
}

// --- formatting ----------------------------------------------------------------------

TEST(ReportFormatting, Numbers) {
    EXPECT_EQ(number_text(4120), "4120");
    EXPECT_EQ(number_text(0.0824), "0.0824");
    EXPECT_EQ(number_text(-0.0), "0");
    EXPECT_EQ(number_text(6.58e-05), "6.58e-05");
    EXPECT_EQ(count_text(1234567), "1,234,567");
    EXPECT_EQ(count_text(999), "999");
    EXPECT_EQ(count_text(1563.44), "1,563.4");
    EXPECT_EQ(count_text(std::nullopt), "\u2014");
    EXPECT_EQ(percent_text(0.023, 2), "2.30%");
    EXPECT_EQ(percent_text(0.000658, 3), "0.066%");
    EXPECT_EQ(percent_short(0.05), "5%");
    EXPECT_EQ(percent_short(0.001), "0.1%");
    EXPECT_EQ(percent_short(0.0008), "0.08%");
}

}  // namespace
}  // namespace presend::report
