"""Rate limits: headers on every answer, 429 E0000047 per bucket, windows by the fake clock."""

from __future__ import annotations

import email.utils
import math

import pytest

from sarguard.emulator import Emulator, EmulatorError
from sarguard.emulator.ratelimit import parse_limits
from tests.emulator.helpers import FakeClock, client_for, small_seed

LIMITS = "/api/v1=5/min,/api/v1/logs=2/min"


@pytest.fixture
def limited(clock: FakeClock):
    with Emulator(seed=small_seed(), clock=clock, rate_limits=LIMITS) as emu, \
            client_for(emu) as c:
        yield emu, c


def test_headers_on_every_answer_even_without_limits(api, clock: FakeClock) -> None:
    for response in (api.get("/api/v1/brands"), api.get("/api/v1/nothing"),
                     api.post("/oauth2/v1/token")):
        assert int(response.headers["X-Rate-Limit-Limit"]) >= 600
        assert int(response.headers["X-Rate-Limit-Remaining"]) >= 0
        reset = int(response.headers["X-Rate-Limit-Reset"])
        assert reset == (math.floor(clock() / 60) + 1) * 60
        date = email.utils.parsedate_to_datetime(response.headers["Date"]).timestamp()
        assert date == pytest.approx(clock(), abs=1)


def test_429_per_bucket_longest_prefix_wins(limited, clock: FakeClock) -> None:
    emu, api = limited
    for expected in (1, 0):
        r = api.get("/api/v1/logs")
        assert r.status_code == 200 and r.headers["X-Rate-Limit-Remaining"] == str(expected)
        assert r.headers["X-Rate-Limit-Limit"] == "2"
    over = api.get("/api/v1/logs")
    assert over.status_code == 429
    assert over.json()["errorCode"] == "E0000047"
    assert over.headers["X-Rate-Limit-Remaining"] == "0"
    # the logs budget is spent, the rest of /api/v1 is not
    brands = api.get("/api/v1/brands")
    assert brands.status_code == 200 and brands.headers["X-Rate-Limit-Limit"] == "5"
    assert [r.bucket for r in emu.requests] == ["/api/v1/logs"] * 3 + ["/api/v1"]
    assert sum(r.status == 429 for r in emu.requests) == 1


def test_window_resets_on_the_minute(limited, clock: FakeClock) -> None:
    _, api = limited
    for _ in range(5):
        assert api.get("/api/v1/brands").status_code == 200
    blocked = api.get("/api/v1/brands")
    assert blocked.status_code == 429
    clock.now = int(blocked.headers["X-Rate-Limit-Reset"])
    r = api.get("/api/v1/brands")
    assert r.status_code == 200 and r.headers["X-Rate-Limit-Remaining"] == "4"


def test_runtime_change_and_reset_stats(limited) -> None:
    emu, api = limited
    api.get("/api/v1/logs")
    api.get("/api/v1/logs")
    assert api.get("/api/v1/logs").status_code == 429
    emu.reset_stats()
    assert emu.requests == []
    assert api.get("/api/v1/logs").status_code == 200
    emu.set_rate_limits({"/api/v1/logs": 1})
    assert api.get("/api/v1/logs").status_code == 200
    assert api.get("/api/v1/logs").status_code == 429
    assert api.get("/api/v1/brands").headers["X-Rate-Limit-Limit"] == "10000"  # unconfigured


def test_segment_boundaries() -> None:
    from sarguard.emulator.ratelimit import RateLimiter

    limiter = RateLimiter(parse_limits("/api/v1=600,/api/v1/logs=120/min"), FakeClock())
    assert limiter.bucket_for("/api/v1/logs") == "/api/v1/logs"
    assert limiter.bucket_for("/api/v1/logsXYZ") == "/api/v1"
    assert limiter.bucket_for("/api/v10/x") == "*"
    assert limiter.bucket_for("/oauth2/v1/token") == "*"


@pytest.mark.parametrize("spec", ["api/v1=600", "/api/v1=abc", "/api/v1=0/min", "/api/v1:600"])
def test_bad_specs_raise_clear_errors(spec: str) -> None:
    with pytest.raises(EmulatorError, match="rate limits"):
        parse_limits(spec)
    with pytest.raises(EmulatorError, match="rate limits"):
        Emulator(seed=small_seed(), rate_limits=spec)
