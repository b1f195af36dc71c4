"""``sarguard emulator``: serve the Okta API emulator on 127.0.0.1 until SIGINT/SIGTERM; and
``sarguard emulator report``: act out a user's suspicious-activity report on a running one.

The first line printed is ``listening on <URL>``, the second ``token: <T>`` (the emulator's own,
local test credential), so scripts can start it with ``--port 0`` and read where it is. Bad
flags or a bad seed print one clear message and exit 2.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

EXIT_OK, EXIT_USAGE = 0, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=0,
                        help="port on 127.0.0.1 (default 0: any free port)")
    parser.add_argument("--seed", default=None,
                        help="seed YAML file or bundled seed name: demo (default), in-sync")
    parser.add_argument("--latency-ms", type=float, default=0.0, dest="latency_ms",
                        help="delay added to every request, in milliseconds")
    parser.add_argument("--rate-limit", default=None, dest="rate_limit",
                        metavar="BUCKET=N/min,...",
                        help="rate-limit buckets by path prefix, e.g. "
                             "/api/v1=600/min,/api/v1/logs=120/min")
    parser.add_argument("--faults", default=None, metavar="SPEC",
                        help="faults to inject: PATH_PREFIX:KIND[@RATE],... with KIND one of "
                             "500, 502, 503, 429, 429-noheaders, timeout, reset, malformed")
    parser.add_argument("--token", default=None,
                        help="SSWS token to accept (default: a random one, printed at start)")
    sub = parser.add_subparsers(dest="emulator_action", metavar="{report}",
                                title="on a running emulator (optional; without one: serve)")
    report = sub.add_parser(
        "report", help="act out a user's suspicious-activity report on a running emulator",
        description="Ask a running emulator to write a user's report (and the reported sign-on or "
                    "enrolment) to its System Log and deliver it to the subscribed event hooks.")
    from sarguard.emulator.report_command import add_report_arguments

    add_report_arguments(report)


def run(args: argparse.Namespace) -> int:
    if getattr(args, "emulator_action", None) == "report":
        from sarguard.emulator.report_command import run_report

        return run_report(args)
    from sarguard.emulator.app import Emulator
    from sarguard.emulator.errors import EmulatorError

    try:
        emu = Emulator(seed=args.seed, latency_ms=args.latency_ms, rate_limits=args.rate_limit,
                       faults=args.faults, token=args.token)
        url = emu.start(port=args.port)
    except EmulatorError as exc:
        print(f"sarguard emulator: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    done = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        done.set()

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, _stop)
    try:
        print(f"listening on {url}", flush=True)
        print(f"token: {emu.token}", flush=True)
        while not done.wait(0.5):
            pass
    finally:
        emu.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return EXIT_OK
