"""The CrossGuard policy pack: every catalog control as a Pulumi stack validation policy.

Each policy sees the whole stack (``StackValidationPolicy``), rebuilds the same OrgState the offline
check builds (source ``pack``) and runs the same control, so ``pulumi preview --policy-pack`` and
``sarguard check`` agree by construction.

Verdicts map to the engine like this:

* ``fail``          -> a violation at the policy's enforcement level, against the resource's URN
                       (org-level findings carry no URN); the message starts ``SAR-xx <resource>:``.
* ``not_evaluated`` -> one *advisory* diagnostic per policy listing what could not be judged
                       (typically a value that "cannot be known during preview"). pulumi_policy fixes a policy's level for every violation it
                       reports, so a mandatory policy cannot report an advisory violation itself.
                       We raise the SDK's own ``UnknownValueError`` after reporting the failures:
                       the SDK turns it into an ADVISORY diagnostic whatever the policy's level.
                       That keeps the pack's policy list exactly the catalog (no companion
                       policies to configure) and an unknown never blocks nor passes silently.
                       The diagnostic has no URN; its message names each resource key.
* ``pass`` / ``not_applicable`` -> nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyPack,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from sarguard.controls.base import Control, Finding
from sarguard.controls.catalog import CATALOG
from sarguard.controls.runner import in_group, run_control
from sarguard.evidence.pulumi_resources import (
    DeclaredResource,
    group_by_provider,
    normalize,
    state_from_resources,
)
from sarguard.model import ORG

PACK_DESCRIPTION = ("sarguard: checks that Okta suspicious activity reporting is declared "
                    "end to end (switches, templates, report hook, admin alerts).")


def resources_from_args(args: StackValidationArgs) -> list[DeclaredResource]:
    """The pack's view of the stack as DeclaredResources (proxies unwrapped, deps as URNs)."""
    out: list[DeclaredResource] = []
    for r in args.resources:
        props = normalize(r.props)
        deps = {k: [d.urn for d in v] for k, v in (r.property_dependencies or {}).items()}
        provider = getattr(r, "provider", None)
        out.append(DeclaredResource(type=r.resource_type, name=r.name,
                                    inputs=props if isinstance(props, dict) else {},
                                    urn=r.urn, property_dependencies=deps,
                                    provider=f"{provider.urn}::" if provider is not None else ""))
    return out


def merged_options(control: Control, config: Mapping[str, Any] | None) -> dict[str, Any]:
    """Schema defaults overlaid by the pack config (the CLI fills defaults; the SDK does not)."""
    options = control.default_options()
    for key, value in (config or {}).items():
        if key != "enforcementLevel":
            options[key] = value
    return options


def violation_message(f: Finding, control: Control | None = None) -> str:
    """The finding, and its fix when it differs from the policy's own remediation (a resource
    the program declares with a pulumi-okta class: the class and argument to change)."""
    fix = f" Fix: {f.remediation}" if control and f.remediation and \
        f.remediation != control.remediation else ""
    return f"{f.control} {f.resource}: {f.message}{fix}"


def _validator(control: Control):
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        options = merged_options(control, args.get_config())
        findings = []
        for subject, resources in group_by_provider(resources_from_args(args)):
            state = state_from_resources(resources, "pack")
            findings += in_group(run_control(control, state, dict(options), control.default_level),
                                 subject)
        open_questions: list[str] = []
        for f in findings:
            if f.status == "fail":
                org_level = f.resource == ORG or (f.resource.startswith("provider/")
                                                  and f.resource.endswith(f"/{ORG}"))
                report_violation(violation_message(f, control), None if org_level else f.urn)
            elif f.status == "not_evaluated":
                open_questions.append(violation_message(f))
        if open_questions:
            error = UnknownValueError(UNKNOWN_STRING_VALUE, [])
            error.message = ("not evaluated (advisory; checked again by the next preview or "
                             "`sarguard check`): " + " | ".join(open_questions))
            raise error

    return validate


def build_policies(controls: list[Control] | None = None) -> list[StackValidationPolicy]:
    """One StackValidationPolicy per control, named by its policy name."""
    policies = []
    for control in CATALOG if controls is None else controls:
        policies.append(StackValidationPolicy(
            name=control.policy_name,
            description=f"{control.id}: {control.title}",
            validate=_validator(control),
            enforcement_level=EnforcementLevel(control.default_level),
            config_schema=PolicyConfigSchema(properties={k: dict(v) for k, v in
                                                         control.options_schema.items()}),
            severity=Severity(control.severity),
            remediation_steps=control.remediation,
            url=control.references[0] if control.references else None,
            display_name=control.title,
            tags=["okta", "suspicious-activity-reporting", control.id],
        ))
    return policies


def build_policy_pack(name: str = "sarguard") -> PolicyPack:
    """Build and serve the pack. ``PolicyPack(...)`` prints the gRPC port and blocks (the CLI's
    protocol), so this does not return while the pack runs."""
    return PolicyPack(name=name, policies=build_policies(), description=PACK_DESCRIPTION)
