"""``run_drill``: probe an event hook endpoint the way Okta calls it, and judge each step.

Steps, in order (each a finding; resource ``endpoint/<host><path>``):

* DRILL-05 transport — the scheme first (plain http only to loopback, where there is no
  certificate to judge: ``not_applicable``; to anything else nothing is sent, the secret would
  travel in clear), then the TLS handshake of the first request;
* DRILL-01 verification — ``GET`` with a random ``X-Okta-Verification-Challenge`` (and the
  hook's headers and auth header), echoed as ``{"verification": …}`` within Okta's 3 s;
* DRILL-02 delivery — ``POST`` of a synthetic, marked report event in Okta's envelope with the
  auth header: 200/204 within 3 s (the measured time is in the finding; another 2xx passes
  with a warning, since Okta's docs do not say how Okta counts it);
* DRILL-03 authentication — the same kind of delivery without the auth header, then with a
  wrong value: each must get a 4xx;
* DRILL-04 redelivery — the DRILL-02 body again (same ``eventId`` and ``uuid``): 200/204.

Okta's 3-second budget is fixed (``budget_s`` exists for tests); ``timeout`` is how long to wait
for an answer at all. An endpoint that cannot be connected to leaves the steps not evaluated;
one that answers late, wrongly or not at all fails them. Nothing here calls the Okta API.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid as uuidlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sarguard.controls.base import Control, Finding, Status
from sarguard.drill.catalog import AUTHENTICATION, DELIVERY, REDELIVERY, TRANSPORT, VERIFICATION
from sarguard.drill.probe import Probe, send, tls_context
from sarguard.drill.target import SECRET_ENV, DrillTarget
from sarguard.eventhooks import (
    ANSWER_STATUSES,
    TIMEOUT_S,
    VERIFICATION_HEADER,
    build_drill_event,
    build_envelope,
    check_verification_answer,
    delivery_headers,
    new_challenge,
    okta_time,
)

Sender = Callable[..., Probe]


@dataclass
class DrillResult:
    findings: list[Finding]
    evidence: dict[str, Any]
    seconds: float = 0.0
    # For the report's ``warnings``: answers Okta's docs do not cover, the likely cause of a run
    # whose every authenticated request was refused (first).
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Run:
    target: DrillTarget
    timeout: float
    budget: float
    sender: Sender
    verify: Any
    probes: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def send(self, step: str, method: str, headers: dict[str, str],
             body: bytes | None = None) -> Probe:
        probe = self.sender(method, self.target.url, headers, body, timeout=self.timeout,
                            verify=self.verify, trust_env=not self.target.is_loopback)
        self.probes.append({"step": step, "method": method, "httpStatus": probe.status,
                            "seconds": round(probe.seconds, 3), "failure": probe.failure})
        return probe


Verdict = tuple[Status, str]


def _finding(control: Control, target: DrillTarget, status: Status, message: str) -> Finding:
    return Finding(control=control.id, status=status, resource=target.resource,
                   message=message, severity=control.severity, level=control.default_level,
                   details={})


def _took(probe: Probe) -> str:
    return f"{probe.seconds:.3f} s"


def _no_answer(probe: Probe, timeout: float) -> str:
    if probe.failure == "timeout":
        return f"no answer within --timeout {timeout:g} s"
    return probe.detail or "no answer"


# What Okta's event hook docs say about answers (okta-developer-docs, concepts/event-hooks,
# "Your service's responses to event delivery requests" and "Timeout and retry"): the answer
# should be empty with 200 or 204; no answer within 3 seconds is a failed delivery; a 4xx is not
# retried. They say nothing about other 2xx, so the drill passes them with a warning and claims
# no more than that.
DOCS_ASK = "Okta's event hook docs ask for 200 or 204"


def _judge_accepted(probe: Probe, run: _Run, what: str) -> Verdict:
    if probe.status is None:
        return "fail", f"{what}: {_no_answer(probe, run.timeout)}"
    if probe.status in (401, 403):
        return "fail", f"{what}: refused with HTTP {probe.status}; is {SECRET_ENV} " \
                       "the hook's auth header value?"
    if not 200 <= probe.status < 300:
        retry = " and say a 4xx is not retried" if 400 <= probe.status < 500 else ""
        return "fail", f"{what}: answered HTTP {probe.status} in {_took(probe)}, not a " \
                       f"success; {DOCS_ASK}{retry}"
    if probe.seconds > run.budget:
        return "fail", f"{what}: HTTP {probe.status}, but in {_took(probe)}; Okta waits " \
                       f"{run.budget:g} s and counts an answer later than that as a failed delivery"
    extra = " (with a body; Okta's docs ask for an empty answer)" if probe.body.strip() else ""
    if probe.status not in ANSWER_STATUSES:
        run.warnings.append(
            f"{what} was answered HTTP {probe.status}: {DOCS_ASK} and do not say whether Okta "
            f"counts another 2xx as delivered; answer 200 or 204 to be sure")
        return "pass", f"{what}: HTTP {probe.status} in {_took(probe)}{extra}; a 2xx, but " \
                       f"not the 200 or 204 the docs ask for (see the warnings)"
    return "pass", f"{what}: HTTP {probe.status} in {_took(probe)}{extra}"


def _judge_refused(probe: Probe, timeout: float, case: str, open_message: str) -> tuple[bool, str]:
    if probe.status is not None and 400 <= probe.status < 500:
        return True, f"{case}: refused with HTTP {probe.status}"
    if probe.status is not None and 200 <= probe.status < 300:
        return False, f"{case}: accepted with HTTP {probe.status} — {open_message}"
    if probe.status is not None:
        return False, f"{case}: answered HTTP {probe.status}; expected a 4xx refusal"
    return False, f"{case}: {_no_answer(probe, timeout)}; expected a 4xx refusal"


def _delivery_body(event_id: str, event_uuid: str) -> bytes:
    now = okta_time(datetime.now(UTC))
    event = build_drill_event(uuid=event_uuid, published=now,
                              request_id=f"sarguard-drill-{secrets.token_hex(8)}")
    envelope = build_envelope([event], org_url="https://sarguard-drill.invalid",
                              hook_id="sarguard-drill", event_id=event_id, event_time=now)
    return json.dumps(envelope, separators=(",", ":")).encode("utf-8")


def run_drill(target: DrillTarget, *, timeout: float = 10.0, budget_s: float = TIMEOUT_S,
              sender: Sender = send) -> DrillResult:
    """Probe ``target`` and judge DRILL-01..05 (findings in id order)."""
    started = time.perf_counter()
    run = _Run(target, timeout, budget_s, sender, tls_context() if target.scheme == "https"
               else None)
    verdicts = _probe_all(run)
    _explain_refused_secret(run, verdicts)
    order = [VERIFICATION, DELIVERY, AUTHENTICATION, REDELIVERY, TRANSPORT]
    findings = [_finding(c, target, *verdicts[c.id]) for c in order]
    evidence = {"endpoint": target.shown_url, "authHeader": target.auth_header,
                "budgetSeconds": budget_s, "timeoutSeconds": timeout, "probes": run.probes}
    return DrillResult(findings, {"drill": evidence}, round(time.perf_counter() - started, 3),
                       warnings=run.warnings)


AUTHENTICATED_STEPS = ("verification", "delivery", "redelivery")


def _explain_refused_secret(run: _Run, verdicts: dict[str, Verdict]) -> None:
    """When every request sent with the auth header was refused (401/403), the likely cause is
    the secret, not the endpoint's logic: say so first, in the warnings and in each verdict."""
    statuses = [p["httpStatus"] for p in run.probes if p["step"] in AUTHENTICATED_STEPS]
    if not statuses or any(status not in (401, 403) for status in statuses):
        return
    cause = (f"likely cause: the secret the drill sent does not match the endpoint's (check "
             f"{SECRET_ENV}: it must be the exact value of the {run.target.auth_header} header "
             "the hook sends)")
    run.warnings.insert(0, f"every request sent with the auth header was refused "
                           f"(HTTP {', '.join(sorted({str(s) for s in statuses}))}); {cause}")
    for control in (VERIFICATION, DELIVERY, REDELIVERY):
        status, message = verdicts[control.id]
        verdicts[control.id] = (status, f"{cause}. {message}")
    status, message = verdicts[AUTHENTICATION.id]
    verdicts[AUTHENTICATION.id] = (status, f"{message} (the drill's own secret was refused too, "
                                           "so this shows only that nothing was accepted)")


def _all_unseen(reason: str) -> dict[str, Verdict]:
    return {c.id: ("not_evaluated", reason) for c in (VERIFICATION, DELIVERY, AUTHENTICATION,
                                                      REDELIVERY)}


def _probe_all(run: _Run) -> dict[str, Verdict]:
    target = run.target
    verdicts: dict[str, Verdict] = {}
    if target.scheme == "http":
        if not target.is_loopback:
            verdicts.update(_all_unseen(
                "not sent: the URL is plain http to a host that is not loopback, so the auth "
                "header would travel unencrypted"))
            verdicts[TRANSPORT.id] = ("fail", f"plain http to {target.host}: Okta delivers "
                                      "only over https, and the report and secret would travel "
                                      "in clear")
            return verdicts
        verdicts[TRANSPORT.id] = ("not_applicable", "not tested: plain http to a loopback test "
                                  "endpoint has no certificate to judge; Okta delivers only over "
                                  "https, so drill the https URL Okta will call")

    headers = delivery_headers(target.headers, target.auth_header, target.auth_value)
    challenge = new_challenge()
    get_headers = {k: v for k, v in headers.items() if k != "Content-Type"}
    get_headers[VERIFICATION_HEADER] = challenge
    first = run.send("verification", "GET", get_headers)
    if first.failure in ("connect", "tls"):
        if first.failure == "tls":
            verdicts[TRANSPORT.id] = ("fail", f"the TLS connection failed: {first.detail}; "
                                      "Okta would not deliver to this endpoint")
            verdicts.update(_all_unseen("not evaluated: no trusted TLS connection could be made, "
                                        "so nothing was sent"))
        else:
            verdicts.setdefault(TRANSPORT.id, ("not_evaluated", f"{first.detail}: the "
                                               "certificate could not be seen"))
            verdicts.update(_all_unseen(f"not evaluated: {first.detail} to {target.host}"))
        return verdicts
    if target.scheme == "https":
        version = f" ({first.tls_version})" if first.tls_version else ""
        verdicts[TRANSPORT.id] = ("pass", f"https{version} with a certificate this system "
                                  "trusts")
    verdicts[VERIFICATION.id] = _judge_verification(first, challenge, run)

    event_id, event_uuid = str(uuidlib.uuid4()), str(uuidlib.uuid4())
    body = _delivery_body(event_id, event_uuid)
    delivered = run.send("delivery", "POST", headers, body)
    verdicts[DELIVERY.id] = _judge_accepted(delivered, run, "the drill delivery")
    verdicts[AUTHENTICATION.id] = _judge_authentication(run, headers)
    again = run.send("redelivery", "POST", headers, body)
    verdicts[REDELIVERY.id] = _judge_accepted(again, run,
                                              "the redelivery of the same eventId and uuid")
    return verdicts


def _judge_verification(probe: Probe, challenge: str, run: _Run) -> Verdict:
    if probe.status is None:
        return "fail", f"the verification challenge: {_no_answer(probe, run.timeout)}"
    problem = check_verification_answer(probe.status, probe.body, challenge)
    if problem is not None:
        return "fail", f"the verification challenge: {problem} (in {_took(probe)})"
    if probe.seconds > run.budget:
        return "fail", f"echoed the challenge, but in {_took(probe)}; Okta waits " \
                       f"{run.budget:g} s"
    return "pass", f"echoed the verification challenge in {_took(probe)}"


def _judge_authentication(run: _Run, headers: dict[str, str]) -> Verdict:
    target = run.target
    without = {k: v for k, v in headers.items() if k != target.auth_header}
    wrong = {**headers, target.auth_header: f"sarguard-drill-wrong-{secrets.token_urlsafe(12)}"}
    cases = [
        ("without the auth header", without, "the endpoint accepts deliveries from anyone"),
        ("with a wrong auth value", wrong, "the endpoint accepts a wrong secret"),
    ]
    results = []
    for case, case_headers, open_message in cases:
        body = _delivery_body(str(uuidlib.uuid4()), str(uuidlib.uuid4()))
        probe = run.send(f"authentication ({case})", "POST", case_headers, body)
        results.append(_judge_refused(probe, run.timeout, f"a delivery {case}", open_message))
    status = "pass" if all(ok for ok, _ in results) else "fail"
    return status, "; ".join(text for _, text in results)
