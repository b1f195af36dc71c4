"""Drift of the Security > General notification switches (``securityNotificationEmails``)."""

from __future__ import annotations

from sarguard.drift.result import Collector
from sarguard.model import NOTIFICATION_FIELDS, NOTIFICATIONS_MANAGED, OrgState, key_notifications

NOT_COMPARED = ("securityNotificationEmails: not compared: the stack does not manage the "
                "notification switches (notifications.manage: false); SAR-01/02 judge them live")


def compare_notifications(declared: OrgState, live: OrgState, out: Collector) -> None:
    """Compare the five switches; an unset declared switch means the provider default, true.

    The resource is a singleton Okta always has, so an absent live section is unread evidence,
    never ``missing``.
    """
    if declared.notifications is None:
        if declared.meta.get(NOTIFICATIONS_MANAGED) is False:
            out.note(NOT_COMPARED)
        return
    resource = key_notifications()
    if out.blocked(resource):
        return
    if live.notifications is None:
        out.unread(resource, "the live evidence holds no security notification settings")
        return
    for api_field in NOTIFICATION_FIELDS.values():
        value = declared.notifications.get(api_field)
        if value is None or api_field in declared.notifications.defaulted:
            value = True  # unset in the program: Okta ends up with the provider default, true
        out.compare(resource, api_field, value, live.notifications.get(api_field))
