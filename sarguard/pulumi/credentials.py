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

The way out is *not* to add ``okta:apiToken`` beside the OAuth keys: the provider's schema makes
``api_token`` conflict with ``access_token``, ``client_id``, ``scopes``, ``private_key`` and
``private_key_id`` (and ``access_token`` with ``client_id``, ``scopes``, ``private_key``)
(terraform-provider-okta ``okta/provider/provider.go`` ``ConflictsWith``, and the same validators in
``okta/fwprovider/framework_provider.go``), so ``pulumi preview`` stops with "Conflicting
configuration arguments". Such a stack is a settings error naming both keys. The schema checks
only the provider's arguments: ``OKTA_API_TOKEN`` is read afterwards, in ``config.NewConfig``, and
pulumi-okta's ``provider/resources.go`` gives ``api_token`` no environment default — so exporting
it beside OAuth keys in the stack is not refused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sarguard.errors import Problem
from sarguard.settings import SettingsError
from sarguard.settings.loader import SETTINGS_KEY

API_TOKEN = ("okta:apiToken", "OKTA_API_TOKEN")
# OAuth 2.0 credentials: provider config key -> the environment variable the provider reads.
OAUTH_CREDENTIALS: dict[str, str] = {
    "okta:clientId": "OKTA_API_CLIENT_ID",
    "okta:privateKey": "OKTA_API_PRIVATE_KEY",
    "okta:accessToken": "OKTA_ACCESS_TOKEN",
}
WAYS_OUT = ("either replace the OAuth keys with an SSWS API token (`pulumi config rm` each OAuth "
            "key, then `pulumi config set --secret okta:apiToken <token>`: the provider refuses "
            "okta:apiToken beside them), or export OKTA_API_TOKEN where `pulumi up` runs (the "
            "provider reads it outside its schema's conflict check), or set "
            "`notifications.manage: false` in sarguard:settings to leave the switches unmanaged "
            "(sarguard drift and audit still judge them live)")
MANAGE_PATH = ("notifications", "manage")
# The provider schema's ConflictsWith, as stack config keys (terraform-provider-okta
# okta/provider/provider.go; okta/fwprovider/framework_provider.go).
CONFLICTS: dict[str, tuple[str, ...]] = {
    "okta:apiToken": ("okta:accessToken", "okta:clientId", "okta:scopes", "okta:privateKey",
                      "okta:privateKeyId"),
    "okta:accessToken": ("okta:clientId", "okta:scopes", "okta:privateKey"),
}
# Every provider key the conflict check reads (the program passes these from the engine).
PROVIDER_KEYS: tuple[str, ...] = ("okta:apiToken", "okta:accessToken", "okta:clientId",
                                  "okta:scopes", "okta:privateKey", "okta:privateKeyId")


def _given(value: Any) -> bool:
    """Set in the stack config: a secret, or a non-empty value (a scopes list included)."""
    return getattr(value, "is_secret", False) or (value is not None and value != "" and value != [])


def provider_conflicts(config: Mapping[str, Any], *, where: str,
                       line_of: Callable[[str, tuple], int | None] | None) -> list[Problem]:
    """One problem per pair of provider keys the provider's schema refuses together."""
    problems: list[Problem] = []
    for key, others in CONFLICTS.items():
        if not _given(config.get(key)):
            continue
        for other in others:
            if not _given(config.get(other)):
                continue
            line = line_of(key, ()) if line_of else None
            location = f"{where}:{line}" if line else where
            fix = ("keep one way to sign in: remove okta:apiToken and keep OAuth, or replace the "
                   "OAuth keys with the token; to use the token for SecurityNotificationEmails "
                   "beside OAuth keys, export OKTA_API_TOKEN instead (read outside the schema's "
                   "check)") if key == "okta:apiToken" else \
                  "keep one way to sign in: the access token, or the OAuth service app's keys"
            problems.append(Problem(
                f"{location}: {key}: conflicts with {other}: the Okta provider's schema refuses "
                f"both together (`pulumi preview` fails with \"Conflicting configuration "
                f"arguments\"); {fix}", file=where, line=line if isinstance(line, int) else None,
                key_path=key))
    return problems


def require_no_provider_conflicts(config: Mapping[str, Any], *, where: str,
                                  line_of: Callable[[str, tuple], int | None] | None) -> None:
    """Raise a SettingsError (exit 2) listing every conflicting pair of provider keys."""
    problems = provider_conflicts(config, where=where, line_of=line_of)
    if problems:
        raise SettingsError(problems)


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
