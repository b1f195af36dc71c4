"""The process exit code of ``check``/``drift``/``audit``, and the reasons behind it.

* 2 (could not run): ``report.errors``; an unwaived ``not_evaluated`` finding that counts (see
  below); an unignored unread item. Evidence that could not be seen never passes.
* 1 (failed): a failure that counts; unignored drift in a ``drift`` run (any run with ``strict``).
* 0 otherwise. The highest code wins.

A finding *counts* when its enforcement level is mandatory, or advisory under ``strict`` (strict
treats advisory as mandatory, so an advisory ``not_evaluated`` also gives 2 there). Disabled
controls never count; an unrecognised level is treated as mandatory (fail closed). Waived
findings and ignored items never count. Warnings (expired or stale waivers) never change it.
"""

from __future__ import annotations

from sarguard.controls.base import Finding
from sarguard.report.model import Report

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CANNOT_RUN = 2


def counts(finding: Finding, strict: bool) -> bool:
    """Whether this finding's level makes it affect the exit code."""
    if finding.level == "disabled":
        return False
    if finding.level == "advisory":
        return strict
    return True


def exit_reasons(report: Report) -> list[tuple[int, str]]:
    """Every rule that fired, as ``(code, explanation)``; empty means exit 0."""
    reasons: list[tuple[int, str]] = []
    if report.errors:
        reasons.append((EXIT_CANNOT_RUN, f"{len(report.errors)} error(s) prevented the run"))
    not_evaluated = _controls(report, "not_evaluated")
    if not_evaluated:
        reasons.append(
            (EXIT_CANNOT_RUN, f"could not evaluate {_counted('control', not_evaluated)}")
        )
    unread = [u.resource for u in report.unread if not u.ignored]
    if unread:
        reasons.append((EXIT_CANNOT_RUN, f"{len(unread)} unread evidence item(s): {_list(unread)}"))
    failed = _controls(report, "fail")
    if failed:
        reasons.append((EXIT_FAILED, f"{_counted('control', failed)} failed"))
    if report.kind == "drift" or report.strict:
        drift = [d for d in report.drift or [] if not d.ignored]
        if drift:
            reasons.append((EXIT_FAILED, f"{len(drift)} unignored drift item(s)"))
    return reasons


def completed(report: Report) -> bool:
    """Did the run run and finish reading? False exactly when it exits 2 because it could not
    run (``errors``: settings, rule files, the org unreachable, an internal error) or could not
    finish reading its evidence (an unignored unread item: a failed read, ``--max-wait``
    exceeded). A ``not_evaluated`` finding alone (a value unknown during preview; one a waiver
    accepted) leaves the run completed: the report is whole, it just cannot pass it."""
    return not report.errors and not any(not u.ignored for u in report.unread)


def exit_code(report: Report) -> int:
    """0, 1 or 2 as described in the module docstring."""
    return max((code for code, _ in exit_reasons(report)), default=EXIT_OK)


def _controls(report: Report, status: str) -> list[str]:
    ids: list[str] = []
    for finding in report.findings:
        if (
            finding.status == status
            and counts(finding, report.strict)
            and finding.control not in ids
        ):
            ids.append(finding.control)
    return ids


def _counted(noun: str, ids: list[str]) -> str:
    plural = noun if len(ids) == 1 else noun + "s"
    return f"{len(ids)} {plural} ({_list(ids)})"


def _list(items: list[str], limit: int = 5) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")
