"""The documentation site builds with ``mkdocs build --strict`` (no broken link or anchor, no
page left out of the navigation), and its reference pages are generated from the code: every
command and flag ``--help`` shows, every control, every settings and responder.yaml key."""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from sarguard.cli import build_parser
from tests.conftest import REPO_ROOT

BUILD_LIMIT_S = 600  # hang guard only


def _hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sarguard_docs",
                                                  REPO_ROOT / "docs" / "hooks" / "sarguard_docs.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    mkdocs = Path(sys.executable).with_name("mkdocs")
    if not mkdocs.is_file() and not shutil.which("mkdocs"):
        pytest.skip("mkdocs is not installed (the docs extra: pip install -e '.[docs]')")
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([str(mkdocs) if mkdocs.is_file() else "mkdocs", "build", "--strict",
                             "--site-dir", str(out)], cwd=REPO_ROOT, capture_output=True,
                            text=True, timeout=BUILD_LIMIT_S, env=env)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return out


def _all_parsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _all_parsers(sub, (*path, name))


def test_every_command_and_flag_is_on_the_cli_page(site: Path) -> None:
    page = (site / "reference" / "cli" / "index.html").read_text(encoding="utf-8")
    missing = []
    for path, parser in _all_parsers(build_parser()):
        if path and f"sarguard {' '.join(path)}" not in page:
            missing.append(" ".join(path))
        for action in parser._actions:
            if action.help == argparse.SUPPRESS:
                continue
            missing += [f"{' '.join(path)} {o}" for o in action.option_strings
                        if o.startswith("--") and o != "--help" and f"<code>{o}</code>" not in page]
    assert not missing, missing


def test_every_control_and_settings_key_is_documented(site: Path) -> None:
    from sarguard.controls.catalog import CATALOG

    controls = (site / "reference" / "controls" / "index.html").read_text(encoding="utf-8")
    for control in CATALOG:
        assert f'id="{control.id.lower()}"' in controls, control.id
        assert control.policy_name in controls
    settings = (site / "reference" / "settings" / "index.html").read_text(encoding="utf-8")
    schema = json.loads((REPO_ROOT / "sarguard" / "data" / "settings.schema.json").read_text())
    for key in schema["properties"]:
        assert f"<code>{key}</code>" in settings, key
    responder = (site / "reference" / "responder-config" / "index.html").read_text(encoding="utf-8")
    schema = json.loads((REPO_ROOT / "sarguard" / "data" / "responder.schema.json").read_text())
    for key in schema["properties"]:
        assert f"<code>{key}</code>" in responder, key


def test_the_site_fetches_nothing_from_elsewhere(site: Path) -> None:
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "fonts.googleapis.com" not in text and "fonts.gstatic.com" not in text, page


def test_the_format_examples_come_from_a_real_run(site: Path) -> None:
    page = (site / "reference" / "report-formats" / "index.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", page).replace("&quot;", '"')
    assert re.search(r'"kind":\s*"check"', text)  # the JSON report of the run
    assert '"version": "2.1.0"' in text  # its SARIF
    assert "<testsuites" in text.replace("&lt;", "<")  # its JUnit


def test_an_unknown_generated_part_fails_the_build() -> None:
    hook = _hook()
    with pytest.raises(ValueError, match="unknown generated part 'nope'"):
        hook.expand("intro\n<!-- sarguard:generate nope -->\n", "guides/x.md")


def test_generated_tables_never_turn_help_text_into_html() -> None:
    hook = _hook()
    assert hook._cell("reads <stackConfigDir>/Pulumi.<NAME>.yaml | `a <b>`") == \
        "reads &lt;stackConfigDir&gt;/Pulumi.&lt;NAME&gt;.yaml \\| `a <b>`"
