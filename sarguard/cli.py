"""``sarguard`` command line: argument parsing, dispatch, and the one place errors become exit 2."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from sarguard import __version__
from sarguard.errors import SarguardError

EXIT_OK, EXIT_FAIL, EXIT_ERROR = 0, 1, 2

# subcommand -> (module, help)
COMMANDS: dict[str, tuple[str, str]] = {
    "plan": ("sarguard.commands.plan", "show what the program declares for a stack (offline)"),
    "check": ("sarguard.commands.check", "evaluate the control catalog offline (stack or stack export)"),
    "drift": ("sarguard.commands.drift", "compare the declared stack with the live org, then audit it"),
    "audit": ("sarguard.commands.audit", "evaluate the control catalog on a live org (no stack needed)"),
    "reports": ("sarguard.commands.reports", "list suspicious-activity reports from the System Log"),
    "investigate": ("sarguard.commands.investigate", "build or run System Log investigation queries"),
    "events": ("sarguard.commands.events", "list Okta event types from the bundled catalog"),
    "drill": ("sarguard.commands.drill", "probe a real event hook endpoint as Okta would (DRILL-01..05)"),
    "responder": ("sarguard.commands.responder",
                  "receive Okta's event hook deliveries and run the declared response"),
    "emulator": ("sarguard.emulator.command", "serve the bundled Okta API emulator on 127.0.0.1"),
    "demo": ("sarguard.commands.demo", "run the whole story on the bundled emulator (what `make demo` runs)"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sarguard",
        description="Declare, check and audit Okta's suspicious activity reporting.",
    )
    parser.add_argument("--version", action="version", version=f"sarguard {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        mod = importlib.import_module(module)  # a broken command module must fail loudly
        command = sub.add_parser(name, help=help_text, description=help_text)
        mod.add_arguments(command)
        command.set_defaults(_run=mod.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        return int(args._run(args))
    except KeyboardInterrupt:
        print("sarguard: interrupted", file=sys.stderr)
        return 130
    except SarguardError as exc:
        print(f"sarguard {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
