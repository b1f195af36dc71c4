"""Plain-text tables and wrapped lines that fit a width: folded to a terminal, never in a pipe.

A table that cannot fit becomes one record per row; words are never split (an e-mail address or
an id half on one line reads as two wrong values), only shortened with an ellipsis."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from typing import Any

from sarguard.util.termwidth import UNFOLDED


def clean(value: Any, *, multiline: bool = False) -> str:
    """Printable text: None -> ``-``; control characters shown as ``\\xNN`` (line breaks too,
    unless ``multiline``): a value from the org can neither restyle a terminal nor fake a row."""
    if value is None or value == "":
        return "-"
    s = str(value)
    return "".join(ch if ch.isprintable() or (multiline and ch == "\n") else f"\\x{ord(ch):02x}"
                   for ch in s)


def table_to_text(
    title: str | None, headers: Sequence[str], rows: Sequence[Sequence[Any]],
    width: int | None = None, *, show_lines: bool = False, multiline: bool = False,
) -> str:
    """A plain-text (no colour codes) table, at most ``width`` columns wide (``None``: as wide as
    its cells).

    A table that cannot fit (its cells wider than the page) becomes one record per row — its
    first ``Header: value`` as a heading, the others indented below it — wrapped at spaces: a word wider than
    the page (an e-mail address, an id) is shortened with an ellipsis, never split."""
    cells = [[clean(cell, multiline=multiline) for cell in row] for row in rows]
    table = _render_table(title, headers, cells, UNFOLDED, show_lines)
    if width is None or max(map(len, table.splitlines()), default=0) <= width:
        return table
    return _render_records(title, headers, cells, max(width, 20))


def _render_table(title: str | None, headers: Sequence[str], cells: list[list[str]],
                  width: int, show_lines: bool = False) -> str:
    # Imported here: rich costs ~0.2 s, which every command would pay at start (the parser
    # imports the modules of the commands that render tables).
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title) if title else None, show_lines=show_lines, expand=False)
    for header in headers:
        table.add_column(Text(header), overflow="ellipsis")
    for row in cells:
        table.add_row(*(Text(cell) for cell in row))
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False,
                      highlight=False, emoji=False, markup=False)
    console.print(table)
    return buffer.getvalue()


def _render_records(title: str | None, headers: Sequence[str], cells: list[list[str]],
                    width: int) -> str:
    lines: list[str] = []
    if title:
        lines += wrap_whole(title, width)
        lines.append("")
    for row in cells:
        head = row[0] if row else "-"
        lines += wrap_whole(f"{headers[0]}: {head}" if headers else head, width)
        for header, value in zip(headers[1:], row[1:], strict=False):
            if value != "-":
                lines += wrap_whole(f"{header}: {value}", width, indent="  ", hanging="    ")
        lines.append("")
    return "\n".join(lines)


def wrap_whole(text: str, width: int, indent: str = "", hanging: str = "  ") -> list[str]:
    """``text`` wrapped to ``width`` at spaces; a word longer than a line is shortened with an
    ellipsis rather than split."""
    room = max(width - len(hanging), 1)
    words = [w if len(w) <= room else w[: room - 1] + "…" for w in text.split()]
    return textwrap.wrap(" ".join(words), width, initial_indent=indent, subsequent_indent=hanging,
                         break_long_words=False, break_on_hyphens=False) or [indent.rstrip()]
