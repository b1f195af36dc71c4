"""Counters for one run's API use, so reports and benchmarks can show what an audit cost."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ApiStats:
    """Every HTTP attempt counts as a call (retries and 429s included)."""

    calls: int = 0
    calls_by_bucket: dict[str, int] = field(default_factory=dict)
    rate_limited: int = 0  # 429 responses received
    retries: int = 0  # requests re-sent (429, 5xx, timeouts, resets, bad JSON, DPoP nonce)
    bytes_sent: int = 0
    bytes_received: int = 0
    rate_limit_waits: int = 0  # times a call waited for its bucket's window to reset
    rate_limit_wait_s: float = 0.0
    backoff_wait_s: float = 0.0
    in_flight: int = 0
    max_in_flight: int = 0
    # bucket -> the last limit/remaining/reset Okta reported, filled by the rate limiter.
    buckets: dict[str, dict[str, Any]] = field(default_factory=dict)
    # What the run should say in the report's warnings (an unbelievable Date header…).
    warnings: list[str] = field(default_factory=list)

    def count_call(self, bucket: str, sent: int, received: int) -> None:
        self.calls += 1
        self.calls_by_bucket[bucket] = self.calls_by_bucket.get(bucket, 0) + 1
        self.bytes_sent += sent
        self.bytes_received += received

    def enter(self) -> None:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self) -> None:
        self.in_flight -= 1

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready view (``state.meta["api"]``)."""
        return {
            "calls": self.calls,
            "calls_by_bucket": dict(sorted(self.calls_by_bucket.items())),
            "rate_limited": self.rate_limited,
            "retries": self.retries,
            "bytes_sent": self.bytes_sent,
            "bytes_received": self.bytes_received,
            "rate_limit_waits": self.rate_limit_waits,
            "rate_limit_wait_s": round(self.rate_limit_wait_s, 3),
            "backoff_wait_s": round(self.backoff_wait_s, 3),
            "max_in_flight": self.max_in_flight,
            "buckets": {k: dict(v) for k, v in sorted(self.buckets.items())},
        }
