"""What the user runs after ``sarguard import``: the Pulumi commands in order, the secrets first.

``pulumi config set`` without a value prompts for it (pulumi/pulumi
``pkg/cmd/pulumi/config/config.go``: "If a value is not present on the command line, pulumi will
prompt for the value"), so no secret reaches the shell history or this output.
"""

from __future__ import annotations

import shlex

from sarguard.adopt.importfile import MIN_PULUMI
from sarguard.adopt.plan import AdoptionPlan
from sarguard.settings.loader import SECRET_KEY, header_secret_command, url_secret_command

WAIVERS = """\
# waivers.yaml
- control: SAR-01
  resource: securityNotificationEmails
  reason: OAuth-only credentials cannot read Security > General (SSWS only); <who checks it, ticket>
  expires: <YYYY-MM-DD>
- control: SAR-02
  resource: securityNotificationEmails
  reason: OAuth-only credentials cannot read Security > General (SSWS only); <who checks it, ticket>
  expires: <YYYY-MM-DD>"""
IGNORES = """\
# drift-ignore.yaml
- resource: securityNotificationEmails
  reason: OAuth service app cannot read the internal endpoint (SSWS only)"""


def hook_secret_command(stack: str) -> str:
    return f"pulumi config set --secret {SECRET_KEY} --stack {shlex.quote(stack)}"


def next_steps(plan: AdoptionPlan, stack: str, import_file: str, stack_file: str) -> list[str]:
    """The numbered commands, each with a line that says why."""
    quoted = shlex.quote(stack)
    steps: list[tuple[str, str]] = [
        (f"pulumi stack init {quoted}", f"the stack (or `pulumi stack select {quoted}` when it "
                                        f"exists); its settings are in {stack_file}")]
    if plan.hook is not None:
        if plan.hook.auth_header:
            steps.append((hook_secret_command(stack),
                          f"the value of the hook's {plan.hook.auth_header} header: Okta never "
                          "returns it (pulumi prompts for it)"))
        for header in plan.hook.secret_headers:
            seen = f"; Okta's current value has fingerprint {header.fingerprint}" if header.fingerprint else ""
            steps.append((f"{header_secret_command(header.name)} --stack {quoted}",
                          f"the value of the credential-like header {header.name}{seen}"))
        for secret in plan.hook.url_secrets:
            seen = f"; Okta's current value has fingerprint {secret.fingerprint}" if secret.fingerprint else ""
            steps.append((f"{url_secret_command(secret.name)} --stack {quoted}",
                          f"the value of the hook URL's {{secret:{secret.name}}}{seen}"))
    steps.append((f"pulumi import --file {shlex.quote(import_file)} --stack {quoted} "
                  "--generate-code=false",
                  f"adopt the live objects into the stack's state (Pulumi CLI {MIN_PULUMI} or later)"))
    steps.append((f"pulumi preview --stack {quoted} --policy-pack policies",
                  "what `pulumi up` would change: only what the settings change"
                  + (" (the --fix changes)" if plan.fixed else "")))
    lines: list[str] = []
    for n, (command, why) in enumerate(steps, 1):
        lines += [f"  {n}. {command}", f"     {why}"]
    return lines
