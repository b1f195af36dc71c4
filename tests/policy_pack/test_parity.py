"""Parity: the CrossGuard pack and the offline check judge the same program the same way.

The program runs under mocks (``sarguard.pulumi.declared.run_program``); its resources are then sent to
the pack as the engine would send them during a preview (the verification's ``eventHookId`` is
unknown and linked to its hook by a property dependency). Both sides must report the same
controls failing on the same resources (and URNs), and the same ones not evaluated.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import shutil
from pathlib import Path

import pytest

from sarguard.controls.catalog import find_control
from sarguard.controls.runner import evaluate_catalog
from sarguard.pulumi.declared import run_program
from tests.policy_pack.conftest import REPO, UNKNOWN

VERIFICATION = "okta:index/eventHookVerification:EventHookVerification"
_FINDING = re.compile(r"(SAR-\d+) (\S+): ")

BROKEN_STACK = """\
config:
  okta:orgName: broken
  sarguard:eventHookSecret:
    secure: AAABAGsVa1pG0DdR5sD3mOx0F2qz1cG9C3YbLq0x3Zk5dWlrLXNlY3JldA==
  sarguard:settings:
    notifications:
      factorReset: false
      reportSuspiciousActivity: false
    brands:
      - id: default
        templates:
          NewSignOnNotification:
            recipients: ADMINS_ONLY
            customizations:
              - language: en
                isDefault: true
                subject: "New sign-on"
                body: "<p>$request.browser $request.date $request.time $request.location $request.ipAddress</p> ## ${request.reportSuspiciousActivityToken}"
              - language: fr
                subject: "Nouvelle connexion"
                body: "<p>$request.browser $request.date</p> <a href='${request.reportSuspiciousActivityToken}'>x</a>"
      - id: bnd2emeaBrand00000002
        templates:
          PasswordChanged:
            recipients: NO_USERS
    eventHook:
      name: soc-hook
      url: https://soar.example.com/okta/events
      authHeader: Authorization
      events: [user.session.start]
      verify: false
    adminNotifications:
      roles: [ORG_ADMIN]
    threatInsight:
      action: none
"""


def engine_view(resources):
    """Mock resources as a preview's AnalyzeStack sees them: no ids, dependencies present."""
    hooks_by_id = {r.id: r.urn for r in resources if r.type == "okta:index/eventHook:EventHook"}
    out = []
    for r in resources:
        deps: dict[str, list[str]] = {}
        inputs = dict(r.inputs)
        if r.type == VERIFICATION:
            deps["eventHookId"] = [hooks_by_id[inputs["eventHookId"]]]
            inputs["eventHookId"] = UNKNOWN
        out.append(dataclasses.replace(r, id=None, inputs=inputs, property_dependencies=deps))
    return out


def offline_verdicts(state):
    fails, open_ = set(), set()
    for f in evaluate_catalog(state):
        if f.status == "fail":
            fails.add((f.control, f.resource, f.urn or ""))
        elif f.status == "not_evaluated":
            open_.add((f.control, f.resource))
    return fails, open_


def pack_verdicts(pack, resources):
    fails, open_ = set(), set()
    for d in pack.analyze(engine_view(resources)):
        control = find_control(d.policyName).id
        found = _FINDING.findall(d.message)
        assert found and {c for c, _ in found} == {control}, d.message
        if d.message.startswith("can't run policy"):
            open_.update(found)
        else:
            [(_, resource)] = found
            fails.add((control, resource, d.urn))
    return fails, open_


@pytest.fixture(autouse=True)
def event_loop_for_mocks():
    """Pulumi's mock runtime needs a current event loop; a test elsewhere that ran
    ``asyncio.run`` in this worker leaves none, so make sure there is one."""
    try:
        asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        asyncio.set_event_loop(asyncio.new_event_loop())


@pytest.fixture(scope="module")
def broken_project(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("broken-project")
    shutil.copy(REPO / "Pulumi.yaml", project / "Pulumi.yaml")
    (project / "stacks").mkdir()
    (project / "stacks" / "Pulumi.broken.yaml").write_text(BROKEN_STACK)
    return project


def test_demo_stack_parity(configured):
    run = run_program("demo", REPO)
    assert offline_verdicts(run.state) == pack_verdicts(configured, run.resources) == (set(), set())


def test_broken_stack_parity(configured, broken_project):
    run = run_program("broken", broken_project)
    offline = offline_verdicts(run.state)
    packed = pack_verdicts(configured, run.resources)
    assert packed == offline
    failing = {control for control, _, _ in offline[0]}
    assert failing == {"SAR-01", "SAR-02", "SAR-03", "SAR-04", "SAR-05", "SAR-08", "SAR-09", "SAR-10"}
    assert offline[1] == set()  # no hook: SAR-06 is not_applicable (SAR-05 fails), not unseen
