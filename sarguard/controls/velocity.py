"""A small Velocity reference scanner for email templates.

Okta renders email customizations with Apache Velocity. A template keeps the report link only
when its body *renders* ``$request.reportSuspiciousActivityToken``; text inside comments, inside
``#[[ ... ]]#`` unparsed blocks or behind an escaping backslash is emitted literally (or not at
all), so a plain substring search would pass broken templates. This module strips what Velocity
does not evaluate and then collects real references; :func:`rendering` goes one step further and
drops the blocks that can never render (``#if(false)`` and the like), naming why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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


# ---- what renders: Velocity blocks ------------------------------------------------------------
#
# A reference can be rendered by Velocity and still never reach an email: inside ``#if(false)``,
# after ``#stop``, in a ``#macro`` nobody calls or a ``#define`` nobody uses. ``rendering`` splits a
# body into what may render and what never does (and why), so SAR-03 can say which. Conditions are
# folded only where they are made of ``true``/``false``, ``!``/``not``, ``&&``/``and``,
# ``||``/``or`` and parentheses; anything else (``$user.profile.x == "y"``) may go either way, so
# both of its branches count as possibly rendered. A body Velocity cannot parse (an ``#if``
# without ``#end``, a stray ``#end``, an unclosed directive argument) renders nothing at all.

_LIVE, _MAYBE, _DEAD = 2, 1, 0
_DIRECTIVE = re.compile(r"#(?:\{([A-Za-z@][A-Za-z0-9_-]*)\}|([A-Za-z@][A-Za-z0-9_-]*))")
_BLOCKS = frozenset({"if", "foreach", "macro", "define", "literal"})
MAX_ARGUMENT_CHARS = 10_000  # a directive's (...) longer than this is treated as unparseable
MAX_CONDITION_DEPTH = 64
MAX_UNCLOSED = 100  # each rescans up to MAX_ARGUMENT_CHARS: bounded work on hostile bodies


@dataclass(frozen=True)
class Rendering:
    """``text``: what may render, directive markup replaced by a space (so branches stay apart);
    ``dead``: ``(text, why)`` for every stretch that can never render; ``malformed``: why Velocity
    would reject the body (then ``text`` is empty and the whole body is dead)."""

    text: str
    dead: tuple[tuple[str, str], ...] = ()
    malformed: str | None = None


@dataclass
class _Frame:
    kind: str
    head: str
    parent: int  # liveness outside the block
    parent_why: str  # why the outside is dead (when it is)
    branch: int  # liveness of the current branch
    why: str  # why the current branch is dead (when it is)
    taken: str = "no"  # if-chains: has an earlier branch rendered? "yes" | "maybe" | "no"
    empty_loop: bool = False


def _escaped(text: str, at: int) -> bool:
    """Whether the character at ``at`` is escaped by an odd run of backslashes."""
    count = 0
    j = at - 1
    while j >= 0 and text[j] == "\\":
        count += 1
        j -= 1
    return count % 2 == 1


_ARG_STOPS = re.compile(r"[()\"']")


def _arguments(text: str, start: int) -> tuple[str, int] | None:
    """``(inside, end)`` of the parenthesised argument at ``start`` (after optional whitespace),
    quotes respected; None when there is none or it never closes within the bound."""
    i, n = start, len(text)
    while i < n and text[i] in " \t\r\n":
        i += 1
    if i >= n or text[i] != "(":
        return None
    depth, quote, j = 0, "", i
    limit = min(n, i + MAX_ARGUMENT_CHARS)
    while j < limit:
        if quote:
            j = text.find(quote, j)
            if j < 0 or j >= limit:
                return None
            quote = ""
        else:
            match = _ARG_STOPS.search(text, j, limit)
            if match is None:
                return None
            j = match.start()
            c = text[j]
            if c in "\"'":
                quote = c
            elif c == "(":
                depth += 1
            else:
                depth -= 1
                if depth == 0:
                    return text[i + 1:j], j + 1
        j += 1
    return None


_COND_TOKEN = re.compile(r"\s+|&&|\|\||!=|==|!|\(|\)|\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'"
                         r"|[A-Za-z_][A-Za-z0-9_]*|.", re.DOTALL)
_OR, _AND, _NOT = frozenset({"||", "or"}), frozenset({"&&", "and"}), frozenset({"!", "not"})


def fold_condition(condition: str) -> bool | None:
    """True/False when ``condition`` is a constant, None when it depends on the data (Kleene
    logic: ``false && $x`` is false, ``true || $x`` true)."""
    tokens = [t for t in _COND_TOKEN.findall(condition) if not t.isspace()]
    try:
        value, rest = _or(tokens, 0)
    except (IndexError, RecursionError, ValueError):
        return None
    return value if rest == len(tokens) else None


def _or(tokens: list[str], i: int, depth: int = 0) -> tuple[bool | None, int]:
    value, i = _and(tokens, i, depth)
    while i < len(tokens) and tokens[i] in _OR:
        right, i = _and(tokens, i + 1, depth)
        value = True if True in (value, right) else (None if None in (value, right) else False)
    return value, i


def _and(tokens: list[str], i: int, depth: int) -> tuple[bool | None, int]:
    value, i = _not(tokens, i, depth)
    while i < len(tokens) and tokens[i] in _AND:
        right, i = _not(tokens, i + 1, depth)
        value = False if False in (value, right) else (None if None in (value, right) else True)
    return value, i


def _not(tokens: list[str], i: int, depth: int) -> tuple[bool | None, int]:
    if tokens[i] in _NOT:
        value, i = _not(tokens, i + 1, depth)
        return (None if value is None else not value), i
    return _primary(tokens, i, depth)


def _primary(tokens: list[str], i: int, depth: int) -> tuple[bool | None, int]:
    """A literal, a parenthesised expression, or a run of anything else (data: None)."""
    if depth > MAX_CONDITION_DEPTH:
        raise ValueError("too deep")
    start, level = i, 0
    while i < len(tokens):
        t = tokens[i]
        if level == 0 and (t in _OR or t in _AND or t == ")"):
            break
        level += (t == "(") - (t == ")")
        i += 1
    run = tokens[start:i]
    if not run:
        raise ValueError("empty operand")
    if run in (["true"], ["false"]):
        return run[0] == "true", i
    if run[0] == "(" and run[-1] == ")":
        value, end = _or(run, 1, depth + 1)
        if end == len(run) - 1:
            return value, i
    return None, i


@dataclass
class _Uses:
    """Which macros are called and how often each reference appears (one pass each, on first
    need): a lookup per ``#macro``/``#define`` would make hostile bodies quadratic."""

    text: str
    _calls: set[str] | None = None
    _refs: dict[str, int] | None = None

    def called(self, name: str) -> bool:
        if self._calls is None:
            self._calls = set(re.findall(r"#\{?([A-Za-z][A-Za-z0-9_-]*)\}?\s*\(", self.text))
        return name in self._calls

    def references(self, name: str) -> int:
        if self._refs is None:
            counts: dict[str, int] = {}
            for match in _REFERENCE.finditer(self.text):
                root = (match.group(2) or match.group(3)).split(".")[0]
                counts[root] = counts.get(root, 0) + 1
            self._refs = counts
        return self._refs.get(name, 0)


def _open_block(kind: str, args: str, uses: _Uses, parent: tuple[int, str]) -> _Frame:
    head = f"#{kind}({args.strip()[:60]})"
    outside, outside_why = parent
    if kind == "if":
        value = fold_condition(args)
        branch = {True: _LIVE, False: _DEAD, None: _MAYBE}[value]
        taken = {True: "yes", False: "no", None: "maybe"}[value]
        return _Frame("if", head, outside, outside_why, branch, f"{head} is never true", taken)
    if kind == "foreach":
        listed = args.split(" in ", 1)[1].strip() if " in " in args else ""
        empty = re.fullmatch(r"\[\s*\]", listed) is not None
        return _Frame("foreach", head, outside, outside_why, _DEAD if empty else _MAYBE,
                      f"{head} loops over an empty list", empty_loop=empty)
    if kind == "macro":
        name = (args.split() or [""])[0].strip(",")
        return _Frame("macro", head, outside, outside_why,
                      _MAYBE if name and uses.called(name) else _DEAD,
                      f"{head} defines a macro that is never called")
    if kind == "define":
        match = _REFERENCE.search(args)
        name = (match.group(2) or match.group(3)) if match else ""
        return _Frame("define", head, outside, outside_why,
                      _MAYBE if name and uses.references(name) > 1 else _DEAD,
                      f"{head} defines a block that is never used")
    if kind == "literal":
        return _Frame("literal", head, outside, outside_why, _DEAD,
                      f"{head} shows its content as text, unevaluated")
    return _Frame(kind, head, outside, outside_why, _MAYBE, "")  # #@macro(...) block calls


def _else_branch(frame: _Frame, condition: str | None) -> None:
    """Move an if-chain (or a foreach) to its ``#elseif``/``#else`` branch."""
    if frame.kind == "foreach" and condition is None:
        frame.branch = _LIVE if frame.empty_loop else _MAYBE
        return
    if frame.kind != "if":
        return
    if frame.taken == "yes":
        frame.branch, frame.why = _DEAD, f"a branch before it always renders ({frame.head} … #end)"
        return
    value = True if condition is None else fold_condition(condition)
    if value is False:
        frame.branch, frame.why = _DEAD, f"#elseif({(condition or '').strip()[:60]}) is never true"
    elif value is True:
        frame.branch = _LIVE if frame.taken == "no" else _MAYBE
        frame.taken = "yes"
    else:
        frame.branch = _MAYBE
        frame.taken = "maybe"


_STOPPED = "#stop ends the template before it"


def _liveness(stack: list[_Frame], cap: int) -> tuple[int, str]:
    """How live the current position is, and why not when dead: O(1), since each frame keeps
    the liveness outside it."""
    level, why = (stack[-1].parent, stack[-1].parent_why) if stack else (_LIVE, "")
    if stack and stack[-1].branch < level:
        level, why = stack[-1].branch, stack[-1].why
    if cap < level:
        level, why = cap, _STOPPED
    return level, why


def rendering(body: str) -> Rendering:
    """Split ``body`` (after comments and unparsed blocks are gone) into what may render and
    what never does. Linear in the body's size: it jumps from one ``#`` to the next."""
    text = strip_non_rendered(body)
    uses = _Uses(text)
    live: list[str] = []
    dead: list[tuple[str, str]] = []
    stack: list[_Frame] = []
    cap, i, n = _LIVE, 0, len(text)
    unclosed = 0  # directive-like "#name(" whose argument never closes: each rescans ahead

    def emit(chunk: str) -> None:
        if not chunk:
            return
        level, why = _liveness(stack, cap)
        if level == _DEAD:
            dead.append((chunk, why))
        else:
            live.append(chunk)

    while i < n:
        at = text.find("#", i)
        if at < 0:
            emit(text[i:])
            break
        emit(text[i:at])
        match = _DIRECTIVE.match(text, at)
        if match is None or _escaped(text, at):
            emit("#")
            i = at + 1
            continue
        name = match.group(1) or match.group(2)
        end = match.end()
        if name in _BLOCKS or name == "elseif" or name.startswith("@"):
            parsed = _arguments(text, end)
            if parsed is None:
                if name in _BLOCKS or name == "elseif":
                    return _malformed(body, f"#{name} has no complete (…) argument")
                emit(text[at:end])
                i = end
                continue
            args, end = parsed
            if name == "elseif":
                if not stack or stack[-1].kind != "if":
                    return _malformed(body, "#elseif outside any #if")
                _else_branch(stack[-1], args)
            else:
                stack.append(_open_block(name, args, uses, _liveness(stack, cap)))
        elif name == "else":
            if not stack:
                return _malformed(body, "#else outside any #if")
            _else_branch(stack[-1], None)
        elif name == "end":
            if not stack:
                return _malformed(body, "an #end closes no block")
            stack.pop()
        elif name == "stop":
            level, _ = _liveness(stack, cap)
            cap = min(cap, _DEAD if level == _LIVE else _MAYBE if level == _MAYBE else cap)
        else:  # #set, #parse, a macro call, or plain text such as "#1"
            parsed = _arguments(text, end)
            if parsed is not None:  # skipped whole, so a "#if(" inside a string stays a string
                end = parsed[1]
                emit(" " if name == "set" else text[at:end])  # #set renders nothing
            else:
                unclosed += 1
                if unclosed > MAX_UNCLOSED:
                    return _malformed(body, f"more than {MAX_UNCLOSED} directives' (…) never close")
                emit(text[at:end])
            i = end
            continue
        if _liveness(stack, cap)[0] != _DEAD:
            emit(" ")  # keeps branches apart: "…$a#else$b" is two values, not one
        i = end
    if stack:
        return _malformed(body, f"{stack[-1].head} has no #end")
    return Rendering("".join(live), tuple(dead))


def _malformed(body: str, why: str) -> Rendering:
    reason = f"Velocity cannot parse the body ({why}), so it renders nothing"
    return Rendering("", ((strip_non_rendered(body), reason),), reason)


def rendered_references(text: str) -> list[tuple[str, int, int]]:
    """``(name, start, end)`` of every reference in ``text`` that Velocity evaluates (not
    escaped), in order."""
    out = []
    for match in _REFERENCE.finditer(text):
        if _escaped(text, match.start()):
            continue
        out.append((match.group(2) or match.group(3), match.start(), match.end()))
    return out
