"""A fleet report (``audit --orgs``, ``sarguard merge``) as JSON, text, Markdown or HTML (pure).

Every format says the same: the fleet's verdict (the worst org's exit code), then a matrix of orgs
× controls — each cell the control's status in that org (its most pressing finding's) — then
each org's failures and why an org could not be audited. The HTML report's cells link to the
org's section. Org reports may come from files made elsewhere (``merge``): every string is made
safe (``safe_text``) and escaped by the format's own rules, and the human formats get the last
pass every human format gets (``guard_output``).
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from sarguard.report.diff import control_statuses
from sarguard.report.values import cap_markdown, guard_output, safe_text
from sarguard.report.view import OUTCOME_WORDS, STATUS_LABELS

FLEET_FORMATS = ("text", "json", "markdown", "html")
ATTENTION = ("fail", "not_evaluated", "baselined", "waived")  # listed per org
NONE = "—"
# The text matrix's cells: short enough for a dozen controls in a terminal.
_SHORT = {"pass": "pass", "fail": "FAIL", "not_evaluated": "n/eval", "not_applicable": "n/a",
          "waived": "waived", "baselined": "basel."}


def render_fleet(fleet: dict[str, Any], fmt: str) -> str:
    """The fleet in ``fmt`` (one of :data:`FLEET_FORMATS`)."""
    if fmt == "json":
        return json.dumps(fleet, indent=2, ensure_ascii=False) + "\n"
    if fmt == "text":
        return guard_output(_text(fleet), "text")
    if fmt == "markdown":
        return guard_output(cap_markdown(_markdown(fleet)), "markdown")  # a job summary's limit
    if fmt == "html":
        return guard_output(_html(fleet), "html")
    raise ValueError(f"unknown fleet format {fmt!r}; expected one of {', '.join(FLEET_FORMATS)}")


def verdict(fleet: dict[str, Any]) -> str:
    """``FAILED: 3 orgs — 1 passed, 1 failed, 1 could not run``."""
    s = fleet["summary"]
    return (f"{OUTCOME_WORDS.get(fleet['exitCode'], 'could not run').upper()}: {s['orgs']} orgs — "
            f"{s['passed']} passed, {s['failed']} failed, {s['couldNotRun']} could not run")


def matrix(fleet: dict[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """``(control ids, rows)``; a row: the org's name, URL, exit code, anchor and the status of
    each control (``None`` where the org has no finding of it)."""
    rows = []
    ids: list[str] = []
    for i, org in enumerate(fleet["orgs"]):
        statuses = control_statuses(org["report"])
        ids += [c for c in statuses if c not in ids]
        rows.append({"name": safe_text(org.get("name")), "url": safe_text(org.get("orgUrl")),
                     "code": org.get("exitCode"), "anchor": f"org-{i + 1}",
                     "statuses": statuses, "report": org["report"]})
    ids.sort(key=_control_order)
    return ids, rows


def _control_order(cid: str) -> tuple[str, int, str]:
    match = re.match(r"^(\D*)(\d+)(.*)$", cid)
    return (match.group(1), int(match.group(2)), match.group(3)) if match else (cid, 0, "")


def _label(status: str | None) -> str:
    return STATUS_LABELS.get(status, safe_text(status)) if status else NONE


def _attention(report: dict[str, Any]) -> list[dict[str, str]]:
    return [{k: safe_text(f.get(k)) for k in ("control", "rule", "status", "resource", "message")}
            for f in report.get("findings", []) if f.get("status") in ATTENTION]


def _errors(report: dict[str, Any]) -> list[str]:
    return [safe_text(e.get("message")) for e in report.get("errors", []) or []
            if isinstance(e, dict)]


def _text(fleet: dict[str, Any]) -> str:
    ids, rows = matrix(fleet)
    lines = [verdict(fleet), "",
             "Statuses: FAIL, n/eval (not evaluated), waived, basel. (baselined), n/a (not "
             "applicable), pass; — no finding", ""]
    name_width = max((len(r["name"]) for r in rows), default=4)
    width = max([6, *(len(c) for c in ids)])
    lines.append(f"{'org':<{name_width}}  exit  " + " ".join(f"{c:<{width}}" for c in ids).rstrip())
    for r in rows:
        cells = " ".join(f"{_SHORT.get(r['statuses'].get(c) or '', NONE):<{width}}" for c in ids)
        lines.append(f"{r['name']:<{name_width}}  {r['code']!s:<4}  {cells}".rstrip())
    for r in rows:
        lines += ["", f"{r['name']}  {r['url']}  exit {r['code']}"]
        lines += [f"  error: {e}" for e in _errors(r["report"])]
        lines += [f"  {_label(f['status'])}: {f['control']} {f['resource']}: {f['message']}"
                  for f in _attention(r["report"])]
    return "\n".join(lines) + "\n"


def _markdown(fleet: dict[str, Any]) -> str:
    from sarguard.report.render_markdown import md_code, md_text

    ids, rows = matrix(fleet)
    emoji = {0: "✅", 1: "❌"}.get(fleet["exitCode"], "⚠️")
    lines = [f"## {emoji} sarguard fleet", "", md_text(verdict(fleet)), "",
             "| Org | Exit | " + " | ".join(md_text(c) for c in ids) + " |",
             "|---|---:|" + "---|" * len(ids)]
    lines += [f"| {md_text(r['name'])} | {r['code']} | "
              + " | ".join(md_text(_label(r["statuses"].get(c))) for c in ids) + " |" for r in rows]
    for r in rows:
        errors, attention = _errors(r["report"]), _attention(r["report"])
        if not errors and not attention:
            continue
        lines += ["", f"### {md_text(r['name'])} ({md_text(r['url'])}): exit {r['code']}", ""]
        lines += [f"- could not run: {md_text(e)}" for e in errors]
        lines += [f"- **{md_text(_label(f['status']))}** {md_text(f['control'])} "
                  f"{md_code(f['resource'], in_table=False)}: {md_text(f['message'])}"
                  for f in attention]
    return "\n".join(lines) + "\n"


@cache
def _template() -> Any:
    from sarguard.report.render_html import _environment

    return _environment().get_template("fleet.html.j2")


def _html(fleet: dict[str, Any]) -> str:
    ids, rows = matrix(fleet)
    classes = {0: "ok", 1: "fail", 2: "error"}
    orgs = [{**{k: r[k] for k in ("name", "url", "code", "anchor")},
             "cells": [(c, r["statuses"].get(c), _label(r["statuses"].get(c))) for c in ids],
             "errors": _errors(r["report"]), "findings": _attention(r["report"]),
             "verdict_class": classes.get(r["code"], "error"),
             "status_labels": {f["status"]: _label(f["status"]) for f in _attention(r["report"])}}
            for r in rows]
    return _template().render(title="sarguard fleet report", verdict=verdict(fleet),
                              verdict_class=classes.get(fleet["exitCode"], "error"),
                              controls=ids, orgs=orgs)
