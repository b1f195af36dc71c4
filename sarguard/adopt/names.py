"""The component name an import file parents its children to by default.

The children's own names come from the component's one rule
(:func:`sarguard.pulumi.program.child_resource_name`: ``<component>-<name>``), so the import
file names each child exactly as the program will: otherwise ``pulumi import`` adopts resources
the next ``pulumi up`` deletes and recreates.
"""

from __future__ import annotations

from sarguard.pulumi.entrypoint import COMPONENT_NAME

DEFAULT_COMPONENT_NAME = COMPONENT_NAME
