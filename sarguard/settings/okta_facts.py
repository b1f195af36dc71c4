"""Okta facts the settings are checked against, shipped as package data."""

from __future__ import annotations

import json
from importlib import resources


def _load(name: str) -> object:
    return json.loads(resources.files("sarguard.data").joinpath(name).read_text("utf-8"))


# Okta's 27 default languages for email customizations, and its email template names.
OKTA_LANGUAGES: frozenset[str] = frozenset(_load("languages.json"))  # type: ignore[arg-type]
OKTA_TEMPLATES: frozenset[str] = frozenset(_load("email_templates.json")["templates"])  # type: ignore[index]
