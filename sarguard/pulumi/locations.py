"""Where each resource key's setting lives in the stack file (for SARIF and annotations)."""

from __future__ import annotations

from sarguard import model
from sarguard.model import Location
from sarguard.pulumi.stack import StackConfig
from sarguard.settings import Settings
from sarguard.settings.loader import SETTINGS_KEY
from sarguard.settings.model import KeyPath


def settings_locations(config: StackConfig, settings: Settings) -> dict[str, Location]:
    """Resource key -> stack file and line of the setting that declares it."""
    file = config.relative_stack_file()

    def at(path: KeyPath) -> Location:
        return Location(file, config.line_of(SETTINGS_KEY, path))

    out: dict[str, Location] = {
        model.ORG: at(()),
        model.key_notifications(): at(("notifications",)),
    }
    for brand in settings.brands:
        for template in brand.declared_templates():
            out[model.key_template_settings(brand.id, template.name)] = at((*template.path, "recipients"))
            for spec in template.customizations:
                out[model.key_customization(brand.id, template.name, spec.language)] = at(spec.path)
    if settings.event_hook:
        out[model.key_event_hook(settings.event_hook.name)] = at(settings.event_hook.path)
    for index, role in enumerate(settings.admin_roles):
        out[model.key_role_subscription(role)] = at(("adminNotifications", "roles", index))
    if settings.threat_insight:
        out[model.key_threat_insight()] = at(settings.threat_insight.path)
    return out
