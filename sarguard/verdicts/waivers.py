"""Waivers: time-boxed, justified exceptions to a control on matching resources.

A waiver file is a YAML list::

    - control: SAR-03            # a control id, or "*" for every control
      resource: brand/*/template/NewSignOnNotification/customization/**   # glob (globmatch)
      reason: Legacy brand, template rebuilt in JIRA-123
      expires: 2025-09-30        # valid through that day (UTC)

A matching ``fail`` or ``not_evaluated`` finding becomes ``waived``: it no longer counts for the
exit code but stays visible in every report. Expired waivers stop applying and say so, so an
exception cannot outlive its justification silently; waivers that match nothing are reported as
stale so the file does not rot.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sarguard.controls.base import Finding
from sarguard.verdicts.globmatch import glob_match
from sarguard.verdicts.rulefile import (
    RuleFileError,
    check_keys,
    locates_errors,
    read_entries,
    require_date,
    require_text,
)

WAIVER_KEYS = ("control", "resource", "reason", "expires")
WAIVABLE_STATUSES = frozenset({"fail", "not_evaluated"})
ANY_CONTROL = "*"
_CONTROL_ID = re.compile(r"^[A-Z][A-Z0-9]*-[0-9]+$")


class WaiverError(RuleFileError):
    """The waiver file is unusable; the message names file, ``[index].key`` and expectation."""


@dataclass(frozen=True)
class Waiver:
    control: str  # control id or "*"
    resource: str  # glob over resource keys
    reason: str
    expires: dt.date  # valid through this day, UTC
    source: str = ""  # file it came from (for warnings)
    index: int = 0  # position in that file

    def expired(self, today: dt.date) -> bool:
        return today > self.expires

    def matches(self, finding: Finding) -> bool:
        if self.control != ANY_CONTROL and self.control != finding.control:
            return False
        return glob_match(self.resource, finding.resource)

    def describe(self) -> str:
        where = f" ({self.source} [{self.index}])" if self.source else ""
        return f"{self.control} on '{self.resource}'{where}"


def utc_today() -> dt.date:
    """Today's date in UTC: waiver expiry is judged in UTC wherever CI runs."""
    return dt.datetime.now(dt.UTC).date()


@locates_errors
def load_waivers(path: str | Path, known_controls: Iterable[str] | None = None) -> list[Waiver]:
    """Load and validate a waiver file; raise :class:`WaiverError` on any problem.

    ``known_controls`` (optional): control ids that exist; a waiver naming another id is an
    error, because a misspelt id would otherwise waive nothing without anyone noticing.
    """
    name = str(path)
    known = set(known_controls) if known_controls is not None else None
    waivers: list[Waiver] = []
    for index, entry in enumerate(read_entries(path, WaiverError, WAIVER_KEYS)):
        check_keys(entry, index, name, WaiverError, WAIVER_KEYS)
        control = require_text(entry, index, "control", name, WaiverError)
        if control != ANY_CONTROL and not _CONTROL_ID.match(control):
            raise WaiverError(
                name,
                f"[{index}].control",
                f'expected a control id like SAR-03 or "*", got {control!r}',
            )
        if known is not None and control != ANY_CONTROL and control not in known:
            raise WaiverError(
                name,
                f"[{index}].control",
                f'unknown control {control!r}; expected one of {", ".join(sorted(known))} or "*"',
            )
        waivers.append(
            Waiver(
                control=control,
                resource=require_text(entry, index, "resource", name, WaiverError),
                reason=require_text(entry, index, "reason", name, WaiverError),
                expires=require_date(entry, index, "expires", name, WaiverError),
                source=name,
                index=index,
            )
        )
    return waivers


def apply_waivers(
    findings: list[Finding], waivers: list[Waiver], today: dt.date
) -> tuple[list[Finding], list[str]]:
    """Return ``(findings with waivers applied, warnings)``; the input findings are not changed.

    The first unexpired matching waiver (file order) wins. A waived finding keeps its original
    status in ``details["originalStatus"]`` so renderers can tell a waived failure from a
    waived could-not-evaluate. Warnings: each expired waiver once, and each unexpired waiver
    that matched nothing although its control was evaluated in this run (stale). A waiver for a
    control that produced no findings at all (e.g. a live-only control during an offline check)
    is not called stale.
    """
    active = [w for w in waivers if not w.expired(today)]
    used: set[int] = set()
    out: list[Finding] = []
    for finding in findings:
        waiver = None
        if finding.status in WAIVABLE_STATUSES:
            waiver = next((w for w in active if w.matches(finding)), None)
        if waiver is None:
            out.append(finding)
            continue
        used.add(id(waiver))
        details = dict(finding.details)
        details["originalStatus"] = finding.status
        out.append(
            dataclasses.replace(
                finding,
                status="waived",
                waiver={"reason": waiver.reason, "expires": waiver.expires.isoformat()},
                details=details,
            )
        )
    evaluated = {f.control for f in findings}
    warnings: list[str] = []
    for waiver in waivers:
        if waiver.expired(today):
            warnings.append(
                f"waiver for {waiver.describe()} expired on {waiver.expires.isoformat()} "
                "and no longer applies; renew it with a new reason or remove it"
            )
        elif id(waiver) not in used and (
            (waiver.control == ANY_CONTROL and evaluated) or waiver.control in evaluated
        ):
            warnings.append(
                f"waiver for {waiver.describe()} (expires {waiver.expires.isoformat()}) "
                "matched no failing or not-evaluated finding; remove it if it is no longer needed"
            )
    return out, warnings
