"""A virtual clock shared by the emulator and the CLI's Okta client.

Why: retries wait (exponential backoff, ``X-Rate-Limit-Reset`` up to a minute away). With one
clock for both sides, ``sleep`` advances time instead of waiting, so a minute-long rate-limit
wait costs nothing real while the emulator's windows, ``Date`` headers and token expiry still
agree with the client about what time it is.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable


class VirtualClock:
    """Wall time plus an offset; ``await sleep(s)`` adds ``s`` to the offset and returns."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()
        self._hooks: list[Callable[[int], None]] = []
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return time.time() + self._offset

    def on_sleep(self, hook: Callable[[int], None]) -> None:
        """Call ``hook(n)`` after the n-th sleep (a test uses it to clear a fault)."""
        self._hooks.append(hook)

    async def sleep(self, seconds: float) -> None:
        with self._lock:
            self._offset += max(float(seconds), 0.0)
            self.sleeps.append(float(seconds))
            count = len(self.sleeps)
            hooks = list(self._hooks)
        for hook in hooks:
            hook(count)
        await asyncio.sleep(0)
