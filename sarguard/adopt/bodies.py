"""The blocks ``sarguard import --fix`` inserts into an email body, and where.

Each block is small, the same in every language, and marked with an HTML comment that says
why it is there. A block goes before the last ``</body>``, else at the end, else at the very
start: the first place where the caller's check (the control's own function) passes — at the
end, a block can still be swallowed by an unterminated ``<!--`` or Velocity ``#*`` comment, while
nothing before the start can hide it. The body's own line endings are kept (CRLF stays CRLF).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from sarguard.controls.sar03_templates_keep_link import TOKEN

# The link the project's own templates use (email-templates/, the emulator's seeds).
REPORT_LINK_BLOCK = (
    "<!-- sarguard import --fix (SAR-03): Okta shows the report button only where the body "
    "renders the token; translate the label -->",
    '<p style="margin: 24px 0;"><a href="${baseURL}/login/report-suspicious-activity?token='
    f'${{{TOKEN}}}" style="display: inline-block; padding: 10px 16px; border-radius: 4px; '
    'background: #1662dd; color: #ffffff; text-decoration: none;">Report suspicious activity</a></p>',
)
_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)


def newline_of(body: str) -> str:
    """The body's line ending: CRLF when it uses one, else LF."""
    return "\r\n" if "\r\n" in body else "\n"


def variables_block(names: Iterable[str]) -> tuple[str, ...]:
    """A line that renders the variables a template requires (SAR-09)."""
    rendered = " &middot; ".join(f"${{{name}}}" for name in names)
    return ("<!-- sarguard import --fix (SAR-09): variables Okta requires in this template -->",
            f'<p style="font-size: 12px; color: #6e6e78;">{rendered}</p>')


def insert_block(body: str, lines: tuple[str, ...], accepted: Callable[[str], bool]) -> str | None:
    """``body`` with ``lines`` inserted where ``accepted`` holds, or None when nowhere does."""
    nl = newline_of(body)
    block = nl.join(lines) + nl
    candidates: list[str] = []
    ends = list(_BODY_END.finditer(body))
    if ends:
        at = ends[-1].start()
        candidates.append(body[:at] + block + body[at:])
    candidates.append(body + ("" if not body or body.endswith(("\n", "\r")) else nl) + block)
    candidates.append(block + body)
    return next((c for c in candidates if accepted(c)), None)
