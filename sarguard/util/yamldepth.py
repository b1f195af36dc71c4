"""Guard for libyaml: its C composer recurses and crashes the process (a segfault, no message)
past ~20,000 levels of flow nesting. Deep input goes to PyYAML's pure-Python parser instead,
whose RecursionError callers turn into a clear error."""

from __future__ import annotations

import re

MAX_FAST_DEPTH = 1000
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def flow_depth(text: str) -> int:
    """An upper bound of the flow-collection nesting (``[[[``, ``{{{``) in ``text``."""
    depth = deepest = 0
    for char in _NOT_BRACKET.sub("", text):
        depth = depth + 1 if char in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


def too_deep_for_libyaml(text: str) -> bool:
    return flow_depth(text) > MAX_FAST_DEPTH
