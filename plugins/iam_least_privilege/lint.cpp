// Least-privilege lint of the policies attached to SES sending credentials.
#include <algorithm>
#include <array>
#include <optional>
#include <set>
#include <string_view>

#include "iam.hpp"
#include "iam_internal.hpp"

namespace presend::iam {

namespace {

constexpr std::array<LintCode, 24> kCodes = {{
    {"iam.wildcard_action", Severity::error, "an Allow statement grants every action (\"*\")"},
    {"iam.service_wildcard", Severity::warning, "an Allow statement grants every action of a service (\"ses:*\")"},
    {"iam.permissions_management", Severity::error,
     "an Allow statement grants actions that change permissions (IAM policies, users, keys, sts:AssumeRole, SES "
     "identity policies)"},
    {"iam.iam_access", Severity::warning, "an Allow statement grants IAM actions, which sending never needs"},
    {"iam.passrole_wildcard", Severity::error, "iam:PassRole is allowed on every role"},
    {"iam.allow_not_action", Severity::warning, "Allow with NotAction grants every action not listed, including future ones"},
    {"iam.allow_not_resource", Severity::warning, "Allow with NotResource grants every resource not listed"},
    {"iam.send_unrestricted_from", Severity::warning,
     "send actions are allowed on every identity without a condition on ses:FromAddress"},
    {"iam.wildcard_in_string_equals", Severity::warning,
     "a StringEquals value holds * or ?, which StringEquals compares literally (StringLike was meant)"},
    {"iam.loose_pattern", Severity::warning,
     "a StringLike address pattern does not pin the domain (\"*example.com\" also matches evilexample.com)"},
    {"iam.if_exists_allow", Severity::warning, "an ...IfExists condition on an Allow passes requests that lack the key"},
    {"iam.for_all_values_single_valued", Severity::warning,
     "ForAllValues on a single-valued key: true whenever the key is missing"},
    {"iam.multivalued_without_set", Severity::warning,
     "a multivalued key (ses:Recipients) is tested without ForAllValues/ForAnyValue"},
    {"iam.for_all_values_missing_key", Severity::info,
     "ForAllValues on an Allow without a Null check: a request without the key passes"},
    {"iam.version_missing", Severity::warning, "the policy has no Version: AWS reads it as 2008-10-17"},
    {"iam.version_old", Severity::warning, "Version 2008-10-17: policy variables are not substituted"},
    {"iam.variables_not_substituted", Severity::error,
     "the policy uses ${...} variables but its Version makes them literal text"},
    {"iam.from_condition_blocks_quota", Severity::warning,
     "a ses:FromAddress condition also applies to GetSendQuota/GetAccount, which carry no From address"},
    {"iam.configuration_set_not_allowed", Severity::error,
     "sends that name a configuration set need its ARN in Resource; no statement allows it"},
    {"iam.send_action_not_allowed", Severity::error, "no statement allows the send action the configured API calls"},
    {"iam.principal_ignored", Severity::warning, "Principal has no meaning in an identity-based policy (IAM refuses it)"},
    {"iam.unknown_action", Severity::warning, "an SES action that does not exist (a typo never matches)"},
    {"iam.duplicate_sid", Severity::warning, "two statements of one policy share a Sid"},
    {"iam.condition_value_invalid", Severity::error,
     "a Numeric, Date, IpAddress, Bool or Null value that does not parse: the condition never matches"},
}};

constexpr std::string_view kSendActions[] = {"ses:SendEmail", "ses:SendRawEmail", "ses:SendTemplatedEmail",
                                             "ses:SendBulkTemplatedEmail", "ses:SendBulkEmail"};

constexpr std::string_view kPermissionActions[] = {
    "iam:CreatePolicy",          "iam:CreatePolicyVersion",       "iam:SetDefaultPolicyVersion",
    "iam:PutUserPolicy",         "iam:PutRolePolicy",             "iam:PutGroupPolicy",
    "iam:AttachUserPolicy",      "iam:AttachRolePolicy",          "iam:AttachGroupPolicy",
    "iam:DetachUserPolicy",      "iam:DeleteUserPolicy",          "iam:CreateAccessKey",
    "iam:CreateUser",            "iam:CreateRole",                "iam:UpdateAssumeRolePolicy",
    "iam:CreateLoginProfile",    "iam:UpdateLoginProfile",        "iam:AddUserToGroup",
    "iam:PutUserPermissionsBoundary", "iam:DeleteUserPermissionsBoundary", "iam:PutRolePermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary", "sts:AssumeRole",        "ses:PutIdentityPolicy",
    "ses:DeleteIdentityPolicy",  "ses:CreateEmailIdentityPolicy", "ses:UpdateEmailIdentityPolicy",
    "ses:DeleteEmailIdentityPolicy", "organizations:AttachPolicy", "kms:PutKeyPolicy",
    "kms:CreateGrant",           "s3:PutBucketPolicy",            "lambda:AddPermission",
    "sns:AddPermission",         "sqs:AddPermission",
};

constexpr std::string_view kIamReadActions[] = {"iam:GetUser", "iam:ListUsers", "iam:GetRole", "iam:ListRoles",
                                                "iam:GetPolicy", "iam:ListAccessKeys", "iam:ListAttachedUserPolicies"};

// SES actions (API v1 and v2 share the "ses" prefix), lower case.
constexpr std::string_view kSesActions[] = {
    "batchgetmetricdata", "cancelexportjob", "clonereceiptruleset", "createconfigurationset",
    "createconfigurationseteventdestination", "createconfigurationsettrackingoptions", "createcontact",
    "createcontactlist", "createcustomverificationemailtemplate", "creatededicatedippool",
    "createdeliverabilitytestreport", "createemailidentity", "createemailidentitypolicy", "createemailtemplate",
    "createexportjob", "createimportjob", "createmultiregionendpoint", "createreceiptfilter", "createreceiptrule",
    "createreceiptruleset", "createtemplate", "createtenant", "createtenantresourceassociation",
    "deleteconfigurationset", "deleteconfigurationseteventdestination", "deleteconfigurationsettrackingoptions",
    "deletecontact", "deletecontactlist", "deletecustomverificationemailtemplate", "deletededicatedippool",
    "deleteemailidentity", "deleteemailidentitypolicy", "deleteemailtemplate", "deleteidentity",
    "deleteidentitypolicy", "deletemultiregionendpoint", "deletereceiptfilter", "deletereceiptrule",
    "deletereceiptruleset", "deletesuppresseddestination", "deletetemplate", "deletetenant",
    "deletetenantresourceassociation", "deleteverifiedemailaddress", "describeactivereceiptruleset",
    "describeconfigurationset", "describereceiptrule", "describereceiptruleset", "getaccount",
    "getaccountsendingenabled", "getblacklistreports", "getconfigurationset", "getconfigurationseteventdestinations",
    "getcontact", "getcontactlist", "getcustomverificationemailtemplate", "getdedicatedip", "getdedicatedippool",
    "getdedicatedips", "getdeliverabilitydashboardoptions", "getdeliverabilitytestreport",
    "getdomaindeliverabilitycampaign", "getdomainstatisticsreport", "getemailidentity", "getemailidentitypolicies",
    "getemailtemplate", "getexportjob", "getidentitydkimattributes", "getidentitymailfromdomainattributes",
    "getidentitynotificationattributes", "getidentitypolicies", "getidentityverificationattributes",
    "getimportjob", "getmessageinsights", "getmultiregionendpoint", "getreputationentity", "getsendquota",
    "getsendstatistics", "getsuppresseddestination", "gettemplate", "gettenant", "listconfigurationsets",
    "listcontactlists", "listcontacts", "listcustomverificationemailtemplates", "listdedicatedippools",
    "listdeliverabilitytestreports", "listdomaindeliverabilitycampaigns", "listemailidentities",
    "listemailtemplates", "listexportjobs", "listidentities", "listidentitypolicies", "listimportjobs",
    "listmultiregionendpoints", "listreceiptfilters", "listreceiptrulesets", "listrecommendations",
    "listreputationentities", "listresourcetenants", "listsuppresseddestinations", "listtagsforresource",
    "listtemplates", "listtenantresources", "listtenants", "listverifiedemailaddresses",
    "putaccountdedicatedipwarmupattributes", "putaccountdetails", "putaccountsendingattributes",
    "putaccountsuppressionattributes", "putaccountvdmattributes", "putconfigurationsetarchivingoptions",
    "putconfigurationsetdeliveryoptions", "putconfigurationsetreputationoptions",
    "putconfigurationsetsendingoptions", "putconfigurationsetsuppressionoptions",
    "putconfigurationsettrackingoptions", "putconfigurationsetvdmoptions", "putdedicatedipinpool",
    "putdedicatedippoolscalingattributes", "putdedicatedipwarmupattributes", "putdeliverabilitydashboardoption",
    "putemailidentityconfigurationsetattributes", "putemailidentitydkimattributes",
    "putemailidentitydkimsigningattributes", "putemailidentityfeedbackattributes",
    "putemailidentitymailfromattributes", "putidentitypolicy", "putsuppresseddestination",
    "reorderreceiptruleset", "sendbounce", "sendbulkemail", "sendbulktemplatedemail",
    "sendcustomverificationemail", "sendemail", "sendrawemail", "sendtemplatedemail", "setactivereceiptruleset",
    "setidentitydkimenabled", "setidentityfeedbackforwardingenabled", "setidentityheadersinnotificationsenabled",
    "setidentitymailfromdomain", "setidentitynotificationtopic", "setreceiptruleposition", "tagresource",
    "testrenderemailtemplate", "testrendertemplate", "untagresource", "updateaccountsendingenabled",
    "updateconfigurationseteventdestination", "updateconfigurationsetreputationmetricsenabled",
    "updateconfigurationsetsendingenabled", "updateconfigurationsettrackingoptions", "updatecontact",
    "updatecontactlist", "updatecustomverificationemailtemplate", "updateemailidentitypolicy",
    "updateemailtemplate", "updatereceiptrule", "updatereputationentitycustomermanagedstatus",
    "updatereputationentitypolicy", "updatetemplate", "verifydomaindkim", "verifydomainidentity",
    "verifyemailaddress", "verifyemailidentity",
};

bool is_allow(const Statement &st) { return st.effect == Effect::allow; }

bool grants_any(const Statement &st, std::span<const std::string_view> actions) {
    return std::any_of(actions.begin(), actions.end(), [&](std::string_view a) { return action_matches(st, a); });
}

bool has_key(const Statement &st, std::string_view key) {
    return std::any_of(st.conditions.begin(), st.conditions.end(), [&](const Condition &c) { return iequals(c.key, key); });
}

// The resource part of an ARN pattern (after its fifth colon); nullopt for
// "*" and for text that is no ARN.
std::optional<std::string_view> resource_part(std::string_view r) {
    size_t pos = 0;
    for (int i = 0; i < 5; ++i) {
        pos = r.find(':', pos);
        if (pos == std::string_view::npos) return std::nullopt;
        ++pos;
    }
    return r.substr(pos);
}

// Whether a resource list covers every identity of the account (or more).
bool broad_identity_resources(const Statement &st) {
    if (st.not_resource) return true;
    for (const auto &r : st.resources) {
        if (r == "*") return true;
        auto part = resource_part(r);
        if (part && wildcard_match(*part, "identity/presend-probe.invalid") &&
            wildcard_match(*part, "identity/other@example.org")) {
            return true;
        }
    }
    return false;
}

// Whether a resource pattern names a configuration set (some set: without a
// profile the linter does not know which one sends use).
bool may_name_configuration_set(const Statement &st) {
    if (st.not_resource) return true;
    for (const auto &r : st.resources) {
        if (r == "*") return true;
        auto part = resource_part(r);
        if (part && (part->rfind("configuration-set/", 0) == 0 || wildcard_match(*part, "configuration-set/presend-probe"))) {
            return true;
        }
    }
    return false;
}

bool contains_unescaped_wildcard(std::string_view v) {
    for (size_t i = 0; i < v.size(); ++i) {
        if (v.compare(i, 4, "${*}") == 0 || v.compare(i, 4, "${?}") == 0) {
            i += 3;
            continue;
        }
        if (v[i] == '*' || v[i] == '?') return true;
    }
    return false;
}

bool address_key(std::string_view key) {
    return iequals(key, "ses:FromAddress") || iequals(key, "ses:Recipients") || iequals(key, "ses:FeedbackAddress");
}

// An address pattern is loose when the text after its last wildcard does not
// pin the domain: "*example.com", "news@*", "*".
bool loose_address_pattern(std::string_view v) {
    size_t last = v.find_last_of("*?");
    if (last == std::string_view::npos) return false;
    std::string_view suffix = v.substr(last + 1);
    if (suffix.find('@') != std::string_view::npos) return false;
    if (!suffix.empty() && suffix[0] == '.' && suffix.find('.', 1) != std::string_view::npos) return false;
    return true;
}

class Linter {
public:
    Linter(std::span<const Policy> policies, const LintOptions &options) : policies_(policies), options_(options) {}

    std::vector<Finding> run() {
        for (size_t pi = 0; pi < policies_.size(); ++pi) policy_checks(pi);
        quota_checks();
        send_checks();
        return std::move(out_);
    }

private:
    std::span<const Policy> policies_;
    const LintOptions &options_;
    std::vector<Finding> out_;

    void add(std::string_view code, Severity sev, size_t pi, std::optional<size_t> si, std::string message) {
        Finding f;
        f.code = std::string(code);
        f.severity = sev;
        f.policy = policies_[pi].name;
        f.statement = si;
        if (si) f.sid = policies_[pi].statements[*si].sid;
        f.message = std::move(message);
        out_.push_back(std::move(f));
    }

    static std::string where(const Statement &st) {
        return st.sid.empty() ? "statement " + std::to_string(st.index) : "statement \"" + st.sid + "\"";
    }

    void policy_checks(size_t pi) {
        const Policy &p = policies_[pi];
        if (p.version.empty()) {
            add("iam.version_missing", Severity::warning, pi, std::nullopt,
                "the policy has no Version, so AWS reads it as 2008-10-17 (no policy variables); add \"Version\": "
                "\"2012-10-17\"");
        } else if (p.version == kVersion2008) {
            add("iam.version_old", Severity::warning, pi, std::nullopt,
                "Version 2008-10-17 is the old policy language: policy variables are literal text; use 2012-10-17");
        }
        std::set<std::string> sids;
        for (size_t si = 0; si < p.statements.size(); ++si) {
            const Statement &st = p.statements[si];
            if (!st.sid.empty() && !sids.insert(st.sid).second) {
                add("iam.duplicate_sid", Severity::warning, pi, si, "the Sid \"" + st.sid + "\" is used twice in this policy");
            }
            if (st.has_principal) {
                add("iam.principal_ignored", Severity::warning, pi, si,
                    where(st) + " names a Principal: identity-based policies apply to the identity they are attached "
                                "to, and IAM refuses Principal in them (presend ignores it)");
            }
            if (!p.variables()) variables_check(pi, st);
            action_checks(pi, st);
            condition_checks(pi, st);
        }
    }

    void variables_check(size_t pi, const Statement &st) {
        bool uses = std::any_of(st.resources.begin(), st.resources.end(),
                                [](const std::string &r) { return r.find("${") != std::string::npos; });
        for (const auto &c : st.conditions) {
            for (const auto &v : c.values) uses = uses || v.find("${") != std::string::npos;
        }
        if (uses) {
            add("iam.variables_not_substituted", Severity::error, pi, st.index,
                where(st) + " uses ${...} policy variables, but under Version \"" +
                    (policies_[pi].version.empty() ? std::string("2008-10-17 (the default)") : policies_[pi].version) +
                    "\" AWS compares them as literal text; set \"Version\": \"2012-10-17\"");
        }
    }

    void action_checks(size_t pi, const Statement &st) {
        for (const auto &a : st.actions) {
            if (!istarts_with(a, "ses:") || a.find_first_of("*?") != std::string::npos) continue;
            std::string name = lower(std::string_view(a).substr(4));
            if (std::find(std::begin(kSesActions), std::end(kSesActions), name) == std::end(kSesActions)) {
                add("iam.unknown_action", Severity::warning, pi, st.index,
                    where(st) + ": \"" + a + "\" is not an SES action, so it matches no request (a typo?)");
            }
        }
        if (!is_allow(st)) return;
        if (st.not_action) {
            add("iam.allow_not_action", Severity::warning, pi, st.index,
                where(st) + " allows with NotAction: it grants every action except those listed, in every service, "
                            "including actions AWS adds later; list the actions to allow instead");
        }
        if (st.not_resource) {
            add("iam.allow_not_resource", Severity::warning, pi, st.index,
                where(st) + " allows with NotResource: it grants every resource except those listed; list the "
                            "resources to allow instead");
        }
        bool all = false;
        for (const auto &a : st.actions) {
            if (a == "*" || a == "*:*") all = true;
        }
        if (all && !st.not_action) {
            add("iam.wildcard_action", Severity::error, pi, st.index,
                where(st) + " allows every action (\"*\"): sending needs ses:SendEmail or ses:SendRawEmail only");
        } else if (!st.not_action) {
            for (const auto &a : st.actions) {
                auto colon = a.find(':');
                if (colon != std::string::npos && a.compare(colon + 1, std::string::npos, "*") == 0) {
                    add("iam.service_wildcard", Severity::warning, pi, st.index,
                        where(st) + " allows \"" + a + "\": every action of the service, including administration");
                }
            }
        }
        std::vector<std::string_view> perms;
        for (auto a : kPermissionActions) {
            if (action_matches(st, a)) perms.push_back(a);
        }
        if (!perms.empty()) {
            std::string list;
            for (size_t i = 0; i < perms.size() && i < 4; ++i) list += (i ? ", " : "") + std::string(perms[i]);
            if (perms.size() > 4) list += ", ...";
            add("iam.permissions_management", Severity::error, pi, st.index,
                where(st) + " allows actions that change permissions (" + list +
                    "): sending credentials that can grant themselves more are not least privilege");
        } else if (grants_any(st, kIamReadActions)) {
            add("iam.iam_access", Severity::warning, pi, st.index,
                where(st) + " allows IAM actions, which sending email never needs");
        }
        if (action_matches(st, "iam:PassRole")) {
            bool wide = st.not_resource;
            for (const auto &r : st.resources) {
                if (r == "*" || (r.size() >= 7 && r.compare(r.size() - 7, 7, "role/*") == 0) ||
                    (r.size() >= 2 && r.compare(r.size() - 2, 2, ":*") == 0)) {
                    wide = true;
                }
            }
            if (wide) {
                add("iam.passrole_wildcard", Severity::error, pi, st.index,
                    where(st) + " allows iam:PassRole on every role: the credentials can hand any role (and its "
                                "permissions) to a service; name the role ARNs");
            }
        }
        if (grants_any(st, kSendActions) && broad_identity_resources(st) && !has_key(st, "ses:FromAddress")) {
            // A Deny elsewhere in the set may restrict the From address.
            bool restricted = false;
            for (const auto &q : policies_) {
                for (const auto &other : q.statements) {
                    if (other.effect == Effect::deny && has_key(other, "ses:FromAddress") && grants_any(other, kSendActions)) {
                        restricted = true;
                    }
                }
            }
            if (!restricted) {
                add("iam.send_unrestricted_from", Severity::warning, pi, st.index,
                    where(st) + " allows sending from every identity of the account with any From address; restrict "
                                "Resource to the identity ARNs or add a ses:FromAddress condition");
            }
        }
    }

    void condition_checks(size_t pi, const Statement &st) {
        for (const auto &c : st.conditions) {
            const std::string what = c.op_text + " " + c.key;
            switch (c.op) {
                case Op::string_equals:
                case Op::string_not_equals:
                case Op::string_equals_ignore_case:
                case Op::string_not_equals_ignore_case:
                    for (const auto &v : c.values) {
                        if (contains_unescaped_wildcard(v)) {
                            add("iam.wildcard_in_string_equals", Severity::warning, pi, st.index,
                                where(st) + ": " + what + " \"" + v + "\": " + std::string(op_name(c.op)) +
                                    " compares * and ? literally, so this value only matches itself; use " +
                                    (op_negated(c.op) ? "StringNotLike" : "StringLike"));
                            break;
                        }
                    }
                    break;
                case Op::string_like:
                case Op::string_not_like:
                    if (!address_key(c.key)) break;
                    for (const auto &v : c.values) {
                        if (v.find("${") == std::string::npos && loose_address_pattern(v)) {
                            add("iam.loose_pattern", Severity::warning, pi, st.index,
                                where(st) + ": " + what + " \"" + v +
                                    "\" does not pin the domain (\"*example.com\" also matches "
                                    "someone@evilexample.com); anchor it at the @: \"*@example.com\"");
                            break;
                        }
                    }
                    break;
                default: break;
            }
            invalid_value_check(pi, st, c);
            if (c.if_exists && is_allow(st)) {
                add("iam.if_exists_allow", Severity::warning, pi, st.index,
                    where(st) + ": " + what + " on an Allow also passes every request without " + c.key +
                        " (for example other SES actions); drop IfExists unless that is meant");
            }
            if (c.set == SetOp::for_all_values && key_single_valued(c.key)) {
                add("iam.for_all_values_single_valued", Severity::warning, pi, st.index,
                    where(st) + ": " + what + ": " + c.key +
                        " holds one value; ForAllValues is true whenever the key is missing, so " +
                        (is_allow(st) ? "this allows more than meant" : "this denies less than meant") +
                        "; use " + std::string(op_name(c.op)) + " without ForAllValues");
            }
            if (c.set == SetOp::none && c.op != Op::null && key_multivalued(c.key)) {
                add("iam.multivalued_without_set", Severity::warning, pi, st.index,
                    where(st) + ": " + what + ": " + c.key +
                        " holds several values; say ForAllValues: (every value must match) or ForAnyValue: (one "
                        "must)");
            }
            if (c.set == SetOp::for_all_values && is_allow(st) && key_multivalued(c.key)) {
                bool null_checked = std::any_of(st.conditions.begin(), st.conditions.end(), [&](const Condition &n) {
                    return n.op == Op::null && iequals(n.key, c.key) &&
                           std::any_of(n.values.begin(), n.values.end(), [](const std::string &v) { return iequals(v, "false"); });
                });
                if (!null_checked) {
                    add("iam.for_all_values_missing_key", Severity::info, pi, st.index,
                        where(st) + ": " + what + " is also true when the request has no " + c.key +
                            "; add \"Null\": {\"" + c.key + "\": \"false\"}");
                }
            }
        }
    }

    void invalid_value_check(size_t pi, const Statement &st, const Condition &c) {
        for (const auto &v : c.values) {
            bool ok = true;
            switch (c.op) {
                case Op::numeric_equals:
                case Op::numeric_not_equals:
                case Op::numeric_less_than:
                case Op::numeric_less_than_equals:
                case Op::numeric_greater_than:
                case Op::numeric_greater_than_equals: ok = parse_number(v).has_value(); break;
                case Op::date_equals:
                case Op::date_not_equals:
                case Op::date_less_than:
                case Op::date_less_than_equals:
                case Op::date_greater_than:
                case Op::date_greater_than_equals: ok = parse_date_ms(v).has_value(); break;
                case Op::ip_address:
                case Op::not_ip_address: ok = parse_cidr(v).has_value(); break;
                case Op::boolean:
                    ok = iequals(v, "true") || iequals(v, "false") ||
                         (policies_[pi].variables() && v.find("${") != std::string::npos);
                    break;
                case Op::null: ok = iequals(v, "true") || iequals(v, "false"); break;
                default: break;
            }
            if (!ok) {
                add("iam.condition_value_invalid", Severity::error, pi, st.index,
                    where(st) + ": " + c.op_text + " " + c.key + ": \"" + v + "\" is not a valid " +
                        std::string(op_name(c.op)) + " value, so it never matches");
                return;
            }
        }
    }

    Context probe_context() const {
        Context ctx;
        ctx.set("aws:SecureTransport", "true");
        if (options_.profile) {
            if (!options_.profile->region.empty()) ctx.set("aws:RequestedRegion", options_.profile->region);
            if (options_.profile->api == Api::v2) ctx.set("ses:ApiVersion", "2");
            if (options_.profile->api == Api::v1) ctx.set("ses:ApiVersion", "1");
        }
        return ctx;
    }

    // A From-address condition that keeps the quota read from working:
    // GetSendQuota and GetAccount carry no ses:FromAddress.
    void quota_checks() {
        const std::string_view quota[] = {"ses:GetSendQuota", "ses:GetAccount"};
        for (size_t pi = 0; pi < policies_.size(); ++pi) {
            for (const auto &st : policies_[pi].statements) {
                if (!has_key(st, "ses:FromAddress")) continue;
                std::string blocked;
                for (auto q : quota) {
                    Request req{std::string(q), "*", probe_context()};
                    if (!action_matches(st, q) || !resource_matches(policies_[pi], st, req)) continue;
                    bool hit = false;
                    if (st.effect == Effect::deny) {
                        hit = statement_matches(policies_[pi], st, req);
                    } else {
                        hit = !statement_matches(policies_[pi], st, req) &&
                              evaluate(policies_, req).decision != Decision::allow;
                    }
                    if (hit) blocked += (blocked.empty() ? "" : " and ") + std::string(q);
                }
                if (!blocked.empty()) {
                    add("iam.from_condition_blocks_quota", Severity::warning, pi, st.index,
                        where(st) + (st.effect == Effect::deny ? " denies " : " grants only with a From address ") +
                            blocked + ", which carries no ses:FromAddress: presend's quota sync (and the mailer's "
                                      "quota check) will be denied; limit the condition's statement to the send "
                                      "actions");
                }
            }
        }
    }

    void send_checks() {
        if (policies_.empty()) return;
        // Checks that need the profile of the sends.
        std::vector<std::string_view> actions;
        if (options_.profile) {
            switch (options_.profile->api) {
                case Api::v2: actions = {"ses:SendEmail"}; break;
                case Api::smtp: actions = {"ses:SendRawEmail"}; break;
                case Api::v1: actions = {"ses:SendEmail", "ses:SendRawEmail"}; break;
            }
            for (auto a : actions) {
                bool allowed = false;
                for (const auto &p : policies_) {
                    for (const auto &st : p.statements) allowed = allowed || (is_allow(st) && action_matches(st, a));
                }
                if (!allowed) {
                    add("iam.send_action_not_allowed", Severity::error, 0, std::nullopt,
                        "no statement allows " + std::string(a) + ", which API " +
                            std::string(api_name(options_.profile->api)) + " calls to send: every such send is denied");
                }
            }
        }
        const SendProfile *prof = options_.profile ? &*options_.profile : nullptr;
        const bool named = prof != nullptr && !prof->configuration_set.empty();
        if (named && !prof->region.empty() && !prof->aws_account_id.empty()) {
            std::string arn = "arn:" + prof->partition + ":ses:" + prof->region + ":" + prof->aws_account_id +
                              ":configuration-set/" + prof->configuration_set;
            Request req{"", arn, probe_context()};
            for (auto a : actions) {
                req.action = std::string(a);
                bool covered = false;
                for (const auto &p : policies_) {
                    for (const auto &st : p.statements) {
                        covered = covered || (is_allow(st) && action_matches(st, a) && resource_matches(p, st, req));
                    }
                }
                if (!covered) {
                    add("iam.configuration_set_not_allowed", Severity::error, 0, std::nullopt,
                        "sends use configuration set \"" + prof->configuration_set + "\", but no statement allows " +
                            std::string(a) + " on " + arn + ": SES will deny them; add it to Resource");
                }
            }
            return;
        }
        // Without a configuration set to check: say so when sends are allowed
        // on identity ARNs only.
        bool sends = false, open = false;
        for (const auto &p : policies_) {
            for (const auto &st : p.statements) {
                if (!is_allow(st) || !grants_any(st, kSendActions)) continue;
                sends = true;
                open = open || may_name_configuration_set(st);
            }
        }
        if (sends && !open) {
            add("iam.configuration_set_not_allowed", Severity::info, 0, std::nullopt,
                "send actions are allowed on identity ARNs only: a send that names a configuration set also needs "
                "arn:aws:ses:REGION:ACCOUNT:configuration-set/NAME in Resource, or SES denies it");
        }
    }
};

}  // namespace

std::span<const LintCode> lint_codes() { return kCodes; }

std::vector<Finding> lint(std::span<const Policy> policies, const LintOptions &options) {
    return Linter(policies, options).run();
}

}  // namespace presend::iam
