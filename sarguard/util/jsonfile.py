"""Reading a user-named JSON file with errors that name the file (and line) — never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_json_file(path: str | Path, error: type[Exception]) -> Any:
    """Parse ``path``; any problem raises ``error`` with a message that names the file."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{source}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{source}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"{source}: line {exc.lineno} column {exc.colno}: invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise error(f"{source}: invalid JSON: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise error(f"{source}: invalid JSON: {exc}") from None
