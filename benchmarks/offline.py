"""Offline check scaling: ``sarguard check`` vs the bare Pulumi mock engine, by org size.

Each measurement is one fresh process (:mod:`benchmarks.offline_worker`); repeats alternate
which mode goes first so a warm disk cache or a busy neighbour does not favour one side, and
the median is reported.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.orggen import OrgShape, write_project

OFFLINE_LANGUAGES = ("en", "fr", "de")
REPO = Path(__file__).resolve().parents[1]


@dataclass
class OfflineSize:
    """Every measurement at one size."""

    shape: OrgShape
    check: list[dict[str, Any]] = field(default_factory=list)
    bare: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # ``check --stack`` on a program declaring the same resources with pulumi-okta classes.
    check_raw: list[dict[str, Any]] = field(default_factory=list)

    def median(self, mode: str, key: str = "seconds") -> float | None:
        values = [m[key] for m in getattr(self, mode.replace("-", "_")) if key in m]
        return round(statistics.median(values), 3) if values else None

    @property
    def resources(self) -> int | None:
        return self.bare[0].get("resources") if self.bare else None

    @property
    def ratio(self) -> float | None:
        return self.ratio_of("check")

    def ratio_of(self, mode: str) -> float | None:
        """``mode``'s median time over the bare engine's (None when either is missing)."""
        measured, bare = self.median(mode), self.median("bare")
        return round(measured / bare, 2) if measured and bare else None


def offline_shape(brands: int) -> OrgShape:
    return OrgShape(brands=brands, languages=OFFLINE_LANGUAGES)


def measure(mode: str, project: Path, timeout_s: float = 900.0) -> dict[str, Any]:
    """One worker run; a failure comes back as ``{"error": ...}``, never an exception."""
    try:
        proc = subprocess.run([sys.executable, "-m", "benchmarks.offline_worker", mode,
                               str(project)], capture_output=True, text=True,
                              timeout=timeout_s, cwd=str(REPO))
    except subprocess.TimeoutExpired:
        return {"error": f"{mode}: did not finish within {timeout_s:.0f} s"}
    if proc.returncode != 0 or not proc.stdout.strip():
        tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
        return {"error": f"{mode}: exit {proc.returncode}: {tail}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


RAW_FROM = 10  # brands: the raw-resource program is measured from this size on


def bench_offline(brands: int, repeats: int, log: Any = print, *,
                  modes: tuple[str, ...] | None = None) -> OfflineSize:
    """``modes`` (default: check and bare, plus check-raw from :data:`RAW_FROM` brands) at one
    size, ``repeats`` times each, rotating which goes first."""
    from benchmarks.offline_worker import write_raw_project

    shape = offline_shape(brands)
    result = OfflineSize(shape)
    if modes is None:
        modes = ("bare", "check", "check-raw") if brands >= RAW_FROM else ("bare", "check")
    with tempfile.TemporaryDirectory(prefix="sarguard-offline-") as tmp:
        project = write_project(shape, Path(tmp) / "project")
        if "check-raw" in modes:
            write_raw_project(project)
        for i in range(repeats):
            order = modes[i % len(modes):] + modes[:i % len(modes)]
            for mode in order:
                found = measure(mode, project)
                if "error" in found:
                    result.problems.append(found["error"])
                    continue
                if mode == "check" and (found.get("exit") != 0 or found.get("failed")):
                    result.problems.append(f"check exit {found.get('exit')} with "
                                           f"{found.get('failed')} failing finding(s)")
                getattr(result, mode.replace("-", "_")).append(found)
    raw = f", raw program {result.median('check-raw')} s (ratio {result.ratio_of('check-raw')})" \
        if result.check_raw else ""
    log(f"  {brands} brands: check {result.median('check')} s, bare engine "
        f"{result.median('bare')} s ({result.resources} resources), ratio {result.ratio}{raw}"
        + _problems(result.problems))
    return result


def _problems(problems: list[str]) -> str:
    """The tail of a size's log line: what went wrong, if anything."""
    return f"; PROBLEMS: {'; '.join(problems)}" if problems else ""


@dataclass
class DeclaredSide:
    """Drift's declared side (``run_program``) against the bare engine at one size."""

    brands: int
    declared: list[float] = field(default_factory=list)
    bare: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        if not self.declared or not self.bare:
            return None
        return round(statistics.median(self.declared) / statistics.median(self.bare), 2)


def bench_declared(brands: int, repeats: int, log: Any = print) -> DeclaredSide:
    """Drift's declared side vs the bare engine registering the same resources."""
    result = DeclaredSide(brands)
    with tempfile.TemporaryDirectory(prefix="sarguard-declared-") as tmp:
        project = write_project(offline_shape(brands), Path(tmp) / "project")
        for i in range(repeats):
            for mode in (("bare-run", "declared") if i % 2 == 0 else ("declared", "bare-run")):
                found = measure(mode, project)
                if "error" in found:
                    result.problems.append(found["error"])
                    continue
                (result.bare if mode == "bare-run" else result.declared).append(found["seconds"])
    log(f"  drift's declared side, {brands} brands: {_median(result.declared)} s, bare engine "
        f"{_median(result.bare)} s, ratio {result.ratio}" + _problems(result.problems))
    return result


@dataclass
class StartUp:
    """Wall time from process start: ``sarguard check`` on a two-brand stack, and the floor
    (``python -c "import pulumi_okta"``)."""

    check: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def check_s(self) -> float | None:
        return _median(self.check)

    @property
    def floor_s(self) -> float | None:
        return _median(self.floor)


def bench_startup(repeats: int, log: Any = print) -> StartUp:
    """Whole processes, as a user starts them (the console script's interpreter, imports
    included), alternating which goes first."""
    import time

    result = StartUp()
    with tempfile.TemporaryDirectory(prefix="sarguard-startup-") as tmp:
        project = write_project(offline_shape(2), Path(tmp) / "project")
        check = [sys.executable, "-m", "sarguard", "check", "--stack", "bench", "--project-dir",
                 str(project), "--format", "json", "--output", str(Path(tmp) / "report.json")]
        floor = [sys.executable, "-c", "import pulumi_okta"]
        for i in range(repeats):
            for name, argv in (("check", check), ("floor", floor))[:: 1 if i % 2 == 0 else -1]:
                started = time.perf_counter()
                proc = subprocess.run(argv, capture_output=True, text=True, timeout=300)
                seconds = time.perf_counter() - started
                if proc.returncode != 0:
                    tail = " | ".join(proc.stderr.strip().splitlines()[-2:])
                    result.problems.append(f"{name}: exit {proc.returncode}: {tail}")
                    continue
                getattr(result, name).append(round(seconds, 3))
    log(f"  sarguard check, two brands, from process start: {result.check_s} s; "
        f"python -c 'import pulumi_okta': {result.floor_s} s" + _problems(result.problems))
    return result


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None
