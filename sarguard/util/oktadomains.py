"""The domains Okta operates orgs on: one list, for the client and for ``import``.

An org on one of them is ``https://{org}.{domain}``, with its admin host at
``{org}-admin.{domain}``; the Okta Pulumi provider writes the same org as ``okta:orgName`` +
``okta:baseUrl`` (the provider builds ``https://{orgName}.{baseUrl}`` from any domain). Okta's
government clouds (``okta-gov.com``, ``okta.mil``) are Okta domains like the others.
"""

from __future__ import annotations

OKTA_DOMAINS: tuple[str, ...] = (
    "okta.com",
    "oktapreview.com",
    "okta-emea.com",
    "okta-gov.com",
    "okta.mil",
)
