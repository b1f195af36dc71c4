"""Glob patterns over resource keys (``brand/default/template/X/settings``) and dotted fields.

Waivers and ignore files both name resources with the same glob so a user learns one syntax:

* ``*`` matches any run of characters within one segment (never the separator),
* ``?`` matches exactly one character within one segment,
* ``**`` crosses segments. As a whole segment it also matches *zero* segments, so
  ``brand/**/settings`` matches ``brand/settings`` as well as ``brand/a/template/b/settings``;
  a trailing ``/**`` matches everything below (but not the prefix itself); a lone ``**``
  matches every key,
* every other character is literal (no character classes: keys never need them, and a literal
  ``[`` in a key must not turn into a class by accident).

Resource keys use ``/`` as the separator; Okta field names use ``.`` (``channel.config.*``).
Matching is case-sensitive and anchored at both ends.
"""

from __future__ import annotations

import re
from functools import lru_cache

RESOURCE_SEP = "/"
FIELD_SEP = "."


@lru_cache(maxsize=1024)
def compile_glob(pattern: str, sep: str = RESOURCE_SEP) -> re.Pattern[str]:
    """Translate ``pattern`` into an anchored regular expression (cached: rules are reused)."""
    not_sep = f"[^{re.escape(sep)}]"
    esc_sep = re.escape(sep)
    segments: list[str] = []
    for segment in pattern.split(sep):
        if segment == "**" and segments and segments[-1] == "**":
            continue  # ``**/**`` means the same as ``**``
        segments.append(segment)
    parts: list[str] = []
    last = len(segments) - 1
    for i, segment in enumerate(segments):
        if segment == "**":
            if last == 0:
                parts.append(".*")
            elif i == 0:
                parts.append(f"(?:.*{esc_sep})?")  # zero or more leading segments
            elif i == last:
                parts.append(f"{esc_sep}.+")  # anything below the prefix
            else:
                parts.append(f"{esc_sep}(?:.*{esc_sep})?")  # zero or more middle segments
            continue
        if i > 0 and segments[i - 1] != "**":  # a ``**`` segment already ends with sep
            parts.append(esc_sep)
        parts.append(_segment_regex(segment, not_sep))
    return re.compile("".join(parts), re.DOTALL)


def _segment_regex(segment: str, not_sep: str) -> str:
    """Regex for one segment: ``**`` inside a segment still crosses separators."""
    out: list[str] = []
    i = 0
    while i < len(segment):
        ch = segment[i]
        if segment.startswith("**", i):
            out.append(".*")
            while i < len(segment) and segment[i] == "*":
                i += 1
            continue
        if ch == "*":
            out.append(f"{not_sep}*")
        elif ch == "?":
            out.append(not_sep)
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out)


def glob_match(pattern: str, key: str, sep: str = RESOURCE_SEP) -> bool:
    """True when the whole of ``key`` matches ``pattern`` (see the module docstring)."""
    return compile_glob(pattern, sep).fullmatch(key) is not None
