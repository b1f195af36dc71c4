"""Reading the Security > General switches for SAR-01 and SAR-02 (fail closed)."""

from __future__ import annotations

from dataclasses import dataclass

from sarguard.controls._helpers import DECLARED_SOURCES
from sarguard.model import (
    NOTIFICATIONS_MANAGED,
    SECTION_NOTIFICATIONS,
    OrgState,
    is_unknown,
    key_notifications,
)

NOT_MANAGED = ("this stack does not manage the Security > General notification switches "
               "(notifications.manage: false), so there is nothing declared to judge; `sarguard "
               "drift` and `sarguard audit` judge the switches on the live org")


@dataclass(frozen=True)
class SwitchReading:
    """One switch's verdict: on / off / undetermined, with a phrase a message can use."""

    state: str  # "on" | "off" | "undetermined"
    phrase: str


def section_problem(state: OrgState) -> tuple[str, str] | None:
    """(status, message) when the switches cannot be judged at all, else None."""
    reason = state.unread_reason(key_notifications(), SECTION_NOTIFICATIONS)
    if reason:
        return "not_evaluated", f"the notification switches could not be read: {reason}"
    if state.notifications is None:
        if state.source in DECLARED_SOURCES and state.meta.get(NOTIFICATIONS_MANAGED) is False:
            return "not_applicable", NOT_MANAGED
        if state.source in DECLARED_SOURCES:  # no subject here: the stack does not manage them
            return ("not_applicable", "this stack declares no SecurityNotificationEmails "
                                      "resource, so it does not manage the Security > General "
                                      "notification switches; drift and audit judge them on the "
                                      "live org")
        return "not_evaluated", "the notification switches were not collected"
    return None


def read_switch(state: OrgState, api_field: str) -> SwitchReading:
    """Judge one switch, saying when the provider default decided it."""
    assert state.notifications is not None
    value = state.notifications.get(api_field)
    defaulted = api_field in state.notifications.defaulted
    if is_unknown(value):
        return SwitchReading("undetermined", f"{api_field} cannot be known during preview")
    if value is True:
        if defaulted:
            return SwitchReading("on", f"{api_field} is unset and judged by the provider default (true)")
        return SwitchReading("on", f"{api_field} is true")
    if value is False:
        return SwitchReading("off", f"{api_field} is false")
    return SwitchReading("undetermined", f"{api_field} is missing from the evidence")
