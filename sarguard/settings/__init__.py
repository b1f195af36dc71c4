"""Stack settings: the user-facing contract of ``sarguard:settings`` (see README, "Settings")."""

from sarguard.settings.errors import SettingsError
from sarguard.settings.loader import Settings, load_settings

__all__ = ["Settings", "SettingsError", "load_settings"]
