"""Pulumi.yaml is a valid Pulumi project and every example stack validates."""

from __future__ import annotations

import json

import pytest
import yaml
from jsonschema import Draft202012Validator

from sarguard.pulumi.declared import load_stack_settings
from sarguard.pulumi.stack import available_stacks, load_stack_config
from tests.conftest import REPO_ROOT, reference_file


def test_pulumi_yaml_matches_pulumis_schema():
    schema = json.loads(reference_file("pulumi-project.schema.json").read_text("utf-8"))
    project = yaml.safe_load((REPO_ROOT / "Pulumi.yaml").read_text("utf-8"))
    errors = [e.message for e in Draft202012Validator(schema).iter_errors(project)]
    assert errors == []
    assert project["name"] == "sarguard"
    assert project["stackConfigDir"] == "stacks"
    assert project["runtime"]["options"]["virtualenv"] == ".venv"


@pytest.mark.parametrize("stack", available_stacks(REPO_ROOT))
def test_example_stacks_validate(stack):
    settings = load_stack_settings(load_stack_config(stack, REPO_ROOT))
    assert settings.brands


def test_project_config_defaults_apply_and_stack_overrides():
    config = load_stack_config("minimal", REPO_ROOT)
    assert config.get("okta:baseUrl") == "okta.com"  # from Pulumi.yaml's config defaults
    assert config.get("okta:orgName") == "acme"
    secret = config.get("sarguard:eventHookSecret")
    assert secret.is_secret and repr(secret) == "[secret]"
