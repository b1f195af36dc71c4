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

    def median(self, mode: str, key: str = "seconds") -> float | None:
        values = [m[key] for m in getattr(self, mode) if key in m]
        return round(statistics.median(values), 3) if values else None

    @property
    def resources(self) -> int | None:
        return self.bare[0].get("resources") if self.bare else None

    @property
    def ratio(self) -> float | None:
        check, bare = self.median("check"), self.median("bare")
        return round(check / bare, 2) if check and bare else None


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


def bench_offline(brands: int, repeats: int, log: Any = print) -> OfflineSize:
    shape = offline_shape(brands)
    result = OfflineSize(shape)
    with tempfile.TemporaryDirectory(prefix="sarguard-offline-") as tmp:
        project = write_project(shape, Path(tmp) / "project")
        for i in range(repeats):
            order = ("bare", "check") if i % 2 == 0 else ("check", "bare")
            for mode in order:
                found = measure(mode, project)
                if "error" in found:
                    result.problems.append(found["error"])
                    continue
                if mode == "check" and (found.get("exit") != 0 or found.get("failed")):
                    result.problems.append(f"check exit {found.get('exit')} with "
                                           f"{found.get('failed')} failing finding(s)")
                getattr(result, mode).append(found)
    log(f"  {brands} brands: check {result.median('check')} s, bare engine "
        f"{result.median('bare')} s ({result.resources} resources), ratio {result.ratio}"
        + (f"; PROBLEMS: {'; '.join(result.problems)}" if result.problems else ""))
    return result
