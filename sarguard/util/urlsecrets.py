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
from urllib.parse import quote, unquote, urlsplit

from sarguard.errors import SarguardError
from sarguard.util.credentials import is_credential_parameter

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


def split_url_secrets(url: str) -> tuple[str, dict[str, str]]:
    """``(url with placeholders, {NAME: value})``: each credential query parameter's value
    becomes ``{secret:NAME}`` (NAME = the parameter's name; ``NAME_2``… when a name repeats),
    its percent-decoded value goes to the map. Everything else is kept byte for byte; a URL with
    no credential comes back unchanged with an empty map."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url, {}
    if not parts.query:
        return url, {}
    secrets: dict[str, str] = {}
    pairs: list[str] = []
    for pair in parts.query.split("&"):
        raw_name, eq, value = pair.partition("=")
        name = unquote(raw_name)
        if eq and value and is_credential_parameter(name) and not PLACEHOLDER.fullmatch(value):
            key = _free_key(_key_of(name), secrets)
            secrets[key] = unquote(value)
            pair = f"{raw_name}={placeholder(key)}"
        pairs.append(pair)
    if not secrets:
        return url, {}
    start = url.index("?") + 1
    end = start + len(parts.query)
    return url[:start] + "&".join(pairs) + url[end:], secrets


def _key_of(name: str) -> str:
    """A map key (and placeholder NAME) for a parameter: its name, with whitespace and braces
    replaced so the placeholder stays one token."""
    return re.sub(r"[{}\s]", "_", name) or "secret"


def _free_key(key: str, taken: Mapping[str, str]) -> str:
    if key not in taken:
        return key
    n = 2
    while f"{key}_{n}" in taken:
        n += 1
    return f"{key}_{n}"


def template_pattern(url: str) -> re.Pattern[str]:
    """A pattern that matches every URL ``url`` (with placeholders) can be filled into: the text
    around the placeholders literally, each placeholder as one query value."""
    pieces: list[str] = []
    last = 0
    for match in PLACEHOLDER.finditer(url):
        pieces.append(re.escape(url[last:match.start()]))
        pieces.append(r"[^&#]*")
        last = match.end()
    pieces.append(re.escape(url[last:]))
    return re.compile("".join(pieces))


def matches_template(template: str, url: str) -> bool:
    """True when ``url`` is what ``template`` becomes with some values in its placeholders."""
    return template_pattern(template).fullmatch(url) is not None
