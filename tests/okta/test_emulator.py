"""Integration: the client and the live reader against the Okta emulator on 127.0.0.1.

The emulator shares the fake clock with the client, so rate-limit windows pass without waiting.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from sarguard.evidence.live import SSWS_ONLY_REASON, iter_logs, read_live_state_sync
from sarguard.model import (
    LINK_TEMPLATES,
    REPORT_EVENT,
    SECTION_EVENT_HOOKS,
    SECTION_NOTIFICATIONS,
    SECTION_THREAT_INSIGHT,
    key_template_settings,
)
from sarguard.okta import OAuthAuth, OktaAuthError, OktaClient, SswsAuth, resolve_org
from tests.okta.fakeokta import FakeClock

emulator = pytest.importorskip(
    "sarguard.emulator.app", reason="the Okta emulator (sarguard.emulator) is not available yet"
)
Emulator = emulator.Emulator
READ_SCOPES = ["okta.brands.read", "okta.eventHooks.read", "okta.roles.read",
               "okta.threatInsights.read"]


def ssws_client(emu, clock: FakeClock, **options) -> OktaClient:
    return OktaClient(resolve_org(emu.url, None, {}), SswsAuth(emu.token), clock=clock,
                      sleep=clock.sleep, **options)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC).timestamp())


def test_demo_org_is_read_completely_with_one_call_per_resource(clock) -> None:
    with Emulator(seed="demo", clock=clock) as emu:
        client = ssws_client(emu, clock)
        state = read_live_state_sync(client)
        requests = list(emu.requests)
    assert state.unread == {}
    assert state.notifications is not None and state.threat_insight is not None
    assert state.brands and all(set(b.templates) == set(LINK_TEMPLATES)
                                for b in state.brands.values())
    assert any(REPORT_EVENT in h.events for h in state.event_hooks)
    assert {s.role for s in state.role_subscriptions} == {"SUPER_ADMIN", "ORG_ADMIN"}
    assert all(r.status == 200 for r in requests)
    assert max(Counter((r.path, r.query) for r in requests).values()) == 1  # nothing twice
    customized = sum(1 for b in state.brands.values() for t in b.templates.values()
                     if t.customization_count)
    # me + switches + brands + templates per brand + customized link templates + hooks +
    # two role subscriptions + ThreatInsight
    assert len(requests) == 1 + 1 + 1 + len(state.brands) + customized + 1 + 2 + 1
    assert state.meta["api"]["calls"] == len(requests)


def test_oauth_with_dpop_reads_what_its_scopes_allow(clock) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    with Emulator(seed="demo", clock=clock) as emu:
        emu.add_oauth_client("0oaSARGUARD", key.public_key(), READ_SCOPES, dpop=True)
        endpoint = resolve_org(emu.url, None, {})
        auth = OAuthAuth(client_id="0oaSARGUARD", private_key=pem, key_id="k1",
                         scopes=READ_SCOPES, token_url=endpoint.url + "/oauth2/v1/token",
                         clock=clock)
        client = OktaClient(endpoint, auth, clock=clock, sleep=clock.sleep)
        state = read_live_state_sync(client)
        token_calls = [r for r in emu.requests if r.path == "/oauth2/v1/token"]
    assert auth.uses_dpop and len(token_calls) == 3  # no proof -> nonce -> token
    assert state.unread[SECTION_NOTIFICATIONS] == SSWS_ONLY_REASON
    template_keys = {key_template_settings(b, name) for b in state.brands for name in
                     LINK_TEMPLATES}
    assert set(state.unread) == {SECTION_NOTIFICATIONS} | template_keys
    assert all("okta.templates.read" in state.unread[k] for k in template_keys)
    assert state.event_hooks and state.threat_insight is not None


def test_oauth_client_unknown_to_the_org_is_fatal(clock) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    with Emulator(seed="demo", clock=clock) as emu:
        endpoint = resolve_org(emu.url, None, {})
        auth = OAuthAuth(client_id="0oaUNKNOWN", private_key=pem, key_id="k1",
                         scopes=READ_SCOPES, token_url=endpoint.url + "/oauth2/v1/token",
                         clock=clock)
        with pytest.raises(OktaAuthError, match="invalid_client") as info:
            read_live_state_sync(OktaClient(endpoint, auth, clock=clock, sleep=clock.sleep))
    assert pem.splitlines()[1] not in str(info.value)


def test_rate_limit_share_is_respected_without_a_single_429(clock) -> None:
    with Emulator(seed="demo", clock=clock, rate_limits={"/api/v1": 8}) as emu:
        client = ssws_client(emu, clock, max_api_capacity=50)
        state = read_live_state_sync(client)
        statuses = Counter(r.status for r in emu.requests)
    assert state.unread == {}
    assert statuses == Counter({200: len(emu.requests)})  # never a 429
    assert client.stats.rate_limit_waits >= 2  # 12 calls at 4 per window


@pytest.mark.parametrize(
    ("fault", "section", "expected"),
    [("/api/v1/threats:503", SECTION_THREAT_INSIGHT, "HTTP 503"),
     ("/api/v1/eventHooks:reset", SECTION_EVENT_HOOKS, "after 4 attempts"),
     ("/api/v1/eventHooks:malformed", SECTION_EVENT_HOOKS, "malformed JSON"),
     ("/api/v1/threats:429", SECTION_THREAT_INSIGHT, "rate limited"),
     ("/api/v1/threats:429-noheaders", SECTION_THREAT_INSIGHT, "rate limited")],
)
def test_persistent_faults_become_unread_entries_for_that_section_only(
    clock, fault, section, expected
) -> None:
    with Emulator(seed="demo", clock=clock, faults=fault) as emu:
        client = ssws_client(emu, clock)
        state = read_live_state_sync(client)
        hits = [r for r in emu.requests if r.path.startswith(fault.split(":")[0])]
    assert set(state.unread) == {section}
    assert expected in state.unread[section]
    assert len(hits) == 4  # the attempt cap
    assert state.brands and state.notifications is not None


def test_transient_faults_are_retried_to_a_complete_read(clock) -> None:
    # One request at a time keeps the order of the emulator's seeded fault draws stable.
    faults = "/api/v1/brands:503@0.3,/api/v1/eventHooks:reset@0.3,/api/v1/roles:malformed@0.3"
    with Emulator(seed="demo", clock=clock, faults=faults, rng_seed=7) as emu:
        client = ssws_client(emu, clock, concurrency=1)
        state = read_live_state_sync(client)
        resent = len(emu.requests) - len({(r.path, r.query) for r in emu.requests})
    assert state.unread == {}
    assert resent > 0 and client.stats.retries == resent


def test_timeouts_are_bounded(clock) -> None:
    with Emulator(seed="demo", clock=clock, faults="/api/v1/threats:timeout") as emu:
        emu.fault_timeout_s = 0.5
        client = ssws_client(emu, clock, timeout=0.05, max_attempts=2)
        state = read_live_state_sync(client)
    reason = state.unread[SECTION_THREAT_INSIGHT]
    assert "no complete answer within 0.05 s (--timeout)" in reason and "after 2 attempts" in reason


def test_system_log_reader_pages_a_bounded_query(clock) -> None:
    with Emulator(seed="demo", clock=clock) as emu:
        client = ssws_client(emu, clock)
        now = datetime.fromtimestamp(clock.now, UTC)
        everything = list(iter_logs(client, since=now - timedelta(days=90), until=now,
                                    filter=None, limit=3))
        reports = list(iter_logs(client, since=now - timedelta(days=90), until=now,
                                 filter=f'eventType eq "{REPORT_EVENT}"'))
        pages = [r for r in emu.requests if r.path == "/api/v1/logs"]
    assert len(everything) > 3 and len(pages) >= len(everything) // 3
    assert len({e["uuid"] for e in everything}) == len(everything)
    assert reports and all(e["eventType"] == REPORT_EVENT for e in reports)
    published = [e["published"] for e in everything]
    assert published == sorted(published)
