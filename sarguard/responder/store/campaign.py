"""A campaign is one incident (issue 20 item 9).

Reports from at least ``campaign.minUsers`` distinct users inside ``campaign.window`` whose
reported IPs share a network — the same /24 (IPv4) or /48 (IPv6) — are one attack, not N
unrelated incidents: the SOC gets one "campaign" message (the network, the users, first and last
time, the reported activity types), and the per-user first notifications of that campaign fold
into a digest sent at most once a minute.
"""

from __future__ import annotations

import ipaddress
import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from sarguard.responder.config import NOTIFY, ResponderConfig
from sarguard.responder.store import flow
from sarguard.responder.store.schema import Action, Campaign, Report

DIGEST_EVERY = timedelta(minutes=1)
BLOCK_IP = "blockIp"  # an internal action: campaign.blockIp adds one address to the zone


def network_key(ip: object) -> str | None:
    """The network a reported address belongs to (``198.51.100.0/24``, ``2001:db8:1::/48``)."""
    if not isinstance(ip, str) or len(ip) > 64:
        return None
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return None
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def _in_window(key: str, since: datetime) -> Any:
    return and_(Report.net_key == key, Report.published >= since,
                Report.disposition.in_(("respond", "cooldown")))


def join_campaign(session: Session, report: Report, config: ResponderConfig,
                  now: datetime) -> list[Action]:
    """Put ``report`` in its network's campaign when the quorum holds; returns new rows (the
    campaign message when this report completes the quorum, a digest when one is due).

    Cheap per report (planning runs beside the deliveries' commits): an open campaign is one
    indexed lookup; the quorum an aggregate; the members are loaded once, when it forms."""
    if report.net_key is None or report.disposition != "respond" or report.user_id is None:
        return []
    window = config.campaign.window
    anchor = report.published or report.received_at
    campaign = session.scalars(select(Campaign).where(and_(
        Campaign.net_key == report.net_key, Campaign.last_at >= anchor - window))
        .order_by(Campaign.id.desc()).limit(1)).first()
    members: list[Report] = [report]
    if campaign is None:
        users = session.scalar(select(func.count(func.distinct(Report.user_id))).where(
            _in_window(report.net_key, anchor - window))) or 0
        if users < config.campaign.min_users:
            return []
        members = list(session.scalars(select(Report).where(
            _in_window(report.net_key, anchor - window))))
    rows: list[Action] = []
    spec = config.notify_spec
    base = {k: v for k, v in spec.options.items() if k != "urls"} if spec else {}
    created = campaign is None
    if campaign is None:
        campaign = Campaign(net_key=report.net_key, first_at=min(
            (m.published or m.received_at) for m in members), last_at=anchor, announced_at=now,
            digest_due_at=now)
        session.add(campaign)
        session.flush()
        for member in members:
            member.campaign_id = campaign.id
        if spec is not None:
            rows.append(flow.notify_row(report.id, 1000, flow.CAMPAIGN, now,
                                        config.give_up_after, base=base,
                                        extra={"campaignId": campaign.id}))
    else:
        campaign.last_at = max(campaign.last_at, anchor)
        report.campaign_id = campaign.id
        if spec is not None and not _digest_pending(session, campaign.id):
            due = max(now, (campaign.digest_due_at or now - DIGEST_EVERY) + DIGEST_EVERY)
            campaign.digest_due_at = due
            rows.append(flow.notify_row(report.id, 1001, flow.DIGEST, now,
                                        config.give_up_after, base=base, due=due,
                                        extra={"campaignId": campaign.id}))
    fold_first_message(session, report, now)
    if config.campaign.block_zone:  # a new campaign blocks every member's address, then each
        rows += block_rows(members if created else [report], campaign.id, now, config)
    return rows


def block_rows(reports: list[Report], campaign_id: int, now: datetime,
               config: ResponderConfig) -> list[Action]:
    """One ``blockIp`` row per member's reported address (the rules are the action's)."""
    rows = []
    for member in reports:
        try:
            ip = json.loads(member.summary).get("ip")
        except ValueError:
            ip = None
        if not isinstance(ip, str):
            continue
        rows.append(Action(report_id=member.id, seq=2000 + len(rows), kind=BLOCK_IP,
                           options=json.dumps({"campaignId": campaign_id, "ip": ip},
                                              sort_keys=True),
                           status="pending", attempts=0, created_at=now, updated_at=now,
                           due_at=now, give_up_at=now + config.give_up_after,
                           priority=flow.NORMAL))
    return rows


def _digest_pending(session: Session, campaign_id: int) -> bool:
    """Whether a digest of this campaign is already waiting to go (it will list this report)."""
    return session.scalar(select(Action.id).where(and_(
        Action.kind == NOTIFY, Action.status.in_(("pending", "running")),
        Action.options.like('%"campaignId": ' + str(int(campaign_id)) + ',%'),
        Action.options.like('%"purpose": "digest"%'))).limit(1)) is not None


def fold_first_message(session: Session, report: Report, now: datetime) -> None:
    """A campaign member's own first message (and its late follow-up: under a campaign the
    Okta actions wait for the bucket, and a thousand "still not done" would drown the SOC) is
    folded into the campaign's messages. A failure for good is still told on its own."""
    for row in session.scalars(select(Action).where(and_(
            Action.report_id == report.id, Action.kind == NOTIFY, Action.status == "pending"))):
        if flow.purpose_of(json.loads(row.options)) in (flow.FIRST, flow.LATE):
            row.status, row.finished_at, row.updated_at = "skipped", now, now
            row.result = f"folded into campaign #{report.campaign_id}'s messages"
