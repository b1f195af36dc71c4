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
