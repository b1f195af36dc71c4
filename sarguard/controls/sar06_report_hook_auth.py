"""SAR-06: the report hook authenticates, and its credentials are Pulumi secrets.

Why: an unauthenticated endpoint accepts forged "user reported suspicious activity" events (a
cheap way to force password resets or flood the SOC); a plaintext auth value, credential-like
header (``x-functions-key``…) or URL credential (a Logic App's ``sig=``) in the stack leaks the
credential to everyone who can read the repository or the state. A hook without an auth header
is something Okta accepts, so it is a finding here (waivable), never a settings error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sarguard.controls._helpers import DECLARED_SOURCES, SECRET_AWARE_SOURCES, finding, unread_for
from sarguard.controls._hooks import hook_key, report_hooks
from sarguard.controls.base import Control, Finding
from sarguard.model import ORG, REPORT_EVENT, SECTION_EVENT_HOOKS, EventHook, OrgState, is_unknown
from sarguard.util.credentials import is_credential_header, url_credentials

ID = "SAR-06"
# What a live read judges and what it cannot (the status is that of the judged part).
LIVE_NOTE = ("judged on channel.config.authScheme type and key; not judged: the auth value, "
             "which Okta never returns")


def is_secret(value: Any) -> bool:
    """Evidence adapters wrap Pulumi secrets in markers that say ``is_secret``."""
    return bool(getattr(value, "is_secret", False))


def _declared(hook: EventHook, secret_aware: bool) -> tuple[list[str], list[str], list[str]]:
    """(problems, unknowns, notes) for a declared hook."""
    problems: list[str] = []
    unknowns: list[str] = []
    notes: list[str] = []
    if hook.auth_opaque:
        if hook.auth_value_set is False:
            problems.append("the auth block is an empty secret")
        notes.append("the auth block is stored as one Pulumi secret in this evidence: it is set and "
                     "secret, but its header name cannot be read here (the stack settings show it)")
        return problems, unknowns, notes
    if is_unknown(hook.auth_type):
        unknowns.append("auth.type cannot be known during preview")
    elif hook.auth_type not in (None, "HEADER"):
        problems.append(f"auth.type is {hook.auth_type}, expected HEADER")
    if is_unknown(hook.auth_key):
        unknowns.append("auth.key cannot be known during preview")
    elif not hook.auth_key:
        problems.append("sends no auth header (no eventHook.authHeader / auth.key): Okta accepts "
                        "it, and the endpoint cannot tell its deliveries from forged ones")
    if hook.auth_value_set is False and hook.auth_key:
        problems.append("no auth header value (auth.value) is set")
    elif hook.auth_value_set is None:
        unknowns.append("whether auth.value is set cannot be known during preview")
    if hook.auth_value_set:
        if hook.auth_value_secret is False:
            problems.append("auth.value is plaintext; it must be a Pulumi secret")
        elif hook.auth_value_secret is None:
            notes.append("this evidence cannot show whether auth.value is a secret")
    if secret_aware:
        plain = sorted(k for k, v in hook.headers.items()
                       if is_credential_header(str(k)) and isinstance(v, str) and v)
        if plain:
            problems.append(f"credential header(s) {', '.join(plain)} are plaintext; move them "
                            "from eventHook.headers to eventHook.secretHeaders, their values to "
                            "sarguard:eventHookHeaderSecrets (`pulumi config set --secret --path "
                            "sarguard:eventHookHeaderSecrets.<Header-Name>`)")
        in_url = sorted({where for where, _ in url_credentials(hook.uri)})
        if in_url:
            problems.append(f"the delivery URL carries a credential in clear ({', '.join(in_url)}); "
                            "write each as a placeholder in eventHook.url (sig={secret:sig}) and "
                            "its value in sarguard:eventHookUrlSecrets (`pulumi config set "
                            "--secret --path sarguard:eventHookUrlSecrets.sig`)")
    return problems, unknowns, notes


def _live(hook: EventHook) -> tuple[list[str], list[str], list[str]]:
    """(problems, unknowns, notes) for a hook read from Okta (the value is never returned)."""
    problems: list[str] = []
    if hook.auth_type != "HEADER":
        problems.append(f"channel.config.authScheme.type is {hook.auth_type or 'not set'}, "
                        "expected HEADER")
    if not hook.auth_key:
        problems.append("channel.config.authScheme.key is not set")
    return problems, [], [LIVE_NOTE]


def evaluate(state: OrgState, options: Mapping[str, Any]) -> list[Finding]:
    reason = unread_for(state, SECTION_EVENT_HOOKS)
    if reason:
        return [finding(ID, "not_evaluated", ORG, f"event hooks could not be read: {reason}")]
    hooks = report_hooks(state.event_hooks)
    if not hooks:  # no subject: nothing is missing from the evidence; SAR-05 fails for it
        return [finding(ID, "not_applicable", ORG,
                        f"no event hook is subscribed to {REPORT_EVENT}, so there is no hook "
                        "authentication to judge; SAR-05 fails for the missing hook")]
    out: list[Finding] = []
    for hook in hooks:
        key = hook_key(hook)
        hook_reason = unread_for(state, key)
        if hook_reason:
            out.append(finding(ID, "not_evaluated", key, f"hook could not be read: {hook_reason}",
                               urn=hook.urn))
            continue
        if state.source in DECLARED_SOURCES:
            problems, unknowns, notes = _declared(hook, state.source in SECRET_AWARE_SOURCES)
        else:
            problems, unknowns, notes = _live(hook)
        suffix = f" ({'; '.join(notes)})" if notes else ""
        if problems:
            out.append(finding(ID, "fail", key, "hook " + "; ".join(problems) + suffix, urn=hook.urn,
                               problems=problems))
        elif unknowns:
            out.append(finding(ID, "not_evaluated", key, "; ".join(unknowns) + suffix, urn=hook.urn))
        else:
            out.append(finding(ID, "pass", key, "hook sends an auth header" + suffix, urn=hook.urn))
    return out


CONTROL = Control(
    id=ID,
    policy_name="sar-06-report-hook-authenticated",
    title="The report event hook authenticates with a secret header",
    severity="high",
    default_level="mandatory",
    rationale=("Without an auth header the SIEM/SOAR endpoint cannot tell Okta's deliveries from "
               "forged reports; a plaintext credential in the stack or state leaks it to anyone "
               "who can read them."),
    remediation=("Set sarguard:settings.eventHook.authHeader (the header name) in "
                 "stacks/Pulumi.<stack>.yaml and store the value as a secret: "
                 "`pulumi config set --secret sarguard:eventHookSecret <value>`, then `pulumi up`. "
                 "Credential-like headers go in eventHook.secretHeaders (values in "
                 "sarguard:eventHookHeaderSecrets); a credential in the URL becomes a "
                 "{secret:NAME} placeholder (values in sarguard:eventHookUrlSecrets). "
                 "Admin Console: Workflow > Event Hooks > <hook> > Edit > Authentication field / "
                 "Authentication secret."),
    references=(
        "https://developer.okta.com/docs/concepts/event-hooks/#header-authentication",
        "https://www.pulumi.com/docs/concepts/secrets/",
    ),
    evaluate=evaluate,
)

# Framework mappings: sarguard's own (no framework publishes one for this feature); the
# catalog attaches them to CONTROL (see sarguard.controls.frameworks).
FRAMEWORKS: dict[str, dict[str, str]] = {
    "nist-800-53": {
        "IA-9": "The receiver authenticates Okta, the service that sends the report, by its auth header.",
        "IR-6(1)": "An unauthenticated endpoint would accept forged reports into the reporting path.",
    },
    "iso-27001": {
        "A.5.14": "Protects the transfer of reports to the SOC against forged deliveries.",
    },
    "cis-v8": {
        "17.3": "Only genuine reports enter the incident reporting process.",
    },
}
