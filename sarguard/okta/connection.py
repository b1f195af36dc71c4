"""Where the org lives: resolve its API URL and the ``-admin`` host of the internal endpoint.

The org comes from the first source that names it (``--org-url``, then the stack config's
``okta:orgName``/``okta:baseUrl``, then ``OKTA_ORG_NAME``/``OKTA_BASE_URL``), mirroring how the
Pulumi provider falls back from config to environment. Plain ``http`` is accepted only for
loopback hosts (the emulator); TLS verification is never turned off anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sarguard.okta.errors import OktaConfigError
from sarguard.util import oktadomains
from sarguard.util.netutil import is_loopback_host

# Okta-operated domains whose orgs have a ``{org}-admin.{domain}`` admin host (the one list,
# shared with ``import``).
OKTA_DOMAINS = oktadomains.OKTA_DOMAINS
DEFAULT_BASE_URL = "okta.com"


@dataclass(frozen=True)
class OrgEndpoint:
    """The org's API base URL and the base URL of its internal admin endpoint.

    ``admin_url`` is None when it cannot be derived (a custom domain without ``--admin-url``);
    ``admin_missing_reason`` then says what to do, for the ``unread`` entry.
    """

    url: str
    admin_url: str | None
    admin_missing_reason: str | None = None

    @property
    def is_loopback(self) -> bool:
        return is_loopback_host(urlsplit(self.url).hostname or "")


def normalize_url(url: str, *, what: str) -> str:
    """Validate an org/admin base URL and return it as ``scheme://host[:port]``.

    ``what`` names the setting in error messages (``--org-url``, ``--admin-url``).
    """
    if not isinstance(url, str) or not url.strip():
        raise OktaConfigError(f"{what}: expected a URL like https://dev-123.okta.com, got nothing")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise OktaConfigError(
            f"{what}: expected a URL like https://dev-123.okta.com, got {url!r}"
        )
    if parts.username or parts.password:
        raise OktaConfigError(f"{what}: credentials must not be embedded in the URL")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise OktaConfigError(
            f"{what}: expected the org's base URL without a path (like "
            f"https://dev-123.okta.com), got {url!r}"
        )
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise OktaConfigError(
            f"{what}: plain http is only allowed for loopback hosts (127.0.0.0/8, ::1, "
            f"localhost); use https:// for {parts.hostname}"
        )
    try:
        port = parts.port
    except ValueError:
        raise OktaConfigError(f"{what}: invalid port in {url!r}") from None
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


def _split_okta_host(host: str) -> tuple[str, str] | None:
    """``dev-1.okta.com`` -> (``dev-1``, ``okta.com``); None for a non-Okta domain."""
    for domain in OKTA_DOMAINS:
        suffix = "." + domain
        if host.endswith(suffix):
            label = host[: -len(suffix)]
            if label and "." not in label:
                return label, domain
    return None


def admin_endpoint(org_url: str, admin_url: str | None = None) -> OrgEndpoint:
    """Attach the internal endpoint's base URL to a normalized org URL.

    Okta domains: ``{org}-admin.{domain}``; loopback (the emulator): the same URL; custom
    domains: only ``admin_url`` can say where it is.
    """
    if admin_url:
        return OrgEndpoint(org_url, normalize_url(admin_url, what="--admin-url"))
    parts = urlsplit(org_url)
    host = parts.hostname or ""
    if is_loopback_host(host):
        return OrgEndpoint(org_url, org_url)
    split = _split_okta_host(host)
    if split is not None:
        org, domain = split
        port = f":{parts.port}" if parts.port else ""
        return OrgEndpoint(org_url, f"{parts.scheme}://{org}-admin.{domain}{port}")
    return OrgEndpoint(
        org_url,
        None,
        f"the notification switches are read from the org's -admin host, which cannot be "
        f"derived from the custom domain {host}: pass --admin-url "
        f"(e.g. https://<org>-admin.okta.com)",
    )


def _config_value(config: Mapping[str, Any], key: str) -> str | None:
    value = config.get(key)
    if value is None:
        return None
    if isinstance(value, Mapping) and "secure" in value:
        raise OktaConfigError(f"stack config: config.{key}: expected plain text, got a secret")
    if not isinstance(value, str) or not value.strip():
        raise OktaConfigError(
            f"stack config: config.{key}: expected a non-empty string, got {type(value).__name__}"
        )
    return value.strip()


def _org_from_name(name: str, base_url: str, *, source: str) -> str:
    if "://" in name or "." in name or "/" in name or not name:
        raise OktaConfigError(
            f"{source}: expected the org name alone (like dev-123), got {name!r}"
        )
    base = base_url.strip().lower().rstrip("/")
    if "://" in base or "/" in base or not base:
        raise OktaConfigError(
            f"{source}: expected the base domain alone (like okta.com), got {base_url!r}"
        )
    return normalize_url(f"https://{name}.{base}", what=source)


def resolve_org(
    org_url: str | None,
    stack_config: Mapping[str, Any] | None,
    env: Mapping[str, str],
    *,
    admin_url: str | None = None,
) -> OrgEndpoint:
    """Resolve the org: ``--org-url`` wins, then the stack config, then the environment.

    ``stack_config`` is the stack file's ``config`` mapping (``{"okta:orgName": ...}``) or the
    whole stack file (a mapping with a ``config`` key). Each of ``okta:orgName`` and
    ``okta:baseUrl`` falls back to ``OKTA_ORG_NAME``/``OKTA_BASE_URL`` like the provider's
    settings do; the base URL defaults to ``okta.com``.
    """
    if org_url:
        url = normalize_url(org_url, what="--org-url")
        host = urlsplit(url).hostname or ""
        split = _split_okta_host(host)
        if split and split[0].endswith("-admin"):  # the admin console URL was pasted
            url = url.replace(f"{split[0]}.", f"{split[0][: -len('-admin')]}.", 1)
        return admin_endpoint(url, admin_url)

    config: Mapping[str, Any] = {}
    if stack_config is not None:
        if not isinstance(stack_config, Mapping):
            raise OktaConfigError("stack config: expected a mapping of config keys")
        inner = stack_config.get("config")
        config = inner if isinstance(inner, Mapping) else stack_config
    name = _config_value(config, "okta:orgName")
    base = _config_value(config, "okta:baseUrl")
    name_source = "stack config okta:orgName"
    base_source = "stack config okta:baseUrl"
    if name is None and env.get("OKTA_ORG_NAME", "").strip():
        name, name_source = env["OKTA_ORG_NAME"].strip(), "OKTA_ORG_NAME"
    if base is None and env.get("OKTA_BASE_URL", "").strip():
        base, base_source = env["OKTA_BASE_URL"].strip(), "OKTA_BASE_URL"
    if name is None:
        raise OktaConfigError(
            "no Okta org given: pass --org-url, set okta:orgName (and okta:baseUrl) in the "
            "stack config, or set OKTA_ORG_NAME (and OKTA_BASE_URL, default okta.com)"
        )
    source = name_source if base is None else f"{name_source} + {base_source}"
    url = _org_from_name(name, base or DEFAULT_BASE_URL, source=source)
    return admin_endpoint(url, admin_url)
