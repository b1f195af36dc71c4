"""Hypothesis strategies that break valid documents a little at a time.

Why mutate valid documents instead of generating random ones: random trees are rejected at the
top level and never reach the deep checks (file reads, URL parsing, cross-field rules). A valid
document with one to four edits walks every branch of a loader.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from typing import Any

from hypothesis import strategies as st

from sarguard.pulumi.stack import SecureValue

# Values that have broken parsers before: wrong types, empty, NUL, malformed URLs, paths.
WEIRD: tuple[Any, ...] = (
    None, True, False, 0, -1, 1.5, math.nan, math.inf, 10**40, "", " ", "\x00", "a\x00b",
    "\ud800x", "é" * 3, "x" * 300, "../../../etc/passwd", ".", "/", "http://", "https://",
    "http://[::1", "https://[zz]/x", "http://example.com", "https://user:pw@h/", "ftp://h/x",
    "https://h:99999/", "${request.reportSuspiciousActivityToken}", "SUPER_ADMIN", "ORG_ADMIN",
    "ALL_USERS", "en", "zz", "*", "**", "SAR-03", "sar-03", "mandatory", "advisory",
    "disabled", "2025-02-30", "2099-12-31", dt.date(2020, 1, 1), dt.date(2999, 1, 1),
    dt.datetime(2024, 1, 1, 12, 0), b"bytes", [], {}, [None], [[]], {"": None}, {"1": 1},
    {"secure": "AAAB"}, SecureValue("AAABciphertext"),
)
WEIRD_STRINGS: tuple[str, ...] = tuple(v for v in WEIRD if isinstance(v, str))
KEYS: tuple[str, ...] = (
    "", "x", "id", "name", "value", "level", "secure", "bodyFile", "body", "language",
    "subject", "isDefault", "recipients", "url", "authHeader", "events", "headers", "roles",
    "action", "control", "resource", "reason", "expires", "field", "all", "brands",
)


def _paths(doc: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [at]
    if isinstance(doc, dict):
        for key, value in doc.items():
            out += _paths(value, (*at, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            out += _paths(value, (*at, index))
    return out


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        doc = doc[part]
    return doc


# Built once: making strategies per draw costs more than the loaders being fuzzed.
_OPS = st.sampled_from(["replace", "delete", "add", "duplicate", "wrap"])
_ANY_VALUE = st.sampled_from(WEIRD) | st.text(max_size=8) | st.integers()
_STR_VALUE = st.sampled_from(WEIRD_STRINGS) | st.text(max_size=8)
_KEY = st.sampled_from(KEYS)


def _mutate(doc: Any, data: st.DataObject) -> Any:
    paths = _paths(doc)
    path = paths[data.draw(st.integers(0, len(paths) - 1), label="path")]
    op = data.draw(_OPS, label="op")
    current = _get(doc, path)
    # Half the time keep a string a string: type-preserving edits get past the schema checks
    # and reach the deeper ones (file reads, URL parsing, cross-field rules).
    same_type = isinstance(current, str) and data.draw(st.booleans(), label="same type")
    value = copy.deepcopy(data.draw(_STR_VALUE if same_type else _ANY_VALUE, label="value"))
    if not path:
        return value if op == "replace" else [doc] if op == "wrap" else doc
    parent, last = _get(doc, path[:-1]), path[-1]
    if op == "replace":
        parent[last] = value
    elif op == "delete":
        del parent[last]
    elif op == "wrap":
        parent[last] = [parent[last]] if not isinstance(parent[last], list) else {"x": parent[last]}
    elif op == "duplicate" and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[last]))
    elif op == "add" and isinstance(parent, dict):
        parent[data.draw(_KEY, label="key")] = value
    elif op == "add" and isinstance(parent, list):
        parent.append(value)
    return doc


@st.composite
def mutated(draw: st.DrawFn, base: Any, max_edits: int = 4) -> Any:
    """``base`` (deep-copied) with 0..``max_edits`` random edits."""
    doc = copy.deepcopy(base)
    data = draw(st.data())
    for _ in range(draw(st.integers(0, max_edits), label="edits")):
        doc = _mutate(doc, data)
    return doc


yaml_noise = st.text(alphabet=st.sampled_from(list("- :[]{}&*!|>'\"#%@,?\n\t\\abc019.~=")),
                     max_size=80)
