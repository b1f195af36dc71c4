"""pytest hooks that gather the matrix cells and print the table at the end of the run.

Loaded by this folder's conftest. Under xdist only the controller prints, and it loads this
folder's conftest only when the run names ``tests/reliability``; to get the table from a
repo-root run too, ``tests/conftest.py`` can add ``pytest_plugins = ["tests.reliability.summary"]``
(the table is printed once either way).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.reliability import matrix
from tests.reliability.families import FAMILIES, KINDS
from tests.reliability.hostile_cases import COLUMNS, ROWS

_CELLS: dict[tuple[str, str], str] = {}
_HOSTILE: dict[tuple[str, str], str] = {}
_PRINTED: list[bool] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call":
        matrix.collect(report.user_properties, report.passed, _CELLS)
        matrix.collect(report.user_properties, report.passed, _HOSTILE, matrix.HOSTILE_PROPERTY)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not (_CELLS or _HOSTILE) or _PRINTED:
        return
    _PRINTED.append(True)
    if _CELLS:
        terminalreporter.section("sarguard reliability: fault matrix (fault x endpoint family)")
        for line in matrix.render(_CELLS, [f.name for f in FAMILIES], list(KINDS)):
            terminalreporter.write_line(line)
        terminalreporter.write_line(matrix.LEGEND)
    if _HOSTILE:
        terminalreporter.section("sarguard reliability: hostile matrix (hostile input x target)")
        for line in matrix.table(_HOSTILE, COLUMNS, ROWS, corner="hostile input \\ target"):
            terminalreporter.write_line(line)
        terminalreporter.write_line(matrix.HOSTILE_LEGEND)
