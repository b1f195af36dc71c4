"""Evidence from a ``pulumi preview --json --show-sames`` document -> OrgState.

Why: a Pulumi program in TypeScript, Go, C# or YAML cannot run under sarguard's Python mock
engine, but every language's CLI writes the same JSON digest of a preview. Each step's
``newState`` is the resource as the program declares it, in the same serialized form as a stack
export's resources, so the stack-export reader and the Pulumi-resource adapter do the rest.

Two facts of that digest (pulumi/pulumi ``pkg/backend/display/json.go``, ``ShowPreviewDigest``)
shape this module:

- unchanged (``same``) steps are left out unless ``--show-sames`` is given, so the digest of an
  existing stack without it is missing most of the stack: that is refused, naming the flag, rather
  than judged as if the missing resources did not exist;
- every secret is written as the string ``"[secret]"`` and every computed value as the engine's
  unknown sentinel; neither can be judged, so both become UNKNOWN (``not_evaluated``), as in the
  policy pack during a preview. One exception: where the question *is* secretness (an event hook's
  auth block or value, a header's value), ``"[secret]"`` says "a Pulumi secret is set" exactly as a
  stack export's ciphertext does, and is read the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sarguard.errors import LocatedError
from sarguard.evidence.pulumi_resources import (
    SECRET_SIG,
    SECRET_SIG_KEY,
    T_COMPONENT,
    T_EVENT_HOOK,
    DeclaredResource,
    state_from_resources,
)
from sarguard.evidence.stack_export import StackExportError, brand_keys_of, resource_from_state
from sarguard.model import UNKNOWN, OrgState
from sarguard.util.jsonfile import read_json_file

# What the digest writes in place of a secret (``massagePropertyValue`` with showSecrets false).
SECRET_MARKER = "[secret]"
# A preview of a large org is a few MB; anything far bigger is not a preview digest.
MAX_BYTES = 64 * 1024 * 1024
# Okta resources' inputs nest a few levels; deeper input is hostile, not an Okta resource.
MAX_DEPTH = 64
ROOT_STACK_TYPE = "pulumi:pulumi:Stack"
# Steps whose resource does not exist after the update (or is not this program's to judge).
_GONE_OPS = frozenset({"delete", "delete-replaced", "discard", "discard-replaced",
                       "remove-pending-replace", "refresh"})
SHOW_SAMES_HINT = ("run `pulumi preview --json --show-sames` so unchanged resources are included; "
                   "without it sarguard would judge only what changes")


class PreviewError(LocatedError, ValueError):
    """A preview document that cannot be used; the message names the file and the key path."""


def _fail(source: str, where: str, expected: str, got: Any) -> PreviewError:
    kind = "null" if got is None else type(got).__name__
    return PreviewError(f"{source}: {where}: expected {expected}, got {kind}",
                        file=source, key_path=where)


def _blind(value: Any, source: str, where: str, depth: int = 0) -> Any:
    """``"[secret]"`` -> UNKNOWN, recursively; deeper than :data:`MAX_DEPTH` is refused."""
    if depth > MAX_DEPTH:
        raise PreviewError(f"{source}: {where}: nested deeper than {MAX_DEPTH} levels; "
                           "not a Pulumi resource's inputs", file=source, key_path=where)
    if value == SECRET_MARKER:
        return UNKNOWN
    if isinstance(value, Mapping):
        return {k: _blind(v, source, where, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_blind(v, source, where, depth + 1) for v in value]
    return value


def _hook_secrets(inputs: dict[str, Any]) -> dict[str, Any]:
    """An event hook's ``"[secret]"`` auth block, auth value and header values -> the ciphertext
    form the adapter reads as "secret, set" (SAR-06 judges secretness, not the value)."""
    cipher = {SECRET_SIG_KEY: SECRET_SIG}
    out = dict(inputs)
    auth = out.get("auth")
    if auth == SECRET_MARKER:
        out["auth"] = cipher
    elif isinstance(auth, Mapping) and auth.get("value") == SECRET_MARKER:
        out["auth"] = {**auth, "value": cipher}
    headers = out.get("headers")
    if isinstance(headers, list):
        out["headers"] = [{**h, "value": cipher} if isinstance(h, Mapping)
                          and h.get("value") == SECRET_MARKER else h for h in headers]
    return out


def _steps(data: Any, source: str) -> list[Any]:
    if not isinstance(data, Mapping):
        raise _fail(source, "(top level)", "a JSON object (the digest of `pulumi preview --json`)",
                    data)
    if "version" in data and "deployment" in data:
        raise PreviewError(f"{source}: this is a `pulumi stack export` file; give it to --state",
                           file=source)
    steps = data.get("steps", [])
    if not isinstance(steps, list):
        raise _fail(source, "steps", "a list", steps)
    return steps


def _check_sames(data: Mapping[str, Any], steps: list[Mapping[str, Any]], source: str) -> None:
    """Refuse a digest of an existing stack written without ``--show-sames``.

    The summary counts every step the engine reports, shown or not (pulumi/pulumi
    ``pkg/engine/update.go``: the preview actions count and emit the same steps,
    ``shouldReportStep``; only the display's ``shouldShow`` drops ``same`` ones); fewer ``same``
    steps in the document than the summary counts means some were left out. Without a summary, an existing stack shows in its
    root stack step being ``same`` while no resource is.
    """
    shown = sum(1 for s in steps if s.get("op") == "same")
    summary = data.get("changeSummary")
    counted = summary.get("same") if isinstance(summary, Mapping) else None
    if isinstance(counted, int) and not isinstance(counted, bool):
        missing = counted > shown
    else:
        root_same = any(s.get("op") == "same" and _type_of(s) == ROOT_STACK_TYPE for s in steps)
        missing = root_same and not any(s.get("op") == "same" and _type_of(s) != ROOT_STACK_TYPE
                                        for s in steps)
    if missing:
        raise PreviewError(f"{source}: the preview leaves out the stack's unchanged resources "
                           f"(written without --show-sames): {SHOW_SAMES_HINT}", file=source)


def _type_of(step: Mapping[str, Any]) -> str:
    urn = step.get("urn")
    return urn.split("::")[2] if isinstance(urn, str) and urn.count("::") >= 3 else ""


def resources_from_preview(data: Any, source: str = "<preview>") -> list[DeclaredResource]:
    """Each step's new state (what the program declares), secrets and unknowns blinded."""
    steps = _steps(data, source)
    for i, step in enumerate(steps):
        if not isinstance(step, Mapping):
            raise _fail(source, f"steps[{i}]", "an object", step)
        if not isinstance(step.get("op"), str):
            raise _fail(source, f"steps[{i}].op", "a string", step.get("op"))
    _check_sames(data, steps, source)
    by_urn: dict[str, DeclaredResource] = {}
    for i, step in enumerate(steps):
        where = f"steps[{i}].newState"
        new = step.get("newState")
        if step["op"] in _GONE_OPS or new is None:
            continue
        try:
            res = resource_from_state(new, source, where)
        except StackExportError as exc:  # same shape, same message: this file's own error type
            raise PreviewError(str(exc), file=source, key_path=exc.key_path) from None
        if res is None:
            continue
        if res.type == T_EVENT_HOOK:
            res.inputs = _hook_secrets(res.inputs)
        res.inputs = _blind(res.inputs, source, f"{where}.inputs")
        res.outputs = _blind(res.outputs, source, f"{where}.outputs")
        by_urn[res.urn or res.name] = res  # a replacement's create step restates the resource
    return list(by_urn.values())


def state_from_preview(path: str | Path) -> OrgState:
    """Read a ``pulumi preview --json --show-sames`` file; raise :class:`PreviewError` on bad
    input."""
    source = str(path)
    data = read_json_file(path, PreviewError, max_bytes=MAX_BYTES)
    resources = resources_from_preview(data, source)
    state = state_from_resources(resources, "stack-export", brand_keys=brand_keys_of(resources))
    stack, org = _stack_name(data), org_from_config(data.get("config"))
    if stack:
        state.meta["stack"] = stack
    if org:
        state.meta["oktaOrg"] = org  # <orgName>.<baseUrl> (live evidence keeps a URL in "org")
    state.meta["preview"] = source
    # sarguard's component in the program: its children's fixes are settings keys
    state.meta["component"] = any(r.type == T_COMPONENT for r in resources)
    return state


def _stack_name(data: Mapping[str, Any]) -> str | None:
    for step in data.get("steps") or []:
        urn = step.get("urn") if isinstance(step, Mapping) else None
        if isinstance(urn, str) and urn.startswith("urn:pulumi:") and _type_of(step) == ROOT_STACK_TYPE:
            return urn[len("urn:pulumi:"):].split("::", 1)[0]
    return None


def org_from_config(config: Any) -> str | None:
    """``<orgName>.<baseUrl>`` from the digest's config (secrets there are blinded, so a secret
    org name gives None)."""
    if not isinstance(config, Mapping):
        return None
    org, base = config.get("okta:orgName"), config.get("okta:baseUrl") or "okta.com"
    if isinstance(org, str) and org and org != SECRET_MARKER and isinstance(base, str) \
            and base != SECRET_MARKER:
        return f"{org}.{base}"
    return None
