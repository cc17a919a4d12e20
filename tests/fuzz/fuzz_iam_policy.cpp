// Feeds arbitrary bytes to the IAM policy parser, then lints what parses and
// evaluates a few SES requests against it. Checks: errors carry a message and
// a position inside the input; a decision agrees with its deciding statement
// (Allow: a matching Allow and no matching Deny; ExplicitDeny: a matching
// Deny; ImplicitDeny: no statement at all); lint findings have iam.* codes
// listed by lint_codes(); the JSON the CLI prints parses.
#include <cjson/cJSON.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "iam.hpp"
#include "ses.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace {

namespace iam = presend::iam;

void check_json(const std::string &out) {
    cJSON *doc = cJSON_ParseWithLength(out.data(), out.size());
    if (doc == nullptr) __builtin_trap();
    cJSON_Delete(doc);
}

std::vector<iam::Request> requests() {
    std::vector<iam::Request> out;
    iam::Request send{"ses:SendEmail", "arn:aws:ses:us-east-1:123456789012:identity/example.com", {}};
    send.context.set("ses:FromAddress", "news@example.com");
    send.context.set("ses:FromDisplayName", "News");
    send.context.set_list("ses:Recipients", {"a@example.org", "b@example.net"});
    send.context.set("aws:username", "mailer");
    send.context.set("aws:SourceIp", "192.0.2.7");
    send.context.set("aws:CurrentTime", "2026-01-01T00:00:00Z");
    send.context.set("aws:EpochTime", "1767225600");
    send.context.set("aws:SecureTransport", "true");
    send.context.set("aws:PrincipalArn", "arn:aws:iam::123456789012:role/mailer");
    out.push_back(send);
    iam::Request raw = send;
    raw.action = "ses:SendRawEmail";
    raw.resource = "arn:aws:ses:us-east-1:123456789012:configuration-set/marketing";
    out.push_back(raw);
    out.push_back(iam::Request{"ses:GetSendQuota", "*", {}});
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string_view text(reinterpret_cast<const char *>(data), size);
    (void)iam::parse_mailbox(text);
    auto parsed = iam::parse_policy(text, "fuzz.json");
    if (!parsed) {
        const auto &e = parsed.error();
        if (e.message.empty()) __builtin_trap();
        if (e.position != iam::Error::npos && e.position > size) __builtin_trap();
        return 0;
    }
    std::vector<iam::Policy> policies{std::move(*parsed)};
    for (const auto &st : policies[0].statements) {
        if (st.actions.empty() || st.resources.empty()) __builtin_trap();
    }
    static const std::vector<iam::Request> kRequests = requests();
    for (const auto &req : kRequests) {
        iam::Evaluation e = iam::evaluate(policies, req);
        switch (e.decision) {
            case iam::Decision::allow:
                if (!e.deciding || !e.denies.empty() || e.allows.empty()) __builtin_trap();
                break;
            case iam::Decision::explicit_deny:
                if (!e.deciding || e.denies.empty()) __builtin_trap();
                break;
            case iam::Decision::implicit_deny:
                if (e.deciding || !e.allows.empty() || !e.denies.empty()) __builtin_trap();
                break;
        }
        if (e.deciding) {
            const auto &st = policies[e.deciding->policy].statements[e.deciding->statement];
            if (!iam::statement_matches(policies[0], st, req)) __builtin_trap();
            if ((st.effect == iam::Effect::deny) != (e.decision == iam::Decision::explicit_deny)) __builtin_trap();
        }
        check_json(iam::evaluation_json(policies, req, e));
    }
    iam::LintOptions with_profile;
    with_profile.profile = iam::SendProfile{};
    with_profile.profile->aws_account_id = "123456789012";
    with_profile.profile->region = "us-east-1";
    with_profile.profile->configuration_set = "marketing";
    for (const auto &opts : {iam::LintOptions{}, with_profile}) {
        auto findings = iam::lint(policies, opts);
        for (const auto &f : findings) {
            if (f.code.rfind("iam.", 0) != 0 || f.message.empty()) __builtin_trap();
            bool known = false;
            for (const auto &c : iam::lint_codes()) known = known || c.code == f.code;
            if (!known) __builtin_trap();
            if (f.statement && *f.statement >= policies[0].statements.size()) __builtin_trap();
        }
        check_json(iam::findings_json(findings));
    }
    return 0;
}
