"""Issue 20 items 2, 8, 9 and 10 in the store: the first notification waits for no Okta action,
follow-ups (late, given up, done), repeat reports told at most once per window, a campaign is one
incident, and containment (session clears, first messages) is claimed first under a burst."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from sarguard.responder.credential import CredentialChange, CredentialState, refusal
from sarguard.responder.message import CampaignFacts, compose_campaign, compose_credential
from sarguard.responder.store import queue
from sarguard.responder.store.campaign import network_key
from sarguard.responder.store.planning import plan_pending
from sarguard.responder.store.schema import Campaign
from tests.responder.conftest import ALICE, BOB, CAROL
from tests.responder.test_store import NOW, actions, config, deliver, event, reports
from tests.responder.test_store import store as store  # noqa: F401 - the fixture

ONE_AT_A_TIME = "  - clearSessions: {}\n  - resetPassword: {}\n  - notify: {urls: [\"${SINK_URL}\"]}\n"


def _purposes(store, report_id: int) -> list[tuple[str, str, str | None]]:
    return [(a.kind, a.status, json.loads(a.options).get("purpose"))
            for a in actions(store, report_id)]


def _spread(body: dict, n: int) -> dict:
    """A report from its own network (no campaign forms)."""
    body["debugContext"]["debugData"]["suspiciousActivityEventIp"] = f"198.51.{n}.7"
    return body


def _claim_all(store, now=NOW) -> list[tuple[int, str, str | None]]:
    me = queue.new_owner_id()
    order = []
    while (claimed := queue.claim_next(store, me, now)) is not None:
        order.append((claimed.report_id, claimed.kind, claimed.options.get("purpose")))
        queue.finish(store, claimed.id, me, queue.Outcome("done", result="ok"), now)
    return order


@pytest.mark.parametrize("containment_first", [True, False])
def test_under_a_burst_every_clear_and_first_message_comes_before_any_reset(
        tmp_path, store, monkeypatch, containment_first) -> None:
    monkeypatch.setattr(queue, "CONTAINMENT_FIRST", containment_first)
    cfg = config(tmp_path, "cooldown: off\n", actions=ONE_AT_A_TIME)
    users = [f"00u1burst{i:011d}" for i in range(6)]
    deliver(store, *(_spread(event(f"b{i}", u), i) for i, u in enumerate(users[:3])))
    plan_pending(store, cfg, NOW)
    me = queue.new_owner_id()
    first = queue.claim_next(store, me, NOW)  # report 1's clear ends: its reset is now pending
    queue.finish(store, first.id, me, queue.Outcome("done"), NOW)
    later = NOW + timedelta(seconds=1)  # a second batch of reports arrives
    deliver(store, *(_spread(event(f"b{i}", u), i) for i, u in enumerate(users[3:], start=3)))
    plan_pending(store, cfg, later)
    order = _claim_all(store, later)
    resets = [i for i, (_, kind, _) in enumerate(order) if kind == "resetPassword"]
    containment = [i for i, (_, kind, purpose) in enumerate(order)
                   if kind == "clearSessions" or purpose == "first"]
    assert len(containment) == 5 + 6 and len(resets) == 6
    if containment_first:
        assert max(containment) < min(resets), order
    else:  # the order before issue 20 (due time, then id): report 1's reset jumps the queue
        assert min(resets) < max(containment), order


def test_a_late_follow_up_is_due_after_follow_up_after_and_says_what_is_undone(tmp_path,
                                                                              store) -> None:
    cfg = config(tmp_path, actions="  - clearSessions: {}\n  - notify: {urls: [\"${SINK_URL}\"], "
                                   "followUpAfter: 30s}\n")
    assert cfg.follow_up_after == timedelta(seconds=30)
    deliver(store, event("a"))
    plan_pending(store, cfg, NOW)
    [report] = reports(store)
    assert _purposes(store, report.id) == [("clearSessions", "pending", None),
                                           ("notify", "pending", "first"),
                                           ("notify", "pending", "late")]
    me = queue.new_owner_id()
    claimed = [queue.claim_next(store, me, NOW) for _ in range(3)]
    assert [c.kind if c else None for c in claimed] == ["clearSessions", "notify", None]
    late = queue.claim_next(store, me, NOW + timedelta(seconds=30))
    assert late is not None and late.options["purpose"] == "late"


def test_on_done_adds_a_done_message_after_the_first_one(tmp_path, store) -> None:
    cfg = config(tmp_path, actions="  - clearSessions: {}\n  - notify: {urls: [\"${SINK_URL}\"], "
                                   "onDone: true}\n")
    deliver(store, event("a"))
    plan_pending(store, cfg, NOW)
    me = queue.new_owner_id()
    clear = queue.claim_next(store, me, NOW)
    first = queue.claim_next(store, me, NOW)
    assert (clear.kind, first.options["purpose"]) == ("clearSessions", "first")
    queue.finish(store, clear.id, me, queue.Outcome("done"), NOW)
    [report] = reports(store)
    # The done message waits behind the first one, which is still being sent.
    assert _purposes(store, report.id)[-1] == ("notify", "waiting", "done")
    assert queue.claim_next(store, me, NOW) is None
    queue.finish(store, first.id, me, queue.Outcome("done"), NOW)
    done = queue.claim_next(store, me, NOW)
    assert done is not None and done.options["purpose"] == "done"
    queue.finish(store, done.id, me, queue.Outcome("done"), NOW)
    [report] = reports(store)
    assert report.outcome == "done"


def test_repeat_reports_are_told_once_per_user_per_window(tmp_path, store) -> None:
    cfg = config(tmp_path, "cooldown: 15m\n")
    deliver(store, event("r1", published=NOW))
    plan_pending(store, cfg, NOW)
    _claim_all(store)
    deliver(store, *(event(f"r{n}", published=NOW + timedelta(minutes=n)) for n in (2, 3, 4)))
    plan_pending(store, cfg, NOW + timedelta(minutes=5))
    by_uuid = {r.event_uuid: r for r in reports(store)}
    assert {by_uuid[u].disposition for u in ("r2", "r3", "r4")} == {"cooldown"}
    told = {u: _purposes(store, by_uuid[u].id) for u in ("r2", "r3", "r4")}
    assert told["r2"] == [("notify", "pending", "repeat")]
    assert told["r3"] == told["r4"] == []  # after the second, at most one per window
    [repeat] = [a for a in actions(store, by_uuid["r2"].id)]
    options = json.loads(repeat.options)
    assert (options["ordinal"], options["window"], options["firstReportId"]) == (
        2, "15m", by_uuid["r1"].id)
    assert options["firstAnsweredAt"] == "2026-03-01T12:00:00Z"
    # a repeat still links (no second reset)
    assert all(a.kind == "notify" for u in ("r2",) for a in actions(store, by_uuid[u].id))


def test_reports_from_five_users_of_one_network_are_one_campaign(tmp_path, store) -> None:
    cfg = config(tmp_path, "cooldown: off\n")
    users = [ALICE, BOB, CAROL] + [f"00u1camp{i:012d}" for i in range(4)]
    for i, user in enumerate(users):
        body = event(f"c{i}", user, published=NOW + timedelta(minutes=i))
        body["debugContext"]["debugData"]["suspiciousActivityEventIp"] = f"203.0.113.{10 + i}"
        deliver(store, body)
        plan_pending(store, cfg, NOW + timedelta(minutes=i))
    with store.read() as session:
        [campaign] = session.scalars(select(Campaign)).all()
    assert campaign.net_key == network_key("203.0.113.10") == "203.0.113.0/24"
    rows = {r.event_uuid: _purposes(store, r.id) for r in reports(store)}
    assert ("notify", "pending", "first") in rows["c0"]  # before the quorum: told one by one
    assert ("notify", "pending", "campaign") in rows["c4"]  # the 5th user completes it
    assert ("notify", "skipped", "first") in rows["c4"] and ("notify", "skipped", "first") in \
        rows["c5"]  # folded into the campaign's messages
    assert ("notify", "pending", "digest") in rows["c5"]  # at most one digest a minute
    assert not any(p == "digest" for _, _, p in rows["c6"])
    # the Okta actions of every member still run
    assert all(("clearSessions", "pending", None) in r for r in rows.values())


def test_the_campaign_message_names_the_network_users_times_and_activity() -> None:
    members = [{"userId": f"00u{i}", "login": f"u{i}@acme.test", "ip": f"203.0.113.{i}",
                "activity": "user.session.start", "time": NOW + timedelta(minutes=i)}
               for i in range(5)]
    message = compose_campaign(CampaignFacts(3, "203.0.113.0/24", NOW, NOW + timedelta(minutes=4),
                                             members), digest=False)
    assert message.title == "CAMPAIGN: 5 users reported suspicious activity from 203.0.113.0/24"
    assert "First report: 2026-03-01T12:00:00Z; last: 2026-03-01T12:04:00Z" in message.body
    assert "203.0.113.0, 203.0.113.1" in message.body and "user.session.start" in message.body
    assert "u4@acme.test (00u4)" in message.body


@pytest.mark.parametrize(("ip", "key"), [("198.51.100.7", "198.51.100.0/24"),
                                         ("2001:db8:1:2::9", "2001:db8:1::/48"),
                                         ("not an ip", None), (None, None), ("x" * 100, None)])
def test_network_keys(ip, key) -> None:
    assert network_key(ip) == key


def test_the_credential_state_announces_once_per_outage_and_on_recovery() -> None:
    from sarguard.okta.errors import OktaApiError

    state = CredentialState()
    changes: list[CredentialChange] = []
    state.subscribe(changes.append)
    unauthorized = OktaApiError("x", status=401, method="POST", path="/p", error_code="E0000011")
    scope = OktaApiError("x", status=403, method="POST", path="/p", scope="okta.users.manage")
    forbidden_status = OktaApiError("x", status=403, method="POST", path="/p",
                                    error_code="E0000038")
    assert refusal(forbidden_status) is None  # one user's status is not an outage
    state.observe(forbidden_status)
    assert changes == []
    state.observe(unauthorized)
    state.observe(scope)  # still the same outage: no second change
    state.worked()
    state.worked()  # already working: no change
    assert [(c.previous, c.state) for c in changes] == [("unknown", "refused"),
                                                         ("refused", "works")]
    text = compose_credential(refused="HTTP 401", waiting=3).title
    assert text == ("ACTION NEEDED: the responder cannot act: Okta refused its credential; "
                    "3 report(s) waiting")


def test_the_notifier_worker_claims_only_notifications(tmp_path, store) -> None:
    """While every Okta worker waits for the rate limit, the notifier's own worker still sends."""
    deliver(store, event("a"))
    plan_pending(store, config(tmp_path), NOW)
    me = queue.new_owner_id()
    first = queue.claim_next(store, me, NOW, kind="notify")
    assert first is not None and first.kind == "notify" and first.options["purpose"] == "first"
    assert queue.claim_next(store, me, NOW, kind="notify") is None  # the late one is not due
    assert queue.claim_next(store, me, NOW).kind == "clearSessions"


def test_the_timeline_is_not_asked_for_when_the_logs_share_is_used_up() -> None:
    import time

    from sarguard.okta.ratelimit import Bucket
    from sarguard.responder.notifier import LOGS_BUCKET, Notifier

    class Limiter:
        def __init__(self, bucket):
            self.buckets = {LOGS_BUCKET: bucket}

        def allowed(self, bucket):
            return bucket.limit // 2

        def server_now(self):
            return time.time()

    class Client:
        def __init__(self, bucket):
            self.limiter = Limiter(bucket)

    used = Bucket(LOGS_BUCKET, limit=120, used=60, probed=True, reset=time.time() + 30)
    notifier = Notifier.__new__(Notifier)
    notifier.client = Client(used)
    assert "share of the System Log's rate limit is used up until" in notifier._logs_share_used()
    notifier.client = Client(Bucket(LOGS_BUCKET, limit=120, used=10, probed=True,
                                    reset=time.time() + 30))
    assert notifier._logs_share_used() is None
