"""MkDocs hook: the reference pages are generated from the code, so they cannot drift from it.

A page writes ``<!-- sarguard:generate NAME -->`` on a line of its own where a generated part
goes; :data:`GENERATORS` maps each NAME to the function that writes it from the CLI's argparse
parsers, the control catalog, the settings and responder JSON Schemas, or a real ``sarguard
check`` run (the report format examples). An unknown NAME fails the build.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"^<!-- sarguard:generate ([\w-]+) -->$", re.M)


# ---- the CLI ------------------------------------------------------------------------------------
def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _helps(parser: argparse.ArgumentParser) -> dict[str, str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return {a.dest: a.help or "" for a in action._choices_actions}
    return {}


def _cell(text: Any) -> str:
    """Text for a Markdown table cell: pipes escaped, and never HTML (``<NAME>`` stays text);
    code spans are left as they are, since Markdown shows their text literally."""
    parts = re.split(r"(`[^`]*`)", str(text).replace("\n", " "))
    out = [part if part.startswith("`") and part.endswith("`") and len(part) > 1
           else part.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
           for part in parts]
    return "".join(out).replace("|", "\\|")


def _option_rows(parser: argparse.ArgumentParser) -> Iterator[str]:
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
            continue
        if action.help == argparse.SUPPRESS:
            continue
        if action.option_strings:
            names = ", ".join(f"`{o}`" for o in action.option_strings)
            if action.nargs != 0 and action.metavar:
                names += f" `{action.metavar}`"
        else:
            names = f"`{action.metavar or action.dest}`"
        default = action.default
        shown = "" if default in (None, False, argparse.SUPPRESS) or action.nargs == 0 else f"`{default}`"
        choices = f" (one of {', '.join(f'`{c}`' for c in action.choices)})" if action.choices else ""
        required = " **required**" if getattr(action, "required", False) and action.option_strings else ""
        yield f"| {names} | {_cell(action.help or '')}{choices}{required} | {shown} |"


def _command_section(path: list[str], parser: argparse.ArgumentParser, summary: str,
                     level: int) -> list[str]:
    name = " ".join(path)
    usage = parser.format_usage().strip().removeprefix("usage: ")
    lines = [f"{'#' * level} `{name}`", ""]
    if summary:
        lines += [summary[0].upper() + summary[1:] + ("" if summary.endswith(".") else "."), ""]
    lines += ["```text", usage, "```", ""]
    rows = list(_option_rows(parser))
    if rows:
        lines += ["| option | what it does | default |", "|---|---|---|", *rows, ""]
    children = _subparsers(parser)
    helps = _helps(parser)
    for child, sub in children.items():
        lines += _command_section([*path, child], sub, helps.get(child, ""), level + 1)
    return lines


def generate_cli() -> str:
    """Every command, subcommand and flag, from the parsers ``sarguard --help`` prints."""
    from sarguard.cli import build_parser

    parser = build_parser()
    lines = ["## `sarguard`", "", "Options before the command:", "",
             "| option | what it does | default |", "|---|---|---|", *_option_rows(parser), ""]
    helps = _helps(parser)
    for name, sub in _subparsers(parser).items():
        lines += _command_section(["sarguard", name], sub, helps.get(name, ""), 2)
    return "\n".join(lines)


# ---- the control catalog ------------------------------------------------------------------------
_SOURCE_LABELS = {"declared": "`check --stack`", "stack-export": "`check --state`",
                  "pack": "the CrossGuard pack", "live": "`drift` / `audit`",
                  "preview": "`check --preview`"}


def _frameworks(control: Any) -> list[str]:
    """The control's framework mappings (``Control.frameworks``), one table row each."""
    from sarguard.controls.frameworks import FRAMEWORK_NAMES

    return [f"| {FRAMEWORK_NAMES.get(ref.framework, ref.framework)} | {_cell(ref.requirement)} | "
            f"{_cell(ref.rationale)} |" for ref in control.frameworks]


def generate_controls() -> str:
    from sarguard.controls.catalog import CATALOG
    from sarguard.controls.frameworks import MAPPING_NOTE

    lines = ["| id | title | severity | default level |", "|---|---|---|---|"]
    lines += [f"| [{c.id}](#{c.id.lower()}) | {_cell(c.title)} | {c.severity} | {c.default_level} |"
              for c in CATALOG]
    lines.append("")
    for control in CATALOG:
        sources = ", ".join(_SOURCE_LABELS.get(s, s) for s in sorted(control.sources))
        lines += [f"## {control.id}", "", f"**{_cell(control.title)}**", "",
                  f"- policy name (CrossGuard, policy config): `{control.policy_name}`",
                  f"- severity: {control.severity}; default level: {control.default_level}",
                  f"- evidence: {sources}", "",
                  f"**Why.** {_cell(control.rationale)}", "",
                  f"**Fix.** {_cell(control.remediation)}", ""]
        if control.options_schema:
            lines += ["| option | default | meaning |", "|---|---|---|"]
            for key, spec in control.options_schema.items():
                meaning = spec.get("description", "")
                if "enum" in spec:
                    meaning += f" (one of {', '.join(f'`{v}`' for v in spec['enum'])})"
                default = f"`{json.dumps(spec['default'])}`" if "default" in spec else ""
                lines.append(f"| `{key}` | {default} | {_cell(meaning)} |")
            lines.append("")
        mappings = _frameworks(control)
        if mappings:
            lines += [f"Framework mappings ({MAPPING_NOTE}):", "",
                      "| framework | requirement | why |", "|---|---|---|", *mappings, ""]
        if control.references:
            lines += ["References:", ""] + [f"- <{r}>" if r.startswith("http") else f"- {r}"
                                            for r in control.references] + [""]
    return "\n".join(lines)


# ---- JSON Schemas -------------------------------------------------------------------------------
def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    seen = 0
    while "$ref" in node and seen < 20:
        ref = node["$ref"]
        target: Any = schema
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        seen += 1
    return node


def _type_of(node: dict[str, Any]) -> str:
    if "enum" in node:
        return " \\| ".join(f"`{json.dumps(v)}`" for v in node["enum"])
    if "const" in node:
        return f"`{json.dumps(node['const'])}`"
    kind = node.get("type", "")
    if isinstance(kind, list):
        kind = " or ".join(kind)
    if not kind and ("oneOf" in node or "anyOf" in node):
        kind = "one of several shapes"
    return kind


def _constraints(node: dict[str, Any]) -> str:
    parts = []
    for key, label in (("minLength", "at least {} characters"), ("maxLength", "at most {} characters"),
                       ("minimum", "≥ {}"), ("maximum", "≤ {}"), ("minItems", "at least {} items"),
                       ("maxItems", "at most {} items")):
        if key in node:
            parts.append(label.format(node[key]))
    if "pattern" in node:  # HTML code, not a code span: a span would show the escapes literally
        parts.append(f"matches <code>{_cell(node['pattern'])}</code>")
    if node.get("uniqueItems"):
        parts.append("no duplicates")
    return "; ".join(parts)


def _schema_rows(schema: dict[str, Any], node: dict[str, Any], path: str, required: bool,
                 depth: int = 0) -> Iterator[str]:
    node = _resolve(schema, node)
    if path:
        default = f"`{json.dumps(node['default'])}`" if "default" in node else ""
        what = " ".join(x for x in (_cell(node.get("description", "")), _constraints(node)) if x)
        yield (f"| `{path}` | {_type_of(node)} | {'yes' if required else ''} | {default} | "
               f"{what} |")
    if depth > 8:
        return
    needed = set(node.get("required", ()))
    for key, child in (node.get("properties") or {}).items():
        yield from _schema_rows(schema, child, f"{path}.{key}" if path else key, key in needed,
                                depth + 1)
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        yield from _schema_rows(schema, extra, f"{path}.<name>" if path else "<name>", False,
                                depth + 1)
    items = node.get("items")
    if isinstance(items, dict):
        yield from _schema_rows(schema, items, f"{path}[]", False, depth + 1)
    for variant in [*node.get("oneOf", ()), *node.get("anyOf", ())]:
        if isinstance(variant, dict):
            for row in _schema_rows(schema, variant, path, False, depth + 1):
                if not row.startswith(f"| `{path}` |"):
                    yield row


def _schema_table(name: str) -> str:
    from importlib.resources import files

    schema = json.loads(files("sarguard.data").joinpath(name).read_text(encoding="utf-8"))
    rows = list(dict.fromkeys(_schema_rows(schema, schema, "", False)))
    return "\n".join(["| key | type | required | default | rules |", "|---|---|---|---|---|", *rows])


def generate_settings_schema() -> str:
    return _schema_table("settings.schema.json")


def generate_responder_schema() -> str:
    return _schema_table("responder.schema.json")


# ---- report formats, from a real run ------------------------------------------------------------
@cache
def _example_reports() -> dict[str, str]:
    """``sarguard check --stack minimal`` on this repository, in every format, from one run."""
    from sarguard.report import FORMATS

    with tempfile.TemporaryDirectory(prefix="sarguard-docs-") as work:
        also = [arg for fmt in FORMATS if fmt != "json"
                for arg in ("--also", f"{fmt}={Path(work) / fmt}")]
        subprocess.run([sys.executable, "-m", "sarguard", "check", "--stack", "minimal",
                        "--project-dir", str(ROOT), "--format", "json",
                        "--output", str(Path(work) / "json"), *also],
                       capture_output=True, text=True, timeout=300, check=False)
        return {fmt: (Path(work) / fmt).read_text(encoding="utf-8")
                for fmt in FORMATS if (Path(work) / fmt).is_file()}


_FENCES = {"json": "json", "sarif": "json", "junit": "xml", "markdown": "markdown",
           "github": "text", "text": "text", "html": "html", "oscal": "json"}


def generate_format_examples() -> str:
    lines = []
    for fmt, text in _example_reports().items():
        shown = text if len(text) < 6000 else text[:6000] + "\n… (cut here for the page)"
        lines += [f"### `{fmt}`", "", f"```{_FENCES.get(fmt, 'text')}", shown.rstrip("\n"), "```",
                  ""]
    return "\n".join(lines)


GENERATORS: dict[str, Callable[[], str]] = {
    "cli": generate_cli,
    "controls": generate_controls,
    "settings-schema": generate_settings_schema,
    "responder-schema": generate_responder_schema,
    "format-examples": generate_format_examples,
}


def expand(markdown: str, where: str = "page") -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in GENERATORS:
            raise ValueError(f"{where}: unknown generated part {name!r}; "
                             f"expected one of {', '.join(GENERATORS)}")
        with contextlib.redirect_stdout(io.StringIO()):
            return GENERATORS[name]()
    return MARKER.sub(replace, markdown)


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    """MkDocs event: expand the page's generated parts."""
    return expand(markdown, page.file.src_uri)
