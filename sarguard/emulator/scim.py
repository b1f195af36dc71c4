"""A small SCIM filter parser and evaluator for System Log ``filter=`` queries.

Why hand-written: the filter comes straight from the query string, so it is tokenized and parsed
by a recursive-descent parser into a tiny tree and evaluated against the event dict — nothing is
ever passed to ``eval`` or compiled into code. Errors carry the position for Okta-style 400s.

Grammar (operators and keywords are case-insensitive; string values are compared exactly)::

    filter     := and_expr ("or" and_expr)*
    and_expr   := unary ("and" unary)*
    unary      := "not" "(" filter ")" | "(" filter ")" | ATTR "pr" | ATTR OP VALUE
    OP         := eq | ne | co | sw | ew | gt | ge | lt | le
    VALUE      := "string" | number | true | false | null

``ATTR`` is a dotted path (``actor.id``, ``debugContext.debugData.requestUri``); when the path
crosses a list (``target.id``) the comparison holds if it holds for any element.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

MAX_FILTER_LENGTH = 16384
MAX_DEPTH = 32
OPERATORS = frozenset({"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"})

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<string>"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*")
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?![\w.])
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_$][A-Za-z0-9_$-]*)*)
    """,
    re.VERBOSE,
)


class FilterError(ValueError):
    """An invalid filter; ``position`` is the 0-based offset of the problem."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at position {position})")
        self.position = position


@dataclass(frozen=True)
class Token:
    kind: str  # lparen rparen string number word end
    text: str
    pos: int
    value: Any = None


def tokenize(text: str) -> list[Token]:
    if len(text) > MAX_FILTER_LENGTH:
        raise FilterError(f"filter longer than {MAX_FILTER_LENGTH} characters", MAX_FILTER_LENGTH)
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        found = _TOKEN.match(text, pos)
        if not found:
            char = text[pos]
            if char in "[]":
                raise FilterError("complex attribute filters ([ ]) are not supported", pos)
            if char == '"':
                raise FilterError("unterminated or invalid string", pos)
            raise FilterError(f"unexpected character {char!r}", pos)
        kind = found.lastgroup or ""
        if kind != "ws":
            raw = found.group()
            value: Any = None
            if kind == "string":
                value = json.loads(raw)
            elif kind == "number":
                value = float(raw) if any(c in raw for c in ".eE") else int(raw)
            tokens.append(Token(kind, raw, pos, value))
        pos = found.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


# -- tree -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Compare:
    path: tuple[str, ...]
    op: str
    value: Any


@dataclass(frozen=True)
class Present:
    path: tuple[str, ...]


@dataclass(frozen=True)
class Not:
    node: Any


@dataclass(frozen=True)
class And:
    items: tuple[Any, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Any, ...]


Node = Compare | Present | Not | And | Or


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def is_word(self, word: str) -> bool:
        token = self.peek()
        return token.kind == "word" and token.text.lower() == word

    def parse(self) -> Node:
        node = self.filter(0)
        end = self.peek()
        if end.kind != "end":
            raise FilterError(f"unexpected {end.text!r}; expected 'and', 'or' or the end", end.pos)
        return node

    def filter(self, depth: int) -> Node:
        items = [self.and_expr(depth)]
        while self.is_word("or"):
            self.take()
            items.append(self.and_expr(depth))
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self, depth: int) -> Node:
        items = [self.unary(depth)]
        while self.is_word("and"):
            self.take()
            items.append(self.unary(depth))
        return items[0] if len(items) == 1 else And(tuple(items))

    def group(self, depth: int) -> Node:
        opening = self.take()
        if depth >= MAX_DEPTH:
            raise FilterError(f"parentheses nested deeper than {MAX_DEPTH}", opening.pos)
        node = self.filter(depth + 1)
        closing = self.take()
        if closing.kind != "rparen":
            raise FilterError("expected ')'", closing.pos)
        return node

    def unary(self, depth: int) -> Node:
        token = self.peek()
        if token.kind == "lparen":
            return self.group(depth)
        if self.is_word("not"):
            self.take()
            if self.peek().kind != "lparen":
                raise FilterError("expected '(' after 'not'", self.peek().pos)
            return Not(self.group(depth))
        if token.kind != "word" or token.text.lower() in ("and", "or"):
            shown = repr(token.text) if token.text else "the end"
            raise FilterError(f"expected an attribute name, got {shown}", token.pos)
        return self.comparison()

    def comparison(self) -> Node:
        attr = self.take()
        path = tuple(attr.text.split("."))
        op = self.take()
        if op.kind != "word" or (op.text.lower() not in OPERATORS and op.text.lower() != "pr"):
            shown = repr(op.text) if op.text else "the end"
            raise FilterError(
                f"expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) after "
                f"{attr.text!r}, got {shown}", op.pos)
        name = op.text.lower()
        if name == "pr":
            return Present(path)
        value = self.take()
        if value.kind in ("string", "number"):
            literal = value.value
        elif value.kind == "word" and value.text in ("true", "false", "null"):
            literal = {"true": True, "false": False, "null": None}[value.text]
        else:
            shown = repr(value.text) if value.text else "the end"
            raise FilterError(f"expected a value (\"string\", number, true, false or null) "
                              f"after {op.text!r}, got {shown}", value.pos)
        if name in ("co", "sw", "ew") and not isinstance(literal, str):
            raise FilterError(f"operator {name!r} needs a string value", value.pos)
        return Compare(path, name, literal)


def parse(text: str) -> Node:
    """Parse a filter expression; raises :class:`FilterError`."""
    if not text.strip():
        raise FilterError("empty filter", 0)
    return _Parser(tokenize(text)).parse()


# -- evaluation -------------------------------------------------------------------------------


def values_at(obj: Any, path: tuple[str, ...]) -> list[Any]:
    """Every value at ``path``; lists along the way fan out (``target.id`` -> all ids)."""
    current = [obj]
    for key in path:
        nxt: list[Any] = []
        for item in current:
            for element in item if isinstance(item, list) else [item]:
                if isinstance(element, dict) and key in element:
                    nxt.append(element[key])
        current = nxt
    out: list[Any] = []
    for item in current:
        out.extend(item if isinstance(item, list) else [item])
    return out


def _same_kind(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool)
    if isinstance(a, int | float) and isinstance(b, int | float):
        return True
    return type(a) is type(b)


def _compare(actual: Any, op: str, expected: Any) -> bool:
    if op == "eq":
        if expected is None:
            return actual is None
        return _same_kind(actual, expected) and actual == expected
    if op in ("co", "sw", "ew"):
        if not isinstance(actual, str):
            return False
        return {"co": expected in actual, "sw": actual.startswith(expected),
                "ew": actual.endswith(expected)}[op]
    if expected is None or actual is None or not _same_kind(actual, expected):
        return False
    if isinstance(actual, bool):
        return False
    return {"gt": actual > expected, "ge": actual >= expected,
            "lt": actual < expected, "le": actual <= expected}[op]


def matches(node: Node, event: dict[str, Any]) -> bool:
    """Whether ``event`` satisfies the parsed filter."""
    if isinstance(node, Or):
        return any(matches(item, event) for item in node.items)
    if isinstance(node, And):
        return all(matches(item, event) for item in node.items)
    if isinstance(node, Not):
        return not matches(node.node, event)
    if isinstance(node, Present):
        return any(v not in (None, "", [], {}) for v in values_at(event, node.path))
    values = values_at(event, node.path)
    if node.op == "ne":
        return not any(_compare(v, "eq", node.value) for v in values)
    if node.op == "eq" and node.value is None and not values:
        return True
    return any(_compare(v, node.op, node.value) for v in values)
