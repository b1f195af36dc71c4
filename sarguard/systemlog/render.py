"""Shared rendering helpers for System Log command output.

Why: log fields (display names, user agents, reasons) are attacker-controllable text. Tables
are built from ``rich.text.Text`` (never markup strings) and control characters are made
visible, so an event cannot restyle the report or write terminal escape sequences.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any

DEFAULT_WIDTH = 160


def clean(value: Any) -> str:
    """Printable text: None -> ``-``; control characters shown as ``\\xNN``."""
    if value is None or value == "":
        return "-"
    s = str(value)
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in s)


def table_to_text(
    title: str | None, headers: Sequence[str], rows: Sequence[Sequence[Any]],
    width: int = DEFAULT_WIDTH,
) -> str:
    """A plain-text (no colour codes) rich table."""
    # Imported here: rich costs ~0.2 s, which every command would pay at start (the parser
    # imports the modules of the commands that render tables).
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title) if title else None, show_lines=False, expand=False)
    for header in headers:
        table.add_column(Text(header), overflow="fold")
    for row in rows:
        table.add_row(*(Text(clean(cell)) for cell in row))
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False,
                      highlight=False, emoji=False, markup=False)
    console.print(table)
    return buffer.getvalue()


def to_json(doc: Any) -> str:
    """Stable, readable JSON for command output."""
    return json.dumps(doc, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
