"""Whether an org URL can be written as the provider's ``okta:orgName`` + ``okta:baseUrl``.

The Pulumi provider builds its URL as ``https://{orgName}.{baseUrl}``. Only the standard Okta
domains are written that way; a custom domain or the emulator's loopback URL is left out of the
stack (with a comment), and sarguard then takes the org from ``--org-url``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from sarguard.util.oktadomains import OKTA_DOMAINS

# The domains sarguard import writes as okta:baseUrl: Okta's, the one list the client uses too
# (government clouds included).
PROVIDER_DOMAINS: tuple[str, ...] = OKTA_DOMAINS


@dataclass(frozen=True)
class ProviderOrg:
    org_name: str
    base_url: str


def provider_org(url: str) -> ProviderOrg | None:
    """``https://acme.okta.com`` -> (acme, okta.com); None for any other form."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or port is not None or parts.path not in ("", "/"):
        return None
    for domain in PROVIDER_DOMAINS:
        label, dot, rest = host.partition(".")
        if dot and rest == domain and label and not label.endswith("-admin"):
            return ProviderOrg(label, domain)
    return None
