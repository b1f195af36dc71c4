"""``sarguard responder status``: what arrived, what was done, what is left, what failed."""

from __future__ import annotations

from typing import Any

from sarguard.systemlog.render import clean, table_to_text, to_json


def render_status_json(summary: dict[str, Any]) -> str:
    return to_json(summary)


def _counts(mapping: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(mapping.items())) or "none"


def render_status_text(summary: dict[str, Any], width: int | None = None) -> str:
    d, e, r, a = summary["deliveries"], summary["events"], summary["reports"], summary["actions"]
    lines = [
        f"Responder store: {summary['database']}",
        f"Deliveries: {d['received']} received ({d['events']} events, {d['newEvents']} new; "
        f"the rest were redeliveries), last at {d['last'] or 'never'}",
        f"Events: {e['delivered']} by the hook, {e['reconciled']} by reconciliation from the "
        f"System Log, {e['awaitingPlanning']} awaiting planning",
        f"Reports: {r['total']} ({r['byOrigin']['delivery']} delivered, "
        f"{r['byOrigin']['reconciled']} reconciled); by disposition: "
        f"{_counts(r['byDisposition'])}; by outcome: {_counts(r['byOutcome'])}",
        f"Actions: pending {a['pending'] + a['waiting']} (running {a['running']}), done "
        f"{a['done']}, skipped {a['skipped']}, failed {a['failed']}",
    ]
    rec = summary.get("reconcile")
    if rec:
        lines.append(f"Reconciliation: System Log searched until {rec['searchedUntil']}, last run "
                     f"{rec['lastRunAt'] or 'never'}, found {rec['lastFound']} new"
                     + (f"; last error: {clean(rec['lastError'])}" if rec.get("lastError") else ""))
    live = [p for p in summary["responders"] if not p["stoppedAt"]]
    lines.append(f"Responders: {len(live)} not stopped of {len(summary['responders'])} recorded"
                 + "".join(f"\n  {p['host']} pid {p['pid']}, started {p['startedAt']}, "
                           f"heartbeat {p['heartbeatAt']}" for p in live))
    out = "\n".join(lines) + "\n"
    if summary["lastErrors"]:
        out += "\n" + table_to_text(
            "Last errors", ("At", "Report", "Action", "Status", "Attempts", "Error"),
            [(x["at"], f"#{x['reportId']}", x["action"], x["status"], x["attempts"], x["error"])
             for x in summary["lastErrors"]], width=width)
    if summary["recent"]:
        out += "\n" + table_to_text(
            "Recent reports", ("Report", "Received", "User", "Origin", "Disposition", "Outcome",
                               "Actions"),
            [(f"#{x['reportId']}", x["receivedAt"], x["login"] or x["userId"], x["origin"],
              x["disposition"] + (f" (see #{x['linkedReportId']})" if x["linkedReportId"] else ""),
              x["outcome"] + (f" (planning: {clean(x['planningError'])})"
                              if x.get("planningError") else ""),
              ", ".join(f"{y['kind']} {y['status']}" for y in x["actions"]))
             for x in summary["recent"]], width=width)
    return out
