"""Failures the emulator has no fault kind for, on every family they apply to.

401 and 403 (an SSWS token revoked mid-run, an admin without the permission) and a ``next``
link that loops are answered by a transport in front of the emulator; a missing OAuth scope
and the internal endpoint's refusal of OAuth come from the emulator's own service-app support.
"""

from __future__ import annotations

import pytest

from sarguard.evidence.live import SSWS_ONLY_REASON
from tests.reliability import baselines, matrix
from tests.reliability.checks import assert_fail_closed, assert_fatal
from tests.reliability.families import BY_NAME, FAMILIES, OAUTH_ONLY_UNREADABLE, READ_SCOPES, Family
from tests.reliability.injecting import InjectingTransport, forbidden, looping_next, unauthorized

INJECTED = {
    "401": (unauthorized, "HTTP 401 E0000011"),
    "403 (SSWS)": (forbidden, "lacks permission (HTTP 403 E0000006)"),
}
PAGED = [f for f in FAMILIES if f.paginated]
# customizations share okta.templates.read with the template listing: no separate case.
SCOPED = [f for f in FAMILIES if f.scope and f.name != "customizations"]


@pytest.mark.parametrize("fault", list(INJECTED))
@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_refused_requests_fail_closed(live, record_cell, family: Family, fault: str) -> None:
    live.memoize_declared()
    base = baselines.ssws_drift(live)
    rewrite, reason = INJECTED[fault]
    emu = live.emulator("in-sync")
    transport = InjectingTransport(family.prefix, rewrite)
    live.overrides["transport"] = transport
    run = live.drift(emu)
    assert transport.injected >= 1
    if family.fatal:
        record_cell(family.name, fault, matrix.FATAL)
        assert_fatal(run, "drift", "Okta rejected the API token" if fault == "401"
                     else f"{family.prefix}: HTTP 403 E0000006")
        return
    record_cell(family.name, fault, matrix.FAIL_CLOSED)
    assert_fail_closed(run, base, family)
    assert any(reason in u["reason"] for u in run.unread), run.unread
    assert not transport.repeated(), "a refusal is final: it must not be retried"


@pytest.mark.parametrize("family", PAGED, ids=lambda f: f.name)
def test_next_link_that_loops_is_stopped(live, record_cell, family: Family) -> None:
    live.memoize_declared()
    base = baselines.ssws_drift(live)
    emu = live.emulator("in-sync")
    transport = InjectingTransport(family.prefix, looping_next)
    live.overrides["transport"] = transport
    run = live.drift(emu)
    record_cell(family.name, "next link loops", matrix.FAIL_CLOSED)
    assert_fail_closed(run, base, family)
    assert any("repeats a page already fetched" in u["reason"] for u in run.unread), run.unread
    # Stopped at the first repeat, before asking for the same page again.
    assert transport.injected >= 1 and not transport.repeated(), transport.urls


@pytest.mark.parametrize("family", SCOPED, ids=lambda f: f.name)
def test_missing_oauth_scope_fails_closed_and_names_the_scope(live, record_cell,
                                                              family: Family) -> None:
    live.memoize_declared()
    base = baselines.oauth_drift(live)
    emu = live.emulator("in-sync")
    live.oauth(emu, tuple(s for s in READ_SCOPES if s != family.scope))
    run = live.drift(emu)
    record_cell(family.name, "403 OAuth scope missing", matrix.FAIL_CLOSED)
    assert_fail_closed(run, base, family, also_not_evaluated=OAUTH_ONLY_UNREADABLE.controls,
                       also_unread=("securityNotificationEmails",))
    own = [u for u in run.unread if u["resource"] != "securityNotificationEmails"]
    assert own and all(f"missing OAuth scope {family.scope}" in u["reason"] for u in own), own


def test_internal_endpoint_refusing_oauth_fails_closed_for_the_switches(live, record_cell) -> None:
    live.memoize_declared()
    ssws = baselines.ssws_drift(live)
    run = baselines.oauth_drift(live)
    family = BY_NAME["internal"]
    record_cell(family.name, "OAuth refused (SSWS only)", matrix.FAIL_CLOSED)
    assert_fail_closed(run, ssws, family)
    assert len(run.unread) == 1 and SSWS_ONLY_REASON in run.unread[0]["reason"], run.unread


@pytest.mark.parametrize("family", [f for f in FAMILIES if not f.paginated and not f.fatal
                                    and f.name in ("eventHooks", "roleSubs")],
                         ids=lambda f: f.name)
def test_a_next_link_where_okta_does_not_page_is_refused(live, record_cell, family: Family) -> None:
    """Okta's spec gives event hooks and a role's subscription no pagination (listEventHooks,
    getSubscriptionsNotificationTypeRole in okta-management-openapi.yaml): a ``next`` link
    there is an unexpected answer — unread, named — and is never followed."""
    live.memoize_declared()
    base = baselines.ssws_drift(live)
    emu = live.emulator("in-sync")
    transport = InjectingTransport(family.prefix, looping_next)
    live.overrides["transport"] = transport
    run = live.drift(emu)
    record_cell(family.name, "next link loops", matrix.FAIL_CLOSED)
    assert_fail_closed(run, base, family)
    assert any("does not page this resource, yet the answer has a next link" in u["reason"]
               for u in run.unread), run.unread
    assert not transport.repeated(), transport.urls
