"""``--baseline FILE``: failures an earlier report already had are ``baselined``, not counted.

A repository with known, accepted findings turns the check on for pull requests without waiving
each one: the baseline is an earlier JSON report of the same command, and a failing finding whose
``fingerprint`` (control, rule and subject: ``sarguard/report/fingerprint.py``) is among the
baseline's failures becomes ``baselined`` — shown in every format, never counted. Matching on the
fingerprint, not on the control and resource alone, keeps one finding from hiding another
(checkov #7647): a second failure of the same control on another subject is new.

Also the one reader of earlier JSON reports (``sarguard diff`` and ``sarguard merge`` use it): the
file is user input and may be anything, so every shape problem is a :class:`ReportFileError`
(exit 2) naming the file — never a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sarguard.controls.base import Finding
from sarguard.errors import SarguardError
from sarguard.util.jsonfile import read_json_file

REPORT_KINDS = ("check", "drift", "audit")
FLEET_KIND = "fleet"
# Statuses that are failures for a baseline and a diff: ``baselined`` is a failure accepted
# earlier, so a baseline made by a run that had one still carries it forward.
FAILING = frozenset({"fail", "baselined"})
# A fleet of a thousand orgs' reports is tens of MB; a bigger file is a mistake (or hostile).
MAX_REPORT_BYTES = 512 * 2**20


class ReportFileError(SarguardError):
    """An earlier report (baseline, diff or merge input) that cannot be used (exit 2)."""


@dataclass(frozen=True)
class Baseline:
    """The failures of an earlier report, by fingerprint."""

    path: str
    kind: str
    fingerprints: frozenset[str]


def read_report(path: str, *, kinds: Iterable[str] = REPORT_KINDS, what: str = "report") -> dict:
    """An earlier sarguard JSON report of one of ``kinds``, with its shape checked: an object
    with ``kind`` and a list of finding objects that carry fingerprints (a fleet report: a list
    of orgs, each with such a report)."""
    try:
        size = Path(path).stat().st_size
    except OSError:
        size = 0  # the reader names what is wrong with it
    if size > MAX_REPORT_BYTES:
        raise ReportFileError(f"{path}: {size // 2**20} MB is larger than a sarguard report can be "
                              f"({MAX_REPORT_BYTES // 2**20} MB at most)")
    data = read_json_file(path, ReportFileError)
    kinds = tuple(kinds)
    if not isinstance(data, dict) or not isinstance(data.get("kind"), str):
        raise ReportFileError(f"{path}: not a sarguard JSON report (no \"kind\"); the {what} must "
                              "be a report written with --format json")
    kind = data["kind"]
    if kind not in kinds:
        raise ReportFileError(f"{path}: is a {_label(kind)} report; the {what} must be a "
                              f"{' or '.join(_label(k) for k in kinds)} report")
    if kind == FLEET_KIND:
        orgs = data.get("orgs")
        if not isinstance(orgs, list) or not all(isinstance(o, dict) for o in orgs):
            raise ReportFileError(f"{path}: a fleet report needs \"orgs\", a list of objects")
        for i, org in enumerate(orgs):
            _check_report(org.get("report"), f"{path}: orgs[{i}].report")
        return data
    _check_report(data, path)
    return data


def _check_report(data: Any, where: str) -> None:
    if not isinstance(data, dict):
        raise ReportFileError(f"{where}: not a report object")
    findings = data.get("findings")
    if not isinstance(findings, list) or not all(isinstance(f, dict) for f in findings):
        raise ReportFileError(f"{where}: \"findings\" must be a list of objects")
    for i, finding in enumerate(findings):
        if not isinstance(finding.get("fingerprint"), str) or not finding["fingerprint"]:
            raise ReportFileError(
                f"{where}: findings[{i}] has no fingerprint: the report was written by an older "
                "sarguard; write it again with this version (--format json)")
        if not isinstance(finding.get("status"), str) or not isinstance(finding.get("control"), str):
            raise ReportFileError(f"{where}: findings[{i}] needs \"control\" and \"status\" strings")


def load_baseline(path: str, kind: str) -> Baseline:
    """The baseline for a ``kind`` run: an earlier JSON report of the same command."""
    data = read_report(path, kinds=REPORT_KINDS, what="--baseline")
    if data["kind"] != kind:
        raise ReportFileError(f"{path}: is a {data['kind']} report; --baseline of `sarguard {kind}` "
                              f"needs an earlier `sarguard {kind}` report (--format json)")
    prints = frozenset(f["fingerprint"] for f in data["findings"] if f["status"] in FAILING)
    return Baseline(path, kind, prints)


def apply_baseline(findings: list[Finding], fingerprints: list[str], baseline: Baseline) -> int:
    """Mark each failure whose fingerprint the baseline holds ``baselined`` (its original status
    kept in ``details["originalStatus"]``, as waivers do); return how many were."""
    marked = 0
    for finding, print_ in zip(findings, fingerprints, strict=True):
        if finding.status == "fail" and print_ in baseline.fingerprints:
            finding.details["originalStatus"] = finding.status
            finding.status = "baselined"
            marked += 1
    return marked


def _label(kind: str) -> str:
    if kind == FLEET_KIND:
        return "fleet (`audit --orgs`, `merge`)"
    return f"`sarguard {kind}`" if kind in (*REPORT_KINDS, "drill") else repr(kind)[:60]
