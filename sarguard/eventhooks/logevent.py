"""Building Okta System Log ``LogEvent`` objects (the items of ``data.events``).

Why here: the emulator writes these to its System Log and delivers them, and ``sarguard drill``
sends one; both must produce the shape real Okta events have. The fields and their forms follow
real events published by detection projects (e.g. panther-labs/panther-analysis
``rules/okta_rules/okta_user_reported_suspicious_activity.yml``, opencybersecurityalliance/
stix-shifter ``stix_shifter_modules/okta/README.md``): ``actor``/``target`` entries with ``id``,
``type``, ``alternateId``, ``displayName``; ``client`` with ``userAgent``, ``device``,
``ipAddress`` and ``geographicalContext``; ``transaction {type: WEB, id}``; ``version: "0"``.
Fields real events carry as ``null`` are left out: Okta's OpenAPI spec types them as
non-nullable strings, and a receiver must cope with absence anyway.
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


def _present(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


@dataclass(frozen=True)
class Principal:
    """An ``actor`` or ``target`` entry: a user, an app, a hook, Okta itself."""

    id: str
    type: str = "User"
    alternate_id: str | None = None
    display_name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _present({"id": self.id, "type": self.type, "alternateId": self.alternate_id,
                         "displayName": self.display_name})


@dataclass(frozen=True)
class ClientContext:
    """Where a request came from: the ``client`` block (and ``request.ipChain``)."""

    ip: str
    city: str | None = None
    state: str | None = None
    country: str | None = None
    postal_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    browser: str = "UNKNOWN"
    os: str = "Unknown"
    raw_user_agent: str = "UNKNOWN"
    device: str = "Computer"

    def geographical_context(self) -> dict[str, Any]:
        geo = _present({"city": self.city, "state": self.state, "country": self.country,
                        "postalCode": self.postal_code})
        if self.latitude is not None and self.longitude is not None:
            geo["geolocation"] = {"lat": self.latitude, "lon": self.longitude}
        return geo

    def to_dict(self) -> dict[str, Any]:
        return {
            "userAgent": {"rawUserAgent": self.raw_user_agent, "os": self.os,
                          "browser": self.browser},
            "zone": "null",
            "device": self.device,
            "ipAddress": self.ip,
            "geographicalContext": self.geographical_context(),
        }


def new_uuid() -> str:
    """A fresh random (version-4) event uuid, as Okta's are: never from a seeded generator, so
    two runs of one seed never share one (a responder deduplicates on it)."""
    return str(uuidlib.uuid4())


def build_log_event(*, uuid: str, published: str, event_type: str, display_message: str,
                    actor: Principal, client: ClientContext, transaction_id: str,
                    session_id: str | None = None, severity: str = "INFO",
                    targets: Sequence[Principal] = (), outcome: str = "SUCCESS",
                    reason: str | None = None, debug_data: dict[str, Any] | None = None,
                    legacy_event_type: str | None = None) -> dict[str, Any]:
    """One LogEvent with the fields real Okta events carry (absent ones as Okta's nulls)."""
    event: dict[str, Any] = {
        "uuid": uuid,
        "published": published,
        "eventType": event_type,
        "version": "0",
        "severity": severity,
        "displayMessage": display_message,
        "actor": actor.to_dict(),
        "client": client.to_dict(),
        "authenticationContext": _present({"authenticationStep": 0,
                                           "externalSessionId": session_id}),
        "outcome": _present({"result": outcome, "reason": reason}),
        "target": [t.to_dict() for t in targets],
        "transaction": {"type": "WEB", "id": transaction_id, "detail": {}},
        "debugContext": {"debugData": {"requestId": transaction_id, **(debug_data or {})}},
        "request": {"ipChain": [{"ip": client.ip,
                                 "geographicalContext": client.geographical_context(),
                                 "version": "V6" if ":" in client.ip else "V4"}]},
    }
    if legacy_event_type:
        event["legacyEventType"] = legacy_event_type
    return event
