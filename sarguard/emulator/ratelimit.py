"""Okta-style rate limits: path-prefix buckets, fixed one-minute windows, headers on every answer.

Why prefixes with longest-match: Okta gives ``/api/v1/logs`` its own, smaller budget than the
rest of ``/api/v1``; a reader that polls the System Log must not starve (or be starved by) the
configuration reads. Windows follow the injectable clock so tests never wait a real minute.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sarguard.emulator.errors import EmulatorError

WINDOW_S = 60
# Limit advertised when no bucket is configured: headers are sent, nothing is enforced.
UNLIMITED = 10_000
DEFAULT_BUCKET = "*"
_ITEM = re.compile(r"^\s*(?P<prefix>/[^=\s]*)\s*=\s*(?P<n>\d+)\s*(?:/\s*min)?\s*$")


@dataclass(frozen=True)
class Decision:
    bucket: str
    allowed: bool
    limit: int
    remaining: int
    reset: int  # epoch seconds when the window ends

    def headers(self) -> dict[str, str]:
        return {
            "X-Rate-Limit-Limit": str(self.limit),
            "X-Rate-Limit-Remaining": str(self.remaining),
            "X-Rate-Limit-Reset": str(self.reset),
        }


def parse_limits(spec: dict[str, int] | str | None) -> dict[str, int]:
    """``{"/api/v1": 600}`` or ``"/api/v1=600/min,/api/v1/logs=120/min"`` -> {prefix: per min}."""
    if spec is None:
        return {}
    if isinstance(spec, str):
        out: dict[str, int] = {}
        for item in (part for part in spec.split(",") if part.strip()):
            found = _ITEM.match(item)
            if not found:
                raise EmulatorError(
                    f"rate limits: {item.strip()!r}: expected PATH_PREFIX=N/min "
                    "(e.g. /api/v1=600/min,/api/v1/logs=120/min)"
                )
            out[found["prefix"]] = int(found["n"])
        return _checked(out)
    if isinstance(spec, dict):
        return _checked(dict(spec))
    raise EmulatorError(f"rate limits: expected a dict or a string, got {type(spec).__name__}")


def _checked(limits: dict) -> dict[str, int]:
    for prefix, n in limits.items():
        if not isinstance(prefix, str) or not prefix.startswith("/"):
            raise EmulatorError(f"rate limits: {prefix!r}: expected a path prefix starting with /")
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise EmulatorError(f"rate limits: {prefix}: expected a positive integer per minute, "
                                f"got {n!r}")
    return limits


class RateLimiter:
    """Counts requests per bucket and window; thread-safe."""

    def __init__(self, limits: dict[str, int], clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._limits = dict(limits)
        self._counts: dict[tuple[str, int], int] = {}

    def configure(self, limits: dict[str, int]) -> None:
        with self._lock:
            self._limits = dict(limits)
            self._counts.clear()

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()

    def bucket_for(self, path: str) -> str:
        """The longest configured prefix that matches ``path`` on a segment boundary."""
        return longest_prefix(self._limits, path) or DEFAULT_BUCKET

    def hit(self, path: str) -> Decision:
        """Count one request against its bucket and say whether it may proceed."""
        now = self._clock()
        window = int(math.floor(now / WINDOW_S))
        reset = (window + 1) * WINDOW_S
        with self._lock:
            bucket = self.bucket_for(path)
            limit = self._limits.get(bucket, UNLIMITED)
            key = (bucket, window)
            used = self._counts.get(key, 0) + 1
            self._counts[key] = used
            for old in [k for k in self._counts if k[0] == bucket and k[1] < window]:
                del self._counts[old]
        enforced = bucket != DEFAULT_BUCKET
        allowed = not enforced or used <= limit
        return Decision(bucket, allowed, limit, max(limit - used, 0), reset)

    def peek(self, path: str) -> Decision:
        """The current state of a path's bucket without counting a request."""
        now = self._clock()
        window = int(math.floor(now / WINDOW_S))
        with self._lock:
            bucket = self.bucket_for(path)
            limit = self._limits.get(bucket, UNLIMITED)
            used = self._counts.get((bucket, window), 0)
        return Decision(bucket, True, limit, max(limit - used, 0), (window + 1) * WINDOW_S)


def prefix_matches(prefix: str, path: str) -> bool:
    """``/api/v1`` matches ``/api/v1`` and ``/api/v1/x`` but not ``/api/v10``."""
    base = prefix.rstrip("/")
    return path == base or path.startswith(base + "/") or not base


def longest_prefix(prefixes: Iterable[str], path: str) -> str | None:
    """The longest of ``prefixes`` matching ``path`` (None when none does)."""
    matching = [p for p in prefixes if prefix_matches(p, path)]
    return max(matching, key=lambda p: len(p.rstrip("/")), default=None)
