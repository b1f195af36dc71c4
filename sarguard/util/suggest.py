""""Did you mean": one wording for every file sarguard reads (settings, waivers, ignore files)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(value: str, known: Iterable[str]) -> str:
    """``; did you mean 'x'?`` for the closest of ``known``, or ``''`` when none is close."""
    close = difflib.get_close_matches(str(value), sorted(set(known)), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""
