"""The client's bounds against a broken or hostile server: waits, whole requests, body size,
page count, next links, Date skew and redaction of every error field."""

from __future__ import annotations

import asyncio
from email.utils import formatdate

import httpx
import pytest

from sarguard.okta.auth import SswsAuth
from sarguard.okta.client import MAX_BODY_BYTES, MAX_PAGES, OktaClient
from sarguard.okta.connection import OrgEndpoint
from sarguard.okta.errors import (
    OktaApiError,
    OktaConfigError,
    OktaDeadlineError,
    OktaPaginationError,
    OktaRateLimitError,
    OktaTransportError,
)
from sarguard.util.redaction import redact
from tests.okta.fakeokta import (
    ADMIN,
    ORG,
    TOKEN,
    FakeClock,
    FakeOkta,
    error,
    json_response,
    make_client,
    rate_limited,
    run,
)

YEAR = 365 * 86_400


# -- waits -------------------------------------------------------------------------------


@pytest.mark.parametrize("reset_in", [121, 86_400, YEAR, 10 ** 15])
def test_a_far_future_reset_is_refused_without_sleeping(reset_in: float) -> None:
    clock = FakeClock()
    fake = FakeOkta(clock)
    fake.route("/api/v1/eventHooks", lambda r: rate_limited(clock, reset_in))
    with pytest.raises(OktaRateLimitError) as info:
        run(make_client(fake).get_all("/api/v1/eventHooks"))
    message = str(info.value)
    assert "Okta asked to wait" in message and "for /api/v1 (reset at " in message
    assert "more than --max-wait (120 s)" in message
    assert clock.sleeps == [] and len(fake.requests) == 1


def test_max_wait_is_the_bound_for_429_waits() -> None:
    clock = FakeClock()
    fake = FakeOkta(clock)
    answers = [rate_limited(clock, 100), json_response([])]
    fake.route("/api/v1/eventHooks", lambda r: answers.pop(0))
    assert run(make_client(fake, max_wait=120).get_all("/api/v1/eventHooks")) == []
    assert clock.sleeps == [101.0]
    fake2 = FakeOkta(clock)
    fake2.route("/api/v1/eventHooks", lambda r: rate_limited(clock, 100))
    with pytest.raises(OktaRateLimitError, match=r"more than --max-wait \(30 s\)"):
        run(make_client(fake2, max_wait=30).get_all("/api/v1/eventHooks"))


def test_one_poisoned_429_does_not_make_the_bucket_sleep() -> None:
    """A 429 whose reset is a year away marks the bucket exhausted until then: every later call
    in that bucket must be refused at once (not slept), calls in other buckets go on."""
    clock = FakeClock()
    fake = FakeOkta(clock)
    fake.route("/api/v1/brands", lambda r: rate_limited(clock, YEAR))
    fake.route("/api/v1/eventHooks", [])
    fake.route("/api/internal/org/settings/security-notification-settings", {"x": True})
    client = make_client(fake)

    async def scenario() -> list[BaseException | object]:
        with pytest.raises(OktaRateLimitError):
            await client.get_all("/api/v1/brands")
        return await asyncio.gather(
            client.get_all("/api/v1/eventHooks"),
            client.get_json("/api/internal/org/settings/security-notification-settings"),
            return_exceptions=True)

    hooks, internal = run(scenario())
    assert isinstance(hooks, OktaRateLimitError) and "for /api/v1 (reset at" in str(hooks)
    assert internal == {"x": True}
    assert clock.sleeps == []
    assert fake.paths().count("/api/v1/eventHooks") == 0  # refused before sending


@pytest.mark.parametrize("offset", [301.0, -400.0, 5 * YEAR, -30 * YEAR])
def test_a_date_far_from_the_local_clock_is_ignored_with_a_warning(offset: float) -> None:
    """Skew beyond 5 minutes: the reset is judged against the local clock, not the Date."""
    clock = FakeClock()
    fake = FakeOkta(clock)
    answers = [error(429, "E0000047", "limited", {
        "X-Rate-Limit-Reset": str(int(clock.now + 30)),
        "Date": formatdate(clock.now + offset, usegmt=True)}), json_response([])]
    fake.route("/api/v1/eventHooks", lambda r: answers.pop(0))
    client = make_client(fake)
    assert run(client.get_all("/api/v1/eventHooks")) == []
    assert clock.sleeps == [31.0]  # reset - local now + 1, not reset - Date + 1
    (warning,) = client.stats.warnings
    assert "Date header is" in warning and "this machine's clock" in warning


def test_a_date_within_five_minutes_still_times_the_wait() -> None:
    clock = FakeClock()
    fake = FakeOkta(clock)
    answers = [rate_limited(clock, 30, date_offset=200.0), json_response([])]
    fake.route("/api/v1/eventHooks", lambda r: answers.pop(0))
    client = make_client(fake)
    run(client.get_all("/api/v1/eventHooks"))
    assert clock.sleeps == [31.0] and client.stats.warnings == []


# -- whole requests and bodies -------------------------------------------------------------


class Trickle(httpx.AsyncByteStream):
    """One byte every ``every`` real seconds: no socket read ever waits long."""

    def __init__(self, every: float, total: int = 10_000) -> None:
        self.every, self.total, self.sent = every, total, 0

    async def __aiter__(self):
        while self.sent < self.total:
            await asyncio.sleep(self.every)
            self.sent += 1
            yield b" "


def test_a_trickling_body_is_cut_by_the_whole_request_timeout() -> None:
    fake = FakeOkta(FakeClock())
    streams: list[Trickle] = []

    def trickle(request: httpx.Request) -> httpx.Response:
        streams.append(Trickle(0.01))
        return httpx.Response(200, stream=streams[-1], headers={"Content-Type": "application/json"})

    fake.route("/api/v1/threats/configuration", trickle)
    with pytest.raises(OktaTransportError) as info:
        run(make_client(fake, timeout=0.1, max_attempts=2).get_json("/api/v1/threats/configuration"))
    assert "no complete answer within 0.1 s (--timeout)" in str(info.value)
    assert "after 2 attempts" in str(info.value)
    assert len(streams) == 2 and all(s.sent < 100 for s in streams)  # ~10 bytes each, never 10,000


class Endless(httpx.AsyncByteStream):
    def __init__(self, chunk: int = 65_536) -> None:
        self.chunk, self.sent = chunk, 0

    async def __aiter__(self):
        block = b" " * self.chunk
        while self.sent < 400 * 1024 * 1024:
            self.sent += len(block)
            yield block


def test_a_huge_body_is_aborted_while_streaming_at_the_cap() -> None:
    fake = FakeOkta(FakeClock())
    streams: list[Endless] = []

    def huge(request: httpx.Request) -> httpx.Response:
        streams.append(Endless())
        return httpx.Response(200, stream=streams[-1])

    fake.route("/api/v1/brands", huge)
    client = make_client(fake, max_body_bytes=1024 * 1024)
    with pytest.raises(OktaTransportError, match=r"larger than 1 MiB \(stopped reading after"):
        run(client.get_all("/api/v1/brands"))
    assert len(streams) == 1  # not retried
    assert client.stats.bytes_received <= 1024 * 1024 + 65_536
    assert streams[0].sent <= 1024 * 1024 + 2 * 65_536


def test_a_body_announced_over_the_cap_is_not_read() -> None:
    fake = FakeOkta(FakeClock())
    fake.route("/api/v1/brands", lambda r: httpx.Response(
        200, stream=Endless(), headers={"Content-Length": str(400 * 1024 * 1024)}))
    client = make_client(fake)
    with pytest.raises(OktaTransportError, match=r"larger than 64 MiB \(announced 419,430,400 bytes"):
        run(client.get_all("/api/v1/brands"))
    assert client.stats.bytes_received == 0
    assert MAX_BODY_BYTES == 64 * 1024 * 1024


def test_gzip_bodies_are_still_decoded() -> None:
    import gzip
    import json

    fake = FakeOkta(FakeClock())
    fake.route("/api/v1/eventHooks", lambda r: httpx.Response(
        200, content=gzip.compress(json.dumps([{"id": 1}]).encode()),
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"}))
    assert run(make_client(fake).get_all("/api/v1/eventHooks")) == [{"id": 1}]


@pytest.mark.parametrize("body", [b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000])
def test_absurdly_nested_json_is_malformed_not_a_traceback(body: bytes) -> None:
    fake = FakeOkta(FakeClock())
    fake.route("/api/v1/eventHooks", lambda r: httpx.Response(200, content=body))
    with pytest.raises(OktaTransportError, match="malformed JSON"):
        run(make_client(fake).get_all("/api/v1/eventHooks"))


# -- pages and links ---------------------------------------------------------------------


def endless_pages(request: httpx.Request) -> httpx.Response:
    page = int(request.url.params.get("after", "0"))
    return json_response([page], headers={
        "Link": f'<{ORG}/api/v1/logs?after={page + 1}>; rel="next"'})


def test_a_listing_that_never_ends_stops_at_the_page_cap() -> None:
    fake = FakeOkta(FakeClock())
    fake.route("/api/v1/logs", endless_pages)
    with pytest.raises(OktaPaginationError, match=r"pagination did not end after 40 pages"):
        run(make_client(fake, max_pages=40).get_all("/api/v1/logs"))
    assert len(fake.requests) == 40


def test_the_default_page_cap_is_10_000() -> None:
    """Okta's largest real listings (System Log windows of 1,000 events a page) stay far below
    it; a listing past it is not going to end."""
    assert MAX_PAGES == 10_000 and make_client(FakeOkta(FakeClock())).max_pages == MAX_PAGES


@pytest.mark.parametrize(
    ("link", "message"),
    [
        (f"{ORG}:99999/api/v1/brands?after=x", "not a valid URL"),
        (f"{ORG}:http/api/v1/brands", "not a valid URL"),
        ("http://[::1/api/v1/brands", "not a valid URL"),
        ("https://evil.example/api/v1/brands?after=x", "another host (https://evil.example)"),
        (f"{ORG}:8443/api/v1/brands?after=x", "another host (https://acme.okta.com:8443)"),
        ("http://acme.okta.com/api/v1/brands?after=x", "another host (http://acme.okta.com)"),
        ("javascript:alert(1)", "another host"),
    ],
)
def test_malformed_or_foreign_next_links_stop_pagination(link: str, message: str) -> None:
    fake = FakeOkta(FakeClock())
    fake.route("/api/v1/brands", lambda r: json_response([1], headers={"Link": f'<{link}>; rel="next"'}))
    with pytest.raises(OktaPaginationError) as info:
        run(make_client(fake).get_all("/api/v1/brands"))
    assert message in str(info.value)
    assert len(fake.requests) == 1


# -- redaction ---------------------------------------------------------------------------


def reflect_everywhere(status: int):
    def handler(request: httpx.Request) -> httpx.Response:
        value = request.headers["Authorization"]
        body = {"errorCode": value, "errorSummary": f"bad {value}", "errorLink": value,
                "errorId": value, "errorCauses": [{"errorSummary": value}],
                "error_description": value}
        return json_response(body, status, {
            "WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{value}"'})
    return handler


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 500, 503])
def test_every_field_of_an_okta_error_is_redacted(status: int) -> None:
    fake = FakeOkta(FakeClock())
    fake.route("/api/v1/eventHooks", reflect_everywhere(status))
    client = make_client(fake, max_attempts=1)
    with pytest.raises(OktaApiError) as info:
        run(client.get_all("/api/v1/eventHooks"))
    exc = info.value
    for text in (str(exc), repr(exc), exc.error_code, exc.summary, exc.scope, exc.path):
        assert TOKEN not in str(text)


def test_a_token_reflected_into_a_next_link_path_is_redacted() -> None:
    fake = FakeOkta(FakeClock())
    fake.route("/api/v1/brands", lambda r: json_response(
        [1], headers={"Link": f'<{ORG}/api/v1/brands/{TOKEN}>; rel="next"'}))
    with pytest.raises(OktaApiError) as info:
        run(make_client(fake).get_all("/api/v1/brands"))
    assert TOKEN not in str(info.value) and TOKEN not in str(info.value.path)


def test_the_run_wide_registry_redacts_a_live_clients_credentials() -> None:
    client = make_client(FakeOkta(FakeClock()))
    assert redact(f"x {TOKEN} y") == "x *** y"
    del client


# -- the run's deadline (issue 19 §1) ------------------------------------------------------


def _bucket_always_empty(clock: FakeClock) -> httpx.Response:
    """Every answer says the bucket is spent until a reset 60 s ahead: within --max-wait, so
    without a deadline the client would wait a minute per request."""
    return json_response([], headers={"X-Rate-Limit-Limit": "600", "X-Rate-Limit-Remaining": "0",
                                      "X-Rate-Limit-Reset": str(int(clock() + 60)),
                                      "Date": formatdate(clock(), usegmt=True)})


def test_a_wait_that_would_end_past_the_deadline_is_not_started() -> None:
    clock = FakeClock()
    fake = FakeOkta(clock)
    fake.route("/api/v1/eventHooks", lambda r: _bucket_always_empty(clock))
    client = make_client(fake, deadline=30)
    assert run(client.get_all("/api/v1/eventHooks")) == []  # the probe goes at once
    with pytest.raises(OktaDeadlineError) as info:
        run(client.get_all("/api/v1/eventHooks"))
    assert str(info.value).startswith("the run's deadline passed while reading /api/v1 "
                                      "(--deadline 30 s): waiting 61 s")
    assert clock.sleeps == [] and len(fake.requests) == 1 and client.deadline_passed


def test_waits_within_the_deadline_are_taken_and_count_against_it() -> None:
    clock = FakeClock()
    fake = FakeOkta(clock)
    fake.route("/api/v1/eventHooks", lambda r: _bucket_always_empty(clock))
    client = make_client(fake, deadline=150)
    run(client.get_all("/api/v1/eventHooks"))
    run(client.get_all("/api/v1/eventHooks"))  # waits 61 s: ends at 61 < 150
    run(client.get_all("/api/v1/eventHooks"))  # waits 61 s: ends at 122 < 150
    with pytest.raises(OktaDeadlineError):
        run(client.get_all("/api/v1/eventHooks"))  # would end at 183 > 150: not started
    assert clock.sleeps == [61.0, 61.0] and len(fake.requests) == 3


def test_a_429_wait_past_the_deadline_is_not_started() -> None:
    clock = FakeClock()
    fake = FakeOkta(clock)
    fake.route("/api/v1/eventHooks", lambda r: rate_limited(clock, 50))
    with pytest.raises(OktaDeadlineError, match=r"a 51 s wait before retrying would end past it"):
        run(make_client(fake, deadline=20).get_all("/api/v1/eventHooks"))
    assert clock.sleeps == []


def test_a_request_in_flight_is_cut_at_the_deadline() -> None:
    """The whole-request timeout is 30 s, but the run has 0.2 s left: the answer that never
    comes is given up at the deadline (real time: this is the socket's bound)."""
    async def never(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(60)
        return json_response([])

    fake = FakeOkta(FakeClock())
    fake.route("/api/v1/eventHooks", never)
    client = OktaClient(OrgEndpoint(ORG, ADMIN), SswsAuth(TOKEN), transport=fake.transport(),
                        deadline=0.2)
    with pytest.raises(OktaDeadlineError, match="the answer had not arrived"):
        run(asyncio.wait_for(client.get_all("/api/v1/eventHooks"), 10))


def test_nothing_is_sent_after_the_deadline() -> None:
    clock = FakeClock()
    fake = FakeOkta(clock)
    fake.route("/api/v1/threats/configuration", {"action": "block"})
    client = make_client(fake, deadline=5)
    clock.now += 6
    with pytest.raises(OktaDeadlineError, match=r"GET /api/v1/threats/configuration \(--deadline 5 s\)"):
        run(client.get_json("/api/v1/threats/configuration"))
    assert fake.requests == []


@pytest.mark.parametrize("value", [0, -1, float("inf"), float("nan")])
def test_the_deadline_must_be_a_positive_number_of_seconds(value: float) -> None:
    with pytest.raises(OktaConfigError, match="deadline"):
        make_client(FakeOkta(FakeClock()), deadline=value)


# -- page caps per family -------------------------------------------------------------------


def test_a_family_cap_stops_a_listing_before_the_clients_cap() -> None:
    fake = FakeOkta(FakeClock())
    fake.route("/api/v1/logs", endless_pages)
    with pytest.raises(OktaPaginationError, match=r"after 5 pages \(more than this list can hold"):
        run(make_client(fake).get_all("/api/v1/logs", max_pages=5))
    assert len(fake.requests) == 5


def test_a_next_link_on_an_unpaged_resource_is_an_unexpected_answer() -> None:
    """Okta's spec gives GET /api/v1/eventHooks and a role's subscription no pagination
    parameters (okta-management-openapi.yaml: listEventHooks,
    getSubscriptionsNotificationTypeRole): one answer, and a next link is not Okta's."""
    fake = FakeOkta(FakeClock())
    fake.route("/api/v1/eventHooks", lambda r: json_response([{"id": "who"}], headers={
        "Link": f'<{ORG}/api/v1/eventHooks?after=who>; rel="next"'}))
    fake.route("/api/v1/roles/SUPER_ADMIN/subscriptions/x", lambda r: json_response(
        {"status": "subscribed"}, headers={"Link": f'<{ORG}/api/v1/roles?after=1>; rel="next"'}))
    client = make_client(fake)
    with pytest.raises(OktaPaginationError, match="does not page this resource, yet the answer"):
        run(client.get_all("/api/v1/eventHooks", max_pages=1))
    with pytest.raises(OktaPaginationError, match="does not page this resource"):
        run(client.get_json("/api/v1/roles/SUPER_ADMIN/subscriptions/x", unpaged=True))
    assert len(fake.requests) == 2
