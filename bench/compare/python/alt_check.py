"""Contender "alt-python": the gate a Python developer would write without presend.

sqlite3 lookups of the subscribers and suppressions tables, the `limits`
library's moving window for the rolling 24 hours and the per-second rate,
and every recipient's verdict recorded in a decisions table.

    python3 bench/compare/python/alt_check.py --store alt.db --messages messages.jsonl \
        --out result [--seconds S | --count N] [--max-24h N] [--max-rate R]

The same rules as presend's checks in this workload: a recipient is
allowed when the message has a one-click unsubscribe, the address is not
suppressed (for every list, or for this one) and it has a consent record
for the list with status "subscribed". The consenting recipients of a
message are then counted against both limits in one step (all or none:
`hit(..., cost=n)`), as one does with a rate limiter.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from typing import Any

import limits
from limits import RateLimitItemPerDay, RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

import driver

ONE_CLICK = "List-Unsubscribe=One-Click"


class SendGate:
    def __init__(self, db_path: str, max_24h: int, max_rate: int, limits_storage: str = "memory://") -> None:
        # Autocommit: transactions are opened explicitly where they are needed.
        self.db = sqlite3.connect(db_path, timeout=10.0, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")  # presend's default durability, for a like comparison
        self.limiter = MovingWindowRateLimiter(storage_from_string(limits_storage))
        self.per_day = RateLimitItemPerDay(max_24h)
        self.per_second = RateLimitItemPerSecond(max_rate)

    def _recipient_verdict(self, email: str, list_name: str) -> tuple[str, str | None]:
        row = self.db.execute(
            "SELECT reason FROM suppressions WHERE email = ? AND (list IS NULL OR list = ?) LIMIT 1",
            (email, list_name)).fetchone()
        if row is not None:
            return "block", "suppression." + row[0]
        row = self.db.execute("SELECT status FROM subscribers WHERE email = ? AND list = ?",
                              (email, list_name)).fetchone()
        if row is None:
            return "block", "consent.missing"
        if row[0] != "subscribed":
            return "block", "consent." + row[0]
        return "allow", None

    def check(self, message: dict[str, Any], dry_run: bool = False) -> list[tuple[str, str, str | None]]:
        """Each recipient's (address, verdict, reason); records them unless dry_run."""
        list_name = message.get("list", "")
        headers = {name.lower(): value for name, value in message.get("headers", [])}
        one_click = ("<https://" in headers.get("list-unsubscribe", "")
                     and headers.get("list-unsubscribe-post", "").strip() == ONE_CLICK)
        seen: set[str] = set()
        result: list[tuple[str, str, str | None]] = []
        for address in message["to"]:
            email = address.strip().lower()
            if email in seen:
                continue
            seen.add(email)
            if not one_click:
                result.append((email, "block", "unsubscribe.missing"))
            else:
                result.append((email, *self._recipient_verdict(email, list_name)))
        if dry_run:
            return result

        n = sum(1 for _, v, _ in result if v == "allow")
        if n and not (self.limiter.hit(self.per_second, "prod", "us-east-1", cost=n)
                      and self.limiter.hit(self.per_day, "prod", "us-east-1", cost=n)):
            result = [(e, "defer", "quota.exceeded") if v == "allow" else (e, v, r) for e, v, r in result]

        now = int(time.time())
        message_id = message.get("message_id", "")
        self.db.execute("BEGIN")
        try:
            self.db.executemany(
                "INSERT INTO decisions(message_id, recipient, verdict, reason, created_at) VALUES(?, ?, ?, ?, ?)",
                [(message_id, e, v, r, now) for e, v, r in result])
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return result


def main() -> None:
    args = driver.parse_args(__doc__.splitlines()[0])
    messages = driver.load_messages(args.messages)
    base_kb = driver.status_kb("RssAnon")
    gate = SendGate(args.store, args.max_24h, args.max_rate, args.limits_storage)

    def check(m: dict[str, Any]) -> driver.Outcome:
        allowed = blocked = deferred = 0
        for _, verdict, _ in gate.check(m):
            if verdict == "allow":
                allowed += 1
            elif verdict == "defer":
                deferred += 1
            else:
                blocked += 1
        return driver.message_verdict(allowed, blocked, deferred), allowed, blocked, deferred

    runtime = f"Python {sys.version.split()[0]}, sqlite3 {sqlite3.sqlite_version}, limits {limits.__version__}"
    driver.run("alt-python", runtime, args, messages, base_kb, check, lambda m: gate.check(m, dry_run=True))


if __name__ == "__main__":
    main()
