"""Evidence from a ``pulumi stack export`` file (deployment version 3) -> OrgState.

Why: a team can check what is actually in a stack's state (after ``pulumi up``, or from another
machine) without the program or the CLI. Secrets there are ciphertext; they are never decrypted
and only count as "a secret is set".
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sarguard.errors import LocatedError
from sarguard.evidence.pulumi_resources import (
    DeclaredResource,
    group_by_provider,
    state_from_resources,
)
from sarguard.model import OrgState
from sarguard.util.jsonfile import read_json_file

_SKIP_TYPES = ("pulumi:pulumi:Stack",)
_SKIP_PREFIXES = ("pulumi:providers:",)


class StackExportError(LocatedError, ValueError):
    """A stack export that cannot be used; the message names the file and the key path."""


def _name_from_urn(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def _expect(cond: bool, source: str, where: str, expected: str, got: Any) -> None:
    if not cond:
        kind = "null" if got is None else type(got).__name__
        raise StackExportError(f"{source}: {where}: expected {expected}, got {kind}",
                               file=source, key_path=where)


def resources_from_export(data: Any, source: str = "<stack export>") -> list[DeclaredResource]:
    """The stack's managed resources (providers and the stack itself skipped)."""
    _expect(isinstance(data, Mapping), source, "(top level)", "a JSON object", data)
    version = data.get("version")
    if version != 3:
        raise StackExportError(f"{source}: version: expected 3 (a `pulumi stack export` "
                               f"deployment), got {json.dumps(version)}")
    deployment = data.get("deployment")
    _expect(isinstance(deployment, Mapping), source, "deployment", "an object", deployment)
    raw = deployment.get("resources", [])
    _expect(isinstance(raw, list), source, "deployment.resources", "a list", raw)
    out: list[DeclaredResource] = []
    for i, item in enumerate(raw):
        res = resource_from_state(item, source, f"deployment.resources[{i}]")
        if res is not None:
            out.append(res)
    return out


def resource_from_state(item: Any, source: str, where: str) -> DeclaredResource | None:
    """One serialized resource state (``apitype.ResourceV3``, as in a stack export or a preview
    step's ``newState``); None for the stack itself, providers and pending deletions."""
    _expect(isinstance(item, Mapping), source, where, "an object", item)
    for key in ("type", "urn"):
        _expect(isinstance(item.get(key), str) and item.get(key), source, f"{where}.{key}",
                "a non-empty string", item.get(key))
    rtype, urn = item["type"], item["urn"]
    if rtype in _SKIP_TYPES or rtype.startswith(_SKIP_PREFIXES) or item.get("delete"):
        return None
    for key in ("inputs", "outputs", "propertyDependencies"):
        value = item.get(key, {})
        _expect(value is None or isinstance(value, Mapping), source, f"{where}.{key}",
                "an object", value)
    deps = item.get("propertyDependencies") or {}
    for prop, urns in deps.items():
        _expect(isinstance(urns, list) and all(isinstance(u, str) for u in urns), source,
                f"{where}.propertyDependencies.{prop}", "a list of URNs", urns)
    rid = item.get("id")
    return DeclaredResource(
        type=rtype,
        name=_name_from_urn(urn),
        inputs=dict(item.get("inputs") or {}),
        urn=urn,
        id=rid if isinstance(rid, str) and rid else None,
        outputs=dict(item.get("outputs") or {}),
        property_dependencies={k: list(v) for k, v in deps.items()},
        provider=item.get("provider") if isinstance(item.get("provider"), str) else "",
    )


def state_from_stack_export(path: str | Path,
                            brand_keys: Mapping[str, str] | None = None) -> OrgState:
    """Read a ``pulumi stack export`` file; raise :class:`StackExportError` on bad input."""
    source = str(path)
    data = read_json_file(path, StackExportError)
    resources = resources_from_export(data, source)
    if brand_keys is None:
        brand_keys = brand_keys_of(resources)
    state = state_from_resources(resources, "stack-export", brand_keys=brand_keys)
    stack = _stack_name(data)
    if stack:
        state.meta["stack"] = stack
    state.meta["stackExport"] = source
    return state


def states_from_stack_export(path: str | Path) -> list[tuple[str | None, OrgState]]:
    """One state per org the export's program manages (one per Okta provider, see
    :func:`group_by_provider`): ``[(None, state)]`` for one."""
    source = str(path)
    data = read_json_file(path, StackExportError)
    resources = resources_from_export(data, source)
    brand_keys = brand_keys_of(resources)
    stack = _stack_name(data)
    out: list[tuple[str | None, OrgState]] = []
    for subject, members in group_by_provider(resources):
        state = state_from_resources(members, "stack-export", brand_keys=brand_keys)
        if stack:
            state.meta["stack"] = stack
        state.meta["stackExport"] = source
        out.append((subject, state))
    return out


def brand_keys_of(resources: list[DeclaredResource]) -> dict[str, str]:
    """Brand id -> stack key, from a component's ``brandIds`` output ({"default": "bnd..."})."""
    keys: dict[str, str] = {}
    for res in resources:
        ids = res.outputs.get("brandIds")
        if isinstance(ids, Mapping):
            keys.update({v: str(k) for k, v in ids.items() if isinstance(v, str)})
    return keys


def _stack_name(data: Mapping[str, Any]) -> str | None:
    for item in data["deployment"].get("resources") or []:
        if isinstance(item, Mapping) and item.get("type") == "pulumi:pulumi:Stack":
            urn = str(item.get("urn", ""))
            if urn.startswith("urn:pulumi:"):
                return urn[len("urn:pulumi:"):].split("::", 1)[0]
    return None
