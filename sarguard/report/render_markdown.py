"""Markdown for pull-request comments and ``$GITHUB_STEP_SUMMARY``.

The verdict line comes first, then what stopped the run (each error with its file, line and key
path), then what needs action (failures with their remediation, then not-evaluated, waived);
passes are collapsed in ``<details>``; notes and warnings close it. Every piece of user data is escaped: markdown
punctuation is backslash-escaped (so ``brand/**`` stays literal and ``<script>`` stays text),
``|`` cannot split a table cell, newlines become ``<br>``, and ``@name``/``#123`` cannot ping
anyone or link an issue. A report longer than a GitHub comment allows is cut with a note.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from sarguard.report.diffs import body_diff
from sarguard.report.evidence import evidence_lines
from sarguard.report.model import Report
from sarguard.report.summary import SUMMARY_LABELS, summarize
from sarguard.report.values import cap_markdown, display, safe_text, strip_controls, unlink_markdown
from sarguard.report.view import (
    BASELINED_NOTE,
    TOOL_NAME,
    by_status,
    catalog,
    drift_state,
    org_label,
    outcome,
    problem_detail,
    remediation_of,
    run_errors,
    severity_of,
    verdict,
)

EMOJI = {0: "✅", 1: "❌", 2: "⚠️"}
_PUNCTUATION = re.compile(r"([\\`*_\[\]<>#|~&])")
# A cell or list item starting like this would become a nested list or a heading.
_BLOCK_START = re.compile(r"^(\s*)([-+=]|\d+(?=[.)]))")


def md_text(value: str) -> str:
    """Escape text so it renders literally, on one line (newlines become ``<br>``)."""
    escaped = _PUNCTUATION.sub(r"\\\1", strip_controls(value))
    escaped = _BLOCK_START.sub(_escape_block_start, escaped)
    return unlink_markdown(escaped).replace("\n", "<br>")


def _escape_block_start(match: re.Match[str]) -> str:
    marker = match.group(2)
    if marker.isdigit():  # "1." → "1\." keeps the number, loses the list meaning
        return match.group(1) + marker + "\\"
    return match.group(1) + "\\" + marker


def md_code(value: str, in_table: bool = True) -> str:
    """An inline code span on one line; inside a table cell ``|`` is escaped (GFM rule)."""
    flat = " ".join(strip_controls(value).split("\n"))
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") or not flat.strip() else ""
    body = flat.replace("|", "\\|") if in_table else flat
    return f"{fence}{pad}{body}{pad}{fence}"


def render_markdown(report: Report, full_report: str | None = None) -> str:
    """``full_report``: a file of this run with the whole report, named if the comment is cut."""
    lines: list[str] = []
    lines += _headline(report)
    lines += _errors(report)
    lines += _summary_table(report)
    controls = catalog(report)
    failures = by_status(report, "fail")
    if failures:
        lines += ["", "### Failures", ""]
        lines += _table(
            ("Control", "Severity", "Level", "Resource", "Message"),
            (
                (
                    f"**{md_text(f.control)}**",
                    md_text(severity_of(f, controls.get(f.control))),
                    md_text(f.level),
                    md_code(f.resource),
                    md_text(safe_text(f.message)),
                )
                for f in failures
            ),
        )
        fixes: dict[str, str] = {}
        for f in failures:
            fix = remediation_of(f, controls.get(f.control))
            if fix and f.control not in fixes:
                fixes[f.control] = fix
        if fixes:
            lines += ["", "**How to fix**", ""]
            for cid, fix in fixes.items():
                title = controls[cid].title if cid in controls else ""
                name = f"**{md_text(cid)}**" + (f" {md_text(title)}" if title else "")
                lines.append(f"- {name}: {md_text(fix)}")
    not_evaluated = by_status(report, "not_evaluated")
    if not_evaluated:
        lines += ["", "### Not evaluated", ""]
        lines += _table(
            ("Control", "Level", "Resource", "Why"),
            (
                (
                    md_text(f.control),
                    md_text(f.level),
                    md_code(f.resource),
                    md_text(safe_text(f.message)),
                )
                for f in not_evaluated
            ),
        )
    waived = by_status(report, "waived")
    if waived:
        lines += ["", "### Waived", ""]
        lines += _table(
            ("Control", "Resource", "Reason", "Expires", "Message"),
            (
                (
                    md_text(f.control),
                    md_code(f.resource),
                    md_text(safe_text((f.waiver or {}).get("reason"))),
                    md_text(safe_text((f.waiver or {}).get("expires"))),
                    md_text(safe_text(f.message)),
                )
                for f in waived
            ),
        )
    baselined = by_status(report, "baselined")
    if baselined:
        lines += ["", "### Baselined", "", md_text(BASELINED_NOTE.capitalize() + "."), ""]
        lines += _table(
            ("Control", "Rule", "Resource", "Message"),
            ((md_text(f.control), md_code(f.rule), md_code(f.resource), md_text(safe_text(f.message)))
             for f in baselined),
        )
    for status, label in (("pass", "Passed"), ("not_applicable", "Not applicable")):
        found = by_status(report, status)
        if found:
            lines += ["", f"<details><summary>{label} ({len(found)})</summary>", ""]
            lines += _table(
                ("Control", "Resource", "Message"),
                (
                    (md_text(f.control), md_code(f.resource), md_text(safe_text(f.message)))
                    for f in found
                ),
            )
            lines += ["", "</details>"]
    lines += _drift(report)
    lines += _bullets("Unread evidence", _unread_lines(report))
    for title, items in evidence_lines(report.evidence):
        lines += _bullets(title, (md_text(item) for item in items))
    lines += _bullets("Notes", (md_text(safe_text(n)) for n in report.notes))
    lines += _bullets("Warnings", (md_text(safe_text(w)) for w in report.warnings))
    return cap_markdown("\n".join(lines).rstrip() + "\n", full_report)


def _errors(report: Report) -> list[str]:
    """What stopped the run, one item per problem, its place in a file first."""
    items = []
    for error in run_errors(report):
        place = ""
        if error.file:
            where = error.file + (f":{error.line}" if error.line else "")
            place = md_code(where, in_table=False) + (
                f" {md_code(error.key_path, in_table=False)}" if error.key_path else "") + ": "
        items.append(place + md_text(problem_detail(error) if place else error.message))
    if not items:
        return []
    return ["### Could not run", "", *(f"- {item}" for item in items), ""]


def _headline(report: Report) -> list[str]:
    code, word = outcome(report)
    head = f"## {EMOJI[code]} {TOOL_NAME} {md_text(report.kind)}: {md_text(word)}"
    if report.stack:
        head += f" (stack {md_code(report.stack, in_table=False)})"
    lines = [head, "", f"**{md_text(verdict(report))}**", ""]
    org = org_label(report)
    if org:
        lines.append(f"Org: {md_code(org, in_table=False)}  ")
    lines.append(f"Exit code {code}.")
    return lines + [""]


def _summary_table(report: Report) -> list[str]:
    counts = summarize(report)
    return _table(
        [SUMMARY_LABELS[k] for k in counts],
        [[str(v) for v in counts.values()]],
        numeric=True,
    )


def _drift(report: Report) -> list[str]:
    if report.drift is None and report.kind == "check":
        return []
    items = report.drift or []
    if not items:
        return ["", "### Drift", "", "No drift."]
    lines = ["", "### Drift", ""]
    ordered = [d for d in items if not d.ignored] + [d for d in items if d.ignored]
    diffs = {id(d): body_diff(d.declared, d.live) for d in ordered if d.kind == "changed"}
    lines += _table(
        ("Kind", "Resource", "Field", "Declared", "Live", "Status"),
        (
            (
                md_text(d.kind),
                md_code(d.resource),
                md_code(d.field) if d.field else "",
                "(see the diff below)" if diffs.get(id(d)) else md_text(display(d.declared)),
                "(see the diff below)" if diffs.get(id(d)) else md_text(display(d.live)),
                md_text(drift_state(d)),
            )
            for d in ordered
        ),
    )
    for d in ordered:
        diff = diffs.get(id(d))
        if diff:
            lines += ["", f"<details><summary><code>{html.escape(safe_text(d.resource))}</code> "
                          f"<code>{html.escape(safe_text(d.field))}</code>: declared → live"
                          "</summary>", ""]
            lines += md_fenced(diff, "diff") + ["", "</details>"]
    return lines


def md_fenced(lines: list[str], info: str = "") -> list[str]:
    """A fenced code block whose fence is longer than any backtick run inside it."""
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + info, *lines, fence]


def _unread_lines(report: Report) -> list[str]:
    out = []
    for entry in report.unread:
        line = f"{md_code(entry.resource, in_table=False)}: {md_text(safe_text(entry.reason))}"
        if entry.ignored:
            line += f" (ignored: {md_text(safe_text(entry.ignore_reason))})"
        out.append(line)
    return out


def _bullets(title: str, items: Iterable[str]) -> list[str]:
    items = list(items)
    if not items:
        return []
    return ["", f"### {title}", ""] + [f"- {item}" for item in items]


def _table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: bool = False
) -> list[str]:
    align = "---:" if numeric else "---"
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(align for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines
