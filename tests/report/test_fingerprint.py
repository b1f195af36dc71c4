"""Fingerprints are what baselines and ``sarguard diff`` match on: they must never change for
the same control, rule and subject, whatever the release."""

from __future__ import annotations

import hashlib
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from sarguard.controls.base import Finding
from sarguard.report.fingerprint import FINGERPRINT_VERSION, fingerprint
from sarguard.report.model import Report

_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30) | \
    st.sampled_from(['brand/"quoted"\\path', "tab\there", "日本/ü", "\u2028", "\x00\x1f"])


@given(control=_TEXT, rule=_TEXT, org=_TEXT, stack=_TEXT, resource=_TEXT)
@settings(max_examples=300, deadline=None)
def test_the_fingerprint_is_the_documented_hash(control, rule, org, stack, resource) -> None:
    """sha256 of ``json.dumps([version, control, rule, "org|stack", resource],
    ensure_ascii=False)``, first 32 hex digits: what every earlier report's baseline holds."""
    report = Report(kind="check", findings=[], controls=[], org=org or None, stack=stack or None)
    finding = Finding(control=control, status="fail", resource=resource, message="m",
                      rule=rule or None)
    rule_used = rule or f"{control}/main"
    material = json.dumps([FINGERPRINT_VERSION, control, rule_used,
                           f"{org or ''}|{stack or ''}", resource], ensure_ascii=False)
    assert fingerprint(report, finding) == \
        hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]


def test_a_lone_surrogate_in_a_subject_still_has_a_fingerprint() -> None:
    """A hostile org can name a brand with an escaped lone surrogate: the report is still
    written (the hash takes the code point as it is)."""
    report = Report(kind="audit", findings=[], controls=[], org="acme.okta.com")
    one = fingerprint(report, Finding(control="SAR-03", status="fail", resource="brand/\ud800",
                                      message="m"))
    other = fingerprint(report, Finding(control="SAR-03", status="fail", resource="brand/\ud801",
                                        message="m"))
    assert len(one) == 32 and one != other
