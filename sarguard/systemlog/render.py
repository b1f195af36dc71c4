"""Shared rendering helpers for System Log command output.

Why: log fields (display names, user agents, reasons) are attacker-controllable text. Tables
are built from ``rich.text.Text`` (never markup strings) and control characters are made
visible, so an event cannot restyle the report or write terminal escape sequences.
"""

from __future__ import annotations

import json
from typing import Any

from sarguard.util.texttable import clean, table_to_text, wrap_whole

__all__ = ["clean", "table_to_text", "to_json", "wrap_whole"]


def to_json(doc: Any) -> str:
    """Stable, readable JSON for command output."""
    return json.dumps(doc, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
