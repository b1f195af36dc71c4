"""Audit the orgs of a fleet concurrently: at most ``concurrency`` at once, results in file
order, one org's failure never stopping another.

Each org is audited by ``audit_one`` (the command layer's: its own client, so its own
credentials, rate budget and deadline). Whatever it raises becomes that org's could-not-run
report through ``on_error`` — the fleet is still audited and reported.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sarguard.fleet.combine import fleet_report, org_entry
from sarguard.fleet.orgs import OrgEntry

AuditOne = Callable[[OrgEntry], dict[str, Any]]
OnError = Callable[[OrgEntry, BaseException], dict[str, Any]]


def audit_fleet(orgs: list[OrgEntry], audit_one: AuditOne, on_error: OnError,
                concurrency: int = 4) -> dict[str, Any]:
    """The fleet report of ``orgs``."""

    def one(org: OrgEntry) -> dict[str, Any]:
        try:
            return audit_one(org)
        except Exception as exc:  # noqa: BLE001 -- one org's failure is that org's exit 2
            return on_error(org, exc)

    with ThreadPoolExecutor(max_workers=max(1, concurrency),
                            thread_name_prefix="sarguard-org") as pool:
        reports = list(pool.map(one, orgs))
    return fleet_report([org_entry(org.name, report) for org, report in zip(orgs, reports,
                                                                           strict=True)])
