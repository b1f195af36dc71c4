"""Okta Management API client: org resolution, auth, rate limits, retries, pagination.

Typical use (the CLI)::

    endpoint = resolve_org(args.org_url, stack_config, os.environ, admin_url=args.admin_url)
    client = OktaClient(endpoint, auth_from_env(os.environ, endpoint.url))
    state = read_live_state_sync(client)       # sarguard.evidence.live
"""

from sarguard.okta.auth import OAuthAuth, SswsAuth, auth_from_env
from sarguard.okta.client import OktaClient
from sarguard.okta.connection import OrgEndpoint, resolve_org
from sarguard.okta.errors import (
    OktaApiError,
    OktaAuthError,
    OktaConfigError,
    OktaDeadlineError,
    OktaError,
    OktaPaginationError,
    OktaRateLimitError,
    OktaTransportError,
)
from sarguard.okta.factory import client_from_env
from sarguard.okta.logs import aiter_logs, iter_logs
from sarguard.okta.stats import ApiStats

__all__ = [
    "ApiStats",
    "OAuthAuth",
    "OktaApiError",
    "OktaAuthError",
    "OktaClient",
    "OktaConfigError",
    "OktaDeadlineError",
    "OktaError",
    "OktaPaginationError",
    "OktaRateLimitError",
    "OktaTransportError",
    "OrgEndpoint",
    "SswsAuth",
    "aiter_logs",
    "auth_from_env",
    "client_from_env",
    "iter_logs",
    "resolve_org",
]
