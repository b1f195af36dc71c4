"""Acting out a user's report: the activity, the notification email about it, and the report.

Why three events: a real report points (``debugData.suspiciousActivityEventType``,
``…EventId``, ``…EventTransactionId``) at the event of the notification email that carried the
report link, the email's send event, not the sign-in itself (a published payload shows
``system.email.new_device_notification.sent_message`` for a new sign-on email; issue 20 §12),
while the place, browser and time it names are the activity's. Okta's event catalog
(../shared/reference/okta-event-types.csv) names a send event for the new sign-on, factor
enrollment and factor reset emails; it names none for the "password changed" email, so that
report points at the password change. Writing the activity and the email gives ``sarguard
investigate`` and a responder something to find. The activity happens ten minutes before the
report, from the place the request names (by default an unfamiliar one), the email a second
later in the same transaction; the report comes from the user's own device. Every uuid is random (never seeded), as
Okta's are: two runs of one seed never share an event.
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
    new_uuid,
)

REPORTED_BEFORE_S = 600
EMAIL_AFTER_S = 1  # the notification email goes out a moment after the activity
# The events behind Okta's four notification emails that carry the report link, and their
# System Log display messages.
REPORTABLE: dict[str, str] = {
    "user.session.start": "User login to Okta",  # New sign-on notification
    "user.mfa.factor.activate": "Activate factor or authenticator enrollment method for user",
    "user.mfa.factor.reset_all": "Reset all factors for user",  # Authenticator reset
    "user.account.update_password": "User update password for Okta",  # Password changed
}
# The send event of the notification email each activity triggers (the catalog's types).
NOTIFICATION_EMAIL: dict[str, tuple[str, str]] = {
    "user.session.start": ("system.email.new_device_notification.sent_message",
                           "New device signin notification email sent"),
    "user.mfa.factor.activate": ("system.email.mfa_enroll_notification.sent_message",
                                 "MFA enrollment notification email sent"),
    "user.mfa.factor.reset_all": ("system.email.mfa_reset_notification.sent_message",
                                  "MFA reset notification email sent"),
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
    """The activity, its notification email's send event (when the catalog has one) and the
    report event, in the order they happened; the report names the email (else the activity)."""
    user = request.user
    person = Principal(user.id, "User", user.login, user.display_name)
    client = request.activity_client()
    reported_at = iso(now - REPORTED_BEFORE_S)
    activity_uuid, txn = new_uuid(), store.ids.new("Zem")
    session = store.ids.new("102")
    targets = [person, OKTA_VERIFY] if request.event_type.startswith("user.mfa.") else [person]
    events = [build_log_event(
        uuid=activity_uuid, published=reported_at, event_type=request.event_type,
        display_message=REPORTABLE[request.event_type], actor=person, client=client,
        transaction_id=txn, session_id=session, targets=targets,
    )]
    named_type, named_uuid, named_at = request.event_type, activity_uuid, reported_at
    if request.event_type in NOTIFICATION_EMAIL:
        named_type, message = NOTIFICATION_EMAIL[request.event_type]
        named_uuid, named_at = new_uuid(), iso(now - REPORTED_BEFORE_S + EMAIL_AFTER_S)
        events.append(build_log_event(
            uuid=named_uuid, published=named_at, event_type=named_type,
            display_message=message, actor=person, client=client, transaction_id=txn,
            session_id=session, targets=[person],
        ))
    activity = ReportedActivity(event_type=named_type, event_id=named_uuid,
                                transaction_id=txn, timestamp=named_at, client=client)
    events.append(build_report_event(
        uuid=new_uuid(), published=iso(now), user=person, reporter=USERS_OWN_DEVICE,
        activity=activity, request_id=store.ids.new("Zem"), session_id=store.ids.new("102"),
        report_token=store.ids.new("eyJ"),
    ))
    return events
