"""YAML aliases: refused where they are never needed, bounded where they are allowed.

Why: an alias makes one node appear many times; nine levels of ten (``a: &a [x, x, …]``,
``b: &b [*a, *a, …]`` …, the "billion laughs") turn 500 bytes into 10⁹ values for any code
that walks the document. Stack, waiver and ignore files never need aliases, so they refuse them
outright (naming the file and line); emulator seeds (written by ``yaml.dump``, which emits
anchors for shared objects) may use them up to a small expansion budget.

The checks run on the composed node graph, where an alias is the same node object reached
twice, so they cost one pass over the distinct nodes however large the expansion would be.
"""

from __future__ import annotations

from typing import Any

import yaml

# How many nodes aliases may add to a seed once expanded (the bundled seeds add a few hundred).
MAX_ALIAS_EXPANSION = 10_000


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def has_alias(root: yaml.Node | None) -> bool:
    """True when any node of the graph is reached twice (an alias, or a recursive anchor)."""
    if root is None:
        return False
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        stack.extend(_children(node))
    return False


def expanded_size(root: yaml.Node | None, limit: int) -> int:
    """Nodes in the document once every alias is expanded, counting stops past ``limit``.

    Memoised per node, so the cost is linear in the distinct nodes; a recursive anchor (a node
    that contains itself) counts as ``limit + 1``.
    """
    if root is None:
        return 0
    sizes: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            active.discard(key)
            sizes[key] = min(limit + 1, 1 + sum(sizes[id(c)] for c in _children(node)))
            continue
        if key in sizes:
            continue
        if key in active:
            return limit + 1
        active.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in sizes)
    return sizes[id(root)]


def distinct_nodes(root: yaml.Node | None) -> int:
    if root is None:
        return 0
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            stack.extend(_children(node))
    return len(seen)


def first_alias_line(text: str) -> int | None:
    """The 1-based line of the first alias (``*name``) in ``text``; only used to word an error."""
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                return event.start_mark.line + 1
    except yaml.YAMLError:
        return None
    return None


class NoAliasSafeLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that stops at the first alias with a marked error (file + line)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None,
                f"found an alias (*{event.anchor}); YAML aliases are not allowed in this file",
                event.start_mark,
            )
        return super().compose_node(parent, index)
