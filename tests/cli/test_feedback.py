"""presend events ingest, pause/resume, reputation, audit verify and report,
run as a user runs them, against the store file they leave behind."""

import csv
import datetime
import io
import json
import re
import sqlite3

import pytest

from presend_cli import EXIT_DEFER, EXIT_ERROR, EXIT_OK, EXIT_USAGE, marketing, transactional


def now():
    """Events carry the time they happened; the reputation window is the last hours."""
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def bounce(n, to, when=None, kind="Permanent", subtype="General"):
    when = when or now()
    return {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": kind,
            "bounceSubType": subtype,
            "bouncedRecipients": [{"emailAddress": to, "status": "5.1.1", "action": "failed"}],
            "timestamp": when,
            "feedbackId": f"fb-{n}",
        },
        "mail": {
            "timestamp": when,
            "messageId": f"ses-{n}",
            "source": "news@example.com",
            "sourceArn": "arn:aws:ses:us-east-1:123456789012:identity/example.com",
            "sendingAccountId": "123456789012",
            "destination": [to],
        },
    }


def complaint(n, to, when=None):
    when = when or now()
    return {
        "notificationType": "Complaint",
        "complaint": {
            "complainedRecipients": [{"emailAddress": to}],
            "timestamp": when,
            "feedbackId": f"c-{n}",
            "complaintFeedbackType": "abuse",
        },
        "mail": {"timestamp": when, "messageId": f"cm-{n}", "source": "news@example.com", "destination": [to]},
    }


def jsonl(*docs):
    return "".join(json.dumps(d) + "\n" for d in docs)


def suppressed(cli):
    return {s["address"]: s for s in cli.json("suppress", "list")}


def db(cli):
    return sqlite3.connect(cli.store)


# --- events ingest ------------------------------------------------------------------


def test_ingest_suppresses_and_a_second_ingest_is_a_no_op(cli):
    cli.write("events.jsonl", jsonl(bounce(1, "gone@example.org"), complaint(2, "angry@example.org")))
    res = cli.run("events", "ingest", "events.jsonl", expect=EXIT_OK)
    assert "2 documents: 2 ingested, 0 already known, 0 failed" in res.out, res
    s = suppressed(cli)
    assert s["gone@example.org"]["reason"] == "bounce" and s["gone@example.org"]["event"], s
    assert s["angry@example.org"]["reason"] == "complaint"
    again = cli.json("events", "ingest", "events.jsonl")
    assert (again["ingested"], again["duplicates"], again["failed"]) == (0, 2, 0)
    assert suppressed(cli) == s
    # The next message to them is blocked.
    assert cli.check(transactional("gone@example.org"), expect=10).rc == 10


def test_bad_documents_are_reported_and_the_good_ones_ingested(cli):
    text = jsonl(bounce(1, "a@example.org")) + "{not json}\n" + jsonl(bounce(2, "b@example.org"))
    res = cli.run("events", "ingest", "-", input=text, expect=EXIT_ERROR)
    assert "3 documents: 2 ingested, 0 already known, 1 failed" in res.out, res
    assert re.search(r"document 2 \(line 2\): json_invalid: ", res.err), res
    assert {"a@example.org", "b@example.org"} <= set(suppressed(cli))
    report = cli.json("events", "ingest", "-", input=text, expect=EXIT_ERROR)
    assert report["outcomes"][1]["error"]["code"] == "json_invalid"
    assert report["duplicates"] == 2


def test_an_empty_or_unknown_input_changes_nothing(cli):
    assert cli.json("events", "ingest", "-", input="")["documents"] == 0
    res = cli.run("events", "ingest", "-", "--format", "ses", input="\x00\xff garbage", expect=EXIT_ERROR)
    assert "1 failed" in res.out
    assert suppressed(cli) == {}
    cli.run("events", "ingest", "nothing-here.json", expect=EXIT_ERROR)
    cli.run("events", "ingest", "-", "--format", "pdf", input="{}", expect=EXIT_ERROR)
    cli.run("events", "show", expect=EXIT_USAGE)


# --- pause, resume, reputation ---------------------------------------------------------


def test_pause_defers_everything_until_resume(cli):
    cli.run("pause", "prod", "--reason", "SES review notice", expect=EXIT_OK)
    res = cli.check(transactional("x@example.org"), expect=EXIT_DEFER)
    assert "reputation.paused" in res.out and "SES review notice" in res.out, res
    (status,) = cli.json("reputation", "--account", "prod", "--region", "us-east-1")
    assert status["status"] == "paused" and status["paused"]["reason"] == "SES review notice"
    cli.run("resume", "prod", expect=EXIT_OK)
    cli.check(transactional("x@example.org"), expect=EXIT_OK)
    res = cli.run("resume", "prod", expect=EXIT_ERROR)
    assert "no pause" in res.err
    cli.run("pause", "nobody", expect=EXIT_ERROR)


def test_reputation_reports_distance_to_ses_thresholds(cli):
    cfg = json.loads(cli.config.read_text())
    cfg["checks"]["reputation"] = {"min_volume": 10}
    cli.write_config(cfg)
    for i in range(5):
        cli.check(transactional(*[f"r{i}-{j}@example.org" for j in range(10)]), expect=EXIT_OK)
    cli.run("events", "ingest", "-", input=jsonl(bounce(1, "r0-0@example.org")), expect=EXIT_OK)
    (r,) = cli.json("reputation", "--account", "prod", "--region", "us-east-1")
    assert (r["sends"], r["bounces"], r["bounce_rate"]) == (50, 1, 0.02)
    assert r["status"] == "warn"
    assert r["distance"]["bounce_review"].startswith("2.00% (3.00 points under the 5.00% review threshold)")
    text = cli.run("reputation", "--account", "prod", "--region", "us-east-1", expect=EXIT_OK).out
    assert "prod/us-east-1: warn, 50 sends" in text
    # Marketing now carries the warning; at 4% it waits.
    cli.run("events", "ingest", "-", input=jsonl(bounce(2, "r0-1@example.org")), expect=EXIT_OK)
    cli.run("consent", "grant", "m@example.org", "--list", "weekly", expect=EXIT_OK)
    res = cli.check_json(marketing("m@example.org"), "--dry-run", expect=EXIT_DEFER)
    assert "reputation.bounce_rate" in [r["code"] for r in res["reasons"]]
    assert res["verdict"] == "defer"


# --- the audit trail ---------------------------------------------------------------------


def test_audit_verify_names_the_first_bad_record(cli):
    cli.run("consent", "grant", "a@example.org", "--list", "weekly", expect=EXIT_OK)
    for i in range(3):
        cli.check(transactional(f"t{i}@example.org"), expect=EXIT_OK)
    ok = cli.json("audit", "verify")
    assert ok["ok"] is True and ok["records"] == 5, ok
    assert ok["key"] == "store" and "configure audit.key_file" in ok["note"]
    with db(cli) as c:
        c.execute("UPDATE audit SET content = replace(content, 't1@', 'zz@') WHERE seq = 4")
    res = cli.run("audit", "verify", expect=EXIT_ERROR)
    assert "audit trail BROKEN at record 4" in res.out, res
    assert "records 1 to 3 verify" in res.out
    with db(cli) as c:
        c.execute("UPDATE audit SET content = replace(content, 'zz@', 't1@') WHERE seq = 4")
        c.execute("DELETE FROM audit WHERE seq = 2")
    broken = cli.json("audit", "verify", expect=EXIT_ERROR)
    assert (broken["first_bad"], broken["records"]) == (3, 4), broken
    assert "record 2 missing" in broken["problem"]


# --- reports ---------------------------------------------------------------------------------


@pytest.fixture
def history(cli):
    """Two days of decisions and feedback on the store."""
    cli.run("consent", "grant", "a@example.org", "--list", "weekly", "--method", "double",
            "--confirmed-at", "2026-01-01T00:00:00Z", "--source", "signup", expect=EXIT_OK)
    cli.run("consent", "grant", "b@example.org", "--list", "weekly", expect=EXIT_OK)
    cli.check(marketing("a@example.org", "b@example.org", "c@example.org"), expect=12)
    cli.check(transactional("t1@example.org", "t2@example.org"), expect=EXIT_OK)
    cli.check(transactional("q@example.org", region="eu-west-1"), expect=EXIT_OK)
    cli.check(transactional("q2@example.org", region="eu-west-1"), expect=EXIT_DEFER)
    cli.run("events", "ingest", "-", input=jsonl(bounce(1, "t1@example.org")), expect=EXIT_OK)
    return cli


def test_report_json_matches_the_store(history):
    cli = history
    model = cli.json("report", "--from", "2026-01-01", "--to", "2027-01-01")
    assert model["report"] == "presend" and model["schema"] == 1
    with db(cli) as c:
        messages = c.execute("SELECT count(*) FROM decision").fetchone()[0]
        verdicts = dict(c.execute("SELECT verdict, count(*) FROM decision GROUP BY verdict").fetchall())
        rverdicts = dict(c.execute("SELECT verdict, count(*) FROM decision_recipient GROUP BY verdict").fetchall())
        sent = dict(c.execute("SELECT region, sum(reserved) FROM decision GROUP BY region").fetchall())
    assert model["summary"]["messages"] == messages == 4
    assert {k: v for k, v in model["summary"]["verdicts"].items() if v} == verdicts
    assert {k: v for k, v in model["summary"]["recipient_verdicts"].items() if v} == rverdicts
    per_region = {v["region"]: sum(d["sent"] for d in v["days"]) for v in model["volume"] if v["account"] == "prod"}
    assert per_region == sent
    assert model["not_sent"]["total"] == rverdicts["block"] + rverdicts["defer"]
    codes = {r["code"]: r["recipients"] for r in model["top_reasons"]}
    assert codes["consent.missing"] == 1 and codes["quota.daily_exhausted"] == 1
    (weekly,) = model["consent_coverage"]
    assert (weekly["list"], weekly["marketing_recipients"], weekly["double_opt_in"]) == ("weekly", 2, 1)
    assert model["events"]["bounces_permanent"] == 1 and model["events"]["suppressed"] == 1
    assert model["audit"]["verified"] is True
    assert model["ses_request"]["requested"]["max_24h"] >= 2 * model["ses_request"]["recent"]["peak_24h"]


def test_report_csv_carries_the_same_numbers(history):
    cli = history
    model = cli.json("report", "--from", "2026-01-01", "--to", "2027-01-01")
    text = cli.run("report", "--from", "2026-01-01", "--to", "2027-01-01", "--format", "csv", expect=EXIT_OK).out
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0].keys()) == ["section", "account", "region", "subject", "item", "date", "metric", "value"]

    def value(**want):
        found = [r["value"] for r in rows if all(r[k] == v for k, v in want.items())]
        assert len(found) == 1, (want, found)
        return found[0]

    assert int(value(section="summary", subject="", metric="messages")) == model["summary"]["messages"]
    assert int(value(section="summary", subject="partial", metric="messages")) == 1
    for v in model["volume"]:
        for d in v["days"]:
            assert int(value(section="volume", account=v["account"], region=v["region"], date=d["date"], metric="sent")) == d["sent"]
    assert int(value(section="not_sent", metric="total")) == model["not_sent"]["total"]


def test_report_html_is_one_file_with_charts(history):
    cli = history
    res = cli.run("report", "--from", "2026-01-01", "--to", "2027-01-01", "--format", "html", "-o", "r.html", expect=EXIT_OK)
    html = (cli.dir / "r.html").read_text()
    assert "report written to r.html" in res.out
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", html)
    md = cli.run("report", "--format", "md", "--from", "2026-01-01", "--to", "2027-01-01", expect=EXIT_OK).out
    assert md.startswith("# ") and "| " in md


def test_report_bad_options_are_clear_errors(cli):
    assert "format" in cli.run("report", "--format", "pdf", expect=EXIT_ERROR).err
    assert "from" in cli.run("report", "--from", "yesterday", expect=EXIT_ERROR).err
    assert "after" in cli.run("report", "--from", "2026-02-01", "--to", "2026-01-01", expect=EXIT_ERROR).err
    cli.run("report", "extra", expect=EXIT_USAGE)
