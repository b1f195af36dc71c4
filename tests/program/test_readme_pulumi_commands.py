"""Every ``pulumi`` command in the README is written the way the Pulumi CLI parses it.

Flags and arguments from pulumi/pulumi's cobra definitions: ``pkg/cmd/pulumi/operations/import.go``
(``import [type] [name] [id]``; ``--parent``/``--provider`` "in the format name=urn", ``--file``,
``--generate-code``, ``--out``, ``--properties``, ``--protect``), ``operations/preview.go``
(``--policy-pack``, ``--policy-pack-config``, ``--import-file``, ``--expect-no-changes``, ``--json``/``-j``,
``--show-sames``),
``operations/refresh.go`` (``--preview-only``, ``--expect-no-changes``), ``policy/policy_publish.go``
(``publish [org-name]``), ``policy/policy_enable.go`` (``enable <org-name>/<policy-pack-name>
<latest|version>``, ``--policy-group``, ``--config``), ``policy/policy_validate.go``
(``validate-config <org-name>/<policy-pack-name> <version> --config``), ``policy/policy_analyze.go``
(``--policy-pack``, ``--policy-pack-config``, ``--stack``) and ``config/config.go`` (``config set``
``--secret``, ``--path``, ``--plaintext``, ``--type``).
"""

from __future__ import annotations

import re
import shlex

import pytest

from tests.conftest import docs_text

COMMON = {"--stack", "-s", "--yes", "-y", "--diff", "--cwd", "-C", "--non-interactive"}
FLAGS: dict[str, set[str]] = {
    "import": {"--parent", "--provider", "--file", "-f", "--generate-code", "--out", "-o",
               "--properties", "--protect", "--skip-preview", "--preview-only"},
    "preview": {"--policy-pack", "--policy-pack-config", "--import-file", "--expect-no-changes",
                "--json", "-j", "--show-sames"},
    "up": {"--policy-pack", "--policy-pack-config"},
    "refresh": {"--preview-only", "--expect-no-changes"},
    "install": set(),
    "login": {"--local"},
    "stack init": set(),
    "config set": {"--secret", "--path", "--plaintext", "--type"},
    "policy publish": set(),
    "policy enable": {"--policy-group", "--config"},
    "policy validate-config": {"--config"},
    "policy analyze": {"--policy-pack", "--policy-pack-config"},
}
TWO_WORD = ("stack", "config", "policy")


def readme_pulumi_commands() -> list[str]:
    """``pulumi ...`` lines of the README's shell blocks, continuation lines joined."""
    text = docs_text()
    commands: list[str] = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            line = line.split("  #")[0].strip()
            for part in re.split(r"\s*(?:&&|;)\s*", line):
                if part.startswith("pulumi "):
                    commands.append(part)
    return commands


COMMANDS = readme_pulumi_commands()


def _parse(command: str) -> tuple[str, list[str], dict[str, str | None]]:
    words = shlex.split(command.split(" < ")[0].split(" > ")[0])[1:]
    name = " ".join(words[:2]) if words[0] in TWO_WORD else words[0]
    rest = words[2:] if words[0] in TWO_WORD else words[1:]
    positional: list[str] = []
    flags: dict[str, str | None] = {}
    i = 0
    while i < len(rest):
        word = rest[i]
        if word.startswith("-"):
            flag, eq, value = word.partition("=")
            if not eq and i + 1 < len(rest) and not rest[i + 1].startswith("-") and flag not in (
                    "--secret", "--path", "--plaintext", "--local", "--expect-no-changes", "--preview-only",
                    "--json", "-j", "--show-sames",
                    "--diff", "--yes", "-y"):
                value = rest[i + 1]
                i += 1
            flags[flag] = value or None
        else:
            positional.append(word)
        i += 1
    return name, positional, flags


def test_the_readme_has_pulumi_commands():
    names = {_parse(c)[0] for c in COMMANDS}
    assert {"import", "preview", "policy publish", "policy enable", "config set"} <= names


@pytest.mark.parametrize("command", COMMANDS)
def test_flags_are_the_clis(command):
    name, _, flags = _parse(command)
    assert name in FLAGS, f"unknown pulumi command in the README: {command}"
    unknown = set(flags) - FLAGS[name] - COMMON
    assert not unknown, f"{command}: flags the CLI does not have: {unknown}"


@pytest.mark.parametrize("command", [c for c in COMMANDS if _parse(c)[0] == "import"])
def test_import_parent_is_name_equals_urn(command):
    """import.go: ``--parent`` is "The name and URN of the parent resource in the format name=urn"."""
    _, positional, flags = _parse(command)
    if "--file" in flags or "-f" in flags:
        assert positional == []
        return
    assert len(positional) == 3, command  # type, name, id
    assert re.fullmatch(r"[a-z]+:[\w/]+:\w+", positional[0]), positional[0]
    parent = flags.get("--parent")
    assert parent and re.fullmatch(r"[A-Za-z_][\w-]*=urn:pulumi:[^:]+::[^:]+::.+", parent), command


@pytest.mark.parametrize("command", [c for c in COMMANDS if _parse(c)[0] in ("policy enable",
                                                                               "policy validate-config")])
def test_policy_pack_references_are_org_slash_name_and_version(command):
    _, positional, _ = _parse(command)
    assert len(positional) == 2 and re.fullmatch(r"[\w-]+/[\w-]+", positional[0]), command
