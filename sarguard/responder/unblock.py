"""``sarguard responder unblock IP``: take an address the responder blocked out of its zone.

Why a command: every block ``campaign.blockIp`` makes is recorded, so a block on an address that
turns out to be a customer's, a partner's or a shared NAT is reversible in one step, under the
same zone lease the responders use (a PUT replaces the whole zone).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from datetime import UTC, datetime

from sarguard.errors import UsageError
from sarguard.okta.factory import client_from_env
from sarguard.responder import blocklist
from sarguard.responder.config import ResponderConfig
from sarguard.responder.store.engine import open_store
from sarguard.responder.store.migrate import check_readable
from sarguard.responder.store.queue import new_owner_id

LEASE_WAIT_S = 60.0


def unblock(config: ResponderConfig, env: Mapping[str, str], address: str) -> str:
    """Remove ``address`` from every zone the responder put it in; what was done, one line."""
    cidr = blocklist.host_cidr(address)
    if cidr is None:
        raise UsageError(f"unblock: {address!r} is not an IP address")
    store = open_store(config.database_url, pool_size=2, must_exist=True)
    try:
        check_readable(store)
        zones = blocklist.blocks_of(store, cidr)
        if not zones:
            raise UsageError(f"unblock: the responder has no block of {cidr} on record "
                             "(sarguard responder status --format json lists its ipBlocks)")
        me = new_owner_id()
        done = []
        for zone_id in zones:
            deadline = time.monotonic() + LEASE_WAIT_S
            while not blocklist.take_lease(store, zone_id, me, datetime.now(UTC)):
                if time.monotonic() > deadline:
                    raise UsageError(f"unblock: zone {zone_id} stayed locked by a responder for "
                                     f"{LEASE_WAIT_S:.0f} s; try again")
                time.sleep(0.5)
            try:
                removed = asyncio.run(_remove(env, config, zone_id, cidr))
                blocklist.record_unblock(store, zone_id, cidr, datetime.now(UTC))
            finally:
                blocklist.release_lease(store, zone_id, me)
            done.append(f"{zone_id} ({'removed' if removed else 'was no longer there'})")
    finally:
        store.dispose()
    return f"unblocked {cidr}: {', '.join(done)}"


async def _remove(env: Mapping[str, str], config: ResponderConfig, zone_id: str,
                  cidr: str) -> bool:
    async with client_from_env(env, org_url=config.org_url) as client:
        return await blocklist.remove_address(client, zone_id, cidr)
