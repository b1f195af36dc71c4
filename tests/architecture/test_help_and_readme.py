"""``--help`` and the docs agree: every option has help text, metavars are consistent (FILE
for files, NAME for stacks, URL for URLs), and the README or a docs page documents every flag
``--help`` shows in its prose (the generated CLI reference lists them all anyway: tests/docs) —
and the emulator page names every fault kind."""

from __future__ import annotations

import argparse
import re

import pytest

from sarguard.cli import build_parser
from sarguard.emulator.faults import KINDS
from tests.conftest import REPO_ROOT, docs_text

README = docs_text()
# Options whose value is a file path, and the metavar every other recurring value uses.
FILE_OPTIONS = {"--output", "--policy-config", "--waivers", "--ignore", "--state"}
METAVARS = {"--stack": "NAME", "--project-dir": "DIR", "--org-url": "URL", "--admin-url": "URL",
            "--since": "TIME", "--until": "TIME", "--format": "FORMAT", "--also": "FORMAT=FILE",
            **dict.fromkeys(FILE_OPTIONS, "FILE")}


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def _options(command: str) -> list[argparse.Action]:
    return [a for a in _subcommands()[command]._actions
            if not isinstance(a, argparse._HelpAction) and a.help != argparse.SUPPRESS]


COMMANDS = sorted(_subcommands())


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_has_help_and_a_consistent_metavar(command: str) -> None:
    for action in _options(command):
        name = action.option_strings[-1] if action.option_strings else action.dest
        assert action.help and action.help.strip(), f"{command} {name}: no help text"
        takes_value = action.nargs != 0 and action.option_strings
        if takes_value and name in METAVARS:
            assert action.metavar == METAVARS[name], (command, name, action.metavar)
        if takes_value:
            assert action.metavar, f"{command} {name}: give it a metavar"


@pytest.mark.parametrize("command", COMMANDS)
def test_the_readme_documents_every_flag(command: str) -> None:
    assert f"sarguard {command}" in README, command
    missing = [option for action in _options(command) for option in action.option_strings
               if option.startswith("--") and not re.search(rf"`[^`]*{re.escape(option)}\b", README)]
    assert not missing, f"sarguard {command}: neither the README nor docs/ documents {missing}"


def test_the_readme_names_every_fault_kind() -> None:
    faults = (REPO_ROOT / "docs" / "reference" / "emulator.md").read_text(encoding="utf-8")
    missing = [kind for kind in KINDS if f"`{kind}`" not in faults]
    assert not missing, missing


@pytest.mark.parametrize(("command", "from_stack"), [
    ("drift", True), ("audit", True), ("reports", True), ("investigate", True),
    ("import", False), ("events", False)])
def test_org_url_help_names_the_stack_default_only_where_it_applies(command: str,
                                                                    from_stack: bool) -> None:
    """``import --stack`` names the stack it writes (the org comes from --org-url or the
    environment), ``events`` reads no stack: their --org-url help must not promise okta:orgName."""
    [org_url] = [a for a in _options(command) if "--org-url" in a.option_strings]
    assert ("okta:orgName" in org_url.help) is from_stack, org_url.help
    assert "OKTA_ORG_NAME + OKTA_BASE_URL" in org_url.help
