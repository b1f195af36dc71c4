"""The hook endpoint against Okta's delivery contract, status code by status code.

Source: Okta's event hook concepts page (okta/okta-developer-docs,
``packages/@okta/vuepress-site/docs/concepts/event-hooks/index.md``): the one-time verification
``GET`` with ``X-Okta-Verification-Challenge`` answered by ``{"verification": …}``; deliveries
``POST``ed with the hook's auth header; "responses with a 4xx status code are not retried"
(so a 4xx is for what is not a delivery); the answer is 200 or 204 with no body; delivery is at
least once, deduplicated on ``data.events[].uuid``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from sarguard.eventhooks import build_envelope, build_report_event
from sarguard.eventhooks.logevent import ClientContext, Principal
from sarguard.eventhooks.report import ReportedActivity
from sarguard.responder.app import MAX_BODY, AppDeps, build_app
from sarguard.responder.hookauth import HookSecrets
from sarguard.responder.metrics import Metrics
from sarguard.responder.store.engine import Store, open_store
from sarguard.responder.store.migrate import upgrade
from sarguard.responder.store.schema import Action, Delivery, Event, Report
from tests.responder.conftest import ALICE, PREVIOUS, SECRET, serving, sqlite_url

PATH = "/okta/events"


def report_event(uuid: str, user: str = ALICE) -> dict:
    client = ClientContext(ip="198.51.100.7", city="Lyon", country="France")
    activity = ReportedActivity(event_type="user.session.start", event_id=f"{uuid}-x",
                                transaction_id="tx", timestamp="2026-01-01T00:00:00.000Z",
                                client=client)
    return build_report_event(uuid=uuid, published="2026-01-01T00:10:00.000Z",
                              user=Principal(id=user, type="User", alternate_id="alice@acme.test",
                                             display_name="Alice"),
                              reporter=client, activity=activity, request_id="req",
                              session_id=None)


def delivery(*uuids: str) -> bytes:
    body = build_envelope([report_event(u) for u in uuids], org_url="https://acme.okta.com",
                          hook_id="who1", event_id=f"evt-{'-'.join(uuids)}",
                          event_time="2026-01-01T00:10:01.000Z")
    return json.dumps(body).encode()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(sqlite_url(tmp_path))
    upgrade(opened)
    yield opened
    opened.dispose()


@pytest.fixture
def woken() -> list[int]:
    return []


@pytest.fixture
def client(store: Store, woken: list[int]) -> Iterator[httpx.Client]:
    deps = AppDeps(store=store, secrets=HookSecrets(SECRET, PREVIOUS), path=PATH,
                   auth_header="Authorization", metrics=Metrics(),
                   on_ingested=lambda: woken.append(1))
    with serving(build_app(deps)) as http:
        yield http


def post(client: httpx.Client, body: bytes, **headers: str):
    sent = {"Authorization": SECRET, "Content-Type": "application/json", **headers}
    return client.post(PATH, content=body, headers={k: v for k, v in sent.items() if v})


def count(store: Store, table) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def test_verification_echoes_the_challenge(client: httpx.Client) -> None:
    answer = client.get(PATH, headers={"X-Okta-Verification-Challenge": "abc-123"})
    assert answer.status_code == 200 and answer.json() == {"verification": "abc-123"}
    assert client.get(PATH).status_code == 400  # a GET that is not a verification
    assert client.get(PATH, headers={"X-Okta-Verification-Challenge": "x" * 2000}).status_code == 400


def test_a_valid_delivery_is_stored_then_answered_204_with_no_body(client, store, woken) -> None:
    answer = post(client, delivery("u-1", "u-2"))
    assert answer.status_code == 204 and answer.content == b""
    assert count(store, Delivery) == 1 and count(store, Event) == 2
    # Nothing is planned or acted on inside the request: that happens after the answer.
    assert count(store, Report) == 0 and count(store, Action) == 0
    assert woken == [1]


def test_a_redelivery_is_a_204_and_a_no_op(client, store, woken) -> None:
    assert post(client, delivery("u-1")).status_code == 204
    assert post(client, delivery("u-1")).status_code == 204
    assert post(client, delivery("u-1", "u-3")).status_code == 204
    assert count(store, Delivery) == 3  # every delivery is kept raw
    assert count(store, Event) == 2  # ... each event once
    with store.read() as session:
        news = session.scalars(select(Delivery.new_events).order_by(Delivery.id)).all()
    assert news == [1, 0, 1]
    assert woken == [1, 1]  # a pure redelivery wakes nothing


@pytest.mark.parametrize("auth", [None, "", "wrong-secret", SECRET + "x", SECRET[:-1],
                                  f"Bearer {SECRET}"])
def test_a_missing_or_wrong_auth_value_is_401_before_the_body_is_read(client, store, auth) -> None:
    headers = {"Authorization": auth} if auth is not None else {}
    answer = client.post(PATH, content=b"{ not even json", headers={
        "Content-Type": "application/json", **headers})
    assert answer.status_code == 401 and answer.content == b""
    assert count(store, Delivery) == 0


def test_the_previous_secret_is_accepted_during_a_rotation(client: httpx.Client) -> None:
    assert post(client, delivery("u-9"), Authorization=PREVIOUS).status_code == 204


def test_the_auth_header_name_is_the_configured_one(client: httpx.Client) -> None:
    answer = client.post(PATH, content=delivery("u-1"), headers={
        "Content-Type": "application/json", "X-Other": SECRET})
    assert answer.status_code == 401


def test_a_body_over_1_mib_is_413(client: httpx.Client, store: Store) -> None:
    big = b'{"pad": "' + b"x" * MAX_BODY + b'"}'
    assert post(client, big).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap holds while streaming
        for _ in range(20):
            yield b"x" * 65536

    answer = client.post(PATH, content=chunks(), headers={
        "Authorization": SECRET, "Content-Type": "application/json"})
    assert answer.status_code == 413
    assert count(store, Delivery) == 0


@pytest.mark.parametrize(("body", "content_type"), [
    (b"not json", "application/json"),
    (b"[]", "application/json"),
    (b'{"eventType": "com.okta.event_hook"}', "application/json"),
    (json.dumps({"eventType": "something.else", "data": {"events": []}}).encode(), "application/json"),
    (b"", "application/json"),
    (None, "text/plain"),
])
def test_non_json_or_a_wrong_envelope_is_400(client, store, body, content_type) -> None:
    answer = post(client, body if body is not None else delivery("u-1"),
                  **{"Content-Type": content_type})
    assert answer.status_code == 400
    assert count(store, Delivery) == 0


def test_an_event_uuid_longer_than_the_store_keeps_is_400(client: httpx.Client) -> None:
    assert post(client, delivery("u" * 129)).status_code == 400


def test_a_store_failure_is_500_so_okta_retries(client, store) -> None:
    with store.write() as session:
        session.execute(Event.__table__.delete())
    store.writer.dispose()
    with store.writer.begin() as conn:
        conn.exec_driver_sql("DROP TABLE events")
    assert post(client, delivery("u-1")).status_code == 500


def test_healthz_says_whether_the_store_answers(client: httpx.Client, store: Store,
                                                monkeypatch) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    monkeypatch.setattr(store, "ping", lambda: False)
    answer = client.get("/healthz")
    assert answer.status_code == 503 and answer.json() == {"status": "store unreachable"}


def test_metrics_count_deliveries_by_outcome_and_show_the_queue(client: httpx.Client) -> None:
    post(client, delivery("u-1"))
    post(client, delivery("u-1"))
    post(client, delivery("u-2"), Authorization="nope")
    text = client.get("/metrics").text
    assert 'sarguard_responder_deliveries_total{outcome="accepted"} 1.0' in text
    assert 'sarguard_responder_deliveries_total{outcome="duplicate"} 1.0' in text
    assert 'sarguard_responder_deliveries_total{outcome="unauthorized"} 1.0' in text
    assert "sarguard_responder_ack_seconds_count 3.0" in text
    assert 'sarguard_responder_queue_depth{status="pending"} 0.0' in text
    assert 'sarguard_responder_events_total{origin="delivery"} 1.0' in text
    assert SECRET not in text


def test_other_paths_and_methods(client: httpx.Client) -> None:
    assert client.get("/other").status_code == 404
    assert client.put(PATH, content=b"{}").status_code == 405
