"""``make demo``: the main job on the embedded default (the demo stack)."""

from __future__ import annotations

import sys
from pathlib import Path

from sarguard.cli import main as cli_main

PROJECT_DIR = Path(__file__).resolve().parents[1]


def main() -> int:
    return cli_main(["plan", "--stack", "demo", "--project-dir", str(PROJECT_DIR)])


if __name__ == "__main__":
    sys.exit(main())
