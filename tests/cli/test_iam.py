"""`presend iam lint|simulate`: the IAM least-privilege evaluator and linter
from the command line."""

import json

import pytest

from presend_cli import EXIT_BLOCK, EXIT_ERROR, EXIT_OK, EXIT_USAGE, assert_error

IDENTITY = "arn:aws:ses:us-east-1:123456789012:identity/example.com"
CONFIG_SET = "arn:aws:ses:us-east-1:123456789012:configuration-set/marketing"

SENDER = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "Send", "Effect": "Allow", "Action": ["ses:SendEmail", "ses:SendRawEmail"],
         "Resource": [IDENTITY, CONFIG_SET],
         "Condition": {"StringLike": {"ses:FromAddress": "*@example.com"}}},
        {"Sid": "Quota", "Effect": "Allow", "Action": ["ses:GetSendQuota", "ses:GetAccount"], "Resource": "*"},
        {"Sid": "OnlyOrg", "Effect": "Deny", "Action": "ses:SendEmail", "Resource": "*",
         "Condition": {"ForAnyValue:StringNotLike": {"ses:Recipients": "*@example.org"}}},
    ],
}

ADMIN = {"Version": "2012-10-17", "Statement": [{"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"}]}


def simulate(cli, policy, *args, expect):
    return cli.run("--json", "iam", "simulate", policy, *args, config=False, expect=expect).json()


def test_lint_clean_policy(cli):
    path = cli.write("sender.json", SENDER)
    out = cli.run("--json", "iam", "lint", path, config=False, expect=EXIT_OK).json()
    assert out["errors"] == 0 and out["warnings"] == 0, out
    (s,) = out["sets"]
    assert s["policies"] == [str(path)] and s["account"] is None


def test_lint_reports_codes_and_exit_10(cli):
    path = cli.write("admin.json", ADMIN)
    out = cli.run("--json", "iam", "lint", path, config=False, expect=EXIT_BLOCK).json()
    codes = {(f["code"], f["severity"]) for f in out["sets"][0]["findings"]}
    assert ("iam.wildcard_action", "error") in codes
    assert ("iam.passrole_wildcard", "error") in codes
    assert ("iam.permissions_management", "error") in codes
    f = next(f for f in out["sets"][0]["findings"] if f["code"] == "iam.wildcard_action")
    assert f["statement"] == 0 and f["sid"] == "All" and f["policy"] == str(path)
    text = cli.run("iam", "lint", path, config=False, expect=EXIT_BLOCK)
    assert "error iam.wildcard_action" in text.out and "3 error(s)" in text.out


def test_lint_warnings_only_exit_0(cli):
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ses:SendEmail", "Resource": IDENTITY,
         "Condition": {"StringLike": {"ses:FromAddress": "*example.com"}}}]}
    out = cli.run("--json", "iam", "lint", cli.write("loose.json", policy), config=False, expect=EXIT_OK).json()
    assert out["errors"] == 0 and out["warnings"] >= 1
    assert "iam.loose_pattern" in {f["code"] for f in out["sets"][0]["findings"]}


def test_lint_configured_policies(cli):
    # A configuration's plugin entry: the send profile makes the configuration
    # set a requirement the identity-only policy does not meet.
    only_identity = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ses:SendEmail", "Resource": IDENTITY,
         "Condition": {"StringEquals": {"ses:FromAddress": "news@example.com"}}}]}
    (cli.dir / "policies").mkdir()
    cli.write("policies/mailer.json", only_identity)
    config = {"plugins": [{"name": "iam_least_privilege", "mode": "enforce", "config": {
        "api": "v2", "policy_dir": str(cli.dir / "policies"),
        "accounts": {"prod": {"aws_account_id": "123456789012", "region": "us-east-1",
                              "configuration_set": "marketing", "policies": ["mailer.json"]}}}}]}
    path = cli.write_config(config, cli.dir / "with-plugin.json")
    out = cli.run("--json", "iam", "lint", config=path, expect=EXIT_BLOCK).json()
    (s,) = out["sets"]
    assert s["account"] == "prod"
    f = next(f for f in s["findings"] if f["code"] == "iam.configuration_set_not_allowed")
    assert f["severity"] == "error" and "configuration-set/marketing" in f["message"]


def test_lint_without_files_or_plugin(cli):
    assert_error(cli.run("iam", "lint"), "iam_least_privilege")


def test_lint_invalid_and_unreadable_policy(cli):
    bad = cli.write("bad.json", '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]}')
    res = cli.run("iam", "lint", bad, config=False)
    assert_error(res, "not a valid IAM policy")
    assert "Action (or NotAction) is missing" in res.err
    assert_error(cli.run("iam", "lint", cli.dir / "missing.json", config=False), "cannot read")
    assert_error(cli.run("iam", "lint", cli.write("syntax.json", "{"), config=False), "not valid JSON")


def test_simulate_allow(cli):
    path = cli.write("sender.json", SENDER)
    out = simulate(cli, path, "--action", "ses:SendEmail", "--resource", IDENTITY,
                   "--context", "ses:FromAddress=news@example.com", "--context", "ses:Recipients=a@example.org",
                   expect=EXIT_OK)
    assert out["decision"] == "Allow"
    assert out["statement"] == {"policy": str(path), "index": 0, "sid": "Send", "effect": "Allow"}
    assert out["context"]["ses:Recipients"] == ["a@example.org"]


def test_simulate_explicit_deny_with_several_recipients(cli):
    path = cli.write("sender.json", SENDER)
    out = simulate(cli, path, "--action", "ses:SendEmail", "--resource", IDENTITY,
                   "--context", "ses:FromAddress=news@example.com",
                   "--context", "ses:Recipients=a@example.org", "--context", "ses:Recipients=b@evil.test",
                   expect=EXIT_BLOCK)
    assert out["decision"] == "ExplicitDeny"
    assert out["statement"]["sid"] == "OnlyOrg" and out["statement"]["index"] == 2
    assert out["context"]["ses:Recipients"] == ["a@example.org", "b@evil.test"]


def test_simulate_implicit_deny_names_near_misses(cli):
    path = cli.write("sender.json", SENDER)
    out = simulate(cli, path, "--action", "ses:SendEmail", "--resource", IDENTITY,
                   "--context", "ses:FromAddress=news@evil.test", expect=EXIT_BLOCK)
    assert out["decision"] == "ImplicitDeny" and out["statement"] is None
    assert out["near_misses"][0]["sid"] == "Send"
    assert out["near_misses"][0]["failed_condition"] == {"operator": "StringLike", "key": "ses:FromAddress"}
    text = cli.run("iam", "simulate", path, "--action", "ses:SendEmail", "--resource", IDENTITY,
                   "--context", "ses:FromAddress=news@evil.test", config=False, expect=EXIT_BLOCK)
    assert text.out.startswith("ImplicitDeny: ses:SendEmail on " + IDENTITY)
    assert "StringLike ses:FromAddress does not hold" in text.out


def test_simulate_several_policies(cli):
    a = cli.write("a.json", SENDER)
    b = cli.write("b.json", {"Version": "2012-10-17", "Statement": [
        {"Sid": "Freeze", "Effect": "Deny", "Action": "ses:Send*", "Resource": "*"}]})
    out = simulate(cli, a, b, "--action", "ses:SendRawEmail", "--resource", CONFIG_SET,
                   "--context", "ses:FromAddress=news@example.com", expect=EXIT_BLOCK)
    assert out["decision"] == "ExplicitDeny" and out["statement"]["policy"] == str(b)


@pytest.mark.parametrize("args,fragment", [
    (["simulate", "p.json", "--resource", IDENTITY], "--action and --resource are required"),
    (["simulate", "--action", "ses:SendEmail", "--resource", IDENTITY], "usage"),
    (["simulate", "p.json", "--action", "SendEmail", "--resource", IDENTITY], "service:Action"),
    (["simulate", "p.json", "--action", "ses:SendEmail", "--resource", IDENTITY, "--context", "novalue"], "KEY=VALUE"),
    (["lint", "p.json", "--action", "ses:SendEmail"], "does not apply"),
    (["audit"], "unknown iam command"),
    ([], "usage"),
])
def test_usage_errors(cli, args, fragment):
    cli.write("p.json", SENDER)
    res = cli.run("iam", *args, config=False, expect=EXIT_USAGE)
    assert fragment in res.err, res


def test_unreadable_policy_in_simulate(cli):
    res = cli.run("iam", "simulate", "nope.json", "--action", "ses:SendEmail", "--resource", IDENTITY, config=False)
    assert res.rc == EXIT_ERROR and "nope.json" in res.err


# --- Through the engine: `presend check` with the built plugin ----------------

def plugin_config(cli):
    import os

    plugin_dir = os.environ.get("PRESEND_IAM_PLUGIN_DIR")
    if not plugin_dir:
        pytest.fail("PRESEND_IAM_PLUGIN_DIR is not set: it must name the directory of presend_iam_least_privilege.so")
    config = json.loads(json.dumps(cli_config()))
    config["plugin_dirs"] = [plugin_dir]
    config["plugins"] = [{"name": "iam_least_privilege", "mode": "enforce", "config": {
        "api": "v2",
        "accounts": {"prod": {"aws_account_id": "123456789012", "region": "us-east-1", "policies": [SENDER]}}}}]
    return cli.write_config(config, cli.dir / "iam-plugin.json")


def cli_config():
    from presend_cli import CONFIG

    return CONFIG


def test_engine_blocks_a_send_the_policy_denies(cli):
    from presend_cli import transactional

    config = plugin_config(cli)
    denied = cli.run("--json", "check", "-", input=transactional("a@example.org", **{"from": "Shop <orders@evil.test>"}),
                     config=config)
    assert denied.rc == EXIT_BLOCK, denied
    d = denied.json()
    assert d["verdict"] == "block"
    (reason,) = [r for r in d["reasons"] if r["code"] == "iam.send_denied"]
    assert reason["severity"] == "block"
    assert "identity/evil.test" in reason["message"] and "ImplicitDeny" in reason["message"]

    allowed = cli.run("--json", "check", "-", input=transactional("a@example.org"), config=config, expect=EXIT_OK).json()
    assert allowed["verdict"] == "allow" and not allowed["reasons"]

    # The Deny on recipients outside example.org blocks only that recipient.
    partial = cli.run("--json", "check", "-", input=transactional("a@example.org", "x@evil.test"), config=config)
    assert partial.rc == 12, partial
    by_address = {r["address"]: r for r in partial.json()["recipients"]}
    assert by_address["a@example.org"]["verdict"] == "allow"
    assert [r["code"] for r in by_address["x@evil.test"]["reasons"]] == ["iam.recipient_denied"]
