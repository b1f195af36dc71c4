"""``sarguard diff`` as text, JSON, Markdown (the job summary of drift.yml) and HTML (pure).

The diff (``report.diff.diff_reports``) is made of two JSON files the user gave: every string in
it is data from a file, made safe with ``safe_text`` and escaped by each format's own rules; the
text and Markdown forms get the last pass every human format gets (``guard_output``).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from sarguard.report.values import cap_markdown, guard_output, safe_text

DIFF_FORMATS = ("text", "json", "markdown", "html")
_SECTIONS = (("new", "New failures"), ("fixed", "Fixed"), ("unchanged", "Unchanged failures"))


def render_diff(diff: dict[str, Any], fmt: str) -> str:
    """The diff in ``fmt`` (one of :data:`DIFF_FORMATS`)."""
    if fmt == "json":
        return json.dumps(diff, indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return guard_output(cap_markdown(_markdown(diff)), "markdown")  # a job summary's limit
    if fmt == "html":
        return guard_output(_html(diff), "html")
    if fmt == "text":
        return guard_output(_text(diff), "text")
    raise ValueError(f"unknown diff format {fmt!r}; expected one of {', '.join(DIFF_FORMATS)}")


def headline(diff: dict[str, Any]) -> str:
    """``NEW FAILURES: 1 new, 2 fixed, 3 unchanged; 1 control changed; drift +1 -0``."""
    s = diff["summary"]
    word = "NEW FAILURES" if s["exitCode"] else "NO NEW FAILURES"
    return (f"{word}: {s['new']} new, {s['fixed']} fixed, {s['unchanged']} unchanged; "
            f"{s['controlsChanged']} control(s) changed status; drift +{s['driftNew']} "
            f"-{s['driftGone']}")


def org_of(item: dict[str, Any]) -> str:
    """``emea-prod: `` for an item of a fleet's diff, else nothing."""
    return f"{safe_text(item['org'])}: " if item.get("org") is not None else ""


def finding_line(finding: dict[str, Any]) -> str:
    """``SAR-03 SAR-03/report-link brand/b/template/T/customization/en: message`` (after the
    org's name in a fleet's diff)."""
    parts = [org_of(finding) + safe_text(finding.get("control"))]
    parts += [safe_text(finding.get(k)) for k in ("rule", "resource")]
    message = safe_text(finding.get("message"))
    return " ".join(p for p in parts if p) + (f": {message}" if message else "")


def drift_line(item: dict[str, Any]) -> str:
    kind, resource, field = (safe_text(item.get(k)) for k in ("kind", "resource", "field"))
    return f"{org_of(item)}{kind} {resource}" + (f" {field}" if field else "")


def _text(diff: dict[str, Any]) -> str:
    lines = [headline(diff), ""]
    for key, title in _SECTIONS:
        lines.append(f"{title} ({len(diff[key])})")
        lines += [f"  {finding_line(f)}" for f in diff[key]]
        lines.append("")
    lines.append(f"Controls whose status changed ({len(diff['controls'])})")
    lines += [f"  {org_of(c)}{safe_text(c['control'])}: {safe_text(c['old'])} -> "
              f"{safe_text(c['new'])}" for c in diff["controls"]]
    for key, title in (("new", "Drift that appeared"), ("gone", "Drift that went away")):
        lines += ["", f"{title} ({len(diff['drift'][key])})"]
        lines += [f"  {drift_line(d)}" for d in diff["drift"][key]]
    return "\n".join(lines) + "\n"


def _markdown(diff: dict[str, Any]) -> str:
    from sarguard.report.render_markdown import md_code, md_text

    emoji = "❌" if diff["summary"]["exitCode"] else "✅"
    lines = [f"## {emoji} sarguard diff", "", md_text(headline(diff)), ""]
    for key, title in _SECTIONS:
        found = diff[key]
        lines += [f"### {title} ({len(found)})", ""]
        if found:
            lines += ["| Control | Rule | Resource | Status | Message |", "|---|---|---|---|---|"]
            lines += [f"| {md_text(org_of(f) + safe_text(f.get('control')))} | {md_code(safe_text(f.get('rule')))}"
                      f" | {md_code(safe_text(f.get('resource')))} | {md_text(safe_text(f.get('status')))}"
                      f" | {md_text(safe_text(f.get('message')))} |" for f in found]
            lines.append("")
    if diff["controls"]:
        lines += ["### Controls whose status changed", "", "| Control | Old | New |",
                  "|---|---|---|"]
        lines += [f"| {md_text(org_of(c) + safe_text(c['control']))} | {md_text(safe_text(c['old']))} | "
                  f"{md_text(safe_text(c['new']))} |" for c in diff["controls"]]
        lines.append("")
    for key, title in (("new", "Drift that appeared"), ("gone", "Drift that went away")):
        items = diff["drift"][key]
        if items:
            lines += [f"### {title} ({len(items)})", ""]
            lines += [f"- {md_code(drift_line(d), in_table=False)}" for d in items]
            lines.append("")
    return "\n".join(lines)


@cache
def _template() -> Any:
    from sarguard.report.render_html import _environment

    return _environment().get_template("diff.html.j2")


def _html(diff: dict[str, Any]) -> str:
    def row(f: dict[str, Any]) -> dict[str, str]:
        cells = {k: safe_text(f.get(k)) for k in ("control", "rule", "resource", "status", "message")}
        return {**cells, "control": org_of(f) + cells["control"]}

    return _template().render(
        title="sarguard diff", verdict=headline(diff),
        verdict_class="fail" if diff["summary"]["exitCode"] else "ok",
        sections=[(key, title, [row(f) for f in diff[key]]) for key, title in _SECTIONS],
        controls=[{"control": org_of(c) + safe_text(c.get("control")), "old": safe_text(c.get("old")),
                   "new": safe_text(c.get("new"))} for c in diff["controls"]],
        drift=[(title, [drift_line(d) for d in diff["drift"][key]])
               for key, title in (("new", "Drift that appeared"), ("gone", "Drift that went away"))],
    )
