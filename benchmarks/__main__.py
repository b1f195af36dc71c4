"""``python -m benchmarks`` (``make bench``): run every measurement, write RESULTS.md and plots.

``--quick`` runs a small smoke version (one small org, two offline sizes) and prints the
tables instead of overwriting the committed results, unless ``--out`` says where to write.
``--only huge-body`` runs just the memory measurement against a 400 MB body and updates that
section of RESULTS.md in place (every other figure stays as it was).
Exit status: 0 when every run completed correctly (targets met or not: those are results),
1 when a run failed (wrong drift, unread sections, a crashed client, a bad report).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.history import record as record_history
from benchmarks.livebench import LiveSettings, SizeResult, bench_size
from benchmarks.machine import machine_notes
from benchmarks.offline import (
    DeclaredSide,
    OfflineSize,
    StartUp,
    bench_declared,
    bench_offline,
    bench_startup,
)
from benchmarks.orggen import OrgShape
from benchmarks.results import live_targets, offline_targets, program_targets, render_results

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Plan:
    live_sizes: tuple[int, ...]
    sarguard_runs: int
    sdk_runs: int
    offline: tuple[tuple[int, int], ...]  # (brands, repeats)
    declared: tuple[int, int] = (50, 3)  # drift's declared side: (brands, repeats)
    startup_runs: int = 5  # `sarguard check` from process start, two brands


FULL = Plan(live_sizes=(5, 20, 50), sarguard_runs=5, sdk_runs=1,
            offline=((1, 5), (10, 5), (100, 3), (500, 3)))
QUICK = Plan(live_sizes=(5,), sarguard_runs=1, sdk_runs=1, offline=((1, 1), (10, 1)),
             declared=(5, 1), startup_runs=2)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="a small smoke run (about a minute); prints instead of writing")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for RESULTS.md and the plots (default: benchmarks/ for a "
                             "full run, nothing for --quick)")
    parser.add_argument("--no-sdk", action="store_true", help="skip the Okta SDK baseline")
    parser.add_argument("--only", choices=["huge-body"],
                        help="run one measurement and update its section of RESULTS.md")
    return parser.parse_args(argv)


def only_huge_body(out: Path) -> int:
    """Measure peak RSS against a 400 MB body and splice it into ``out``/RESULTS.md."""
    from benchmarks.hugebody import measure_huge_body, render_huge_body, splice_section

    print("memory against a 400 MB body:", flush=True)
    result = measure_huge_body()
    lines = render_huge_body(result)
    path = out / "RESULTS.md"
    path.write_text(splice_section(path.read_text("utf-8") if path.exists() else "", lines), "utf-8")
    print("\n".join(lines))
    print(f"updated {path}")
    return 0 if result.ok else 1


def run_program_side(plan: Plan) -> tuple[DeclaredSide, StartUp]:
    """Running the project's program: drift's declared side, and check's start-up."""
    print("running the program (declared side, start-up):", flush=True)
    log = lambda line: print(line, flush=True)  # noqa: E731
    return bench_declared(*plan.declared, log=log), bench_startup(plan.startup_runs, log=log)


def run(plan: Plan, settings: LiveSettings, *, with_sdk: bool) -> tuple[list[SizeResult],
                                                                       list[OfflineSize]]:
    live: list[SizeResult] = []
    for brands in plan.live_sizes:
        shape = OrgShape(brands=brands)
        print(f"live read, {shape.label}:", flush=True)
        live.append(bench_size(shape, settings, sarguard_runs=plan.sarguard_runs,
                               sdk_runs=plan.sdk_runs if with_sdk else 0,
                               log=lambda line: print(line, flush=True)))
    offline: list[OfflineSize] = []
    print("offline check scaling:", flush=True)
    for brands, repeats in plan.offline:
        offline.append(bench_offline(brands, repeats, log=lambda line: print(line, flush=True)))
    return live, offline


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if args.only == "huge-body":
        return only_huge_body(args.out or HERE)
    plan = QUICK if args.quick else FULL
    out = args.out if args.out is not None else (None if args.quick else HERE)
    settings = LiveSettings()
    started = datetime.now(UTC)
    machine = machine_notes()  # before the run: the load average is the neighbours', not ours
    clock = time.perf_counter()
    live, offline = run(plan, settings, with_sdk=not args.no_sdk)
    declared_side, startup = run_program_side(plan)
    from benchmarks.hugebody import measure_huge_body

    print("memory against a 400 MB body:", flush=True)
    huge_body = measure_huge_body()
    duration = time.perf_counter() - clock

    plots: list[str] = []
    if out is not None:
        from benchmarks.plots import LIVE_PNG, OFFLINE_PNG, plot_live, plot_offline

        out.mkdir(parents=True, exist_ok=True)
        plot_live(live, out / LIVE_PNG)
        plot_offline(offline, out / OFFLINE_PNG)
        plots = [LIVE_PNG, OFFLINE_PNG]
    command = "python -m benchmarks --quick" if args.quick else "make bench"
    targets = ((live_targets(live[-1]) if live else []) + offline_targets(offline)
               + program_targets(declared_side, startup))
    started_text = started.strftime("%Y-%m-%d %H:%M UTC")
    history = record_history(out, "make bench", started_text, targets) if out is not None else []
    text = render_results(command=command, started=started_text,
                          duration_s=duration, machine=machine, settings=settings, live=live,
                          offline=offline, plots=plots, huge_body=huge_body,
                          declared_side=declared_side, startup=startup, history=history)
    if out is not None:
        from benchmarks.responder.results import keep_section

        results = out / "RESULTS.md"
        old = results.read_text("utf-8") if results.is_file() else ""
        # python -m benchmarks.responder writes its own section: keep it as it was.
        results.write_text(keep_section(old, text), "utf-8")
        print(f"\nwrote {out / 'RESULTS.md'} and {len(plots)} plot(s)")
    else:
        print("\n" + text)

    if args.quick:
        print("(a quick run: the live targets are set for the 50-brand org, where fixed costs "
              "matter least, and single measurements are noisy)")
    for t in targets:
        print(f"target {t.name}: {t.measured} (wanted {t.wanted}) -> "
              f"{'n/a' if t.met is None else 'met' if t.met else 'MISSED'}")
    failed = [r for s in live for r in s.sarguard if not r.ok]
    broken = ([p for s in offline for p in s.problems] + huge_body.problems
              + declared_side.problems + startup.problems)
    return 1 if failed or broken else 0


if __name__ == "__main__":
    sys.exit(main())
