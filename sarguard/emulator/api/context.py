"""What every endpoint handler needs: the org, the clock, the System Log, a few emulator knobs."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sarguard.emulator.errors import validation_failed
from sarguard.emulator.state import OrgStore
from sarguard.emulator.timeutil import iso
from sarguard.eventhooks import TIMEOUT_S


@dataclass
class ApiContext:
    store: OrgStore
    clock: Callable[[], float]
    stopping: threading.Event = field(default_factory=threading.Event)
    # How long the emulator waits for a loopback hook to answer its verification challenge.
    hook_timeout_s: float = TIMEOUT_S
    # Called with the events an API call wrote, in order; answers the deliveries it queued.
    publish: Callable[[list[dict[str, Any]]], list[str]] | None = None

    def now(self) -> str:
        return iso(self.clock())

    def emit(self, *events: dict[str, Any]) -> list[str]:
        """Write ``events`` to the System Log and hand them to event hook delivery; answer the
        ids of the deliveries queued.

        Only events the emulator's own API calls write go through here: a test that alters
        ``emu.state`` directly changes the log without triggering deliveries.
        """
        for event in events:
            self.store.add_log_event(event)
        if self.publish is None or not events:
            return []
        return self.publish(list(events))


def href(url: str, *allow: str) -> dict[str, Any]:
    """A HAL link object, with ``hints.allow`` when methods are given (as Okta writes them)."""
    link: dict[str, Any] = {"href": url}
    if allow:
        link["hints"] = {"allow": list(allow)}
    return link


def require_bool(body: dict[str, Any], key: str, where: str) -> bool | None:
    """``body[key]`` when it is a boolean, None when absent; 400 otherwise."""
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise validation_failed(where, f"{key}: expected true or false")
    return value
