"""``import-NAME.json`` is a file ``pulumi import --file`` accepts, and it adopts exactly what the
program declares.

Pulumi's import file (pulumi/pulumi ``pkg/cmd/pulumi/operations/import.go``): ``importFile`` is
``{nameTable, resources, providerInputs}``; each ``importSpec`` has ``type``, ``name``, ``id``,
``parent``, ``provider``, ``version``, ``pluginDownloadUrl``, ``properties``, ``component``,
``remote``, ``inputs``, ``outputs``, ``logicalName``, ``parameterization``, ``extension``.
``parseImportFile``: every entry needs a type and a name; a non-component needs an id and a
component may not have one; a ``parent`` names another entry or a ``nameTable`` entry and may not
be ambiguous; the URN each entry gets (``resource.NewURN(stack, project, parentType, type,
logicalName)``) must be unique. ``logicalName`` defaults to ``name``. Components in the file and
same-file parents: Pulumi 3.94.0 (CHANGELOG: "`import` can now create empty component resource to
use as the parent of other imported resources", pulumi/pulumi#14467); ``logicalName``: 3.98.0
(pulumi/pulumi#14745).

Import ids, from okta/terraform-provider-okta's importers (``okta/services/idaas/``):
``resource_okta_email_customization.go`` ``CreateNestedResourceImporter([]string{"id",
"brand_id", "template_name"})`` (``okta/utils/utils.go`` splits the id on ``/`` and wants exactly
that many parts); ``resource_okta_email_template_settings.go`` ``ImportState``: "Expected import
identifier with format <brand_id>/<template_name>"; ``resource_okta_event_hook.go``,
``resource_okta_security_notification_emails.go`` and ``resource_okta_threat_insight_settings.go``:
``ImportStatePassthroughContext`` (the docs' ``examples/resources/*/import.sh`` use the hook id and
``_``); ``resource_okta_role_subscription.go``: ``{roleType}/{notificationType}``;
``resource_okta_event_hook_verification.go``: ``Importer: nil`` (it cannot be imported). pulumi-okta
7.x repeats them in its docs (``pulumi import okta:index/emailCustomization:EmailCustomization
example <customization_id>/<brand_id>/<template_name>`` …).
"""

from __future__ import annotations

import json
import re

import pulumi.runtime.mocks as pulumi_mocks
import pytest

from sarguard.adopt.importfile import MIN_PULUMI, import_document
from sarguard.adopt.plan import build_plan
from sarguard.pulumi.declared import run_program
from tests.adopt.conftest import STACK, import_org, set_secrets
from tests.adopt.helpers import live_state
from tests.conftest import REPO_ROOT

SPEC_KEYS = {"type", "name", "id", "parent", "provider", "version", "pluginDownloadUrl", "properties",
             "component", "remote", "inputs", "outputs", "logicalName", "parameterization", "extension"}
FILE_KEYS = {"nameTable", "resources", "providerInputs"}
VERIFICATION = "okta:index/eventHookVerification:EventHookVerification"
ROOT_STACK = "pulumi:pulumi:Stack"
# Import id shapes per resource type: what each importer splits the id into.
ID_PARTS = {
    "okta:index/emailCustomization:EmailCustomization": 3,  # <id>/<brand_id>/<template_name>
    "okta:index/emailTemplateSettings:EmailTemplateSettings": 2,  # <brand_id>/<template_name>
    "okta:index/roleSubscription:RoleSubscription": 2,  # <role>/<notification_type>
    "okta:index/eventHook:EventHook": 1,  # passthrough: the hook id
    "okta:index/securityNotificationEmails:SecurityNotificationEmails": 1,
    "okta:index/threatInsightSettings:ThreatInsightSettings": 1,
}


def parse_import_file(document: dict, stack: str, project: str) -> dict[str, str]:
    """``parseImportFile`` re-expressed: the checks it makes, and the URN of every entry."""
    assert set(document) <= FILE_KEYS
    specs = document["resources"]
    names = [s["name"] for s in specs]
    urns: dict[str, str] = {}
    by_name = {s["name"]: s for s in specs}
    for spec in specs:
        assert set(spec) <= SPEC_KEYS, set(spec) - SPEC_KEYS
        assert spec["type"] and spec["name"]
        if spec.get("component"):
            assert "id" not in spec, "a component has no id"
        else:
            assert spec.get("id"), f"{spec['name']} has no ID"
        if "parent" in spec:
            assert names.count(spec["parent"]) == 1, "ambiguous or missing parent"
    resolved: dict[str, str] = {}
    while len(resolved) < len(specs):
        progress = False
        for spec in specs:
            if spec["name"] in resolved:
                continue
            parent_type = ""
            if "parent" in spec:
                if spec["parent"] not in resolved:
                    continue
                parent_type = resolved[spec["parent"]].split("::")[2] + "$"
            urn = (f"urn:pulumi:{stack}::{project}::{parent_type}{spec['type']}::"
                   f"{spec.get('logicalName') or spec['name']}")
            assert urn not in urns.values(), f"{spec['name']} has an ambiguous URN"
            resolved[spec["name"]] = urn
            urns[f"{spec['type']}::{spec.get('logicalName') or spec['name']}"] = urn
            progress = True
        assert progress, "a parent cycle"
    assert by_name
    return urns


def engine_urns(registered: list[tuple[str, str, str, str]], stack: str, project: str) -> dict[str, str]:
    """The URN the engine gives each registration (mock URN -> engine URN): pulumi/pulumi
    ``sdk/go/common/resource/urn/urn.go`` ``New`` prefixes the parent's whole qualified type,
    except the root stack's. (Python's MockMonitor keeps the stack's type and only the parent's
    last type, so its URNs are not the engine's.)"""
    by_urn = {urn: (t, n, parent) for t, n, parent, urn in registered}
    out: dict[str, str] = {}

    def engine(urn: str) -> str:
        if urn not in out:
            typ, name, parent = by_urn[urn]
            qualified = typ
            if parent:  # the root stack may have registered in an earlier run of this process
                parent_type = (engine(parent) if parent in by_urn else parent).split("::")[2]
                if parent_type != ROOT_STACK:
                    qualified = f"{parent_type}${typ}"
            out[urn] = f"urn:pulumi:{stack}::{project}::{qualified}::{name}"
        return out[urn]

    for urn in by_urn:
        engine(urn)
    return out


@pytest.fixture
def registered(monkeypatch):
    """Every resource the program registers under Pulumi's mock monitor: its type, name, the
    parent URN the SDK sent and the URN the monitor made of them."""
    seen: list[tuple[str, str, str, str]] = []
    original = pulumi_mocks.MockMonitor.RegisterResource

    def record(self, request):
        response = original(self, request)
        seen.append((request.type, request.name, request.parent, response.urn))
        return response

    monkeypatch.setattr(pulumi_mocks.MockMonitor, "RegisterResource", record)
    return seen


@pytest.mark.parametrize("seed", ["demo", "in-sync"])
def test_the_import_file_adopts_what_the_program_declares(seed, emulator, project, sarguard, registered):
    emu = emulator(seed)
    assert import_org(sarguard, emu, project).code == 0
    document = json.loads((project / f"import-{STACK}.json").read_text("utf-8"))
    urns = parse_import_file(document, STACK, "sarguard")
    set_secrets(project)
    registered.clear()
    run_program(STACK, project)
    engine = engine_urns(registered, STACK, "sarguard")
    declared = {f"{t}::{n}": engine[urn] for t, n, _, urn in registered
                if t not in (VERIFICATION, ROOT_STACK)}
    # Same resources under the same URNs: `pulumi up` finds each in the state the import wrote.
    assert urns == declared
    component = next(urn for t, _, _, urn in registered if t.startswith("sarguard:"))
    parents = {parent for t, _, parent, _ in registered if t.startswith("okta:")}
    assert parents == {component}
    # The verification resource has no importer: the next `pulumi up` creates (re-verifies) it.
    assert any(t == VERIFICATION for t, *_ in registered)
    assert all(r["type"] != VERIFICATION for r in document["resources"])


def test_import_ids_have_the_providers_formats(emulator, project, sarguard):
    emu = emulator("demo")
    assert import_org(sarguard, emu, project).code == 0
    document = json.loads((project / f"import-{STACK}.json").read_text("utf-8"))
    live = live_state(emu)
    brand_ids = {b.id for b in live.brands.values()}
    for spec in document["resources"]:
        if spec.get("component"):
            continue
        parts = spec["id"].split("/")
        assert len(parts) == ID_PARTS[spec["type"]], spec
        if spec["type"].endswith("EmailCustomization"):
            assert parts[1] in brand_ids and parts[2] in spec["logicalName"]
        if spec["type"].endswith("EmailTemplateSettings"):
            assert parts[0] in brand_ids and spec["logicalName"].endswith(f"{parts[1]}-settings")
        if spec["type"].endswith("RoleSubscription"):
            assert parts == [parts[0], "REPORT_SUSPICIOUS_ACTIVITY"]
    # The default brand is declared as `default` but imported under its real id.
    default_id = live.brands["default"].id
    assert any(s.get("id") == f"{default_id}/NewSignOnNotification" for s in document["resources"])


def test_a_hook_named_like_the_component_keeps_the_parent_unambiguous():
    """Only a parent's name must be unique in the file; the component's entry is renamed and
    keeps its logicalName (Pulumi 3.98+ reads it)."""
    from sarguard.model import REPORT_EVENT, EventHook, OrgState, ThreatInsight

    state = OrgState(source="live", meta={"org": "https://acme.okta.com"})
    state.threat_insight = ThreatInsight("audit")
    state.notifications = None
    state.unread["securityNotificationEmails"] = "OAuth only"
    state.event_hooks = [EventHook(name="suspicious-activity-reporting", id="who1", status="ACTIVE",
                                   verification_status="VERIFIED", uri="https://soc.example.com",
                                   auth_type="HEADER", auth_key="Authorization", events=[REPORT_EVENT])]
    document = import_document(build_plan(state))
    [component] = [r for r in document["resources"] if r.get("component")]
    assert component["name"] != component["logicalName"] == "suspicious-activity-reporting"
    assert all(r["parent"] == component["name"] for r in document["resources"] if "parent" in r)
    parse_import_file(document, "s", "sarguard")


def test_the_docs_state_the_minimum_cli_version():
    section = (REPO_ROOT / "docs" / "guides" / "adopt.md").read_text("utf-8")
    assert re.search(rf"Pulumi CLI {re.escape(MIN_PULUMI)}\b", section)
    assert "pulumi import --file import-" in section
