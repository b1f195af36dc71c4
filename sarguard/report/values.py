"""Turn arbitrary evidence values into safe, printable data.

Values reach reports already redacted, but a renderer is the last line of defence: anything
that looks like a secret (a ``Secret`` object, an object with a truthy ``is_secret``, a Pulumi
secret envelope) is printed as ``[secret]``, and unknown object types are printed by type name
only, never through their ``str()`` (which could expose a wrapped value).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import math
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from sarguard.model import is_unknown

SECRET_TEXT = "[secret]"
UNKNOWN_TEXT = "(unknown)"
ABSENT_TEXT = "(absent)"
# Pulumi's marker key/value for a secret value in serialized state and mock inputs.
_PULUMI_SECRET_KEY = "4dabf18193072939515e22adb298388d"
_MAX_DEPTH = 40


def is_secret(value: Any) -> bool:
    """True for objects that declare themselves secret (defensive: errors count as secret)."""
    if value is None or isinstance(value, bool | int | float):
        return False
    if any(cls.__name__ == "Secret" for cls in type(value).__mro__):
        return True
    if isinstance(value, Mapping):
        try:
            return _PULUMI_SECRET_KEY in value
        except Exception:  # an odd mapping is treated as secret, never printed
            return True
    try:
        flag = getattr(value, "is_secret", None)
        if callable(flag):
            flag = flag()
    except Exception:
        return True
    return flag is not None and flag is not False and bool(flag)


def jsonable(value: Any, _depth: int = 0) -> Any:
    """A JSON-serialisable copy of ``value`` with secrets and unknowns replaced by markers."""
    if _depth > _MAX_DEPTH:
        return "(too deeply nested)"
    if is_secret(value):
        return SECRET_TEXT
    if is_unknown(value):
        return UNKNOWN_TEXT
    if value is None or isinstance(value, bool | int | str):
        return value if type(value) in (bool, int, str) or value is None else _plain(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, enum.Enum):
        return jsonable(value.value, _depth + 1)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, PurePath):
        return value.as_posix()
    if isinstance(value, Mapping):
        return {str(jsonable(k, _depth + 1)): jsonable(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v, _depth + 1) for v in value]
    if isinstance(value, set | frozenset):
        items = [jsonable(v, _depth + 1) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, default=str))
    if isinstance(value, bytes | bytearray):
        return f"<{len(value)} bytes>"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: jsonable(getattr(value, f.name), _depth + 1) for f in dataclasses.fields(value)
        }
    return f"<{type(value).__name__}>"


def _plain(value: bool | int | str) -> bool | int | str:
    """Subclasses of builtins (str enums, IntFlag...) become the plain builtin."""
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    return str.__str__(value)


def display(value: Any, limit: int | None = 200) -> str:
    """One-line human form of a value for tables and annotations, truncated to ``limit``."""
    if value is None:
        return ABSENT_TEXT
    data = jsonable(value)
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, sort_keys=True)
    return truncate(text, limit)


def truncate(text: str, limit: int | None) -> str:
    """Cut ``text`` to ``limit`` characters, saying how much was left out."""
    if limit is None or len(text) <= limit:
        return text
    rest = len(text) - limit
    return f"{text[:limit]}… ({rest} more characters)"


def safe_text(value: Any) -> str:
    """A string field (message, reason) as text, with the same secret guard as values."""
    if value is None:
        return ""
    if isinstance(value, str) and not is_secret(value):
        return str.__str__(value)
    return display(value, limit=None)
