"""The engine: one presend_engine handle, shared safely between threads."""

from __future__ import annotations

import ctypes
import json
import os
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Union

from . import _lib
from ._lib import encode, lib, take_string
from .decision import Decision
from .errors import Error, InvalidArgument, error_for

PathLike = Union[str, "os.PathLike[str]"]
Config = Union[PathLike, Mapping[str, Any]]

_IMPORT_FORMATS = {"auto": 0, "csv": 1, "jsonl": 2}


def _dumps(value: Any) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


class Engine:
    """An open presend engine.

    ``config`` is a configuration file path or a dict (the README's
    "Configuration"); ``db`` overrides its store path; ``read_only`` opens the
    store read-only (only dry runs). Use it as a context manager or call
    :meth:`close`. One engine may be used from many threads at once; ``close``
    waits for calls in progress and later calls raise :class:`InvalidArgument`.
    """

    def __init__(self, config: Config, db: PathLike | None = None, read_only: bool = False) -> None:
        self._handle: int | None = None
        self._cond = threading.Condition()
        self._active = 0
        opts = _lib.EngineOptions()
        lib.presend_engine_options_init(ctypes.byref(opts))
        db_bytes = encode(os.fspath(db)) if db is not None else None
        opts.store_path = db_bytes
        if read_only:
            opts.flags |= _lib.OPEN_READONLY
        out = ctypes.c_void_p()
        err = ctypes.c_void_p()
        if isinstance(config, Mapping):
            text = _dumps(dict(config))
            status = lib.presend_engine_open_json(ctypes.byref(out), text, len(text), ctypes.byref(opts),
                                                  ctypes.byref(err))
        else:
            status = lib.presend_engine_open(ctypes.byref(out), encode(os.fspath(config)), ctypes.byref(opts),
                                             ctypes.byref(err))
        message = take_string(err)
        if status != 0:
            raise error_for(status, message or _status_str(status))
        self._handle = out.value

    # -- lifetime -----------------------------------------------------------------

    def close(self) -> None:
        """Closes the engine (idempotent). Decisions already returned stay valid."""
        with self._cond:
            handle, self._handle = self._handle, None
            while self._active:
                self._cond.wait()
        if handle:
            lib.presend_engine_free(handle)

    @property
    def closed(self) -> bool:
        return self._handle is None

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - never raise from a finalizer
            pass

    @contextmanager
    def _use(self) -> Iterator[int]:
        with self._cond:
            handle = self._handle
            if handle is None:
                raise InvalidArgument("presend: the engine is closed")
            self._active += 1
        try:
            yield handle
        finally:
            with self._cond:
                self._active -= 1
                if not self._active:
                    self._cond.notify_all()

    def _raise(self, handle: int, status: int) -> None:
        if status != 0:
            msg = lib.presend_engine_errmsg(handle)
            raise error_for(status, (msg or b"").decode("utf-8", "replace") or _status_str(status))

    def _call_out(self, fn: Any, *args: Any) -> str | None:
        """Calls fn(handle, *args, &out) and returns the owned string it produced."""
        out = ctypes.c_void_p()
        with self._use() as h:
            status = fn(h, *args, ctypes.byref(out))
            text = take_string(out)
            self._raise(h, status)
        return text

    # -- checking -----------------------------------------------------------------

    def check(self, message: Mapping[str, Any] | str | None = None, *, dry_run: bool = False,
              **fields: Any) -> Decision:
        """Checks one message (a dict in the README's "Message in" shape, or its
        JSON text); keyword arguments add or replace fields. Unless ``dry_run``,
        an allowing decision reserves quota: :meth:`release` it if you do not send."""
        data = _message_bytes(message, fields)
        out = ctypes.c_void_p()
        with self._use() as h:
            status = lib.presend_engine_check(h, data, len(data), _lib.CHECK_DRY_RUN if dry_run else 0,
                                              ctypes.byref(out))
            self._raise(h, status)
        try:
            return Decision.from_json(lib.presend_decision_json(out).decode("utf-8"))
        finally:
            lib.presend_decision_free(out)

    def check_batch(self, messages: Iterable[Mapping[str, Any]], *, dry_run: bool = False
                    ) -> list[Decision | Error]:
        """Checks messages in order in one transaction. Each entry of the result is
        a :class:`Decision`, or the :class:`Error` of a message that was not valid
        (returned, not raised)."""
        data = _dumps([dict(m) for m in messages])
        out = ctypes.c_void_p()
        with self._use() as h:
            status = lib.presend_engine_check_batch(h, data, len(data), _lib.CHECK_DRY_RUN if dry_run else 0,
                                                    ctypes.byref(out))
            self._raise(h, status)
        try:
            results: list[Decision | Error] = []
            for i in range(lib.presend_batch_count(out)):
                st = lib.presend_batch_status(out, i)
                if st != 0:
                    results.append(error_for(st, lib.presend_batch_errmsg(out, i).decode("utf-8", "replace")))
                else:
                    d = lib.presend_batch_decision(out, i)
                    results.append(Decision.from_json(lib.presend_decision_json(d).decode("utf-8")))
            return results
        finally:
            lib.presend_batch_free(out)

    def release(self, decision: Decision | str) -> None:
        """Returns the quota of a decision whose send did not happen."""
        decision_id = decision.id if isinstance(decision, Decision) else decision
        with self._use() as h:
            self._raise(h, lib.presend_engine_release(h, encode(decision_id)))

    # -- consent and suppression --------------------------------------------------

    def consent_put(self, record: Mapping[str, Any] | None = None, **fields: Any) -> None:
        data = _dumps({**dict(record or {}), **fields})
        with self._use() as h:
            self._raise(h, lib.presend_consent_put(h, data, len(data)))

    def consent_withdraw(self, address: str, list: str) -> None:  # noqa: A002 - the C API's name
        with self._use() as h:
            self._raise(h, lib.presend_consent_withdraw(h, encode(address), encode(list)))

    def consent_get(self, address: str, list: str | None = None) -> list[dict[str, Any]]:  # noqa: A002
        return _loads(self._call_out(lib.presend_consent_get, encode(address), encode(list))) or []

    def consent_import(self, source: PathLike | bytes, format: str = "auto") -> dict[str, Any]:  # noqa: A002
        """Imports consent records from a file path, or from bytes in memory
        (CSV or JSON Lines); returns the import report."""
        fmt = _IMPORT_FORMATS[format]
        if isinstance(source, (bytes, bytearray)):
            return _loads(self._call_out(lib.presend_consent_import_data, bytes(source), len(source), fmt))
        return _loads(self._call_out(lib.presend_consent_import, encode(os.fspath(source)), fmt))

    import_ = consent_import

    def suppression_put(self, record: Mapping[str, Any] | None = None, **fields: Any) -> None:
        data = _dumps({**dict(record or {}), **fields})
        with self._use() as h:
            self._raise(h, lib.presend_suppression_put(h, data, len(data)))

    def suppression_remove(self, address: str, list: str | None = None) -> None:  # noqa: A002
        with self._use() as h:
            self._raise(h, lib.presend_suppression_remove(h, encode(address), encode(list)))

    def suppression_list(self, **filter: Any) -> list[dict[str, Any]]:  # noqa: A002
        """Suppressions, filtered by ``address``, ``reason``, ``list``, ``limit``."""
        data = _dumps(filter) if filter else None
        return _loads(self._call_out(lib.presend_suppression_list, data)) or []

    # -- quota, feedback, audit ---------------------------------------------------

    def quota_status(self, account: str | None = None, region: str | None = None) -> dict[str, Any]:
        return _loads(self._call_out(lib.presend_quota_status, encode(account), encode(region)))

    def quota_sync(self, ses_quota: Mapping[str, Any], account: str | None = None,
                   region: str | None = None) -> dict[str, Any]:
        data = _dumps(dict(ses_quota))
        return _loads(self._call_out(lib.presend_quota_sync, encode(account), encode(region), data, len(data)))

    def events_ingest(self, data: str | bytes, **options: Any) -> dict[str, Any]:
        """Ingests SES events (JSON, arrays, JSON Lines, SNS envelopes) or an ARF
        report; options: ``format``, ``account``, ``region``, ``source``,
        ``sns_certificate``. Returns the ingestion report."""
        raw = _dumps(data)
        opts = _dumps(options) if options else None
        return _loads(self._call_out(lib.presend_events_ingest, raw, len(raw), opts))

    def reputation_status(self, account: str | None = None, region: str | None = None) -> Any:
        return _loads(self._call_out(lib.presend_reputation_status, encode(account), encode(region)))

    def pause(self, account: str, region: str | None = None, reason: str | None = None) -> dict[str, Any]:
        return _loads(self._call_out(lib.presend_pause, encode(account), encode(region), encode(reason)))

    def resume(self, account: str, region: str | None = None) -> dict[str, Any]:
        return _loads(self._call_out(lib.presend_resume, encode(account), encode(region)))

    def audit_verify(self) -> dict[str, Any]:
        return _loads(self._call_out(lib.presend_audit_verify))

    def report(self, **options: Any) -> str:
        """A report (``from``/``to`` dates, ``format`` json|html|csv|md, ``limit``),
        as text. Pass ``from_`` for ``from``."""
        if "from_" in options:
            options["from"] = options.pop("from_")
        text = self._call_out(lib.presend_report, _dumps(options) if options else None)
        return text or ""

    def reasons(self) -> list[dict[str, Any]]:
        """The reason codes of this engine, its plugins' included."""
        return _loads(self._call_out(lib.presend_engine_reasons))


def _message_bytes(message: Mapping[str, Any] | str | None, fields: Mapping[str, Any]) -> bytes:
    if isinstance(message, (str, bytes)) and not fields:
        return message.encode("utf-8") if isinstance(message, str) else message
    if isinstance(message, (str, bytes)):
        message = json.loads(message)
    merged = {**dict(message or {}), **fields}
    return _dumps(merged)


def _status_str(status: int) -> str:
    return str(lib.presend_status_str(status).decode("utf-8"))


def normalize_address(address: str, *, local_part_case_insensitive: bool = False) -> str:
    """An address in the form presend stores and compares (raises ParseError)."""
    raw = address.encode("utf-8")
    out = ctypes.c_void_p()
    err = ctypes.c_void_p()
    status = lib.presend_address_normalize(raw, len(raw), 1 if local_part_case_insensitive else 0,
                                           ctypes.byref(out), ctypes.byref(err))
    text = take_string(out)
    message = take_string(err)
    if status != 0:
        raise error_for(status, message or _status_str(status))
    return text or ""


def reason_codes() -> list[dict[str, Any]]:
    """Every reason code presend defines."""
    return list(json.loads(lib.presend_reasons_json().decode("utf-8")))


def version() -> str:
    return str(lib.presend_version().decode("ascii"))
