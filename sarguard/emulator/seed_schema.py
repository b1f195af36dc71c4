"""JSON Schema (draft 2020-12) of a seed file: the org snapshot the emulator starts from.

Why a schema: a typo in a seed (``isdefault``, ``recipients: ALL``) should stop the emulator with
the file, the key path and what was expected, not produce an org that silently differs from what
the author meant. Rules a schema cannot say (one default brand, unique languages, ...) are
checked in :mod:`sarguard.emulator.seeds`. ``docs/reference/emulator.md`` documents every key.
"""

from __future__ import annotations

from typing import Any

from sarguard.emulator.state import (
    NOTIFICATION_FIELDS,
    NOTIFICATION_TYPES,
    RECIPIENTS,
    TEMPLATE_NAMES,
    USER_STATUSES,
)

_STR = {"type": "string", "minLength": 1}
_TIME = {"type": "string", "minLength": 2, "description": "ISO 8601 or relative like -3d4h"}
_ZONE_ADDRESS = {"type": "object", "additionalProperties": False, "required": ["type", "value"],
                 "properties": {"type": {"enum": ["CIDR", "RANGE"]}, "value": _STR}}

_CUSTOMIZATION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["language", "subject", "body"],
    "properties": {
        "id": _STR,
        "language": _STR,
        "subject": {"type": "string"},
        "body": {"type": "string"},
        "isDefault": {"type": "boolean"},
        "created": _TIME,
        "lastUpdated": _TIME,
    },
}

_TEMPLATE = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "recipients": {"enum": list(RECIPIENTS)},
        "customizations": {"type": "array", "items": _CUSTOMIZATION},
    },
}

_BRAND = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "name"],
    "properties": {
        "id": {"type": "string", "pattern": "^[A-Za-z0-9]{3,40}$"},
        "name": _STR,
        "isDefault": {"type": "boolean"},
        "locale": _STR,
        "removePoweredByOkta": {"type": "boolean"},
        "customPrivacyPolicyUrl": {"type": ["string", "null"]},
        "templates": {
            "type": "object",
            "propertyNames": {"enum": list(TEMPLATE_NAMES)},
            "additionalProperties": _TEMPLATE,
        },
    },
}

_HEADER = {
    "type": "object",
    "additionalProperties": False,
    "required": ["key", "value"],
    "properties": {"key": _STR, "value": {"type": "string"}},
}

_EVENT_HOOK = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "channel", "events"],
    "properties": {
        "id": {"type": "string", "pattern": "^[A-Za-z0-9]{3,40}$"},
        "name": _STR,
        "description": {"type": ["string", "null"]},
        "status": {"enum": ["ACTIVE", "INACTIVE"]},
        "verificationStatus": {"enum": ["VERIFIED", "UNVERIFIED"]},
        "verificationFails": {"type": "boolean"},
        "created": _TIME,
        "lastUpdated": _TIME,
        "createdBy": _STR,
        "channel": {
            "type": "object",
            "additionalProperties": False,
            "required": ["uri"],
            "properties": {
                "uri": {"type": "string", "pattern": "^https?://"},
                "headers": {"type": "array", "items": _HEADER},
                "authScheme": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["type", "key", "value"],
                    "properties": {
                        "type": {"enum": ["HEADER"]},
                        "key": _STR,
                        "value": {"type": "string"},
                    },
                },
            },
        },
        "events": {"type": "array", "minItems": 1, "maxItems": 300, "items": _STR},
    },
}

_LOG_EVENT = {
    "type": "object",
    "required": ["uuid", "published", "eventType"],
    "properties": {
        "uuid": _STR,
        "published": _TIME,
        "eventType": _STR,
        "version": {"type": "string"},
        "severity": {"enum": ["DEBUG", "INFO", "WARN", "ERROR"]},
        "displayMessage": {"type": "string"},
        "actor": {"type": "object"},
        "client": {"type": "object"},
        "authenticationContext": {"type": "object"},
        "outcome": {
            "type": "object",
            "properties": {
                "result": {
                    "enum": [
                        "SUCCESS", "FAILURE", "SKIPPED", "ALLOW", "DENY", "CHALLENGE",
                        "UNKNOWN", "RATE_LIMIT", "DEFERRED", "SCHEDULED", "ABANDONED",
                        "UNANSWERED",
                    ]
                },
                "reason": {"type": "string"},
            },
        },
        "target": {"type": "array", "items": {"type": "object"}},
        "debugContext": {
            "type": "object",
            "properties": {"debugData": {"type": "object"}},
        },
        "transaction": {"type": "object"},
        "securityContext": {"type": "object"},
        "request": {"type": "object"},
    },
}

_OAUTH_CLIENT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["clientId", "publicKey", "scopes"],
    "properties": {
        "clientId": _STR,
        "publicKey": {
            "description": "PEM text of the public key, or a public JWK object",
            "oneOf": [
                {"type": "string", "pattern": "-----BEGIN PUBLIC KEY-----"},
                {"type": "object", "required": ["kty"]},
            ],
        },
        "scopes": {"type": "array", "items": {"type": "string", "pattern": r"^[a-zA-Z.]+$"}},
        "dpop": {"type": "boolean"},
    },
}

SEED_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "sarguard emulator seed",
    "type": "object",
    "additionalProperties": False,
    "required": ["org", "users"],
    "properties": {
        "org": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name"],
            "properties": {"name": {"type": "string", "pattern": "^[a-z0-9-]{1,63}$"}},
        },
        "users": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "login", "firstName", "lastName"],
                "properties": {
                    "id": {"type": "string", "pattern": "^00u[A-Za-z0-9]{10,30}$"},
                    "login": _STR,
                    "email": _STR,
                    "firstName": _STR,
                    "lastName": _STR,
                    "created": _TIME,
                    "status": {"enum": list(USER_STATUSES)},
                    "lastLogin": _TIME,
                    "passwordChanged": _TIME,
                },
            },
        },
        "tokens": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["token", "user"],
                "properties": {"token": {"type": "string", "minLength": 8}, "user": _STR},
            },
        },
        "notifications": {
            "type": "object",
            "additionalProperties": False,
            "properties": {name: {"type": "boolean"} for name in NOTIFICATION_FIELDS},
        },
        "brands": {"type": "array", "items": _BRAND},
        "eventHooks": {"type": "array", "items": _EVENT_HOOK},
        "roleSubscriptions": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "propertyNames": {"enum": list(NOTIFICATION_TYPES)},
                "additionalProperties": {"enum": ["subscribed", "unsubscribed"]},
            },
        },
        "customRoles": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "label"],
                "properties": {"id": {"type": "string", "pattern": "^[A-Za-z0-9]{3,40}$"},
                               "label": _STR},
            },
        },
        "threatInsight": {
            "type": "object",
            "additionalProperties": False,
            "required": ["action"],
            "properties": {
                "action": {"enum": ["none", "audit", "block"]},
                "excludeZones": {"type": "array", "items": _STR},
                "created": _TIME,
                "lastUpdated": _TIME,
            },
        },
        "zones": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "name"],
                "properties": {
                    "id": {"type": "string", "pattern": "^nzo[A-Za-z0-9]{5,37}$"},
                    "name": _STR,
                    "usage": {"enum": ["POLICY", "BLOCKLIST"]},
                    "status": {"enum": ["ACTIVE", "INACTIVE"]},
                    "system": {"type": "boolean"},
                    "gateways": {"type": "array", "items": _ZONE_ADDRESS},
                    "proxies": {"type": "array", "items": _ZONE_ADDRESS},
                    "created": _TIME,
                    "lastUpdated": _TIME,
                },
            },
        },
        "systemLog": {"type": "array", "items": _LOG_EVENT},
        "oauthClients": {"type": "array", "items": _OAUTH_CLIENT},
    },
}
