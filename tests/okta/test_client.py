"""Client behaviour: pagination, retries, 429s, the capacity share, concurrency, errors."""

from __future__ import annotations

import asyncio
from collections import Counter
from email.utils import formatdate

import httpx
import pytest

from sarguard.okta.auth import OAuthAuth
from sarguard.okta.connection import OrgEndpoint
from sarguard.okta.errors import (
    OktaApiError,
    OktaConfigError,
    OktaPaginationError,
    OktaRateLimitError,
    OktaTransportError,
)
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
from tests.okta.keys import rsa_key


def scripted(*responses):
    """A handler returning (or raising) the given items in turn, then repeating the last."""
    items = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        item = items.pop(0) if len(items) > 1 else items[0]
        if isinstance(item, Exception):
            raise item
        return item() if callable(item) else item

    return handler


def ok(body=None):
    return lambda: json_response({"ok": True} if body is None else body)


# -- pagination --------------------------------------------------------------------------


def paged(pages: dict[str, tuple[list, str | None]]):
    """Serve pages keyed by the ``after`` cursor; the Link header names the next one."""

    def handler(request: httpx.Request) -> httpx.Response:
        items, nxt = pages[request.url.params.get("after", "")]
        headers = {}
        if nxt is not None:
            headers["Link"] = (f'<{ORG}{request.url.path}?after={nxt}&limit=200>; rel="next", '
                               f'<{request.url}>; rel="self"')
        return json_response(items, headers=headers)

    return handler


def test_follows_next_links_until_none() -> None:
    fake = FakeOkta(FakeClock())
    fake.route("/api/v1/brands", paged({"": ([1, 2], "c1"), "c1": ([3], "c2"), "c2": ([4], None)}))
    client = make_client(fake)
    assert run(client.get_all("/api/v1/brands", params={"limit": 200})) == [1, 2, 3, 4]
    urls = [str(r.url) for r in fake.requests]
    assert urls == [f"{ORG}/api/v1/brands?limit=200",
                    f"{ORG}/api/v1/brands?after=c1&limit=200",
                    f"{ORG}/api/v1/brands?after=c2&limit=200"]


def test_a_next_link_that_repeats_a_page_stops_with_an_error() -> None:
    fake = FakeOkta(FakeClock())
    fake.route("/api/v1/brands", paged({"": ([1], "c1"), "c1": ([2], "c2"), "c2": ([3], "c1")}))
    with pytest.raises(OktaPaginationError, match="repeats a page"):
        run(make_client(fake).get_all("/api/v1/brands"))
    assert len(fake.requests) == 3


def test_a_next_link_to_another_host_is_not_followed() -> None:
    fake = FakeOkta(FakeClock())
    fake.route("/api/v1/brands", lambda r: json_response(
        [1], headers={"Link": '<https://evil.example/api/v1/brands?after=x>; rel="next"'}))
    with pytest.raises(OktaPaginationError, match="another host"):
        run(make_client(fake).get_all("/api/v1/brands"))
    assert {r.url.host for r in fake.requests} == {"acme.okta.com"}


def test_an_empty_page_ends_pagination_even_with_a_next_link() -> None:
    fake = FakeOkta(FakeClock())
    fake.route("/api/v1/logs", paged({"": ([1], "a"), "a": ([], "b"), "b": ([99], None)}))
    assert run(make_client(fake).get_all("/api/v1/logs")) == [1]


# -- 429 -----------------------------------------------------------------------------------


@pytest.mark.parametrize("server_offset", [0.0, -100.0, 250.0])
def test_429_waits_until_reset_relative_to_date_and_sends_retry_headers(server_offset) -> None:
    clock = FakeClock()
    fake = FakeOkta(clock)
    # the server's clock may disagree with ours
    limited = rate_limited(clock, 30, date_offset=server_offset,
                           headers={"X-Okta-Request-Id": "req-abc"})
    fake.route("/api/v1/eventHooks", scripted(limited, ok([])))
    client = make_client(fake)
    assert run(client.get_all("/api/v1/eventHooks")) == []
    assert clock.sleeps == [31.0]  # reset - Date + 1, like the SDKs
    retry = fake.requests[1]
    assert retry.headers["X-Okta-Retry-For"] == "req-abc"
    assert retry.headers["X-Okta-Retry-Count"] == "1"
    assert "X-Okta-Retry-For" not in fake.requests[0].headers
    assert client.stats.rate_limited == 1 and client.stats.retries == 1


def test_429_without_headers_backs_off_exponentially_then_gives_up() -> None:
    clock = FakeClock()
    fake = FakeOkta(clock)
    fake.route("/api/v1/eventHooks", lambda r: error(429, "E0000047", "rate limited"))
    client = make_client(fake, max_attempts=4)
    with pytest.raises(OktaRateLimitError, match="after 4 attempts"):
        run(client.get_all("/api/v1/eventHooks"))
    assert len(fake.requests) == 4
    assert len(clock.sleeps) == 3
    for n, slept in enumerate(clock.sleeps, start=1):
        ceiling = min(60.0, 2.0 * 2 ** (n - 1))
        assert ceiling / 2 <= slept <= ceiling


def test_429_asking_for_an_absurd_wait_fails_instead_of_hanging() -> None:
    clock = FakeClock()
    fake = FakeOkta(clock)
    fake.route("/api/v1/eventHooks", lambda r: error(429, "E0000047", "rate limited", {
        "X-Rate-Limit-Reset": str(int(clock.now) + 86_400),
        "Date": formatdate(clock.now, usegmt=True)}))
    with pytest.raises(OktaRateLimitError, match="asked to wait"):
        run(make_client(fake).get_all("/api/v1/eventHooks"))
    assert clock.sleeps == []


# -- transient failures --------------------------------------------------------------------


def test_5xx_is_retried_with_bounded_jittered_backoff() -> None:
    clock = FakeClock()
    fake = FakeOkta(clock)
    fake.route("/api/v1/threats/configuration",
               scripted(error(503, "E0000009", "Internal Server Error"),
                        error(502, "E0000009", "Bad gateway"), ok({"action": "audit"})))
    client = make_client(fake)
    assert run(client.get_json("/api/v1/threats/configuration")) == {"action": "audit"}
    assert len(fake.requests) == 3 and client.stats.retries == 2
    assert 0.25 <= clock.sleeps[0] <= 0.5 and 0.5 <= clock.sleeps[1] <= 1.0


def test_persistent_5xx_gives_up_after_the_attempt_cap() -> None:
    fake = FakeOkta(FakeClock())
    fake.route("/api/v1/threats/configuration", lambda r: error(500, "E0000009", "boom"))
    with pytest.raises(OktaApiError, match="HTTP 500 E0000009 boom after 4 attempts") as info:
        run(make_client(fake).get_json("/api/v1/threats/configuration"))
    assert info.value.status == 500 and len(fake.requests) == 4


@pytest.mark.parametrize("exc", [httpx.ReadTimeout("timed out"), httpx.ConnectTimeout("slow"),
                                 httpx.ReadError("Connection reset by peer"),
                                 httpx.RemoteProtocolError("peer closed connection")])
def test_timeouts_and_resets_are_retried_then_given_up(exc: Exception) -> None:
    fake = FakeOkta(FakeClock())
    fake.route("/api/v1/eventHooks", scripted(exc, exc, ok([])))
    client = make_client(fake)
    assert run(client.get_all("/api/v1/eventHooks")) == []
    assert len(fake.requests) == 3

    failing = FakeOkta(FakeClock())
    failing.route("/api/v1/eventHooks", scripted(exc))
    with pytest.raises(OktaTransportError, match=f"{type(exc).__name__} after 4 attempts"):
        run(make_client(failing).get_all("/api/v1/eventHooks"))
    assert len(failing.requests) == 4


def test_malformed_json_is_retried_then_reported() -> None:
    bad = lambda: httpx.Response(200, content=b'[{"id": "trunc')  # noqa: E731
    fake = FakeOkta(FakeClock())
    fake.route("/api/v1/eventHooks", scripted(bad, ok([{"id": "who1"}])))
    assert run(make_client(fake).get_all("/api/v1/eventHooks")) == [{"id": "who1"}]

    failing = FakeOkta(FakeClock())
    failing.route("/api/v1/eventHooks", scripted(bad))
    with pytest.raises(OktaTransportError, match="malformed JSON"):
        run(make_client(failing).get_all("/api/v1/eventHooks"))
    assert len(failing.requests) == 4


def test_client_errors_are_not_retried() -> None:
    fake = FakeOkta(FakeClock())
    with pytest.raises(OktaApiError, match="HTTP 404 E0000007") as info:
        run(make_client(fake).get_json("/api/v1/roles/SUPER_ADMIN/subscriptions/X"))
    assert info.value.status == 404 and info.value.error_code == "E0000007"
    assert len(fake.requests) == 1


# -- capacity share and concurrency ----------------------------------------------------------


def test_sixth_call_waits_for_reset_with_limit_10_and_half_share() -> None:
    clock = FakeClock()
    fake = FakeOkta(clock, limit=10)
    fake.route("/api/v1/eventHooks", [])
    client = make_client(fake, max_api_capacity=50)

    async def calls() -> None:
        for _ in range(7):
            await client.get_json("/api/v1/eventHooks")

    run(calls())
    start, reset = fake.times[0], fake.resets[0]
    assert reset > start
    assert fake.times[:5] == [start] * 5  # five calls go at once
    assert reset <= fake.times[5] <= reset + 2  # the sixth waited for the window's reset
    assert fake.times[6] == fake.times[5]  # and the new window is open again
    assert fake.sent_429 == 0
    assert client.stats.rate_limit_waits == 1


@pytest.mark.parametrize(("share", "per_window"), [(50, 5), (20, 2), (100, 10)])
def test_concurrent_burst_stays_within_the_share_of_every_window(share, per_window) -> None:
    clock = FakeClock()
    fake = FakeOkta(clock, limit=10)
    fake.route("/api/v1/eventHooks", [])
    client = make_client(fake, max_api_capacity=share, concurrency=8)

    async def burst() -> None:
        await asyncio.gather(*(client.get_json("/api/v1/eventHooks") for _ in range(23)))

    run(burst())
    per_minute = Counter(int((t - fake.times[0]) // 60) for t in fake.times)
    assert max(per_minute.values()) <= per_window
    assert fake.sent_429 == 0 and len(fake.requests) == 23


def test_logs_have_their_own_bucket() -> None:
    clock = FakeClock()
    fake = FakeOkta(clock, limit=4)
    fake.route("/api/v1/logs", [])
    fake.route("/api/v1/eventHooks", [])
    client = make_client(fake, max_api_capacity=50)

    async def calls() -> None:
        for _ in range(2):
            await client.get_json("/api/v1/logs")
            await client.get_json("/api/v1/eventHooks")

    run(calls())
    assert clock.sleeps == []  # two calls in each bucket: each within its own share of 2
    assert client.stats.calls_by_bucket == {"/api/v1": 2, "/api/v1/logs": 2}


def test_concurrency_bound_is_honoured_and_unknown_buckets_are_probed_alone() -> None:
    fake = FakeOkta(FakeClock())
    fake.route("/api/v1/eventHooks", [])
    client = make_client(fake, concurrency=3)

    async def burst() -> None:
        await asyncio.gather(*(client.get_json("/api/v1/eventHooks") for _ in range(20)))

    run(burst())
    assert fake.max_in_flight == 3 and client.stats.max_in_flight == 3
    assert fake.arrivals[0] == (1, 0)
    assert fake.arrivals[1][1] == 1  # the second waited for the probe's answer


# -- errors and secrets ----------------------------------------------------------------------


def oauth_client(fake: FakeOkta):
    fake.route("/oauth2/v1/token", lambda r: json_response(
        {"token_type": "Bearer", "access_token": "at-SECRET-123456", "expires_in": 3600}),
        method="POST")
    auth = OAuthAuth(client_id="c", private_key=rsa_key()[0], key_id="k",
                     scopes=["okta.brands.read"], token_url=ORG + "/oauth2/v1/token",
                     clock=fake.clock)
    return make_client(fake, auth)


def test_403_names_the_missing_scope_under_oauth() -> None:
    fake = FakeOkta(FakeClock())
    denied = lambda r: error(403, "E0000006", "You do not have permission")  # noqa: E731
    fake.route("/api/v1/brands/b1/templates/email", denied)
    fake.route("/api/v1/eventHooks", lambda r: error(
        403, "E0000006", "You do not have permission",
        {"WWW-Authenticate": 'Bearer realm="IDX", error="insufficient_scope", '
                             'scope="okta.eventHooks.read"'}))
    client = oauth_client(fake)
    with pytest.raises(OktaApiError) as info:
        run(client.get_all("/api/v1/brands/b1/templates/email"))
    assert info.value.scope == "okta.templates.read"
    assert "missing OAuth scope okta.templates.read" in str(info.value)
    with pytest.raises(OktaApiError) as info:
        run(client.get_all("/api/v1/eventHooks"))
    assert info.value.scope == "okta.eventHooks.read"

    ssws = FakeOkta(FakeClock())
    ssws.route("/api/v1/eventHooks", denied)
    with pytest.raises(OktaApiError) as info:
        run(make_client(ssws).get_all("/api/v1/eventHooks"))
    assert info.value.scope is None


def test_no_secret_in_any_message_or_repr() -> None:
    fake = FakeOkta(FakeClock())
    # A hostile server echoing the credential back must not get it into our messages.
    fake.route("/api/v1/eventHooks", lambda r: error(
        400, "E0000001", "bad header " + r.headers["Authorization"]))
    fake.route("/api/v1/brands", lambda r: error(500, "E0000009", r.headers["Authorization"]))
    texts: list[str] = []
    client = make_client(fake)
    for path in ("/api/v1/eventHooks", "/api/v1/brands"):
        with pytest.raises(OktaApiError) as info:
            run(client.get_all(path))
        texts += [str(info.value), repr(info.value), str(info.value.summary)]
    texts += [repr(client), repr(client.auth), str(client.auth), repr(client.stats.as_dict())]
    for text in texts:
        assert TOKEN not in text

    ofake = FakeOkta(FakeClock())
    ofake.route("/api/v1/eventHooks", lambda r: error(400, "E0000001", r.headers["Authorization"]))
    oclient = oauth_client(ofake)
    with pytest.raises(OktaApiError) as info:
        run(oclient.get_all("/api/v1/eventHooks"))
    pem = rsa_key()[0]
    secrets = ["at-SECRET-123456", pem, *[ln for ln in pem.splitlines() if "-----" not in ln]]
    for text in (str(info.value), repr(info.value), repr(oclient), repr(oclient.auth),
                 str(oclient.auth), str(vars(oclient.auth))):
        for secret in secrets:
            assert secret not in text


def test_requests_never_leave_the_org_or_its_admin_host() -> None:
    client = make_client(FakeOkta(FakeClock()))
    assert client.url("/api/v1/brands") == ORG + "/api/v1/brands"
    assert client.url("/api/internal/x", admin=True) == ADMIN + "/api/internal/x"
    with pytest.raises(OktaConfigError, match="another host"):
        client.url("https://evil.example/api/v1/brands")
    custom = make_client(FakeOkta(FakeClock()), endpoint=OrgEndpoint(
        "https://login.acme.example", None, "pass --admin-url"))
    with pytest.raises(OktaConfigError, match="--admin-url"):
        custom.url("/api/internal/x", admin=True)


@pytest.mark.parametrize(("option", "value"), [("max_api_capacity", 0), ("max_api_capacity", 101),
                                               ("concurrency", 0), ("timeout", 0)])
def test_bad_client_options_are_clear_errors(option: str, value: int) -> None:
    with pytest.raises(OktaConfigError, match=option):
        make_client(FakeOkta(FakeClock()), **{option: value})


def test_timeout_applies_to_every_request() -> None:
    client = make_client(FakeOkta(FakeClock()), timeout=7.5)

    async def timeouts() -> httpx.Timeout:
        return client._http.get().timeout

    timeout = run(timeouts())
    assert timeout.connect == timeout.read == 7.5
    assert make_client(FakeOkta(FakeClock())).timeout == 30.0


def test_stats_count_calls_bytes_and_retries() -> None:
    fake = FakeOkta(FakeClock())
    fake.route("/api/v1/eventHooks", scripted(error(503, "E0000009", "x"), ok([{"id": "a"}])))
    client = make_client(fake)
    run(client.get_all("/api/v1/eventHooks"))
    stats = client.stats.as_dict()
    assert stats["calls"] == 2 and stats["retries"] == 1
    assert stats["calls_by_bucket"] == {"/api/v1": 2}
    assert stats["bytes_received"] > len(b'[{"id": "a"}]')
