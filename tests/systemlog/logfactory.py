"""Builders for System Log ``LogEvent`` dicts shaped like Okta's (only the fields we read)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

T0 = datetime(2026, 3, 2, 8, 0, 0, tzinfo=UTC)
USER = "00ub0oNGTSWTBKOLGLNR"
OTHER_USER = "00uAbCdEfGhIjKlMnOpQ"
ADMIN = "00uADMIN0000000000AD"
SESSION = "102hLRC3jU1SfW4bpN-i_4w8Q"


def at(minutes: float = 0, *, base: datetime = T0) -> datetime:
    return base + timedelta(minutes=minutes)


def event(
    event_type: str,
    when: datetime = T0,
    *,
    actor: dict[str, Any] | None = None,
    targets: list[dict[str, Any]] | None = None,
    result: str = "SUCCESS",
    reason: str | None = None,
    ip: str = "203.0.113.7",
    session: str | None = SESSION,
    debug: dict[str, Any] | None = None,
    uuid: str | None = None,
) -> dict[str, Any]:
    return {
        "uuid": uuid or f"uuid-{event_type}-{when.timestamp()}",
        "published": when.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "eventType": event_type,
        "displayMessage": event_type,
        "actor": actor if actor is not None else user_actor(USER),
        "target": targets,
        "outcome": {"result": result, "reason": reason},
        "client": {
            "ipAddress": ip,
            "geographicalContext": {"city": "Austin", "state": "Texas", "country": "United States"},
        },
        "authenticationContext": {"externalSessionId": session},
        "debugContext": {"debugData": debug or {}},
    }


def user_actor(user_id: str, login: str = "ann@example.com", name: str = "Ann User") -> dict:
    return {"id": user_id, "type": "User", "alternateId": login, "displayName": name}


def user_target(user_id: str, login: str = "ann@example.com", name: str = "Ann User") -> dict:
    return {"id": user_id, "type": "User", "alternateId": login, "displayName": name}


def hook_target(hook_id: str, name: str) -> dict:
    return {"id": hook_id, "type": "EventHook", "displayName": name}
