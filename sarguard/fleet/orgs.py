"""``audit --orgs FILE``: the orgs of a fleet, each with its own credentials and rule files.

The file is YAML validated against ``sarguard/data/orgs.schema.json``; every problem is reported
at once as ``file:line: key.path: message`` (the stack file's loader, so YAML aliases are refused
as they are there). Credentials are *names* of environment variables, never values: a fleet's
file is committed, its secrets are not. Relative rule-file paths are relative to the file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from sarguard.errors import ProblemsError
from sarguard.util.keypath import format_key_path

KeyPath = tuple[str | int, ...]
TOKEN_KEYS = {"tokenEnv": "OKTA_API_TOKEN"}
OAUTH_KEYS = {"clientIdEnv": "OKTA_API_CLIENT_ID", "privateKeyEnv": "OKTA_API_PRIVATE_KEY",
              "privateKeyIdEnv": "OKTA_API_PRIVATE_KEY_ID", "scopesEnv": "OKTA_API_SCOPES"}


class OrgsFileError(ProblemsError):
    """The orgs file cannot be used (exit 2 before any org is read)."""

    always_list = True

    def heading(self, count: int) -> str:
        return f"{count} problem(s) in the orgs file:"


class OrgCredentialError(ProblemsError):
    """One org's credentials are not in the environment: that org's exit 2, not the fleet's."""


@dataclass(frozen=True)
class OrgEntry:
    """One org of the fleet, as the file declares it (paths resolved)."""

    name: str
    url: str
    credentials: Mapping[str, str]
    policy_config: str | None = None
    waivers: str | None = None
    ignore: str | None = None
    line: int | None = field(default=None, compare=False)

    def environment(self, env: Mapping[str, str]) -> dict[str, str]:
        """The ``OKTA_API_*`` variables the client reads, from the variables this org names —
        and nothing else of the environment, so no org ever uses another's credential."""
        out: dict[str, str] = {}
        missing: list[str] = []
        for key, okta_name in {**TOKEN_KEYS, **OAUTH_KEYS}.items():
            source = self.credentials.get(key)
            if not source:
                continue
            value = env.get(source)
            if value:
                out[okta_name] = value
            else:
                missing.append(source)
        if missing:
            raise OrgCredentialError(
                f"org {self.name}: the environment variable(s) {', '.join(missing)} named by its "
                "credentials are not set")
        return out

    def secret_values(self, env: Mapping[str, str]) -> list[str]:
        """The credential values this org's variables hold (for redaction: their names need
        not say they hold one)."""
        return [env[name] for name in self.credentials.values() if env.get(name)]

    def own_names(self, text: str) -> str:
        """``text`` (an error about credentials) naming this org's variables instead of the
        ``OKTA_API_*`` ones the client was given."""
        for key, okta_name in {**TOKEN_KEYS, **OAUTH_KEYS}.items():
            if self.credentials.get(key):
                text = text.replace(okta_name, self.credentials[key])
        return text


@cache
def orgs_schema() -> dict[str, Any]:
    text = resources.files("sarguard.data").joinpath("orgs.schema.json").read_text("utf-8")
    return json.loads(text)


def load_orgs(path: str | Path) -> list[OrgEntry]:
    """The orgs of ``path``, in file order; every problem at once as :class:`OrgsFileError`."""
    from sarguard.pulumi.stack import StackFileError, _load_yaml_with_lines

    source = Path(path)
    if not source.is_file():
        raise OrgsFileError([f"{source}: file not found"])
    try:
        raw, lines = _load_yaml_with_lines(source)
    except StackFileError as exc:
        raise OrgsFileError([str(exc).replace("project and stack files", "the orgs file")]) \
            from None
    problems: list[tuple[int, str]] = []

    def add(at: KeyPath, message: str) -> None:
        line = next((lines[at[:d]] for d in range(len(at), -1, -1) if at[:d] in lines), None)
        where = f"{source}:{line}" if line else str(source)
        problems.append((line or 0, f"{where}: {format_key_path(at)}: {message}"))

    if not isinstance(raw, dict):
        add((), "expected a mapping with the key orgs (a list of {name, url, credentials})")
        raise OrgsFileError([m for _, m in problems])
    for error in Draft202012Validator(orgs_schema()).iter_errors(raw):
        add(*_message(error))
    orgs = raw.get("orgs") if isinstance(raw.get("orgs"), list) else []
    seen: dict[str, int] = {}
    for i, org in enumerate(orgs):
        name = org.get("name") if isinstance(org, dict) else None
        if isinstance(name, str):
            if name in seen:
                add(("orgs", i, "name"), f"{name!r} is already the name of orgs[{seen[name]}]; "
                                         "names must be unique")
            seen.setdefault(name, i)
    if problems:
        raise OrgsFileError([m for _, m in sorted(problems, key=lambda p: p[0])])
    base = source.parent
    return [OrgEntry(name=o["name"], url=o["url"].rstrip("/"), credentials=dict(o["credentials"]),
                     policy_config=_path(base, o.get("policyConfig")),
                     waivers=_path(base, o.get("waivers")), ignore=_path(base, o.get("ignore")),
                     line=lines.get(("orgs", i)))
            for i, o in enumerate(orgs)]


def _path(base: Path, value: str | None) -> str | None:
    if value is None:
        return None
    path = Path(value)
    return str(path if path.is_absolute() else base / path)


def _message(error: ValidationError) -> tuple[KeyPath, str]:
    from sarguard.settings.loader import _schema_message

    path: KeyPath = tuple(error.absolute_path)
    if error.validator == "oneOf" and path and path[-1] == "credentials":
        return path, ("expected {tokenEnv: NAME} or {clientIdEnv, privateKeyEnv, privateKeyIdEnv?, "
                      "scopesEnv?}: names of environment variables, never the credentials")
    if error.validator == "pattern" and path and path[-1] == "url":
        return path, f"expected an org URL like https://acme.okta.com; got {json.dumps(error.instance)[:80]}"
    if error.validator == "pattern" and path and path[-1] == "name":
        return path, ("expected a short name (letters, digits, '.', '_', '-'; at most 63); got "
                      f"{json.dumps(error.instance)[:80]}")
    if error.validator == "pattern" and path and str(path[-1]).endswith("Env"):
        return path, ("expected the name of an environment variable (letters, digits, _): the "
                      "credential itself never goes in this file")
    return _schema_message(error)
