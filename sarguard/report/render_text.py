"""Human-readable report for terminals and CI logs, rendered with rich to a string.

Layout, for people scanning a CI log: the one-line verdict first, then the header (command,
stack, org URL) and the counts; run errors; what needs action grouped by control (failures,
not-evaluated and waived findings, each control's remediation once); passes and
not-applicable findings as one count per control (``verbose`` lists them); drift, with a
changed body as a short unified diff; unread evidence, evidence summaries, notes, warnings;
timings only when ``verbose``.

Resource keys are folded at ``/`` and messages at spaces, never mid-word. All user data goes in
as ``Text`` objects, never as markup: a message containing ``[secret]`` or ``[bold]`` prints
literally. Without ``color`` the output has no escape codes at all.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterable

from rich.console import Console
from rich.text import Text

from sarguard.controls.base import Finding
from sarguard.report.diffs import body_diff
from sarguard.report.evidence import evidence_lines
from sarguard.report.model import DriftItem, Report
from sarguard.report.summary import SUMMARY_LABELS, has_drift_section, summarize
from sarguard.report.values import display, safe_text
from sarguard.report.view import (
    BASELINED_NOTE,
    STATUS_LABELS,
    TOOL_NAME,
    TOOL_VERSION,
    ControlGroup,
    drift_state,
    groups,
    org_label,
    outcome,
    remediation_of,
    run_errors,
    severity_of,
    verdict_head,
    verdict_parts,
)

WIDTH = 120
INDENT = "  "
STATUS_WIDTH = 15  # "not applicable" + a space
_STATUS_STYLES = {
    "pass": "green",
    "fail": "bold red",
    "not_evaluated": "yellow",
    "not_applicable": "dim",
    "waived": "cyan",
    "baselined": "cyan",
}
_OUTCOME_STYLES = {0: "bold green", 1: "bold red", 2: "bold yellow"}
_ACTION_STATUSES = ("fail", "not_evaluated", "waived", "baselined")


MIN_WIDTH = 20  # the narrowest page a report is fitted to


def render_text(report: Report, color: bool = False, width: int = WIDTH,
                verbose: bool = False) -> str:
    """The report as text ``width`` columns wide; ANSI colour only when ``color``."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=max(width, 40),
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
    layout = _Layout(max(width, 40))
    for line in _lines(report, layout, verbose):
        for part in fit(line, max(width, MIN_WIDTH)):
            console.print(part, overflow="ignore", crop=False, no_wrap=True, soft_wrap=True)
    return buffer.getvalue()


def fit(line: Text, width: int) -> list[Text]:
    """``line`` in pieces of at most ``width`` columns: broken at spaces, continued under its own
    indent plus two; a word wider than a whole line is shortened with an ellipsis, never split
    (an e-mail address or id half on one line reads as two wrong values)."""
    if line.cell_len <= width:
        return [line]
    plain = line.plain
    indent = len(plain) - len(plain.lstrip(" "))
    hanging = " " * min(indent + 2, width // 2)
    pieces: list[Text] = []
    start = 0
    room = width
    while start < len(plain):
        end = start + room
        if end >= len(plain):
            cut, rest = len(plain), len(plain)
        else:
            space = plain.rfind(" ", start + 1, end + 1)
            cut = space if space > start else end
            rest = space + 1 if space > start else plain.find(" ", end)
            rest = len(plain) if rest < 0 else rest
        piece = line[start:cut] if cut > start else Text("")
        if cut == start + room and (rest > cut and not plain[cut:rest].startswith(" ")):
            # a single word wider than the room: shortened, not split
            piece = line[start:rest]
            piece.truncate(room, overflow="ellipsis")
            cut = rest
        piece.rstrip()
        if pieces:
            piece = Text(hanging) + piece
        pieces.append(piece)
        start = cut
        while start < len(plain) and plain[start] == " ":
            start += 1
        room = width - len(hanging)
    return pieces


class _Layout:
    """Wrapping that never breaks a word: keys fold after ``/``, text at spaces."""

    def __init__(self, width: int) -> None:
        self.width = width

    def fold_key(self, key: str, width: int) -> list[str]:
        return fold_at_slashes(key, width)

    def wrap(self, text: str, width: int) -> list[str]:
        out: list[str] = []
        for paragraph in text.splitlines() or [""]:
            out += textwrap.wrap(paragraph, width, break_long_words=False,
                                 break_on_hyphens=False) or [""]
        return out


def fold_at_slashes(key: str, width: int) -> list[str]:
    """``key`` cut into lines of at most ``width`` characters, each break right after a ``/``
    (a single segment longer than ``width`` stays whole: it is never cut mid-word)."""
    width = max(width, 1)
    parts = key.split("/")
    pieces = [p + "/" for p in parts[:-1]] + [parts[-1]]
    lines: list[str] = []
    current = ""
    for piece in pieces:
        if current and len(current) + len(piece) > width:
            lines.append(current)
            current = piece
        else:
            current += piece
    lines.append(current)
    return lines


def _lines(report: Report, layout: _Layout, verbose: bool) -> list[Text]:
    out = _headline(report, layout)
    out += _errors(report, layout)
    out += _findings(report, layout, verbose)
    if report.errors and not report.findings and not report.drift and not report.unread:
        pass  # nothing was compared: "Drift: none" would claim what was never looked at
    elif has_drift_section(report):
        out += _drift(report, layout)
        if report.unread or report.kind != "check":
            out += _unread(report, layout)
    elif report.unread:
        out += _unread(report, layout)
    for title, lines in evidence_lines(report.evidence):
        out += _bullets(title, lines, layout, "bold")
    out += _bullets("Notes", report.notes, layout, "bold")
    out += _bullets("Warnings", report.warnings, layout, "yellow")
    if verbose and report.timings:
        out += _timings(report)
    while out and not out[-1].plain:
        out.pop()
    return out


def _verdict_lines(report: Report, layout: _Layout) -> list[str]:
    """The verdict, continued on indented lines at ``; `` when it is wider than the page."""
    head = verdict_head(report).rstrip()
    lines = [head]
    for part in verdict_parts(report):
        first = lines[-1] == head
        joiner = " " if first else "; "
        if len(lines[-1]) + len(joiner) + len(part) + 1 <= layout.width or first:
            lines[-1] += joiner + part
        else:
            lines[-1] += ";"
            lines.append(INDENT + part)
    return lines


def _headline(report: Report, layout: _Layout) -> list[Text]:
    code, _ = outcome(report)
    lines = [Text(line, style=_OUTCOME_STYLES[code]) for line in _verdict_lines(report, layout)]
    title = Text(f"{TOOL_NAME} {TOOL_VERSION} · {report.kind}", style="bold")
    if report.stack:
        title.append(f" · stack {safe_text(report.stack)}")
    org = org_label(report)
    if org:
        title.append(f" · org {org}")
    title.append(f" · exit {code}")
    lines.append(title)
    counts = summarize(report)
    tally = ", ".join(f"{SUMMARY_LABELS[k].lower()} {v}" for k, v in counts.items())
    lines += [Text(line, style="dim") for line in layout.wrap(tally, layout.width)]
    return [*lines, Text("")]


def _errors(report: Report, layout: _Layout) -> list[Text]:
    errors = [e.message for e in run_errors(report)]
    return _bullets("Errors", errors, layout, "bold red")


def _findings(report: Report, layout: _Layout, verbose: bool) -> list[Text]:
    if not report.findings:
        return [] if report.errors else [Text("No findings.", style="dim"), Text("")]
    out: list[Text] = []
    quiet: list[ControlGroup] = []
    for group in groups(report):
        action = [f for f in group.findings if f.status in _ACTION_STATUSES]
        shown = group.findings if verbose else action
        if not shown:
            quiet.append(group)
            continue
        out += _group(group, shown, layout)
        if not verbose:
            rest = _counts(f for f in group.findings if f.status not in _ACTION_STATUSES)
            if rest:
                out.insert(len(out) - 1, Text(f"{INDENT}also {rest}", style="dim"))
    if quiet:
        out += _quiet(quiet, layout)
    return out


def _group(group: ControlGroup, findings: list[Finding], layout: _Layout) -> list[Text]:
    control = group.control
    heading = Text(group.control_id, style="bold")
    if group.title:
        heading.append(f"  {group.title}")
    first = group.findings[0]
    meta = [severity_of(first, control), first.level]
    heading.append(f"  [{', '.join(m for m in meta if m)}]", style="dim")
    out = [heading]
    body = layout.width - len(INDENT) - STATUS_WIDTH
    remediations: list[str] = []
    for finding in findings:
        label = STATUS_LABELS.get(finding.status, finding.status)
        keys = layout.fold_key(safe_text(finding.resource), body)
        for i, key in enumerate(keys):
            line = Text(INDENT)
            line.append(f"{label if i == 0 else '':<{STATUS_WIDTH}}",
                        style=_STATUS_STYLES.get(finding.status, ""))
            line.append(key)
            out.append(line)
        pad = INDENT + " " * STATUS_WIDTH
        for text in layout.wrap(safe_text(finding.message), body):
            out.append(Text(pad + text))
        if finding.status == "waived" and finding.waiver:
            waiver = (f"waived until {display(finding.waiver.get('expires'))}: "
                      f"{safe_text(finding.waiver.get('reason'))}")
            out += [Text(pad + t, style="cyan") for t in layout.wrap(waiver, body)]
        if finding.status == "baselined":
            out.append(Text(pad + BASELINED_NOTE, style="cyan"))
        if finding.status in ("fail", "not_evaluated"):
            fix = remediation_of(finding, control)
            if fix and fix not in remediations:
                remediations.append(fix)
    for fix in remediations:
        wrapped = layout.wrap(f"Remediation: {fix}", layout.width - len(INDENT))
        out += [Text(INDENT + t, style="italic") for t in wrapped]
    return [*out, Text("")]


def _counts(findings: Iterable[Finding]) -> str:
    """``3 passed, 1 not applicable`` for findings that need no action."""
    tally: dict[str, int] = {}
    for finding in findings:
        label = "passed" if finding.status == "pass" else STATUS_LABELS.get(finding.status,
                                                                            finding.status)
        tally[label] = tally.get(label, 0) + 1
    return ", ".join(f"{n} {label}" for label, n in tally.items())


def _quiet(quiet: list[ControlGroup], layout: _Layout) -> list[Text]:
    """Controls with nothing to act on: one line each, with their counts."""
    out = [Text("Passed or not applicable (--verbose lists them)", style="bold")]
    width = max(len(g.control_id) for g in quiet)
    tallies = [_counts(g.findings) for g in quiet]
    tally_width = max(len(t) for t in tallies)
    for group, counts in zip(quiet, tallies, strict=True):
        line = Text(f"{INDENT}{group.control_id:<{width}}  ")
        line.append(f"{counts:<{tally_width}}", style="green" if "passed" in counts else "dim")
        if group.title:
            rest = layout.width - len(line.plain) - 3
            title = group.title if len(group.title) <= rest else group.title[: max(rest - 1, 0)] + "…"
            line.append(f"  {title}", style="dim")
        out.append(line)
    return [*out, Text("")]


def _drift(report: Report, layout: _Layout) -> list[Text]:
    items = report.drift or []
    if not items:
        return [Text("Drift: none", style="bold"), Text("")]
    ignored = sum(1 for d in items if d.ignored)
    head = f"Drift: {len(items)} item{'s' if len(items) != 1 else ''}"
    out = [Text(head + (f" ({ignored} ignored)" if ignored else ""), style="bold")]
    kind_width = 11
    body = layout.width - len(INDENT) - kind_width
    pad = INDENT + " " * kind_width
    for item in [d for d in items if not d.ignored] + [d for d in items if d.ignored]:
        style = "dim" if item.ignored else ""
        for i, key in enumerate(layout.fold_key(safe_text(item.resource), body)):
            line = Text(INDENT)
            line.append(f"{item.kind if i == 0 else '':<{kind_width}}", style=style or "red")
            line.append(key, style=style)
            out.append(line)
        for text in _drift_detail(item, layout, body):
            out.append(Text(pad + text, style=style))
    return [*out, Text("")]


def _drift_detail(item: DriftItem, layout: _Layout, width: int) -> list[str]:
    lines: list[str] = []
    diff = body_diff(item.declared, item.live) if item.kind == "changed" else None
    if diff is not None:
        lines.append(f"{item.field}: differs (declared → live)")
        lines += diff
        # The diff says where the bodies part; the item's "first difference" note repeats it.
        state = f"ignored: {safe_text(item.reason)}" if item.ignored else ""
    else:
        field = f"{item.field}: " if item.field else ""
        text = f"{field}declared {display(item.declared)}, live {display(item.live)}"
        lines += layout.wrap(text, width)
        state = drift_state(item)
    if state:
        lines += layout.wrap(state, width)
    return lines


def _unread(report: Report, layout: _Layout) -> list[Text]:
    if not report.unread:
        return [Text("Unread evidence: none", style="bold"), Text("")]
    entries = []
    for entry in report.unread:
        text = f"{safe_text(entry.resource)}: {safe_text(entry.reason)}"
        if entry.ignored:
            text += f" (ignored: {safe_text(entry.ignore_reason)})"
        entries.append(text)
    return _bullets("Unread evidence", entries, layout, "bold")


def _bullets(title: str, items: list[str], layout: _Layout, style: str) -> list[Text]:
    if not items:
        return []
    out = [Text(title, style=style)]
    for item in items:
        wrapped = layout.wrap(safe_text(item), layout.width - len(INDENT) - 2)
        out.append(Text(f"{INDENT}• {wrapped[0]}"))
        out += [Text(f"{INDENT}  {line}") for line in wrapped[1:]]
    return [*out, Text("")]


def _timings(report: Report) -> list[Text]:
    out = [Text("Timings", style="bold")]
    width = max(len(str(p)) for p in report.timings)
    for phase, seconds in report.timings.items():
        out.append(Text(f"{INDENT}{phase:<{width}}  {float(seconds):8.3f} s"))
    return [*out, Text("")]
