"""The Pulumi names an import file gives the component's children, in one place.

Why one function: the import file must name each child exactly as the program will, or
``pulumi import`` adopts resources the next ``pulumi up`` deletes and recreates. The component
named ``suspicious-activity-reporting`` (what sarguard's own ``__main__.py`` declares) keeps
today's child names; any other instance prefixes them with its own name, so two instances (one
per org) never collide. This must stay the rule the component itself follows
(:class:`sarguard.pulumi.program.SuspiciousActivityReporting`).
"""

from __future__ import annotations

from sarguard.pulumi.entrypoint import COMPONENT_NAME

DEFAULT_COMPONENT_NAME = COMPONENT_NAME


def child_name(component_name: str, today_name: str) -> str:
    """The Pulumi name of the child called ``today_name`` in the default component."""
    if component_name == DEFAULT_COMPONENT_NAME:
        return today_name
    return f"{component_name}-{today_name}"
