"""The edge cases of issue 15: what an existing org holds that a stack must get exactly right,
and the evidence that cannot be read."""

from __future__ import annotations

import json

import httpx
import pytest
import yaml

from sarguard.adopt.orgurl import ProviderOrg, provider_org
from sarguard.adopt.plan import build_plan
from sarguard.model import Brand, Customization, OrgState, Template, ThreatInsight
from tests.adopt.conftest import STACK, bundled, drift_adopted, files_under, import_org, set_secrets
from tests.adopt.helpers import assert_plan_declares_live, drift_items, live_state
from tests.reliability.families import READ_SCOPES
from tests.reliability.harness import ec_private_key_pem

NEW_SIGN_ON = "NewSignOnNotification"


def _stack(project) -> dict:
    return yaml.safe_load((project / "stacks" / f"Pulumi.{STACK}.yaml").read_text("utf-8"))


def _settings(project) -> dict:
    return _stack(project)["config"]["sarguard:settings"]


def _round_trip(sarguard, emu, project, tmp_path, headers: tuple[str, ...] = ()) -> dict:
    set_secrets(project, headers=headers)
    drift = drift_adopted(sarguard, emu, project, tmp_path)
    assert drift.report is not None, drift.err
    return drift.report


def test_brands_without_customizations_declare_their_four_templates(emulator, project, sarguard, tmp_path):
    seed = bundled("in-sync")
    seed["brands"].append({"id": "bnd3plainBrand000003", "name": "Plain", "isDefault": False,
                           "templates": {"PasswordChanged": {"recipients": "NO_USERS"}}})
    emu = emulator(seed)
    assert import_org(sarguard, emu, project).code == 0
    [plain] = [b for b in _settings(project)["brands"] if b["id"] == "bnd3plainBrand000003"]
    assert plain["templates"] == {
        "NewSignOnNotification": {"recipients": "ALL_USERS"},
        "AuthenticatorEnrolled": {"recipients": "ALL_USERS"},
        "AuthenticatorReset": {"recipients": "ALL_USERS"},
        "PasswordChanged": {"recipients": "NO_USERS"},
    }
    text = (project / "stacks" / f"Pulumi.{STACK}.yaml").read_text("utf-8")
    assert "not customized: Okta sends its default template" in text
    assert _round_trip(sarguard, emu, project, tmp_path)["drift"] == []


def test_a_template_whose_customizations_were_all_deleted_is_okta_default(emulator, project, sarguard,
                                                                          tmp_path):
    emu = emulator("in-sync")
    brand = "bnd1dfltBrand00000001"
    path = f"/api/v1/brands/{brand}/templates/email/{NEW_SIGN_ON}/customizations"
    response = httpx.delete(emu.url + path, headers={"Authorization": f"SSWS {emu.token}"})
    assert response.status_code == 204
    assert import_org(sarguard, emu, project).code == 0
    default = next(b for b in _settings(project)["brands"] if b["id"] == "default")
    assert default["templates"][NEW_SIGN_ON] == {"recipients": "ALL_USERS"}
    assert not (project / "email-templates" / STACK / "default" / f"{NEW_SIGN_ON}.en.html").exists()
    assert _round_trip(sarguard, emu, project, tmp_path)["drift"] == []


def test_a_language_okta_returns_beyond_the_27_is_skipped_with_a_warning(emulator, project, sarguard,
                                                                         tmp_path):
    emu = emulator("in-sync")
    with emu.state.lock:  # what Okta answers, beyond what a seed may hold
        template = emu.state.brands["bnd1dfltBrand00000001"].templates[NEW_SIGN_ON]
        fr = next(c for c in template.customizations if c.language == "fr")
        fr.language = "fr-CA"
    run = import_org(sarguard, emu, project)
    assert run.code == 0
    assert "skipped the 'fr-CA' customization of NewSignOnNotification of brand default" in run.err
    languages = [c["language"] for c in next(b for b in _settings(project)["brands"]
                                             if b["id"] == "default")["templates"][NEW_SIGN_ON]["customizations"]]
    assert languages == ["en"]
    report = _round_trip(sarguard, emu, project, tmp_path)
    assert drift_items(report) == [
        ("unmanaged", f"brand/default/template/{NEW_SIGN_ON}/customization/fr-CA", "customization")]


def test_crlf_and_non_ascii_bodies_round_trip_byte_for_byte(emulator, project, sarguard, tmp_path):
    seed = bundled("in-sync")
    en = seed["brands"][0]["templates"][NEW_SIGN_ON]["customizations"][0]
    en["body"] = en["body"].replace("\n", "\r\n").replace("Hello", "Grüße, こんにちは 🎉 \u00a0Hello")
    en["subject"] = "Neue Anmeldung — ${org.name} ✓"
    emu = emulator(seed)
    assert import_org(sarguard, emu, project).code == 0
    written = (project / "email-templates" / STACK / "default" / f"{NEW_SIGN_ON}.en.html").read_bytes()
    assert written == en["body"].encode("utf-8") and b"\r\n" in written
    report = _round_trip(sarguard, emu, project, tmp_path)
    assert report["drift"] == []
    plan = sarguard("plan", "--stack", STACK, "--project-dir", str(project), "--format", "json")
    assert_plan_declares_live(plan.report, live_state(emu))


def test_of_two_report_hooks_the_active_verified_one_is_imported(emulator, project, sarguard, tmp_path):
    seed = bundled("in-sync")
    first = seed["eventHooks"][0]
    stale = {**json.loads(json.dumps(first)), "id": "who0staleHook0000001", "name": "a-stale-hook",
             "status": "INACTIVE", "verificationStatus": "UNVERIFIED"}
    seed["eventHooks"].insert(0, stale)
    emu = emulator(seed)
    run = import_org(sarguard, emu, project)
    assert run.code == 0
    assert "not imported: a-stale-hook (id who0staleHook0000001, INACTIVE/UNVERIFIED)" in run.err
    assert _settings(project)["eventHook"]["name"] == first["name"]
    text = (project / "stacks" / f"Pulumi.{STACK}.yaml").read_text("utf-8")
    assert "not imported (the stack holds one hook): a-stale-hook" in text
    report = _round_trip(sarguard, emu, project, tmp_path)
    assert drift_items(report) == [("unmanaged", "eventHook/a-stale-hook", "eventHook")]


def test_credential_like_headers_go_to_secrets_and_never_to_a_file(emulator, project, sarguard, tmp_path):
    seed = bundled("in-sync")
    secret_value = "live-api-key-7c1e4a"
    seed["eventHooks"][0]["channel"]["headers"].append({"key": "X-Api-Key", "value": secret_value})
    emu = emulator(seed)
    run = import_org(sarguard, emu, project)
    assert run.code == 0
    hook = _settings(project)["eventHook"]
    assert hook["headers"] == {"X-Source": "okta"} and hook["secretHeaders"] == ["X-Api-Key"]
    command = f"pulumi config set --secret --path sarguard:eventHookHeaderSecrets.X-Api-Key --stack {STACK}"
    assert command in run.out
    assert "fingerprint sha256:" in run.out
    assert all(secret_value.encode() not in data for data in files_under(project).values())
    assert secret_value not in run.out + run.err
    # Before the secret is set, the stack says what is missing (and how to set it).
    check = sarguard("check", "--stack", STACK, "--project-dir", str(project))
    assert check.code == 2 and "pulumi config set --secret --path" in check.err
    report = _round_trip(sarguard, emu, project, tmp_path, headers=("X-Api-Key",))
    assert report["drift"] == []
    assert any("X-Api-Key is a Pulumi secret in the stack" in note for note in report["notes"])


def _oauth(emu, monkeypatch, scopes) -> None:
    key, pem = ec_private_key_pem()
    emu.add_oauth_client("0oaImportApp", key.public_key(), list(scopes))
    monkeypatch.delenv("OKTA_API_TOKEN", raising=False)
    monkeypatch.setenv("OKTA_API_CLIENT_ID", "0oaImportApp")
    monkeypatch.setenv("OKTA_API_PRIVATE_KEY", pem)
    monkeypatch.setenv("OKTA_API_PRIVATE_KEY_ID", "kid1")
    monkeypatch.setenv("OKTA_API_SCOPES", " ".join(scopes))


def test_oauth_only_credentials_leave_the_switches_unmanaged(emulator, project, sarguard, tmp_path,
                                                             monkeypatch):
    emu = emulator("in-sync")
    _oauth(emu, monkeypatch, READ_SCOPES)
    run = import_org(sarguard, emu, project)
    assert run.code == 0, run.err
    assert _settings(project)["notifications"] == {"manage": False}
    assert "notifications.manage: false" in run.err
    text = (project / "stacks" / f"Pulumi.{STACK}.yaml").read_text("utf-8")
    assert "Security > General: not read" in text
    imports = (project / f"import-{STACK}.json").read_text("utf-8")
    assert "SecurityNotificationEmails" not in imports
    # The printed entries are the ones drift and audit need: write them out and use them.
    waivers = run.out[run.out.index("# waivers.yaml"):run.out.index("# drift-ignore.yaml")]
    ignores = run.out[run.out.index("# drift-ignore.yaml"):run.out.index("next:")]
    (tmp_path / "waivers.yaml").write_text(waivers.replace("<YYYY-MM-DD>", "2099-01-01"), "utf-8")
    (tmp_path / "ignore.yaml").write_text(ignores, "utf-8")
    set_secrets(project)
    drift = drift_adopted(sarguard, emu, project, tmp_path, "--waivers", str(tmp_path / "waivers.yaml"),
                          "--ignore", str(tmp_path / "ignore.yaml"))
    assert drift.code == 0, drift.out
    assert drift.report["drift"] == []
    statuses = {f["control"]: f["status"] for f in drift.report["findings"]
                if f["control"] in ("SAR-01", "SAR-02")}
    assert statuses == {"SAR-01": "waived", "SAR-02": "waived"}
    # --fix cannot turn on switches it could not read, and says so.
    run = import_org(sarguard, emu, project, "--fix", "--force")
    assert run.code == 0 and "SAR-01/SAR-02 not fixed: the switches could not be read" in run.err


@pytest.mark.parametrize(("scopes", "faults", "named"), [
    (tuple(s for s in READ_SCOPES if s != "okta.eventHooks.read"), None, "okta.eventHooks.read"),
    (None, "/api/v1/threats/configuration:503", "threatInsight"),
    (None, "/api/v1/brands/bnd2emeaBrand00000002/templates/email:503", "brand/bnd2emeaBrand00000002"),
])
def test_any_other_unreadable_family_writes_nothing(scopes, faults, named, emulator, project, sarguard,
                                                    monkeypatch):
    emu = emulator("in-sync")
    if scopes is not None:
        _oauth(emu, monkeypatch, scopes)
    if faults is not None:
        emu.set_faults(faults)
    run = import_org(sarguard, emu, project)
    assert run.code == 2
    assert "cannot import: part of the org could not be read" in run.err and named in run.err
    assert files_under(project) == {}


def test_an_unknown_brand_is_refused_and_a_subset_is_declared(emulator, project, sarguard):
    emu = emulator("in-sync")
    run = import_org(sarguard, emu, project, "--brands", "default,nope")
    assert run.code == 2 and "no brand with the key, id or name 'nope'" in run.err
    assert files_under(project) == {}
    run = import_org(sarguard, emu, project, "--brands", "default")
    assert run.code == 0
    assert [b["id"] for b in _settings(project)["brands"]] == ["default"]


@pytest.mark.parametrize(("url", "expected"), [
    ("https://acme.okta.com", ProviderOrg("acme", "okta.com")),
    ("https://dev-123.oktapreview.com", ProviderOrg("dev-123", "oktapreview.com")),
    ("https://acme.okta-emea.com/", ProviderOrg("acme", "okta-emea.com")),
    ("https://login.acme.com", None),             # a custom domain
    # Okta's government domains are Okta domains in import too (issue 19 §4), the client's list
    ("https://agency.okta-gov.com", ProviderOrg("agency", "okta-gov.com")),
    ("https://unit.okta.mil", ProviderOrg("unit", "okta.mil")),
    ("https://agency-admin.okta-gov.com", None),  # the admin host, not the org
    ("https://acme.okta-gov.example", None),
    ("https://a.b.okta.com", None),
    ("https://acme.okta.com:8443", None),
    ("http://127.0.0.1:8080", None),               # the emulator
])
def test_only_the_standard_okta_domains_become_orgname_and_baseurl(url, expected):
    assert provider_org(url) == expected


def test_import_and_the_client_share_one_list_of_okta_domains():
    from sarguard.adopt.orgurl import PROVIDER_DOMAINS
    from sarguard.okta.connection import OKTA_DOMAINS

    assert PROVIDER_DOMAINS is OKTA_DOMAINS and {"okta-gov.com", "okta.mil"} <= set(OKTA_DOMAINS)


def test_a_custom_domain_org_is_left_out_of_the_stack_with_a_comment(emulator, project, sarguard):
    emu = emulator("in-sync")
    run = import_org(sarguard, emu, project)
    config = _stack(project)["config"]
    assert "okta:orgName" not in config and "okta:baseUrl" not in config
    text = (project / "stacks" / f"Pulumi.{STACK}.yaml").read_text("utf-8")
    assert "okta:orgName/okta:baseUrl are left out" in text
    assert f"sarguard drift --stack {STACK} --org-url {emu.url}" in run.out


def test_a_standard_org_url_is_written_as_orgname_and_baseurl():
    state = OrgState(source="live", meta={"org": "https://acme.oktapreview.com"})
    state.threat_insight = ThreatInsight("audit")
    state.unread["securityNotificationEmails"] = "OAuth only"
    state.brands["default"] = Brand("default", "bnd1", "Acme", True, {
        t: Template(t, "ALL_USERS") for t in ("NewSignOnNotification", "AuthenticatorEnrolled",
                                              "AuthenticatorReset", "PasswordChanged")})
    from sarguard.adopt.stackfile import stack_document

    document = stack_document(build_plan(state), "prod", "now").document
    assert document["config"]["okta:orgName"] == "acme"
    assert document["config"]["okta:baseUrl"] == "oktapreview.com"


def test_a_hostile_brand_id_or_a_missing_body_stops_the_import():
    from sarguard.adopt.errors import AdoptError

    def state(brand_id: str, body: str | None) -> OrgState:
        s = OrgState(source="live", meta={"org": "https://acme.okta.com"})
        s.threat_insight = ThreatInsight("audit")
        templates = {t: Template(t, "ALL_USERS") for t in ("NewSignOnNotification", "AuthenticatorEnrolled",
                                                          "AuthenticatorReset", "PasswordChanged")}
        templates[NEW_SIGN_ON].customizations.append(Customization("en", "Hi", body, True, "oel1"))
        s.brands["b"] = Brand("b", brand_id, "B", False, templates)
        s.brands["default"] = Brand("default", "bnd1", "A", True, {
            t: Template(t, "ALL_USERS") for t in templates})
        s.unread["securityNotificationEmails"] = "x"
        s.event_hooks = []
        return s

    with pytest.raises(AdoptError, match="brand id '../../etc'"):
        build_plan(state("../../etc", "<p>x</p>"))
    with pytest.raises(AdoptError, match="has no subject or body"):
        build_plan(state("bnd2", None))
