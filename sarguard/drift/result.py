"""The drift result and the collector every section comparer writes into.

The collector is the only place that builds :class:`DriftItem` and :class:`UnreadItem`, so the
rules that apply to all of them live here once: values are made plain and secret-free, unknown
values are never compared but noted, and the output order is deterministic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sarguard.drift.unread import unread_reason
from sarguard.drift.values import SECRET_MASK, is_secret_like, plain, secret_value
from sarguard.model import OrgState, is_unknown
from sarguard.report.model import DriftItem, DriftKind, UnreadItem


@dataclass
class DriftResult:
    """Differences, resources that could not be compared live, and notes on what was skipped."""

    items: list[DriftItem] = field(default_factory=list)
    unread: list[UnreadItem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def in_sync(self) -> bool:
        """True only when nothing differs and nothing was left unread (ignored entries aside)."""
        return not any(not i.ignored for i in self.items) and not any(
            not u.ignored for u in self.unread
        )


def _has_unknown(value: Any) -> bool:
    """True for an unknown value or a list/set/dict holding one (an unknown event type)."""
    if is_unknown(value):
        return True
    if isinstance(value, dict | list | tuple | set | frozenset):
        members = value.values() if isinstance(value, dict) else value
        return any(is_unknown(v) for v in members)
    return False


class Collector:
    """Accumulates drift for one comparison; section comparers call its helpers."""

    def __init__(self, live: OrgState) -> None:
        self._live = live
        self._items: list[DriftItem] = []
        self._unread: dict[str, str] = {}
        self._notes: set[str] = set()

    # ---- fail closed -----------------------------------------------------------------------
    def blocked(self, resource: str, *aliases: str) -> bool:
        """Record ``resource`` as unread and return True when its live side was not read."""
        reason = unread_reason(self._live, resource, *aliases)
        if reason is None:
            return False
        self.unread(resource, reason)
        return True

    def unread(self, resource: str, reason: str) -> None:
        self._unread.setdefault(resource, reason)

    def note(self, text: str) -> None:
        self._notes.add(text)

    # ---- differences -----------------------------------------------------------------------
    def add(
        self,
        kind: DriftKind,
        resource: str,
        field_name: str,
        declared: Any = None,
        live: Any = None,
        note: str | None = None,
    ) -> None:
        self._items.append(
            DriftItem(
                kind=kind,
                resource=resource,
                field=field_name,
                declared=plain(declared),
                live=plain(live),
                note=note,
            )
        )

    def compare(
        self,
        resource: str,
        field_name: str,
        declared: Any,
        live: Any,
        *,
        key: Callable[[Any], Any] | None = None,
        shown: Callable[[Any], Any] | None = None,
        note: Callable[[Any, Any], str | None] | None = None,
    ) -> None:
        """Report ``changed`` when ``key(declared) != key(live)``; skip declared ``None``.

        A live ``None`` (the field is absent from the live evidence) is always a difference;
        ``key``/``shown``/``note`` only ever see live values that are not ``None`` or unknown.

        ``shown`` maps values to what the item carries (e.g. sets as sorted lists); ``note``
        may explain the difference. Unknown values on either side are noted, not compared. A
        secret declared value is compared when the evidence reveals it and shown masked.
        """
        if declared is None:
            return
        for side, value in (("declared", declared), ("live", live)):
            if _has_unknown(value):
                self.note(f"{resource}: {field_name} is unknown in the {side} state; not compared")
                return
        secret = is_secret_like(declared)
        if secret:
            known, declared = secret_value(declared)
            if not known:
                self.note(
                    f"{resource}: {field_name} is a secret the declared evidence does not "
                    "reveal; not compared"
                )
                return
        norm = key or (lambda v: v)
        if live is not None and norm(declared) == norm(live):
            return
        # A live value that should equal a secret may *be* the secret: mask both sides.
        show = (lambda v: SECRET_MASK) if secret else (shown or (lambda v: v))
        self.add(
            "changed",
            resource,
            field_name,
            show(declared),
            show(live) if live is not None else None,
            note(declared, live) if note and live is not None and not secret else None,
        )

    def result(self) -> DriftResult:
        """The sorted result: items by resource, field, kind; unread by resource; notes sorted."""
        items = sorted(self._items, key=lambda i: (i.resource, i.field, i.kind, repr(i.live)))
        unread = [UnreadItem(resource=r, reason=self._unread[r]) for r in sorted(self._unread)]
        return DriftResult(items=items, unread=unread, notes=sorted(self._notes))
