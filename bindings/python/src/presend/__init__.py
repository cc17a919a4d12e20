"""presend: the compliance gate for outgoing email, from Python.

A thin layer over libpresend's C API (loaded with ctypes). See the package
README for how the library is found and installed.
"""

from __future__ import annotations

from .decision import Decision, Reason, Recipient, Verdict
from .engine import Engine, normalize_address, reason_codes, version
from .errors import (Blocked, Busy, ConfigError, Corrupt, Deferred, Error, FileError, InvalidArgument,
                     JSONError, MessageError, NotFound, NotSent, OutOfMemory, ParseError, PluginError,
                     ReadOnly, SchemaError, StateError, StoreError, TooBig, UnknownAccount, UnknownRegion,
                     error_for)

__all__ = [
    "Blocked", "Busy", "ConfigError", "Corrupt", "Decision", "Deferred", "Engine", "Error", "FileError",
    "InvalidArgument", "JSONError", "MessageError", "NotFound", "NotSent", "OutOfMemory", "ParseError",
    "PluginError", "ReadOnly", "Reason", "Recipient", "SchemaError", "StateError", "StoreError", "TooBig",
    "UnknownAccount", "UnknownRegion", "Verdict", "error_for", "normalize_address", "reason_codes", "version",
]
__version__ = "1.2.0"
