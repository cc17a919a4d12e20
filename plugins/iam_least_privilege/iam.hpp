// IAM identity-based policies: parsing, evaluation and lint, as AWS decides
// the requests an SES sender makes. Pure functions over text and values: no
// I/O, no global state. Shared by the iam_least_privilege plugin and by
// `presend iam`; it depends on cJSON and the standard library only (the
// plugin must not link libpresend).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "plugin_result.hpp"

namespace presend::iam {

// --- results ----------------------------------------------------------------

struct Error {
    std::string message;
    // Byte offset in the parsed text where a JSON syntax error was found;
    // npos for errors about the policy's structure.
    size_t position = npos;
    static constexpr size_t npos = static_cast<size_t>(-1);
};

template <class T>
using Result = plugins::Result<T, Error>;

// --- policies ---------------------------------------------------------------

enum class Effect : uint8_t { allow, deny };

// Condition operators, without their IfExists suffix and set prefix.
enum class Op : uint8_t {
    string_equals,
    string_not_equals,
    string_equals_ignore_case,
    string_not_equals_ignore_case,
    string_like,
    string_not_like,
    numeric_equals,
    numeric_not_equals,
    numeric_less_than,
    numeric_less_than_equals,
    numeric_greater_than,
    numeric_greater_than_equals,
    date_equals,
    date_not_equals,
    date_less_than,
    date_less_than_equals,
    date_greater_than,
    date_greater_than_equals,
    boolean,
    binary_equals,
    ip_address,
    not_ip_address,
    arn_equals,
    arn_like,
    arn_not_equals,
    arn_not_like,
    null,
};

enum class SetOp : uint8_t { none, for_all_values, for_any_value };

// The operator's name as AWS spells it ("StringEquals").
std::string_view op_name(Op op);
// True for the operators whose several values combine as NOR (StringNotEquals...).
bool op_negated(Op op);
// True for the operators whose values may hold policy variables.
bool op_takes_variables(Op op);

// One key tested by one operator.
struct Condition {
    std::string op_text;  // as written: "ForAnyValue:StringLikeIfExists"
    Op op = Op::string_equals;
    SetOp set = SetOp::none;
    bool if_exists = false;
    std::string key;                  // as written; compared case-insensitively
    std::vector<std::string> values;  // strings as written; booleans and numbers as JSON text
};

struct Statement {
    size_t index = 0;  // position in the policy's Statement list (0-based)
    std::string sid;
    Effect effect = Effect::allow;
    bool not_action = false;
    std::vector<std::string> actions;
    bool not_resource = false;
    std::vector<std::string> resources;
    bool has_principal = false;  // Principal or NotPrincipal: ignored in identity policies
    std::vector<Condition> conditions;
};

inline constexpr std::string_view kVersion2012 = "2012-10-17";
inline constexpr std::string_view kVersion2008 = "2008-10-17";

struct Policy {
    std::string name;     // where it came from (a file name, "inline #1"), for reports
    std::string version;  // "2012-10-17", "2008-10-17", or "" when the document has none
    std::string id;
    std::vector<Statement> statements;
    // Policy variables are substituted only under Version 2012-10-17; older
    // (or absent) versions read "${...}" as literal text.
    bool variables() const { return version == kVersion2012; }
};

// Parses one identity-based policy document. Follows what IAM accepts: a
// Statement that is an object or an array; Action/NotAction and
// Resource/NotResource as a string or an array; condition values as strings,
// booleans or numbers. Refuses what IAM would refuse (unknown elements,
// duplicate keys, a statement with both Action and NotAction, an unknown
// condition operator, an Effect other than Allow/Deny...), so that presend
// never evaluates a document AWS would read differently.
Result<Policy> parse_policy(std::string_view json, std::string name = {});

// --- requests ---------------------------------------------------------------

struct ContextValue {
    std::vector<std::string> values;
    bool multi = false;  // a multivalued key (ses:Recipients); cannot be a policy variable
};

// The request context: condition keys (case-insensitive) and their values.
class Context {
public:
    void set(std::string_view key, std::string value);                  // single-valued
    void set_list(std::string_view key, std::vector<std::string> values);  // multivalued
    void erase(std::string_view key);
    // NULL when the key is absent.
    const ContextValue *find(std::string_view key) const;
    const std::map<std::string, ContextValue> &entries() const { return values_; }
    // The key as first written for an entry (entries() holds lower-case keys).
    const std::string &spelling(const std::string &lower_key) const;

private:
    std::map<std::string, ContextValue> values_;      // lower-case key -> values
    std::map<std::string, std::string> spellings_;    // lower-case key -> as written
};

// The keys that hold several values in SES requests and in AWS's global keys.
bool key_multivalued(std::string_view key);
// The keys known to hold at most one value (lint: set operators on them).
bool key_single_valued(std::string_view key);

struct Request {
    std::string action;    // "ses:SendEmail"
    std::string resource;  // an ARN, or "*"
    Context context;
};

// --- evaluation -------------------------------------------------------------

enum class Decision : uint8_t { allow, explicit_deny, implicit_deny };
std::string_view decision_name(Decision d);  // "Allow", "ExplicitDeny", "ImplicitDeny"

struct StatementRef {
    size_t policy = 0;     // index into the policies evaluated
    size_t statement = 0;  // index into that policy's statements
    bool operator==(const StatementRef &) const = default;
};

// A statement whose Action and Resource matched but whose Condition did not.
struct NearMiss {
    StatementRef ref;
    size_t condition = 0;  // the first condition that was false
};

struct Evaluation {
    Decision decision = Decision::implicit_deny;
    // The first matching Deny (ExplicitDeny) or the first matching Allow
    // (Allow), in policy and statement order; none for ImplicitDeny.
    std::optional<StatementRef> deciding;
    std::vector<StatementRef> allows, denies;  // every matching statement
    std::vector<NearMiss> near_misses;
};

// How AWS decides a request against identity-based policies of one account:
// an explicit Deny in any policy wins, else an Allow in any policy, else the
// request is implicitly denied.
Evaluation evaluate(std::span<const Policy> policies, const Request &request);

// Whether one statement matches (its Action, Resource and every condition).
bool statement_matches(const Policy &policy, const Statement &statement, const Request &request);
bool action_matches(const Statement &statement, std::string_view action);
bool resource_matches(const Policy &policy, const Statement &statement, const Request &request);
bool condition_holds(const Policy &policy, const Condition &condition, const Request &request);

// Wildcard matching as IAM does it: '*' any run of characters, '?' any one.
bool wildcard_match(std::string_view pattern, std::string_view text, bool ignore_case = false);

// Describes a statement for people: `statement "Sid" (#2) of policy name`.
std::string describe(std::span<const Policy> policies, const StatementRef &ref);

// --- lint -------------------------------------------------------------------

enum class Severity : uint8_t { info, warning, error };
std::string_view severity_name(Severity s);  // "info", "warning", "error"

struct Finding {
    std::string code;  // "iam.wildcard_action": stable
    Severity severity = Severity::warning;
    std::string policy;                 // the policy's name
    std::optional<size_t> statement;    // index in the policy, when about one statement
    std::string sid;
    std::string message;
};

enum class Api : uint8_t { v1, v2, smtp };
std::string_view api_name(Api a);  // "v1", "v2", "smtp"

// What the linter knows of the sends these policies must allow, when it knows
// (the plugin's configuration). Without it, the checks that need a request
// (a configuration set's resource, a send action that no statement allows)
// are generic.
struct SendProfile {
    Api api = Api::v2;
    std::string partition = "aws";
    std::string aws_account_id;     // 12 digits
    std::string region;             // the region sends go to ("" when unknown)
    std::string identity;           // the identity name sends use ("" when derived per message)
    std::string configuration_set;  // "" when none
};

struct LintOptions {
    std::optional<SendProfile> profile;
};

// Least-privilege findings over a set of policies attached to the same
// credentials (some findings consider the whole set, e.g. whether any other
// statement restricts the From address). Every code is listed by lint_codes().
std::vector<Finding> lint(std::span<const Policy> policies, const LintOptions &options = {});

struct LintCode {
    std::string_view code;
    Severity severity;  // the usual one (a few depend on the case; see the message)
    std::string_view description;
};
std::span<const LintCode> lint_codes();

// --- JSON helpers (for the CLI and the plugin) ------------------------------

// A JSON string literal (invalid UTF-8 replaced by U+FFFD).
std::string json_quote(std::string_view s);
std::string evaluation_json(std::span<const Policy> policies, const Request &request, const Evaluation &e);
std::string findings_json(const std::vector<Finding> &findings);

}  // namespace presend::iam
