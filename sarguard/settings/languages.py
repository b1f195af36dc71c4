"""Okta's default email-customization languages (re-exported for controls)."""

from sarguard.settings.okta_facts import OKTA_LANGUAGES

__all__ = ["OKTA_LANGUAGES"]
