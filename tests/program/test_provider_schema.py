"""Every mocked resource's inputs are real pulumi-okta argument names, with required inputs set."""

from __future__ import annotations

import importlib
import inspect
import re

import pytest

from sarguard.pulumi.declared import run_program
from tests.conftest import REPO_ROOT


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def okta_args(type_token: str) -> tuple[set[str], set[str]]:
    """(all argument names, required argument names) of the pulumi-okta resource, camelCased."""
    module_part = type_token.split(":")[1].split("/")[1]
    module = importlib.import_module(f"pulumi_okta.{re.sub(r'(?<!^)(?=[A-Z])', '_', module_part).lower()}")
    cls_name = type_token.split(":")[-1]
    args_cls = getattr(module, f"{cls_name}Args")
    params = inspect.signature(args_cls.__init__).parameters
    names = {camel(p) for p in params if p != "__self__" and p != "self"}
    required = {camel(p) for p, v in params.items()
                if p not in ("__self__", "self") and v.default is inspect.Parameter.empty}
    return names, required


@pytest.mark.parametrize("stack", ["demo", "minimal"])
def test_inputs_match_installed_provider(stack):
    run = run_program(stack, REPO_ROOT)
    assert run.mock.resources
    for resource in run.mock.resources:
        names, required = okta_args(resource.type)
        unknown = set(resource.inputs) - names
        assert not unknown, f"{resource.type} {resource.name}: not provider arguments: {unknown}"
        missing = required - set(resource.inputs)
        assert not missing, f"{resource.type} {resource.name}: required inputs missing: {missing}"
