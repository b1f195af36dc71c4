"""Drill events (``sarguard drill``): recorded and marked, never acted on.

A drill's synthetic report carries ``debugContext.debugData.sarguardDrill: "true"``; a
responder that clears sessions or resets a password for it would be acting on a test.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sarguard.systemlog import logevent as le


def is_drill(event: Mapping[str, Any]) -> bool:
    value = le.get(event, "debugContext.debugData.sarguardDrill")
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")
