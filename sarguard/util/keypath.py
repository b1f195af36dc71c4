"""Key paths in error messages: ``('brands', 0, 'templates')`` -> ``brands[0].templates``."""

from __future__ import annotations

from collections.abc import Iterable


def format_key_path(parts: Iterable[str | int], root: str = "(top level)") -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or root
