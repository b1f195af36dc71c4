"""A finding's fingerprint: what stays the same while the same thing stays wrong.

The hash covers the control, the rule inside it that judged (``Finding.rule``, default
``<control>/main``),
and the subject: the org and stack the report is about, and the resource key, which names the
brand, template, language or hook. It leaves out line numbers and the message text, so moving a
declaration or rewording a message keeps the fingerprint, and two findings on different subjects
never share one. The one place this is computed (OSCAL UUIDs use it; baselines will too).
"""

from __future__ import annotations

import hashlib
import json
from json.encoder import encode_basestring

from sarguard.controls.base import Finding, rule_of
from sarguard.report.model import Report

FINGERPRINT_VERSION = "v2"


def subject_of(report: Report) -> str:
    """What the report is about: ``org|stack`` (either may be empty)."""
    return f"{report.org_url or report.org or ''}|{report.stack or ''}"


def fingerprint(report: Report, finding: Finding) -> str:
    """A stable hex digest of control, rule and subject (org, stack, resource)."""
    return _digest(subject_of(report), finding)


def _digest(subject: str, finding: Finding) -> str:
    parts = (FINGERPRINT_VERSION, finding.control, rule_of(finding), subject, finding.resource)
    if all(type(p) is str for p in parts):
        # Exactly ``json.dumps(list(parts), ensure_ascii=False)`` (the encoder's own string
        # escaping, joined as it joins a list), without building an encoder per finding.
        material = "[" + ", ".join(map(encode_basestring, parts)) + "]"
    else:
        material = json.dumps(list(parts), ensure_ascii=False, default=str)
    return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def fingerprints(report: Report) -> list[str]:
    """The fingerprint of each finding, in order; a repeat within the report (two findings of one
    control on one subject, until findings carry their rule) gets ``#2``, ``#3``… so that
    identifiers derived from it stay unique."""
    seen: dict[str, int] = {}
    out = []
    subject = subject_of(report)
    for finding in report.findings:
        base = _digest(subject, finding)
        seen[base] = seen.get(base, 0) + 1
        out.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
    return out
