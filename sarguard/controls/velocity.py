"""A small Velocity reference scanner for email templates.

Okta renders email customizations with Apache Velocity. A template keeps the report link only
when its body *renders* ``$request.reportSuspiciousActivityToken``; text inside comments, inside
``#[[ ... ]]#`` unparsed blocks or behind an escaping backslash is emitted literally (or not at
all), so a plain substring search would pass broken templates. This module strips what Velocity
does not evaluate and then collects real references.
"""

from __future__ import annotations

import re
from functools import lru_cache

# A Velocity identifier: a letter followed by letters, digits, '_' or '-'.
_IDENT = r"[A-Za-z][A-Za-z0-9_-]*"
_CHAIN = rf"{_IDENT}(?:\.{_IDENT})*"
# $x, $!x, ${x}, $!{x} -- the formal form must close its brace.
_REFERENCE = re.compile(rf"\$(!?)(?:\{{({_CHAIN})\}}|({_CHAIN}))")


def strip_non_rendered(body: str) -> str:
    """Remove ``##`` line comments, ``#* *#`` block comments and ``#[[ ]]#`` unparsed blocks.

    Scans left to right, as Velocity's lexer does, so a ``##`` inside a block comment or a
    ``#*`` after a ``##`` on the same line are handled the way Velocity handles them. An
    unterminated block comment swallows the rest of the template (Velocity would reject it; we
    fail closed and treat nothing after it as rendered). Only a ``#`` can start any of these,
    so the scan jumps from one ``#`` to the next and copies the text between them whole.
    """
    out: list[str] = []
    i, n = 0, len(body)
    while i < n:
        hash_at = body.find("#", i)
        if hash_at < 0:
            out.append(body[i:])
            break
        out.append(body[i:hash_at])
        i = hash_at
        if body.startswith("##", i):
            end = body.find("\n", i)
            if end < 0:
                break
            i = end  # keep the newline itself
            continue
        if body.startswith("#*", i):
            end = body.find("*#", i + 2)
            if end < 0:
                break
            i = end + 2
            out.append(" ")  # a comment still separates tokens
            continue
        if body.startswith("#[[", i):
            end = body.find("]]#", i + 3)
            if end < 0:
                break
            i = end + 3
            out.append(" ")
            continue
        out.append("#")
        i += 1
    return "".join(out)


def strip_html_comments(text: str) -> str:
    """Remove ``<!-- ... -->`` HTML comments: Velocity renders what is inside them, but the
    email client shows none of it. An unterminated comment hides the rest of the document
    (as it does in a browser), so nothing after it counts as visible."""
    out: list[str] = []
    i = 0
    while True:
        start = text.find("<!--", i)
        if start < 0:
            out.append(text[i:])
            break
        out.append(text[i:start])
        end = text.find("-->", start + 4)
        if end < 0:
            break
        out.append(" ")
        i = end + 3
    return "".join(out)


@lru_cache(maxsize=4096)
def _references(body: str, visible_only: bool = False) -> frozenset[str]:
    """Cached: an org repeats the same body across brands, and two controls scan each one."""
    text = strip_non_rendered(body)
    if visible_only:
        text = strip_html_comments(text)
    found: set[str] = set()
    for match in _REFERENCE.finditer(text):
        backslashes = 0
        j = match.start() - 1
        while j >= 0 and text[j] == "\\":
            backslashes += 1
            j -= 1
        if backslashes % 2 == 1:  # \$x is literal text, not a reference
            continue
        found.add(match.group(2) or match.group(3))
    return frozenset(found)


def references(body: str) -> set[str]:
    """The dotted names (``request.browser``) of every reference Velocity would evaluate."""
    return set(_references(body))


def has_reference(body: str, name: str) -> bool:
    """True when ``body`` references ``name`` itself or a property/method chained off it.

    ``name`` matches ``$request.factor`` and ``$request.factor.name`` but not
    ``$request.factors`` or ``$request.facto``: identifiers are compared whole.
    """
    return any(ref == name or ref.startswith(name + ".") for ref in _references(body))


def has_visible_reference(body: str, name: str) -> bool:
    """``has_reference``, counting only what an email client would show: not inside an HTML
    comment (where a rendered link makes no button)."""
    return any(ref == name or ref.startswith(name + ".")
               for ref in _references(body, visible_only=True))
