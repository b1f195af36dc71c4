"""ThreatInsight configuration (``/api/v1/threats/configuration``): action and excluded zones."""

from __future__ import annotations

from typing import Any

from sarguard.emulator.api.context import ApiContext, href
from sarguard.emulator.errors import validation_failed
from sarguard.emulator.routing import Request, Response, Router

ACTIONS = ("none", "audit", "block")


def render(config: dict[str, Any], base: str) -> dict[str, Any]:
    return {
        "action": config["action"],
        "excludeZones": list(config.get("excludeZones", [])),
        "created": config["created"],
        "lastUpdated": config["lastUpdated"],
        "_links": {"self": href(f"{base}/api/v1/threats/configuration", "GET", "POST")},
    }


def register(router: Router, ctx: ApiContext) -> None:
    store = ctx.store

    def get_config(req: Request) -> Response:
        return Response(200, render(store.threat_insight, req.base_url))

    def update(req: Request) -> Response:
        body = req.json_object()
        action = body.get("action")
        if action not in ACTIONS:
            raise validation_failed("action", f"action: expected one of {', '.join(ACTIONS)}")
        zones = body.get("excludeZones", [])
        if not isinstance(zones, list) or not all(isinstance(z, str) for z in zones):
            raise validation_failed("excludeZones", "excludeZones: expected a list of zone ids")
        store.threat_insight.update(action=action, excludeZones=list(zones),
                                    lastUpdated=ctx.now())
        return Response(200, render(store.threat_insight, req.base_url))

    path = "/api/v1/threats/configuration"
    router.add("GET", path, get_config, scope="okta.threatInsights.read")
    router.add("POST", path, update, scope="okta.threatInsights.manage")
