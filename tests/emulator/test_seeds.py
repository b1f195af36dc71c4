"""Seeds: the bundled demo (drifted) and in-sync orgs, relative times, and validation errors
that name the file, the key path and what was expected."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from sarguard.emulator import Emulator, EmulatorError
from sarguard.emulator.seeds import bundled_names, load_seed
from sarguard.emulator.state import REPORT_TOKEN
from sarguard.emulator.timeutil import parse_iso
from tests.emulator.helpers import (
    FakeClock,
    client_for,
    follow,
    public_pem,
    rsa_key,
    small_seed,
)

DEFAULT = "bnd1dfltBrand00000001"
EMEA = "bnd2emeaBrand00000002"
HOOK = "who1sarHook000000001"
TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "email-templates"
RSA = "REPORT_SUSPICIOUS_ACTIVITY"
REPORT = "user.account.report_suspicious_activity_by_enduser"


@pytest.fixture(scope="module", params=["demo", "in-sync"])
def bundled(request) -> Iterator[tuple[str, Emulator, FakeClock]]:
    clock = FakeClock()
    with Emulator(seed=request.param, clock=clock) as emu:
        yield request.param, emu, clock


def customizations(api, brand: str, template: str) -> dict[str, dict]:
    url = f"/api/v1/brands/{brand}/templates/email/{template}/customizations"
    return {c["language"]: c for c in follow(api, url, limit=200)}


def test_bundled_seed_names_and_default() -> None:
    assert {"demo", "in-sync"} <= set(bundled_names())
    assert Emulator().state.default_brand().id == DEFAULT  # None means the demo seed


def test_bundled_orgs_match_the_demo_stack_except_the_seeded_drift(bundled) -> None:
    name, emu, _ = bundled
    drifted = name == "demo"
    with client_for(emu) as api:
        switches = api.get("/api/internal/org/settings/security-notification-settings").json()
        assert all(switches[k] for k in switches if k.endswith("Enabled"))
        brands = {b["id"]: b for b in follow(api, "/api/v1/brands")}
        assert brands[DEFAULT]["isDefault"] and brands[EMEA]["name"] == "Acme EMEA"
        for brand in (DEFAULT, EMEA):
            for t in ("NewSignOnNotification", "AuthenticatorEnrolled", "AuthenticatorReset",
                      "PasswordChanged"):
                url = f"/api/v1/brands/{brand}/templates/email/{t}/settings"
                assert api.get(url).json()["recipients"] == "ALL_USERS"
        new = customizations(api, DEFAULT, "NewSignOnNotification")
        assert sorted(new) == ["en", "fr"] and new["en"]["isDefault"]
        assert (REPORT_TOKEN in new["fr"]["body"]) is not drifted
        assert REPORT_TOKEN in new["en"]["body"]
        emea = customizations(api, EMEA, "NewSignOnNotification")
        assert sorted(emea) == ["de", "en"] and emea["en"]["isDefault"]
        assert sorted(customizations(api, DEFAULT, "PasswordChanged")) == ["en"]
        stray = customizations(api, DEFAULT, "AuthenticatorEnrolled")
        assert sorted(stray) == (["es"] if drifted else [])
        hook = api.get(f"/api/v1/eventHooks/{HOOK}").json()
        assert hook["name"] == "suspicious-activity-reports"
        assert hook["channel"]["config"]["uri"] == "https://soar.example.com/okta/events"
        assert hook["channel"]["config"]["headers"] == [{"key": "X-Source", "value": "okta"}]
        assert hook["channel"]["config"]["authScheme"] == {"type": "HEADER",
                                                           "key": "Authorization"}
        assert hook["events"]["items"] == ["user.account.report_suspicious_activity_by_enduser"]
        assert hook["verificationStatus"] == "VERIFIED"
        assert hook["status"] == ("INACTIVE" if drifted else "ACTIVE")
        sub = api.get(f"/api/v1/roles/ORG_ADMIN/subscriptions/{RSA}").json()["status"]
        assert sub == ("unsubscribed" if drifted else "subscribed")
        assert api.get(f"/api/v1/roles/SUPER_ADMIN/subscriptions/{RSA}").json()[
            "status"] == "subscribed"
        assert api.get("/api/v1/threats/configuration").json()["action"] == "audit"
    assert emu.errors == []


def test_bundled_system_log_is_recent_and_tells_the_story(bundled) -> None:
    name, emu, clock = bundled
    events = emu.state.logs
    times = [parse_iso(e["published"]) for e in events]
    assert max(times) < clock() and min(times) > clock() - 21 * 86400
    types = [e["eventType"] for e in events]
    reports = [e for e in events if e["eventType"] == REPORT]
    assert 3 <= len(reports) <= 4
    for report in reports:
        debug = report["debugContext"]["debugData"]
        assert {"suspiciousActivityEventType", "suspiciousActivityBrowser", "suspiciousActivityOs",
                "suspiciousActivityEventIp", "suspiciousActivityEventCity",
                "suspiciousActivityEventState", "suspiciousActivityEventCountry",
                "suspiciousActivityTimestamp"} <= set(debug)
        assert parse_iso(debug["suspiciousActivityTimestamp"]) < parse_iso(report["published"])
    for step in ("user.session.start", "policy.evaluate_sign_on",
                 "user.authentication.auth_via_mfa", "user.authentication.verify"):
        assert step in types
    failures = [e for e in events if e["eventType"] == "event_hook.delivery"]
    tampering = {"event_hook.deactivated", "iam.role.subscriptions.update",
                 "system.email.template.update"} & set(types)
    if name == "demo":
        assert failures and all(e["outcome"]["result"] == "FAILURE" for e in failures)
        assert all(e["target"][0]["id"] == HOOK for e in failures)
        assert len(tampering) == 3
    else:
        assert not failures and not tampering


@pytest.mark.parametrize("name", ["in-sync", "demo"])
def test_bodies_equal_the_email_template_files(name: str) -> None:
    files = {p.name: p for p in TEMPLATES_DIR.glob("*.html")}
    if not files:
        pytest.skip(f"no email templates in {TEMPLATES_DIR} to compare with")
    data, _ = load_seed(name)
    drifted = {"NewSignOnNotification.fr.html"} if name == "demo" else set()
    for brand in data["brands"]:
        for template, settings in brand.get("templates", {}).items():
            for item in settings.get("customizations", []):
                file = f"{template}.{item['language']}.html"
                if file not in files:
                    continue
                expected = files[file].read_text(encoding="utf-8")
                if file in drifted:
                    assert item["body"] != expected and REPORT_TOKEN not in item["body"]
                else:
                    assert item["body"] == expected, (
                        f"sarguard/emulator/seeds/{name}.yaml: brand {brand['id']} {template} "
                        f"{item['language']} differs from email-templates/{file}; copy the file's "
                        "text into the seed")


def test_relative_times_follow_the_clock() -> None:
    seed = small_seed()
    early, late = FakeClock(1_700_000_000), FakeClock(1_800_000_000)
    a, b = Emulator(seed=copy.deepcopy(seed), clock=early), Emulator(seed=seed, clock=late)
    shift = parse_iso(b.state.logs[0]["published"]) - parse_iso(a.state.logs[0]["published"])
    assert shift == pytest.approx(100_000_000)
    assert parse_iso(a.state.logs[0]["published"]) == pytest.approx(early() - 10 * 3600)


def _broken(mutate) -> dict:
    seed = small_seed()
    mutate(seed)
    return seed


@pytest.mark.parametrize("mutate, expected", [
    (lambda s: s.pop("users"), "(top level): missing required key 'users'"),
    (lambda s: s.update(extra=1), "(top level): unknown key 'extra'"),
    (lambda s: s["brands"][0].update(isDefault="yes"),
     "brands[0].isDefault: expected boolean, got a string"),
    (lambda s: s["brands"][0]["templates"]["NewSignOnNotification"].update(recipients="ALL"),
     "brands[0].templates.NewSignOnNotification.recipients: expected one of ALL_USERS"),
    (lambda s: s["brands"][0]["templates"].update(NoSuchTemplate={}),
     "brands[0].templates: unknown key 'NoSuchTemplate' (expected one of: ADForgotPassword"),
    (lambda s: s["brands"][1].update(isDefault=True), "expected exactly one brand with isDefault"),
    (lambda s: s["brands"][0]["templates"]["NewSignOnNotification"]["customizations"].append(
        {"language": "en", "subject": "s", "body": "b"}),
     "customizations[1].language: duplicate value 'en'"),
    (lambda s: s["brands"][0]["templates"]["NewSignOnNotification"]["customizations"][0].update(
        language="xx"), "customizations[0].language: expected a language Okta supports"),
    (lambda s: s["roleSubscriptions"].update(APP_ADMIN={RSA: "subscribed"}),
     "roleSubscriptions.APP_ADMIN.REPORT_SUSPICIOUS_ACTIVITY: Okta offers this notification only"),
    (lambda s: s["roleSubscriptions"].update(GOD_MODE={}),
     "roleSubscriptions.GOD_MODE: expected a standard role"),
    (lambda s: s["systemLog"][0].update(published="last tuesday"),
     "systemLog[0].published: expected an ISO 8601 time or a relative time"),
    (lambda s: s["eventHooks"][0]["channel"].update(uri="http://soar.example.com/x"),
     "eventHooks[0].channel.uri: expected https"),
    (lambda s: s.update(oauthClients=[{"clientId": "c", "scopes": [],
                                       "publicKey": "-----BEGIN PUBLIC KEY-----\nxx"}]),
     "oauthClients[0].publicKey: expected a PEM public key"),
    (lambda s: s.update(tokens=[{"token": "short", "user": "00u1testAdmin0000001"}]),
     "tokens[0].token: expected a valid string"),
    # An org Okta cannot have: E0000189 (okta-developer-docs PR #3325).
    (lambda s: s["brands"][0].setdefault("templates", {}).update(
        NewSignOnNotification={"recipients": "ADMINS_ONLY"}),
     "brands[0].templates.NewSignOnNotification.recipients: NewSignOnNotification accepts only "
     "ALL_USERS or NO_USERS in Okta (E0000189), got ADMINS_ONLY"),
])
def test_validation_errors_name_path_and_expectation(mutate, expected: str) -> None:
    with pytest.raises(EmulatorError) as info:
        Emulator(seed=_broken(mutate))
    message = str(info.value)
    assert message.startswith("<seed dict>: invalid seed:")
    assert expected in message
    assert "Traceback" not in message


def test_secrets_never_appear_in_seed_errors() -> None:
    seed = small_seed()
    seed["eventHooks"][0]["channel"]["authScheme"]["value"] = 12345
    seed["tokens"] = [{"token": "tiny", "user": "00u1testAdmin0000001"}]
    with pytest.raises(EmulatorError) as info:
        Emulator(seed=seed)
    assert "12345" not in str(info.value) and "tiny" not in str(info.value)
    assert "eventHooks[0].channel.authScheme.value" in str(info.value)


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(EmulatorError, match="no such seed file"):
        Emulator(seed=str(tmp_path / "missing.yaml"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("org:\n  name: [unclosed\n", encoding="utf-8")
    with pytest.raises(EmulatorError) as info:
        Emulator(seed=bad)
    assert str(bad) in str(info.value) and "line" in str(info.value)
    listish = tmp_path / "list.yaml"
    listish.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(EmulatorError, match=r"list.yaml: \(top level\): expected a mapping"):
        Emulator(seed=listish)
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("org: {name: x}\nusers: []\n", encoding="utf-8")
    with pytest.raises(EmulatorError,
                       match=r"wrong.yaml: invalid seed:\n  users: expected minItems 1"):
        Emulator(seed=wrong)


def test_documented_example_seed_is_valid() -> None:
    doc = Path(__file__).resolve().parents[2] / "docs" / "reference" / "emulator.md"
    text = doc.read_text(encoding="utf-8")
    example = text.split("### Example", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    data = yaml.safe_load(example)
    data["oauthClients"][0]["publicKey"] = public_pem(rsa_key())  # the doc elides the key
    with Emulator(seed=data) as emu, client_for(emu) as api:
        hooks = api.get("/api/v1/eventHooks").json()
        assert hooks[0]["status"] == "ACTIVE"
        assert emu.state.oauth_clients["0oa1sarguardSvc00001"].dpop is True


def test_unquoted_yaml_timestamps_are_accepted(tmp_path: Path) -> None:
    seed = tmp_path / "times.yaml"
    seed.write_text(
        "org: {name: t}\n"
        "users: [{id: 00u1timeUser00000001, login: t@example.com, firstName: T, lastName: U,\n"
        "         created: 2024-01-02T03:04:05Z}]\n"
        "systemLog:\n"
        "  - {uuid: u1, published: 2024-05-01T10:00:00Z, eventType: user.session.start}\n",
        encoding="utf-8")
    emu = Emulator(seed=seed)
    assert emu.state.logs[0]["published"] == "2024-05-01T10:00:00.000Z"
    assert emu.state.users["00u1timeUser00000001"].created == "2024-01-02T03:04:05.000Z"


def test_deeply_nested_seed_is_a_clear_error_not_a_crash(tmp_path):
    """libyaml's composer segfaults on very deep flow nesting; the seed loader must not use it there."""
    from sarguard.emulator import EmulatorError
    from sarguard.emulator.seeds import parse_file

    path = tmp_path / "deep.yaml"
    path.write_text("org: " + "[" * 30_000 + "]" * 30_000 + "\n")
    with pytest.raises(EmulatorError, match="deep.yaml: invalid YAML"):
        parse_file(path)


def test_seed_files_may_use_aliases_within_a_budget(tmp_path: Path) -> None:
    """yaml.dump writes anchors for shared objects (the bundled seeds have some): allowed."""
    from sarguard.emulator.seeds import parse_file

    path = tmp_path / "seed.yaml"
    path.write_text("a: &x {k: [1, 2, 3]}\nb: *x\nc: [*x, *x]\n", "utf-8")
    data = parse_file(path)
    assert data["b"] == data["a"] == {"k": [1, 2, 3]} and data["c"] == [data["a"]] * 2


@pytest.mark.parametrize("text", [
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)),
    "a: &l [1, *l]\n",
])
def test_seed_alias_bomb_or_loop_is_refused_fast(tmp_path: Path, text: str) -> None:
    from sarguard.emulator.seeds import parse_file

    path = tmp_path / "bomb.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(EmulatorError, match=r"bomb\.yaml: line \d+: YAML aliases expand to more than"):
        parse_file(path)
