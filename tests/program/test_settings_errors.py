"""Every kind of settings error gives a clear message naming file, line, key path and expectation."""

from __future__ import annotations

import pytest

from sarguard.pulumi.declared import load_stack_settings
from sarguard.pulumi.stack import StackFileError, load_stack_config
from sarguard.settings import SettingsError
from tests.conftest import STACK_HEAD

HEAD = STACK_HEAD
HOOK = """\
    eventHook:
      name: reports
      url: https://soar.example.com/okta
      authHeader: Authorization
      events: [user.account.report_suspicious_activity_by_enduser]
"""


def problems_for(make_project, body: str, files: dict[str, str] | None = None) -> list[str]:
    project = make_project(HEAD + body, files=files)
    with pytest.raises(SettingsError) as info:
        load_stack_settings(load_stack_config("test", project))
    return info.value.problems


def test_unknown_key_is_an_error_with_a_suggestion(make_project):
    problems = problems_for(make_project, """\
    notifcations: {newSignOn: true}
    brands: [{id: default}]
""")
    assert len(problems) == 1
    assert problems[0].startswith("stacks/Pulumi.test.yaml:6: sarguard:settings.notifcations: unknown key")
    assert "did you mean 'notifications'" in problems[0]


def test_all_problems_are_reported_at_once_with_key_paths(make_project):
    problems = problems_for(make_project, """\
    brands:
      - id: default
        templates:
          NewSignOnNotification:
            recipients: EVERYONE
            customizations:
              - language: en
                isDefault: true
                subject: ok
                body: x
              - language: xx
                subject: ok
                body: y
          PasswordChange: {}
""" + HOOK.replace("https://soar", "http://soar") + """\
    adminNotifications:
      roles: [APP_ADMIN]
""")
    text = "\n".join(problems)
    assert len(problems) == 5, text
    assert "brands[0].templates.NewSignOnNotification.recipients: expected one of ALL_USERS, ADMINS_ONLY, NO_USERS" in text
    assert "brands[0].templates.NewSignOnNotification.customizations[1].language: expected one of Okta's 27" in text
    assert "brands[0].templates.PasswordChange: unknown Okta email template name; did you mean 'PasswordChanged'" in text
    assert "eventHook.url: expected an https URL (plain http only for loopback hosts)" in text
    assert "adminNotifications.roles[0]: expected SUPER_ADMIN or ORG_ADMIN" in text


def test_body_file_must_exist_relative_to_project_root(make_project):
    problems = problems_for(make_project, """\
    brands:
      - id: default
        templates:
          PasswordChanged:
            customizations:
              - {language: en, isDefault: true, subject: s, bodyFile: email/missing.html}
""")
    assert problems == [problems[0]]
    assert "customizations[0].bodyFile: file not found: email/missing.html" in problems[0]


def test_body_and_body_file_are_exclusive(make_project):
    problems = problems_for(make_project, """\
    brands:
      - id: default
        templates:
          PasswordChanged:
            customizations:
              - {language: en, subject: s, body: b, bodyFile: f.html}
""", files={"f.html": "x"})
    assert "customizations[0]: expected exactly one of 'body' (inline) or 'bodyFile'" in problems[0]


def test_plaintext_hook_secret_says_how_to_set_it(make_project):
    project = make_project("""\
config:
  sarguard:eventHookSecret: hunter2-plaintext
  sarguard:settings:
    brands: [{id: default}]
""" + HOOK)
    with pytest.raises(SettingsError) as info:
        load_stack_settings(load_stack_config("test", project))
    message = str(info.value)
    assert "sarguard:eventHookSecret: is plaintext" in message
    assert "pulumi config set --secret sarguard:eventHookSecret" in message
    assert "hunter2-plaintext" not in message


def test_missing_hook_secret_when_a_hook_is_declared(make_project):
    project = make_project("""\
config:
  sarguard:settings:
    brands: [{id: default}]
""" + HOOK)
    with pytest.raises(SettingsError, match="eventHookSecret: missing"):
        load_stack_settings(load_stack_config("test", project))


def test_http_hook_allowed_for_loopback(make_project):
    project = make_project(HEAD + "    brands: [{id: default}]\n" + HOOK.replace(
        "https://soar.example.com/okta", "http://127.0.0.1:8080/hook"))
    settings = load_stack_settings(load_stack_config("test", project))
    assert settings.event_hook.url == "http://127.0.0.1:8080/hook"


def test_wrong_types_and_missing_keys(make_project):
    problems = problems_for(make_project, """\
    notifications: {newSignOn: "yes"}
    brands: []
    threatInsight: {}
""")
    text = "\n".join(problems)
    assert "notifications.newSignOn: expected boolean" in text
    assert "brands: expected at least 1 item(s)" in text
    assert "threatInsight.action: missing required key" in text


def test_settings_missing_entirely(make_project):
    project = make_project("config:\n  okta:orgName: acme\n")
    with pytest.raises(SettingsError, match="sarguard:settings: missing"):
        load_stack_settings(load_stack_config("test", project))


def test_unknown_stack_names_the_file_and_the_known_stacks(make_project):
    project = make_project(HEAD + "    brands: [{id: default}]\n")
    with pytest.raises(StackFileError, match=r"Pulumi\.nope\.yaml: stack file not found .*stacks found: test"):
        load_stack_config("nope", project)


def test_invalid_yaml_names_file_and_line(make_project):
    project = make_project("config:\n  sarguard:settings: [unclosed\n")
    with pytest.raises(StackFileError, match=r"Pulumi\.test\.yaml:\d+: not valid YAML"):
        load_stack_config("test", project)


def test_body_file_must_be_a_small_regular_file(make_project):
    problems = problems_for(make_project, """\
    brands:
      - id: default
        templates:
          PasswordChanged:
            customizations:
              - {language: en, isDefault: true, subject: s, bodyFile: big.html}
              - {language: de, subject: s, bodyFile: email}
""", files={"big.html": "x" * 70_000, "email/readme.txt": "a folder, not a body"})
    text = "\n".join(problems)
    assert "customizations[0].bodyFile: expected a body smaller than 64 KB (Okta's limit); big.html " in text
    assert "has more than 65536 bytes" in text  # judged by what was read (64 KB + 1)
    assert "customizations[1].bodyFile: expected a regular file; email is not one" in text


@pytest.mark.parametrize("template", ["NewSignOnNotification", "PasswordChanged",
                                      "AuthenticatorEnrolled", "AuthenticatorReset"])
def test_recipients_a_link_template_does_not_support(make_project, template):
    """Okta answers 422 E0000189 "This template does not support the recipients value" for
    ADMINS_ONLY on these four (okta-developer-docs PR #3325: they take only NO_USERS and
    ALL_USERS): a settings error names the rule before `pulumi up` half-applies the stack."""
    problems = problems_for(make_project, f"""\
    brands:
      - id: default
        templates:
          {template}: {{recipients: ADMINS_ONLY}}
          ForgotPassword: {{recipients: ADMINS_ONLY}}
""" + HOOK)
    assert problems == [
        f"stacks/Pulumi.test.yaml:9: sarguard:settings.brands[0].templates.{template}.recipients: "
        f"{template} accepts only ALL_USERS or NO_USERS; Okta refuses ADMINS_ONLY for it "
        "(422 E0000189, see https://github.com/okta/okta-developer-docs/pull/3325)"]


BODY_FILE_STACK = """\
    brands:
      - id: default
        templates:
          PasswordChanged:
            customizations:
              - {language: en, isDefault: true, subject: s, bodyFile: %s}
"""
KEY = "sarguard:settings.brands[0].templates.PasswordChanged.customizations[0].bodyFile"


def body_problem(make_project, body_file: str, files=None, prepare=None) -> str:
    project = make_project(HEAD + BODY_FILE_STACK % body_file, files=files)
    if prepare:
        prepare(project)
    with pytest.raises(SettingsError) as info:
        load_stack_settings(load_stack_config("test", project))
    (problem,) = info.value.problems
    assert f"{KEY}: " in problem  # the key path is named
    return problem


@pytest.mark.parametrize("body_file", ["/proc/self/environ", "/etc/passwd"])
def test_absolute_body_file_is_refused(make_project, body_file):
    problem = body_problem(make_project, body_file)
    assert f"{body_file} is absolute" in problem


def test_body_file_escaping_the_project_names_the_resolved_path(make_project, tmp_path):
    (tmp_path / "outside.html").write_text("secret stuff", "utf-8")
    problem = body_problem(make_project, "../outside.html")
    assert "must stay inside the project directory" in problem
    assert f"resolves to {(tmp_path / 'outside.html').resolve()}" in problem
    assert "secret stuff" not in problem


@pytest.mark.parametrize("target", ["/proc/self/environ", "/etc/hostname", "../../elsewhere.html"])
def test_symlink_out_of_the_project_is_refused(make_project, target):
    def link(project):
        (project / "email").mkdir(exist_ok=True)
        (project / "email" / "body.html").symlink_to(target)

    problem = body_problem(make_project, "email/body.html", prepare=link)
    assert "must stay inside the project directory" in problem
    assert "resolves to" in problem


def test_symlink_inside_the_project_is_followed(make_project):
    project = make_project(HEAD + BODY_FILE_STACK % "email/link.html",
                           files={"email/real.html": "<p>hi</p>"})
    (project / "email" / "link.html").symlink_to("real.html")
    settings = load_stack_settings(load_stack_config("test", project))
    assert settings.brands[0].templates[0].customizations[0].body == "<p>hi</p>"


def test_fifo_is_not_read(make_project):
    import os

    problem = body_problem(make_project, "pipe.html",
                           prepare=lambda project: os.mkfifo(project / "pipe.html"))
    assert "expected a regular file; pipe.html is not one" in problem


def test_symlink_loop_is_a_clear_error(make_project):
    def loop(project):
        (project / "a.html").symlink_to("b.html")
        (project / "b.html").symlink_to("a.html")

    problem = body_problem(make_project, "a.html", prepare=loop)
    assert "a.html" in problem


def test_exactly_64_kb_is_too_big_and_one_less_is_fine(make_project):
    problem = body_problem(make_project, "big.html", files={"big.html": "x" * 65536})
    assert "has 65536 bytes" in problem
    project = make_project(HEAD + BODY_FILE_STACK % "ok.html", files={"ok.html": "x" * 65535})
    load_stack_settings(load_stack_config("test", project))


def test_non_utf8_body_names_the_offset(make_project):
    def write(project):
        (project / "latin1.html").write_bytes(b"caf\xe9")

    problem = body_problem(make_project, "latin1.html", prepare=write)
    assert "expected UTF-8 text" in problem and "offset 3" in problem


@pytest.mark.parametrize("raw", [b"<p>line one</p>\r\n<p>line two</p>\r\n",
                                 "<p>Grüße — 日本語 ✓</p>\r\n\n\r".encode()])
def test_body_file_is_read_byte_for_byte(make_project, raw):
    """CRLF and non-ASCII bodies reach the program exactly as stored (no newline translation),
    so that what ``sarguard import`` writes byte for byte round-trips."""
    project = make_project(HEAD + BODY_FILE_STACK % "email/body.html")
    (project / "email").mkdir()
    (project / "email" / "body.html").write_bytes(raw)
    settings = load_stack_settings(load_stack_config("test", project))
    body = settings.brands[0].templates[0].customizations[0].body
    assert body.encode("utf-8") == raw


def test_yaml_aliases_in_the_stack_file_are_refused_with_the_line(make_project):
    project = make_project("""\
config:
  okta:orgName: acme
  sarguard:settings:
    notifications: &on {newSignOn: true}
    brands: [{id: default}]
  other:copy: *on
""")
    with pytest.raises(StackFileError, match=r"Pulumi\.test\.yaml:6: YAML aliases \(\*name\) are not allowed"):
        load_stack_config("test", project)


def test_billion_laughs_stack_file_ends_fast_with_a_clear_error(make_project):
    """500 bytes that expand to 10^9 values: refused on the composed graph, never expanded."""
    rows = ['    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    rows += [f"    {chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)]
    project = make_project("config:\n  okta:orgName: acme\n  sarguard:settings:\n" + "\n".join(rows) + "\n")
    with pytest.raises(StackFileError, match=r"Pulumi\.test\.yaml:5: YAML aliases"):
        load_stack_config("test", project)


def test_recursive_anchor_in_the_stack_file_is_refused(make_project):
    project = make_project("config:\n  okta:orgName: acme\n  x:loop: &l [*l]\n")
    with pytest.raises(StackFileError, match=r"Pulumi\.test\.yaml:3: YAML aliases"):
        load_stack_config("test", project)
