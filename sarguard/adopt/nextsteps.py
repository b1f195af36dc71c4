"""What the user runs after ``sarguard import``: the Pulumi commands in order, the secrets first.

``pulumi config set`` without a value prompts for it (pulumi/pulumi
``pkg/cmd/pulumi/config/config.go``: "If a value is not present on the command line, pulumi will
prompt for the value"), so no secret reaches the shell history or this output.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

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


# What sarguard's own program calls (it declares the component named suspicious-activity-reporting).
_DECLARES = ("SuspiciousActivityReporting(", "declare_stack(")


def main_file(project_dir: Path, project: dict[str, Any]) -> Path:
    """The program's entry point: ``main`` from Pulumi.yaml (a file or a folder), else
    ``__main__.py``."""
    main = project.get("main")
    path = project_dir / str(main) if isinstance(main, str) and main else project_dir
    return path / "__main__.py" if path.is_dir() else path


def program_lines(project_dir: Path, project: dict[str, Any], component_name: str | None) -> list[str]:
    """The two lines to add to ``__main__.py``, or none when the program declares the component
    already (under that name, when one is given)."""
    from sarguard.adopt.names import DEFAULT_COMPONENT_NAME

    name = component_name or DEFAULT_COMPONENT_NAME
    try:
        text = main_file(project_dir, project).read_text("utf-8", errors="replace")
    except OSError:
        text = ""
    if any(call in text for call in _DECLARES) and (component_name is None or f'"{name}"' in text
                                                    or f"'{name}'" in text):
        return []
    return ["from sarguard import SuspiciousActivityReporting",
            f"SuspiciousActivityReporting({name!r})".replace("'", '"')]


def raw_next_steps(plan: AdoptionPlan, stack: str, import_file: str) -> list[str]:
    """``--raw``: the stack, then ``pulumi import`` writing the program's code for the resources."""
    quoted = shlex.quote(stack)
    steps: list[tuple[str, str]] = [
        (f"pulumi stack init {quoted}", f"the stack (or `pulumi stack select {quoted}` when it "
                                        "exists), with the okta provider's config"),
        (f"pulumi import --file {shlex.quote(import_file)} --stack {quoted}",
         "adopt the live objects and print their code in the project's language (add it to the "
         f"program; Pulumi CLI {MIN_PULUMI} or later)"
         + (f"; the hook's {plan.hook.auth_header} value is not in it (Okta never returns it): "
            "give it from a Pulumi secret" if plan.hook is not None else "")),
        (f"pulumi preview --stack {quoted} --json --show-sames > preview.json",
         "then `sarguard check --preview preview.json` judges the program as it stands"),
    ]
    return _numbered(steps)


def _numbered(steps: list[tuple[str, str]]) -> list[str]:
    lines: list[str] = []
    for n, (command, why) in enumerate(steps, 1):
        lines += [f"  {n}. {command}", f"     {why}"]
    return lines


def next_steps(plan: AdoptionPlan, stack: str, import_file: str, stack_file: str, *,
               policies: bool = True, program: list[str] | None = None,
               main_file: str = "__main__.py") -> list[str]:
    """The numbered commands, each with a line that says why. ``policies``: whether the
    project has a ``policies/`` folder (when not, a step writes it); ``program``: lines the
    user adds to ``main_file`` before the preview (:func:`program_lines`)."""
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
    if program:
        steps.append((f"add to {main_file}:\n" + "\n".join(f"       {line}" for line in program),
                      "the component the import file parents the resources to, with sarguard in "
                      "the project's requirements.txt (README: 'Add sarguard to your Pulumi "
                      "program')"))
    if not policies:
        steps.append(("sarguard pack --dir policies",
                      "the policy pack the next command runs (the project has no policies/ yet)"))
    steps.append((f"pulumi preview --stack {quoted} --policy-pack policies",
                  "what `pulumi up` would change: only what the settings change"
                  + (" (the --fix changes)" if plan.fixed else "")))
    return _numbered(steps)
