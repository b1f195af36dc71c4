"""``responder.yaml``: the declared response, validated like stack settings.

Two layers, as for ``sarguard:settings``: the JSON Schema shipped in the package (shape, types,
unknown keys) and the rules a schema cannot express (at most one of the password/suspend
actions and why, ``${NAME}`` references, literal credentials, durations, the database URL).
Every problem is reported at once, each with the file, the line and the key path.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from sarguard.okta.connection import normalize_url
from sarguard.okta.errors import OktaConfigError
from sarguard.pulumi.stack import StackFileError, _load_yaml_with_lines
from sarguard.responder import envrefs
from sarguard.responder.literals import apprise_target, literal_credential
from sarguard.settings.errors import SettingsError
from sarguard.settings.loader import _schema_message as schema_message
from sarguard.systemlog.durations import DurationError, parse_span
from sarguard.util.keypath import format_key_path
from sarguard.util.redaction import redact
from sarguard.util.redaction import register as register_secrets

KeyPath = tuple[str | int, ...]

# The actions, in the vocabulary of responder.yaml.
OKTA_ACTIONS = ("clearSessions", "resetPassword", "expirePassword", "suspend")
# Each moves the user out of ACTIVE, so at most one of them can run in one response.
EXCLUSIVE_ACTIONS = ("resetPassword", "expirePassword", "suspend")
AT_MOST_ONCE = frozenset(EXCLUSIVE_ACTIONS)
NOTIFY = "notify"
_EXCLUSIVE_WHY = (
    "Okta suspends only ACTIVE users, resetPassword moves the user to RECOVERY and "
    "expirePassword to PASSWORD_EXPIRED, so Okta would refuse the second of them"
)
DEFAULTS = {"cooldown": "15m", "reconcile": "5m", "giveUpAfter": "1h", "workers": 4,
            "maxBacklog": "5m"}
FOLLOW_UP_AFTER = timedelta(minutes=2)  # notify.followUpAfter's default


@dataclass(frozen=True)
class CampaignConfig:
    """``campaign:``: when reports from many users sharing a network are one incident."""

    min_users: int = 5
    window: timedelta = timedelta(minutes=30)
    block_zone: str | None = None  # blockIp.zone: the Okta IP block-list zone's name
    block_max: int = 50
OFF = "off"
SQLITE_PREFIX = "sqlite:///"
RESERVED_PATHS = ("/healthz", "/metrics", "/status")
POSTGRES_SCHEME = "postgresql+psycopg"


class ResponderConfigError(SettingsError):
    """Every problem found in one responder.yaml (reported together, never just the first)."""

    document = "the responder config"


@dataclass(frozen=True)
class NotifyTarget:
    """One notification URL: ``url`` is expanded (may hold a secret), ``shown`` is as written."""

    shown: str
    url: str = field(repr=False)


@dataclass(frozen=True)
class ActionSpec:
    """One step of the response, in the order the file lists them."""

    kind: str
    options: Mapping[str, Any]
    targets: tuple[NotifyTarget, ...] = ()

    @property
    def at_most_once(self) -> bool:
        return self.kind in AT_MOST_ONCE


@dataclass(frozen=True)
class ResponderConfig:
    """A validated responder.yaml (secrets expanded from the environment, never from the file)."""

    source: Path
    path: str
    org_url: str
    admin_url: str | None
    auth_header: str
    secret_env: str
    previous_secret_env: str | None
    database_shown: str
    database_url: str = field(repr=False)
    actions: tuple[ActionSpec, ...] = ()
    exclude_users: frozenset[str] = frozenset()
    exclude_logins: tuple[str, ...] = ()
    cooldown: timedelta = timedelta(minutes=15)
    reconcile: timedelta | None = timedelta(minutes=5)
    give_up_after: timedelta = timedelta(hours=1)
    workers: int = 4
    dry_run: bool = False
    secrets: tuple[str, ...] = field(default=(), repr=False)  # expanded values, for redaction
    previous_secret_until: date | None = None  # the last day the previous secret is accepted
    max_backlog: timedelta = timedelta(minutes=5)  # status.maxBacklog
    campaign: CampaignConfig = field(default_factory=CampaignConfig)

    def __post_init__(self) -> None:
        register_secrets(self.secret_values)

    def secret_values(self) -> tuple[str, ...]:
        """The ``${NAME}`` values the config expanded (registered for redaction)."""
        return self.secrets

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith(SQLITE_PREFIX)

    @property
    def notify_spec(self) -> ActionSpec | None:
        return next((a for a in self.actions if a.kind == NOTIFY), None)

    @property
    def follow_up_after(self) -> timedelta:
        """``notify.followUpAfter``: when an Okta action still not done is told (validated)."""
        spec = self.notify_spec
        raw = spec.options.get("followUpAfter") if spec else None
        return parse_span(raw, what="value") if raw else FOLLOW_UP_AFTER

    @property
    def notify_on_done(self) -> bool:
        spec = self.notify_spec
        return bool(spec and spec.options.get("onDone", False))

    @property
    def notify_targets(self) -> tuple[NotifyTarget, ...]:
        return tuple(t for a in self.actions if a.kind == NOTIFY for t in a.targets)


@cache
def responder_schema() -> dict[str, Any]:
    text = resources.files("sarguard.data").joinpath("responder.schema.json").read_text("utf-8")
    return json.loads(text)


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(responder_schema())


class _Problems:
    """Messages prefixed with ``file:line: key.path:``, like the stack settings' errors."""

    def __init__(self, source: Path, lines: Mapping[KeyPath, int]) -> None:
        self.source = source
        self.lines = lines
        self.items: list[str] = []
        self._lines: list[int] = []

    def line_of(self, path: KeyPath) -> int | None:
        for depth in range(len(path), -1, -1):
            line = self.lines.get(path[:depth])
            if line:
                return line
        return None

    def add(self, path: KeyPath, message: str) -> None:
        line = self.line_of(path)
        where = f"{self.source}:{line}" if line else str(self.source)
        self.items.append(f"{where}: {format_key_path(path)}: {message}")
        self._lines.append(line or 0)

    def sorted(self) -> list[str]:
        """In file order (a stable sort: schema problems first within a line)."""
        order = sorted(range(len(self.items)), key=lambda i: self._lines[i])
        return [self.items[i] for i in order]


def _message(error: ValidationError) -> tuple[KeyPath, str]:
    path: KeyPath = tuple(error.absolute_path)
    if error.validator in ("minProperties", "maxProperties") and len(path) == 2:
        return path, ("expected exactly one action per item, like '- clearSessions: "
                      "{revokeOAuthTokens: true}'")
    if error.validator == "additionalProperties" and len(path) == 2 and path[0] == "actions":
        extra = sorted(set(error.instance) - set(OKTA_ACTIONS) - {NOTIFY})
        return (*path, extra[0]), (f"unknown action; expected one of "
                                   f"{', '.join((*OKTA_ACTIONS, NOTIFY))}")
    if error.validator == "pattern" and path == ("path",):
        return path, (f"expected the URL path the hook delivers to, starting with / (like "
                      f"/okta/events); got {json.dumps(error.instance)}")
    if error.validator == "pattern" and path[:2] == ("exclude", "users"):
        return path, (f"expected an Okta user id like 00ub0oNGTSWTBKOLGLNR; got "
                      f"{json.dumps(error.instance)} (logins go under exclude.logins)")
    if error.validator == "pattern" and path and path[-1] in ("secretEnv", "previousSecretEnv"):
        return path, (f"expected the name of an environment variable (letters, digits, _); got "
                      f"{json.dumps(error.instance)}: the secret itself never goes in this file")
    return schema_message(error)


def load_config(path: str | Path, env: Mapping[str, str], *, serving: bool = True) -> ResponderConfig:
    """Read and validate ``path``; ``env`` resolves ``${NAME}`` references.

    ``serving`` False (``responder status``) resolves only what reading the store needs: a
    missing notification variable must not stop anyone from looking at the queue.
    """
    source = Path(path)
    if not source.is_file():
        raise ResponderConfigError([f"{source}: config file not found"])
    try:
        raw, lines = _load_yaml_with_lines(source)
    except StackFileError as exc:
        raise ResponderConfigError([str(exc)]) from None
    problems = _Problems(source, lines)
    if not isinstance(raw, dict):
        problems.add((), "expected a mapping with path, org, hook, database and actions")
        raise ResponderConfigError(problems.sorted())
    errors = sorted(_validator().iter_errors(raw), key=lambda e: [str(p) for p in e.absolute_path])
    bad: list[KeyPath] = []
    for error in errors:
        at, message = _message(error)
        problems.add(at, message)
        bad.append(tuple(error.absolute_path))

    def sound(at: KeyPath) -> bool:
        return not any(p[: len(at)] == at or at[: len(p)] == p for p in bad)

    secrets: list[str] = []
    built = _Built()
    if sound(("org",)):
        built.org_url, built.admin_url = _org(raw["org"], problems)
    if sound(("database",)):
        built.database_shown, built.database_url = _database(raw["database"], env, problems, secrets)
    if isinstance(raw.get("actions"), list):
        items = [(i, a) for i, a in enumerate(raw["actions"]) if sound(("actions", i))]
        built.actions = _actions(items, env, problems, secrets, resolve=serving)
    if sound(("path",)) and raw["path"].rstrip("/") in RESERVED_PATHS:
        problems.add(("path",), f"{raw['path']} is the responder's own endpoint; choose another "
                                "path for the hook (e.g. /okta/events)")
    spans = {}
    for key in ("cooldown", "reconcile", "giveUpAfter"):
        if sound((key,)):
            spans[key] = _span(raw.get(key, DEFAULTS[key]), key, problems,
                               allow_off=key != "giveUpAfter")
    backlog = None
    if sound(("status",)):
        backlog = _span((raw.get("status") or {}).get("maxBacklog", DEFAULTS["maxBacklog"]),
                        "maxBacklog", problems, allow_off=False, at=("status", "maxBacklog"))
    until = _previous_until(raw.get("hook"), problems) if sound(("hook",)) else None
    campaign = _campaign(raw.get("campaign"), problems) if sound(("campaign",)) else None
    for index, spec in enumerate(built.actions):
        if spec.kind == NOTIFY and "followUpAfter" in spec.options:
            at: KeyPath = ("actions", _index_of(raw, NOTIFY, index), NOTIFY, "followUpAfter")
            _span_at(spec.options["followUpAfter"], at, problems)
    if problems.items:  # no config object holds the expanded values yet: mask them here
        raise ResponderConfigError([redact(p, secrets) for p in problems.sorted()])
    hook = raw["hook"]
    exclude = raw.get("exclude") or {}
    return ResponderConfig(
        source=source,
        path=raw["path"],
        org_url=built.org_url,
        admin_url=built.admin_url,
        auth_header=hook["authHeader"],
        secret_env=hook["secretEnv"],
        previous_secret_env=hook.get("previousSecretEnv"),
        database_shown=built.database_shown,
        database_url=built.database_url,
        actions=built.actions,
        exclude_users=frozenset(exclude.get("users") or ()),
        exclude_logins=tuple(exclude.get("logins") or ()),
        cooldown=spans["cooldown"] or timedelta(0),
        reconcile=spans["reconcile"],
        give_up_after=spans["giveUpAfter"],
        workers=int(raw.get("workers", DEFAULTS["workers"])),
        dry_run=bool(raw.get("dryRun", False)),
        secrets=tuple(secrets),
        previous_secret_until=until,
        max_backlog=backlog or timedelta(minutes=5),
        campaign=campaign or CampaignConfig(),
    )


def _index_of(raw: Mapping[str, Any], kind: str, fallback: int) -> int:
    """The position of ``kind`` in the file's actions list (for the error's key path)."""
    for index, item in enumerate(raw.get("actions") or ()):
        if isinstance(item, Mapping) and kind in item:
            return index
    return fallback


def _span_at(value: Any, at: KeyPath, problems: _Problems) -> timedelta | None:
    try:
        return parse_span(value, what="value")
    except DurationError as exc:
        problems.add(at, str(exc).removeprefix("value: "))
        return None


def _campaign(raw: Mapping[str, Any] | None, problems: _Problems) -> CampaignConfig | None:
    """``campaign:`` (every key optional; absent means the defaults)."""
    if not raw:
        return None
    window = _span_at(raw["window"], ("campaign", "window"), problems) if "window" in raw else None
    block = raw.get("blockIp") or {}
    return CampaignConfig(min_users=int(raw.get("minUsers", 5)),
                          window=window or timedelta(minutes=30),
                          block_zone=block.get("zone"), block_max=int(block.get("maxEntries", 50)))


@dataclass
class _Built:
    org_url: str = ""
    admin_url: str | None = None
    database_shown: str = ""
    database_url: str = ""
    actions: tuple[ActionSpec, ...] = ()


def _org(org: Mapping[str, Any], problems: _Problems) -> tuple[str, str | None]:
    from sarguard.okta.connection import admin_endpoint

    url = admin = None
    try:
        url = normalize_url(org["url"], what="URL")
    except OktaConfigError as exc:
        problems.add(("org", "url"), str(exc).removeprefix("URL: "))
    if "adminUrl" in org:
        try:
            admin = normalize_url(org["adminUrl"], what="URL")
        except OktaConfigError as exc:
            problems.add(("org", "adminUrl"), str(exc).removeprefix("URL: "))
    if url is None:
        return "", None
    return url, admin or admin_endpoint(url).admin_url


def _span(value: Any, key: str, problems: _Problems, *, allow_off: bool,
          at: KeyPath | None = None) -> timedelta | None:
    where = at or (key,)
    if allow_off and (value is False or (isinstance(value, str) and value.strip().lower() == OFF)):
        return None  # YAML 1.1 reads a bare off as false
    if isinstance(value, bool):
        problems.add(where, "expected a duration like 15m" + (" or off" if allow_off else ""))
        return None
    try:
        return parse_span(value, what="value")
    except DurationError as exc:
        hint = " (or 'off')" if allow_off else ""
        problems.add(where, str(exc).removeprefix("value: ") + hint)
        return None


def _previous_until(hook: Mapping[str, Any], problems: _Problems) -> date | None:
    """``hook.previousSecretUntil``: required with ``previousSecretEnv`` (a rotation has an
    end), a date (YAML reads an unquoted 2026-01-31 as one; a quoted one is parsed)."""
    at: KeyPath = ("hook", "previousSecretUntil")
    raw = hook.get("previousSecretUntil")
    if raw is None:
        if hook.get("previousSecretEnv"):
            problems.add(("hook", "previousSecretEnv"), "needs hook.previousSecretUntil, the "
                         "last day (YYYY-MM-DD) the previous secret is accepted: a rotation must "
                         "end, or the old secret stays valid for ever")
        return None
    if not hook.get("previousSecretEnv"):
        problems.add(at, "only means something with hook.previousSecretEnv")
        return None
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    if isinstance(raw, str):
        with contextlib.suppress(ValueError):
            if len(raw.strip()) == 10:
                return date.fromisoformat(raw.strip())
    problems.add(at, f"expected a date like 2026-01-31; got {json.dumps(str(raw))[:60]}")
    return None


def _database(raw: str, env: Mapping[str, str], problems: _Problems,
              secrets: list[str]) -> tuple[str, str]:
    """The database URL as written and as expanded; its rules checked on both."""
    at: KeyPath = ("database",)
    literal = literal_credential(raw, notification=False)
    if literal:
        problems.add(at, f"{literal}; put the URL (or just the password) in an environment "
                         "variable and write ${SARGUARD_DATABASE_URL}, or use PGPASSWORD/.pgpass")
        return raw, ""
    missing = envrefs.reference_problems(raw, env)
    for problem in missing:
        problems.add(at, problem)
    if missing:
        return raw, ""
    url = envrefs.expand(raw, env)
    if url != raw:
        secrets.extend(env[name] for name in envrefs.references(raw))
    problem = database_url_problem(url)
    if problem:
        problems.add(at, problem)
    return raw, url


def database_url_problem(url: str) -> str | None:
    """What is wrong with a database URL (never echoing a password), or None."""
    if url.startswith("sqlite:"):
        if not url.startswith(SQLITE_PREFIX) or url in (SQLITE_PREFIX, "sqlite:///:memory:"):
            return ("expected sqlite:////absolute/path/to/responder.db (four slashes: an "
                    "absolute path; an in-memory database would lose every delivery)")
        file_part = url[len(SQLITE_PREFIX):].split("?", 1)[0]
        if not file_part.startswith("/"):
            return (f"expected an absolute path after sqlite:/// (sqlite:////var/lib/sarguard/"
                    f"responder.db); got the relative path {file_part!r}")
        return None
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        return f"expected a database URL; got one that does not parse ({exc})"
    if parts.scheme in ("postgresql", "postgres", "postgresql+psycopg2"):
        return ("expected postgresql+psycopg://… (sarguard uses psycopg 3); change the scheme "
                f"from {parts.scheme}://")
    if parts.scheme != POSTGRES_SCHEME:
        return ("expected sqlite:////absolute/path.db or postgresql+psycopg://host/dbname; got "
                f"the scheme {parts.scheme or '(none)'!r}")
    if not parts.path.strip("/") and not parts.query:
        return "expected a database name: postgresql+psycopg://host/dbname"
    return None


def _actions(items: list[tuple[int, Mapping[str, Any]]], env: Mapping[str, str], problems: _Problems,
             secrets: list[str], *, resolve: bool) -> tuple[ActionSpec, ...]:
    out: list[ActionSpec] = []
    seen: dict[str, int] = {}
    exclusive: tuple[str, int] | None = None
    for index, item in items:
        kind, options = next(iter(item.items()))
        options = dict(options or {})
        at: KeyPath = ("actions", index, kind)
        if kind in seen:
            hint = " (list every URL under one notify)" if kind == NOTIFY else ""
            problems.add(at, f"appears twice (also actions[{seen[kind]}]){hint}")
            continue
        seen[kind] = index
        if kind in EXCLUSIVE_ACTIONS:
            if exclusive is not None:
                problems.add(at, f"only one of resetPassword, expirePassword and suspend per "
                                 f"response (actions[{exclusive[1]}] is {exclusive[0]}): "
                                 f"{_EXCLUSIVE_WHY}")
                continue
            exclusive = (kind, index)
        targets: tuple[NotifyTarget, ...] = ()
        if kind == NOTIFY:
            targets = tuple(
                t for u_index, raw in enumerate(options["urls"])
                if (t := _target(raw, (*at, "urls", u_index), env, problems, secrets, resolve))
            )
        out.append(ActionSpec(kind, options, targets))
    return tuple(out)


def _target(raw: str, at: KeyPath, env: Mapping[str, str], problems: _Problems,
            secrets: list[str], resolve: bool) -> NotifyTarget | None:
    literal = literal_credential(raw, notification=True)
    if literal:
        problems.add(at, f"{literal}; put it in an environment variable and write "
                         "${SARGUARD_SLACK_URL} (or a reference for just the secret part)")
        return None
    if not resolve:
        return NotifyTarget(raw, "")
    missing = envrefs.reference_problems(raw, env)
    for problem in missing:
        problems.add(at, problem)
    if missing:
        return None
    url = envrefs.expand(raw, env)
    if url != raw:
        secrets.extend(env[name] for name in envrefs.references(raw))
    if apprise_target(url) is None:
        shown = "its value (not shown: it may hold a secret)" if url != raw else repr(raw)
        problems.add(at, f"Apprise does not understand {shown} as a notification URL "
                         "(forms: https://github.com/caronc/apprise/wiki, e.g. json://host/path, "
                         "slack://…, mailtos://…)")
        return None
    return NotifyTarget(raw, url)
