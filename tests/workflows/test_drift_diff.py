"""drift.yml keeps each scheduled run's JSON report and posts the diff with the previous one to
the job summary (issue 21 §4). Steps are found by what they do, not by name or position, so the
check holds in a per-stack matrix too.

The GitHub CLI's contracts relied on (its manual, e.g. man.archlinux.org/man/gh-run-list.1.en
and gh-run-download.1.en): ``gh run list`` filters by ``--workflow``, ``--event`` and ``--status``
(``completed`` included) and prints ``--json databaseId``; ``gh run download RUN --name ARTIFACT
--dir DIR`` extracts a single named artifact straight into DIR (so ``previous/drift.json``). A
token needs ``actions: read`` to list runs and download their artifacts."""

from __future__ import annotations

import yaml

from tests.conftest import REPO_ROOT


def _steps() -> tuple[dict, list[dict]]:
    doc = yaml.safe_load((REPO_ROOT / ".github" / "workflows" / "drift.yml").read_text())
    steps = [s for job in doc["jobs"].values() for s in job.get("steps", [])]
    return doc, steps


def test_the_previous_scheduled_report_is_downloaded() -> None:
    doc, steps = _steps()
    [download] = [s for s in steps if "gh run download" in s.get("run", "")]
    assert "--event schedule" in download["run"] and "--dir previous" in download["run"]
    assert '--name "drift-json-$STACK"' in download["run"]  # what the scheduled run keeps
    assert download.get("continue-on-error") is True  # the first run has no previous report
    assert download["env"]["GH_TOKEN"] == "${{ github.token }}"
    assert doc["jobs"]["drift"]["permissions"]["actions"] == "read"  # the job sets its own


def test_the_diff_goes_to_the_job_summary() -> None:
    _, steps = _steps()
    [diff] = [s for s in steps if "sarguard diff" in s.get("run", "")]
    assert "previous/drift.json reports/drift.json --format markdown" in diff["run"]
    assert '>> "$GITHUB_STEP_SUMMARY"' in diff["run"]
    assert "hashFiles('previous/drift.json')" in diff["if"]


def test_a_scheduled_run_keeps_its_json_report() -> None:
    _, steps = _steps()
    kept = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@")
            and s["with"].get("path") == "reports/drift.json"]
    assert len(kept) == 1
    assert "github.event_name == 'schedule'" in kept[0]["if"]
    assert kept[0]["with"]["name"].startswith("drift-json-")
