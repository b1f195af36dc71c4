"""``import-NAME.json``: the file ``pulumi import --file`` reads to adopt the live objects.

The format is the Pulumi CLI's ``importFile`` (pulumi/pulumi
``pkg/cmd/pulumi/operations/import.go``): ``resources[]`` of ``{type, name, id, parent,
component, logicalName}`` plus an optional ``nameTable``. ``name`` is the entry's name inside the
file (what ``parent`` refers to); ``logicalName`` the resource's Pulumi name. A ``component: true``
entry takes no id and makes an empty component to parent the others in the same file (Pulumi
3.94, pulumi/pulumi#14467); ``logicalName`` is read from 3.98 (#14745) and equals ``name`` here
except when a resource's name clashes with the component's, so older CLIs import the same names.

Names, types and parents are the program's own (:mod:`sarguard.pulumi.program`), ids the
provider's import formats (okta/terraform-provider-okta importers, repeated in pulumi-okta's
docs). ``EventHookVerification`` has no importer (``Importer: nil``): the next ``pulumi up``
creates it, which asks Okta to verify the hook once more.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sarguard.adopt.names import DEFAULT_COMPONENT_NAME
from sarguard.adopt.plan import AdoptionPlan
from sarguard.model import REPORT_NOTIFICATION
from sarguard.pulumi.program import (
    COMPONENT_TYPE,
    child_resource_name,
    customization_resource_name,
    role_subscription_resource_name,
    template_settings_resource_name,
)

T_NOTIFICATIONS = "okta:index/securityNotificationEmails:SecurityNotificationEmails"
T_TEMPLATE_SETTINGS = "okta:index/emailTemplateSettings:EmailTemplateSettings"
T_CUSTOMIZATION = "okta:index/emailCustomization:EmailCustomization"
T_EVENT_HOOK = "okta:index/eventHook:EventHook"
T_ROLE_SUBSCRIPTION = "okta:index/roleSubscription:RoleSubscription"
T_THREAT_INSIGHT = "okta:index/threatInsightSettings:ThreatInsightSettings"
# The singletons' importers take any id; the provider's docs use "_".
SINGLETON_ID = "_"
MIN_PULUMI = "3.94"


@dataclass(frozen=True)
class ImportEntry:
    type: str
    logical_name: str
    id: str


def import_entries(plan: AdoptionPlan) -> list[ImportEntry]:
    """Every resource the program declares for this plan that exists live, with its import id."""
    out: list[ImportEntry] = []
    if plan.notifications is not None:
        out.append(ImportEntry(T_NOTIFICATIONS, "security-notification-emails", SINGLETON_ID))
    for brand in plan.brands:
        for template in brand.templates:
            # <brand_id>/<template_name> (resource_okta_email_template_settings.go ImportState)
            out.append(ImportEntry(T_TEMPLATE_SETTINGS,
                                   template_settings_resource_name(brand.key, template.name),
                                   f"{brand.id}/{template.name}"))
        for template in brand.templates:
            for custom in template.customizations:
                if custom.id is None:
                    continue
                # <id>/<brand_id>/<template_name> (CreateNestedResourceImporter)
                out.append(ImportEntry(T_CUSTOMIZATION,
                                       customization_resource_name(brand.key, template.name,
                                                                   custom.language),
                                       f"{custom.id}/{brand.id}/{template.name}"))
    if plan.hook is not None and plan.hook.id is not None:
        out.append(ImportEntry(T_EVENT_HOOK, plan.hook.name, plan.hook.id))  # passthrough: <hook_id>
    for role in plan.roles:
        if role in plan.live_roles:
            out.append(ImportEntry(T_ROLE_SUBSCRIPTION, role_subscription_resource_name(role),
                                   f"{role}/{REPORT_NOTIFICATION}"))
    out.append(ImportEntry(T_THREAT_INSIGHT, "threat-insight", SINGLETON_ID))
    return out


def import_document(plan: AdoptionPlan, component_name: str = DEFAULT_COMPONENT_NAME, *,
                    raw: bool = False) -> dict[str, Any]:
    """The import file as a JSON-ready mapping: the children parented to the component named
    ``component_name`` (the one the program declares), or with ``raw`` plain pulumi-okta
    resources with no component, for ``pulumi import --generate-code`` to write the code."""
    entries = import_entries(plan)
    if raw:
        return {"resources": [{"type": e.type, "name": e.logical_name, "id": e.id}
                              for e in entries]}
    taken = {e.logical_name for e in entries}
    parent = component_name if component_name not in taken else f"{component_name}-component"
    resources: list[dict[str, Any]] = [
        {"type": COMPONENT_TYPE, "name": parent, "logicalName": component_name, "component": True}]
    # Two entries may share a name (their types differ) unless one is a parent: only the
    # component's must be unique (parseImportFile: "has an ambiguous parent").
    # The component names its children "<component>-<name>" (program.child_resource_name): the
    # file's short name is the child's own, its logicalName the one the program declares.
    resources += [{"type": e.type, "name": e.logical_name,
                   "logicalName": child_resource_name(component_name, e.logical_name),
                   "id": e.id, "parent": parent} for e in entries]
    return {"resources": resources}


def needs_logical_names(document: dict[str, Any]) -> bool:
    """True when an entry's file name differs from its Pulumi name (then Pulumi 3.98+ reads
    ``logicalName``; older CLIs would use the file name)."""
    return any(r.get("logicalName", r["name"]) != r["name"] for r in document["resources"])


def import_text(plan: AdoptionPlan, component_name: str = DEFAULT_COMPONENT_NAME, *,
                raw: bool = False) -> str:
    return json.dumps(import_document(plan, component_name, raw=raw), indent=4,
                      ensure_ascii=False) + "\n"
