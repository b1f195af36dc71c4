"""The policy pack, driven over gRPC as the Pulumi CLI drives it, with the resources the
examples' programs register: raw resources are judged with class-and-argument fixes, and two
orgs behind two providers are judged each on its own (no collision of their singletons)."""

from __future__ import annotations

from pulumi.runtime.proto import analyzer_pb2

from sarguard.pulumi.declared import run_program
from tests.examples.test_examples import EXAMPLES
from tests.policy_pack.conftest import by_policy, configured, pack, to_analyzer  # noqa: F401

PROVIDER_TYPE = "pulumi:providers:okta"


def engine_view(project, stack):
    """The program's resources as AnalyzeStack receives them, each with its provider (the
    engine's default provider for those that name none, as the CLI creates it) and the
    verification's dependency on its hook (the engine sends no ids in a preview)."""
    run = run_program(stack, project)
    urn_of_id = {r.id: r.urn for r in run.mock.resources}
    out = []
    for mocked, declared in zip(run.mock.resources,
                                [r for r in run.resources if r.type != "sarguard:index:SuspiciousActivityReporting"],
                                strict=True):
        hook_id = declared.inputs.get("eventHookId")
        if hook_id in urn_of_id:  # the engine links a verification to its hook by dependency
            declared.property_dependencies = {"eventHookId": [urn_of_id[hook_id]]}
        resource = to_analyzer(declared)
        urn = mocked.provider.rsplit("::", 1)[0] if mocked.provider else \
            f"urn:pulumi:{stack}::{run.config.project}::{PROVIDER_TYPE}::default_7_0_1"
        resource.provider.CopyFrom(analyzer_pb2.AnalyzerProviderResource(
            type=PROVIDER_TYPE, urn=urn, name=urn.rsplit("::", 1)[-1]))
        out.append(resource)
    return out


def analyze(pack, resources):  # noqa: F811
    return list(pack.stub.AnalyzeStack(analyzer_pb2.AnalyzeStackRequest(resources=resources)).diagnostics)


def test_the_pack_judges_raw_resources_and_names_the_class_to_fix(configured, monkeypatch):  # noqa: F811
    project = EXAMPLES / "raw-resources"
    monkeypatch.chdir(project)
    found = by_policy(analyze(configured, engine_view(project, "dev")))
    [link] = found["sar-03-templates-keep-report-link"]
    assert link.urn.endswith("::new-sign-on-en")
    assert "okta.EmailCustomization(body=" in link.message
    assert set(found) == {"sar-03-templates-keep-report-link", "sar-09-templates-acceptable"}


def test_the_pack_judges_each_org_on_its_own(configured, monkeypatch):  # noqa: F811
    project = EXAMPLES / "two-orgs"
    monkeypatch.chdir(project)
    resources = engine_view(project, "prod")
    assert analyze(configured, resources) == []  # two orgs, each complete: nothing collides
    # One org loses its report switch: only that org's finding, named by its provider.
    for resource in resources:
        if resource.type.endswith("SecurityNotificationEmails") and resource.provider.urn.endswith("::amer"):
            resource.properties["reportSuspiciousActivityEnabled"] = False
    found = by_policy(analyze(configured, resources))
    [finding] = found["sar-01-report-suspicious-activity-enabled"]
    assert "provider/amer/securityNotificationEmails" in finding.message
