from __future__ import annotations

import threading
from pathlib import Path

import pytest
from conftest import UNSUB, config

import presend


def marketing(*to: str) -> dict[str, object]:
    return {"from": "News <news@example.com>", "to": list(to), "list": "weekly", "headers": UNSUB}


def test_decision_fields(engine: presend.Engine) -> None:
    d = engine.check(marketing("alice@Example.ORG", "nobody@example.org"))
    assert d.verdict is presend.Verdict.PARTIAL and d.verdict == "partial"
    assert d.allowed_recipients == ["alice@example.org"]
    assert d.recipients[1] == presend.Recipient("nobody@example.org", presend.Verdict.BLOCK, d.recipients[1].reasons)
    assert d.recipients[1].reason_codes == ["consent.missing"]
    assert d.retry_after == 0.0 and not d.dry_run and d.allowed
    assert d.to_dict()["decision_id"] == d.id
    engine.release(d)
    with pytest.raises(presend.StateError) as info:
        engine.release(d.id)
    assert info.value.status == -15 and info.value.code == "PRESEND_ESTATE"


def test_keyword_fields_and_dry_run(engine: presend.Engine) -> None:
    d = engine.check(dry_run=True, **marketing("bob@example.org"))
    assert d.verdict is presend.Verdict.ALLOW and d.dry_run
    with pytest.raises(presend.NotFound):
        engine.release(d)


def test_retry_after_is_seconds(tmp_path: Path) -> None:
    with presend.Engine(config(max_rate=1, burst=1), db=tmp_path / "r.db") as e:
        d = e.check({"from": "s@example.com", "to": ["a@example.org", "b@example.org"], "stream": "transactional"})
        assert d.verdict is presend.Verdict.PARTIAL
        assert 0 < d.retry_after <= 1.0 and d.retry_after == d.retry_after_ms / 1000


def test_errors(engine: presend.Engine, tmp_path: Path) -> None:
    with pytest.raises(presend.MessageError) as info:
        engine.check({"to": ["a@example.org"], "bogus": 1})
    assert info.value.status == -6 and isinstance(info.value, ValueError) and "bogus" in str(info.value)
    with pytest.raises(presend.JSONError):
        engine.check("{not json")
    with pytest.raises(presend.UnknownAccount):
        engine.check(marketing("alice@example.org"), account="nope")
    with pytest.raises(presend.NotFound):
        engine.consent_withdraw("zed@example.org", "weekly")
    with pytest.raises(presend.ConfigError):
        presend.Engine({"no_such_key": 1}, db=tmp_path / "c.db")
    with pytest.raises(presend.FileError):
        presend.Engine(tmp_path / "missing.json")
    with pytest.raises(presend.ParseError):
        presend.normalize_address("not an address")
    assert presend.error_for(-99, "x").status == -99 and type(presend.error_for(-99, "x")) is presend.Error


def test_closed_engine(tmp_path: Path) -> None:
    e = presend.Engine(config(), db=tmp_path / "x.db")
    e.close()
    e.close()
    with pytest.raises(presend.InvalidArgument):
        e.check(marketing("a@example.org"))


def test_read_only(tmp_path: Path) -> None:
    presend.Engine(config(), db=tmp_path / "ro.db").close()
    with presend.Engine(config(), db=tmp_path / "ro.db", read_only=True) as e:
        assert e.check(marketing("a@example.org"), dry_run=True).verdict is presend.Verdict.BLOCK
        with pytest.raises(presend.ReadOnly) as info:
            e.check(marketing("a@example.org"))
        assert isinstance(info.value, presend.StoreError)


def test_admin_calls(engine: presend.Engine) -> None:
    assert engine.consent_get("alice@example.org")[0]["list"] == "weekly"
    engine.consent_withdraw("alice@example.org", "weekly")
    assert engine.check(marketing("alice@example.org")).recipients[0].reason_codes == ["consent.withdrawn"]
    report = engine.consent_import(b"address,list\ncsv@example.org,weekly\nbad,weekly\n", format="csv")
    assert report["imported"] == 1 and report["rejected"] == 1
    engine.suppression_put(address="@spam.example", reason="manual")
    assert [s["address"] for s in engine.suppression_list(reason="manual")] == ["@spam.example"]
    engine.suppression_remove("@spam.example")
    assert engine.suppression_list() == []
    engine.pause("prod", reason="test")
    assert engine.check(marketing("bob@example.org")).reason_codes == ["reputation.paused"]
    engine.resume("prod")
    assert engine.quota_status()["account"] == "prod"
    assert engine.audit_verify()["ok"] is True
    assert "<html" in engine.report(format="html").lower()
    assert any(r["code"] == "consent.missing" for r in presend.reason_codes())
    assert presend.version().startswith("1.")


def test_batch(engine: presend.Engine) -> None:
    out = engine.check_batch([marketing("alice@example.org"), {"bogus": True}], dry_run=True)
    assert isinstance(out[0], presend.Decision) and out[0].verdict is presend.Verdict.ALLOW
    assert isinstance(out[1], presend.MessageError)


def test_threads_share_one_engine(tmp_path: Path) -> None:
    threads, per_thread = 8, 25
    with presend.Engine(config(max_rate=100000, burst=100000, max_24h=10_000_000), db=tmp_path / "t.db") as e:
        e.consent_put(address="alice@example.org", list="weekly")
        errors: list[BaseException] = []
        verdicts: list[presend.Verdict] = []
        lock = threading.Lock()

        def work() -> None:
            try:
                for _ in range(per_thread):
                    d = e.check(marketing("alice@example.org", "nobody@example.org"))
                    with pytest.raises(presend.MessageError):
                        e.check({"bogus": 1})
                    with lock:
                        verdicts.append(d.verdict)
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

        ts = [threading.Thread(target=work) for _ in range(threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        assert not errors
        assert verdicts == [presend.Verdict.PARTIAL] * threads * per_thread
        assert e.quota_status()["sent_24h"] == threads * per_thread
