"""Keep this run's use of each rate-limit bucket within a share of the bucket's limit.

Okta's limits are per org and per endpoint family, and every integration in the org draws on
them; an audit must not starve the others. Buckets are learned from responses
(``X-Rate-Limit-Limit/Remaining/Reset``). Until a bucket's first response is back only one call
may be in flight in it (the probe), so a burst cannot overshoot a limit we have not seen yet.
When this run's share of a window is used up, the next call waits for the window's reset
(rather than pacing calls evenly: an audit is short and bursty, and finishing it quickly matters
more than smoothness).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from sarguard.okta.errors import OktaDeadlineError, OktaRateLimitError, deadline_reason
from sarguard.okta.looplocal import LoopLocal
from sarguard.okta.retry import describe_epoch, header_date, header_int
from sarguard.okta.stats import ApiStats

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
WINDOW_MARGIN_S = 1.0  # Reset and Date have one-second resolution
MAX_SKEW_S = 300.0  # a Date further than this from the local clock is not believed
DEFAULT_MAX_WAIT_S = 120.0


def wait_refused(bucket: str, wait: float, reset: float | None, max_wait: float) -> str:
    """The ``unread`` reason when a bucket's wait is longer than the run accepts."""
    when = f" (reset at {describe_epoch(reset)})" if reset is not None else ""
    return (f"Okta asked to wait {wait:.0f} s for {bucket}{when}; more than --max-wait "
            f"({max_wait:g} s)")


def default_bucket_key(path: str) -> str:
    """``/api/v1/logs`` is its own (small) bucket; everything else by its first two segments.

    Grouping all of ``/api/v1`` together is the conservative choice: it can only make this run
    use less of a bucket than allowed, never more.
    """
    if path == "/api/v1/logs" or path.startswith("/api/v1/logs/"):
        return "/api/v1/logs"
    segments = [s for s in path.split("/") if s][:2]
    return "/" + "/".join(segments)


@dataclass
class Bucket:
    key: str
    limit: int | None = None
    remaining: int | None = None
    reset: float | None = None  # server epoch seconds at which the current window ends
    used: int = 0  # calls this run dispatched in the current window
    in_flight: int = 0
    probed: bool = False  # a response has come back (headers or not)
    passed: float | None = None  # the reset of the last window this run saw end


class RateLimiter:
    """Gate for every request: ``await acquire(key)`` before sending, ``release`` after."""

    def __init__(
        self,
        max_api_capacity: int = 50,
        *,
        clock: Clock,
        sleep: Sleep,
        stats: ApiStats | None = None,
        max_wait: float = DEFAULT_MAX_WAIT_S,
    ) -> None:
        if not 1 <= int(max_api_capacity) <= 100:
            raise ValueError("max_api_capacity: expected a percentage between 1 and 100")
        self.share = int(max_api_capacity)
        self._clock = clock
        self._sleep = sleep
        self.stats = stats if stats is not None else ApiStats()
        self.buckets: dict[str, Bucket] = {}
        self.max_wait = float(max_wait)
        self._skew = 0.0  # server clock minus ours, from Date headers
        self._skew_warned = False
        self._cond: LoopLocal[asyncio.Condition] = LoopLocal(asyncio.Condition)
        # The run's --deadline (the client sets both): a wait that would end past
        # ``deadline_at`` (local clock) is not started.
        self.deadline_at: float | None = None
        self.deadline_s: float | None = None

    def allowed(self, bucket: Bucket) -> int | None:
        """This run's share of the bucket's window, or None while the limit is unknown."""
        if bucket.limit is None:
            return None
        return max(1, math.floor(bucket.limit * self.share / 100))

    def server_now(self) -> float:
        return self._clock() + self._skew

    def usable_date(self, response: httpx.Response) -> float | None:
        """The response's ``Date`` as epoch seconds, or None when absent or not believable.

        A ``Date`` more than :data:`MAX_SKEW_S` from the local clock (years off, say) would
        turn every reset into a wait of that size; it is ignored, once with a warning.
        """
        date = header_date(response)
        if date is None:
            return None
        offset = date - self._clock()
        if abs(offset) <= MAX_SKEW_S:
            return date
        if not self._skew_warned:
            self._skew_warned = True
            side = "ahead of" if offset > 0 else "behind"
            self.stats.warnings.append(
                f"Okta's Date header is {abs(offset):.0f} s {side} this machine's clock (more than "
                f"{MAX_SKEW_S / 60:.0f} minutes): it was not used to time rate-limit waits; check "
                "the clock of this machine")
        return None

    async def acquire(self, key: str) -> None:
        cond = self._cond.get()
        while True:
            async with cond:
                bucket = self.buckets.setdefault(key, Bucket(key))
                wait = self._decide(bucket)
                if wait == 0.0:
                    bucket.used += 1
                    bucket.in_flight += 1
                    return
                if wait is None:
                    await cond.wait()
                    continue
                if wait > self.max_wait:
                    raise OktaRateLimitError(wait_refused(key, wait, bucket.reset, self.max_wait))
                self.check_wait(key, wait)
            # Sleep outside the lock so responses in flight can still be recorded.
            self.stats.rate_limit_waits += 1
            self.stats.rate_limit_wait_s += wait
            await self._sleep(wait)

    def check_wait(self, what: str, wait: float) -> None:
        """Raise ``OktaDeadlineError`` when waiting ``wait`` s would end past the deadline."""
        if self.deadline_at is None or self.deadline_s is None:
            return
        if self._clock() + wait > self.deadline_at:
            raise OktaDeadlineError(
                deadline_reason(what, self.deadline_s)
                + f": waiting {wait:.0f} s for {what}'s rate-limit window would end past it",
                seconds=self.deadline_s)

    def _decide(self, bucket: Bucket) -> float | None:
        """0 = go now; None = wait for a response in flight; > 0 = sleep that long."""
        now = self.server_now()
        if bucket.reset is not None and now >= bucket.reset:
            bucket.used = 0  # the window is over; the next response tells the new reset
            bucket.remaining = None
            bucket.passed = bucket.reset
            bucket.reset = None
        if not bucket.probed:
            return 0.0 if bucket.in_flight == 0 else None
        allowed = self.allowed(bucket)
        over_share = allowed is not None and bucket.used >= allowed
        exhausted = bucket.remaining is not None and bucket.remaining - bucket.in_flight <= 0
        if not (over_share or exhausted):
            return 0.0
        if bucket.reset is not None:
            return max(bucket.reset - now, 0.0) + WINDOW_MARGIN_S
        # No reset known for this window yet: a response in flight will tell it.
        return None if bucket.in_flight else 0.0

    async def release(self, key: str, response: httpx.Response | None) -> None:
        """Record a finished attempt (``response`` None for a transport failure)."""
        cond = self._cond.get()
        async with cond:
            bucket = self.buckets.setdefault(key, Bucket(key))
            bucket.in_flight = max(bucket.in_flight - 1, 0)
            bucket.probed = True
            if response is not None:
                self._learn(bucket, response)
            cond.notify_all()

    def _learn(self, bucket: Bucket, response: httpx.Response) -> None:
        date = self.usable_date(response)
        if date is not None:
            self._skew = date - self._clock()
        limit = header_int(response, "X-Rate-Limit-Limit")
        remaining = header_int(response, "X-Rate-Limit-Remaining")
        reset = header_int(response, "X-Rate-Limit-Reset")
        if reset is not None and (
            (bucket.reset is not None and reset < bucket.reset)
            or (bucket.passed is not None and reset <= bucket.passed)
        ):
            return  # a late answer from a window that is already over
        if limit is not None and limit > 0:
            bucket.limit = limit
        if reset is not None:
            bucket.reset = float(reset)
        if remaining is not None:
            bucket.remaining = remaining
        if response.status_code == 429 and reset is not None:
            bucket.remaining = 0
        self.stats.buckets[bucket.key] = {
            "limit": bucket.limit,
            "remaining": bucket.remaining,
            "reset": bucket.reset,
            "share": self.allowed(bucket),
        }
