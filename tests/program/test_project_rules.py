"""The Pulumi CLI's own load rules, applied to every project and stack file this repo has or writes.

Sources (pulumi/pulumi): ``sdk/go/common/workspace/project.go`` (``ValidateProject``,
``RewriteConfigPathIntoStackConfigDir``, ``RewriteShorthandConfigValues``, ``Project.Validate``,
``ValidateConfigValue``, ``PolicyPackProject.Validate``), ``sdk/go/common/workspace/loaders.go``
(``LoadProjectBytes``, ``LoadProjectStackBytes``, ``stackConfigNamespacedWithProject``),
``sdk/go/common/resource/config/key.go`` (``ParseKey``), ``sdk/go/common/resource/config/object.go``
(``unmarshalObject``/``isSecureValue``) and ``pkg/workspace/config.go`` (``mergeConfig``,
``validateStackConfigValue``).
"""

from __future__ import annotations

import json
import textwrap

import pytest
import yaml
from jsonschema import Draft202012Validator

from benchmarks.orggen import OrgShape, write_project
from sarguard.pulumi.project_rules import (
    config_value_matches,
    policy_pack_problems,
    project_problems,
    stack_problems,
)
from sarguard.pulumi.stack import StackFileError, available_stacks, load_stack_config
from tests.conftest import REPO_ROOT, reference_file

PROJECT = {"name": "sarguard", "runtime": "python"}


def _messages(problems) -> list[str]:
    return [str(p) for p in problems]


def _project(**config) -> dict:
    return {**PROJECT, "config": config}


def _load(path) -> object:
    return yaml.safe_load(path.read_text("utf-8"))


# ---- what the repository has and writes --------------------------------------------------

def test_the_repository_project_loads_in_the_cli():
    """``LoadProjectBytes``: ValidateProject, the rewrites, then Project.Validate (project.go)."""
    assert project_problems(_load(REPO_ROOT / "Pulumi.yaml")) == []


@pytest.mark.parametrize("stack", available_stacks(REPO_ROOT))
def test_the_repository_stack_files_load_in_the_cli(stack):
    """``LoadProjectStackBytes`` + ``config.Map.UnmarshalYAML`` (``ParseKey``) + ``mergeConfig``."""
    data = _load(REPO_ROOT / "stacks" / f"Pulumi.{stack}.yaml")
    assert stack_problems(data, _load(REPO_ROOT / "Pulumi.yaml"), stack) == []


def test_the_benchmark_project_loads_in_the_cli(tmp_path):
    """benchmarks/orggen.py writes a Pulumi.yaml and a stack file: both must pass the CLI's rules
    (project.go ``Project.Validate``; loaders.go ``LoadProjectStackBytes``) and Pulumi's schema."""
    root = write_project(OrgShape(brands=1, languages=("en", "fr"), hooks=1), tmp_path)
    project = _load(root / "Pulumi.yaml")
    assert project_problems(project) == []
    assert stack_problems(_load(root / "stacks" / "Pulumi.bench.yaml"), project, "bench") == []
    schema = json.loads(reference_file("pulumi-project.schema.json").read_text("utf-8"))
    assert [e.message for e in Draft202012Validator(schema).iter_errors(project)] == []
    assert load_stack_config("bench", root).get("okta:baseUrl") == "okta.com"


def test_the_policy_pack_project_loads_in_the_cli():
    """``LoadPolicyPack`` / ``PolicyPackProject.Validate`` (project.go): a runtime is required."""
    assert policy_pack_problems(_load(REPO_ROOT / "policies" / "PulumiPolicy.yaml")) == []
    assert _messages(policy_pack_problems({"description": "x"})) == [
        "project is missing a 'runtime' attribute"]
    assert _messages(policy_pack_problems({"runtime": "python", "version": 1})) == [
        "version: expected a string (the pack's version)"]


# ---- Pulumi.yaml: each rule fires -------------------------------------------------------

def test_a_foreign_key_with_type_and_default_is_refused():
    """Project.Validate: a key outside the project's namespace may declare neither ``type`` nor
    ``default`` (the form today's main shipped for okta:baseUrl)."""
    problems = _messages(project_problems(_project(**{"okta:baseUrl": {"type": "string", "default": "okta.com"}})))
    assert problems == [
        "config.okta:baseUrl: Configuration key 'okta:baseUrl' is not namespaced by the project and "
        "should not define a type",
        "config.okta:baseUrl: Configuration key 'okta:baseUrl' is not namespaced by the project and "
        "should not define a default value. Did you mean to use the 'value' attribute instead of 'default'?",
    ]


def test_a_foreign_key_needs_a_value():
    """Project.Validate: "Configuration key '%v' is namespaced and must provide an attribute 'value'"."""
    assert _messages(project_problems(_project(**{"okta:orgName": {"description": "the org"}}))) == [
        "config.okta:orgName: Configuration key 'okta:orgName' is namespaced and must provide an "
        "attribute 'value'"]
    assert project_problems(_project(**{"okta:orgName": {"value": "acme"}})) == []


def test_shorthand_values_are_rewritten_before_validation():
    """RewriteShorthandConfigValues: ``okta:baseUrl: okta.com`` becomes ``{value: ...}``, a bare
    ``size: 3`` becomes ``{default: 3}`` — both load."""
    assert project_problems(_project(**{"okta:baseUrl": "okta.com", "size": 3, "tags": ["a"]})) == []


def test_default_and_value_together_are_refused():
    """Project.Validate: "project config '%v' cannot have both a 'default' and 'value' attribute"."""
    assert "cannot have both a 'default' and 'value' attribute" in str(
        project_problems(_project(size={"default": 1, "value": 2}))[0])


def test_an_array_needs_items():
    """Project.Validate: an ``array`` type must say its element type via ``items``."""
    assert _messages(project_problems(_project(zones={"type": "array"}))) == [
        "config.zones: The configuration key 'zones' declares an array but does not specify the "
        "underlying type via the 'items' attribute"]


@pytest.mark.parametrize(("decl", "expected_type"), [
    ({"type": "integer", "default": "abc"}, "integer"),
    ({"type": "boolean", "default": "yes"}, "boolean"),
    ({"type": "string", "default": 3}, "string"),
    ({"type": "object", "default": [1]}, "object"),
    ({"type": "array", "items": {"type": "string"}, "default": ["a", 1]}, "array<string>"),
    ({"type": "array", "items": {"type": "array", "items": {"type": "integer"}}, "default": [["x"]]},
     "array<array<integer>>"),
])
def test_a_default_of_the_wrong_type_is_refused(decl, expected_type):
    """Project.Validate + ValidateConfigValue + InferFullTypeName (project.go)."""
    [problem] = project_problems(_project(size=decl))
    assert str(problem) == (f"config.size.default: The default value specified for configuration key "
                            f"'size' is not of the expected type '{expected_type}'")


@pytest.mark.parametrize(("type_name", "value"), [
    ("integer", 3), ("integer", 3.0), ("integer", "42"), ("integer", "-7"),
    ("boolean", True), ("boolean", "false"), ("string", ""), ("object", {}),
])
def test_values_the_cli_accepts_for_a_type(type_name, value):
    """ValidateConfigValue: whole floats and integer strings are integers; "true"/"false" are booleans."""
    assert config_value_matches(type_name, None, value)


@pytest.mark.parametrize(("type_name", "value"), [
    ("integer", 3.5), ("integer", True), ("integer", "4x"), ("boolean", 1), ("array", [1]),
])
def test_values_the_cli_refuses_for_a_type(type_name, value):
    """ValidateConfigValue: booleans are not integers; an array without ``items`` never matches."""
    assert not config_value_matches(type_name, None, value)


@pytest.mark.parametrize(("project", "expected"), [
    ({"runtime": "python"}, "project is missing a 'name' attribute"),
    ({"name": "", "runtime": "python"}, "name: project is missing a non-empty string 'name' attribute"),
    ({"name": 3, "runtime": "python"}, "name: project is missing a non-empty string 'name' attribute"),
    ({"name": "p"}, "project is missing a 'runtime' attribute"),
    ({"name": "p", "runtime": {"options": {}}},
     "runtime: runtime section must be a string or an object with name and options attributes"),
    ({"name": "p", "runtime": "python", "config": "stacks", "stackConfigDir": "stacks"},
     "config: Should not use both config and stackConfigDir to define the stack directory. "
     "Use only stackConfigDir instead."),
    ({"name": "p", "runtime": "python", "config": {"size": {"type": "number"}}},
     "config.size.type: expected one of string, integer, boolean, array, object; got 'number'"),
    ({"name": "p", "runtime": "python", "config": {"size": {"defualt": 1}}},
     "config.size.defualt: unknown attribute of a config declaration (allowed: default, description, "
     "items, secret, type, value)"),
])
def test_project_shape_rules(project, expected):
    """ValidateProject (name), ProjectRuntimeInfo.UnmarshalYAML (runtime),
    RewriteConfigPathIntoStackConfigDir (config vs stackConfigDir) and the project schema's
    configTypeDeclaration (type enum, attributes)."""
    assert expected in _messages(project_problems(project))


def test_the_legacy_config_string_is_the_stack_directory(tmp_path):
    """RewriteConfigPathIntoStackConfigDir: ``config: stacks`` alone means ``stackConfigDir: stacks``."""
    (tmp_path / "stacks").mkdir()
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: python\nconfig: stacks\n")
    (tmp_path / "stacks" / "Pulumi.dev.yaml").write_text("config:\n  okta:orgName: acme\n")
    assert load_stack_config("dev", tmp_path).get("okta:orgName") == "acme"


def test_the_stack_reader_refuses_what_the_cli_refuses(tmp_path):
    """Today's main's Pulumi.yaml (``okta:baseUrl`` with type and default) now stops every
    command with the file, the line and the CLI's own words."""
    (tmp_path / "stacks").mkdir()
    (tmp_path / "Pulumi.yaml").write_text(textwrap.dedent("""\
        name: sarguard
        runtime: python
        stackConfigDir: stacks
        config:
          okta:baseUrl:
            type: string
            default: okta.com
        """))
    (tmp_path / "stacks" / "Pulumi.dev.yaml").write_text("config: {}\n")
    with pytest.raises(StackFileError) as info:
        load_stack_config("dev", tmp_path)
    message = str(info.value)
    assert "the Pulumi CLI would refuse this project file (2 problems)" in message
    assert "Pulumi.yaml:5: config.okta:baseUrl: Configuration key 'okta:baseUrl' is not namespaced" in message


# ---- stack files: each rule fires -------------------------------------------------------

@pytest.mark.parametrize(("key", "ok"), [
    ("okta:orgName", True), ("aws:config:region", True), ("bare", True),
    ("a:b:c", False), ("a:b:c:d", False), ("a::config:b", False),
])
def test_config_keys_parse_as_namespace_and_name(key, ok):
    """ParseKey (key.go): ``<namespace>:<name>`` or the legacy ``<namespace>:config:<name>``;
    a bare key first joins the project's namespace (loaders.go stackConfigNamespacedWithProject)."""
    problems = _messages(stack_problems({"config": {key: "x"}}, PROJECT, "dev"))
    if ok:
        assert problems == []
    else:
        assert problems and "configuration keys should be of the form `<namespace>:<name>`" in problems[0]


@pytest.mark.parametrize("value", [
    {"secure": 42}, {"secure": None}, {"secure": ["AAAB"]},
    {"nested": [{"token": {"secure": True}}]},
])
def test_a_secure_value_must_be_a_string(value):
    """object.go ``isSecureValue``: only ``{secure: <string>}`` is a secret; any other
    ``{secure: ...}`` is silently read as a plain object, anywhere in the value."""
    [problem] = stack_problems({"config": {"sarguard:x": value}}, PROJECT, "dev")
    assert "a `secure:` value must be a string" in str(problem)


def test_a_string_secure_value_is_a_secret():
    assert stack_problems({"config": {"sarguard:x": {"secure": "AAAB"}}}, PROJECT, "dev") == []


def test_a_project_secret_must_be_encrypted():
    """pkg/workspace/config.go validateStackConfigValue: a ``secret: true`` key must be secure."""
    project = _project(token={"type": "string", "secret": True})
    assert _messages(stack_problems({"config": {"token": "plain"}}, project, "dev")) == [
        "config.token: Stack 'dev' with configuration key 'token' must be encrypted as it's secret"]
    assert stack_problems({"config": {"sarguard:token": {"secure": "AAAB"}}}, project, "dev") == []


def test_a_typed_project_key_needs_a_value_of_its_type():
    """validateStackConfigValue: "Stack '%v' with configuration key '%v' must be of type '%v'"."""
    project = _project(size={"type": "integer", "default": 1})
    assert _messages(stack_problems({"config": {"sarguard:size": "big"}}, project, "dev")) == [
        "config.size: Stack 'dev' with configuration key 'size' must be of type 'integer'"]
    assert stack_problems({"config": {"size": "3"}}, project, "dev") == []


def test_a_required_project_key_must_be_set():
    """mergeConfig: a project key with neither default nor value is missing unless the stack sets it."""
    project = _project(region={"type": "string"}, zone={"description": "z"})
    assert _messages(stack_problems({"config": {}}, project, "dev")) == [
        "config: Stack 'dev' is missing configuration values region, zone"]
    assert stack_problems({"config": {"region": "r", "sarguard:zone": "z"}}, project, "dev") == []


def test_a_non_mapping_config_is_refused():
    """config.Map.UnmarshalYAML: ``config`` must be a map of keys."""
    assert "could not unmarshal map" in str(stack_problems({"config": ["a"]}, PROJECT, "dev")[0])
