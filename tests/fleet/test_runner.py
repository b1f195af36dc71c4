"""The fleet runner and the orgs file, without any org: the bound on concurrency, file order,
one org's failure isolated, and each org seeing only its own credentials."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from sarguard.fleet.orgs import OrgCredentialError, OrgEntry, load_orgs
from sarguard.fleet.runner import audit_fleet


def _orgs(n: int) -> list[OrgEntry]:
    return [OrgEntry(name=f"org{i}", url=f"https://org{i}.okta.com",
                     credentials={"tokenEnv": f"T{i}"}) for i in range(n)]


def _report(code: int) -> dict:
    return {"kind": "audit", "exitCode": code, "orgUrl": None, "summary": {"failed": code}}


def test_at_most_n_orgs_at_once_results_in_file_order() -> None:
    lock = threading.Lock()
    active, peak = 0, 0
    release = threading.Event()

    def audit_one(org: OrgEntry) -> dict:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
            if active == 2:
                release.set()  # two are in flight: let everyone go on
        release.wait(timeout=30)
        with lock:
            active -= 1
        return _report(int(org.name[-1]) % 2)

    fleet = audit_fleet(_orgs(6), audit_one, lambda org, exc: _report(2), concurrency=2)
    assert peak == 2
    assert [o["name"] for o in fleet["orgs"]] == [f"org{i}" for i in range(6)]
    assert [o["exitCode"] for o in fleet["orgs"]] == [0, 1, 0, 1, 0, 1]
    assert fleet["exitCode"] == 1 and fleet["summary"]["findings"] == {"failed": 3}


def test_one_org_raising_is_that_orgs_exit_2_only() -> None:
    def audit_one(org: OrgEntry) -> dict:
        if org.name == "org1":
            raise RuntimeError("boom")
        return _report(0)

    seen: list[str] = []

    def on_error(org: OrgEntry, exc: BaseException) -> dict:
        seen.append(f"{org.name}: {exc}")
        return _report(2)

    fleet = audit_fleet(_orgs(3), audit_one, on_error)
    assert [o["exitCode"] for o in fleet["orgs"]] == [0, 2, 0] and fleet["exitCode"] == 2
    assert seen == ["org1: boom"]
    assert (fleet["summary"]["passed"], fleet["summary"]["couldNotRun"]) == (2, 1)


def test_each_org_sees_only_its_own_credentials() -> None:
    oauth = OrgEntry("us", "https://us.okta.com", {"clientIdEnv": "US_ID", "privateKeyEnv": "US_KEY",
                                                   "scopesEnv": "US_SCOPES"})
    env = {"US_ID": "0oa1", "US_KEY": "-----BEGIN PRIVATE KEY-----x", "US_SCOPES": "okta.brands.read",
           "OKTA_API_TOKEN": "00process-wide", "EMEA_TOKEN": "00emea"}
    assert oauth.environment(env) == {"OKTA_API_CLIENT_ID": "0oa1",
                                      "OKTA_API_PRIVATE_KEY": "-----BEGIN PRIVATE KEY-----x",
                                      "OKTA_API_SCOPES": "okta.brands.read"}
    token = OrgEntry("emea", "https://emea.okta.com", {"tokenEnv": "EMEA_TOKEN"})
    assert token.environment(env) == {"OKTA_API_TOKEN": "00emea"}
    with pytest.raises(OrgCredentialError, match="org us: the environment variable\\(s\\) US_KEY"):
        oauth.environment({"US_ID": "0oa1", "US_SCOPES": "s"})


def test_rule_files_are_relative_to_the_orgs_file(tmp_path: Path) -> None:
    (tmp_path / "fleet").mkdir()
    path = tmp_path / "fleet" / "orgs.yaml"
    path.write_text("orgs:\n- name: emea-prod\n  url: https://acme-emea.okta-emea.com/\n"
                    "  credentials: {tokenEnv: EMEA_OKTA_TOKEN}\n"
                    "  policyConfig: policies/emea.json\n  waivers: /abs/waivers.yaml\n")
    [org] = load_orgs(path)
    assert org.url == "https://acme-emea.okta-emea.com"
    assert org.policy_config == str(tmp_path / "fleet" / "policies" / "emea.json")
    assert org.waivers == "/abs/waivers.yaml" and org.ignore is None and org.line == 2
