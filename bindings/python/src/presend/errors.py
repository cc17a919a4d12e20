"""Exceptions: one class per presend_status code of presend.h, grouped by kind."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .decision import Decision


class Error(Exception):
    """A presend call failed. ``status`` is the presend_status value, ``code`` its name."""

    status: int = -1
    code: str = "PRESEND_ERROR"

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
            self.code = _NAMES.get(status, "PRESEND_ERROR")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status})"


class InvalidArgument(Error, ValueError):
    status, code = -2, "PRESEND_EINVAL"


class OutOfMemory(Error, MemoryError):
    status, code = -3, "PRESEND_ENOMEM"


class JSONError(Error, ValueError):
    status, code = -4, "PRESEND_EJSON"


class ConfigError(Error, ValueError):
    status, code = -5, "PRESEND_ECONFIG"


class MessageError(Error, ValueError):
    status, code = -6, "PRESEND_EMESSAGE"


class TooBig(Error, ValueError):
    status, code = -7, "PRESEND_ETOOBIG"


class UnknownAccount(Error, LookupError):
    status, code = -8, "PRESEND_EUNKNOWN_ACCOUNT"


class UnknownRegion(Error, LookupError):
    status, code = -9, "PRESEND_EUNKNOWN_REGION"


class StoreError(Error):
    status, code = -10, "PRESEND_ESTORE"


class ReadOnly(StoreError):
    status, code = -11, "PRESEND_EREADONLY"


class Corrupt(StoreError):
    status, code = -12, "PRESEND_ECORRUPT"


class Busy(StoreError):
    status, code = -13, "PRESEND_EBUSY"


class NotFound(Error, LookupError):
    status, code = -14, "PRESEND_ENOTFOUND"


class StateError(Error):
    status, code = -15, "PRESEND_ESTATE"


class FileError(Error):
    status, code = -16, "PRESEND_EIO"


class SchemaError(StoreError):
    status, code = -17, "PRESEND_ESCHEMA"


class ParseError(Error, ValueError):
    status, code = -18, "PRESEND_EPARSE"


class PluginError(Error):
    status, code = -19, "PRESEND_EPLUGIN"


_CLASSES: dict[int, type[Error]] = {
    cls.status: cls
    for cls in (InvalidArgument, OutOfMemory, JSONError, ConfigError, MessageError, TooBig,
                UnknownAccount, UnknownRegion, StoreError, ReadOnly, Corrupt, Busy, NotFound,
                StateError, FileError, SchemaError, ParseError, PluginError)
}
_NAMES: dict[int, str] = {status: cls.code for status, cls in _CLASSES.items()}
_NAMES[-1] = "PRESEND_ERROR"


def error_for(status: int, message: str) -> Error:
    """The exception for a status; an unknown negative code gives a plain Error."""
    cls = _CLASSES.get(status)
    if cls is None:
        return Error(message, status)
    return cls(message)


class NotSent(Exception):
    """A message was not sent because presend's decision allowed no recipient."""

    def __init__(self, decision: Decision) -> None:
        codes = sorted({r.code for r in decision.reasons} |
                       {r.code for rc in decision.recipients for r in rc.reasons})
        super().__init__(f"presend: {decision.verdict.value} ({', '.join(codes) or 'no reason'})")
        self.decision = decision


class Blocked(NotSent):
    """The decision was ``block``: the message must not be sent."""


class Deferred(NotSent):
    """The decision was ``defer``: retry after ``retry_after`` seconds."""

    @property
    def retry_after(self) -> float:
        return self.decision.retry_after
