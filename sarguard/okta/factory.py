"""One call from CLI settings to a ready client (org + credentials + limits)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sarguard.okta.auth import auth_from_env
from sarguard.okta.client import OktaClient
from sarguard.okta.connection import resolve_org


def client_from_env(
    env: Mapping[str, str],
    *,
    org_url: str | None = None,
    admin_url: str | None = None,
    stack_config: Mapping[str, Any] | None = None,
    max_api_capacity: int = 50,
    concurrency: int = 8,
    timeout: float = 30.0,
) -> OktaClient:
    """Resolve the org and credentials (raises ``OktaConfigError`` naming what is missing)."""
    endpoint = resolve_org(org_url, stack_config, env, admin_url=admin_url)
    auth = auth_from_env(env, endpoint.url)
    return OktaClient(
        endpoint,
        auth,
        max_api_capacity=max_api_capacity,
        concurrency=concurrency,
        timeout=timeout,
    )
