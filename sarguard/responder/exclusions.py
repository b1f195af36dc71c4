"""``exclude:`` in responder.yaml: users the response records and notifies but never acts on.

Why: break-glass and service accounts must not be locked out by a report (a mistaken click, or
an attacker trying to lock the admins out). Ids match exactly; logins match globs
(``breakglass-*@acme.com``; ``*`` and ``?`` as in waivers), case-insensitively as Okta compares
logins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sarguard.verdicts.globmatch import compile_glob

if TYPE_CHECKING:
    from sarguard.responder.config import ResponderConfig

_NO_SEPARATOR = "\x00"  # logins have no segments: ``*`` matches any run of characters


def exclusion_reason(user_id: str, login: str | None, config: ResponderConfig) -> str | None:
    """Why this user is excluded (naming the rule), or None."""
    if user_id in config.exclude_users:
        return f"user {user_id} is listed in exclude.users"
    if login:
        for pattern in config.exclude_logins:
            if compile_glob(pattern.lower(), _NO_SEPARATOR).fullmatch(login.lower()):
                return f"login {login} matches exclude.logins {pattern!r}"
    return None
