"""Human-readable report for terminals and CI logs, rendered with rich to a string.

All user data goes in as ``Text`` objects, never as markup: a message containing ``[secret]``
or ``[bold]`` must print literally. Without ``color`` the output has no escape codes at all.
"""

from __future__ import annotations

import io

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from sarguard.report.evidence import evidence_lines
from sarguard.report.exit_codes import exit_reasons
from sarguard.report.model import Report
from sarguard.report.summary import has_drift_section, summarize
from sarguard.report.values import display, safe_text
from sarguard.report.view import (
    STATUS_LABELS,
    TOOL_NAME,
    TOOL_VERSION,
    drift_state,
    groups,
    outcome,
    remediation_of,
    severity_of,
)

WIDTH = 120
_STATUS_STYLES = {
    "pass": "green",
    "fail": "bold red",
    "not_evaluated": "yellow",
    "not_applicable": "dim",
    "waived": "cyan",
}
_OUTCOME_STYLES = {0: "bold green", 1: "bold red", 2: "bold yellow"}
_SUMMARY_LABELS = {
    "passed": "passed",
    "failed": "failed",
    "notEvaluated": "not evaluated",
    "notApplicable": "not applicable",
    "waived": "waived",
    "changed": "changed",
    "missing": "missing",
    "unmanaged": "unmanaged",
    "ignored": "ignored",
    "unread": "unread",
}


def render_text(report: Report, color: bool = False, width: int = WIDTH) -> str:
    """The report as a fixed-width table layout; ANSI colour only when ``color``."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        color_system="standard" if color else None,
        force_terminal=color,
        force_jupyter=False,
        force_interactive=False,
        no_color=not color,
        markup=False,
        emoji=False,
        highlight=False,
        legacy_windows=False,
        _environ={},
    )
    for part in _parts(report):
        console.print(part)
    return buffer.getvalue()


def _parts(report: Report) -> list[RenderableType]:
    parts: list[RenderableType] = [_headline(report)]
    parts += _findings(report)
    if has_drift_section(report):
        parts.append(_drift(report))
        if report.unread or report.kind != "check":
            parts.append(_unread(report))
    elif report.unread:
        parts.append(_unread(report))
    for title, lines in evidence_lines(report.evidence):
        parts += _notes(title, lines, "bold")
    parts += _notes("Warnings", report.warnings, "yellow")
    parts += _notes("Errors", report.errors, "bold red")
    if report.timings:
        parts.append(_timings(report))
    return parts


def _headline(report: Report) -> Group:
    code, word = outcome(report)
    title = Text(f"{TOOL_NAME} {TOOL_VERSION} · {report.kind}", style="bold")
    if report.stack:
        title.append(f" · stack {report.stack}")
    if report.org:
        title.append(f" · org {report.org}")
    result = Text("Result: ")
    result.append(f"{word.upper()} (exit {code})", style=_OUTCOME_STYLES[code])
    counts = summarize(report)
    result.append(" — " + ", ".join(f"{_SUMMARY_LABELS[k]} {v}" for k, v in counts.items()))
    lines: list[RenderableType] = [title, result]
    for _, reason in exit_reasons(report):
        lines.append(Text(f"  • {reason}"))
    return Group(*lines, Text(""))


def _findings(report: Report) -> list[RenderableType]:
    if not report.findings:
        return [Text("No findings.", style="dim"), Text("")]
    out: list[RenderableType] = []
    for group in groups(report):
        control = group.control
        heading = Text(group.control_id, style="bold")
        if group.title:
            heading.append(f"  {group.title}")
        first = group.findings[0]
        meta = [severity_of(first, control), first.level]
        heading.append(f"  [{', '.join(m for m in meta if m)}]", style="dim")
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, expand=True, pad_edge=False)
        table.add_column("Status", no_wrap=True, width=14)
        table.add_column("Resource", ratio=2, overflow="fold")
        table.add_column("Message", ratio=3, overflow="fold")
        remediations: list[str] = []
        for finding in group.findings:
            message = Text(safe_text(finding.message))
            if finding.status == "waived" and finding.waiver:
                message.append(
                    f"\nwaived until {display(finding.waiver.get('expires'))}: "
                    f"{safe_text(finding.waiver.get('reason'))}",
                    style="cyan",
                )
            table.add_row(
                Text(
                    STATUS_LABELS.get(finding.status, finding.status),
                    style=_STATUS_STYLES.get(finding.status, ""),
                ),
                Text(safe_text(finding.resource)),
                message,
            )
            if finding.status in ("fail", "not_evaluated"):
                fix = remediation_of(finding, control)
                if fix and fix not in remediations:
                    remediations.append(fix)
        out += [heading, table]
        out += [Text(f"  Remediation: {fix}", style="italic") for fix in remediations]
        out.append(Text(""))
    return out


def _drift(report: Report) -> RenderableType:
    items = report.drift or []
    if not items:
        return Group(Text("Drift: none", style="bold"), Text(""))
    table = Table(title="Drift", title_justify="left", box=box.SIMPLE_HEAD, expand=True)
    table.add_column("Kind", no_wrap=True)
    table.add_column("Resource", ratio=3, overflow="fold")
    table.add_column("Field", ratio=2, overflow="fold")
    table.add_column("Declared", ratio=2, overflow="fold")
    table.add_column("Live", ratio=2, overflow="fold")
    table.add_column("Status", ratio=2, overflow="fold")
    for item in items:
        style = "dim" if item.ignored else ""
        table.add_row(
            Text(item.kind, style=style or "red"),
            Text(safe_text(item.resource), style=style),
            Text(safe_text(item.field), style=style),
            Text(display(item.declared), style=style),
            Text(display(item.live), style=style),
            Text(drift_state(item), style=style),
        )
    return table


def _unread(report: Report) -> RenderableType:
    if not report.unread:
        return Group(Text("Unread evidence: none", style="bold"), Text(""))
    lines: list[RenderableType] = [Text("Unread evidence", style="bold")]
    for entry in report.unread:
        line = Text(f"  • {safe_text(entry.resource)}: {safe_text(entry.reason)}")
        if entry.ignored:
            line.append(f" (ignored: {safe_text(entry.ignore_reason)})", style="dim")
        lines.append(line)
    return Group(*lines, Text(""))


def _notes(title: str, notes: list[str], style: str) -> list[RenderableType]:
    if not notes:
        return []
    lines = [Text(f"  • {safe_text(n)}") for n in notes]
    return [Group(Text(title, style=style), *lines, Text(""))]


def _timings(report: Report) -> RenderableType:
    table = Table(title="Timings", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("Phase")
    table.add_column("Seconds", justify="right")
    for phase, seconds in report.timings.items():
        table.add_row(Text(phase), Text(f"{float(seconds):.3f}"))
    return table
