"""``filter`` and ``search`` for ``GET /api/v1/users``, with the rules Okta documents for each.

From Okta's spec (listUsers parameters): ``filter`` supports ``status``, ``lastUpdated``, ``id``,
``profile.login``, ``profile.email``, ``profile.firstName``, ``profile.lastName``; only ``eq``
(plus ``gt ge lt le`` on ``lastUpdated``); ``and``/``or`` but not ``not``; property names and
values compare case-sensitively. ``search`` covers the profile and the top-level properties;
operators ``eq``, ``sw``, ``co`` (``co`` only on ``profile.firstName``, ``lastName``, ``email``,
``login``) and the ordering ones, but not ``ne``; string values compare case-insensitively.
Both reuse the System Log's SCIM parser (:mod:`sarguard.emulator.scim`) and then check the tree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sarguard.emulator import scim

FILTER_ATTRIBUTES = frozenset({"status", "lastUpdated", "id", "profile.login", "profile.email",
                               "profile.firstName", "profile.lastName"})
SEARCH_TOP_LEVEL = frozenset({"id", "status", "created", "activated", "statusChanged",
                              "lastUpdated", "type.id"})
CONTAINS_ATTRIBUTES = frozenset({"profile.firstName", "profile.lastName", "profile.email",
                                 "profile.login"})
_ORDERING = frozenset({"gt", "ge", "lt", "le"})
_SEARCH_OPERATORS = frozenset({"eq", "sw", "co"}) | _ORDERING

Predicate = Callable[[dict[str, Any]], bool]


def _leaves(node: scim.Node) -> list[scim.Compare | scim.Present]:
    if isinstance(node, scim.And | scim.Or):
        return [leaf for item in node.items for leaf in _leaves(item)]
    if isinstance(node, scim.Not):
        raise scim.FilterError("the 'not' operator is not supported here", 0)
    return [node]


def compile_filter(text: str) -> Predicate:
    """A predicate for ``filter=text``; raises :class:`scim.FilterError`."""
    tree = scim.parse(text)
    for leaf in _leaves(tree):
        attr = ".".join(leaf.path)
        if attr not in FILTER_ATTRIBUTES:
            raise scim.FilterError(f"filtering on {attr!r} is not supported; use one of "
                                   f"{', '.join(sorted(FILTER_ATTRIBUTES))}", 0)
        op = "pr" if isinstance(leaf, scim.Present) else leaf.op
        if op != "eq" and not (attr == "lastUpdated" and op in _ORDERING):
            raise scim.FilterError(f"operator {op!r} is not supported on {attr!r} in a filter", 0)
    return lambda user: scim.matches(tree, user)


def _lower(node: scim.Node) -> scim.Node:
    if isinstance(node, scim.And):
        return scim.And(tuple(_lower(i) for i in node.items))
    if isinstance(node, scim.Or):
        return scim.Or(tuple(_lower(i) for i in node.items))
    if isinstance(node, scim.Compare) and isinstance(node.value, str):
        return scim.Compare(node.path, node.op, node.value.lower())
    return node


def _lowered(value: Any) -> Any:
    if isinstance(value, str):
        return value.lower()
    if isinstance(value, dict):
        return {k: _lowered(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lowered(v) for v in value]
    return value


def compile_search(text: str) -> Predicate:
    """A predicate for ``search=text`` (string values case-insensitive); raises FilterError."""
    tree = scim.parse(text)
    for leaf in _leaves(tree):
        attr = ".".join(leaf.path)
        if attr not in SEARCH_TOP_LEVEL and not attr.startswith("profile."):
            raise scim.FilterError(f"searching on {attr!r} is not supported", 0)
        if isinstance(leaf, scim.Present):
            continue
        if leaf.op not in _SEARCH_OPERATORS:
            raise scim.FilterError(f"operator {leaf.op!r} is not supported in a search", 0)
        if leaf.op == "co" and attr not in CONTAINS_ATTRIBUTES:
            raise scim.FilterError(f"'co' is supported only on "
                                   f"{', '.join(sorted(CONTAINS_ATTRIBUTES))}", 0)
    lowered = _lower(tree)
    return lambda user: scim.matches(lowered, _lowered(user))
