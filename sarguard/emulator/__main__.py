"""``python -m sarguard.emulator``: the ``sarguard emulator`` command without the full CLI."""

from __future__ import annotations

import argparse
import sys

from sarguard.emulator.command import add_arguments, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sarguard emulator",
                                     description="Serve the Okta API emulator on 127.0.0.1.")
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
