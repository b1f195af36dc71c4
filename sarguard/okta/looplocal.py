"""Per-event-loop objects.

asyncio locks, conditions and httpx connection pools belong to the loop that first used them.
The sync wrappers run each read in a fresh loop, so the client keeps such objects per loop and
rebuilds them when a new loop comes along.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class LoopLocal(Generic[T]):
    """Lazily builds one value per running event loop."""

    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._loop: weakref.ref[asyncio.AbstractEventLoop] | None = None
        self._value: T | None = None

    def get(self) -> T:
        loop = asyncio.get_running_loop()
        if self._loop is None or self._loop() is not loop or self._value is None:
            self._value = self._factory()
            self._loop = weakref.ref(loop)
        return self._value

    def current(self) -> T | None:
        """The value for the running loop if one was built, else None (no building)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return None
        if self._loop is not None and self._loop() is loop:
            return self._value
        return None

    def clear(self) -> None:
        self._loop = None
        self._value = None
