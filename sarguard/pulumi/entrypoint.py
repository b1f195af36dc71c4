"""What ``__main__.py`` runs: read this stack's config, validate it, declare the component."""

from __future__ import annotations

import os

import pulumi

from sarguard.pulumi.credentials import (
    PROVIDER_KEYS,
    require_no_provider_conflicts,
    require_notification_credentials,
)
from sarguard.pulumi.program import DEFAULT_COMPONENT_NAME, SuspiciousActivityReporting
from sarguard.pulumi.stacksettings import is_preloaded, preloaded, settings_from_stack
from sarguard.settings import SettingsError
from sarguard.settings.loader import SETTINGS_KEY

COMPONENT_NAME = DEFAULT_COMPONENT_NAME


def _provider_config() -> dict[str, object]:
    """The Okta provider's credential keys as the engine passed them to this program."""
    keys = PROVIDER_KEYS
    return {key: value for key in keys if (value := pulumi.runtime.get_config(key)) is not None}


def declare_stack() -> SuspiciousActivityReporting:
    """Declare the stack's resources; bad settings stop the run with every problem listed."""
    try:
        if is_preloaded():  # sarguard's offline runs validate and check credentials themselves
            component = SuspiciousActivityReporting(COMPONENT_NAME)
        else:
            settings, where, line_of, _ = settings_from_stack()
            # The provider refuses an API token beside OAuth keys (terraform-provider-okta's
            # ConflictsWith); say so before any resource.
            require_no_provider_conflicts(_provider_config(), where=where, line_of=line_of)
            # Before any resource: pulumi up would otherwise apply the rest and fail on the switches.
            require_notification_credentials(_provider_config(), os.environ,
                                             manage=settings.manage_notifications, where=where,
                                             line_of=line_of)
            with preloaded(settings):  # validated once
                component = SuspiciousActivityReporting(COMPONENT_NAME)
    except SettingsError as exc:
        # The context keeps the SettingsError (sarguard's offline runs report its problems).
        raise pulumi.RunError(f"{SETTINGS_KEY}: {exc}") from None
    for key, value in component.outputs.items():
        pulumi.export(key, value)
    return component
