"""Turn model values into plain, JSON-safe, secret-free values for drift items.

Drift items end up in JSON, SARIF and logs, so everything placed in them goes through
:func:`plain`. Secret-like values are masked here, in one place, so no comparison code can leak
one by accident.
"""

from __future__ import annotations

from typing import Any

from sarguard.model import UNKNOWN

SECRET_MASK = "[secret]"
# Pulumi's marker for a secret input as it arrives under mocks / in RPC payloads.
PULUMI_SECRET_SIG = "4dabf18193072939515e22adb298388d"
PULUMI_SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270"


def is_secret_like(value: Any) -> bool:
    """True for anything that carries a secret: a ``Secret`` class, ``is_secret``, Pulumi's wrapper.

    An ``is_secret`` attribute that is a method is called; if calling fails the value is treated
    as secret (masking too much is safe, masking too little is not).
    """
    if type(value).__name__ == "Secret":
        return True
    if isinstance(value, dict) and value.get(PULUMI_SECRET_SIG) == PULUMI_SECRET_SIG_VALUE:
        return True
    if not hasattr(value, "is_secret"):
        return False
    flag = value.is_secret
    if callable(flag):
        try:
            flag = flag()
        except Exception:  # noqa: BLE001 - unknown object: fail safe and mask it
            return True
    return bool(flag)


def secret_value(value: Any) -> tuple[bool, Any]:
    """``(True, raw)`` when a secret-like value exposes its raw value, else ``(False, None)``.

    Used only to *compare*; the raw value never leaves the comparison.
    """
    if isinstance(value, dict) and value.get(PULUMI_SECRET_SIG) == PULUMI_SECRET_SIG_VALUE:
        return ("value" in value, value.get("value"))
    raw = getattr(value, "value", None)
    if raw is None or callable(raw):
        return (False, None)
    return (True, raw)


def plain(value: Any) -> Any:
    """A JSON-serializable copy of ``value`` with secrets masked and sets sorted."""
    if is_secret_like(value):
        return SECRET_MASK
    if value is UNKNOWN:
        return "UNKNOWN"
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((plain(v) for v in value), key=repr)
    return str(value)
