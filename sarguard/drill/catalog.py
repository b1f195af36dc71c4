"""The drill's verdicts, DRILL-01..05, as catalog entries (ids are public contracts).

They use the control metadata shape so every report renderer (text, JSON, SARIF rules, JUnit,
Markdown, GitHub) shows them like SAR controls; they are judged by probing an endpoint
(:mod:`sarguard.drill.runner`), never by evaluating an org state.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sarguard.controls.base import Control, Finding, Severity
from sarguard.model import OrgState

HOOKS_DOC = "https://developer.okta.com/docs/concepts/event-hooks/"
SOURCES = frozenset({"endpoint"})


def _probed_not_evaluated(state: OrgState, options: Mapping[str, Any]) -> list[Finding]:
    """Drill verdicts come from probing an endpoint; over an org state there is nothing to say."""
    return []


def _control(id_: str, name: str, title: str, severity: Severity, rationale: str,
             remediation: str) -> Control:
    return Control(id=id_, policy_name=name, title=title, severity=severity,
                   default_level="mandatory", rationale=rationale, remediation=remediation,
                   evaluate=_probed_not_evaluated, references=(HOOKS_DOC,), sources=SOURCES)


VERIFICATION = _control(
    "DRILL-01", "drill-01-verification", "The endpoint answers Okta's verification challenge",
    "high",
    "Okta activates delivery only after a one-time GET with X-Okta-Verification-Challenge is "
    "answered with {\"verification\": <value>} within 3 seconds; an endpoint that cannot do "
    "this never receives a report.",
    "Read the X-Okta-Verification-Challenge header of the GET and answer 200 with the JSON "
    "{\"verification\": \"<that value>\"} at once.")
DELIVERY = _control(
    "DRILL-02", "drill-02-delivery", "A report delivery is accepted within Okta's 3 seconds",
    "high",
    "Okta waits 3 seconds for an answer and retries at most once (never after a 4xx); its docs "
    "ask for an empty 200 or 204. A report answered late or refused is a report the SOC never "
    "gets; another 2xx is one the docs say nothing about.",
    "Answer the POST with 200 or 204 and no body as soon as the delivery is stored; do the work "
    "(notify, respond) after answering.")
AUTHENTICATION = _control(
    "DRILL-03", "drill-03-authentication", "Deliveries without the right auth header are refused",
    "high",
    "The auth header is the only thing that tells Okta's deliveries from anyone else's POST: an "
    "endpoint that accepts a delivery without it, or with a wrong value, lets anyone inject fake "
    "reports (or drown real ones).",
    "Compare the configured auth header with the hook's secret (in constant time) before "
    "anything else and answer 401 when it is missing or wrong.")
REDELIVERY = _control(
    "DRILL-04", "drill-04-redelivery", "A redelivery of the same event is accepted",
    "medium",
    "Okta delivers at least once: the same eventId and event uuid can arrive again (a retry "
    "after a timeout). An endpoint must accept the duplicate (and dedupe on data.events[].uuid), "
    "or Okta counts the retry as a failed delivery.",
    "Dedupe on data.events[].uuid and answer a duplicate with 200/204 like the first delivery.")
TRANSPORT = _control(
    "DRILL-05", "drill-05-transport", "Deliveries travel over https with a trusted certificate",
    "high",
    "A report carries who reported what and the hook's secret; Okta sends it only over https "
    "and the endpoint's certificate must be one a client trusts. A plain-http loopback test "
    "endpoint has no certificate to judge, so there this step is not applicable.",
    "Serve the endpoint over https with a certificate from a CA the system trusts (or give the "
    "drill your CA with SSL_CERT_FILE); never plain http beyond this machine.")

DRILL_CONTROLS: tuple[Control, ...] = (VERIFICATION, DELIVERY, AUTHENTICATION, REDELIVERY,
                                       TRANSPORT)
