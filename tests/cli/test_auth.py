"""`presend auth`: SPF, DKIM and DMARC from the command line, over the
fixture zones of tests/auth/zones, and the refresh/check cycle through a
configuration whose resolver is a fixture."""

import json
from pathlib import Path

import pytest

from presend_cli import EXIT_BLOCK, EXIT_ERROR, EXIT_OK, EXIT_USAGE, transactional

ZONES = Path(__file__).resolve().parent.parent / "auth" / "zones"
SES = ["--mail-from-domain", "mail.example.com", "--easy-dkim", "tok1", "--easy-dkim", "tok2", "--easy-dkim", "tok3"]


def check(cli, zone, *extra, expect):
    return cli.run("--json", "auth", "check", "example.com", "--zone", ZONES / f"{zone}.json", *SES, *extra,
                   config=False, expect=expect).json()


def codes(report, part):
    """Every finding code of one part of an identity report."""
    if part == "dkim":
        return {f["code"] for s in report["dkim"]["selectors"] for f in s["findings"]}
    return {f["code"] for f in report[part]["findings"]}


# Acceptance: a healthy domain, and each fault, as `auth check` reports them.
def test_healthy_domain(cli):
    r = check(cli, "healthy", expect=EXIT_OK)
    assert r["summary"] == {"spf": "pass", "mail_from": "mail.example.com", "dkim": "ok", "dkim_bits": 2048,
                            "dmarc": "present", "dmarc_policy": "reject", "adkim": "r", "aspf": "r",
                            "org_domain": "example.com", "dns_errors": ""}
    assert r["spf"]["include_found"] is True
    assert [s["name"] for s in r["dkim"]["selectors"]] == [f"tok{i}._domainkey.example.com" for i in (1, 2, 3)]
    assert all(s["cnames"] == [s["selector"] + ".dkim.amazonses.com"] for s in r["dkim"]["selectors"])


@pytest.mark.parametrize("zone,part,status,code", [
    ("spf_missing", "spf", "missing", "spf.no_record"),
    ("spf_fail", "spf", "fail", None),
    ("dkim_missing", "dkim", "missing", "dkim.missing"),
    ("dkim_revoked", "dkim", "revoked", "dkim.revoked"),
    ("dkim_weak", "dkim", "weak", "dkim.weak_key"),
    ("dkim_short", "dkim", "short", "dkim.short_key"),
    ("dmarc_missing", "dmarc", "missing", "dmarc.missing"),
])
def test_each_fault(cli, zone, part, status, code):
    r = check(cli, zone, expect=EXIT_OK if status == "short" else EXIT_BLOCK)
    assert r["summary"][part] == status, r["summary"]
    if code:
        assert code in codes(r, part), r[part]
    if zone == "spf_fail":
        assert r["spf"]["include_found"] is False


def test_dns_timeout_is_not_a_missing_record(cli):
    r = check(cli, "dns_timeout", expect=EXIT_BLOCK)
    assert r["summary"]["dmarc"] == "error"
    assert "_dmarc.example.com" in r["summary"]["dns_errors"] and "time" in r["summary"]["dns_errors"]


def test_text_output_names_the_problem(cli):
    res = cli.run("auth", "check", "example.com", "--zone", ZONES / "dkim_weak.json", *SES, config=False,
                  expect=EXIT_BLOCK)
    assert "DKIM   weak (smallest key 768 bits)" in res.out
    assert "dkim.weak_key" in res.out


def test_spf_evaluation(cli):
    ok = cli.json("auth", "spf", "--ip", "54.240.0.5", "--mail-from", "bounce@mail.example.com",
                  "--zone", ZONES / "healthy.json", config=False)
    assert ok["result"] == "pass" and ok["matched"] == "include:amazonses.com" and ok["lookups"] == 1
    bad = cli.json("auth", "spf", "--ip", "192.0.2.1", "--mail-from", "bounce@mail.example.com",
                   "--zone", ZONES / "healthy.json", config=False)
    assert bad["result"] == "fail" and bad["matched"] == "-all"
    assert bad["explanation"], "a fail carries an explanation"
    none = cli.json("auth", "spf", "--ip", "192.0.2.1", "--mail-from", "x@nowhere.example",
                    "--zone", ZONES / "healthy.json", config=False)
    assert none["result"] == "none"


def test_records_are_linted_before_publishing(cli):
    spf = cli.json("auth", "spf", "--record", "v=spf1 +all ptr", config=False)
    assert {"spf.plus_all", "spf.ptr"} <= {f["code"] for f in spf["findings"]}
    broken = cli.json("auth", "spf", "--record", "v=spf1 ip4:300.1.2.3 -all", config=False)
    assert broken["valid"] is False and "position" in broken["error"]
    dkim = cli.json("auth", "dkim", "--record", "v=DKIM1; k=rsa; p=", config=False)
    assert "dkim.revoked" in {f["code"] for f in dkim["findings"]}
    dmarc = cli.json("auth", "dmarc", "--record", "v=DMARC1; sp=reject", config=False)
    assert "dmarc.no_policy" in {f["code"] for f in dmarc["findings"]}


def test_dkim_and_dmarc_lookups(cli):
    d = cli.json("auth", "dkim", "--domain", "example.com", "--selector", "tok1", "--provider-suffix",
                 "dkim.amazonses.com", "--zone", ZONES / "healthy.json", config=False)
    assert d["key"]["bits"] == 2048 and d["cnames"] == ["tok1.dkim.amazonses.com"]
    m = cli.json("auth", "dmarc", "--domain", "news.example.com", "--zone", ZONES / "healthy.json", config=False)
    assert m["status"] == "found" and m["record_domain"] == "example.com" and m["org_domain"] == "example.com"


def test_usage_errors(cli):
    cli.run("auth", config=False, expect=EXIT_USAGE)
    cli.run("auth", "spf", config=False, expect=EXIT_USAGE)
    cli.run("auth", "dkim", "--domain", "example.com", config=False, expect=EXIT_USAGE)
    cli.run("auth", "nope", config=False, expect=EXIT_USAGE)
    cli.run("auth", "spf", "--ip", "1.2.3.4", "--mail-from", "a@b.example", "--zone", "/nonexistent.json",
            config=False, expect=EXIT_ERROR)


# Acceptance: refresh against the fixture stores status; checks read it.
def configure(cli, zone):
    cli.write_config({
        "accounts": {"prod": {"regions": {"us-east-1": {"max_24h": 1000, "max_rate": 100},
                                          "eu-west-1": {"max_24h": 1000, "max_rate": 100}}}},
        "defaults": {"account": "prod", "region": "us-east-1"},
        "identities": {"example.com": {"regions": ["us-east-1"], "mail_from": "mail.example.com",
                                       "easy_dkim_tokens": ["tok1", "tok2", "tok3"]}},
        "checks": {"auth": {"bulk_sender": True}},
        "dns": {"resolver": "fixture", "zone": str(ZONES / f"{zone}.json")},
    })


def test_refresh_then_check(cli):
    configure(cli, "healthy")
    msg = transactional("a@example.org", **{"from": "News <news@example.com>"})
    before = cli.check_json(msg, "--dry-run", expect=EXIT_OK)
    assert [r["code"] for r in before["reasons"]] == ["auth.status_missing"]

    report = cli.json("auth", "refresh")
    assert report["identities"] == 1 and report["with_dns_errors"] == 0
    status = cli.json("auth", "status", "example.com")
    assert status["summary"]["dkim"] == "ok"
    assert len(cli.json("auth", "status")) == 1

    ok = cli.check_json(msg, expect=EXIT_OK)
    assert ok["reasons"] == []
    # Not verified in eu-west-1: the provider would reject the send.
    eu = cli.check_json(dict(msg, region="eu-west-1"), expect=EXIT_BLOCK)
    assert [r["code"] for r in eu["reasons"]] == ["auth.identity_unverified"]
    stranger = cli.check_json(transactional("a@example.org", **{"from": "x@example.net"}), expect=EXIT_BLOCK)
    assert [r["code"] for r in stranger["reasons"]] == ["auth.identity_unverified"]


def test_refresh_records_a_broken_dkim_key(cli):
    configure(cli, "dkim_revoked")
    cli.run("auth", "refresh", expect=EXIT_OK)
    res = cli.check_json(transactional("a@example.org", **{"from": "news@example.com"}), expect=EXIT_BLOCK)
    assert [r["code"] for r in res["reasons"]] == ["auth.dkim_revoked"]
    text = cli.run("auth", "status", "example.com", expect=EXIT_OK).out
    assert "DKIM   revoked" in text
