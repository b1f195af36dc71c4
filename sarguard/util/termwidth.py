"""How wide text output may be: folded to a terminal's width, never folded anywhere else.

On a terminal every table and wrapped line must fit (``COLUMNS``, else the terminal's own width);
in a pipe, a file or a CI log a fold only breaks searching and copying, so nothing is folded
unless ``COLUMNS`` asks for it."""

from __future__ import annotations

import os
import sys
from typing import TextIO

# "No folding": wider than any line sarguard writes, small enough for rich's layout arithmetic.
UNFOLDED = 10_000
MIN_WIDTH = 20  # below this a table cannot show a column header; COLUMNS=5 is taken as 20


def text_width(to_stdout: bool = True, stream: TextIO | None = None,
               environ: dict[str, str] | None = None) -> int:
    """The width text written to ``stream`` (stdout by default) may take.

    ``COLUMNS`` (a positive integer) wins everywhere, as POSIX shells and ``shutil`` read it;
    otherwise a terminal's own width when the text goes to a terminal; otherwise
    :data:`UNFOLDED`."""
    env = os.environ if environ is None else environ
    columns = env.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return max(int(columns), MIN_WIDTH)
    stream = sys.stdout if stream is None else stream
    if to_stdout and _isatty(stream):
        try:
            return max(os.get_terminal_size(stream.fileno()).columns, MIN_WIDTH)
        except (OSError, ValueError):
            return UNFOLDED
    return UNFOLDED


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def table_width(path: str | None) -> int | None:
    """The width for a table written to ``path`` (``None``/``-``: stdout); ``None`` when it is
    not to be folded."""
    width = text_width(to_stdout=not path or path == "-")
    return None if width == UNFOLDED else width
