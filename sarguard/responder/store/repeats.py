"""Repeat reports are told, not swallowed (issue 20 item 8).

A second report by a user inside the cooldown is linked to the one that was answered (no second
reset) and gets a short notification — "repeat report by X (2nd in 15m; first answered at T)".
After that, at most one such message per user per cooldown window: a user who clicks "This
wasn't me" ten times does not page the SOC ten times, and the SOC still knows it is happening.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from sarguard.responder.config import NOTIFY, OKTA_ACTIONS, ResponderConfig
from sarguard.responder.store import flow
from sarguard.responder.store.schema import Action, Report
from sarguard.systemlog import logevent as le

__all__ = ["network_key", "repeat_rows", "span_text"]


def span_text(span: timedelta) -> str:
    """``15m``, ``2h``, ``1d``: a window as a config file writes it."""
    seconds = int(span.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _answered_at(session: Session, earlier: Report) -> datetime | None:
    """When the answered report's first Okta action ended (its containment), else None."""
    return session.scalar(select(func.min(Action.finished_at)).where(and_(
        Action.report_id == earlier.id, Action.kind.in_(OKTA_ACTIONS),
        Action.status == "done")))


def repeat_rows(session: Session, report: Report, earlier: Report, config: ResponderConfig,
                now: datetime) -> list[Action]:
    """The repeat notification for ``report`` (linked to ``earlier``), or none when this user
    already had one inside the window (or nothing is declared to notify)."""
    spec = config.notify_spec
    if spec is None or report.user_id is None:
        return []
    ordinal = session.scalar(select(func.count()).select_from(Report).where(and_(
        Report.user_id == report.user_id,
        or_(Report.id == earlier.id, Report.linked_report_id == earlier.id),
        Report.id <= report.id))) or 2
    told = session.scalar(select(func.count()).select_from(Action).join(
        Report, Report.id == Action.report_id).where(and_(
            Report.user_id == report.user_id, Action.kind == NOTIFY,
            Action.options.like('%"purpose": "repeat"%'),
            Action.created_at > now - config.cooldown)))
    if told:
        return []
    answered = _answered_at(session, earlier)
    base = {k: v for k, v in spec.options.items() if k != "urls"}
    extra = {"ordinal": int(ordinal), "window": span_text(config.cooldown),
             "firstReportId": earlier.id,
             "firstAnsweredAt": le.iso(answered) if answered else None,
             "firstReceivedAt": le.iso(earlier.received_at)}
    return [flow.notify_row(report.id, 0, flow.REPEAT, now, config.give_up_after, base=base,
                            extra=json.loads(json.dumps(extra)))]


def network_key(ip: object) -> str | None:
    """Imported here for planning's convenience (the rule lives in ``campaign``)."""
    from sarguard.responder.store.campaign import network_key as key

    return key(ip)
