"""Parity: the CrossGuard pack and the offline check judge the same program the same way.

The program runs under mocks (``sarguard.pulumi.declared.run_program``); its resources are then sent to
the pack as the engine would send them during a preview (the verification's ``eventHookId`` is
unknown and linked to its hook by a property dependency). Both sides must report the same
controls failing on the same resources (and URNs), and the same ones not evaluated.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from sarguard.controls.runner import evaluate_catalog
from sarguard.pulumi.declared import run_program
from tests.policy_pack.conftest import REPO
from tests.policy_pack.parity import offline_verdicts, pack_verdicts, write_parity_project


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
    return write_parity_project(tmp_path_factory.mktemp("parity-project"))


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


def test_unmanaged_notifications_parity(configured, broken_project):
    """notifications.manage: false: the pack sees the component's manageNotifications input
    (AnalyzeStack carries component resources too) and, like check, does not fail SAR-01/02."""
    run = run_program("unmanaged", broken_project)
    assert not any("SecurityNotificationEmails" in r.type for r in run.resources)
    assert offline_verdicts(run.state) == pack_verdicts(configured, run.resources) == (set(), set())
    statuses = {f.control: f.status for f in evaluate_catalog(run.state) if f.control in ("SAR-01", "SAR-02")}
    assert statuses == {"SAR-01": "not_applicable", "SAR-02": "not_applicable"}
