"""Fault injection: make chosen paths fail the ways real networks and servers fail.

Spec: comma-separated ``PATH_PREFIX:KIND[@RATE]`` items, e.g.
``/api/v1/logs:503@0.5,/api/v1/eventHooks:timeout``. Kinds: ``500``, ``502``, ``503``,
``429`` (with rate-limit headers), ``429-noheaders``, ``timeout`` (hold the request, then drop
it), ``reset`` (drop the connection without an answer) and ``malformed`` (200 with broken
JSON). RATE is the share of matching requests that fail (0..1, default 1). Draws come from one
RNG seeded with ``rng_seed``, so a given request sequence fails the same way every run.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import Any

from sarguard.emulator.errors import EmulatorError
from sarguard.emulator.ratelimit import prefix_matches

KINDS: tuple[str, ...] = (
    "500", "502", "503", "429", "429-noheaders", "timeout", "reset", "malformed",
)


@dataclass(frozen=True)
class Fault:
    prefix: str
    kind: str
    rate: float = 1.0

    def __str__(self) -> str:
        return f"{self.prefix}:{self.kind}" + ("" if self.rate == 1.0 else f"@{self.rate:g}")


def _parse_item(item: str) -> Fault:
    text = item.strip()
    prefix, sep, rest = text.rpartition(":")
    if not sep or not prefix.startswith("/"):
        raise EmulatorError(
            f"faults: {text!r}: expected PATH_PREFIX:KIND[@RATE] (e.g. /api/v1/logs:503@0.5)"
        )
    kind, _, rate_text = rest.partition("@")
    return _fault(prefix, kind.strip(), rate_text.strip() or "1", text)


def _fault(prefix: Any, kind: Any, rate: Any, shown: str) -> Fault:
    if not isinstance(prefix, str) or not prefix.startswith("/"):
        raise EmulatorError(f"faults: {shown!r}: expected a path prefix starting with /")
    kind = str(kind)
    if kind not in KINDS:
        raise EmulatorError(f"faults: {shown!r}: unknown kind {kind!r} "
                            f"(expected one of {', '.join(KINDS)})")
    try:
        value = float(rate)
    except (TypeError, ValueError):
        value = -1.0
    if not 0.0 <= value <= 1.0 or isinstance(rate, bool):
        raise EmulatorError(f"faults: {shown!r}: expected RATE between 0 and 1, got {rate!r}")
    return Fault(prefix, kind, value)


def parse_faults(spec: str | list | None) -> list[Fault]:
    """Parse a CLI string, or a list of such strings / ``{path, kind, rate}`` dicts."""
    if spec is None:
        return []
    if isinstance(spec, str):
        return [_parse_item(part) for part in spec.split(",") if part.strip()]
    if isinstance(spec, list | tuple):
        out: list[Fault] = []
        for item in spec:
            if isinstance(item, Fault):
                out.append(item)
            elif isinstance(item, str):
                out.extend(parse_faults(item))
            elif isinstance(item, dict):
                out.append(_fault(item.get("path"), item.get("kind"), item.get("rate", 1),
                                  str(item)))
            else:
                raise EmulatorError(f"faults: {item!r}: expected a string or a mapping "
                                    "with path, kind and rate")
        return out
    raise EmulatorError(f"faults: expected a string or a list, got {type(spec).__name__}")


class FaultInjector:
    """Picks the fault (if any) for a request; changeable at runtime."""

    def __init__(self, faults: list[Fault], rng_seed: int) -> None:
        self._lock = threading.Lock()
        self._faults = list(faults)
        self._rng = random.Random(rng_seed)

    @property
    def faults(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def set(self, faults: list[Fault]) -> None:
        with self._lock:
            self._faults = list(faults)

    def pick(self, path: str) -> Fault | None:
        """The first configured fault matching ``path`` that fires for this request."""
        with self._lock:
            for fault in self._faults:
                if not prefix_matches(fault.prefix, path):
                    continue
                if fault.rate >= 1.0 or self._rng.random() < fault.rate:
                    return fault
        return None
