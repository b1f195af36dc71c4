import pytest

from sarguard.report import render
from sarguard.report.model import Report
from sarguard.report.render_github import command, escape_data, escape_property
from tests.report.sample import STACK_FILE, finding, full_report


def test_escape_rules() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_data("a:b,c") == "a:b,c"
    assert escape_property("SAR-03: a, b%\n") == "SAR-03%3A a%2C b%25%0A"


def test_command_cannot_be_injected() -> None:
    line = command("error", "x\n::set-output name=a::b", "f,g.yaml", 3, "t::u")
    assert "\n" not in line
    assert line == "::error file=f%2Cg.yaml,line=3,title=t%3A%3Au::x%0A::set-output name=a::b"


def _lines(kind: str = "audit", **changes) -> list[str]:
    report = full_report(kind)
    for key, value in changes.items():
        setattr(report, key, value)
    return render(report, "github").splitlines()


def test_annotation_levels() -> None:
    lines = _lines()
    mandatory = [x for x in lines if "title=SAR-03 Customized templates keep the token::" in x]
    assert mandatory[0].startswith(f"::error file={STACK_FILE},line=40,")
    assert "%0Asecond line%0ARemediation: Fix SAR-03" in mandatory[0]
    assert any(x.startswith("::warning ") and "SAR-09" in x for x in lines)  # advisory fail
    assert any(x.startswith("::warning ") and "(not evaluated)" in x for x in lines)
    assert any(x.startswith("::notice ") and "(waived)" in x and "JIRA-1" in x for x in lines)
    assert any(x.startswith("::warning title=sarguard::") and "100%25 stale" in x for x in lines)
    assert any(x.startswith("::error title=Unread evidence%3A systemLog::") for x in lines)
    assert not any("securityNotificationEmails" in x for x in lines)  # passes are silent
    assert all(x.startswith(("::error ", "::warning ", "::notice ")) for x in lines)


@pytest.mark.parametrize(("kind", "level"), [("drift", "::error "), ("audit", "::warning ")])
def test_drift_level_follows_exit_rule(kind: str, level: str) -> None:
    drift = [x for x in _lines(kind) if "title=Drift (changed)%3A eventHook/soc" in x]
    assert drift and all(x.startswith(level) for x in drift)


def test_errors_and_no_location() -> None:
    report = Report(
        kind="check", errors=["cannot read stack"], findings=[finding("SAR-02", "fail", "org", "x")]
    )
    lines = render(report, "github").splitlines()
    assert lines == [
        "::error title=SAR-02::org: x",
        "::error title=sarguard could not run::cannot read stack",
    ]
