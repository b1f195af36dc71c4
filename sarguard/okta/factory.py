"""One call from CLI settings to a ready client (org + credentials + limits)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sarguard.okta.auth import auth_from_env
from sarguard.okta.client import OktaClient
from sarguard.okta.connection import resolve_org

# Testing hook, not a user setting: extra keyword arguments for every ``OktaClient`` built by
# ``client_from_env`` (so for every CLI command). The reliability suite sets ``clock`` and
# ``sleep`` (a virtual clock shared with the emulator) so retry backoff and rate-limit waits
# cost no real time, and sometimes ``transport`` to inject responses the emulator cannot make.
# ``clock`` also goes to OAuth auth, whose assertions and DPoP proofs carry times. Set it with
# ``monkeypatch.setattr(sarguard.okta.factory, "CLIENT_OVERRIDES", {...})``; empty in production.
CLIENT_OVERRIDES: dict[str, Any] = {}


def client_from_env(
    env: Mapping[str, str],
    *,
    org_url: str | None = None,
    admin_url: str | None = None,
    stack_config: Mapping[str, Any] | None = None,
    max_api_capacity: int = 50,
    concurrency: int = 8,
    timeout: float = 30.0,
    max_wait: float = 120.0,
    deadline: float | None = None,
) -> OktaClient:
    """Resolve the org and credentials (raises ``OktaConfigError`` naming what is missing)."""
    endpoint = resolve_org(org_url, stack_config, env, admin_url=admin_url)
    overrides = dict(CLIENT_OVERRIDES)
    auth_options = {"clock": overrides["clock"]} if "clock" in overrides else {}
    auth = auth_from_env(env, endpoint.url, **auth_options)
    options: dict[str, Any] = {
        "max_api_capacity": max_api_capacity,
        "concurrency": concurrency,
        "timeout": timeout,
        "max_wait": max_wait,
        "deadline": deadline,
        **overrides,
    }
    return OktaClient(endpoint, auth, **options)
