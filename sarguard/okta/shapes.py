"""The shape every Okta answer must have before it becomes ``OrgState``.

The edge of the client: ``sarguard.evidence.live`` checks each answer right after reading it,
and the System Log reader checks each event as it streams.

Why: an answer of the wrong shape (``headers: 5``, ``events.items: 7``, ``excludeZones: true``,
a list where an object belongs, a null) must neither crash the reader nor be read as "nothing
there" — both would turn a broken or hostile server into a pass. Each response family has a
small JSON Schema of the fields the reader uses, with the types of Okta's Management API spec
(``okta-management-openapi.yaml``; ``tests/okta/test_shapes.py`` checks them against it).
An answer that does not match makes that family ``unread`` with
"unexpected response from Okta at <path>: <field> should be <type>".

Only fields the reader reads are checked, so new fields Okta adds never break a run.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from sarguard.okta.errors import OktaError
from sarguard.util.keypath import format_key_path


class ResponseShapeError(OktaError):
    """Okta answered, but not with the shape its API defines for that resource."""


def _t(*types: str) -> dict[str, Any]:
    return {"type": types[0] if len(types) == 1 else list(types)}


def _obj(properties: dict[str, Any], *required: str, nullable: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": ["object", "null"] if nullable else "object",
                              "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def _arr(items: dict[str, Any], *, nullable: bool = False) -> dict[str, Any]:
    return {"type": ["array", "null"] if nullable else "array", "items": items}


STRING, BOOLEAN, INTEGER = _t("string"), _t("boolean"), _t("integer")

BRAND = _obj({"id": STRING, "name": STRING, "isDefault": BOOLEAN}, "id", "isDefault")
TEMPLATE = _obj({
    "name": STRING,
    "_embedded": _obj({"settings": _obj({"recipients": STRING}), "customizationCount": INTEGER}),
}, "name")
CUSTOMIZATION = _obj({"id": STRING, "language": STRING, "subject": STRING, "body": STRING,
                      "isDefault": BOOLEAN}, "id", "language", "subject", "body")
EVENT_HOOK = _obj({
    "id": STRING,
    "name": STRING,
    "status": STRING,
    "verificationStatus": STRING,
    "channel": _obj({
        "type": STRING,
        "version": STRING,
        "config": _obj({
            "uri": STRING,
            # A hook without custom headers or without auth may carry null here.
            "headers": _arr(_obj({"key": STRING, "value": STRING}, nullable=True),
                            nullable=True),
            "authScheme": _obj({"type": STRING, "key": STRING}, nullable=True),
        }, "uri"),
    }, "type", "config"),
    "events": _obj({"type": STRING, "items": _arr(STRING)}, "items"),
}, "id", "name", "channel", "events")
ROLE_SUBSCRIPTION = _obj({"notificationType": STRING, "status": STRING,
                          "channels": _arr(STRING)}, "status")
THREAT_INSIGHT = _obj({"action": STRING, "excludeZones": _arr(STRING)}, "action")
NOTIFICATION_SETTINGS = _obj({})  # the five booleans are checked by name, with their own message
LOG_EVENT = _obj({
    "uuid": STRING, "eventType": STRING, "published": STRING,
    "actor": _obj({}, nullable=True), "client": _obj({}, nullable=True),
    "outcome": _obj({}, nullable=True), "debugContext": _obj({}, nullable=True),
    "target": _arr(_obj({}), nullable=True),
})  # the spec requires none of them; their types when present

# family -> (schema, the Management API path whose GET 200 answer it describes)
FAMILIES: dict[str, tuple[dict[str, Any], str]] = {
    "brands": (_arr(BRAND), "/api/v1/brands"),
    "templates": (_arr(TEMPLATE), "/api/v1/brands/{brandId}/templates/email"),
    "customizations": (_arr(CUSTOMIZATION),
                       "/api/v1/brands/{brandId}/templates/email/{templateName}/customizations"),
    "eventHooks": (_arr(EVENT_HOOK), "/api/v1/eventHooks"),
    "roleSubscription": (ROLE_SUBSCRIPTION,
                         "/api/v1/roles/{roleRef}/subscriptions/{notificationType}"),
    "threatInsight": (THREAT_INSIGHT, "/api/v1/threats/configuration"),
    "notifications": (NOTIFICATION_SETTINGS, ""),  # internal endpoint: not in the spec
    "logs": (_arr(LOG_EVENT), "/api/v1/logs"),
    "logEvent": (LOG_EVENT, ""),  # one event of a logs page, checked as it streams
}

_NAMES = {"object": "an object", "array": "an array", "string": "a string",
          "boolean": "a boolean", "integer": "an integer", "number": "a number", "null": "null"}


@cache
def _validator(family: str) -> Draft202012Validator:
    return Draft202012Validator(FAMILIES[family][0])


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    return _NAMES.get({dict: "object", list: "array", str: "string"}.get(type(value), ""),
                      type(value).__name__)


def _expected(types: Any) -> str:
    names = [_NAMES.get(t, t) for t in ([types] if isinstance(types, str) else types)]
    return " or ".join(names)


def _describe(error: ValidationError, at: tuple[str | int, ...]) -> tuple[str, str]:
    """(field, "should be …") for the first mismatch."""
    path = [*at, *error.absolute_path]
    if error.validator == "required":
        missing = next((k for k in error.validator_value if k not in error.instance), "?")
        schema = error.schema.get("properties", {}).get(missing, {})
        field = format_key_path([*path, missing])
        return field, f"should be {_expected(schema.get('type', 'present'))} (it is missing)"
    field = format_key_path(path) if path else "the response"
    if error.validator == "type":
        return field, f"should be {_expected(error.validator_value)} (got {_json_type(error.instance)})"
    return field, f"should match Okta's API ({error.validator})"


def check_shape(family: str, data: Any, path: str, at: tuple[str | int, ...] = ()) -> None:
    """Raise :class:`ResponseShapeError` when ``data`` (from ``GET path``) has the wrong shape.

    ``at`` is where ``data`` sits in the answer (a log event's index), for the message.
    """
    error = next(iter(_validator(family).iter_errors(data)), None)
    if error is None:
        return
    field, problem = _describe(error, at)
    raise ResponseShapeError(f"unexpected response from Okta at {path}: {field} {problem}")
