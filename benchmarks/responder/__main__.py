"""``python -m benchmarks.responder`` (part of ``make bench``): the responder's burst on SQLite
and on PostgreSQL with two processes, time to contain (single reports and a burst against the
users bucket's floor, with the old claim order as the baseline), and a long ``kill -9`` chain;
writes its section of
``benchmarks/RESULTS.md`` (between markers, leaving every other figure there as it is).

``--quick`` is a small smoke run that prints instead of writing. Exit 1 when a run found a
problem (a lost event, a duplicate action, a delivery not answered 204, a crash-chain failure).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.history import record as record_history
from benchmarks.machine import machine_notes
from benchmarks.responder.burst import (
    BurstResult,
    BurstSettings,
    percentile,
    run_burst,
    summary,
)
from benchmarks.responder.contain import ContainSettings, contain_summary, run_contain
from benchmarks.responder.crash import crash_runs
from benchmarks.responder.results import render_section, responder_targets, write_section

HERE = Path(__file__).resolve().parents[1]


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.responder",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="200 deliveries and 5 crash runs; prints instead of writing")
    parser.add_argument("--crash-runs", type=int, default=None,
                        help="length of the kill -9 chain (default 60; --quick: 5)")
    parser.add_argument("--no-postgres", action="store_true",
                        help="skip the PostgreSQL burst")
    parser.add_argument("--only-postgres", action="store_true",
                        help="only the two-process PostgreSQL burst, printed (no RESULTS.md; its "
                             "target goes to benchmarks/history.json, which the next full run "
                             "shows): one acknowledgement measurement in a few minutes")
    parser.add_argument("--out", type=Path, default=None,
                        help="the RESULTS.md to update (default benchmarks/RESULTS.md; "
                             "--quick: print only)")
    return parser.parse_args(argv)


def _postgres_burst(settings: BurstSettings) -> BurstResult | None:
    """The two-process burst on a throwaway PostgreSQL server; None when there is none."""
    from benchmarks.responder.pgserver import PgServer, PgUnavailable

    try:
        server = PgServer(durable=True)
    except PgUnavailable as exc:
        print(f"  PostgreSQL burst skipped: {exc}")
        return None
    with server:
        return run_burst("postgresql", processes=2, settings=settings,
                         database_url=server.new_database())


def _only_postgres(settings: BurstSettings, history: Path | None) -> int:
    """``--only-postgres``: the PostgreSQL burst's figures, printed, and (unless ``--quick``)
    its acknowledgement target recorded in ``history``/history.json, so the next full run's
    section shows it beside that run's."""
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    result = _postgres_burst(settings)
    if result is None:
        return 1
    figures = summary(result)
    if history is not None:  # a run with problems counts as a miss, never as a pass
        targets = responder_targets([figures], None, None)
        if result.problems:
            targets = [replace(t, measured=f"{t.measured}, with problems", met=False)
                       for t in targets]
        record_history(history, "responder", started, targets)
    print(f"  ack p50 {figures['ackP50']:.1f} ms, p99 {figures['ackP99']:.1f} ms, max "
          f"{figures['ackMax']:.1f} ms, mean {figures['meanAck']:.1f} ms (target p99 <= 150 ms: "
          f"{'yes' if figures['ackP99'] <= 150 else 'NO'}); responders' histogram: "
          f"{figures['serverWithinTarget']:.1%} within 150 ms; burst {figures['burstS']:.1f} s, "
          f"drained {figures['drainS']:.1f} s; lost {figures['lost']}, duplicate actions "
          f"{figures['duplicateActions']}, answered/linked {figures['answered']}/"
          f"{figures['linked']}")
    first = [ms for ms, at in zip(result.ack_ms, result.ack_at_s, strict=True) if at < 1.0]
    rest = [ms for ms, at in zip(result.ack_ms, result.ack_at_s, strict=True) if at >= 1.0]
    print(f"  sent in the burst's first second: {len(first)}, ack p99 {percentile(first, 0.99):.1f}"
          f" ms; after it: {len(rest)}, ack p99 {percentile(rest, 0.99):.1f} ms")
    for problem in result.problems:
        print(f"PROBLEM: {problem}")
    return 1 if result.problems else 0


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    settings = BurstSettings()
    if args.quick:
        settings = replace(settings, deliveries=200, users=200)
    if args.only_postgres:
        return _only_postgres(settings, None if args.quick else
                              (args.out.parent if args.out is not None else HERE))
    crash_count = args.crash_runs if args.crash_runs is not None else (5 if args.quick else 60)
    started = datetime.now(UTC)
    machine = machine_notes()
    clock = time.perf_counter()
    bursts = [run_burst("sqlite", processes=1, settings=settings)]
    if not args.no_postgres:
        postgres = _postgres_burst(settings)
        if postgres is not None:
            bursts.append(postgres)
    contain_settings = ContainSettings()
    if args.quick:  # a small users bucket, so a short burst spans several windows
        contain_settings = ContainSettings(singles=10, burst_users=30, users_per_min=20,
                                           arrival_s=10.0)
    contain = run_contain(contain_settings)
    print(f"  kill -9 chain: {crash_count} runs")
    crash = crash_runs(crash_count, log=lambda line: None)
    duration = time.perf_counter() - clock
    command = ("python -m benchmarks.responder --quick" if args.quick
               else "make bench (python -m benchmarks.responder)")
    out = args.out if args.out is not None else (None if args.quick else HERE / "RESULTS.md")
    started_text = started.strftime("%Y-%m-%d %H:%M UTC")
    figures, contained = [summary(b) for b in bursts], contain_summary(contain)
    history = [] if out is None else record_history(
        out.parent, "responder", started_text, responder_targets(figures, contained, crash))
    text = render_section(command=command, started=started_text,
                          duration_s=duration, machine=machine, settings=settings,
                          bursts=figures, crash=crash, contain=contained, history=history)
    if out is None:
        print(text)
    else:
        write_section(out, text)
        print(f"wrote the responder section of {out}")
    problems = [p for b in bursts for p in b.problems] + crash.problems + contain.problems
    for problem in problems:
        print(f"PROBLEM: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
