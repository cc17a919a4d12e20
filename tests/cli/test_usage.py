"""Usage errors exit 2, say what is wrong on stderr, and change nothing."""

import pytest

from presend_cli import EXIT_USAGE, transactional

USAGE_ERRORS = {
    "no command": [],
    "unknown command": ["frobnicate"],
    "unknown option": ["--frobnicate", "version"],
    "unknown option after the command": ["quota", "status", "--frobnicate"],
    "option of another command": ["quota", "status", "--dry-run"],
    "option without its value": ["check", "--config"],
    "flag given a value": ["check", "--dry-run=yes"],
    "option given twice": ["quota", "status", "--region", "us-east-1", "--region", "eu-west-1"],
    "release without an id": ["release"],
    "release with two ids": ["release", "a", "b"],
    "check with two files": ["check", "a.json", "b.json"],
    "unknown consent command": ["consent", "frobnicate"],
    "consent without subcommand": ["consent"],
    "consent grant without --list": ["consent", "grant", "a@example.org"],
    "consent grant without address": ["consent", "grant", "--list", "weekly"],
    "consent withdraw without --list": ["consent", "withdraw", "a@example.org"],
    "consent import without file": ["consent", "import"],
    "consent import bad format": ["consent", "import", "x.csv", "--format", "xml"],
    "unknown suppress command": ["suppress", "frobnicate"],
    "suppress add without address": ["suppress", "add"],
    "suppress list bad limit": ["suppress", "list", "--limit", "many"],
    "unknown quota command": ["quota", "frobnicate"],
    "quota sync without numbers": ["quota", "sync"],
    "quota sync missing one number": ["quota", "sync", "--max-24h", "1", "--max-rate", "1"],
    "quota sync file and numbers": ["quota", "sync", "--from", "q.json", "--max-24h", "1", "--max-rate", "1",
                                    "--sent-last-24h", "1"],
    "address without addresses": ["address"],
    "reasons with an argument": ["reasons", "extra"],
    "demo with an argument": ["demo", "extra"],
}


@pytest.mark.parametrize("args", USAGE_ERRORS.values(), ids=USAGE_ERRORS.keys())
def test_usage_error_exits_2(cli, args):
    cli.run("consent", "grant", "kept@example.org", "--list", "weekly", expect=0)
    res = cli.run(*args, input=transactional("a@example.org"), expect=EXIT_USAGE)
    assert res.err.startswith("presend:") or res.err.startswith("usage:") or res.out.startswith("usage:"), res
    assert res.err.strip() or res.out.strip()
    # Nothing happened to the store.
    assert cli.consent("kept@example.org")
    assert cli.sent_24h() == 0


# strtod() accepts hexadecimal, "nan" and "inf"; JSON and SES do not.
@pytest.mark.parametrize("value", ["abc", "", "12abc", "0x10", "nan", "inf"])
def test_quota_sync_rejects_what_is_not_a_number(cli, value):
    res = cli.run("quota", "sync", "--max-24h", value, "--max-rate", "1", "--sent-last-24h", "0", expect=EXIT_USAGE)
    assert "number" in res.err, res
    assert cli.json("quota", "status")["max_24h"] == 1000


def test_usage_error_message_goes_to_stderr(cli):
    res = cli.run("frobnicate", expect=EXIT_USAGE)
    assert "frobnicate" in res.err
    assert res.out == ""
