"""Network zones (``/api/v1/zones``): list, read and replace IP zones, as Okta's spec shapes them.

Why the emulator has them: the responder's ``campaign.blockIp`` adds a campaign's addresses to an
IP block-list zone (``usage: BLOCKLIST``) with ``GET`` then ``PUT`` (a ``PUT`` replaces the whole
zone, so the responder re-reads before each write). Scopes and the System Log's ``zone.update``
event follow Okta's management API spec (``/api/v1/zones``: ``okta.networkZones.read`` /
``okta.networkZones.manage``; the IP zone's ``gateways`` hold up to 150 entries for an admin zone
and 1000 for a block list).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from sarguard.emulator.api.context import ApiContext, href
from sarguard.emulator.api.users import actor_of
from sarguard.emulator.errors import ApiError, not_found, validation_failed
from sarguard.emulator.routing import Request, Response, Router
from sarguard.eventhooks.logevent import ClientContext, Principal, build_log_event

MAX_GATEWAYS = {"POLICY": 150, "BLOCKLIST": 1000}
ADDRESS_TYPES = ("CIDR", "RANGE")


def render(zone: dict[str, Any], base: str) -> dict[str, Any]:
    url = f"{base}/api/v1/zones/{zone['id']}"
    life = "deactivate" if zone["status"] == "ACTIVE" else "activate"
    return {
        "type": "IP", "id": zone["id"], "name": zone["name"], "status": zone["status"],
        "usage": zone["usage"], "system": zone["system"], "created": zone["created"],
        "lastUpdated": zone["lastUpdated"],
        "gateways": [dict(g) for g in zone["gateways"]],
        "proxies": [dict(p) for p in zone["proxies"]] or None,
        "_links": {"self": href(url, "GET", "PUT", "DELETE"),
                   life: href(f"{url}/lifecycle/{life}", "POST")},
    }


def _addresses(body: dict[str, Any], key: str, limit: int) -> list[dict[str, str]]:
    raw = body.get(key) or []
    if not isinstance(raw, list):
        raise validation_failed(key, f"{key}: expected a list of addresses")
    if len(raw) > limit:
        raise validation_failed(key, f"{key}: at most {limit} entries")
    out = []
    for item in raw:
        if not isinstance(item, dict) or item.get("type") not in ADDRESS_TYPES or \
                not isinstance(item.get("value"), str):
            raise validation_failed(key, f"{key}: each entry is {{type: CIDR|RANGE, value}}")
        value = item["value"]
        try:
            if item["type"] == "CIDR":
                ipaddress.ip_network(value, strict=False)
            else:
                for end in value.split("-", 1):
                    ipaddress.ip_address(end.strip())
        except ValueError:
            raise validation_failed(key, f"{key}: {value!r} is not a valid address") from None
        out.append({"type": item["type"], "value": value})
    return out


def register(router: Router, ctx: ApiContext) -> None:
    store = ctx.store

    def zone_or_404(zone_id: str) -> dict[str, Any]:
        zone = store.zones.get(zone_id)
        if zone is None:
            raise not_found(f"Network zone {zone_id}")
        return zone

    def list_zones(req: Request) -> Response:
        return Response(200, [render(z, req.base_url) for z in store.zones.values()])

    def get_zone(req: Request) -> Response:
        return Response(200, render(zone_or_404(req.path_params["zoneId"]), req.base_url))

    def replace_zone(req: Request) -> Response:
        zone = zone_or_404(req.path_params["zoneId"])
        body = req.json_object()
        if body.get("type") != "IP":
            raise validation_failed("type", "type: the replaced zone's type must stay IP")
        name = body.get("name")
        if not isinstance(name, str) or not name or len(name) > 128:
            raise validation_failed("name", "name: required, at most 128 characters")
        gateways = _addresses(body, "gateways", MAX_GATEWAYS.get(zone["usage"], 150))
        proxies = _addresses(body, "proxies", 150)
        if zone["usage"] == "BLOCKLIST" and proxies:
            raise validation_failed("proxies", "proxies: a block list has gateways only")
        zone.update(name=name, gateways=gateways, proxies=proxies, lastUpdated=ctx.now())
        ctx.emit(build_log_event(
            uuid=store.ids.uuid(), published=ctx.now(), event_type="zone.update",
            display_message="Update network zone", actor=actor_of(req, store),
            client=ClientContext(ip=req.client_ip,
                                 raw_user_agent=(req.header("user-agent") or "UNKNOWN")[:512]),
            transaction_id=store.ids.new("Zem"),
            targets=[Principal(id=zone["id"], type="NetworkZone", alternate_id=name,
                               display_name=name)],
            debug_data={"requestUri": req.path}))
        return Response(200, render(zone, req.base_url))

    router.add("GET", "/api/v1/zones", list_zones, scope="okta.networkZones.read")
    router.add("GET", "/api/v1/zones/{zoneId}", get_zone, scope="okta.networkZones.read")
    router.add("PUT", "/api/v1/zones/{zoneId}", replace_zone, scope="okta.networkZones.manage")


__all__ = ["ApiError", "register", "render"]
