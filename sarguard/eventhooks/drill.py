"""The synthetic report ``sarguard drill`` delivers, and how anyone can tell it is one.

A drill event is a real-shaped report event with three marks, any one of which makes
:func:`is_drill` true (a responder must record a drill and never act on it):

* ``debugContext.debugData.sarguardDrill: "true"``;
* a ``displayMessage`` that says it is a drill (:data:`DRILL_DISPLAY_MESSAGE`);
* an actor id that cannot be a real Okta user (:data:`DRILL_ACTOR_ID`: Okta user ids are
  ``00u`` plus 17 letters and digits; this one has hyphens), with an ``.invalid`` login
  (RFC 2606: that domain can never exist) and a documentation-only IP (RFC 5737).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sarguard.eventhooks.logevent import ClientContext, Principal
from sarguard.eventhooks.report import ReportedActivity, build_report_event

DRILL_FLAG_KEY = "sarguardDrill"
DRILL_FLAG_VALUE = "true"
DRILL_ACTOR_ID = "00u-sarguard-drill-not-a-user"
DRILL_LOGIN = "drill@sarguard.invalid"
DRILL_DISPLAY_MESSAGE = ("sarguard drill: synthetic suspicious-activity report "
                         "(not a real user; record it, never act on it)")
DRILL_ACTOR = Principal(id=DRILL_ACTOR_ID, type="User", alternate_id=DRILL_LOGIN,
                        display_name="sarguard drill (not a real user)")
_DRILL_CLIENT = ClientContext(ip="192.0.2.1", city="Drill", country="Nowhere", browser="UNKNOWN",
                              os="Unknown", raw_user_agent="sarguard-drill")


def build_drill_event(*, uuid: str, published: str, request_id: str) -> dict[str, Any]:
    """A report event marked as a drill in every way :func:`is_drill` looks for."""
    activity = ReportedActivity(event_type="user.session.start", event_id=f"{uuid}-reported",
                                transaction_id=f"{request_id}-reported", timestamp=published,
                                client=_DRILL_CLIENT)
    return build_report_event(
        uuid=uuid, published=published, user=DRILL_ACTOR, reporter=_DRILL_CLIENT,
        activity=activity, request_id=request_id, session_id=None,
        extra_debug={DRILL_FLAG_KEY: DRILL_FLAG_VALUE}, display_message=DRILL_DISPLAY_MESSAGE,
    )


def is_drill(event: Mapping[str, Any]) -> bool:
    """Whether a LogEvent carries any drill mark (then: record it, never act on it)."""
    debug_context = event.get("debugContext")
    debug = debug_context.get("debugData") if isinstance(debug_context, Mapping) else None
    if isinstance(debug, Mapping) and str(debug.get(DRILL_FLAG_KEY, "")).lower() == DRILL_FLAG_VALUE:
        return True
    actor = event.get("actor")
    if isinstance(actor, Mapping) and actor.get("id") == DRILL_ACTOR_ID:
        return True
    message = event.get("displayMessage")
    return isinstance(message, str) and message.startswith("sarguard drill:")
