"""Crash safety: ``kill -9`` the responder at seeded random points, restart it, and count from
the emulator's System Log what Okta saw.

One chain of processes: each run reports one user (a distinct user per run, so the cooldown
never hides a duplicate), waits a random 0-``window`` seconds, then kills the responder with
SIGKILL wherever it is — storing the delivery, planning, between an intent and its call,
between a call and its record, sending a notification. The next process is started at once and
is the next run's victim; it must recover what the last one left. A final process runs until
every report is answered. Reconciliation is on (every second): a report whose delivery hit a
dead responder is found in the System Log instead, so nothing may be missing at the end.

Expected: every report's password reset exactly once, sessions cleared at least once, a
notification at least once.
"""

from __future__ import annotations

import random
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.responder.harness import (
    EMU_TOKEN,
    ResponderProcess,
    acted_on,
    add_hook,
    bench_user,
    free_port,
    nothing_left,
    responder_env,
    seed,
    store_summary,
    wait_until,
    write_config,
)
from sarguard.emulator.notifysink import NotificationSink


@dataclass
class CrashResult:
    runs: int
    seed: int
    kill_delays_ms: list[float] = field(default_factory=list)
    resets: Counter[str] = field(default_factory=Counter)
    clears: Counter[str] = field(default_factory=Counter)
    notified: Counter[str] = field(default_factory=Counter)
    reconciled: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def crash_runs(runs: int, *, rng_seed: int = 1409, window_s: float = 0.25,
               workdir: Path | None = None, log: Callable[[str], None] = lambda _l: None
               ) -> CrashResult:
    """Run the chain; the result lists every problem found (empty when all held)."""
    from sarguard.emulator import Emulator
    from sarguard.emulator.control_client import ControlClient

    rng = random.Random(rng_seed)
    result = CrashResult(runs=runs, seed=rng_seed)
    started = time.perf_counter()
    folder = Path(workdir or tempfile.mkdtemp(prefix="sarguard-crash-"))
    database = f"sqlite:///{folder / 'responder.db'}"
    with Emulator(seed=seed(runs), token="bench-emulator-control-token", latency_ms=15) as emu, \
            NotificationSink() as sink:
        config = write_config(folder / "responder.yaml", org_url=emu.url, database=database,
                              extra="reconcile: 1s\ncooldown: off\n")
        env = responder_env(sink.url)
        port = free_port()
        process = ResponderProcess(config, port, env, folder / "responder.log")
        add_hook(emu.url, EMU_TOKEN, process.url)
        control = ControlClient(emu.url, emu.token)
        for run in range(runs):
            # Each report from its own network: the chain is about kill -9, and reports sharing
            # a /24 would become one campaign, whose per-user messages fold into a digest.
            control.report({"userId": bench_user(run), "ip": f"100.{64 + run // 256 % 64}.{run % 256}.7"})
            delay = rng.uniform(0, window_s)
            result.kill_delays_ms.append(round(delay * 1000, 1))
            time.sleep(delay)
            process.kill()
            log(f"  run {run + 1}/{runs}: killed {delay * 1000:.0f} ms after the report")
            process = ResponderProcess(config, port, env, folder / "responder.log")
        users = [bench_user(i) for i in range(runs)]

        def all_done() -> bool:
            resets = acted_on(emu.url, EMU_TOKEN, "user.account.reset_password")
            summary = store_summary(database)
            return (all(resets[u] >= 1 for u in users) and nothing_left(summary)
                    and summary["events"]["awaitingPlanning"] == 0)
        try:
            wait_until(all_done, 120, "every report answered after the last restart")
        except TimeoutError as exc:
            result.problems.append(str(exc))
        result.resets = acted_on(emu.url, EMU_TOKEN, "user.account.reset_password")
        result.clears = acted_on(emu.url, EMU_TOKEN, "user.session.clear")
        process.stop()
        result.notified = Counter(u for m in sink.messages for u in users if u in m["message"])
        result.reconciled = store_summary(database)["reports"]["byOrigin"]["reconciled"]
    for user in users:
        if result.resets[user] != 1:
            result.problems.append(f"{user}: password reset {result.resets[user]} time(s)")
        if result.clears[user] < 1:
            result.problems.append(f"{user}: sessions never cleared")
        if result.notified[user] < 1:
            result.problems.append(f"{user}: never notified")
    result.seconds = time.perf_counter() - started
    if result.problems:
        result.problems.append(f"the logs and the store are kept in {folder}")
    elif workdir is None:
        shutil.rmtree(folder, ignore_errors=True)
    return result

