"""The benchmark targets across consecutive runs: the issues ask for targets *held* over
several ``make bench`` runs, not met once, so each full run records its target figures here
and RESULTS.md shows the last few side by side.

``benchmarks/history.json`` (committed with RESULTS.md) keeps the last :data:`KEEP` runs of each
suite: ``{"runs": [{"suite", "started", "targets": [{"name", "wanted", "measured", "met"}]}]}``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

FILE = "history.json"
KEEP = 5  # runs per suite
HELD_OVER = 3  # "held in three consecutive runs"


class TargetLike(Protocol):
    name: str
    wanted: str
    measured: str
    met: bool | None


def load(folder: Path) -> list[dict[str, Any]]:
    """The recorded runs, oldest first ([] when there is no history or it is unreadable)."""
    try:
        data = json.loads((folder / FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return []
    runs = data.get("runs") if isinstance(data, dict) else None
    return [r for r in runs if isinstance(r, dict)] if isinstance(runs, list) else []


def record(folder: Path, suite: str, started: str, targets: Iterable[TargetLike]) -> list[dict[str, Any]]:
    """Add one run of ``suite`` and keep the last :data:`KEEP` of each suite; returns the
    suite's runs, oldest first."""
    runs = load(folder)
    runs.append({"suite": suite, "started": started,
                 "targets": [{"name": t.name, "wanted": t.wanted, "measured": t.measured,
                              "met": t.met} for t in targets]})
    kept: list[dict[str, Any]] = []
    for name in dict.fromkeys(r.get("suite") for r in runs):
        kept += [r for r in runs if r.get("suite") == name][-KEEP:]
    kept.sort(key=lambda r: str(r.get("started")))
    (folder / FILE).write_text(json.dumps({"runs": kept}, indent=2) + "\n", "utf-8")
    return [r for r in kept if r.get("suite") == suite]


def held(runs: list[dict[str, Any]], name: str, over: int = HELD_OVER) -> bool | None:
    """Whether target ``name`` was met in each of the last ``over`` runs (None: fewer runs
    measured it)."""
    verdicts = [t.get("met") for r in runs for t in r.get("targets", []) if t.get("name") == name]
    if len(verdicts) < over:
        return None
    return all(v is True for v in verdicts[-over:])


def render(runs: list[dict[str, Any]]) -> list[str]:
    """A Markdown table: one row a target, one column a run (newest last), and whether the
    target held over the last :data:`HELD_OVER` runs."""
    if not runs:
        return []
    names = list(dict.fromkeys(t.get("name") for r in runs for t in r.get("targets", [])))
    header = "| target | wanted | " + " | ".join(str(r.get("started")) for r in runs) + \
        f" | held over the last {HELD_OVER} |"
    lines = [header, "|" + "---|" * (len(runs) + 3)]
    for name in names:
        wanted = next((t.get("wanted") for r in reversed(runs) for t in r.get("targets", [])
                       if t.get("name") == name), "")
        cells = []
        for run in runs:
            found = next((t for t in run.get("targets", []) if t.get("name") == name), None)
            cells.append("-" if found is None else
                         f"{found.get('measured')}{'' if found.get('met') is not False else ' (missed)'}")
        verdict = held(runs, str(name))
        lines.append(f"| {name} | {wanted} | " + " | ".join(cells) + " | "
                     + ("n/a" if verdict is None else "yes" if verdict else "**no**") + " |")
    return lines
