"""The shared vectors (tests/vectors), through the binding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import VECTORS

import presend

FILES = sorted(VECTORS.glob("*.json"))


def test_vectors_found() -> None:
    assert len(FILES) >= 12


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_vector(path: Path, tmp_path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    assert "store" not in case["config"]
    with presend.Engine(case["config"], db=tmp_path / "vector.db") as e:
        for step in case.get("setup", []):
            ((kind, arg),) = step.items()
            if kind == "consent_put":
                e.consent_put(arg)
            elif kind == "suppression_put":
                e.suppression_put(arg)
            elif kind == "events_ingest":
                e.events_ingest(arg)
            elif kind == "pause":
                e.pause(arg["account"], arg.get("region"), arg.get("reason"))
            else:
                pytest.fail(f"unknown setup step {kind}")
        assert case["checks"]
        for n, check in enumerate(case["checks"]):
            d = e.check(check["message"], dry_run=check.get("dry_run", False))
            exp = check["expect"]
            got = {"verdict": d.verdict.value,
                   "recipients": [{"address": r.address, "verdict": r.verdict.value,
                                   "reasons": sorted(r.reason_codes)} for r in d.recipients],
                   "reasons": sorted(d.reason_codes)}
            want = {"verdict": exp["verdict"],
                    "recipients": [{**r, "reasons": sorted(r["reasons"])} for r in exp["recipients"]],
                    "reasons": sorted(exp["reasons"])}
            assert got == want, f"check {n}: {json.dumps(d.to_dict())}"
