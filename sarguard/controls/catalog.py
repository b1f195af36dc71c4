"""The control catalog: one ordered list, looked up by id (``SAR-02``) or policy name.

Order is the report order. To add a control, import its module and append its ``CONTROL``.
Each module's ``FRAMEWORKS`` (sarguard's framework mappings) is attached here, so the catalog's
controls carry them.
"""

from __future__ import annotations

from sarguard.controls import (
    sar01_report_enabled,
    sar02_link_emails,
    sar03_templates_keep_link,
    sar04_templates_reach_users,
    sar05_report_hook,
    sar06_report_hook_auth,
    sar07_hook_events,
    sar08_admins_notified,
    sar09_templates_acceptable,
    sar10_threatinsight,
    sar11_report_deliveries,
    sar12_no_tampering,
)
from sarguard.controls.base import Control
from sarguard.controls.frameworks import with_frameworks

CATALOG: list[Control] = [
    sar01_report_enabled.CONTROL,
    sar02_link_emails.CONTROL,
    sar03_templates_keep_link.CONTROL,
    sar04_templates_reach_users.CONTROL,
    sar05_report_hook.CONTROL,
    sar06_report_hook_auth.CONTROL,
    sar07_hook_events.CONTROL,
    sar08_admins_notified.CONTROL,
    sar09_templates_acceptable.CONTROL,
    sar10_threatinsight.CONTROL,
    sar11_report_deliveries.CONTROL,
    sar12_no_tampering.CONTROL,
]
CATALOG = with_frameworks(CATALOG, (
    sar01_report_enabled, sar02_link_emails, sar03_templates_keep_link, sar04_templates_reach_users,
    sar05_report_hook, sar06_report_hook_auth, sar07_hook_events, sar08_admins_notified,
    sar09_templates_acceptable, sar10_threatinsight, sar11_report_deliveries, sar12_no_tampering,
))


def find_control(key: str, controls: list[Control] | None = None) -> Control | None:
    """The control whose id (case-insensitive) or policy name is ``key``, or None."""
    wanted = key.strip()
    for control in CATALOG if controls is None else controls:
        if control.policy_name == wanted or control.id.lower() == wanted.lower():
            return control
    return None


def get_control(key: str, controls: list[Control] | None = None) -> Control:
    """Like :func:`find_control` but raises ``KeyError`` naming the known ids."""
    control = find_control(key, controls)
    if control is None:
        known = ", ".join(c.id for c in (CATALOG if controls is None else controls))
        raise KeyError(f"unknown control {key!r}; known: {known}")
    return control
