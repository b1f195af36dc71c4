"""Assertions shared by the fault cases: recovered, failed closed, or stopped with a clear error."""

from __future__ import annotations

from tests.reliability.cliresult import CliRun, drift_items, triples
from tests.reliability.families import Family


def assert_no_traceback(run: CliRun) -> None:
    assert "Traceback" not in run.err and "Traceback" not in run.out, run.err


def assert_recovered(run: CliRun, base: CliRun) -> None:
    """The same conclusions as the fault-free run: nothing lost, nothing invented."""
    assert_no_traceback(run)
    assert run.report is not None, run.err
    assert run.code == base.code, (run.code, run.unread, run.err)
    assert run.unread == base.unread
    assert drift_items(run) == drift_items(base)
    assert triples(run) == triples(base)


def assert_fail_closed(run: CliRun, base: CliRun, family: Family, *,
                       also_not_evaluated: frozenset[str] = frozenset(),
                       also_unread: tuple[str, ...] = ()) -> None:
    """Exit 2; exactly the family's controls not_evaluated; only its resources unread; every
    other conclusion unchanged; no drift invented for what could not be read."""
    assert_no_traceback(run)
    assert run.report is not None, run.err
    assert run.code == 2, (run.code, run.unread)
    expected = family.controls | also_not_evaluated
    assert run.not_evaluated == expected, sorted(run.not_evaluated ^ expected)
    assert run.unread, "an unreadable family must be listed in unread"
    strays = [u["resource"] for u in run.unread
              if not family.unread_ok(u["resource"]) and u["resource"] not in also_unread]
    assert not strays, strays
    assert drift_items(run) == drift_items(base), "drift invented for unread evidence"
    baseline = triples(base)
    invented = [t for t in triples(run) if t not in baseline and t[2] != "not_evaluated"]
    assert not invented, invented
    untouched = {t for t in baseline if t[0] not in expected}
    assert {t for t in triples(run) if t[0] not in expected} == untouched


def assert_fatal(run: CliRun, command: str, mentions: str) -> None:
    """Nothing could be read: exit 2, one clear line saying why, and (drift/audit) a report that
    carries only that error — nothing evaluated, nothing claimed in sync."""
    assert_no_traceback(run)
    assert run.code == 2
    assert run.err.startswith(f"sarguard {command}: error: "), run.err
    assert mentions in run.err, run.err
    if run.report is not None:
        assert run.report["errors"] and mentions in run.report["errors"][0]["message"]
        assert run.report["completed"] is False
        assert run.report["findings"] == [] and not run.report.get("drift")
    else:
        assert run.out == ""
