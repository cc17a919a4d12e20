"""Dry-run checks per second through the Python binding.

The workload mirrors bench/bench_data.hpp: marketing messages of 5 recipients
drawn from a small population with consent records (some unsubscribed or
unconfirmed, some unknown addresses), a fresh unsubscribe token per message.
Compare with the C API figure of bench/presend_bench.

    PRESEND_LIBRARY=build/release/c_api/libpresend.so.1 python3 bindings/python/bench.py [SECONDS]
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))
import presend  # noqa: E402

RECORDS, DOMAINS, RECIPIENTS = 2000, 50, 5
CONFIG = {"fail_open": False,
          "defaults": {"account": "prod", "region": "us-east-1", "stream": "marketing"},
          "accounts": {"prod": {"tier": "production",
                                "regions": {"us-east-1": {"max_24h": 1099511627776, "max_rate": 1000000,
                                                          "burst": 60000000}}}},
          "checks": {"frequency": {"mode": "off"}}}


def address(i: int) -> str:
    return f"user{i:06d}@example-{(i * 2654435761) % DOMAINS}.com"


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as d, presend.Engine(CONFIG, db=Path(d) / "bench.db") as e:
        rows = ["address,list,status,method,consented_at"]
        for i in range(RECORDS):
            status = "unsubscribed" if i % 50 == 0 else "unconfirmed" if i % 100 == 1 else "subscribed"
            rows.append(f"{address(i)},weekly,{status},single,2020-01-01T00:00:00Z")
        e.consent_import(("\n".join(rows) + "\n").encode(), format="csv")
        alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

        def message(seq: int) -> dict[str, object]:
            token = "".join(rng.choice(alnum) for _ in range(22))
            to = [address(rng.randrange(RECORDS * (2 if rng.random() < 0.02 else 1))) for _ in range(RECIPIENTS)]
            return {"from": "News <news@example.com>", "mail_from": "bounce@mail.example.com", "to": to,
                    "account": "prod", "region": "us-east-1", "stream": "marketing", "list": "weekly",
                    "headers": [["List-Unsubscribe", f"<https://example.com/u/{token}>, "
                                                     f"<mailto:unsubscribe+{token}@example.com>"],
                                ["List-Unsubscribe-Post", "List-Unsubscribe=One-Click"]],
                    "message_id": f"<bench.{seq}@example.com>"}

        msgs = [message(i) for i in range(1000)]
        for m in msgs[:100]:
            e.check(m, dry_run=True)
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            e.check(msgs[n % len(msgs)], dry_run=True)
            n += 1
        elapsed = time.perf_counter() - start
    print(f"presend {presend.version()} python binding: {n / elapsed:,.0f} dry-run checks/s "
          f"({RECIPIENTS} recipients each, {n} checks in {elapsed:.2f} s)")


if __name__ == "__main__":
    main()
