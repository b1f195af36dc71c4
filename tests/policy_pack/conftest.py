"""Run the policy pack exactly as the Pulumi CLI does, and talk to it over gRPC.

The CLI starts ``python -u -m pulumi.policy <engineAddr> <packDir>`` with cwd = the pack dir and
PULUMI_CONFIG / PULUMI_PROJECT / PULUMI_STACK / PULUMI_DRY_RUN set, then reads the port from the
first stdout line. pulumi_policy 1.21 does not call the engine itself (its runtime settings carry
no engine address), but we still serve a minimal Engine on 127.0.0.1 so that any log call a
future SDK makes has somewhere to go, and record what arrives.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
from collections.abc import Iterator
from concurrent import futures
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, engine_pb2_grpc

from sarguard.controls.catalog import CATALOG
from sarguard.evidence.pulumi_resources import DeclaredResource

REPO = Path(__file__).resolve().parents[2]
PACK_DIR = REPO / "policies"
STARTUP_LIMIT_S = 60  # a safety net against a hung child, not a performance assertion
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


class _Engine(engine_pb2_grpc.EngineServicer):
    def __init__(self) -> None:
        self.logs: list[str] = []

    def Log(self, request, context):  # noqa: N802 -- gRPC method name
        self.logs.append(request.message)
        return empty_pb2.Empty()


@dataclass
class Pack:
    stub: analyzer_pb2_grpc.AnalyzerStub
    engine: _Engine
    stderr_path: Path
    levels: dict[str, int] = field(default_factory=dict)

    def info(self) -> analyzer_pb2.AnalyzerInfo:
        return self.stub.GetAnalyzerInfo(empty_pb2.Empty())

    def configure(self, overrides: dict[str, Any] | None = None) -> None:
        """Send config the way the CLI does: every policy, its level, and its options."""
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for control in CATALOG:
            given = (overrides or {}).get(control.policy_name, {})
            level = given.get("enforcementLevel", control.default_level)
            config = analyzer_pb2.PolicyConfig(enforcementLevel=analyzer_pb2.EnforcementLevel.Value(
                level.upper()))
            props = {**control.default_options(),
                     **{k: v for k, v in given.items() if k != "enforcementLevel"}}
            if props:
                config.properties.update(props)
            request.policyConfig[control.policy_name].CopyFrom(config)
        self.stub.Configure(request)

    def analyze(self, resources: list[DeclaredResource]) -> list[analyzer_pb2.AnalyzeDiagnostic]:
        request = analyzer_pb2.AnalyzeStackRequest(resources=[to_analyzer(r) for r in resources])
        return list(self.stub.AnalyzeStack(request).diagnostics)


def to_analyzer(r: DeclaredResource) -> analyzer_pb2.AnalyzerResource:
    """A DeclaredResource as the engine sends it (properties as a Struct, deps as URN lists)."""
    props = struct_pb2.Struct()
    props.update(json.loads(json.dumps(r.inputs)))
    out = analyzer_pb2.AnalyzerResource(type=r.type, urn=r.urn or "", name=r.name, properties=props)
    for key, urns in (r.property_dependencies or {}).items():
        out.propertyDependencies[key].urns.extend(urns)
        out.dependencies.extend(u for u in urns if u not in out.dependencies)
    return out


def _read_port(proc: subprocess.Popen) -> int:
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    ready = selector.select(timeout=STARTUP_LIMIT_S)
    selector.close()
    line = proc.stdout.readline().decode().strip() if ready else ""
    if not line.isdigit():
        raise RuntimeError(f"the policy pack did not print its port first (got {line!r})")
    return int(line)


@contextmanager
def started_pack(pack_dir: Path, stderr_path: Path, python: str = sys.executable,
                 env: dict[str, str] | None = None) -> Iterator[Pack]:
    """Start the pack in ``pack_dir`` exactly as the CLI does and connect to it over gRPC."""
    engine = _Engine()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    engine_pb2_grpc.add_EngineServicer_to_server(engine, server)
    engine_port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    env = {**(env or os.environ), "PULUMI_CONFIG": "{}", "PULUMI_PROJECT": "sarguard",
           "PULUMI_STACK": "demo", "PULUMI_DRY_RUN": "true"}
    env.pop("PYTHONPATH", None)  # the pack must find sarguard by itself
    with open(stderr_path, "wb") as stderr:
        proc = subprocess.Popen(
            [python, "-u", "-m", "pulumi.policy", f"127.0.0.1:{engine_port}", str(pack_dir)],
            cwd=pack_dir, env=env, stdout=subprocess.PIPE, stderr=stderr)
    channel = None
    try:
        port = _read_port(proc)
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(channel).result(timeout=STARTUP_LIMIT_S)
        yield Pack(analyzer_pb2_grpc.AnalyzerStub(channel), engine, stderr_path)
    finally:
        if channel is not None:
            channel.close()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        server.stop(0)


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> Iterator[Pack]:
    """The in-repo pack (policies/), started as the CLI starts it."""
    with started_pack(PACK_DIR, tmp_path_factory.mktemp("pack") / "stderr.txt") as started:
        yield started


@pytest.fixture
def configured(pack: Pack) -> Iterator[Pack]:
    """The pack with the CLI's default config, restored after the test."""
    pack.configure()
    yield pack
    pack.configure()


def by_policy(diagnostics) -> dict[str, list[analyzer_pb2.AnalyzeDiagnostic]]:
    out: dict[str, list[analyzer_pb2.AnalyzeDiagnostic]] = {}
    for d in diagnostics:
        out.setdefault(d.policyName, []).append(d)
    return out
