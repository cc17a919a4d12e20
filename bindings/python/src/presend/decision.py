"""Decisions, as presend_decision_json describes them."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from typing import Any


class Verdict(str, enum.Enum):
    """A message's or recipient's verdict. Compares equal to its string value."""

    ALLOW = "allow"
    PARTIAL = "partial"
    BLOCK = "block"
    DEFER = "defer"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Reason:
    """One finding: a stable dotted ``code`` and how it was judged."""

    code: str
    severity: str
    check: str
    message: str
    enforced: bool = True

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Reason:
        return cls(code=d["code"], severity=d.get("severity", ""), check=d.get("check", ""),
                   message=d.get("message", ""), enforced=bool(d.get("enforced", True)))


@dataclass(frozen=True)
class Recipient:
    """A recipient in normalized form, with its own verdict and reasons."""

    address: str
    verdict: Verdict
    reasons: list[Reason] = field(default_factory=list)

    @property
    def reason_codes(self) -> list[str]:
        return [r.code for r in self.reasons]


@dataclass(frozen=True)
class Decision:
    """presend's answer for one message.

    ``retry_after`` is in seconds (a float, ready for ``time.sleep`` or a
    task queue's countdown); ``retry_after_ms`` is the exact integer the C
    API reports. ``data`` holds the whole decision JSON as a dict.
    """

    id: str
    verdict: Verdict
    recipients: list[Recipient]
    reasons: list[Reason]
    retry_after_ms: int
    dry_run: bool
    data: dict[str, Any] = field(repr=False, compare=False)

    @property
    def retry_after(self) -> float:
        return self.retry_after_ms / 1000.0

    @property
    def allowed_recipients(self) -> list[str]:
        return [r.address for r in self.recipients if r.verdict is Verdict.ALLOW]

    @property
    def reason_codes(self) -> list[str]:
        return [r.code for r in self.reasons]

    @property
    def allowed(self) -> bool:
        """True when at least one recipient may be sent to (allow or partial)."""
        return self.verdict in (Verdict.ALLOW, Verdict.PARTIAL)

    def to_dict(self) -> dict[str, Any]:
        return json.loads(json.dumps(self.data))

    @classmethod
    def from_json(cls, text: str) -> Decision:
        d = json.loads(text)
        return cls(
            id=d["decision_id"],
            verdict=Verdict(d["verdict"]),
            recipients=[Recipient(r["address"], Verdict(r["verdict"]),
                                  [Reason.from_dict(x) for x in r.get("reasons", [])])
                        for r in d.get("recipients", [])],
            reasons=[Reason.from_dict(x) for x in d.get("reasons", [])],
            retry_after_ms=int(d.get("retry_after_ms", 0)),
            dry_run=bool(d.get("dry_run", False)),
            data=d,
        )
