"""The policy pack, started as the Pulumi CLI starts it, driven over gRPC."""

from __future__ import annotations

import dataclasses

from pulumi.runtime.proto import analyzer_pb2

from sarguard.controls.catalog import CATALOG
from tests.controls.conftest import good_resources
from tests.policy_pack.conftest import UNKNOWN, by_policy

MANDATORY, ADVISORY = analyzer_pb2.MANDATORY, analyzer_pb2.ADVISORY


def _replace(resources, name, **inputs):
    return [dataclasses.replace(r, inputs={**r.inputs, **inputs}) if r.name == name else r
            for r in resources]


def _urn(resources, name):
    return next(r.urn for r in resources if r.name == name)


def _pack_view(resources):
    """What the engine sends: dependencies from the verification to its hook; no ids."""
    hook_urn = _urn(resources, "soc")
    return [dataclasses.replace(r, id=None, property_dependencies=(
        {"eventHookId": [hook_urn]} if r.name == "soc-verification" else {})) for r in resources]


def test_analyzer_info_lists_the_catalog(pack):
    info = pack.info()
    assert info.name == "sarguard" and info.supportsConfig
    assert [p.name for p in info.policies] == [c.policy_name for c in CATALOG]
    levels = {p.name: p.enforcementLevel for p in info.policies}
    expected = {c.policy_name: ADVISORY if c.default_level == "advisory" else MANDATORY for c in CATALOG}
    assert levels == expected
    assert levels["sar-10-threatinsight-enabled"] == ADVISORY
    assert levels["sar-01-report-suspicious-activity-enabled"] == MANDATORY
    schemas = {p.name: p.configSchema.properties for p in info.policies}
    assert list(schemas["sar-02-link-emails-enabled"]["required"]["default"]) == [
        "newSignOn", "factorEnrolled", "factorReset", "passwordChanged"]
    assert list(schemas["sar-08-admins-notified"]["roles"]["default"]) == ["SUPER_ADMIN"]
    assert "allowedHosts" in schemas["sar-07-hook-events-valid"]
    assert all(p.policy_type == analyzer_pb2.POLICY_TYPE_STACK for p in info.policies)


def test_good_stack_has_no_violations(configured):
    assert configured.analyze(_pack_view(good_resources())) == []


def test_bad_stack_reports_the_right_policies_on_the_right_urns(configured):
    resources = _pack_view(good_resources())
    resources = _replace(resources, "notifications", reportSuspiciousActivityEnabled=False)
    resources = _replace(resources, "soc", channel={"type": "HTTP", "version": "1.0.0",
                                                     "uri": "http://soar.example.com/okta"})
    resources = _replace(resources, "PasswordChanged-en", body="<p>no link</p>")
    resources = _replace(resources, "threat-insight", action="none")
    resources = [r for r in resources if r.name != "super-admin"]
    found = by_policy(configured.analyze(resources))
    assert set(found) == {"sar-01-report-suspicious-activity-enabled", "sar-03-templates-keep-report-link",
                          "sar-05-report-hook-active", "sar-08-admins-notified",
                          "sar-10-threatinsight-enabled"}
    [sar01] = found["sar-01-report-suspicious-activity-enabled"]
    assert sar01.urn == _urn(resources, "notifications") and sar01.enforcementLevel == MANDATORY
    assert "SAR-01 securityNotificationEmails:" in sar01.message
    [sar03] = found["sar-03-templates-keep-report-link"]
    assert sar03.urn == _urn(resources, "PasswordChanged-en")
    [sar05] = found["sar-05-report-hook-active"]
    assert sar05.urn == _urn(resources, "soc") and "plain http" in sar05.message
    [sar08] = found["sar-08-admins-notified"]
    assert sar08.urn == "" and "SAR-08 roleSubscription/SUPER_ADMIN/REPORT_SUSPICIOUS_ACTIVITY" in sar08.message
    [sar10] = found["sar-10-threatinsight-enabled"]
    assert sar10.enforcementLevel == ADVISORY


def test_configure_changes_options_and_levels(configured):
    resources = _replace(_pack_view(good_resources()), "notifications",
                         sendEmailForFactorResetEnabled=False, reportSuspiciousActivityEnabled=False)
    before = by_policy(configured.analyze(resources))
    assert set(before) == {"sar-01-report-suspicious-activity-enabled", "sar-02-link-emails-enabled"}
    configured.configure({
        "sar-02-link-emails-enabled": {"required": ["newSignOn"]},
        "sar-01-report-suspicious-activity-enabled": {"enforcementLevel": "advisory"},
    })
    after = by_policy(configured.analyze(resources))
    assert set(after) == {"sar-01-report-suspicious-activity-enabled"}
    assert after["sar-01-report-suspicious-activity-enabled"][0].enforcementLevel == ADVISORY
    configured.configure({"sar-01-report-suspicious-activity-enabled": {"enforcementLevel": "disabled"},
                          "sar-02-link-emails-enabled": {"enforcementLevel": "disabled"}})
    assert configured.analyze(resources) == []


def test_options_without_cli_defaults_still_use_schema_defaults(pack):
    """The SDK passes config as given; the pack must fill schema defaults itself."""
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    request.policyConfig["sar-08-admins-notified"].CopyFrom(
        analyzer_pb2.PolicyConfig(enforcementLevel=MANDATORY))
    pack.stub.Configure(request)
    try:
        resources = [r for r in _pack_view(good_resources()) if r.name != "super-admin"]
        assert set(by_policy(pack.analyze(resources))) == {"sar-08-admins-notified"}
    finally:
        pack.configure()


def test_preview_unknowns_are_advisory_not_pass_not_mandatory(configured):
    resources = _pack_view(good_resources())
    resources = _replace(resources, "notifications", reportSuspiciousActivityEnabled=UNKNOWN)
    resources = [dataclasses.replace(r, property_dependencies={}) for r in resources]
    resources = _replace(resources, "soc-verification", eventHookId=UNKNOWN)  # unlinkable
    found = by_policy(configured.analyze(resources))
    assert set(found) == {"sar-01-report-suspicious-activity-enabled", "sar-05-report-hook-active"}
    for diags in found.values():
        assert [d.enforcementLevel for d in diags] == [ADVISORY]
        assert "cannot be known during preview" in diags[0].message
    assert "SAR-05 eventHook/soc" in found["sar-05-report-hook-active"][0].message


def test_unknown_hook_id_linked_by_dependency_passes(configured):
    resources = _replace(_pack_view(good_resources()), "soc-verification", eventHookId=UNKNOWN)
    assert configured.analyze(resources) == []


def test_secrets_never_reach_diagnostics(configured):
    resources = _replace(_pack_view(good_resources()), "soc",
                         auth={"type": "BASIC", "key": "Authorization", "value": "s3cr3t-value"})
    diags = configured.analyze(resources)
    assert diags and all("s3cr3t-value" not in d.message for d in diags)
    assert "s3cr3t-value" not in configured.stderr_path.read_text()


def test_unsupported_recipients_fail_sar09_and_sar04_on_the_settings_urn(configured):
    """A program not built from sarguard's settings may declare ADMINS_ONLY on a link template;
    Okta would answer 422 E0000189 (okta-developer-docs PR #3325): the pack blocks the preview."""
    resources = _replace(_pack_view(good_resources()), "NewSignOnNotification-settings",
                         recipients="ADMINS_ONLY")
    found = by_policy(configured.analyze(resources))
    assert set(found) == {"sar-04-templates-reach-end-users", "sar-09-templates-acceptable"}
    [sar09] = found["sar-09-templates-acceptable"]
    assert sar09.urn == _urn(resources, "NewSignOnNotification-settings")
    assert sar09.enforcementLevel == MANDATORY and "E0000189" in sar09.message


def test_a_component_that_leaves_the_switches_unmanaged(configured):
    """AnalyzeStack carries component resources with their registered outputs (pulumi
    step_generator.go AnalyzeResources): without SecurityNotificationEmails SAR-01/02 do not
    apply (the stack does not manage the switches), with or without manageNotifications false;
    a stack that declares them off still fails."""
    from sarguard.evidence.pulumi_resources import DeclaredResource

    component = DeclaredResource(
        type="sarguard:index:SuspiciousActivityReporting", name="suspicious-activity-reporting",
        inputs={"brandIds": {}, "manageNotifications": False},
        urn="urn:pulumi:test::sarguard::sarguard:index:SuspiciousActivityReporting::x")
    without = [r for r in _pack_view(good_resources()) if r.name != "notifications"]
    assert configured.analyze(without) == []
    assert configured.analyze([component, *without]) == []
    off = _replace(_pack_view(good_resources()), "notifications", reportSuspiciousActivityEnabled=False)
    assert "sar-01-report-suspicious-activity-enabled" in by_policy(configured.analyze(off))
