"""The round trip is the test (issue 15): import an org, set the hook secret as the printed
command would, and the stack declares exactly the live org — ``plan`` shows the live objects with
byte-equal bodies, ``drift`` finds nothing (only the write-only auth value noted), and ``check``
gives, for SAR-01..10, the verdicts the live audit gives on the same org.
"""

from __future__ import annotations

import json

import pytest

from benchmarks.orggen import OrgShape, build_seed
from sarguard.controls.runner import evaluate_catalog
from sarguard.drift import compare_states
from sarguard.pulumi.declared import run_program
from sarguard.pulumi.plan import plan_document
from tests.adopt.conftest import STACK, check_adopted, drift_adopted, import_org, set_secrets
from tests.adopt.helpers import (
    AUTH_NOTE,
    assert_import_ids_are_live,
    assert_plan_declares_live,
    assert_same_verdicts,
    live_state,
)


@pytest.mark.parametrize(("seed", "drift_exit"), [("in-sync", 0), ("demo", 1)])
def test_an_imported_org_round_trips(seed, drift_exit, emulator, project, sarguard, tmp_path):
    emu = emulator(seed)
    run = import_org(sarguard, emu, project)
    assert run.code == 0, run.err
    live = live_state(emu)
    assert_import_ids_are_live(json.loads((project / f"import-{STACK}.json").read_text("utf-8")), live)
    set_secrets(project)
    where = ("--stack", STACK, "--project-dir", str(project))

    plan = sarguard("plan", *where, "--format", "json")
    assert plan.code == 0, plan.err
    assert_plan_declares_live(plan.report, live)

    drift = drift_adopted(sarguard, emu, project, tmp_path)
    assert drift.report["drift"] == []
    assert [n for n in drift.report["notes"] if AUTH_NOTE not in n] == []
    # In sync, the in-sync org passes; the demo org's live controls fail by design (exit 1).
    assert drift.code == drift_exit, drift.err

    check = check_adopted(sarguard, project, tmp_path)
    assert check.code == drift_exit, check.err
    assert_same_verdicts(check.report["findings"], drift.report["findings"])


def test_a_large_org_round_trips(emulator, project, sarguard, tmp_path):
    """50 brands x 4 templates x 27 languages (5,400 customizations, benchmarks/orggen.py). One
    mock run serves the plan, the offline verdicts and the drift comparison (the program is what
    takes the time: ~10 s for 5,600 resources); the import itself and the live read are the
    CLI's."""
    emu = emulator(build_seed(OrgShape(brands=50)))
    run = import_org(sarguard, emu, project)
    assert run.code == 0, run.err
    assert "5400 customization(s)" in run.out
    live = live_state(emu)
    assert_import_ids_are_live(json.loads((project / f"import-{STACK}.json").read_text("utf-8")), live)
    set_secrets(project)

    declared = run_program(STACK, project)
    assert_plan_declares_live(plan_document(declared), live)
    result = compare_states(declared.state, live)
    assert result.items == []
    assert [n for n in result.notes if AUTH_NOTE not in n] == []
    offline = [{"control": f.control, "resource": f.resource, "status": f.status}
               for f in evaluate_catalog(declared.state)]
    audit = [{"control": f.control, "resource": f.resource, "status": f.status}
             for f in evaluate_catalog(live)]
    assert_same_verdicts(offline, audit)
