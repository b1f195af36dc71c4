"""Writing command output: stdout, or a file replaced atomically (never half-written)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def write_output(text: str, output: str | None) -> None:
    """Print ``text`` or write it to ``output`` atomically (a temp file renamed into place)."""
    if not output or output == "-":
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
        return
    target = Path(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text if text.endswith("\n") else text + "\n")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
