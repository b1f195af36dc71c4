"""Keep the responder's background loops alive, and give up loudly when that fails.

Why: each loop (planner, workers, heartbeat, reconciliation) already survives one bad event
or action; a loop that dies anyway (a bug, an exception nobody foresaw) would otherwise leave
reports waiting for ever while ``/healthz`` says ok. So a dead loop is restarted with a log
line and counted; a loop dying again after :data:`MAX_RESTARTS` restarts within
:data:`WINDOW_S` makes the process give up (``on_fatal``) and exits non-zero so its supervisor (systemd, Kubernetes)
starts a fresh one. ``/status`` shows each loop's state.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sarguard.util.redaction import redact

log = logging.getLogger("sarguard.responder")
MAX_RESTARTS = 5
WINDOW_S = 60.0
RESTART_DELAY_S = 0.2
RUNNING, RESTARTING, DOWN, STOPPED = "running", "restarting", "down", "stopped"


@dataclass
class LoopState:
    """One loop as ``/status`` shows it."""

    name: str
    state: str = RUNNING
    restarts: int = 0
    last_error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"state": self.state, "restarts": self.restarts, "lastError": self.last_error}


@dataclass
class Supervisor:
    """Runs loops, restarts the ones that die; ``fatal`` once they die too often."""

    on_fatal: Callable[[str], None]
    on_restart: Callable[[str], None] = lambda name: None
    clock: Callable[[], float] = time.monotonic
    loops: dict[str, LoopState] = field(default_factory=dict)
    fatal: str | None = None
    _recent: collections.deque[float] = field(default_factory=collections.deque)

    @property
    def all_running(self) -> bool:
        return self.fatal is None and all(s.state in (RUNNING, STOPPED)
                                          for s in self.loops.values())

    def start(self, name: str, loop: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
        self.loops[name] = LoopState(name)
        return asyncio.create_task(self.run(name, loop), name=name)

    async def run(self, name: str, loop: Callable[[], Awaitable[None]]) -> None:
        state = self.loops.setdefault(name, LoopState(name))
        while True:
            state.state = RUNNING
            try:
                await loop()
            except asyncio.CancelledError:
                state.state = STOPPED
                raise
            except Exception as exc:  # noqa: BLE001 - the point: nothing ends a loop silently
                reason = redact(f"{type(exc).__name__}: {exc}")[:300]
                state.last_error = reason
                if not self._count_restart():
                    state.state = DOWN
                    self.fatal = (f"the {name} loop died again after {MAX_RESTARTS} restarts "
                                  f"within {WINDOW_S:g} s (last: {reason})")
                    log.critical("%s; exiting so the process is restarted", self.fatal)
                    self.on_fatal(self.fatal)
                    return
                state.state, state.restarts = RESTARTING, state.restarts + 1
                self.on_restart(name)
                log.error("the %s loop died (%s); restarting it (restart %d)", name, reason,
                          state.restarts, exc_info=exc)
                await asyncio.sleep(RESTART_DELAY_S)
                continue
            state.state = STOPPED
            return

    def _count_restart(self) -> bool:
        """Record a death; False when :data:`MAX_RESTARTS` restarts within the window came
        before it (the process gives up)."""
        now = self.clock()
        while self._recent and now - self._recent[0] > WINDOW_S:
            self._recent.popleft()
        self._recent.append(now)
        return len(self._recent) <= MAX_RESTARTS
