"""The one rule for "is this a credential", and how to show or compare one without showing it.

Okta returns a hook's custom header values and its URL in clear, and teams put credentials in
both: ``X-Api-Key``, Azure Functions' ``x-functions-key`` or ``?code=``, Azure API Management's
``Ocp-Apim-Subscription-Key``, a Logic App's ``…/invoke?…&sig=…``. A header or URL query
parameter is judged by its *name* (:func:`is_credential_name`): the name is split on ``-``,
``_`` and camelCase; it is a credential when it contains ``auth``, ``token``, ``secret`` or
``password`` anywhere, or when one of its parts is a known credential word (``key``, ``sig``,
``signature``, ``session``, ``cookie``, ``apikey``…). So ``x-functions-key`` is one and
``X-Signal`` is not.

Such a value is never printed, declared or live, in any format. Where two values must be compared
(drift), each side is shown as a :func:`fingerprint` — the first 8 hex digits of its SHA-256,
stable across runs so that daily reports can be compared — never as the value.

One place for the rule: the live reader (redaction), SAR-06, drift, ``sarguard plan``, the
renderers, the stack importer and the responder's config check all use it.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import unquote, urlsplit, urlunsplit

# Anywhere in the name, any case: Authorization, X-Auth-Token, client_secret, db_password...
CREDENTIAL_FRAGMENTS: tuple[str, ...] = ("auth", "token", "secret", "password", "passwd")
# Whole parts of a name (after splitting on -, _ and camelCase) that name a credential.
CREDENTIAL_WORDS: frozenset[str] = frozenset({
    "key", "apikey", "sig", "signature", "session", "sessionid", "cookie", "credential",
    "credentials", "pass", "pwd", "passphrase", "bearer", "jwt", "hmac", "sas", "privatekey",
    "accesskey", "secretkey", "subscriptionkey", "jsessionid", "phpsessid",
})
# Query-parameter-only words: Azure Functions' ?code=<function key> (a header named "code" or
# "X-Status-Code" is not a credential, a URL's code= parameter is).
CREDENTIAL_PARAMETER_WORDS: frozenset[str] = frozenset({"code"})
FINGERPRINT_PREFIX = "sha256:"

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[-_.\s]+")


def name_parts(name: str) -> list[str]:
    """``Ocp-Apim-Subscription-Key`` -> ``['ocp', 'apim', 'subscription', 'key']``;
    ``accessKey`` -> ``['access', 'key']``."""
    return [p.lower() for p in _SEPARATORS.split(_CAMEL.sub("-", name)) if p]


def is_credential_name(name: object, *, parameter: bool = False) -> bool:
    """True when a header name (or, with ``parameter``, a URL query parameter name) says its
    value is a credential."""
    if not isinstance(name, str) or not name:
        return False
    bare = name.strip().lstrip("+-:")  # Apprise's +Header= / -param= URL forms
    lowered = bare.lower()
    if any(fragment in lowered for fragment in CREDENTIAL_FRAGMENTS):
        return True
    words = CREDENTIAL_WORDS | CREDENTIAL_PARAMETER_WORDS if parameter else CREDENTIAL_WORDS
    return lowered in words or any(part in words for part in name_parts(bare))


def is_credential_header(name: object) -> bool:
    """True when a header name looks like it carries a credential (:func:`is_credential_name`)."""
    return is_credential_name(name)


def is_credential_parameter(name: object) -> bool:
    """True when a URL query parameter's name says its value is a credential (``sig``,
    ``code``, ``key``, ``access_token``…)."""
    return is_credential_name(name, parameter=True)


def fingerprint(value: str) -> str:
    """``sha256:`` + the first 8 hex digits of the UTF-8 value's SHA-256 (same on every run)."""
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
    return FINGERPRINT_PREFIX + digest[:8]


def masked_value(value: object) -> str:
    """What a credential-like value is shown as: its fingerprint, never the value."""
    if isinstance(value, str):
        return f"[credential {fingerprint(value)}]"
    return "[credential]"


# ---- URLs -----------------------------------------------------------------------------------

def _split(url: str) -> tuple[str, str, str, str, str] | None:
    try:
        return urlsplit(url)
    except ValueError:
        return None


def url_credentials(url: object) -> list[tuple[str, str]]:
    """Every credential a URL carries in clear, as ``(where, raw value)``: the userinfo password
    (``where`` = ``"password"``) and each credential query parameter with a value (``where`` =
    its name). A ``{secret:NAME}`` placeholder is not a value."""
    if not isinstance(url, str) or not url:
        return []
    parts = _split(url)
    if parts is None:
        return []
    found: list[tuple[str, str]] = []
    netloc = parts.netloc
    if "@" in netloc:
        userinfo = netloc.rpartition("@")[0]
        _, colon, password = userinfo.partition(":")
        if colon and password and not _is_placeholder(password):
            found.append(("password", password))
    for pair in parts.query.split("&"):
        name, eq, value = pair.partition("=")
        if eq and value and not _is_placeholder(value) and is_credential_parameter(unquote(name)):
            found.append((unquote(name), value))
    return found


def url_credential_values(url: object) -> list[str]:
    """The credential values in ``url`` (raw and percent-decoded), for the redaction registry."""
    values: list[str] = []
    for _, raw in url_credentials(url):
        values.append(raw)
        decoded = unquote(raw)
        if decoded != raw:
            values.append(decoded)
    return values


def _is_placeholder(value: str) -> bool:
    text = unquote(value)
    return text.startswith("{secret:") and text.endswith("}")


def masked_url(url: object) -> object:
    """``url`` with every credential it carries in clear replaced by its fingerprint
    (``…&sig=[credential sha256:1a2b3c4d]``); anything else is returned as given."""
    if not isinstance(url, str):
        return url
    parts = _split(url)
    if parts is None or not url_credentials(url):
        return url
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user, colon, password = userinfo.partition(":")
        if colon and password and not _is_placeholder(password):
            netloc = f"{user}:{masked_value(password)}@{host}"
    pairs = []
    for pair in parts.query.split("&"):
        name, eq, value = pair.partition("=")
        if eq and value and not _is_placeholder(value) and is_credential_parameter(unquote(name)):
            pair = f"{name}={masked_value(value)}"
        pairs.append(pair)
    return urlunsplit((parts.scheme, netloc, parts.path, "&".join(pairs), parts.fragment))
