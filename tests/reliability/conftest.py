"""Fixtures for the reliability suite; the fault-matrix table comes from ``summary.py``."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.reliability import matrix
from tests.reliability.harness import LiveHarness
from tests.reliability.summary import (  # noqa: F401 - pytest hooks, registered by import
    pytest_runtest_logreport,
    pytest_terminal_summary,
)


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch,
         capsys: pytest.CaptureFixture[str]) -> Iterator[LiveHarness]:
    """Emulators on a virtual clock shared with the CLI's client, and a CLI runner."""
    harness = LiveHarness(monkeypatch, capsys)
    try:
        yield harness
    finally:
        harness.stop()


@pytest.fixture
def record_cell(record_property: Callable[[str, object], None]) -> Callable[[str, str, str], None]:
    """``record_cell(family, fault, outcome)``: one cell of the printed matrix."""

    def record(family: str, fault: str, outcome: str) -> None:
        record_property(*matrix.cell(family, fault, outcome))

    return record


@pytest.fixture
def record_hostile(record_property: Callable[[str, object], None]) -> Callable[[str, str, str], None]:
    """``record_hostile(target, case, outcome)``: one cell of the printed hostile matrix."""

    def record(target: str, case: str, outcome: str) -> None:
        record_property(*matrix.cell(target, case, outcome, prop=matrix.HOSTILE_PROPERTY))

    return record
