"""Drift detection: compare the declared stack's ``OrgState`` with the live org's.

Public API: :func:`compare_states` and :class:`DriftResult`; :func:`normalize_body` documents
(and applies) what whitespace in a template body is not drift.
"""

from sarguard.drift.compare import compare_states
from sarguard.drift.normalize import normalize_body, normalize_subject
from sarguard.drift.result import DriftResult
from sarguard.drift.values import SECRET_MASK

__all__ = ["DriftResult", "SECRET_MASK", "compare_states", "normalize_body", "normalize_subject"]
