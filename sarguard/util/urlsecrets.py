"""Credentials in a hook's URL, kept out of the stack file as ``{secret:NAME}`` placeholders.

Why: some endpoints take their credential in the URL (a Logic App's ``…/invoke?…&sig=…``, Azure
Functions' ``?code=…``). The stack file is reviewed and kept in git, so ``eventHook.url`` holds
``…&sig={secret:sig}`` and the value lives in the Pulumi secret ``sarguard:eventHookUrlSecrets``
(a map by NAME). Offline checks still see the URL's scheme, host and path; the component fills
the placeholders from the secrets (:func:`fill_url_placeholders`) when Pulumi runs it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote

from sarguard.errors import SarguardError

# ``{secret:NAME}``; NAME is a query parameter's name (no braces, no whitespace).
PLACEHOLDER = re.compile(r"\{secret:([^{}\s]+)\}")
# Characters a filled value keeps as they are: unreserved, and what a query value may hold
# without changing the query's structure (never & # + = % or space).
_SAFE = "-._~!$'()*,;:@/"


class UrlSecretError(SarguardError):
    """A placeholder in the hook URL has no usable value (the message names it, never a value)."""


def placeholder(name: str) -> str:
    """The text that stands for the secret ``name`` in a URL."""
    return "{secret:" + name + "}"


def placeholder_names(url: str) -> list[str]:
    """The NAMEs of every ``{secret:NAME}`` in ``url``, in order, each once."""
    return list(dict.fromkeys(PLACEHOLDER.findall(url)))


def without_placeholders(url: str, stand_in: str = "secret") -> str:
    """``url`` with every placeholder replaced by a plain word, for checks of the rest."""
    return PLACEHOLDER.sub(stand_in, url)


def fill_url_placeholders(url: str, secrets: Mapping[str, str]) -> str:
    """``url`` with each ``{secret:NAME}`` replaced by ``secrets[NAME]``, percent-quoted so a
    value can never add a parameter or end the query. Raises :class:`UrlSecretError` naming the
    first placeholder without a (string, non-empty) value."""
    for name in placeholder_names(url):
        value = secrets.get(name) if isinstance(secrets, Mapping) else None
        if not isinstance(value, str) or not value:
            raise UrlSecretError(
                f"eventHook.url: the placeholder {placeholder(name)} has no value in "
                f"sarguard:eventHookUrlSecrets (set it with `pulumi config set --secret --path "
                f"sarguard:eventHookUrlSecrets.{name}`)")
    return PLACEHOLDER.sub(lambda m: quote(secrets[m.group(1)], safe=_SAFE), url)
