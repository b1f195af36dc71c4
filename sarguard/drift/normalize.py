"""Normalization applied before comparing email template text.

Okta stores a customization's body as sent but editors, the admin console and the API round trip
can change line endings and layout whitespace. These are *not* drift. Exactly this is
normalized in a body, in this order:

1. line endings: ``CRLF`` and lone ``CR`` become ``LF``;
2. on every line, leading and trailing spaces and tabs are removed (indentation, trailing blanks);
3. empty lines are removed (so runs of blank lines, and blank lines at the start or end, vanish);
4. whitespace (spaces, tabs, newlines) that is the *only* thing between a ``>`` and the next
   ``<`` is removed, so re-flowing tags onto separate lines is not drift.

Nothing else changes: letters, punctuation, Velocity (``${request.reportSuspiciousActivityToken}``,
``#if``), whitespace inside a line (``a  b`` stays ``a  b``), non-breaking spaces, and line breaks
between pieces of text all still count, so a changed word or a damaged token is reported.

A subject is one line: only leading/trailing whitespace is ignored.
"""

from __future__ import annotations

import re

_LAYOUT_BLANKS = " \t"
_BETWEEN_TAGS = re.compile(r">[ \t\n]+<")


def normalize_body(text: str) -> str:
    """The body as compared for drift (see the module docstring for the exact rules)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = (line.strip(_LAYOUT_BLANKS) for line in text.split("\n"))
    text = "\n".join(line for line in lines if line)
    return _BETWEEN_TAGS.sub("><", text)


def normalize_subject(text: str) -> str:
    """The subject as compared for drift: surrounding whitespace ignored, nothing else."""
    return text.strip(_LAYOUT_BLANKS + "\r\n")


def first_difference(a: str, b: str, context: int = 30) -> str:
    """A short human hint of where two (normalized) texts first differ, for a drift note."""
    limit = min(len(a), len(b))
    pos = next((i for i in range(limit) if a[i] != b[i]), limit)
    start = max(0, pos - context)

    def snippet(text: str) -> str:
        return repr(text[start : pos + context])

    return f"first difference at normalized offset {pos}: declared {snippet(a)}, live {snippet(b)}"
