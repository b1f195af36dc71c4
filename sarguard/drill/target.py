"""What a drill probes: the endpoint URL, the auth header (name from flags or the stack, value
from the environment only) and the hook's custom headers.

Why the value never comes from a flag: flags end up in shell history and CI logs. Why a URL with
credentials in it is refused: they would end up in the report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sarguard.errors import UsageError
from sarguard.util.credentials import is_credential_header, url_credential_values
from sarguard.util.netutil import is_loopback_host
from sarguard.util.redaction import register as register_secrets

SECRET_ENV = "SARGUARD_EVENT_HOOK_SECRET"
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # an HTTP header name (RFC 9110 token)


@dataclass(frozen=True)
class DrillTarget:
    """Registers its secrets with :mod:`sarguard.util.redaction` while it lives: an endpoint
    may echo the auth header back, and nothing the drill prints or writes may carry it."""

    url: str
    auth_header: str
    auth_value: str = field(repr=False)
    headers: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        register_secrets(self.secrets)

    def secrets(self) -> tuple[str, ...]:
        """The auth value, any credential-like custom header value (``X-Api-Key``...) and any
        credential in the URL (``sig=``, ``code=``...)."""
        return (self.auth_value, *(v for k, v in self.headers.items() if is_credential_header(k)),
                *url_credential_values(self.url))

    @property
    def scheme(self) -> str:
        return urlsplit(self.url).scheme

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def is_loopback(self) -> bool:
        return is_loopback_host(self.host)

    @property
    def resource(self) -> str:
        """``endpoint/<host><path>`` (the port only when the URL names one; never the query)."""
        parts = urlsplit(self.url)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        if parts.port is not None:
            host += f":{parts.port}"
        return f"endpoint/{host}{parts.path or '/'}"

    @property
    def shown_url(self) -> str:
        """The URL as reports show it: scheme, host, port and path (no query, no fragment)."""
        return f"{self.scheme}://{self.resource.removeprefix('endpoint/')}"


def make_target(url: str, auth_header: str, auth_value: str | None,
                headers: dict[str, str] | None = None) -> DrillTarget:
    """Validate the pieces of a drill target; raises UsageError naming what is wrong."""
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise UsageError(f"--url: the port is not a number 0-65535: {url[:200]!r}") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UsageError("--url: expected an absolute http(s) URL such as "
                         "https://soar.example.com/okta/events")
    if parts.username is not None or parts.password is not None:
        raise UsageError("--url: remove the credentials from the URL (they would be shown in "
                         "the report); the drill sends the auth header instead")
    if not auth_header or not _TOKEN.match(auth_header):
        raise UsageError(f"--auth-header: expected an HTTP header name such as Authorization, "
                         f"got {auth_header[:80]!r}")
    if not auth_value:
        raise UsageError(f"set {SECRET_ENV} to the hook's auth header value (the secret is read "
                         "from the environment only, never from a flag)")
    if any(c in auth_value for c in "\r\n\x00"):
        raise UsageError(f"{SECRET_ENV}: the value contains a line break or NUL")
    return DrillTarget(url=url, auth_header=auth_header, auth_value=auth_value,
                       headers=dict(headers or {}))
