"""The ``notify`` action: gather the facts, compose the message once, send it through Apprise.

At least once: the composed message and the targets that already have it are saved in the
action's row after each send, so a retry (or a restart) sends the same text to the rest only.
A crash between a send and that save repeats one message, which is the documented price of
never losing one. The user's timeline is the one ``sarguard investigate --user`` shows.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from anyio import to_thread

from sarguard.evidence.live import describe_failure
from sarguard.okta import users
from sarguard.okta.client import OktaClient
from sarguard.okta.errors import OktaError
from sarguard.okta.logs import aiter_logs
from sarguard.okta.retry import describe_epoch
from sarguard.responder.actions import LostClaim, Retry, settle
from sarguard.responder.config import FOLLOW_UP_AFTER, OKTA_ACTIONS, NotifyTarget
from sarguard.responder.literals import apprise_target
from sarguard.responder.message import (
    ActionLine,
    CampaignFacts,
    Message,
    MessageFacts,
    compose,
    compose_campaign,
    compose_plan_failed,
    compose_repeat,
    timeline_start,
)
from sarguard.responder.store import flow
from sarguard.responder.store.queue import TERMINAL, Claimed, Outcome
from sarguard.responder.store.repeats import span_text
from sarguard.systemlog.evidence import summarize_report
from sarguard.systemlog.filters import FilterError, build_filter
from sarguard.systemlog.investigate import investigate
from sarguard.systemlog.scopes import DEFAULT_SCOPE

log = logging.getLogger("sarguard.responder")
MAX_TIMELINE_EVENTS = 500
RETRY_S = 30.0
LOGS_BUCKET = "/api/v1/logs"
LOOKUP_WAIT_S = 3.0  # how long the first message waits for the user's record and timeline
SavePayload = Callable[[Mapping[str, Any]], Awaitable[bool]]
LoadActions = Callable[[], Awaitable[Sequence[ActionLine]]]
LoadCampaign = Callable[[int], Awaitable[CampaignFacts]]


class Sender:
    """One Apprise object per target (so each target's success is known on its own)."""

    def __init__(self, targets: Sequence[NotifyTarget]) -> None:
        import apprise

        self.targets = tuple(targets)
        self._apprise: list[Any] = []
        for target in self.targets:
            obj = apprise.Apprise()
            plugin = apprise_target(target.url)
            if plugin is not None:
                obj.add(plugin)
            self._apprise.append(obj)

    async def send(self, index: int, title: str, body: str, level: str) -> bool:
        result = await self._apprise[index].async_notify(
            body=body, title=title, notify_type=level, body_format="text")
        return bool(result)


class Notifier:
    def __init__(self, client: OktaClient, sender: Sender, *, admin_url: str | None,
                 clock: Callable[[], datetime]) -> None:
        self.client = client
        self.sender = sender
        self.admin_url = admin_url
        self.clock = clock

    async def announce(self, message: Message) -> bool:
        """Send one message not tied to a report (the credential's state) to every target,
        once each; a failure is logged (it is repeated at the next change of state)."""
        ok = True
        for index, target in enumerate(self.sender.targets):
            try:
                sent = await self.sender.send(index, message.title, message.body, message.level)
            except Exception as exc:  # noqa: BLE001 - a plugin failure is a failed send
                log.warning("notification to %s failed: %s", target.shown, type(exc).__name__)
                sent = False
            ok = ok and sent
        return ok

    async def run(self, claimed: Claimed, load_actions: LoadActions,
                  save_payload: SavePayload, load_campaign: LoadCampaign | None = None) -> Outcome:
        payload = dict(claimed.payload or {})
        if "title" not in payload:
            purpose = flow.purpose_of(claimed.options)
            actions = await load_actions()
            if purpose == flow.LATE and not any(
                    a.kind in OKTA_ACTIONS and a.status not in TERMINAL for a in actions):
                return Outcome("skipped", result="not needed: every Okta action ended in time")
            message, through = await self._compose(claimed, purpose, actions, load_campaign)
            if message is None:
                return Outcome("skipped", result="nothing new since the campaign's last message")
            payload = {"title": message.title, "body": message.body, "level": message.level,
                       "sent": []}
            if through is not None:
                payload["through"] = through
            if not await save_payload(payload):
                raise LostClaim
        sent = set(payload.get("sent") or [])
        failed: list[str] = []
        for index, target in enumerate(self.sender.targets):
            if index in sent:
                continue
            try:
                ok = await self.sender.send(index, payload["title"], payload["body"],
                                            payload["level"])
            except Exception as exc:  # noqa: BLE001 - a plugin failure is a failed send
                log.warning("notification to %s failed: %s", target.shown, type(exc).__name__)
                ok = False
            if ok:
                sent.add(index)
                payload["sent"] = sorted(sent)
                if not await save_payload(payload):
                    raise LostClaim
            else:
                failed.append(target.shown)
        if not failed:
            return Outcome("done", payload=payload,
                           result=f"notified {len(self.sender.targets)} target(s)")
        due = self.clock() + timedelta(seconds=min(RETRY_S * claimed.attempts, 600.0))
        return settle(claimed, Retry(f"could not notify {', '.join(failed)} (Apprise's reason "
                                     "is in the responder's log)", due))

    async def _compose(self, claimed: Claimed, purpose: str, actions: Sequence[ActionLine],
                       load_campaign: LoadCampaign | None) -> tuple[Message | None, int | None]:
        """The message, and (campaign messages) the last report id it lists."""
        if purpose == flow.PLAN_FAILED:
            uuid = claimed.event.get("uuid") if isinstance(claimed.event, Mapping) else None
            return compose_plan_failed(report_id=claimed.report_id,
                                       event_uuid=uuid if isinstance(uuid, str) else None,
                                       error=str(claimed.options.get("error") or "unknown")), None
        if purpose == flow.REPEAT:
            return compose_repeat(report_id=claimed.report_id, user_id=claimed.user_id,
                                  login=claimed.login,
                                  reported=summarize_report(claimed.event).to_dict(),
                                  options=claimed.options, admin_url=self.admin_url), None
        if purpose in (flow.CAMPAIGN, flow.DIGEST) and load_campaign is not None:
            facts = await load_campaign(int(claimed.options.get("campaignId") or 0))
            if purpose == flow.DIGEST and facts.through <= facts.listed_through:
                return None, None
            return compose_campaign(facts, digest=purpose == flow.DIGEST), facts.through
        facts = await self._facts(claimed, actions, purpose)
        return await to_thread.run_sync(compose, facts), None

    async def _facts(self, claimed: Claimed, actions: Sequence[ActionLine],
                     purpose: str = flow.FIRST) -> MessageFacts:
        reported = summarize_report(claimed.event).to_dict()
        now = self.clock()
        facts: dict[str, Any] = {
            "report_id": claimed.report_id, "event_uuid": claimed.event.get("uuid"),
            "origin": claimed.origin, "disposition": claimed.disposition,
            "dry_run": claimed.dry_run, "user_id": claimed.user_id, "login": claimed.login,
            "reported": reported, "actions": actions, "admin_url": self.admin_url,
            "user_status": claimed.user_status,
            "unknown_user": claimed.user_status == "UNKNOWN",
            "give_up": claimed.options.get("failed") if purpose == flow.GIVE_UP else None,
            "purpose": purpose, "follow_up_after": claimed.options.get("followUpAfter")
            or span_text(FOLLOW_UP_AFTER),
        }
        lookups = []
        if purpose == flow.FIRST:
            # The name as the report carries it: reading the user would spend the users bucket
            # that the session clears need under a burst (containment first).
            facts["user_name"] = _actor_name(claimed.event)
        elif claimed.user_id and not facts["unknown_user"]:
            lookups.append(self._bounded(self._user(claimed.user_id), {}))
        if claimed.user_id and purpose == flow.FIRST:
            since = timeline_start(reported, now)
            facts["timeline_since"] = since
            lookups.append(self._bounded(self._timeline(claimed.user_id, since, now), {
                "timeline_problem": f"the System Log did not answer within {LOOKUP_WAIT_S:g} s"}))
        for found in await asyncio.gather(*lookups):
            facts.update(found)
        return MessageFacts(**facts)

    @staticmethod
    async def _bounded(lookup: Awaitable[dict[str, Any]],
                       late: dict[str, Any]) -> dict[str, Any]:
        """The first message waits for none of the Okta actions and at most a few seconds for
        the user's record and timeline (``late`` stands in for what did not come)."""
        try:
            return await asyncio.wait_for(lookup, timeout=LOOKUP_WAIT_S)
        except TimeoutError:
            return late

    async def _user(self, user_id: str) -> dict[str, Any]:
        try:
            user = await users.get_user(self.client, user_id)
        except OktaError as exc:
            log.warning("could not read user %s for the notification: %s", user_id, exc)
            return {}
        if user is None:
            return {"unknown_user": True}
        profile = user.get("profile") if isinstance(user.get("profile"), dict) else {}
        name = " ".join(str(profile[k]) for k in ("firstName", "lastName")
                        if isinstance(profile.get(k), str)) or None
        status = user.get("status") if isinstance(user.get("status"), str) else None
        return {"user_name": name, "user_status": status}

    def _logs_share_used(self) -> str | None:
        """Why the timeline is not even asked for: this process's share of the System Log's
        bucket is used up for the current window (a burst). Waiting for the next window would
        hold a worker that a session clear needs."""
        limiter = self.client.limiter
        bucket = limiter.buckets.get(LOGS_BUCKET)
        if bucket is None or not bucket.probed or bucket.reset is None:
            return None
        allowed = limiter.allowed(bucket)
        if allowed is None or bucket.used < allowed or limiter.server_now() >= bucket.reset:
            return None
        return (f"this responder's share of the System Log's rate limit is used up until "
                f"{describe_epoch(bucket.reset)}")

    async def _timeline(self, user_id: str, since: datetime, until: datetime) -> dict[str, Any]:
        if (busy := self._logs_share_used()) is not None:
            return {"timeline_problem": busy}
        try:
            query = build_filter(user=user_id, scope=DEFAULT_SCOPE)
            events: list[dict[str, Any]] = []
            async for event in aiter_logs(self.client, since=since, until=until, filter=query):
                events.append(event)
                if len(events) >= MAX_TIMELINE_EVENTS:
                    break
        except OktaError as exc:
            return {"timeline_problem": describe_failure(exc, "the System Log")}
        except FilterError as exc:
            return {"timeline_problem": str(exc)}
        # CPU work (up to 500 events): in a thread, so the event loop keeps answering deliveries
        result = await to_thread.run_sync(lambda: investigate(lambda *_: events, since=since,
                                                              until=until, user=user_id))
        return {"timeline": result.timeline}



def _actor_name(event: Mapping[str, Any]) -> str | None:
    actor = event.get("actor")
    name = actor.get("displayName") if isinstance(actor, Mapping) else None
    return name if isinstance(name, str) and name.strip() else None
