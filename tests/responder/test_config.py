"""responder.yaml: the schema's errors (file, line, key path, all at once), the action rules and
why, ``${ENV}`` references, literal credentials, durations, exclusions, the database URL."""

from __future__ import annotations

import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from sarguard.responder.config import ResponderConfigError, database_url_problem, load_config
from sarguard.responder.exclusions import exclusion_reason
from tests.conftest import reference_file

GOOD = """\
path: /okta/events
org: {url: https://acme.okta.com}
hook: {authHeader: Authorization, secretEnv: SARGUARD_EVENT_HOOK_SECRET}
database: sqlite:////var/lib/sarguard/responder.db
actions:
  - clearSessions: {revokeOAuthTokens: true}
  - resetPassword: {sendEmail: true}
  - notify: {urls: ["${SARGUARD_SLACK_URL}", "json://soar.internal/hook"]}
exclude: {users: [00u1break0000000001], logins: ["breakglass-*@acme.com"]}
cooldown: 15m
dryRun: false
"""
ENV = {"SARGUARD_SLACK_URL": "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"}


def _load(tmp_path: Path, text: str, env: dict[str, str] | None = None, **kw):
    path = tmp_path / "responder.yaml"
    path.write_text(textwrap.dedent(text), "utf-8")
    return load_config(path, ENV if env is None else env, **kw)


def _problems(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ResponderConfigError) as info:
        _load(tmp_path, text, env)
    return info.value.problems


def test_the_issue_example_loads(tmp_path: Path) -> None:
    config = _load(tmp_path, GOOD)
    assert [a.kind for a in config.actions] == ["clearSessions", "resetPassword", "notify"]
    assert config.cooldown == timedelta(minutes=15)
    assert config.reconcile == timedelta(minutes=5)  # the default
    assert config.admin_url == "https://acme-admin.okta.com"
    targets = config.notify_targets
    assert targets[0].shown == "${SARGUARD_SLACK_URL}" and targets[0].url == ENV["SARGUARD_SLACK_URL"]
    assert ENV["SARGUARD_SLACK_URL"] not in repr(config)  # secrets stay out of reprs
    assert ENV["SARGUARD_SLACK_URL"] in config.secrets  # ... and go to the log's redaction


def test_every_problem_is_reported_at_once_with_line_and_key_path(tmp_path: Path) -> None:
    problems = _problems(tmp_path, """\
        path: okta/events
        org: {url: http://acme.okta.com}
        hook: {authHeader: "Bad Header", secretEnv: "my secret"}
        database: sqlite:///relative.db
        actions:
          - clearSessions: {revokeOAuthToken: true}
          - frobnicate: {}
          - {}
        cooldown: 15x
        """)
    assert len(problems) == 9, problems
    text = "\n".join(problems)
    assert "responder.yaml:1: path: expected the URL path the hook delivers to" in text
    assert "responder.yaml:2: org.url: plain http is only allowed for loopback hosts" in text
    assert "responder.yaml:3: hook.authHeader:" in text
    assert "responder.yaml:3: hook.secretEnv: expected the name of an environment variable" in text
    assert "responder.yaml:4: database: expected an absolute path" in text
    assert "responder.yaml:6: actions[0].clearSessions.revokeOAuthToken: unknown key; did you mean 'revokeOAuthTokens'?" in text
    assert "responder.yaml:7: actions[1].frobnicate: unknown action" in text
    assert "responder.yaml:8: actions[2]: expected exactly one action per item" in text
    assert "responder.yaml:9: cooldown:" in text and "(or 'off')" in text


def test_missing_required_keys_and_unknown_ones(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "path: /x\nextra: 1\n")
    text = "\n".join(problems)
    for key in ("org", "hook", "database", "actions"):
        assert f"{key}: missing required key" in text
    assert "extra: unknown key" in text


def test_the_spec_says_why_only_one_of_reset_expire_suspend(tmp_path: Path) -> None:
    """Okta's management OpenAPI spec (reference/okta-management-openapi.yaml): suspendUser
    "Perform this operation only on users with an `ACTIVE` status"; resetPassword "transitions
    the user to the `RECOVERY` status"; expirePassword "transitions the user status to
    `PASSWORD_EXPIRED`". After any one of them the user is no longer ACTIVE."""
    spec = reference_file("okta-management-openapi.yaml").read_text("utf-8")

    def operation(path: str) -> str:
        start = spec.index(f"\n  {path}:\n")
        return spec[start:start + 4000]

    life = "/api/v1/users/{id}/lifecycle/"
    assert "only on users with an `ACTIVE` status" in operation(life + "suspend")
    assert "to the `RECOVERY` status" in operation(life + "reset_password")
    assert "`PASSWORD_EXPIRED`" in operation(life + "expire_password")


@pytest.mark.parametrize("second", ["expirePassword: {}", "suspend: {}", "resetPassword: {}"])
def test_two_of_reset_expire_suspend_are_refused_with_the_reason(tmp_path: Path, second: str) -> None:
    first = "expirePassword: {}" if second == "resetPassword: {}" else "resetPassword: {}"
    problems = _problems(tmp_path, GOOD.replace("  - resetPassword: {sendEmail: true}\n",
                                                f"  - {first}\n  - {second}\n"))
    assert len(problems) == 1
    assert "only one of resetPassword, expirePassword and suspend per response" in problems[0]
    assert "Okta suspends only ACTIVE users" in problems[0]
    assert problems[0].startswith(f"{tmp_path / 'responder.yaml'}:8: actions[2].{second[:-4]}")


def test_the_same_action_twice_is_refused(tmp_path: Path) -> None:
    problems = _problems(tmp_path, GOOD.replace(
        "  - resetPassword: {sendEmail: true}\n", "  - clearSessions: {}\n"))
    assert problems == [f"{tmp_path / 'responder.yaml'}:7: actions[1].clearSessions: appears "
                        "twice (also actions[0])"]


@pytest.mark.parametrize(("url", "why"), [
    ("json://soar:hunter2@soar.internal/hook", "password written literally"),
    ("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ", "token written literally"),
    ("jsons://soar.internal/hook?token=abc123", "credential written literally in its 'token'"),
    ("json://soar.internal/hook?+Authorization=Bearer%20abc", "'+Authorization' parameter"),
    ("discord://1234567/abcdefgh", "token written literally"),
])
def test_credentials_written_in_a_notify_url_are_errors_naming_the_key(tmp_path: Path, url: str,
                                                                       why: str) -> None:
    problems = _problems(tmp_path, GOOD.replace('"json://soar.internal/hook"', f'"{url}"'))
    assert len(problems) == 1
    assert ":8: actions[2].notify.urls[1]:" in problems[0] and why in problems[0]
    assert "${SARGUARD_SLACK_URL}" in problems[0]  # says what to do instead


def test_credentials_through_references_are_fine(tmp_path: Path) -> None:
    config = _load(tmp_path, GOOD.replace('"json://soar.internal/hook"',
                                          '"json://soar:${SOAR_PW}@soar.internal/hook"'),
                   env={**ENV, "SOAR_PW": "hunter2-long"})
    assert config.notify_targets[1].url == "json://soar:hunter2-long@soar.internal/hook"
    assert "hunter2-long" in config.secrets


def test_references_must_resolve_but_status_needs_only_the_database(tmp_path: Path) -> None:
    problems = _problems(tmp_path, GOOD, env={})
    assert problems == [f"{tmp_path / 'responder.yaml'}:8: actions[2].notify.urls[0]: refers to "
                        "${SARGUARD_SLACK_URL}, which is not set in the environment"]
    config = _load(tmp_path, GOOD, env={}, serving=False)
    assert config.database_url == "sqlite:////var/lib/sarguard/responder.db"


def test_a_notify_url_apprise_does_not_understand(tmp_path: Path) -> None:
    problems = _problems(tmp_path, GOOD.replace('"json://soar.internal/hook"', '"nosuch://x"'))
    assert len(problems) == 1 and "Apprise does not understand 'nosuch://x'" in problems[0]
    secret = {**ENV, "SARGUARD_SLACK_URL": "nosuch://s3cr3t-token-value"}
    problems = _problems(tmp_path, GOOD, env=secret)
    assert "its value (not shown: it may hold a secret)" in problems[0]
    assert "s3cr3t" not in problems[0]


@pytest.mark.parametrize(("database", "env", "expected"), [
    ("${SARGUARD_DATABASE_URL}", {"SARGUARD_DATABASE_URL": "postgresql+psycopg://u:pw@db/resp"}, None),
    ("postgresql+psycopg://responder:${PGPW}@db/resp", {"PGPW": "pw-from-env"}, None),
    ("postgresql+psycopg://responder:hunter2@db/resp", {}, "password written literally"),
    ("postgresql://db/resp", {}, "expected postgresql+psycopg://"),
    ("mysql://db/resp", {}, "expected sqlite:////absolute/path.db or postgresql+psycopg://"),
    ("sqlite://", {}, "four slashes"),
    ("sqlite:///:memory:", {}, "in-memory database would lose every delivery"),
    ("postgresql+psycopg://db", {}, "expected a database name"),
    ("${SARGUARD_DATABASE_URL}", {}, "SARGUARD_DATABASE_URL}, which is not set"),
])
def test_database_urls(tmp_path: Path, database: str, env: dict[str, str],
                       expected: str | None) -> None:
    text = GOOD.replace("sqlite:////var/lib/sarguard/responder.db", f'"{database}"')
    if expected is None:
        config = _load(tmp_path, text, env={**ENV, **env})
        assert config.database_url.startswith("postgresql+psycopg://")
        assert all(value not in repr(config) for value in env.values())
    else:
        problems = _problems(tmp_path, text, env={**ENV, **env})
        assert len(problems) == 1 and expected in problems[0] and ":4: database:" in problems[0]
        assert "hunter2" not in problems[0].split("database:", 1)[1]


def test_database_url_problem_never_echoes_a_password() -> None:
    problem = database_url_problem("postgresql://u:topsecret@db/x")
    assert problem is not None and "topsecret" not in problem


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("cooldown", "off", timedelta(0)),
    ("cooldown", "30s", timedelta(seconds=30)),
    ("reconcile", "off", None),
    ("reconcile", "2m", timedelta(minutes=2)),
    ("giveUpAfter", "2h", timedelta(hours=2)),
])
def test_spans(tmp_path: Path, key: str, value: str, expected: timedelta | None) -> None:
    config = _load(tmp_path, GOOD + f"{key}: {value}\n".replace("cooldown: 15m\n", ""))
    attr = {"cooldown": "cooldown", "reconcile": "reconcile", "giveUpAfter": "give_up_after"}[key]
    assert getattr(config, attr) == expected


def test_give_up_cannot_be_off_and_spans_cannot_be_zero(tmp_path: Path) -> None:
    problems = _problems(tmp_path, GOOD + "giveUpAfter: off\nreconcile: 0m\n")
    assert len(problems) == 2
    assert "giveUpAfter: expected string; got false" in problems[0]
    assert "reconcile: '0m' is zero" in problems[1]


def test_the_path_cannot_shadow_the_responders_own_endpoints(tmp_path: Path) -> None:
    problems = _problems(tmp_path, GOOD.replace("path: /okta/events", "path: /metrics"))
    assert problems == [f"{tmp_path / 'responder.yaml'}:1: path: /metrics is the responder's own "
                        "endpoint; choose another path for the hook (e.g. /okta/events)"]


def test_yaml_problems_and_a_missing_file(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "path: [unclosed\n")
    assert len(problems) == 1 and "not valid YAML" in problems[0]
    with pytest.raises(ResponderConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yaml", {})
    assert _problems(tmp_path, "- a list\n") == [
        f"{tmp_path / 'responder.yaml'}:1: (top level): expected a mapping with path, org, hook, "
        "database and actions"]


def test_an_exclude_users_entry_must_be_an_id(tmp_path: Path) -> None:
    problems = _problems(tmp_path, GOOD.replace("[00u1break0000000001]", "[breakglass@acme.com]"))
    assert len(problems) == 1 and "logins go under exclude.logins" in problems[0]


def test_exclusions_match_ids_exactly_and_logins_by_glob_ignoring_case(tmp_path: Path) -> None:
    config = _load(tmp_path, GOOD)
    assert "exclude.users" in (exclusion_reason("00u1break0000000001", None, config) or "")
    assert "matches exclude.logins" in (exclusion_reason("00u1other", "BreakGlass-7@ACME.com", config) or "")
    assert exclusion_reason("00u1other", "breakglass@acme.com", config) is None
    assert exclusion_reason("00u1other", "x-breakglass-1@acme.com", config) is None
