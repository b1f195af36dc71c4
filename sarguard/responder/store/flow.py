"""The shape of a response: which rows a report gets and which follow-ups its progress adds.

Why the SOC hears first: the first notification (who, what, where) is its own row, pending from
the start and claimed at the top priority with the session clear; ``actions[]``' order chains
the Okta actions only. Follow-ups are rows too, so they survive restarts like everything else:

* ``late`` — due ``notify.followUpAfter`` (default 2m) after planning; when it comes due with
  every Okta action ended it is skipped, else it says what is still not done;
* ``giveUp`` — added when an Okta action fails for good;
* ``done`` — with ``notify.onDone: true``, added when every Okta action ended done or skipped;
  and always when Okta answered that it does not know the user (404).

Priority 0 (session clears and first notifications) is claimed for every waiting report before
any priority-1 step (resets, expiries, suspensions, follow-ups): containment first under a burst.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sarguard.responder.config import NOTIFY, OKTA_ACTIONS, ResponderConfig
from sarguard.responder.store.schema import Action, Report

FIRST = "first"
LATE = "late"
GIVE_UP = "giveUp"
DONE = "done"
REPEAT = "repeat"
CAMPAIGN = "campaign"
DIGEST = "digest"
PLAN_FAILED = "planFailed"  # an event planning could not handle (store.planning)
TOP, NORMAL = 0, 1
DRY_RUN_WOULD = {
    "clearSessions": "would clear the user's sessions",
    "resetPassword": "would reset the password",
    "expirePassword": "would expire the password",
    "suspend": "would suspend the user",
}


def purpose_of(options: Mapping[str, Any]) -> str:
    """A notify row's purpose (rows from before 0003 have none: they were first messages)."""
    return str(options.get("purpose") or FIRST)


def priority_of(kind: str, purpose: str | None = None) -> int:
    """Containment first: session clears and first notifications share the top priority."""
    if kind == "clearSessions" or (kind == NOTIFY and (purpose or FIRST) == FIRST):
        return TOP
    return NORMAL


def notify_row(report_id: int, seq: int, purpose: str, now: datetime, give_up_after: timedelta,
               *, due: datetime | None = None, extra: Mapping[str, Any] | None = None,
               base: Mapping[str, Any] | None = None) -> Action:
    """A pending notification of ``purpose`` (``base``: the declared notify's options)."""
    options = {**(base or {}), **(extra or {}), "purpose": purpose}
    return Action(report_id=report_id, seq=seq, kind=NOTIFY,
                  options=json.dumps(options, sort_keys=True), status="pending", attempts=0,
                  created_at=now, updated_at=now, due_at=due or now,
                  give_up_at=(due or now) + give_up_after, priority=priority_of(NOTIFY, purpose))


def action_rows(report: Report, config: ResponderConfig, now: datetime, *,
                okta_skip: str | None) -> list[Action]:
    """A report's rows: the Okta actions chained in declared order, the first notification
    pending beside them, and a ``late`` follow-up when any Okta action is still to run."""
    rows: list[Action] = []
    notify_options: dict[str, Any] | None = None
    for spec in config.actions:
        options = {k: v for k, v in spec.options.items() if k != "urls"}
        if spec.kind == NOTIFY:
            notify_options = options
            rows.append(notify_row(report.id, len(rows), FIRST, now, config.give_up_after,
                                   base=options))
            continue
        status, result = "waiting", None
        if spec.kind in OKTA_ACTIONS and okta_skip is not None:
            status, result = "skipped", okta_skip
        elif spec.kind in OKTA_ACTIONS and config.dry_run:
            status, result = "skipped", f"dry run: {DRY_RUN_WOULD[spec.kind]}"
        rows.append(Action(
            report_id=report.id, seq=len(rows), kind=spec.kind,
            options=json.dumps(options, sort_keys=True), status=status, attempts=0,
            result=result, created_at=now, updated_at=now, due_at=now,
            give_up_at=now + config.give_up_after,
            finished_at=now if status == "skipped" else None, priority=priority_of(spec.kind),
        ))
    okta = [a for a in rows if a.kind in OKTA_ACTIONS and a.status == "waiting"]
    if okta:
        okta[0].status = "pending"
        if notify_options is not None:
            rows.append(notify_row(report.id, len(rows), LATE, now, config.give_up_after,
                                   due=now + config.follow_up_after, base=notify_options))
    return rows


def declared_notify(rows: Sequence[Action]) -> Action | None:
    """The report's first notification row (its options are the declared notify's)."""
    return next((a for a in sorted(rows, key=lambda a: a.seq) if a.kind == NOTIFY), None)


def okta_chain_open(rows: Sequence[Action]) -> bool:
    return any(a.kind in OKTA_ACTIONS and a.status in ("waiting", "pending", "running")
               for a in rows)


def follow_ups(report: Report, rows: list[Action], finished: Action, now: datetime) -> list[Action]:
    """After an Okta action ``finished``: promote the next one, and add or retire follow-ups.
    Returns the new rows (the caller adds them to the session)."""
    new: list[Action] = []
    template = declared_notify(rows)
    options = json.loads(template.options) if template is not None else {}
    base = {k: v for k, v in options.items() if k != "purpose"}
    give_up_after = (template.give_up_at - template.due_at) if template is not None else None
    next_seq = max(a.seq for a in rows) + 1
    if finished.status == "failed" and template is not None and give_up_after is not None:
        new.append(notify_row(report.id, next_seq, GIVE_UP, now, give_up_after, base=base,
                              extra={"failed": finished.kind}))
        next_seq += 1
    waiting = sorted((a for a in rows if a.status == "waiting" and a.kind in OKTA_ACTIONS),
                     key=lambda a: a.seq)
    if waiting:
        waiting[0].status, waiting[0].due_at, waiting[0].updated_at = "pending", now, now
        return _after_first(new, template)
    if okta_chain_open(rows):
        return _after_first(new, template)
    for row in rows:  # the Okta chain has ended: a late follow-up is no longer needed
        if row.kind == NOTIFY and row.status == "pending" and \
                purpose_of(json.loads(row.options)) == LATE:
            row.status, row.finished_at, row.updated_at = "skipped", now, now
            row.result = "not needed: every Okta action ended before followUpAfter"
        elif row.kind == NOTIFY and row.status == "waiting" and \
                purpose_of(json.loads(row.options)) == FIRST:  # queued behind the chain (pre-0003)
            row.status, row.due_at, row.updated_at = "pending", now, now
    okta = [a for a in rows if a.kind in OKTA_ACTIONS]
    all_done = (options.get("onDone") and any(a.status == "done" for a in okta)
                and all(a.status in ("done", "skipped") for a in okta))
    # Okta does not know the user: the first message could not say so, a follow-up does.
    if (all_done or report.user_status == "UNKNOWN") and template is not None \
            and give_up_after is not None:
        new.append(notify_row(report.id, next_seq, DONE, now, give_up_after, base=base))
    return _after_first(new, template)


def _after_first(new: list[Action], first: Action | None) -> list[Action]:
    """Follow-ups never overtake the first message: they wait until it has gone."""
    if first is not None and first.status not in ("done", "skipped", "failed"):
        for row in new:
            row.status = "waiting"
    return new


def release_follow_ups(rows: Sequence[Action], now: datetime) -> None:
    """The first message has gone (or given up): the follow-ups held behind it may go."""
    for row in rows:
        if row.kind == NOTIFY and row.status == "waiting" and \
                purpose_of(json.loads(row.options)) != FIRST:
            row.status, row.due_at, row.updated_at = "pending", now, now
