"""Short unified line diffs of changed template bodies, shared by text and Markdown.

Two walls of HTML say nothing; the lines that changed, with two lines of context and at most
about twenty lines in all ("… N more lines" after), say what drifted.
"""

from __future__ import annotations

import difflib

from sarguard.report.values import safe_text

DIFF_CONTEXT = 2
DIFF_MAX_LINES = 20
# GitHub's runner reads a log line as a workflow command when, left-trimmed, it starts with one
# of these; a body line must never become one (a zero-width space is not trimmed).
_COMMAND_STARTS = ("::", "##[")


def body_diff(declared: object, live: object, context: int = DIFF_CONTEXT,
              limit: int = DIFF_MAX_LINES) -> list[str] | None:
    """A unified line diff of two multi-line texts (None when either is not one)."""
    if not isinstance(declared, str) or not isinstance(live, str):
        return None
    if "\n" not in declared and "\n" not in live:
        return None
    lines = [_inert(safe_text(line)) for line in difflib.unified_diff(
        declared.splitlines(), live.splitlines(), "declared", "live", n=context, lineterm="")]
    if len(lines) > limit:
        rest = len(lines) - limit
        lines = [*lines[:limit], f"… {rest} more line{'s' if rest != 1 else ''}"]
    return lines


def _inert(line: str) -> str:
    if line.lstrip().startswith(_COMMAND_STARTS):
        stripped = line.lstrip()
        return line[: len(line) - len(stripped)] + "\u200b" + stripped
    return line


SIDE_BY_SIDE_MAX_ROWS = 60


def side_by_side(declared: object, live: object, context: int = DIFF_CONTEXT,
                 limit: int = SIDE_BY_SIDE_MAX_ROWS) -> list[tuple[str, str, str]] | None:
    """Rows ``(tag, declared line, live line)`` of two multi-line texts, aligned for a
    two-column view (tag ``equal``, ``replace``, ``delete``, ``insert`` or ``skip`` for an
    elided stretch); None when either is not a multi-line text. Unchanged stretches keep
    ``context`` lines around each change; at most ``limit`` rows, then a ``skip`` row."""
    if not isinstance(declared, str) or not isinstance(live, str):
        return None
    if "\n" not in declared and "\n" not in live:
        return None
    left = [safe_text(line) for line in declared.splitlines()]
    right = [safe_text(line) for line in live.splitlines()]
    rows: list[tuple[str, str, str]] = []
    for group in difflib.SequenceMatcher(None, left, right, autojunk=False).get_grouped_opcodes(context):
        if rows:
            rows.append(("skip", "…", "…"))
        for tag, i1, i2, j1, j2 in group:
            width = max(i2 - i1, j2 - j1)
            for k in range(width):
                rows.append((tag, left[i1 + k] if i1 + k < i2 else "",
                             right[j1 + k] if j1 + k < j2 else ""))
    if len(rows) > limit:
        rest = len(rows) - limit
        rows = [*rows[:limit], ("skip", f"… {rest} more line{'s' if rest != 1 else ''}", "")]
    return rows
