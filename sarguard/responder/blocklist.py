"""``campaign.blockIp``: a campaign's reported addresses go into a named Okta IP block-list zone.

Why, and the rules: Okta's guidance for a "This wasn't me" detection is to block the IP with a
network zone. Only public addresses are blocked — never a private, reserved, loopback or
documentation range (``ipaddress``'s ``is_global``), never an address inside one of the org's own
gateway zones (its offices, its VPN) — each as a /32 or /128. At ``maxEntries`` blocks in the zone
nothing more is added and the SOC is told. ``PUT /api/v1/zones/{zoneId}`` replaces the whole
zone, so edits are serialized through the store (a lease row per zone, across responders) and the
zone is read again right before each write. Every block is recorded (``ip_blocks``) and
``sarguard responder unblock IP`` takes it out again.
"""

from __future__ import annotations

import asyncio
import ipaddress
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from sarguard.errors import SarguardError
from sarguard.okta.client import OktaClient
from sarguard.responder.store.engine import Store
from sarguard.responder.store.schema import IpBlock, ZoneLock

LEASE = timedelta(seconds=30)
ZONES = "/api/v1/zones"


class BlockZoneError(SarguardError):
    """The configured block-list zone cannot be used (missing, or not an IP block list)."""


def host_cidr(address: str) -> str | None:
    """``address`` as a one-host CIDR (/32, /128), or None when it is not an IP address."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    return f"{ip}/{ip.max_prefixlen}"


def refusal(address: str, own: list[Any]) -> str | None:
    """Why ``address`` is never blocked, or None. ``own``: the org's gateway networks."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return f"{address!r} is not an IP address"
    if not ip.is_global or ip.is_multicast:
        return f"{ip} is a private, reserved or documentation address: never blocked"
    if any(ip.version == net.version and ip in net for net in own):
        return f"{ip} is inside one of the org's own gateway zones: never blocked"
    return None


def _networks(zone: dict[str, Any]) -> list[Any]:
    out = []
    for entry in zone.get("gateways") or []:
        value = entry.get("value") if isinstance(entry, dict) else None
        if not isinstance(value, str):
            continue
        try:
            if "-" in value:
                low, high = (ipaddress.ip_address(v.strip()) for v in value.split("-", 1))
                out += list(ipaddress.summarize_address_range(low, high))
            else:
                out.append(ipaddress.ip_network(value, strict=False))
        except (ValueError, TypeError):
            continue
    return out


async def zones(client: OktaClient) -> list[dict[str, Any]]:
    found = await client.get_json(ZONES)
    return [z for z in found if isinstance(z, dict)] if isinstance(found, list) else []


async def find_block_zone(client: OktaClient, name: str) -> str:
    """The id of the IP block-list zone named ``name`` (resolved once, at start)."""
    for zone in await zones(client):
        if zone.get("name") == name:
            if zone.get("type") != "IP" or zone.get("usage") != "BLOCKLIST":
                raise BlockZoneError(f"campaign.blockIp.zone: {name!r} is not an IP block-list "
                                     f"zone (type {zone.get('type')}, usage {zone.get('usage')})")
            return str(zone["id"])
    raise BlockZoneError(f"campaign.blockIp.zone: the org has no network zone named {name!r}; "
                         "create an IP block-list zone (Security > Networks) or fix the name")


async def own_gateways(client: OktaClient) -> list[Any]:
    """Every address the org's own (policy) IP zones name: never blocked."""
    return [net for z in await zones(client)
            if z.get("type") == "IP" and z.get("usage") != "BLOCKLIST" for net in _networks(z)]


async def add_address(client: OktaClient, zone_id: str, cidr: str) -> bool:
    """Add ``cidr`` to the zone (read again just before the PUT); False if it was there."""
    zone = await client.get_json(f"{ZONES}/{zone_id}")
    gateways = [g for g in zone.get("gateways") or [] if isinstance(g, dict)]
    if any(g.get("value") == cidr for g in gateways):
        return False
    await client.put_json(f"{ZONES}/{zone_id}", _replacement(zone, [
        *gateways, {"type": "CIDR", "value": cidr}]))
    return True


async def remove_address(client: OktaClient, zone_id: str, cidr: str) -> bool:
    zone = await client.get_json(f"{ZONES}/{zone_id}")
    gateways = [g for g in zone.get("gateways") or [] if isinstance(g, dict)]
    kept = [g for g in gateways if g.get("value") != cidr]
    if len(kept) == len(gateways):
        return False
    await client.put_json(f"{ZONES}/{zone_id}", _replacement(zone, kept))
    return True


def _replacement(zone: dict[str, Any], gateways: list[dict[str, Any]]) -> dict[str, Any]:
    """The whole zone as a PUT must carry it (read-only fields dropped)."""
    body = {"type": zone.get("type", "IP"), "name": zone.get("name"), "gateways": gateways}
    if zone.get("proxies"):
        body["proxies"] = zone["proxies"]
    return body


# -- the store: the zone's lease and the record of blocks -----------------------------------


def take_lease(store: Store, zone_id: str, me: int, now: datetime) -> bool:
    """This responder edits the zone for :data:`LEASE` (False: another one is editing it)."""
    with store.write() as session:
        dialect = postgresql if not store.is_sqlite else sqlite
        session.execute(dialect.insert(ZoneLock).values(zone_id=zone_id)
                        .on_conflict_do_nothing(index_elements=["zone_id"]))
        result = session.execute(update(ZoneLock).where(and_(
            ZoneLock.zone_id == zone_id,
            or_(ZoneLock.owner.is_(None), ZoneLock.owner == me, ZoneLock.until < now)))
            .values(owner=me, until=now + LEASE))
        return (result.rowcount or 0) == 1


def release_lease(store: Store, zone_id: str, me: int) -> None:
    with store.write() as session:
        session.execute(update(ZoneLock).where(and_(ZoneLock.zone_id == zone_id,
                                                    ZoneLock.owner == me))
                        .values(owner=None, until=None))


def active_blocks(store: Store, zone_id: str | None = None) -> int:
    with store.read() as session:
        query = select(func.count()).select_from(IpBlock).where(IpBlock.removed_at.is_(None))
        if zone_id is not None:
            query = query.where(IpBlock.zone_id == zone_id)
        return session.scalar(query) or 0


def is_blocked(store: Store, zone_id: str, cidr: str) -> bool:
    with store.read() as session:
        return session.scalar(select(IpBlock.id).where(and_(
            IpBlock.zone_id == zone_id, IpBlock.address == cidr,
            IpBlock.removed_at.is_(None))).limit(1)) is not None


def record_block(store: Store, zone_id: str, cidr: str, campaign_id: int | None,
                 now: datetime) -> None:
    with store.write() as session:
        session.add(IpBlock(zone_id=zone_id, address=cidr, campaign_id=campaign_id,
                            added_at=now))


def blocks_of(store: Store, cidr: str) -> list[str]:
    """The zones in which the responder blocked ``cidr`` (and has not unblocked it)."""
    with store.read() as session:
        return sorted(set(session.scalars(select(IpBlock.zone_id).where(and_(
            IpBlock.address == cidr, IpBlock.removed_at.is_(None))))))


def record_unblock(store: Store, zone_id: str, cidr: str, now: datetime) -> int:
    with store.write() as session:
        result = session.execute(update(IpBlock).where(and_(
            IpBlock.zone_id == zone_id, IpBlock.address == cidr, IpBlock.removed_at.is_(None)))
            .values(removed_at=now))
        return result.rowcount or 0


# -- the blockIp action ---------------------------------------------------------------------


class Blocker:
    """Runs a campaign's ``blockIp`` rows (one address each) against the named zone."""

    def __init__(self, client: OktaClient, store: Store, *, zone_name: str, max_entries: int,
                 me: int, clock: Any, tell: Any) -> None:
        self.client = client
        self.store = store
        self.zone_name = zone_name
        self.zone_id: str | None = None
        self.max_entries = max_entries
        self.me = me
        self.clock = clock
        self.tell = tell  # async (title, body) -> None: the SOC hears when the zone is full
        self._told_full = False
        self._edit = asyncio.Lock()

    async def resolve(self) -> str:
        if self.zone_id is None:
            self.zone_id = await find_block_zone(self.client, self.zone_name)
        return self.zone_id

    async def run(self, claimed: Any) -> Any:
        from anyio import to_thread

        from sarguard.okta.errors import OktaError
        from sarguard.responder.actions import Retry, okta_failure, settle
        from sarguard.responder.store.queue import Outcome

        address = str(claimed.options.get("ip") or "")
        cidr = host_cidr(address)
        try:
            zone_id = await self.resolve()
            why = refusal(address, await own_gateways(self.client))
        except BlockZoneError as exc:
            return Outcome("failed", error=str(exc))
        except OktaError as exc:
            return settle(claimed, Retry(okta_failure(exc), self.clock() + timedelta(seconds=30)))
        if why is not None or cidr is None:
            return Outcome("skipped", result=f"not blocked: {why}")
        async with self._edit:  # this process's workers one at a time; the lease: processes
            if not await to_thread.run_sync(take_lease, self.store, zone_id, self.me,
                                            self.clock()):
                return Outcome("retry", error="another responder is editing the zone",
                               due=self.clock() + timedelta(seconds=2))
            try:
                if await to_thread.run_sync(is_blocked, self.store, zone_id, cidr):
                    return Outcome("done", result=f"{cidr} is already blocked in {self.zone_name}")
                if await to_thread.run_sync(active_blocks, self.store, zone_id) >= \
                        self.max_entries:
                    return await self._full(cidr)
                added = await add_address(self.client, zone_id, cidr)
                await to_thread.run_sync(record_block, self.store, zone_id, cidr,
                                         claimed.options.get("campaignId"), self.clock())
            except OktaError as exc:
                return settle(claimed, Retry(okta_failure(exc),
                                             self.clock() + timedelta(seconds=30)))
            finally:
                await to_thread.run_sync(release_lease, self.store, zone_id, self.me)
        return Outcome("done", result=f"blocked {cidr} in {self.zone_name}" if added else
                       f"{cidr} was already in {self.zone_name}; recorded")

    async def _full(self, cidr: str) -> Any:
        from sarguard.responder.store.queue import Outcome

        if not self._told_full:
            self._told_full = True
            await self.tell(f"ACTION NEEDED: campaign.blockIp reached maxEntries "
                            f"({self.max_entries}) in {self.zone_name}: {cidr} and later "
                            "addresses are NOT blocked",
                            "Review the zone, unblock what is no longer needed (sarguard "
                            "responder unblock IP) or raise campaign.blockIp.maxEntries.")
        return Outcome("skipped", result=f"not blocked: {self.zone_name} already holds "
                                         f"maxEntries ({self.max_entries}) blocks")
