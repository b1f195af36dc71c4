"""``sarguard plan``: what the program declares for a stack, rendered without the Pulumi CLI."""

from __future__ import annotations

import json
from typing import Any

from sarguard.pulumi.declared import DeclaredRun
from sarguard.pulumi.mockengine import redact
from sarguard.util.credentials import is_credential_header, masked_url, masked_value

# Display order: the org-wide switches first, then templates, the hook, subscriptions.
_TYPE_ORDER = [
    "okta:index/securityNotificationEmails:SecurityNotificationEmails",
    "okta:index/emailTemplateSettings:EmailTemplateSettings",
    "okta:index/emailCustomization:EmailCustomization",
    "okta:index/eventHook:EventHook",
    "okta:index/eventHookVerification:EventHookVerification",
    "okta:index/roleSubscription:RoleSubscription",
    "okta:index/threatInsightSettings:ThreatInsightSettings",
]


def _sort_key(resource: Any) -> tuple[int, str]:
    order = _TYPE_ORDER.index(resource.type) if resource.type in _TYPE_ORDER else len(_TYPE_ORDER)
    return order, resource.name


def plan_document(run: DeclaredRun) -> dict[str, Any]:
    """The JSON contract: ``{"stack", "resources": [{"type", "name", "inputs"}]}``."""
    resources = sorted(run.mock.resources, key=_sort_key)
    return {
        "stack": run.stack,
        "resources": [{"type": r.type, "name": r.name, "inputs": _mask_credential_headers(redact(r.inputs))}
                      for r in resources],
    }


def _mask_credential_headers(inputs: Any) -> Any:
    """An event hook's credential-like header values (``X-Api-Key``…) and URL credentials
    (``sig=``…) shown by fingerprint only."""
    channel = inputs.get("channel") if isinstance(inputs, dict) else None
    if isinstance(channel, dict) and isinstance(channel.get("uri"), str):
        inputs = {**inputs, "channel": {**channel, "uri": masked_url(channel["uri"])}}
    headers = inputs.get("headers") if isinstance(inputs, dict) else None
    if not isinstance(headers, list):
        return inputs
    masked = [
        {**h, "value": masked_value(h["value"])}
        if isinstance(h, dict) and is_credential_header(h.get("key")) and isinstance(h.get("value"), str)
        else h
        for h in headers
    ]
    return {**inputs, "headers": masked}


def render_plan_json(run: DeclaredRun) -> str:
    return json.dumps(plan_document(run), indent=2, sort_keys=False) + "\n"


def _render_value(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, dict):
        lines = []
        for key in sorted(value):
            inner = value[key]
            if isinstance(inner, dict | list) and inner:
                lines.append(f"{pad}{key}:")
                lines.extend(_render_value(inner, indent + 2))
            else:
                lines.append(f"{pad}{key}: {_scalar(inner)}")
        return lines
    if isinstance(value, list):
        lines = []
        for item in value:
            if isinstance(item, dict) and item:
                sub = _render_value(item, indent + 2)
                lines.append(f"{pad}- {sub[0].strip()}")
                lines.extend(sub[1:])
            else:
                lines.append(f"{pad}- {_scalar(item)}")
        return lines
    return [f"{pad}{_scalar(value)}"]


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        first = value.splitlines()[0] if value else ""
        more = len(value.splitlines()) - 1
        shown = first if len(first) <= 80 else first[:77] + "..."
        suffix = f"  (+{more} more lines, {len(value)} chars)" if more > 0 else ""
        return json.dumps(shown, ensure_ascii=False) + suffix
    return json.dumps(value)


def render_plan_text(run: DeclaredRun, width: int | None = None) -> str:
    """The declared resources as text; fitted to ``width`` (a terminal's) when given."""
    text = _plan_text(run)
    if width is None:
        return text
    from sarguard.util.texttable import wrap_whole

    fitted: list[str] = []
    for line in text.split("\n"):
        indent = " " * (len(line) - len(line.lstrip(" ")))
        fitted += (wrap_whole(line.strip(), width, indent=indent, hanging=indent + "  ")
                   if len(line) > width else [line])
    return "\n".join(fitted)


def _plan_text(run: DeclaredRun) -> str:
    doc = plan_document(run)
    lines = [
        f"Stack {doc['stack']}: {len(doc['resources'])} resources would be declared "
        f"({run.config.relative_stack_file()}; offline under Pulumi's mock engine, "
        "the default brand's id is a placeholder)",
        "",
    ]
    for resource in doc["resources"]:
        lines.append(f"+ {resource['type']}  {resource['name']}")
        lines.extend(_render_value(resource["inputs"], 4))
        lines.append("")
    return "\n".join(lines)
