"""``sarguard`` command line: argument parsing, dispatch, and the one place errors become exit 2.

Every error ends here as exit 2 and one line on stderr — a :class:`SarguardError` with its own
message, anything unexpected as ``sarguard <cmd>: internal error: <type>: <message> — please
report it`` (redacted; the traceback only with ``SARGUARD_DEBUG=1``). Commands that were asked
for report files (``--format``/``--output``/``--also``) still get them, as a could-not-run
report saying why.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence

from sarguard import __version__
from sarguard.errors import Problem, SarguardError
from sarguard.util.redaction import env_secrets, redact

EXIT_OK, EXIT_FAIL, EXIT_ERROR = 0, 1, 2

# subcommand -> (module, help)
COMMANDS: dict[str, tuple[str, str]] = {
    "plan": ("sarguard.commands.plan", "show what the program declares for a stack (offline)"),
    "check": ("sarguard.commands.check", "evaluate the control catalog offline (stack or stack export)"),
    "drift": ("sarguard.commands.drift", "compare the declared stack with the live org, then audit it"),
    "audit": ("sarguard.commands.audit", "evaluate the control catalog on a live org (no stack needed)"),
    "diff": ("sarguard.commands.diff",
             "compare two JSON reports of one command: new, fixed and unchanged failures, drift, "
             "controls whose status changed"),
    "merge": ("sarguard.commands.merge",
              "combine per-org audit JSON reports (or fleet reports) into one fleet report"),
    "reports": ("sarguard.commands.reports", "list suspicious-activity reports from the System Log"),
    "investigate": ("sarguard.commands.investigate", "build or run System Log investigation queries"),
    "controls": ("sarguard.commands.controls",
                 "list the control catalog and its framework mappings (NIST SP 800-53, ISO 27001, CIS v8)"),
    "events": ("sarguard.commands.events", "list Okta event types from the bundled catalog"),
    "drill": ("sarguard.commands.drill", "probe a real event hook endpoint as Okta would (DRILL-01..05)"),
    "import": ("sarguard.commands.import_org", "write the stack that declares a live org (--fix: what it should be), its email bodies and a `pulumi import --file` plan"),
    "pack": ("sarguard.commands.pack", "write a self-contained CrossGuard policy pack to publish with `pulumi policy publish`"),
    "responder": ("sarguard.commands.responder",
                  "receive Okta's event hook deliveries and run the declared response"),
    "emulator": ("sarguard.emulator.command", "serve the bundled Okta API emulator on 127.0.0.1"),
    "demo": ("sarguard.commands.demo", "run the whole story on the bundled emulator (what `make demo` runs)"),
    "completion": ("sarguard.commands.completion", "print a shell completion script (bash, zsh or fish)"),
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or with ``only`` the top level and that one command: a run
    imports and builds just the command it runs (every command module and its arguments cost
    a user's ``check`` 20-30 ms). :func:`main` asks for ``only`` when ``argv`` starts with a
    command's name, so ``--help``, ``--version`` and a mistyped command see them all."""
    parser = argparse.ArgumentParser(
        prog="sarguard",
        description="Declare, check and audit Okta's suspicious activity reporting.",
    )
    parser.add_argument("--version", action="version", version=f"sarguard {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        if only is not None and name != only:
            continue
        command = sub.add_parser(name, help=help_text, description=help_text)
        mod = importlib.import_module(module)  # a broken command module must fail loudly
        mod.add_arguments(command)
        command.set_defaults(_run=mod.run)
    return parser


def _command_of(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names, when its first word is one (else the whole parser is built,
    so ``--help``, ``--version`` and a mistyped command read as they always did)."""
    return argv[0] if argv and argv[0] in COMMANDS else None


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(only=_command_of(words))
    args = parser.parse_args(words)
    args._argv = words  # the reports' provenance
    if not getattr(args, "_run", None):
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        return int(args._run(args))
    except KeyboardInterrupt:
        print("sarguard: interrupted", file=sys.stderr)
        return 130
    except SarguardError as exc:
        print(f"sarguard {args.command}: error: {redact(str(exc))}", file=sys.stderr)
        return _could_not_run(args, exc.located_problems())
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 -- the top-level guard: never a traceback
        message = internal_error_message(exc)
        print(f"sarguard {args.command}: {message}", file=sys.stderr)
        if os.environ.get("SARGUARD_DEBUG") == "1":
            traceback.print_exc(file=sys.stderr)
        return _could_not_run(args, [Problem(message)])


def internal_error_message(exc: BaseException, limit: int = 500) -> str:
    """``internal error: <type>: <message> — please report it`` on one line, with every
    credential the environment holds redacted."""
    text = " ".join(redact(redact(str(exc)), env_secrets(os.environ)).split())
    if len(text) > limit:
        text = text[:limit] + "…"
    detail = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return f"internal error: {detail} — please report it"


def _could_not_run(args: argparse.Namespace, problems: list[Problem]) -> int:
    """Write the requested reports of a run that could not run (commands with report flags
    register the writer as ``_could_not_run``); always exit 2."""
    writer = getattr(args, "_could_not_run", None)
    if writer is None:
        return EXIT_ERROR
    try:
        writer(args, problems)
    except Exception:  # noqa: BLE001 -- the net under the net
        pass
    return EXIT_ERROR


def entry() -> None:
    """The ``sarguard`` console command and ``python -m sarguard``: :func:`main` in a process
    that exits when the command is done (which lets a command skip work only a longer-lived
    process would need: see sarguard/util/collector.py)."""
    from sarguard.util.collector import process_ends_after_command

    process_ends_after_command()
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    entry()
