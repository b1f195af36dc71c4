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
