"""Find credentials written literally in responder.yaml's URLs (database, notify targets).

Why: responder.yaml is reviewed in pull requests and kept in git, so a password or token in it
is a leak. A URL may carry secrets only through ``${NAME}`` references. Three checks, on the
text with every reference replaced by a placeholder word:

* a password in the URL's user info (``scheme://user:password@host``);
* a query parameter whose name says credential (``token=``, ``key=``, ``+Authorization=`` …),
  judged by the project's one rule (:func:`sarguard.util.credentials.is_credential_parameter`);
* for notification URLs, any part Apprise itself masks as secret in its privacy view (the
  Slack/Teams/Discord/PagerDuty tokens of each service's URL form).
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

from sarguard.responder.envrefs import with_placeholders
from sarguard.util.credentials import is_credential_parameter

PLACEHOLDER = "sarguardref"
_URL_DELIMITERS = re.compile(r"([/:@?&=#])")


@contextlib.contextmanager
def quiet_apprise() -> Iterator[None]:
    """Silence Apprise's own log while it parses a URL: it logs unparseable URLs in full."""
    logger = logging.getLogger("apprise")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)


def apprise_target(url: str) -> Any | None:
    """The Apprise plugin object for ``url`` (None when Apprise does not understand it)."""
    import apprise

    with quiet_apprise():
        try:
            return apprise.Apprise.instantiate(url)
        except Exception:  # noqa: BLE001 - a plugin that chokes on the URL: not understood
            return None


def _userinfo_password(text: str) -> bool:
    try:
        password = urlsplit(text).password
    except ValueError:
        return False
    return bool(password) and PLACEHOLDER not in password


def _credential_parameters(text: str) -> list[str]:
    try:
        query = urlsplit(text).query
    except ValueError:
        return []
    names = []
    for pair in query.split("&"):
        # Not parse_qsl: Apprise reads a leading + as "HTTP header", not as a space.
        name, _, value = (unquote(part) for part in pair.partition("="))
        if is_credential_parameter(name) and value and PLACEHOLDER not in value:
            names.append(name)
    return names


def _apprise_secrets(text: str) -> bool:
    """True when Apprise masks a part of ``text`` that is not a reference."""
    target = apprise_target(text)
    if target is None:
        return False
    full = _URL_DELIMITERS.split(target.url(privacy=False))
    masked = _URL_DELIMITERS.split(target.url(privacy=True))
    if len(full) != len(masked):
        return True  # cannot line the two views up: assume the worst
    return any(a != b and PLACEHOLDER not in a for a, b in zip(full, masked, strict=True))


def literal_credential(raw: str, *, notification: bool) -> str | None:
    """Why ``raw`` (a URL as written in the file) carries a literal credential, or None."""
    text = with_placeholders(raw, PLACEHOLDER)
    if _userinfo_password(text):
        return "carries a password written literally"
    names = _credential_parameters(text)
    if names:
        return f"carries a credential written literally in its {names[0]!r} parameter"
    if notification and _apprise_secrets(text):
        return ("carries a token written literally (Apprise treats part of this URL as a "
                "secret)")
    return None
