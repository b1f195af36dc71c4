"""Reading a user-named JSON file with errors that name the file (and line) — never a traceback."""

from __future__ import annotations

import bisect
import contextlib
import json
import re
from pathlib import Path
from typing import Any


def read_json_file(path: str | Path, error: type[Exception], max_bytes: int | None = None) -> Any:
    """Parse ``path``; any problem raises ``error`` with a message that names the file.

    ``max_bytes`` reads at most that much and refuses a bigger input, so a runaway document (or
    ``/dev/zero``) costs bounded memory and time; a pipe (``/dev/stdin``) works.
    """
    return _read_json(path, error, max_bytes)[0]


def read_json_file_with_lines(path: str | Path,
                              error: type[Exception]) -> tuple[Any, dict[tuple[str | int, ...], int]]:
    """``read_json_file`` plus :func:`json_lines` of the same text (for small, hand-edited
    files whose errors should name a line)."""
    data, text = _read_json(path, error)
    return data, json_lines(text)


def _read_json(path: str | Path, error: type[Exception],
               max_bytes: int | None = None) -> tuple[Any, str]:
    source = str(path)
    try:
        if max_bytes is None:
            text = Path(path).read_text(encoding="utf-8")
        else:  # a bounded read: a huge file, /dev/zero or an endless pipe stops at the cap
            with open(path, "rb") as stream:
                raw = stream.read(max_bytes + 1)
            if len(raw) > max_bytes:
                raise error(f"{source}: file is larger than {max_bytes // (1024 * 1024)} MB; "
                            "refusing to read it")
            text = raw.decode("utf-8")
    except FileNotFoundError:
        raise error(f"{source}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{source}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        return json.loads(text), text
    except json.JSONDecodeError as exc:
        raise error(f"{source}: line {exc.lineno} column {exc.colno}: invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise error(f"{source}: invalid JSON: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise error(f"{source}: invalid JSON: {exc}") from None


_WS = re.compile(r"[ \t\n\r]*")


def json_lines(text: str) -> dict[tuple[str | int, ...], int]:
    """The 1-based line of every member key and array item of a JSON document, by key path
    (``("SAR-02", "required", 1)``), so an error about a value can name its line.

    Best effort: on text that is not valid JSON (or nested too deeply) it returns what it
    found so far; callers treat a missing path as "line unknown".
    """
    newlines = [i for i, c in enumerate(text) if c == "\n"]
    lines: dict[tuple[str | int, ...], int] = {}

    def line_at(pos: int) -> int:
        return bisect.bisect_left(newlines, pos) + 1

    def skip(pos: int) -> int:
        return _WS.match(text, pos).end()  # type: ignore[union-attr]  # "*" always matches

    def value(pos: int, path: tuple[str | int, ...]) -> int:
        pos = skip(pos)
        lines.setdefault(path, line_at(pos))
        if text.startswith("{", pos):
            pos = skip(pos + 1)
            while not text.startswith("}", pos):
                key, after = json.decoder.scanstring(text, pos + 1)
                lines[(*path, key)] = line_at(pos)
                pos = skip(after)
                pos = value(pos + 1, (*path, key))  # past the ":"
                pos = skip(pos)
                pos = skip(pos + 1) if text.startswith(",", pos) else pos
            return pos + 1
        if text.startswith("[", pos):
            pos, index = skip(pos + 1), 0
            while not text.startswith("]", pos):
                pos = skip(value(pos, (*path, index)))
                pos = skip(pos + 1) if text.startswith(",", pos) else pos
                index += 1
            return pos + 1
        _, end = _DECODER.raw_decode(text, pos)
        return end

    with contextlib.suppress(ValueError, IndexError, RecursionError):
        value(0, ())
    return lines


_DECODER = json.JSONDecoder()
