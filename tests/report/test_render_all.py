import json

import pytest

from sarguard.report import FORMATS, render
from sarguard.report.model import Report
from sarguard.report.values import SECRET_TEXT, jsonable
from tests.report.sample import SECRET_VALUE, FlaggedSecret, Secret, full_report


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", ["check", "drift", "audit"])
def test_every_format_renders_everything_and_no_secret(fmt: str, kind: str) -> None:
    out = render(full_report(kind), fmt)
    assert SECRET_VALUE not in out
    for resource in ("eventHook/soc", "threatInsight", "systemLog"):
        assert resource in out, (fmt, resource)
    assert "expired on 2024-01-01" in out
    if fmt not in ("github", "text"):  # annotations skip passes; text counts them
        assert "securityNotificationEmails" in out
    if fmt == "text":
        assert "SAR-01  1 passed" in out
        assert "securityNotificationEmails" in render(full_report(kind), fmt, verbose=True)


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_report_renders(fmt: str) -> None:
    assert isinstance(render(Report(kind="check"), fmt), str)


def test_unknown_format_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown report format 'pdf'; expected one of text"):
        render(Report(kind="check"), "pdf")


def test_secret_like_values_become_marker() -> None:
    pulumi_secret = {
        "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
        "value": SECRET_VALUE,
    }

    class Broken:
        @property
        def is_secret(self) -> bool:
            raise RuntimeError("boom")

    class NotSecret:
        is_secret = False

    data = jsonable(
        {
            "a": Secret(SECRET_VALUE),
            "b": FlaggedSecret(SECRET_VALUE),
            "c": pulumi_secret,
            "d": [Broken()],
            "e": NotSecret(),
            "f": "[secret]",
            "g": {1, 2},
        }
    )
    assert data == {
        "a": SECRET_TEXT,
        "b": SECRET_TEXT,
        "c": SECRET_TEXT,
        "d": [SECRET_TEXT],
        "e": "<NotSecret>",
        "f": SECRET_TEXT,
        "g": [1, 2],
    }
    assert SECRET_VALUE not in json.dumps(data)


def test_a_drift_run_without_drift_but_with_failing_controls_is_in_sync() -> None:
    """Issue 19 §6: no drift, two mandatory controls failing: the verdict says the org is in
    sync *and* what failed — never "DRIFTED" — in every format that states a verdict."""
    from sarguard.report.model import DriftItem, Report
    from sarguard.report.view import verdict
    from tests.report.sample import finding

    failing = [finding("SAR-03", "fail", "brand/default", "no link"),
               finding("SAR-05", "fail", "eventHooks", "no hook"),
               finding("SAR-01", "pass", "securityNotificationEmails", "on")]
    report = Report(kind="drift", findings=failing, drift=[
        DriftItem("changed", "threatInsight", "action", "block", "audit", ignored=True,
                  reason="accepted")])
    expected = "IN SYNC — 2 mandatory controls failed (SAR-03, SAR-05)"
    assert verdict(report).startswith(expected)
    for fmt in ("text", "markdown"):
        text = render(report, fmt)
        assert expected in text and "DRIFTED" not in text.upper().replace("IN SYNC", ""), fmt
    assert render(report, "markdown").startswith("## ❌ sarguard drift: in sync")
    assert '"exitCode": 1' in render(report, "json")
    drifted = Report(kind="drift", findings=failing, drift=[
        DriftItem("changed", "threatInsight", "action", "block", "audit")])
    assert verdict(drifted).startswith("DRIFTED: 2 mandatory controls failed")
