"""smtplib with presend in front: every message is checked before it goes."""

from __future__ import annotations

import smtplib
import threading
from collections.abc import Mapping, Sequence
from email.message import Message
from typing import Any

from .decision import Decision, Verdict
from .engine import Engine
from .errors import Blocked, Deferred


class CheckedSMTP(smtplib.SMTP):
    """An ``smtplib.SMTP`` that asks presend before each send.

    ``engine`` is a :class:`presend.Engine`; ``presend`` holds message fields
    added to every check (``account``, ``region``, ``stream``, ``list``).
    ``send_message`` and ``sendmail`` check the message (its raw text, with the
    SMTP envelope recipients), send only to the allowed recipients, and raise
    :class:`presend.Blocked` / :class:`presend.Deferred` when none may go. When
    the SMTP send itself raises, the decision's quota is released. The last
    decision is kept in ``last_decision``.
    """

    def __init__(self, *args: Any, engine: Engine, presend: Mapping[str, Any] | None = None,
                 **kwargs: Any) -> None:
        self.engine = engine
        self.presend_fields = dict(presend or {})
        self.last_decision: Decision | None = None
        self._local = threading.local()
        super().__init__(*args, **kwargs)

    def send_message(self, msg: Message, from_addr: str | None = None, to_addrs: str | Sequence[str] | None = None,
                     mail_options: Sequence[str] = (), rcpt_options: Sequence[str] = (), *,
                     presend: Mapping[str, Any] | None = None) -> dict[str, tuple[int, bytes]]:
        """As ``smtplib.SMTP.send_message``; ``presend`` adds fields to this check."""
        self._local.fields = dict(presend or {})
        try:
            return super().send_message(msg, from_addr, to_addrs, mail_options, rcpt_options)
        finally:
            self._local.fields = {}

    def sendmail(self, from_addr: str, to_addrs: str | Sequence[str], msg: str | bytes,
                 mail_options: Sequence[str] = (), rcpt_options: Sequence[str] = ()) -> dict[str, tuple[int, bytes]]:
        recipients = [to_addrs] if isinstance(to_addrs, str) else list(to_addrs)
        raw = msg.decode("utf-8", "replace") if isinstance(msg, (bytes, bytearray)) else msg
        fields = {**self.presend_fields, **getattr(self._local, "fields", {})}
        decision = self.engine.check({"raw": raw, "to": recipients, **fields})
        self.last_decision = decision
        if decision.verdict is Verdict.BLOCK:
            raise Blocked(decision)
        if decision.verdict is Verdict.DEFER:
            raise Deferred(decision)
        try:
            return super().sendmail(from_addr, decision.allowed_recipients, msg, mail_options, rcpt_options)
        except BaseException:
            self.engine.release(decision)
            raise
