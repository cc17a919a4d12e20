from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
# Run from a checkout without installing: the package's sources come first.
if os.environ.get("PRESEND_TEST_INSTALLED") != "1":
    sys.path.insert(0, str(HERE.parent / "src"))

import presend  # noqa: E402

VECTORS = Path(os.environ.get("PRESEND_VECTORS_DIR", HERE.parents[2] / "tests" / "vectors"))
UNSUB = [["List-Unsubscribe", "<https://example.com/u/7Qx2Lm9Kp4Rz8Tw1Vb6Yn3>"],
         ["List-Unsubscribe-Post", "List-Unsubscribe=One-Click"]]


def config(max_rate: int = 14, burst: int = 14, max_24h: int = 50000) -> dict[str, Any]:
    return {"defaults": {"account": "prod", "region": "us-east-1"},
            "accounts": {"prod": {"tier": "production",
                                  "regions": {"us-east-1": {"max_24h": max_24h, "max_rate": max_rate,
                                                            "burst": burst}}}}}


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[presend.Engine]:
    with presend.Engine(config(max_rate=100000, burst=100000, max_24h=10_000_000), db=tmp_path / "t.db") as e:
        e.consent_put(address="alice@example.org", list="weekly", consented_at="2020-01-01T00:00:00Z")
        e.consent_put(address="bob@example.org", list="weekly", consented_at="2020-01-01T00:00:00Z")
        yield e
