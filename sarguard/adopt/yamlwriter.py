"""A block-style YAML writer that puts comments where a reviewer needs them.

PyYAML drops comments, and a round-trip library is far slower on a 5,000-customization stack
than this: the structure is plain (maps, lists, scalars), so it is written here and every scalar
is quoted by PyYAML itself — one line each, or a JSON (ASCII) string, which is valid YAML, when
PyYAML would need several lines. ``comments`` maps a key path (from the document root) to lines
shown just above that key or list item.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from sarguard.report.values import clean_text

Path = tuple[str | int, ...]
FLOW_WIDTH = 100  # a list of scalars up to this wide is written [a, b]
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_BREAKS = ("\r", "\n", "\x85", "\u2028", "\u2029")  # YAML's line breaks


def scalar(value: Any) -> str:
    """One YAML scalar on one line, as PyYAML quotes it (or a JSON string)."""
    if value is None:
        return "null"
    text = yaml.dump(value, Dumper=_DUMPER, allow_unicode=True, width=2**31 - 1,
                     default_flow_style=True)
    for end in ("\n...\n", "\n"):
        if text.endswith(end):
            text = text[: -len(end)]
            break
    if "\n" in text or "\r" in text:
        return json.dumps(value, ensure_ascii=True)
    return text


def comment(line: str) -> str:
    """A comment's text as one safe line: no control character, nothing YAML reads as a line
    break (org strings end up in comments)."""
    text = clean_text(line)
    for brk in _BREAKS:
        text = text.replace(brk, " ")
    return text.rstrip()


def _comment_lines(lines: Sequence[str], indent: int) -> list[str]:
    pad = " " * indent
    out = []
    for line in lines:
        text = comment(line)
        out.append(f"{pad}# {text}" if text else f"{pad}#")
    return out


def _flow(items: Sequence[Any]) -> str | None:
    if any(isinstance(i, Mapping | list | tuple) for i in items):
        return None
    text = "[" + ", ".join(scalar(i) for i in items) + "]"
    return text if len(text) <= FLOW_WIDTH else None


def _mapping(value: Mapping[str, Any], path: Path, indent: int, comments: Mapping[Path, Sequence[str]],
             out: list[str], first_prefix: str | None = None) -> None:
    pad = " " * indent
    for n, (key, item) in enumerate(value.items()):
        at = (*path, key)
        prefix = first_prefix if (n == 0 and first_prefix is not None) else pad
        if not (n == 0 and first_prefix is not None):
            out.extend(_comment_lines(comments.get(at, ()), indent))
        head = f"{prefix}{scalar(key)}:"
        if isinstance(item, Mapping):
            if not item:
                out.append(f"{head} {{}}")
                continue
            out.append(head)
            _mapping(item, at, indent + 2, comments, out)
        elif isinstance(item, list | tuple):
            flow = _flow(item)
            if flow is not None:
                out.append(f"{head} {flow}")
                continue
            out.append(head)
            _sequence(item, at, indent + 2, comments, out)
        else:
            out.append(f"{head} {scalar(item)}")


def _sequence(items: Sequence[Any], path: Path, indent: int, comments: Mapping[Path, Sequence[str]],
              out: list[str]) -> None:
    pad = " " * indent
    for i, item in enumerate(items):
        at = (*path, i)
        out.extend(_comment_lines(comments.get(at, ()), indent))
        if isinstance(item, Mapping) and item:
            first = next(iter(item))
            out.extend(_comment_lines(comments.get((*at, first), ()), indent))
            _mapping(item, at, indent + 2, comments, out, first_prefix=f"{pad}- ")
        elif isinstance(item, Mapping):
            out.append(f"{pad}- {{}}")
        elif isinstance(item, list | tuple):
            out.append(f"{pad}- {_flow(item) or json.dumps(list(item), ensure_ascii=True)}")
        else:
            out.append(f"{pad}- {scalar(item)}")


def render(document: Mapping[str, Any], comments: Mapping[Path, Sequence[str]] | None = None,
           header: Sequence[str] = ()) -> str:
    """``document`` as block YAML, ``header`` as comment lines on top."""
    out = _comment_lines(header, 0)
    _mapping(document, (), 0, comments or {}, out)
    return "\n".join(out) + "\n"
