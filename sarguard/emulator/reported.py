"""Acting out a user's report: the activity they saw, and the report Okta writes about it.

Why two events: a real report points (``debugData.suspiciousActivityEventId`` and
``…EventTransactionId``) at the event behind the notification email the user clicked; writing
that event too gives ``sarguard investigate`` and a responder something to find. The reported
event happens ten minutes before the report, from the place the request names (by default an
unfamiliar one); the report comes from the user's own device.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sarguard.emulator.state import OrgStore, User
from sarguard.emulator.timeutil import iso
from sarguard.eventhooks import (
    ClientContext,
    Principal,
    ReportedActivity,
    build_log_event,
    build_report_event,
)

REPORTED_BEFORE_S = 600
# The events behind Okta's four notification emails that carry the report link, and their
# System Log display messages.
REPORTABLE: dict[str, str] = {
    "user.session.start": "User login to Okta",  # New sign-on notification
    "user.mfa.factor.activate": "Activate factor or authenticator enrollment method for user",
    "user.mfa.factor.reset_all": "Reset all factors for user",  # Authenticator reset
    "user.account.update_password": "User update password for Okta",  # Password changed
}
OKTA_VERIFY = Principal("opf1oktaVerify000001", "AuthenticatorEnrollment", "Okta Verify",
                        "Okta Verify")
# Where a report's reported activity comes from unless the request says otherwise (RFC 5737
# documentation addresses).
DEFAULT_ACTIVITY = ClientContext(ip="203.0.113.45", city="Lagos", state="Lagos",
                                 country="Nigeria", latitude=6.4541, longitude=3.3947,
                                 browser="CHROME", os="Windows 10",
                                 raw_user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64)")
USERS_OWN_DEVICE = ClientContext(ip="198.51.100.10", browser="SAFARI", os="Mac OS X",
                                 raw_user_agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)")


@dataclass(frozen=True)
class ReportRequest:
    """What ``POST /__emulator/report-suspicious-activity`` asks for (validated)."""

    user: User
    event_type: str = "user.session.start"
    ip: str | None = None
    city: str | None = None
    state: str | None = None
    country: str | None = None
    browser: str | None = None
    os: str | None = None

    def activity_client(self) -> ClientContext:
        """The default activity, with the place and the browser the caller named, if any."""
        place = DEFAULT_ACTIVITY
        if any((self.ip, self.city, self.state, self.country)):
            # a place the caller named: no coordinates we could vouch for
            place = replace(DEFAULT_ACTIVITY, ip=self.ip or DEFAULT_ACTIVITY.ip, city=self.city,
                            state=self.state, country=self.country, latitude=None,
                            longitude=None)
        return replace(place, browser=self.browser or place.browser, os=self.os or place.os)


def report_events(store: OrgStore, request: ReportRequest, now: float) -> list[dict[str, Any]]:
    """The reported event and the report event, in the order they happened."""
    user = request.user
    person = Principal(user.id, "User", user.login, user.display_name)
    client = request.activity_client()
    reported_at = iso(now - REPORTED_BEFORE_S)
    reported_uuid, reported_txn = store.ids.uuid(), store.ids.new("Zem")
    targets = [person, OKTA_VERIFY] if request.event_type.startswith("user.mfa.") else [person]
    reported = build_log_event(
        uuid=reported_uuid, published=reported_at, event_type=request.event_type,
        display_message=REPORTABLE[request.event_type], actor=person, client=client,
        transaction_id=reported_txn, session_id=store.ids.new("102"), targets=targets,
    )
    activity = ReportedActivity(event_type=request.event_type, event_id=reported_uuid,
                                transaction_id=reported_txn, timestamp=reported_at, client=client)
    report = build_report_event(
        uuid=store.ids.uuid(), published=iso(now), user=person, reporter=USERS_OWN_DEVICE,
        activity=activity, request_id=store.ids.new("Zem"), session_id=store.ids.new("102"),
        report_token=store.ids.new("eyJ"),
    )
    return [reported, report]
