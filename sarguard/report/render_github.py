"""GitHub Actions workflow commands: annotations on the stack file in the PR's diff view.

``::error`` for mandatory failures, run errors (each at the file and line it names, e.g. a
settings error at its key in the stack file), unread evidence and drift that fails the run (a
declared resource's item at its line in the stack file); ``::warning`` for advisory failures,
not-evaluated findings, other drift and report warnings (expired or stale waivers);
``::notice`` for waived findings and ignored items. Passes, not-applicable findings and
``notes`` (things the run could not compare that need no action) produce nothing. Data is escaped per GitHub's rules, so a message can
never end the command early or inject another one.
"""

from __future__ import annotations

from sarguard.controls.base import Finding
from sarguard.report.model import Report
from sarguard.report.values import safe_text, strip_controls, truncate
from sarguard.report.view import (
    BASELINED_NOTE,
    TOOL_NAME,
    catalog,
    drift_location,
    drift_sentence,
    location_of,
    remediation_of,
    run_errors,
)

_MESSAGE_LIMIT = 2000


def escape_data(text: str) -> str:
    """Escape a command's message part (escape sequences and control characters dropped first)."""
    return strip_controls(text, normalise_breaks=False).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a command property value (also ``:`` and ``,``, which delimit properties)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(
    name: str,
    message: str,
    file: str | None = None,
    line: int | None = None,
    title: str | None = None,
) -> str:
    """One workflow command line, e.g. ``::error file=f,line=3,title=t::message``."""
    props = []
    if file:
        props.append(f"file={escape_property(file)}")
        if line is not None:
            props.append(f"line={line}")
    if title:
        props.append(f"title={escape_property(title)}")
    head = f"::{name}" + (" " + ",".join(props) if props else "")
    return f"{head}::{escape_data(truncate(message, _MESSAGE_LIMIT))}"


def render_github(report: Report) -> str:
    lines = [_finding(report, f) for f in report.findings]
    lines = [line for line in lines if line]
    drift_fails = report.kind == "drift" or report.strict
    for item in report.drift or []:
        title = f"Drift ({item.kind}): {item.resource}"
        file, line = drift_location(report, item)
        if item.ignored:
            text = f"{drift_sentence(item)} (ignored: {safe_text(item.reason)})"
            lines.append(command("notice", text, file, line, title=title))
        else:
            name = "error" if drift_fails else "warning"
            lines.append(command(name, drift_sentence(item), file, line, title=title))
    for entry in report.unread:
        title = f"Unread evidence: {entry.resource}"
        text = f"Could not read {entry.resource}: {safe_text(entry.reason)}"
        if entry.ignored:
            text += f" (ignored: {safe_text(entry.ignore_reason)})"
        lines.append(command("notice" if entry.ignored else "error", text, title=title))
    for warning in report.warnings:
        lines.append(command("warning", safe_text(warning), title=TOOL_NAME))
    for error in run_errors(report):
        lines.append(command("error", error.message, error.file, error.line,
                             title=f"{TOOL_NAME} could not run"))
    return "".join(line + "\n" for line in lines)


def _finding(report: Report, finding: Finding) -> str | None:
    control = catalog(report).get(finding.control)
    name = f"{finding.control} {control.title}" if control else finding.control
    file, line = location_of(report, finding)
    message = f"{finding.resource}: {safe_text(finding.message)}"
    if finding.status == "fail":
        fix = remediation_of(finding, control)
        text = message + (f"\nRemediation: {fix}" if fix else "")
        if finding.level == "disabled":
            return None
        kind = "warning" if finding.level == "advisory" else "error"
        return command(kind, text, file, line, name)
    if finding.status == "not_evaluated":
        return command("warning", message, file, line, f"{name} (not evaluated)")
    if finding.status == "waived":
        waiver = finding.waiver or {}
        text = (
            f"{message}\nWaived until {safe_text(waiver.get('expires'))}: "
            f"{safe_text(waiver.get('reason'))}"
        )
        return command("notice", text, file, line, f"{name} (waived)")
    if finding.status == "baselined":
        return command("notice", f"{message}\n{BASELINED_NOTE.capitalize()}", file, line,
                       f"{name} (baselined)")
    return None
