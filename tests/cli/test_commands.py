"""Every command of `presend --help`, used the way its usage text describes."""

import json
import re

from presend_cli import (
    CONFIG,
    EXIT_BLOCK,
    EXIT_DEFER,
    EXIT_ERROR,
    EXIT_OK,
    EXIT_PARTIAL,
    marketing,
    transactional,
)

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SEVERITIES = {"block", "defer", "warn", "info"}
VERDICTS = {"allow", "partial", "block", "defer"}


def assert_decision_shape(d, dry_run=False):
    """DESIGN.md, "Decision out"."""
    assert UUID.match(d["decision_id"]), d["decision_id"]
    assert d["verdict"] in VERDICTS
    assert isinstance(d["retry_after_ms"], int) and d["retry_after_ms"] >= 0
    assert d["dry_run"] is dry_run
    assert isinstance(d["recipients"], list) and d["recipients"]
    for r in d["recipients"]:
        assert isinstance(r["address"], str)
        assert r["verdict"] in {"allow", "block", "defer"}
        assert isinstance(r["reasons"], list)
        for reason in r["reasons"]:
            assert_reason_shape(reason)
    assert isinstance(d["reasons"], list)
    for reason in d["reasons"]:
        assert_reason_shape(reason)
    q = d["quota"]
    for key in ("account", "region"):
        assert isinstance(q[key], str)
    for key in ("sent_24h", "max_24h", "remaining_24h", "max_rate"):
        assert isinstance(q[key], (int, float)) and q[key] >= 0, key
    assert q["remaining_24h"] == q["max_24h"] - q["sent_24h"]


def assert_reason_shape(reason):
    assert re.match(r"^[a-z_]+\.[a-z_]+$", reason["code"]), reason
    assert reason["severity"] in SEVERITIES
    assert isinstance(reason["check"], str) and reason["check"]
    assert isinstance(reason["message"], str) and reason["message"]


def codes(reasons):
    return [r["code"] for r in reasons]


# --- demo ------------------------------------------------------------------------


def test_demo_shows_all_four_verdicts_and_cleans_up(cli):
    res = cli.run("demo", config=False, expect=EXIT_OK)
    summary = re.search(r"verdicts:\s+allow (\d+)\s+partial (\d+)\s+block (\d+)\s+defer (\d+)", res.out)
    assert summary, res
    assert all(int(n) > 0 for n in summary.groups()), summary.group(0)
    for verdict in VERDICTS:
        assert re.search(rf"^{verdict}\b.*decision", res.out, re.M), f"no {verdict} decision printed"
    # It ends with a report, and the temporary store is gone afterwards.
    report = re.search(r"^Report: (.+)$", res.out, re.M)
    assert report, res
    assert report.group(1) == str(cli.dir / "tmp" / "presend-demo-report.html")
    html = (cli.dir / "tmp" / "presend-demo-report.html").read_text()
    assert "<svg" in html and "Audit chain verified" in html
    assert "4. SES reported" in res.out and "audit trail: " in res.out and "intact" in res.out
    assert [p.name for p in (cli.dir / "tmp").iterdir()] == ["presend-demo-report.html"]


def test_demo_keep_keeps_the_store(cli):
    res = cli.run("demo", "--keep", cli.dir / "kept", config=False, expect=EXIT_OK)
    assert (cli.dir / "kept" / "presend-demo.db").is_file(), res


# --- init ------------------------------------------------------------------------


def test_init_writes_a_config_and_store_and_keeps_them(cli):
    cli.config.unlink()
    work = cli.dir / "fresh"
    work.mkdir()
    res = cli.run("init", config=False, cwd=work, expect=EXIT_OK)
    config, store = work / "presend.json", work / "presend.db"
    assert config.is_file() and store.is_file(), res
    json.loads(config.read_text())  # a valid starter configuration

    # Data put into the store, and a hand-edited configuration, survive a second init.
    cli.run("consent", "grant", "kept@example.org", "--list", "weekly", config=config, expect=EXIT_OK)
    edited = json.loads(config.read_text())
    edited["accounts"]["prod"]["regions"]["us-east-1"]["max_24h"] = 1234
    config.write_text(json.dumps(edited))
    before = config.read_bytes()

    again = cli.run("--json", "init", config=False, cwd=work, expect=EXIT_OK).json()
    assert again["created"] is False
    assert config.read_bytes() == before
    assert cli.run("--json", "consent", "show", "kept@example.org", config=config, expect=EXIT_OK).json()
    assert cli.run("--json", "quota", "status", config=config, expect=EXIT_OK).json()["max_24h"] == 1234


def test_init_json_reports_creation(cli):
    target = cli.dir / "new.json"
    out = cli.json("init", config=target)
    assert out == {"config": str(target), "created": True}
    assert (cli.dir / "presend.db").is_file()


def test_commands_find_the_config_through_PRESEND_CONFIG(cli):
    res = cli.run("--json", "quota", "status", config=False, env={"PRESEND_CONFIG": str(cli.config)}, expect=EXIT_OK)
    assert res.json()["account"] == "prod"


def test_no_configuration_is_an_error_that_says_what_to_do(cli):
    empty = cli.dir / "empty"
    empty.mkdir()
    res = cli.run("quota", "status", config=False, cwd=empty, expect=EXIT_ERROR)
    assert "presend init" in res.err or "--config" in res.err


def test_store_path_is_relative_to_the_config_file(cli):
    sub = cli.dir / "etc"
    sub.mkdir()
    config = cli.write_config(CONFIG, sub / "presend.json")
    cli.run("quota", "status", config=config, expect=EXIT_OK)
    assert (sub / "presend.db").is_file()
    assert not cli.store.exists()


def test_db_option_overrides_the_configured_store(cli):
    cli.run("--db", cli.dir / "other.db", "consent", "grant", "a@example.org", "--list", "weekly", expect=EXIT_OK)
    assert (cli.dir / "other.db").is_file()
    assert cli.consent("a@example.org") == []  # the configured store is another one
    assert cli.json("--db", cli.dir / "other.db", "consent", "show", "a@example.org")


# --- check -----------------------------------------------------------------------


def test_check_allow_exits_0(cli):
    d = cli.check_json(transactional("someone@example.org"), expect=EXIT_OK)
    assert_decision_shape(d)
    assert d["verdict"] == "allow"
    assert d["recipients"] == [{"address": "someone@example.org", "verdict": "allow", "reasons": []}]
    assert d["quota"]["account"] == "prod" and d["quota"]["region"] == "us-east-1"
    assert d["quota"]["sent_24h"] == 1


def test_check_block_exits_10(cli):
    d = cli.check_json(marketing("stranger@example.org"), expect=EXIT_BLOCK)
    assert_decision_shape(d)
    assert d["verdict"] == "block"
    (r,) = d["recipients"]
    assert r["verdict"] == "block"
    reason = next(x for x in r["reasons"] if x["code"] == "consent.missing")
    assert reason["severity"] == "block" and reason["check"] == "consent"


def test_check_partial_exits_12(cli):
    cli.run("consent", "grant", "fan@example.org", "--list", "weekly", expect=EXIT_OK)
    d = cli.check_json(marketing("fan@example.org", "stranger@example.org"), expect=EXIT_PARTIAL)
    assert_decision_shape(d)
    assert d["verdict"] == "partial"
    by_address = {r["address"]: r for r in d["recipients"]}
    assert by_address["fan@example.org"]["verdict"] == "allow"
    assert by_address["stranger@example.org"]["verdict"] == "block"
    assert "consent.missing" in codes(by_address["stranger@example.org"]["reasons"])
    assert d["quota"]["sent_24h"] == 1  # only the allowed recipient counts


def test_check_defer_exits_11_with_retry_after(cli):
    cli.check(transactional("first@example.org", region="eu-west-1"), expect=EXIT_OK)
    d = cli.check_json(transactional("second@example.org", region="eu-west-1"), expect=EXIT_DEFER)
    assert_decision_shape(d)
    assert d["verdict"] == "defer"
    assert d["retry_after_ms"] > 0
    assert "quota.daily_exhausted" in codes(d["recipients"][0]["reasons"])


def test_check_text_output_names_verdicts_and_reasons(cli):
    res = cli.check(marketing("stranger@example.org"), expect=EXIT_BLOCK)
    assert res.out.startswith("block")
    assert "stranger@example.org" in res.out and "consent.missing" in res.out


def test_check_reads_a_file_argument(cli):
    path = cli.write("message.json", transactional("file@example.org"))
    res = cli.run("--json", "check", path, expect=EXIT_OK)
    assert res.json()["recipients"][0]["address"] == "file@example.org"


def test_check_dry_run_consumes_no_quota(cli):
    cli.check(transactional("a@example.org"), expect=EXIT_OK)
    before = cli.json("quota", "status")
    d = cli.check_json(transactional("b@example.org", "c@example.org"), "--dry-run", expect=EXIT_OK)
    assert_decision_shape(d, dry_run=True)
    after = cli.json("quota", "status")
    assert after["sent_24h"] == before["sent_24h"] == 1
    # A dry-run decision is not stored: it cannot be released.
    res = cli.run("release", d["decision_id"], expect=EXIT_ERROR)
    assert d["decision_id"] in res.err
    # The same check without --dry-run counts both recipients.
    cli.check(transactional("b@example.org", "c@example.org"), expect=EXIT_OK)
    assert cli.sent_24h() == 3


def test_check_batch_later_messages_see_earlier_reservations(cli):
    batch = [transactional("one@example.org", region="eu-west-1"), transactional("two@example.org", region="eu-west-1")]
    out = cli.run("--json", "check", "--batch", "-", input=batch, expect=EXIT_DEFER).json()
    assert isinstance(out, list) and len(out) == 2
    for d in out:
        assert_decision_shape(d)
    assert [d["verdict"] for d in out] == ["allow", "defer"]


def test_check_batch_exit_code_is_the_worst_verdict(cli):
    batch = [transactional("one@example.org"), marketing("stranger@example.org")]
    res = cli.run("check", "--batch", "-", input=batch, expect=EXIT_BLOCK)
    assert "message 0: allow" in res.out and "message 1: block" in res.out
    assert cli.sent_24h() == 1


def test_check_batch_reports_an_invalid_message_and_checks_the_others(cli):
    batch = [transactional("one@example.org"), transactional("two@example.org", bogus=1)]
    res = cli.run("--json", "check", "--batch", "-", input=batch, expect=EXIT_ERROR)
    out = res.json()
    assert out[0]["verdict"] == "allow"
    assert "error" in out[1] and "bogus" in out[1]["error"]["message"]
    assert cli.sent_24h() == 1
    # Exit 1 says something failed; stderr should say what.
    assert "bogus" in res.err or "message 1" in res.err, res


def test_check_batch_dry_run_consumes_no_quota(cli):
    batch = [transactional("one@example.org"), transactional("two@example.org")]
    out = cli.run("--json", "check", "--batch", "--dry-run", "-", input=batch, expect=EXIT_OK).json()
    assert all(d["dry_run"] is True for d in out)
    assert cli.sent_24h() == 0


# --- release ---------------------------------------------------------------------


def test_release_returns_quota_once(cli):
    d = cli.check_json(transactional("a@example.org", "b@example.org"), expect=EXIT_OK)
    assert cli.sent_24h() == 2
    res = cli.run("release", d["decision_id"], expect=EXIT_OK)
    assert d["decision_id"] in res.out
    assert cli.sent_24h() == 0

    again = cli.run("release", d["decision_id"], expect=EXIT_ERROR)
    assert "already released" in again.err, again
    assert cli.sent_24h() == 0


def test_release_unknown_decision(cli):
    res = cli.run("release", "01a2120e-0000-7000-8000-000000000000", expect=EXIT_ERROR)
    assert "01a2120e-0000-7000-8000-000000000000" in res.err
    assert re.search(r"not found|no stored decision", res.err), res


def test_release_json(cli):
    d = cli.check_json(transactional("a@example.org"), expect=EXIT_OK)
    assert cli.json("release", d["decision_id"]) == {"released": d["decision_id"]}


# --- consent ---------------------------------------------------------------------


def test_consent_import_csv_reports_bad_rows_and_imports_good_ones(cli):
    path = cli.write(
        "subscribers.csv",
        "address,list,status,method,consented_at\n"
        "one@example.org,weekly,subscribed,double,2026-01-01T00:00:00Z\n"
        "not an address,weekly,subscribed,single,2026-01-01T00:00:00Z\n"
        "two@example.org,weekly,subscribed,single,2026-01-02T00:00:00Z\n",
    )
    res = cli.run("consent", "import", path, expect=EXIT_OK)
    assert "imported 2" in res.out and "rejected 1" in res.out
    assert "line 3" in res.out and "not an address" in res.out
    for address in ("one@example.org", "two@example.org"):
        (rec,) = cli.consent(address)
        assert rec["list"] == "weekly" and rec["status"] == "subscribed"
    assert cli.consent("one@example.org")[0]["method"] == "double"
    assert cli.consent("one@example.org")[0]["consented_at"].startswith("2026-01-01T00:00:00")


def test_consent_import_jsonl_reports_bad_rows_and_imports_good_ones(cli):
    path = cli.write(
        "subscribers.jsonl",
        '{"address": "three@example.org", "list": "weekly"}\n'
        '{"address": "four@example.org", "list": \n'
        '{"address": "five@example.org", "list": "weekly", "status": "unsubscribed"}\n',
    )
    report = cli.json("consent", "import", path)
    assert report["imported"] == 2 and report["rejected"] == 1
    (err,) = report["errors"]
    assert err["line"] == 2 and isinstance(err["status"], int) and err["status"] < 0 and err["message"]
    assert cli.consent("three@example.org")[0]["status"] == "subscribed"
    assert cli.consent("five@example.org")[0]["status"] == "unsubscribed"
    assert cli.consent("four@example.org") == []


def test_consent_import_format_option_overrides_the_extension(cli):
    path = cli.write("export.txt", "address,list\nsix@example.org,weekly\n")
    report = cli.json("consent", "import", path, "--format", "csv")
    assert report["imported"] == 1 and report["rejected"] == 0
    assert cli.consent("six@example.org")


def test_consent_grant_withdraw_show_and_their_effect_on_check(cli):
    out = cli.json("consent", "grant", "fan@example.org", "--list", "weekly", "--method", "double",
                   "--source", "signup-form", "--country", "DE")
    assert out[0]["address"] == "fan@example.org" and out[0]["source"] == "signup-form"
    cli.check(marketing("fan@example.org"), expect=EXIT_OK)

    res = cli.run("consent", "withdraw", "fan@example.org", "--list", "weekly", expect=EXIT_OK)
    assert "fan@example.org" in res.out
    (rec,) = cli.consent("fan@example.org", "weekly")
    assert rec["status"] == "unsubscribed" and rec["withdrawn_at"]
    d = cli.check_json(marketing("fan@example.org"), expect=EXIT_BLOCK)
    assert "consent.withdrawn" in codes(d["recipients"][0]["reasons"])

    shown = cli.run("consent", "show", "fan@example.org", expect=EXIT_OK)
    assert "fan@example.org" in shown.out and "unsubscribed" in shown.out


def test_consent_show_of_an_unknown_address_is_empty(cli):
    assert cli.consent("nobody@example.org") == []


def test_consent_withdraw_without_a_record_is_an_error(cli):
    res = cli.run("consent", "withdraw", "nobody@example.org", "--list", "weekly", expect=EXIT_ERROR)
    assert "nobody@example.org" in res.err


# --- suppress --------------------------------------------------------------------


def test_suppress_add_list_remove_address(cli):
    cli.run("consent", "grant", "fan@example.org", "--list", "weekly", expect=EXIT_OK)
    res = cli.run("suppress", "add", "fan@example.org", "--reason", "complaint", "--note", "feedback loop",
                  expect=EXIT_OK)
    assert "fan@example.org" in res.out
    d = cli.check_json(marketing("fan@example.org"), expect=EXIT_BLOCK)
    assert "suppression.complaint" in codes(d["recipients"][0]["reasons"])

    (entry,) = cli.json("suppress", "list")
    assert entry["address"] == "fan@example.org" and entry["reason"] == "complaint"
    assert entry["note"] == "feedback loop" and entry["list"] is None
    assert "fan@example.org" in cli.run("suppress", "list", expect=EXIT_OK).out

    cli.run("suppress", "remove", "fan@example.org", expect=EXIT_OK)
    assert cli.json("suppress", "list") == []
    cli.check(marketing("fan@example.org"), expect=EXIT_OK)
    cli.run("suppress", "remove", "fan@example.org", expect=EXIT_ERROR)


def test_suppress_a_whole_domain(cli):
    cli.json("suppress", "add", "@bounce.example", "--reason", "bounce")
    d = cli.check_json(transactional("anyone@bounce.example", "ok@example.org"), expect=EXIT_PARTIAL)
    by_address = {r["address"]: r for r in d["recipients"]}
    assert by_address["anyone@bounce.example"]["verdict"] == "block"
    assert "suppression.bounce" in codes(by_address["anyone@bounce.example"]["reasons"])
    assert by_address["ok@example.org"]["verdict"] == "allow"
    cli.run("suppress", "remove", "@bounce.example", expect=EXIT_OK)
    cli.check(transactional("anyone@bounce.example"), expect=EXIT_OK)


def test_suppress_for_one_list(cli):
    cli.run("suppress", "add", "x@example.org", "--reason", "manual", "--list", "weekly", expect=EXIT_OK)
    # The global entry does not exist; the list entry does.
    cli.run("suppress", "remove", "x@example.org", expect=EXIT_ERROR)
    (entry,) = cli.json("suppress", "list", "--list", "weekly")
    assert entry["list"] == "weekly"
    cli.run("suppress", "remove", "x@example.org", "--list", "weekly", expect=EXIT_OK)
    assert cli.json("suppress", "list") == []


def test_suppress_list_filters_and_limit(cli):
    cli.run("suppress", "add", "a@example.org", "--reason", "bounce", expect=EXIT_OK)
    cli.run("suppress", "add", "b@example.org", "--reason", "complaint", expect=EXIT_OK)
    cli.run("suppress", "add", "@c.example", "--reason", "bounce", expect=EXIT_OK)
    bounces = cli.json("suppress", "list", "--reason", "bounce")
    assert sorted(e["address"] for e in bounces) == ["@c.example", "a@example.org"]
    assert len(cli.json("suppress", "list", "--limit", "1")) == 1
    assert [e["address"] for e in cli.json("suppress", "list", "--address", "b@example.org")] == ["b@example.org"]


# --- quota -----------------------------------------------------------------------


def test_quota_status(cli):
    q = cli.json("quota", "status")
    assert q["account"] == "prod" and q["region"] == "us-east-1" and q["tier"] == "production"
    assert (q["sent_24h"], q["max_24h"], q["remaining_24h"], q["max_rate"]) == (0, 1000, 1000, 100)
    assert q["limits_source"] == "config"
    text = cli.run("quota", "status", expect=EXIT_OK).out
    assert "prod/us-east-1" in text and "1000" in text

    sandbox = cli.json("quota", "status", "--account", "test")
    assert sandbox["tier"] == "sandbox" and sandbox["max_24h"] == 200 and sandbox["max_rate"] == 1


def test_quota_sync_with_numbers(cli):
    cli.check(transactional("a@example.org"), expect=EXIT_OK)
    report = cli.json("quota", "sync", "--max-24h", "200", "--max-rate", "5", "--sent-last-24h", "50")
    assert report["quota"]["sent_24h"] == 50 and report["quota"]["max_24h"] == 200
    q = cli.json("quota", "status")
    assert (q["sent_24h"], q["max_24h"], q["max_rate"], q["limits_source"]) == (50, 200, 5, "ses")
    text = cli.run("quota", "sync", "--max-24h", "200", "--max-rate", "5", "--sent-last-24h", "60", expect=EXIT_OK)
    assert "synced" in text.out


def test_quota_sync_never_lowers_the_ledger(cli):
    cli.check(transactional("a@example.org", "b@example.org", "c@example.org"), expect=EXIT_OK)
    cli.json("quota", "sync", "--max-24h", "1000", "--max-rate", "100", "--sent-last-24h", "1")
    assert cli.sent_24h() == 3


def test_quota_sync_from_aws_cli_output(cli):
    # `aws ses get-send-quota` prints floats, indented.
    path = cli.write(
        "quota.json",
        '{\n    "Max24HourSend": 50000.0,\n    "MaxSendRate": 14.0,\n    "SentLast24Hours": 120.0\n}\n',
    )
    cli.json("quota", "sync", "--region", "eu-west-1", "--from", path)
    q = cli.json("quota", "status", "--region", "eu-west-1")
    assert (q["sent_24h"], q["max_24h"], q["max_rate"]) == (120, 50000, 14)
    assert cli.sent_24h() == 0  # another region is untouched


# --- reasons, address, version ---------------------------------------------------


def test_reasons_json_lists_every_code_once(cli):
    reasons = cli.json("reasons")
    assert isinstance(reasons, list) and len(reasons) >= 10
    names = [r["code"] for r in reasons]
    assert len(names) == len(set(names))
    prefixes = {"consent", "suppression", "recipient", "unsubscribe", "auth", "quota", "reputation", "engine",
                "frequency"}
    for r in reasons:
        assert r["code"].split(".")[0] in prefixes, r
        assert r["severity"] in SEVERITIES and r["check"] and r["description"]
    assert {"consent.missing", "consent.withdrawn", "quota.daily_exhausted", "engine.unavailable"} <= set(names)


def test_reasons_text_lists_the_same_codes(cli):
    text = cli.run("reasons", expect=EXIT_OK).out
    listed = [line.split()[0] for line in text.splitlines() if line.strip()]
    assert listed == [r["code"] for r in cli.json("reasons")]


def test_address_normalizes_valid_and_idn_addresses(cli):
    res = cli.run("address", "a@Example.COM", "Name <b@BÜCHER.example>", "x@bücher.de", expect=EXIT_OK)
    lines = res.out.splitlines()
    assert lines == ["a@Example.COM\ta@example.com",
                     "Name <b@BÜCHER.example>\tb@xn--bcher-kva.example",
                     "x@bücher.de\tx@xn--bcher-kva.de"]


def test_address_keeps_the_local_part(cli):
    (entry,) = cli.json("address", "Mixed.Case@EXAMPLE.org")
    assert entry == {"input": "Mixed.Case@EXAMPLE.org", "valid": True, "normalized": "Mixed.Case@example.org"}


def test_address_reports_invalid_ones_and_exits_1(cli):
    res = cli.run("--json", "address", "ok@example.org", "nope", "bad@", expect=EXIT_ERROR)
    ok, nope, bad = res.json()
    assert ok["valid"] is True
    assert nope["valid"] is False and "@" in nope["error"]
    assert bad["valid"] is False and bad["error"]
    text = cli.run("address", "nope", expect=EXIT_ERROR)
    assert "invalid" in text.out


def test_version(cli):
    res = cli.run("version", config=False, expect=EXIT_OK)
    m = re.fullmatch(r"presend (\d+\.\d+\.\d+)\n", res.out)
    assert m, res
    assert cli.json("version", config=False) == {"version": m.group(1)}


def test_help_prints_the_usage_and_exits_0(cli):
    res = cli.run("--help", config=False, expect=EXIT_OK)
    for command in ("demo", "init", "check", "release", "consent import", "consent grant", "consent withdraw",
                    "consent show", "suppress add", "suppress remove", "suppress list", "quota status",
                    "quota sync", "reasons", "address", "version"):
        assert command in res.out, command
