"""A Django email backend that puts presend in front of another backend.

Settings:

- ``PRESEND_WRAPPED_BACKEND``: the backend that really sends (dotted path),
  e.g. ``"django.core.mail.backends.smtp.EmailBackend"``.
- ``PRESEND_CONFIG``: a configuration file path or dict; ``PRESEND_DB``: the
  store path (optional); or ``PRESEND_ENGINE``: an open :class:`presend.Engine`.
- ``PRESEND_DEFAULTS``: message fields added to every check, e.g.
  ``{"stream": "transactional"}``. A message's own ``presend`` attribute (a
  dict) adds fields for that message (``{"stream": "marketing", "list": "weekly"}``).
- ``PRESEND_ON_BLOCK``: ``"drop"`` (default: the message is not sent and not
  counted) or ``"raise"`` (:class:`presend.Blocked`).
- ``PRESEND_ON_DEFER``: ``"raise"`` (default: :class:`presend.Deferred`, so a
  task queue can retry after ``exc.retry_after`` seconds) or ``"drop"``.

Blocked recipients of a partial decision are removed from to/cc/bcc; the
rest is sent. When the wrapped backend raises, or does not send a message,
the decision's quota is released. With ``fail_silently``, nothing is raised.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage
from django.utils.module_loading import import_string

from .decision import Decision, Verdict
from .engine import Engine, normalize_address
from .errors import Blocked, Deferred, Error

_engines: dict[tuple[str, str | None], Engine] = {}
_engines_lock = threading.Lock()


def _engine() -> Engine:
    given = getattr(settings, "PRESEND_ENGINE", None)
    if given is not None:
        return given  # type: ignore[no-any-return]
    config = settings.PRESEND_CONFIG
    db = getattr(settings, "PRESEND_DB", None)
    key = (repr(config), None if db is None else str(db))
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None or engine.closed:
            engine = _engines[key] = Engine(config, db=db)
        return engine


def _keep(addresses: Sequence[str], allowed: set[str]) -> list[str]:
    kept = []
    for a in addresses:
        try:
            if normalize_address(a) in allowed:
                kept.append(a)
        except Error:
            continue
    return kept


class EmailBackend(BaseEmailBackend):
    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        super().__init__(fail_silently=fail_silently)
        wrapped = import_string(settings.PRESEND_WRAPPED_BACKEND)
        self.wrapped: BaseEmailBackend = wrapped(fail_silently=fail_silently, **kwargs)
        self.on_block = getattr(settings, "PRESEND_ON_BLOCK", "drop")
        self.on_defer = getattr(settings, "PRESEND_ON_DEFER", "raise")
        self.defaults = dict(getattr(settings, "PRESEND_DEFAULTS", {}) or {})
        self.decisions: list[Decision] = []

    def open(self) -> bool | None:
        return self.wrapped.open()

    def close(self) -> None:
        self.wrapped.close()

    def _message(self, m: EmailMessage) -> dict[str, Any]:
        headers = [[str(k), str(v)] for k, v in (m.extra_headers or {}).items()]
        data: dict[str, Any] = {"from": m.from_email, "to": list(m.to), "cc": list(m.cc), "bcc": list(m.bcc),
                                **self.defaults, **(getattr(m, "presend", None) or {})}
        if headers:
            data["headers"] = headers + [list(h) for h in data.get("headers", [])]
        return data

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        engine = _engine()
        sent = 0
        for m in email_messages:
            try:
                decision = engine.check(self._message(m))
            except Error:
                if self.fail_silently:
                    continue
                raise
            self.decisions.append(decision)
            if decision.verdict is Verdict.BLOCK:
                if self.on_block == "raise" and not self.fail_silently:
                    raise Blocked(decision)
                continue
            if decision.verdict is Verdict.DEFER:
                if self.on_defer == "raise" and not self.fail_silently:
                    raise Deferred(decision)
                continue
            allowed = set(decision.allowed_recipients)
            out = copy.copy(m)
            out.to, out.cc, out.bcc = _keep(m.to, allowed), _keep(m.cc, allowed), _keep(m.bcc, allowed)
            try:
                n = self.wrapped.send_messages([out])
            except BaseException:
                engine.release(decision)
                raise
            if n:
                sent += n
            else:
                engine.release(decision)
        return sent
