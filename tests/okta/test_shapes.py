"""Response shapes at the edge: wrong shapes are named precisely; the schemas follow Okta's spec."""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import pytest
import yaml

from sarguard.okta.shapes import FAMILIES, ResponseShapeError, check_shape
from tests.conftest import reference_file

HOOK = {
    "id": "who1", "name": "soc", "status": "ACTIVE", "verificationStatus": "VERIFIED",
    "channel": {"type": "HTTP", "version": "1.0.0",
                "config": {"uri": "https://soc.example/hook", "headers": [{"key": "X-A", "value": "b"}],
                           "authScheme": {"type": "HEADER", "key": "Authorization"}}},
    "events": {"type": "EVENT_TYPE", "items": ["user.account.report_suspicious_activity_by_enduser"]},
}
BRAND = {"id": "bnd1", "name": "Acme", "isDefault": True, "customPrivacyPolicyUrl": None}


def _with(value: Any, path: list[Any], new: Any) -> Any:
    value = copy.deepcopy(value)
    node = value
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = new
    return value


@pytest.mark.parametrize(
    ("family", "data", "message"),
    [
        ("eventHooks", [_with(HOOK, ["channel", "config", "headers"], 5)],
         "[0].channel.config.headers should be an array or null (got an integer)"),
        ("eventHooks", [_with(HOOK, ["events", "items"], 7)],
         "[0].events.items should be an array (got an integer)"),
        ("eventHooks", [_with(HOOK, ["events", "items"], ["ok", 3])],
         "[0].events.items[1] should be a string (got an integer)"),
        ("eventHooks", [_with(HOOK, ["channel"], None)],
         "[0].channel should be an object (got null)"),
        ("eventHooks", [_with(HOOK, ["channel", "config"], [])],
         "[0].channel.config should be an object (got an array)"),
        ("eventHooks", {"items": [HOOK]}, "the response should be an array (got an object)"),
        ("threatInsight", {"action": "audit", "excludeZones": True},
         "excludeZones should be an array (got a boolean)"),
        ("threatInsight", {"excludeZones": []}, "action should be a string (it is missing)"),
        ("threatInsight", [{"action": "audit"}], "the response should be an object (got an array)"),
        ("brands", [_with(BRAND, ["id"], None)], "[0].id should be a string (got null)"),
        ("brands", [_with(BRAND, ["isDefault"], "true")], "[0].isDefault should be a boolean (got a string)"),
        ("brands", [BRAND, [BRAND]], "[1] should be an object (got an array)"),
        ("templates", [{"name": "NewSignOnNotification", "_embedded": {"customizationCount": "2"}}],
         "[0]._embedded.customizationCount should be an integer (got a string)"),
        ("customizations", [{"id": "c1", "language": "en", "subject": "s", "body": None}],
         "[0].body should be a string (got null)"),
        ("roleSubscription", {"status": ["subscribed"]}, "status should be a string (got an array)"),
        ("notifications", None, "the response should be an object (got null)"),
        ("logs", [{"uuid": "u1", "eventType": 12}], "[0].eventType should be a string (got an integer)"),
        ("logs", [{"uuid": "u1", "target": {"id": "x"}}], "[0].target should be an array or null (got an object)"),
    ],
)
def test_wrong_shapes_name_the_path_field_and_type(family: str, data: Any, message: str) -> None:
    with pytest.raises(ResponseShapeError) as info:
        check_shape(family, data, "/api/v1/x")
    assert str(info.value) == f"unexpected response from Okta at /api/v1/x: {message}"


def test_right_shapes_pass_and_unknown_fields_are_ignored() -> None:
    check_shape("eventHooks", [HOOK, _with(HOOK, ["channel", "config", "authScheme"], None)], "/p")
    check_shape("eventHooks", [_with(HOOK, ["channel", "config", "headers"], None)], "/p")
    check_shape("brands", [{**BRAND, "newField": {"x": 1}}], "/p")
    check_shape("threatInsight", {"action": "none"}, "/p")
    check_shape("logs", [], "/p")


# -- the schemas follow the spec ----------------------------------------------------------

# Where recorded reality and the spec disagree we follow reality (DESIGN.md §3). Each entry is a
# (family, field) whose schema here allows null although the spec does not say nullable.
NULL_IN_REALITY = {
    # A hook created without custom headers / without auth answers with null there.
    ("eventHooks", "[].channel.config.headers"),
    ("eventHooks", "[].channel.config.authScheme"),
    # LogEvent parts are absent or null for system-initiated events.
    ("logs", "[].actor"), ("logs", "[].client"), ("logs", "[].outcome"),
    ("logs", "[].debugContext"), ("logs", "[].target"),
    ("logEvent", "actor"), ("logEvent", "client"), ("logEvent", "outcome"),
    ("logEvent", "debugContext"), ("logEvent", "target"),
}
# Fields required here that the spec leaves optional: the reader cannot do without them, and
# every recorded answer carries them (readOnly fields Okta always returns).
REQUIRED_IN_REALITY = {
    ("brands", "[].id"), ("brands", "[].isDefault"),
    ("templates", "[].name"),
    ("customizations", "[].id"),
    ("eventHooks", "[].id"),
    ("roleSubscription", "status"),
}


@cache
def _spec() -> dict[str, Any]:
    return yaml.load(reference_file("okta-management-openapi.yaml").read_text("utf-8"),
                     Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """Follow $ref and merge allOf into one flat schema (properties, required, type, items)."""
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = {**_spec()["components"]["schemas"][name],
                  **{k: v for k, v in schema.items() if k != "$ref"}}
    merged = {k: v for k, v in schema.items() if k != "allOf"}
    merged["properties"] = dict(schema.get("properties") or {})
    merged["required"] = list(schema.get("required") or [])
    for part in schema.get("allOf") or []:
        sub = _resolve(part)
        merged["properties"].update(sub.get("properties") or {})
        merged["required"] += sub.get("required") or []
        merged.setdefault("type", sub.get("type"))
        merged["nullable"] = merged.get("nullable") or sub.get("nullable")
    return merged


def _types(schema: dict[str, Any]) -> set[str]:
    kind = schema.get("type")
    return set([kind] if isinstance(kind, str) else kind or [])


def _compare(family: str, ours: dict[str, Any], theirs: dict[str, Any], where: str,
             problems: list[str]) -> None:
    theirs = _resolve(theirs)
    mine = _types(ours)
    if "null" in mine and not theirs.get("nullable") and (family, where) not in NULL_IN_REALITY:
        problems.append(f"{family} {where}: null allowed here but not in the spec")
    spec_type = _types(theirs)
    if spec_type and mine - {"null"} != spec_type:
        problems.append(f"{family} {where}: {sorted(mine)} here, {sorted(spec_type)} in the spec")
    for name in ours.get("required") or []:
        key = f"{where}.{name}" if where else name
        if name not in theirs["required"] and (family, key) not in REQUIRED_IN_REALITY:
            problems.append(f"{family} {key}: required here, optional in the spec")
    for name, sub in (ours.get("properties") or {}).items():
        key = f"{where}.{name}" if where else name
        if name not in theirs["properties"]:
            problems.append(f"{family} {key}: not in the spec")
            continue
        _compare(family, sub, theirs["properties"][name], key, problems)
    if "items" in ours:
        _compare(family, ours["items"], theirs.get("items") or {}, f"{where}[]", problems)


def _spec_response(path: str) -> dict[str, Any]:
    answer = _spec()["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    return answer["schema"]


@pytest.mark.parametrize("family", sorted(f for f, (_, path) in FAMILIES.items() if path))
def test_each_family_schema_matches_the_okta_spec(family: str) -> None:
    """Every field checked here exists in Okta's Management API spec with the same type (the
    GET answer of ``path``), except the listed reality exceptions."""
    schema, path = FAMILIES[family]
    problems: list[str] = []
    _compare(family, schema, _spec_response(path), "", problems)
    assert problems == []


def test_a_log_event_is_checked_like_an_item_of_a_logs_page() -> None:
    assert FAMILIES["logEvent"][0] == FAMILIES["logs"][0]["items"]
