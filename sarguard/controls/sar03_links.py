"""Where a rendered body puts the report token: in a link to the org, or somewhere else.

Why: the token in Okta's report URL is what lets the person holding it file the report. A button
whose ``href`` sends it to another site hands that site the token (and the user's trust); a token
in plain text, in an image's URL or in an ``href`` whose target Velocity computes makes no button
sarguard can vouch for. The body is read as an email client reads it, with Python's
``html.parser`` (character references decoded, attribute quoting honoured), after
:func:`~sarguard.controls.velocity.rendering` has dropped what never renders.

A link's target is judged by how its URL starts: ``${baseURL}`` (what Okta fills with the org's
own URL, and what this project's templates and ``import --fix`` use), the org's own host (when the
evidence knows the org's URL), or a relative URL such as the token alone are the org; any other
absolute URL, a ``<base href>`` elsewhere, or a host Velocity computes is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Literal
from urllib.parse import urlsplit

from sarguard.controls.velocity import rendered_references

BASE_URL = "baseURL"
_LINK_TAGS = frozenset({"a", "area"})
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_AUTHORITY_END = re.compile(r"[/?#\\]")
# html.parser rescans to the end for every tag it cannot finish, so a run of them is quadratic
# (125,000 "<a" took two minutes). Spelled "&lt;", they are text, which is what a client shows
# for them anyway: a "<" that starts no element (declarations and processing instructions
# included: they carry no links), and every "<" after the last ">" (no tag can end there).
_STRAY_LT = re.compile(r"<(?![A-Za-z/])")


def _parseable(text: str) -> str:
    last = text.rfind(">")
    head, tail = text[:last + 1], text[last + 1:]
    return _STRAY_LT.sub("&lt;", head) + tail.replace("<", "&lt;")

Where = Literal["link", "attribute", "text"]
# org: ${baseURL} or the org's host; relative: a relative URL (the token alone is one); foreign:
# another site; computed: a host Velocity fills in; unknown-org: an absolute URL while the org's
# own URL is not known.
Target = Literal["org", "relative", "foreign", "computed", "unknown-org"]


@dataclass(frozen=True)
class TokenUse:
    """One rendered occurrence of the token: where it sits and where its URL points."""

    where: Where
    target: Target
    detail: str  # the host, scheme or reference that decided ``target`` (never the URL's query)
    tag: str = ""


def host_of(url: object) -> str | None:
    """The lower-cased host of an org URL (``https://acme.okta.com`` -> ``acme.okta.com``)."""
    if not isinstance(url, str) or not url:
        return None
    try:
        host = urlsplit(url if "//" in url else f"//{url}").hostname
    except ValueError:
        return None
    return host.rstrip(".").lower() if host else None


def url_target(word: str, org_host: str | None, token: str) -> tuple[Target, str]:
    """Where the URL ``word`` (one whitespace-free value) points."""
    refs = rendered_references(word)
    if refs and refs[0][1] == 0:
        name = refs[0][0]
        if name == BASE_URL:
            return "org", "${baseURL}"
        if name == token:
            return "relative", "the token alone"
        return "computed", f"${{{name}}}"
    scheme_match = _SCHEME.match(word)
    if scheme_match is None and not word.startswith("//"):
        return "relative", "a relative URL"
    scheme = scheme_match.group(0)[:-1].lower() if scheme_match else ""
    rest = word[scheme_match.end():] if scheme_match else word
    if scheme not in ("", "http", "https"):
        return "foreign", f"a {scheme}: URL"
    if not rest.startswith("//"):
        return "foreign", f"a {scheme}: URL without a host"
    authority = _AUTHORITY_END.split(rest[2:], maxsplit=1)[0]
    if "$" in authority:
        return "computed", authority[:80]
    host = host_of(f"//{authority}")
    if not host:
        return "foreign", "a URL without a host"
    if org_host is None:
        return "unknown-org", host
    if host == org_host and scheme != "http":
        return "org", host
    return "foreign", f"{host} (plain http)" if host == org_host else host


class _Collector(HTMLParser):
    """Every rendered occurrence of the token, with its context (and any ``<base href>``)."""

    def __init__(self, org_host: str | None, token: str) -> None:
        super().__init__(convert_charrefs=True)
        self.org_host = org_host
        self.token = token
        self.uses: list[TokenUse] = []
        self.base: tuple[Target, str] | None = None

    def _words(self, value: str) -> list[str]:
        return [w for w in value.split() if any(r[0] == self.token for r in rendered_references(w))]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if tag == "base" and name == "href" and self.base is None:
                self.base = url_target(value.strip(), self.org_host, self.token)
            where: Where = "link" if tag in _LINK_TAGS and name == "href" else "attribute"
            for word in self._words(value):
                target, detail = url_target(word, self.org_host, self.token)
                self.uses.append(TokenUse(where, target, detail, tag))

    def handle_data(self, data: str) -> None:
        for word in self._words(data):
            target, detail = url_target(word.lstrip("(<[{\"'"), self.org_host, self.token)
            self.uses.append(TokenUse("text", target, detail))


def token_uses(text: str, org_host: str | None, token: str) -> list[TokenUse]:
    """Each occurrence of ``$token`` in ``text`` (already rendered and free of HTML comments).

    A ``<base href>`` to anything but the org makes every relative link point there too.
    """
    collector = _Collector(org_host, token)
    collector.feed(_parseable(text))
    collector.close()
    uses = collector.uses
    base = collector.base
    if base is not None and base[0] not in ("org", "relative"):
        uses = [TokenUse(u.where, "foreign" if base[0] == "foreign" else base[0],
                         f"{base[1]}, through <base href>", u.tag)
                if u.target == "relative" else u for u in uses]
    return uses
