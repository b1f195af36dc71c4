"""Drift of the ThreatInsight configuration (``threatInsight``), only when the stack declares it.

``excludeZones`` is compared as a set whenever ThreatInsight is declared: the model cannot tell an
unset list from an empty one, and the provider sends an empty list for an unset one.
"""

from __future__ import annotations

from sarguard.drift.result import Collector
from sarguard.model import OrgState, key_threat_insight


def compare_threat_insight(declared: OrgState, live: OrgState, out: Collector) -> None:
    """``action`` (when declared) and ``excludeZones`` (as a set)."""
    if declared.threat_insight is None:
        return
    resource = key_threat_insight()
    if out.blocked(resource):
        return
    if live.threat_insight is None:
        # Okta always has a ThreatInsight configuration: absence is missing evidence.
        out.unread(resource, "the live evidence holds no ThreatInsight configuration")
        return
    out.compare(resource, "action", declared.threat_insight.action, live.threat_insight.action)
    out.compare(
        resource,
        "excludeZones",
        declared.threat_insight.exclude_zones,
        live.threat_insight.exclude_zones,
        key=lambda v: frozenset(v),
        shown=lambda v: sorted(v),
    )
