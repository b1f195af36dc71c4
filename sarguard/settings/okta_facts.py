"""Okta facts the settings are checked against, shipped as package data."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources


@cache
def _load(name: str) -> object:
    return json.loads(resources.files("sarguard.data").joinpath(name).read_text("utf-8"))


@cache
def okta_languages() -> frozenset[str]:
    """Okta's 27 default languages for email customizations."""
    return frozenset(_load("languages.json"))  # type: ignore[arg-type]


@cache
def okta_templates() -> frozenset[str]:
    """Okta's email template names."""
    return frozenset(_load("email_templates.json")["templates"])  # type: ignore[index]


OKTA_LANGUAGES = okta_languages()
OKTA_TEMPLATES = okta_templates()
