"""Loading libpresend and declaring the C functions the binding calls (ctypes)."""

from __future__ import annotations

import ctypes
import ctypes.util
import os

from pathlib import Path

c_char_p = ctypes.c_char_p
c_void_p = ctypes.c_void_p
c_size_t = ctypes.c_size_t
c_int32 = ctypes.c_int32
c_int64 = ctypes.c_int64
c_uint32 = ctypes.c_uint32
POINTER = ctypes.POINTER

MESSAGE_LEVEL = ctypes.c_size_t(-1).value
CHECK_DRY_RUN = 0x1
OPEN_READONLY = 0x1


class EngineOptions(ctypes.Structure):
    """presend_engine_options (only ever grows; filled by presend_engine_options_init)."""

    _fields_ = [
        ("struct_size", c_uint32),
        ("store_path", c_char_p),
        ("clock", c_void_p),
        ("clock_user_data", c_void_p),
        ("flags", c_uint32),
        ("dns", c_void_p),
    ]


def _candidates() -> list[str]:
    explicit = os.environ.get("PRESEND_LIBRARY")
    if explicit:
        return [explicit]
    names = ["libpresend.so.1", "libpresend.1.dylib", "libpresend.dylib", "presend.dll"]
    here = Path(__file__).resolve().parent
    found = [str(here / n) for n in names if (here / n).exists()]
    system = ctypes.util.find_library("presend")
    if system:
        found.append(system)
    found.append("libpresend.so.1")
    return found


def _load() -> ctypes.CDLL:
    errors: list[str] = []
    for candidate in _candidates():
        try:
            return ctypes.CDLL(candidate)
        except OSError as exc:
            errors.append(f"{candidate}: {exc}")
    raise ImportError(
        "presend: cannot load libpresend (set PRESEND_LIBRARY to its path): " + "; ".join(errors)
    )


def _declare(lib: ctypes.CDLL) -> None:
    sigs: dict[str, tuple[object, list[object]]] = {
        "presend_version": (c_char_p, []),
        "presend_version_number": (c_int32, []),
        "presend_abi_version": (c_int32, []),
        "presend_status_str": (c_char_p, [c_int32]),
        "presend_free": (None, [c_void_p]),
        "presend_engine_options_init": (None, [POINTER(EngineOptions)]),
        "presend_engine_open": (c_int32, [POINTER(c_void_p), c_char_p, POINTER(EngineOptions), POINTER(c_void_p)]),
        "presend_engine_open_json": (
            c_int32,
            [POINTER(c_void_p), c_char_p, c_size_t, POINTER(EngineOptions), POINTER(c_void_p)],
        ),
        "presend_engine_free": (None, [c_void_p]),
        "presend_engine_errmsg": (c_char_p, [c_void_p]),
        "presend_engine_check": (c_int32, [c_void_p, c_char_p, c_size_t, c_uint32, POINTER(c_void_p)]),
        "presend_decision_free": (None, [c_void_p]),
        "presend_decision_json": (c_char_p, [c_void_p]),
        "presend_engine_release": (c_int32, [c_void_p, c_char_p]),
        "presend_engine_check_batch": (c_int32, [c_void_p, c_char_p, c_size_t, c_uint32, POINTER(c_void_p)]),
        "presend_batch_free": (None, [c_void_p]),
        "presend_batch_count": (c_size_t, [c_void_p]),
        "presend_batch_status": (c_int32, [c_void_p, c_size_t]),
        "presend_batch_errmsg": (c_char_p, [c_void_p, c_size_t]),
        "presend_batch_decision": (c_void_p, [c_void_p, c_size_t]),
        "presend_consent_put": (c_int32, [c_void_p, c_char_p, c_size_t]),
        "presend_consent_withdraw": (c_int32, [c_void_p, c_char_p, c_char_p]),
        "presend_consent_get": (c_int32, [c_void_p, c_char_p, c_char_p, POINTER(c_void_p)]),
        "presend_consent_import": (c_int32, [c_void_p, c_char_p, c_int32, POINTER(c_void_p)]),
        "presend_consent_import_data": (c_int32, [c_void_p, c_char_p, c_size_t, c_int32, POINTER(c_void_p)]),
        "presend_suppression_put": (c_int32, [c_void_p, c_char_p, c_size_t]),
        "presend_suppression_remove": (c_int32, [c_void_p, c_char_p, c_char_p]),
        "presend_suppression_list": (c_int32, [c_void_p, c_char_p, POINTER(c_void_p)]),
        "presend_quota_status": (c_int32, [c_void_p, c_char_p, c_char_p, POINTER(c_void_p)]),
        "presend_quota_sync": (c_int32, [c_void_p, c_char_p, c_char_p, c_char_p, c_size_t, POINTER(c_void_p)]),
        "presend_events_ingest": (c_int32, [c_void_p, c_char_p, c_size_t, c_char_p, POINTER(c_void_p)]),
        "presend_reputation_status": (c_int32, [c_void_p, c_char_p, c_char_p, POINTER(c_void_p)]),
        "presend_pause": (c_int32, [c_void_p, c_char_p, c_char_p, c_char_p, POINTER(c_void_p)]),
        "presend_resume": (c_int32, [c_void_p, c_char_p, c_char_p, POINTER(c_void_p)]),
        "presend_audit_verify": (c_int32, [c_void_p, POINTER(c_void_p)]),
        "presend_report": (c_int32, [c_void_p, c_char_p, POINTER(c_void_p)]),
        "presend_address_normalize": (c_int32, [c_char_p, c_size_t, c_uint32, POINTER(c_void_p), POINTER(c_void_p)]),
        "presend_reasons_json": (c_char_p, []),
        "presend_engine_reasons": (c_int32, [c_void_p, POINTER(c_void_p)]),
    }
    for name, (restype, argtypes) in sigs.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes


lib = _load()
_declare(lib)


def take_string(ptr: c_void_p) -> str | None:
    """Decodes an owned string returned by presend and frees it."""
    if not ptr.value:
        return None
    try:
        return ctypes.string_at(ptr.value).decode("utf-8")
    finally:
        lib.presend_free(ptr)


def encode(text: str | None) -> bytes | None:
    return None if text is None else text.encode("utf-8")


