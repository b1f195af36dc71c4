"""Large-org drift: ``sarguard drift`` and the Okta SDK baseline, each against a fresh emulator.

Each run gets its own emulator (same seed, latency and Okta-like rate buckets) so neither
inherits the other's spent budget. The client under test runs in a child process and the
emulator in this one, so they do not share an interpreter lock. API calls and 429s are counted
by the emulator (``Emulator.requests``), not by the client: a client cannot under-report itself.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.orggen import STACK, OrgShape, build_seed, write_project

RATE_LIMITS = {"/api/v1": 600, "/api/v1/logs": 120}  # per minute, like Okta's buckets
API_BUCKET = "/api/v1"
WINDOW_S = 60
PAGE = 200  # the largest page Okta serves for brands, templates and customizations
LOG_PAGE = 1000
SWITCH_INTERVAL_S = 0.001
BASELINE = Path(__file__).resolve().with_name("sdk_baseline.py")
REPO = Path(__file__).resolve().parents[1]
# Credentials and org settings from the caller's environment must not leak into a run.
_SCRUB = ("OKTA_", "SARGUARD_")


@dataclass(frozen=True)
class LiveSettings:
    """How the org is served and how sarguard may use it."""

    latency_ms: float = 100.0
    concurrency: int = 8
    max_api_capacity: int = 50
    rate_limits: dict[str, int] = field(default_factory=lambda: dict(RATE_LIMITS))
    timeout_s: float = 300.0  # per sarguard run
    sdk_timeout_s: float = 420.0  # the baseline's bound: at 50 brands it needs minutes


@dataclass
class LiveRun:
    """One client run against one fresh emulator."""

    tool: str  # "sarguard" or "sdk"
    brands: int
    exit_code: int | None
    wall_s: float  # the child process, imports included
    read_s: float | None  # the live read itself (sarguard: timings.live; sdk: its reads)
    calls: int
    calls_by_bucket: dict[str, int]
    status_429: int
    failed_calls: int  # 5xx or dropped
    timings: dict[str, float] = field(default_factory=dict)
    self_reported_calls: int | None = None
    cut_off_s: float | None = None  # the bound a run was stopped at, when it was
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "ok": self.ok}


def fewest_calls(shape: OrgShape) -> dict[str, int]:
    """The fewest API calls that read everything the live audit needs, by section.

    Brands at the largest page; one template listing per brand with settings and
    customization counts embedded; customizations only for customized templates; one call
    each for hooks (not paged), the two role subscriptions, ThreatInsight and the internal
    notification switches; the System Log evidence as one combined bounded query.
    """
    from sarguard.settings.okta_facts import OKTA_TEMPLATES

    customized = shape.brands * len(shape.templates)
    return {
        "brands": math.ceil(shape.brands / PAGE),
        "templates": shape.brands * math.ceil(len(OKTA_TEMPLATES) / PAGE),
        "customizations": customized * math.ceil(len(shape.languages) / PAGE),
        "eventHooks": 1,
        "roleSubscriptions": 2,
        "threatInsight": 1,
        "notifications": 1,
        "systemLog": max(1, math.ceil(shape.report_events / LOG_PAGE)),
    }


def api_bucket_calls(fewest: dict[str, int]) -> int:
    """The fewest calls that draw on the ``/api/v1`` bucket (not logs, not the admin host)."""
    return sum(v for k, v in fewest.items() if k not in ("systemLog", "notifications"))


def floor_seconds(shape: OrgShape, settings: LiveSettings) -> float:
    """fewest calls x latency / concurrency, plus a window reset for every extra window the
    capped budget needs (assuming the run starts as a window opens)."""
    fewest = fewest_calls(shape)
    limit = settings.rate_limits.get(API_BUCKET, 0)
    waits = 0.0
    if limit:
        budget = max(1, math.floor(limit * settings.max_api_capacity / 100))
        waits = max(0, math.ceil(api_bucket_calls(fewest) / budget) - 1) * WINDOW_S
    return sum(fewest.values()) * settings.latency_ms / 1000 / settings.concurrency + waits


def _env(token: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_SCRUB)}
    env.update(OKTA_API_TOKEN=token, SARGUARD_NO_PROGRESS="1",
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])))
    return env


def _redacted(text: str, secret: str) -> str:
    return text.replace(secret, "[redacted]") if secret else text


def _tail(text: str, lines: int = 3) -> str:
    return " | ".join(text.strip().splitlines()[-lines:])


def _count(run: LiveRun, requests: list[Any]) -> None:
    run.calls = len(requests)
    run.calls_by_bucket = dict(sorted(Counter(r.bucket for r in requests).items()))
    run.status_429 = sum(1 for r in requests if r.status == 429)
    run.failed_calls = sum(1 for r in requests if r.status is None or r.status >= 500)


@contextmanager
def _emulator(shape: OrgShape, settings: LiveSettings,
              seed: dict[str, Any] | None = None) -> Iterator[Any]:
    """A started emulator serving ``shape``.

    While it serves, this process switches threads every 1 ms instead of Python's default
    5 ms: the emulator answers each request on its own thread, and with eight requests in
    flight the default interval let waiting threads queue for the interpreter lock, adding
    5-12 ms to every answer (measured) -- a cost Okta's servers do not have and that the
    latency floor does not include.
    """
    from sarguard.emulator import Emulator

    emu = Emulator(seed=seed or build_seed(shape), latency_ms=settings.latency_ms,
                   rate_limits=dict(settings.rate_limits))
    with _fast_switching(), emu:
        yield emu


_switching = {"depth": 0, "previous": 0.005}
_switching_lock = threading.Lock()


@contextmanager
def _fast_switching() -> Iterator[None]:
    """Set the 1 ms switch interval while any emulator serves (several may, from threads)."""
    with _switching_lock:
        if _switching["depth"] == 0:
            _switching["previous"] = sys.getswitchinterval()
            sys.setswitchinterval(SWITCH_INTERVAL_S)
        _switching["depth"] += 1
    try:
        yield
    finally:
        with _switching_lock:
            _switching["depth"] -= 1
            if _switching["depth"] == 0:
                sys.setswitchinterval(_switching["previous"])


def run_sarguard(shape: OrgShape, project: Path, settings: LiveSettings,
                 seed: dict[str, Any] | None = None) -> LiveRun:
    """``sarguard drift`` for real (a child process) against a fresh emulator."""
    run = LiveRun("sarguard", shape.brands, None, 0.0, None, 0, {}, 0, 0)
    stderr = ""
    with tempfile.TemporaryDirectory(prefix="sarguard-bench-") as tmp, \
            _emulator(shape, settings, seed) as emu:
        report_file = Path(tmp) / "drift.json"
        cmd = [sys.executable, "-m", "sarguard", "drift", "--stack", STACK,
               "--project-dir", str(project), "--org-url", emu.url, "--format", "json",
               "--output", str(report_file), "--max-api-capacity",
               str(settings.max_api_capacity), "--concurrency", str(settings.concurrency)]
        started = time.perf_counter()
        try:
            proc = subprocess.run(cmd, env=_env(emu.token), capture_output=True, text=True,
                                  timeout=settings.timeout_s, cwd=str(REPO))
            run.exit_code = proc.returncode
            stderr = _redacted(proc.stderr, emu.token)
        except subprocess.TimeoutExpired:
            run.problems.append(f"did not finish within {settings.timeout_s:.0f} s")
        run.wall_s = round(time.perf_counter() - started, 3)
        _count(run, list(emu.requests))
        report = json.loads(report_file.read_text("utf-8")) if report_file.is_file() else None
    if run.exit_code is not None and run.exit_code != 0:
        run.problems.append(f"exit {run.exit_code} (expected 0: the org matches the stack)"
                            + (f": {_tail(stderr)}" if stderr.strip() else ""))
    if report is not None:
        _check_report(run, report)
    elif not run.problems:
        run.problems.append("no report was written")
    return run


def _check_report(run: LiveRun, report: dict[str, Any]) -> None:
    run.timings = {k: float(v) for k, v in (report.get("timings") or {}).items()}
    run.read_s = run.timings.get("live")
    api = (report.get("evidence") or {}).get("api") or {}
    run.self_reported_calls = api.get("calls")
    if report.get("drift"):
        run.problems.append(f"{len(report['drift'])} unexpected drift item(s)")
    if report.get("unread"):
        run.problems.append(f"{len(report['unread'])} unread item(s): "
                            + "; ".join(u.get("reason", "") for u in report["unread"][:2]))
    if run.self_reported_calls is not None and run.self_reported_calls != run.calls:
        run.problems.append(f"sarguard counted {run.self_reported_calls} calls, the emulator "
                            f"{run.calls}")


def run_sdk(shape: OrgShape, settings: LiveSettings,
            seed: dict[str, Any] | None = None) -> LiveRun:
    """The Okta SDK baseline script (a child process) against a fresh emulator."""
    run = LiveRun("sdk", shape.brands, None, 0.0, None, 0, {}, 0, 0)
    with _emulator(shape, settings, seed) as emu:
        token = emu.token
        env = _env(token)
        env["OKTA_TESTING_TESTINGDISABLEHTTPSCHECK"] = "true"
        started = time.perf_counter()
        try:
            proc = subprocess.run([sys.executable, str(BASELINE), "--org-url", emu.url], env=env,
                                  capture_output=True, text=True,
                                  timeout=settings.sdk_timeout_s, cwd=str(REPO))
            run.exit_code = proc.returncode
            stdout, stderr = _redacted(proc.stdout, token), _redacted(proc.stderr, token)
        except subprocess.TimeoutExpired:
            stdout = stderr = ""
            run.cut_off_s = settings.sdk_timeout_s
            run.problems.append(f"did not finish within {settings.sdk_timeout_s:.0f} s (bounded)")
        run.wall_s = round(time.perf_counter() - started, 3)
        _count(run, list(emu.requests))
    if run.exit_code not in (None, 0):
        run.problems.append(f"exit {run.exit_code}: {_tail(stderr or stdout)}")
    if stdout.strip():
        check_sdk_result(run, shape, json.loads(stdout.strip().splitlines()[-1]))
    return run


def check_sdk_result(run: LiveRun, shape: OrgShape, result: dict[str, Any]) -> None:
    """Record as problems any section the baseline read short, and its SDK errors."""
    run.read_s = result.get("seconds")
    expected = {"brands": shape.brands, "customizations": shape.customizations,
                "settings": shape.brands * len(shape.templates), "event_hooks": shape.hooks,
                "role_subscriptions": 2}
    for key, want in expected.items():
        if result.get(key) != want:
            run.problems.append(f"SDK read {result.get(key)} {key}, expected {want}")
    run.problems.extend(f"SDK error: {e}" for e in result.get("errors") or [])


@dataclass
class SizeResult:
    """Every run at one org size, with the yardsticks the targets are measured against."""

    shape: OrgShape
    fewest: dict[str, int]
    floor_s: float
    sarguard: list[LiveRun]
    sdk: list[LiveRun]

    @property
    def fewest_total(self) -> int:
        return sum(self.fewest.values())

    def median_read(self, tool: str) -> float | None:
        runs = self.sarguard if tool == "sarguard" else self.sdk
        reads = [r.read_s for r in runs if r.ok and r.read_s is not None]
        return round(statistics.median(reads), 3) if reads else None


def bench_size(shape: OrgShape, settings: LiveSettings, *, sarguard_runs: int = 3,
               sdk_runs: int = 1, log: Any = print) -> SizeResult:
    """All runs at one size; the project and seed are generated once and reused."""
    seed = build_seed(shape)
    with tempfile.TemporaryDirectory(prefix="sarguard-bench-") as tmp:
        project = write_project(shape, Path(tmp) / "project")
        ours = []
        for i in range(sarguard_runs):
            ours.append(run_sarguard(shape, project, settings, seed))
            log(f"  sarguard drift #{i + 1}: {_line(ours[-1])}")
    theirs = []
    for i in range(sdk_runs):
        theirs.append(run_sdk(shape, settings, seed))
        log(f"  SDK baseline #{i + 1}: {_line(theirs[-1])}")
    return SizeResult(shape, fewest_calls(shape), round(floor_seconds(shape, settings), 3),
                      ours, theirs)


def _line(run: LiveRun) -> str:
    read = f"{run.read_s:.2f} s read" if run.read_s is not None else "no read time"
    state = "ok" if run.ok else "FAILED: " + "; ".join(run.problems)
    return f"{read}, {run.calls} calls, {run.status_429} x 429, wall {run.wall_s:.1f} s, {state}"
