"""The fleet report: ``{"kind": "fleet", "orgs": [{name, orgUrl, exitCode, report}], "summary",
"exitCode"}`` — made by ``audit --orgs`` and by ``sarguard merge`` the same way, so merging the
shards of a fleet gives what one run over all of them gives.

The exit code is the worst org's (2 > 1 > 0). ``summary`` counts orgs by outcome (``orgs``,
``passed``, ``failed``, ``couldNotRun``) and adds up the orgs' finding counts (``findings``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from sarguard.errors import SarguardError

FLEET_KIND = "fleet"
_OUTCOMES = {0: "passed", 1: "failed", 2: "couldNotRun"}


class MergeError(SarguardError):
    """Reports that cannot be merged into one fleet (exit 2)."""


def org_entry(name: str, report: dict[str, Any]) -> dict[str, Any]:
    """One org of the fleet: its name, URL, exit code and the audit JSON report."""
    code = report.get("exitCode")
    return {"name": name, "orgUrl": report.get("orgUrl"),
            "exitCode": code if code in (0, 1, 2) else 2, "report": report}


def fleet_report(orgs: list[dict[str, Any]]) -> dict[str, Any]:
    """The fleet of ``orgs`` (``org_entry`` items), in the order given."""
    summary: dict[str, Any] = {"orgs": len(orgs), "passed": 0, "failed": 0, "couldNotRun": 0}
    findings: dict[str, int] = {}
    for org in orgs:
        summary[_OUTCOMES[org["exitCode"]]] += 1
        counts = org["report"].get("summary")
        for key, value in (counts.items() if isinstance(counts, dict) else ()):
            if isinstance(value, int) and not isinstance(value, bool):
                findings[key] = findings.get(key, 0) + value
    summary["findings"] = findings
    return {"kind": FLEET_KIND, "orgs": orgs, "summary": summary,
            "exitCode": max((o["exitCode"] for o in orgs), default=0)}


def name_for(report: dict[str, Any]) -> str:
    """The name of an org known only by its audit report: its URL's host (and port)."""
    url = report.get("orgUrl") or report.get("org")
    host = urlsplit(url).netloc if isinstance(url, str) and "://" in url else url
    return str(host or "org")


def merge_reports(inputs: Iterable[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """One fleet from ``(source, report)`` pairs: audit reports (named by their org's host)
    and fleet reports (their orgs kept, in order). An org that appears twice is an error."""
    orgs: list[dict[str, Any]] = []
    where: dict[str, str] = {}
    for source, data in inputs:
        if data.get("kind") == FLEET_KIND:
            entries = [org_entry(str(o.get("name") or name_for(o["report"])), o["report"])
                       for o in data["orgs"]]
        elif data.get("kind") == "audit":
            entries = [org_entry(name_for(data), data)]
        else:
            raise MergeError(f"{source}: is a `sarguard {data.get('kind')}` report; merge takes "
                             "`sarguard audit` reports and fleet reports")
        for entry in entries:
            if entry["name"] in where:
                raise MergeError(f"{source}: org {entry['name']} is also in {where[entry['name']]}; "
                                 "each org may appear once in a fleet")
            where[entry["name"]] = source
            orgs.append(entry)
    return fleet_report(orgs)
