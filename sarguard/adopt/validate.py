"""The checks an import's staged files pass before any is moved into place: the stack file reads
back as written, the Pulumi CLI would load it (:mod:`sarguard.pulumi.project_rules`), and the
settings loader accepts it with the bodies read from the staged copy, byte for byte.

The two secrets the user sets afterwards stand in as secrets, as ``pulumi config set --secret``
will make them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from sarguard.adopt.errors import AdoptError
from sarguard.adopt.stackfile import StackDocument
from sarguard.pulumi.project_rules import stack_problems
from sarguard.settings import SettingsError, load_settings
from sarguard.util.urlsecrets import placeholder_names


class _Secret:
    """Stands in for a value ``pulumi config set --secret`` will store."""

    is_secret = True


def staged_check(document: StackDocument, project: Mapping[str, Any], stack: str, stack_file: str,
                 project_dir: Path) -> Callable[[Path], None]:
    def check(staging: Path) -> None:
        text = (staging / stack_file).read_text("utf-8")
        data = yaml.safe_load(text)
        if data != document.document:
            raise AdoptError(f"internal error: {stack_file} does not read back as written; nothing "
                             "was written — please report it")
        problems = stack_problems(data, project, stack)
        if problems:
            listed = "\n".join(f"  - {p}" for p in problems)
            raise AdoptError(f"the Pulumi CLI would refuse the stack file written for {stack_file} "
                             f"(nothing was written):\n{listed}")
        settings = document.settings
        hook = settings.get("eventHook")
        secrets = {name: _Secret() for name in (hook or {}).get("secretHeaders", ())}
        url_secrets = {name: _Secret() for name in placeholder_names((hook or {}).get("url") or "")}
        try:
            load_settings(settings, hook_secret=_Secret() if hook and hook.get("authHeader") else None,
                          where=stack_file,
                          project_dir=staging, header_secrets=secrets or None,
                          url_secrets=url_secrets or None)
        except SettingsError as exc:
            message = str(exc).replace(str(staging.resolve()), str(project_dir)).replace(
                str(staging), str(project_dir))
            raise AdoptError(f"the org holds what the stack cannot declare (nothing was "
                             f"written):\n{message}") from None

    return check
