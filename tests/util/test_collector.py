"""The collector's pause around a command: settled for good only in a process that ends with
the command (the console entry points), never in one that lives on (the library, tests)."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest

from sarguard.util import collector


def test_a_living_process_keeps_nothing_frozen_and_the_collector_on() -> None:
    assert not collector.process_ends()
    before = gc.get_freeze_count()
    with collector.command_gc():
        assert not gc.isenabled()
        with collector.paused_gc():  # nested: leaves the outer pause alone
            assert not gc.isenabled()
        assert not gc.isenabled()
        cycles = [[] for _ in range(1000)]
        for item in cycles:
            item.append(item)
    assert gc.isenabled()
    assert gc.get_freeze_count() == before  # aged unscanned, not kept for good
    del cycles
    assert gc.collect() >= 1000  # the cycles are still collectable


def test_a_process_that_ends_with_its_command_freezes_instead_of_collecting() -> None:
    code = (
        "import gc\n"
        "from sarguard.util import collector\n"
        "collector.process_ends_after_command()\n"
        "with collector.command_gc():\n"
        "    keep = [[] for _ in range(5000)]\n"
        "print(gc.isenabled(), gc.get_freeze_count() >= 5000)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True).stdout.split()
    assert out == ["True", "True"]


def test_the_console_entry_says_the_process_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    from sarguard import cli

    monkeypatch.setattr(collector, "_process_ends", False)
    monkeypatch.setattr(cli, "main", lambda: 0)
    with pytest.raises(SystemExit) as info:
        cli.entry()
    assert info.value.code == 0 and collector.process_ends()
