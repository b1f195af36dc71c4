"""``compare_states``: declared org vs live org, attribute by attribute.

Pure: no I/O. Each family of settings has its own comparer module; this one checks the
inputs, runs them all into one collector and returns the sorted result.
"""

from __future__ import annotations

from sarguard.drift.brands import compare_brands
from sarguard.drift.hooks import compare_hooks
from sarguard.drift.notifications import compare_notifications
from sarguard.drift.result import Collector, DriftResult
from sarguard.drift.roles import compare_role_subscriptions
from sarguard.drift.threat_insight import compare_threat_insight
from sarguard.model import OrgState

_COMPARERS = (
    compare_notifications,
    compare_brands,
    compare_hooks,
    compare_role_subscriptions,
    compare_threat_insight,
)


def compare_states(declared: OrgState, live: OrgState) -> DriftResult:
    """Every difference between what the stack declares and what the live org holds.

    Raises ``ValueError`` when the states are passed the wrong way round, since a swapped call
    would silently invert ``missing`` and ``unmanaged``.
    """
    if not isinstance(declared, OrgState) or not isinstance(live, OrgState):
        raise TypeError("compare_states expects two OrgState objects (declared, live)")
    if declared.source == "live":
        raise ValueError(
            "compare_states: the first argument must be declared evidence, got source 'live'"
        )
    if live.source != "live":
        raise ValueError(
            f"compare_states: the second argument must be live evidence, got source '{live.source}'"
        )
    out = Collector(live)
    for comparer in _COMPARERS:
        comparer(declared, live, out)
    return out.result()
