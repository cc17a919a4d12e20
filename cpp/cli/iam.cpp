// `presend iam lint|simulate`: the IAM least-privilege plugin's evaluator and
// linter from the command line (the same code the plugin runs).
#include <cjson/cJSON.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli.hpp"
#include "iam.hpp"
#include "ses.hpp"

namespace presend::cli {

namespace {

namespace iam = presend::iam;

iam::Policy load_policy(const std::string &path) {
    std::string text = read_input(path);
    auto p = iam::parse_policy(text, path);
    if (!p) throw CliError{path + ": not a valid IAM policy: " + p.error().message};
    return std::move(*p);
}

std::vector<iam::Policy> load_policies(const std::vector<std::string> &paths) {
    std::vector<iam::Policy> out;
    for (const auto &p : paths) out.push_back(load_policy(p));
    return out;
}

struct Linted {
    std::string label;  // "" for files given on the command line, else the account
    std::vector<iam::Policy> policies;
    std::vector<iam::Finding> findings;
};

// The iam_least_privilege plugin's configuration inside presend's
// configuration file, when there is one.
std::vector<Linted> lint_configured(const Args &a) {
    std::string path;
    if (a.config) path = *a.config;
    else if (const char *env = std::getenv("PRESEND_CONFIG"); env != nullptr && *env != '\0') path = env;
    else if (::access("presend.json", F_OK) == 0) path = "presend.json";
    if (path.empty()) {
        throw UsageError{"usage: presend iam lint POLICY.json... (or give --config FILE whose plugins include "
                         "iam_least_privilege)"};
    }
    std::string text = read_input(path);
    std::unique_ptr<cJSON, decltype(&cJSON_Delete)> doc(cJSON_ParseWithLength(text.data(), text.size()), cJSON_Delete);
    if (!doc) throw CliError{"cannot parse the configuration " + path};
    const cJSON *plugin = nullptr;
    const cJSON *plugins = cJSON_GetObjectItemCaseSensitive(doc.get(), "plugins");
    for (const cJSON *p = plugins != nullptr ? plugins->child : nullptr; p != nullptr; p = p->next) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(p, "name");
        if (cJSON_IsString(name) && std::string_view(name->valuestring) == "iam_least_privilege") plugin = p;
    }
    if (plugin == nullptr) throw CliError{path + " does not configure the iam_least_privilege plugin; name POLICY.json files"};
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(plugin, "config");
    char *cfg_text = cfg != nullptr ? cJSON_PrintUnformatted(cfg) : nullptr;
    std::string cfg_json = cfg_text != nullptr ? cfg_text : "{}";
    cJSON_free(cfg_text);
    auto reader = [](const std::string &file) -> iam::Result<std::string> {
        try {
            return read_input(file);
        } catch (const CliError &e) {
            return iam::Error{e.message, iam::Error::npos};
        }
    };
    auto parsed = iam::parse_plugin_config(cfg_json, reader);
    if (!parsed) throw CliError{path + ": " + parsed.error().message};
    std::vector<Linted> out;
    for (auto &acc : parsed->accounts) {
        iam::LintOptions opts;
        opts.profile = iam::lint_profile(acc);
        Linted l{acc.account, std::move(acc.policies), {}};
        l.findings = iam::lint(l.policies, opts);
        out.push_back(std::move(l));
    }
    return out;
}

int cmd_lint(const Args &a) {
    allow_only(a, {});
    std::vector<Linted> sets;
    if (!a.positional.empty()) {
        Linted l;
        l.policies = load_policies(a.positional);
        l.findings = iam::lint(l.policies);
        sets.push_back(std::move(l));
    } else {
        sets = lint_configured(a);
    }
    size_t counts[3] = {0, 0, 0};
    std::string json = "{\"sets\":[";
    std::ostringstream text;
    for (size_t i = 0; i < sets.size(); ++i) {
        const Linted &l = sets[i];
        json += (i ? "," : "") + std::string("{\"account\":") + (l.label.empty() ? "null" : json_string(l.label)) +
                ",\"policies\":[";
        for (size_t k = 0; k < l.policies.size(); ++k) json += (k ? "," : "") + json_string(l.policies[k].name);
        json += "],\"findings\":" + iam::findings_json(l.findings) + "}";
        if (!l.label.empty()) text << "account " << l.label << ":\n";
        for (const auto &f : l.findings) {
            ++counts[static_cast<int>(f.severity)];
            text << (l.label.empty() ? "" : "  ") << iam::severity_name(f.severity) << " " << f.code << "  " << f.policy;
            if (f.statement) {
                text << " statement " << *f.statement;
                if (!f.sid.empty()) text << " (\"" << f.sid << "\")";
            }
            text << ": " << f.message << "\n";
        }
    }
    json += "],\"errors\":" + std::to_string(counts[2]) + ",\"warnings\":" + std::to_string(counts[1]) +
            ",\"info\":" + std::to_string(counts[0]) + "}";
    text << counts[2] << " error(s), " << counts[1] << " warning(s), " << counts[0] << " info\n";
    print_json_or(a, json, text.str());
    return counts[2] > 0 ? kExitBlock : kExitOk;
}

int cmd_simulate(const Args &a) {
    allow_only(a, {"action", "resource", "context"});
    const char *usage = "usage: presend iam simulate POLICY.json... --action A --resource ARN [--context KEY=VALUE]...";
    if (a.positional.empty()) throw UsageError{usage};
    auto action = a.opt("action");
    auto resource = a.opt("resource");
    if (!action || !resource) throw UsageError{std::string(usage) + " (--action and --resource are required)"};
    if (action->find(':') == std::string::npos && *action != "*") {
        throw UsageError{"--action must be service:Action, e.g. ses:SendEmail"};
    }
    iam::Request req{*action, *resource, {}};
    // A key given several times is multivalued, like ses:Recipients.
    std::vector<std::pair<std::string, std::vector<std::string>>> ctx;
    for (const auto &kv : a.all("context")) {
        auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0) throw UsageError{"--context takes KEY=VALUE, not \"" + kv + "\""};
        std::string key = kv.substr(0, eq);
        auto folded = [](std::string s) {
            for (auto &c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            return s;
        };
        auto it = std::find_if(ctx.begin(), ctx.end(), [&](const auto &e) { return folded(e.first) == folded(key); });
        if (it == ctx.end()) ctx.push_back({key, {kv.substr(eq + 1)}});
        else it->second.push_back(kv.substr(eq + 1));
    }
    for (auto &[k, v] : ctx) {
        if (v.size() > 1) req.context.set_list(k, std::move(v));
        else req.context.set(k, std::move(v.front()));
    }
    auto policies = load_policies(a.positional);
    iam::Evaluation e = iam::evaluate(policies, req);
    if (a.json) {
        std::cout << iam::evaluation_json(policies, req, e) << "\n";
    } else {
        std::cout << iam::decision_name(e.decision) << ": " << req.action << " on " << req.resource << "\n";
        if (e.deciding) {
            std::cout << "  deciding " << iam::describe(policies, *e.deciding) << "\n";
        } else {
            std::cout << "  no statement allows it (default deny)\n";
            for (const auto &nm : e.near_misses) {
                const auto &c = policies[nm.ref.policy].statements[nm.ref.statement].conditions[nm.condition];
                std::cout << "  " << iam::describe(policies, nm.ref) << " matches the action and resource, but its "
                          << "condition " << c.op_text << " " << c.key << " does not hold\n";
            }
        }
    }
    return e.decision == iam::Decision::allow ? kExitOk : kExitBlock;
}

}  // namespace

int cmd_iam(const Args &args) {
    if (args.positional.empty()) throw UsageError{"usage: presend iam lint|simulate ..."};
    std::string sub = args.positional[0];
    Args a = args;
    a.positional.erase(a.positional.begin());
    if (sub == "lint") return cmd_lint(a);
    if (sub == "simulate") return cmd_simulate(a);
    throw UsageError{"unknown iam command \"" + sub + "\" (lint, simulate)"};
}

}  // namespace presend::cli
