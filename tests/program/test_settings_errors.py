"""Every kind of settings error gives a clear message naming file, line, key path and expectation."""

from __future__ import annotations

import pytest

from sarguard.pulumi.declared import load_stack_settings
from sarguard.pulumi.stack import StackFileError, load_stack_config
from sarguard.settings import SettingsError

HEAD = """\
config:
  okta:orgName: acme
  sarguard:eventHookSecret:
    secure: AAABAGNpcGhlcnRleHQ=
  sarguard:settings:
"""
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
    assert "customizations[0].bodyFile: expected a body smaller than 64 KB (Okta's limit); big.html has 70000 bytes" in text
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
