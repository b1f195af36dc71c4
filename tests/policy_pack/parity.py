"""The parity cases: stacks run under mocks, their resources sent to a pack as a preview would.

Shared by the in-repo pack's parity tests and the built (``sarguard pack``) pack's tests.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

from sarguard.controls.catalog import find_control
from sarguard.controls.runner import evaluate_catalog
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
            recipients: NO_USERS
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


PARITY_STACKS = ("demo", "broken", "unmanaged")


def write_parity_project(project: Path) -> Path:
    """A project holding the parity stacks: the repo's demo, a broken one, an unmanaged one."""
    shutil.copy(REPO / "Pulumi.yaml", project / "Pulumi.yaml")
    shutil.copytree(REPO / "email-templates", project / "email-templates")
    (project / "stacks").mkdir()
    shutil.copy(REPO / "stacks" / "Pulumi.demo.yaml", project / "stacks" / "Pulumi.demo.yaml")
    (project / "stacks" / "Pulumi.broken.yaml").write_text(BROKEN_STACK)
    minimal = (REPO / "stacks" / "Pulumi.minimal.yaml").read_text()
    (project / "stacks" / "Pulumi.unmanaged.yaml").write_text(
        minimal.replace("  sarguard:settings:\n", "  sarguard:settings:\n    notifications: {manage: false}\n"))
    return project
