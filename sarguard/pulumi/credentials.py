"""Can the Okta provider manage the notification switches with the credentials it would have?

Why: pulumi-okta bridges okta/terraform-provider-okta, whose ``okta_security_notification_emails``
always calls the internal ``https://<org>-admin.<domain>/api/internal/org/settings/
security-notification-settings`` endpoint with ``Authorization: SSWS <api token>``, whatever else
is configured (``sdk/security_notification_emails.go``; the resource's docs: "available only when
using a SSWS API token in the provider config, it is incompatible with OAuth 2.0
authentication"). The provider takes each credential from its config, else from the environment
(``okta/config/config.go`` ``NewConfig``: ``api_token``/``OKTA_API_TOKEN``,
``client_id``/``OKTA_API_CLIENT_ID``, ``private_key``/``OKTA_API_PRIVATE_KEY``,
``access_token``/``OKTA_ACCESS_TOKEN``). So with OAuth credentials and no API token, ``pulumi up``
fails on that one resource after the others were applied: the program refuses to start instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sarguard.settings import SettingsError
from sarguard.settings.loader import SETTINGS_KEY

API_TOKEN = ("okta:apiToken", "OKTA_API_TOKEN")
# OAuth 2.0 credentials: provider config key -> the environment variable the provider reads.
OAUTH_CREDENTIALS: dict[str, str] = {
    "okta:clientId": "OKTA_API_CLIENT_ID",
    "okta:privateKey": "OKTA_API_PRIVATE_KEY",
    "okta:accessToken": "OKTA_ACCESS_TOKEN",
}
WAYS_OUT = ("either give the provider an SSWS API token with `pulumi config set --secret "
            "okta:apiToken <token>`, or set `notifications.manage: false` in sarguard:settings "
            "to leave the switches unmanaged (sarguard drift and audit still judge them live)")
MANAGE_PATH = ("notifications", "manage")


def _set(value: Any) -> bool:
    return getattr(value, "is_secret", False) or (isinstance(value, str) and value != "")


def _oauth_present(config: Mapping[str, Any], environ: Mapping[str, str]) -> list[str]:
    return [key if _set(config.get(key)) else env for key, env in OAUTH_CREDENTIALS.items()
            if _set(config.get(key)) or _set(environ.get(env))]


def _token_present(config: Mapping[str, Any], environ: Mapping[str, str]) -> bool:
    key, env = API_TOKEN
    return _set(config.get(key)) or _set(environ.get(env))


def notifications_credentials_problem(config: Mapping[str, Any], environ: Mapping[str, str],
                                      *, manage: bool) -> str | None:
    """What ``pulumi up`` would meet here: OAuth credentials, no API token, switches managed."""
    if not manage or _token_present(config, environ):
        return None
    oauth = _oauth_present(config, environ)
    if not oauth:
        return None
    return ("the Okta provider would have no API token (neither okta:apiToken in the stack config "
            f"nor OKTA_API_TOKEN in the environment) but has OAuth 2.0 credentials ({', '.join(oauth)}): "
            "pulumi-okta manages SecurityNotificationEmails only with an SSWS API token, so "
            f"`pulumi up` would fail on it; {WAYS_OUT}")


def stack_credentials_warning(config: Mapping[str, Any], *, manage: bool) -> str | None:
    """``sarguard check``'s machine-independent view: the stack config alone."""
    if not manage or _token_present(config, {}):
        return None
    oauth = _oauth_present(config, {})
    if not oauth:
        return None
    return (f"{SETTINGS_KEY}.notifications.manage: the stack config has OAuth 2.0 credentials "
            f"({', '.join(oauth)}) and no okta:apiToken: unless OKTA_API_TOKEN is set where "
            "`pulumi up` runs, pulumi-okta cannot manage SecurityNotificationEmails (SSWS API "
            f"token only) and `pulumi up` fails on it; {WAYS_OUT}")


def require_notification_credentials(config: Mapping[str, Any], environ: Mapping[str, str], *,
                                     manage: bool, where: str,
                                     line_of: Callable[[str, tuple], int | None] | None) -> None:
    """Raise a one-problem SettingsError (exit 2) naming the stack file when ``pulumi up`` would
    fail on the switches; the program calls it before it registers any resource."""
    problem = notifications_credentials_problem(config, environ, manage=manage)
    if problem is None:
        return
    line = line_of(SETTINGS_KEY, MANAGE_PATH) if line_of else None
    location = f"{where}:{line}" if line else where
    raise SettingsError([f"{location}: {SETTINGS_KEY}.notifications.manage: {problem}"])
