"""What every renderer needs to know about a report, computed once and the same way.

Renderers differ only in syntax; the catalog lookups, fallbacks, ordering and outcome wording
live here so ``text`` and ``markdown`` can never disagree about what a report says.
"""

from __future__ import annotations

from dataclasses import dataclass

from sarguard import __version__
from sarguard.controls.base import Control, Finding
from sarguard.errors import Problem
from sarguard.report.exit_codes import exit_code
from sarguard.report.model import DriftItem, Report
from sarguard.report.values import display, safe_text

TOOL_NAME = "sarguard"
TOOL_VERSION = __version__

STATUS_LABELS: dict[str, str] = {
    "pass": "pass",
    "fail": "FAIL",
    "not_evaluated": "not evaluated",
    "not_applicable": "not applicable",
    "waived": "waived",
    "baselined": "baselined",
}
# Order in which statuses are shown: what needs action first.
STATUS_ORDER: tuple[str, ...] = ("fail", "not_evaluated", "waived", "baselined", "not_applicable",
                                 "pass")
# What every format says of a baselined finding (a failure the --baseline report already had).
BASELINED_NOTE = "in the baseline: an accepted, known failure (not counted)"
OUTCOME_WORDS: dict[int, str] = {0: "passed", 1: "failed", 2: "could not run"}


@dataclass(frozen=True)
class ControlGroup:
    control_id: str
    control: Control | None
    findings: list[Finding]

    @property
    def title(self) -> str:
        return self.control.title if self.control else ""


def catalog(report: Report) -> dict[str, Control]:
    return {c.id: c for c in report.controls}


def severity_of(finding: Finding, control: Control | None) -> str:
    """The finding's severity, else the catalog's."""
    return finding.severity or (control.severity if control else "")


def remediation_of(finding: Finding, control: Control | None) -> str:
    """The finding's own remediation, else the catalog's."""
    return safe_text(finding.remediation) or (control.remediation if control else "")


def groups(report: Report) -> list[ControlGroup]:
    """Findings grouped by control: catalog order, then controls unknown to the catalog."""
    by_id: dict[str, list[Finding]] = {}
    for finding in report.findings:
        by_id.setdefault(finding.control, []).append(finding)
    known = catalog(report)
    order = [c.id for c in report.controls if c.id in by_id]
    order += [cid for cid in by_id if cid not in known]
    return [ControlGroup(cid, known.get(cid), by_id[cid]) for cid in order]


def by_status(report: Report, status: str) -> list[Finding]:
    return [f for f in report.findings if f.status == status]


def outcome(report: Report) -> tuple[int, str]:
    """``(exit code, word)``; drift runs say "in sync"/"drifted" instead of passed/failed —
    "drifted" only when there is unignored drift: a drift run whose controls fail on an org
    that matches its stack is in sync (and its verdict says what failed)."""
    code = exit_code(report)
    if report.kind == "drift" and code < 2:
        drifted = any(not d.ignored for d in report.drift or [])
        return code, "drifted" if drifted else "in sync"
    return code, OUTCOME_WORDS[code]


def location_of(report: Report, finding: Finding) -> tuple[str | None, int | None]:
    """Where an annotation should point: the finding's location, else the stack file."""
    if finding.location is not None and finding.location.file:
        line = finding.location.line
        return finding.location.file, line if isinstance(line, int) and line >= 1 else None
    return report.stack_file, None


def drift_location(report: Report, item: DriftItem) -> tuple[str | None, int | None]:
    """Where a drift annotation points: a declared resource's line in the stack file; a
    live-only item (``unmanaged``) the stack file without a line."""
    if item.location is not None and item.location.file:
        line = item.location.line
        return item.location.file, line if isinstance(line, int) and line >= 1 else None
    return report.stack_file, None


def drift_state(item: DriftItem) -> str:
    """Status column of a drift row: the ignore reason, and any note."""
    parts = []
    if item.ignored:
        parts.append(f"ignored: {safe_text(item.reason)}" if item.reason else "ignored")
    if item.note:
        parts.append(safe_text(item.note))
    return "; ".join(parts)


def drift_sentence(item: DriftItem, limit: int | None = 200) -> str:
    """One line describing a drift item, for annotations and test reports."""
    declared, live = display(item.declared, limit), display(item.live, limit)
    if item.kind == "missing":
        text = f"{item.resource} is declared but missing from the live org"
    elif item.kind == "unmanaged":
        text = f"{item.resource} exists in the live org but is not declared"
    else:
        text = f"{item.resource} {item.field}: declared {declared}, live {live}"
    if item.kind != "changed" and item.field:
        text += f" ({item.field}: declared {declared}, live {live})"
    if item.note:
        text += f" — {safe_text(item.note)}"
    return text


def run_errors(report: Report) -> list[Problem]:
    """The report's could-not-run errors as :class:`Problem` objects, messages made safe."""
    out: list[Problem] = []
    for error in report.errors:
        problem = error if isinstance(error, Problem) else Problem(safe_text(error))
        out.append(Problem(safe_text(problem.message), safe_text(problem.file) or None,
                           problem.line if isinstance(problem.line, int) and problem.line >= 1 else None,
                           safe_text(problem.key_path) or None))
    return out


def problem_detail(problem: Problem) -> str:
    """A problem's message without the ``file:line: key.path: `` prefix its place repeats."""
    text = problem.message
    if problem.file:
        for head in (f"{problem.file}:{problem.line}: ", f"{problem.file}: "):
            if problem.line is None and head.endswith("None: "):
                continue
            if text.startswith(head):
                text = text[len(head):]
                break
    if problem.key_path and text.startswith(f"{problem.key_path}: "):
        text = text[len(problem.key_path) + 2:]
    return text


def org_label(report: Report) -> str:
    """The org as every header shows it: its URL when known, else its name."""
    return safe_text(report.org_url or report.org)


def _ids(findings: list[Finding]) -> list[str]:
    return list(dict.fromkeys(f.control for f in findings))


def _plural(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun if count == 1 else (plural or noun + 's')}"


def _named(ids: list[str], limit: int = 6) -> str:
    shown = ", ".join(ids[:limit])
    return f"({shown}{f' and {len(ids) - limit} more' if len(ids) > limit else ''})"


def verdict(report: Report) -> str:
    """The one-line verdict every human format starts with, e.g. ``FAILED: 2 mandatory
    controls failed (SAR-03, SAR-05); 1 advisory failure (SAR-10)``, or for a drift run with
    no drift but failing controls ``IN SYNC — 2 mandatory controls failed (SAR-03, SAR-05)``."""
    return verdict_head(report) + "; ".join(verdict_parts(report))


def verdict_head(report: Report) -> str:
    """``FAILED: ``; ``IN SYNC — `` when an in-sync drift run still fails (not a success)."""
    code, word = outcome(report)
    return f"{word.upper()}{' — ' if word == 'in sync' and code else ': '}"


def verdict_parts(report: Report) -> list[str]:
    """What decided the outcome, most serious first; what passed when nothing else did."""
    from sarguard.report.exit_codes import counts  # the same rule as the exit code

    parts: list[str] = []
    errors = run_errors(report)
    if len(errors) == 1:
        parts.append(errors[0].message.splitlines()[0])
    elif errors:
        parts.append(f"{len(errors)} problems stopped the run")
    live = [f for f in report.findings if f.level != "disabled"]
    not_evaluated = [f for f in live if f.status == "not_evaluated"]
    counted = _ids([f for f in not_evaluated if counts(f, report.strict)])
    if counted:
        parts.append(f"{_plural(len(counted), 'control')} could not be evaluated {_named(counted)}")
    unread = [u.resource for u in report.unread if not u.ignored]
    if unread:
        parts.append(f"{_plural(len(unread), 'evidence item')} could not be read {_named(unread, 3)}")
    failed = [f for f in live if f.status == "fail"]
    mandatory = _ids([f for f in failed if f.level != "advisory"])
    if mandatory:
        parts.append(f"{_plural(len(mandatory), 'mandatory control')} failed {_named(mandatory)}")
    drift = [d for d in report.drift or [] if not d.ignored]
    if drift:
        parts.append(_plural(len(drift), "drift item"))
    advisory = _ids([f for f in failed if f.level == "advisory"])
    if advisory:
        parts.append(f"{_plural(len(advisory), 'advisory failure')} {_named(advisory)}")
    quiet = [c for c in _ids(not_evaluated) if c not in counted]
    if quiet:
        parts.append(f"{_plural(len(quiet), 'advisory control')} not evaluated {_named(quiet)}")
    waived = [f for f in live if f.status == "waived"]
    if waived:
        parts.append(f"{len(waived)} waived")
    baselined = [f for f in live if f.status == "baselined"]
    if baselined:
        parts.append(f"{len(baselined)} baselined")
    if not parts:
        passed = _ids([f for f in live if f.status == "pass"])
        parts.append(f"{_plural(len(passed), 'control')} passed" if passed else "nothing to judge")
    return parts
