"""Per-process caches for inputs that never change between cases.

Why: a bundled seed's YAML parse is most of an emulator's start-up, and the Pulumi mock engine
is the slowest step of a drift run; the matrix repeats both a few hundred times.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

import sarguard.pulumi.declared as declared
from sarguard.emulator.seeds import BUNDLED_DIR

_REAL_RUN_PROGRAM = declared.run_program
_DECLARED: dict[tuple[str, str], declared.DeclaredRun] = {}


def cached_run_program(stack: str, project_dir: Path | None = None, *,
                       environ: Mapping[str, str] | None = None,
                       command: str = "check") -> declared.DeclaredRun:
    """``run_program`` once per stack, project and environment; each caller gets its own copy
    of the state (of each org group's)."""
    key = (stack, str(project_dir), None if environ is None else tuple(sorted(environ.items())))
    if key not in _DECLARED:
        _DECLARED[key] = _REAL_RUN_PROGRAM(stack, project_dir, environ=environ, command=command)
    run = _DECLARED[key]
    groups = [dataclasses.replace(g, state=copy.deepcopy(g.state)) for g in run.groups]
    return dataclasses.replace(run, groups=groups, state=groups[0].state if len(groups) == 1 else None)


_SEEDS: dict[str, dict[str, Any]] = {}


def bundled_seed(name: str) -> dict[str, Any]:
    """A bundled emulator seed as a fresh dict; the YAML is parsed once per process (the
    parse is most of an emulator's start-up, and the matrix starts a few hundred)."""
    if name not in _SEEDS:
        _SEEDS[name] = yaml.safe_load((BUNDLED_DIR / f"{name}.yaml").read_text("utf-8"))
    return copy.deepcopy(_SEEDS[name])
