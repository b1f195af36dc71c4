"""A campaign is one incident, on the emulator (issue 20 item 9): reports from seven users of
one /24 give one campaign message, the members' addresses go into the org's IP block-list zone
(never the org's own gateway address, at most ``maxEntries``, the SOC told when it is full), each
block recorded, and ``sarguard responder unblock`` takes one out again."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmarks.responder.harness import deliver
from sarguard.emulator import Emulator
from sarguard.responder.blocklist import refusal
from tests.responder.conftest import (
    SECRET,
    Org,
    responder_seed,
    sqlite_url,
    wait_until,
    write_config,
)
from tests.responder.test_app import report_event

BLOCKS = "nzo1campaignBlocks01"
OFFICE = "nzo1officeGateway001"
NETWORK = "81.2.69"  # public (not private, reserved or documentation)


def _seed() -> dict:
    seed = responder_seed(extra_users=7)
    seed["zones"] = [
        {"id": BLOCKS, "name": "Campaign blocks", "usage": "BLOCKLIST"},
        {"id": OFFICE, "name": "Office", "usage": "POLICY",
         "gateways": [{"type": "CIDR", "value": f"{NETWORK}.16/32"}]},
    ]
    return seed


@pytest.fixture
def campaign_org(responder_env):
    with Emulator(seed=_seed(), token="emulator-control-token-2") as emu:
        org = Org(emu)
        yield org
        org.close()


def _report(n: int) -> dict:
    event = report_event(f"campaign-{n}", f"00u1bench{n:011d}")
    event["debugContext"]["debugData"]["suspiciousActivityEventIp"] = f"{NETWORK}.{10 + n}"
    return event


def _zone(org: Org) -> list[str]:
    return [g["value"] for g in org.api.get(f"/api/v1/zones/{BLOCKS}").json()["gateways"]]


def test_a_campaign_is_one_message_and_its_addresses_are_blocked(tmp_path: Path, campaign_org,
                                                                 sink, start_responder) -> None:
    org = campaign_org
    config = write_config(tmp_path / "responder.yaml", org_url=org.emu.url,
                          database=sqlite_url(tmp_path), actions="""\
  - clearSessions: {}
  - notify: {urls: ["${SINK_URL}"]}
""", extra="""\
cooldown: "off"
campaign: {minUsers: 5, window: 30m, blockIp: {zone: Campaign blocks, maxEntries: 4}}
""")
    responder = start_responder(config)
    for n in range(7):  # .10 … .16; .16 is the org's own office gateway
        assert deliver(responder.url, [_report(n)], SECRET) == 204
    wait_until(lambda: any(m["title"].startswith("CAMPAIGN: ") for m in sink.messages))
    [campaign] = [m for m in sink.messages if m["title"].startswith("CAMPAIGN: ")]
    # composed when sent: the 5 that formed it, and any member that joined before it went
    assert campaign["title"] in {f"CAMPAIGN: {n} users reported suspicious activity from "
                                 f"{NETWORK}.0/24" for n in (5, 6, 7)}
    assert f"{NETWORK}.10, {NETWORK}.11" in campaign["message"]
    wait_until(lambda: any("reached maxEntries (4)" in m["title"] for m in sink.messages))
    blocked = _zone(org)
    assert len(blocked) == 4 and f"{NETWORK}.16/32" not in blocked
    assert all(b.startswith(NETWORK) and b.endswith("/32") for b in blocked)
    assert len(org.log("zone.update")) == 4
    assert sum(m["title"].startswith("CAMPAIGN: ") for m in sink.messages) == 1
    responder.stop()

    from sarguard.responder.config import load_config
    from sarguard.responder.unblock import unblock

    env = dict(os.environ)
    line = unblock(load_config(config, env, serving=False), env, blocked[0].split("/")[0])
    assert line == f"unblocked {blocked[0]}: {BLOCKS} (removed)"
    assert blocked[0] not in _zone(org) and len(_zone(org)) == 3


@pytest.mark.parametrize(("address", "why"), [
    ("10.1.2.3", "private, reserved or documentation"),
    ("192.0.2.7", "private, reserved or documentation"),
    ("198.51.100.7", "private, reserved or documentation"),
    ("2001:db8::1", "private, reserved or documentation"),
    ("100.64.0.1", "private, reserved or documentation"),
    ("224.0.0.1", "private, reserved or documentation"),
    ("81.2.69.16", "the org's own gateway zones"),
    ("not-an-ip", "is not an IP address"),
])
def test_addresses_that_are_never_blocked(address: str, why: str) -> None:
    import ipaddress

    assert why in (refusal(address, [ipaddress.ip_network("81.2.69.16/32")]) or "")


def test_a_public_address_may_be_blocked() -> None:
    assert refusal("81.2.69.10", []) is None
    assert refusal("2a00:1450:4001::1", []) is None


def test_unblocking_an_address_never_blocked_says_so(tmp_path: Path, responder_env) -> None:
    from sarguard.errors import UsageError
    from sarguard.responder.config import load_config
    from sarguard.responder.store.engine import open_store
    from sarguard.responder.store.migrate import upgrade
    from sarguard.responder.unblock import unblock

    store = open_store(sqlite_url(tmp_path))
    upgrade(store)
    store.dispose()
    config = write_config(tmp_path / "responder.yaml", org_url="https://acme.okta.com",
                          database=sqlite_url(tmp_path))
    env = {**os.environ, "SINK_URL": "json://127.0.0.1:9/x"}
    with pytest.raises(UsageError, match="no block of 81.2.69.9/32 on record"):
        unblock(load_config(config, env, serving=False), env, "81.2.69.9")
    with pytest.raises(UsageError, match="is not an IP address"):
        unblock(load_config(config, env, serving=False), env, "nope")
