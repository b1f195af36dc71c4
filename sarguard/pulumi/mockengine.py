"""Run the Pulumi program in-process under Pulumi's mock engine (no CLI, no credentials).

Used by ``sarguard plan``, ``check`` and ``drift`` for the declared side, and by the tests. The
mocks record every resource with its camelCase inputs exactly as the engine would see them.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import MockCallArgs, MockResourceArgs, Mocks, set_all_config, set_mocks
from pulumi.runtime.mocks import MockMonitor

from sarguard.util.collector import paused_gc

SECRET_SIG = "4dabf18193072939515e22adb298388d"
SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270"
UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SECRET_PLACEHOLDER = "[secret]"
# What the org's default brand resolves to offline (the real id is only known to Okta).
OFFLINE_DEFAULT_BRAND_ID = "default-brand-id"
VERIFICATION_TYPE = "okta:index/eventHookVerification:EventHookVerification"
GET_BRAND = "okta:index/getBrand:getBrand"
GET_BRANDS = "okta:index/getBrands:getBrands"

_LOCK = threading.Lock()  # the Pulumi runtime's settings are process-global


@dataclass
class MockedResource:
    type: str
    name: str
    inputs: dict[str, Any]
    id: str
    outputs: dict[str, Any]
    urn: str
    # The provider reference the engine was given ("<provider urn>::<id>"; "" = the default one).
    provider: str = ""
    # Where the program declared it: (file relative to the project, line), when recorded.
    location: tuple[str, int] | None = None


@dataclass
class MockRun:
    resources: list[MockedResource] = field(default_factory=list)
    # Component resources (no provider; ``resources`` holds only what a provider would create).
    components: list[MockedResource] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    invokes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # Explicit provider resources: URN -> their inputs (orgName, baseUrl, credentials...).
    providers: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Invokes the offline engine has no answer for (their token), in call order.
    unanswered: list[str] = field(default_factory=list)


def is_secret_wrapper(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get(SECRET_SIG) == SECRET_SIG_VALUE


def redact(value: Any) -> Any:
    """Replace every Pulumi secret (wrapped value) with ``[secret]`` for display."""
    if is_secret_wrapper(value):
        return SECRET_PLACEHOLDER
    if isinstance(value, Mapping):
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value


class _Monitor(MockMonitor):
    """The SDK's mock monitor, telling the mocks what a registration request carries beyond
    ``MockResourceArgs``: the URN the engine gives it (its parent's type included)."""

    def __init__(self, mocks: RecordingMocks) -> None:
        super().__init__(mocks)
        self.local = threading.local()  # the SDK registers from executor threads

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 -- the gRPC method's name
        self.local.urn = self.make_urn(request.parent, request.type, request.name)
        return super().RegisterResource(request)


class RecordingMocks(Mocks):
    """Returns plausible provider outputs and records every registration."""

    def __init__(self, run: MockRun, urn_prefix: str, sites: DeclarationSites | None = None) -> None:
        self.run = run
        self.urn_prefix = urn_prefix
        self.sites = sites
        self.monitor = _Monitor(self)

    def _urn(self, args: MockResourceArgs) -> str:
        return getattr(self.monitor.local, "urn", None) or f"{self.urn_prefix}::{args.typ}::{args.name}"

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        urn = self._urn(args)
        location = self.sites.pop(args.typ, args.name) if self.sites else None
        if args.typ.startswith("pulumi:providers:"):
            self.run.providers[urn] = dict(args.inputs)
            return f"{args.name}-provider-id", {}
        if not args.custom:
            self.run.components.append(MockedResource(args.typ, args.name, dict(args.inputs), "",
                                                      dict(args.inputs), urn, location=location))
            return None, dict(args.inputs)
        resource_id = f"{args.name}-id"
        outputs = dict(args.inputs)
        if args.typ == VERIFICATION_TYPE:
            outputs["verificationStatus"] = "VERIFIED"
        self.run.resources.append(MockedResource(args.typ, args.name, dict(args.inputs), resource_id,
                                                 outputs, urn, args.provider or "", location))
        return resource_id, outputs

    def call(self, args: MockCallArgs) -> dict[str, Any]:
        self.run.invokes.append((args.token, dict(args.args)))
        if args.token == GET_BRAND:
            return {"id": OFFLINE_DEFAULT_BRAND_ID, "brandId": args.args.get("brandId"),
                    "name": "Default brand (offline placeholder)"}
        if args.token == GET_BRANDS:
            return {"id": "brands", "brands": [{"id": OFFLINE_DEFAULT_BRAND_ID, "isDefault": True,
                                                "name": "Default brand (offline placeholder)"}]}
        self.run.unanswered.append(args.token)
        return unanswered_result(args.token)


# What an invoke the offline engine cannot answer returns in each of its text fields: the
# evidence adapter reads it as "unknown until apply", so what depends on it is not_evaluated.
OFFLINE_UNKNOWN = "sarguard-offline-unknown-value"


def unanswered_result(token: str) -> dict[str, Any]:
    """An invoke result whose text fields are :data:`OFFLINE_UNKNOWN` (the others unset): the
    fields come from pulumi-okta's result class for ``token`` (``okta:group/getGroup:getGroup``
    -> ``pulumi_okta.group.GetGroupResult``), named as on the wire (camelCase)."""
    import typing

    import pulumi_okta

    try:
        module_name, function = token.split(":")[1].split("/")
    except (IndexError, ValueError):
        return {}
    module = pulumi_okta if module_name == "index" else getattr(pulumi_okta, module_name, None)
    result = getattr(module, function[:1].upper() + function[1:] + "Result", None)
    out: dict[str, Any] = {}
    for name, prop in vars(result or object).items():
        if isinstance(prop, property):
            try:
                returns = typing.get_type_hints(prop.fget).get("return")
            except Exception:  # noqa: BLE001 -- an odd annotation: leave the field unset
                continue
            if returns in (str, str | None):
                head, *rest = name.split("_")
                out[head + "".join(part.title() for part in rest)] = OFFLINE_UNKNOWN
    return out


class DeclarationSites:
    """Where the program declared each resource: the first stack frame in the project's own
    files (not sarguard's, not an installed package's), recorded when the constructor runs.

    Why at construction: the mocks see a registration later, from an executor thread, where
    the program's frames are gone. Resources are matched back by type and name.
    """

    def __init__(self, project_dir: Path, excluded: tuple[Path, ...]) -> None:
        self.project_dir = project_dir
        self.excluded = tuple(str(p) + os.sep for p in excluded)
        self.sites: dict[tuple[str, str], list[tuple[str, int]]] = {}
        self._verdicts: dict[str, str | None] = {}

    def _relative(self, filename: str) -> str | None:
        """The project-relative name of ``filename`` when it is one of the project's own files."""
        verdict = self._verdicts.get(filename, "?")
        if verdict != "?":
            return verdict
        found: str | None = None
        try:
            path = Path(filename).resolve()
            text = str(path)
            if not text.startswith(self.excluded) and "site-packages" not in path.parts:
                found = path.relative_to(self.project_dir).as_posix()
        except (ValueError, OSError):
            found = None
        self._verdicts[filename] = found
        return found

    def record(self, typ: str, name: str) -> None:
        frame = sys._getframe(2)
        while frame is not None:
            relative = self._relative(frame.f_code.co_filename)
            if relative is not None:
                self.sites.setdefault((typ, name), []).append((relative, frame.f_lineno))
                return
            frame = frame.f_back

    def pop(self, typ: str, name: str) -> tuple[str, int] | None:
        found = self.sites.get((typ, name))
        return found.pop(0) if found else None

    @contextmanager
    def recording(self) -> Iterator[None]:
        """Record every resource constructed meanwhile (wraps the SDK's registration call)."""
        import pulumi.resource as sdk_resource

        original = sdk_resource.register_resource

        def register(res: Any, ty: str, name: str, *args: Any, **kwargs: Any) -> Any:
            self.record(ty, name)
            return original(res, ty, name, *args, **kwargs)

        sdk_resource.register_resource = register
        try:
            yield
        finally:
            sdk_resource.register_resource = original


def config_strings(values: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    """Config values as the engine passes them (strings; objects as JSON) and the secret keys."""
    out: dict[str, str] = {}
    secret_keys: list[str] = []

    def contains_secret(v: Any) -> bool:
        if getattr(v, "is_secret", False):
            return True
        if isinstance(v, Mapping):
            return any(contains_secret(x) for x in v.values())
        if isinstance(v, list):
            return any(contains_secret(x) for x in v)
        return False

    for key, value in values.items():
        if contains_secret(value):
            secret_keys.append(key)
        if getattr(value, "is_secret", False):
            out[key] = SECRET_PLACEHOLDER  # never decrypted offline: an opaque stand-in
        elif isinstance(value, str):
            out[key] = value
        elif isinstance(value, bool):
            out[key] = "true" if value else "false"
        else:
            out[key] = json.dumps(value, default=lambda v: SECRET_PLACEHOLDER)
    return out, secret_keys


@contextmanager
def _without_sdk_stack_traces() -> Iterator[None]:
    """Skip the SDK's stack trace of every registration while under mocks.

    Why: for the engine's error messages, the SDK captures the whole Python stack of each
    resource constructor and turns every frame's file into a URI (``_get_stack_trace`` in
    pulumi/runtime/resource.py): a fifth of a large mock run, for a trace the mocks never read.
    Where a program declared each resource is recorded by :class:`DeclarationSites` instead,
    from the frames it needs.
    """
    from pulumi.runtime import resource as sdk_runtime
    from pulumi.runtime.proto import source_pb2

    original = sdk_runtime._get_stack_trace
    sdk_runtime._get_stack_trace = source_pb2.StackTrace
    try:
        yield
    finally:
        sdk_runtime._get_stack_trace = original


def _ensure_event_loop() -> None:
    """Pulumi's mock runtime needs a current event loop on this thread; asyncio.run() elsewhere
    (e.g. the API client) leaves none behind."""
    import asyncio

    try:
        asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        asyncio.set_event_loop(asyncio.new_event_loop())


class ProgramTimeout(Exception):
    """The program did not finish within the bound (raised to the caller; the run is abandoned)."""


def run_under_mocks(
    declare: Callable[[], Mapping[str, Any] | None],
    *,
    project: str,
    stack: str,
    config: Mapping[str, Any],
    parent_type: str | None = None,
    preview: bool = False,
    sites: DeclarationSites | None = None,
    timeout: float | None = None,
) -> MockRun:
    """Run ``declare()`` under mocks with ``config`` and return every registered resource.

    URNs are the engine's (each resource's parent type included), so ``parent_type`` is no
    longer needed; it is accepted for callers that still pass it. With ``sites``, where each
    resource was constructed is recorded. With ``timeout``, the run happens on a worker thread
    and :class:`ProgramTimeout` is raised when it has not finished in time (a program that never
    ends cannot be stopped in-process: the worker is a daemon, left behind).
    """
    del parent_type
    run = MockRun()
    strings, secret_keys = config_strings(config)
    urn_prefix = f"urn:pulumi:{stack}::{project}"

    def body() -> None:
        with paused_gc(), _without_sdk_stack_traces():
            _ensure_event_loop()
            set_all_config(strings, secret_keys=secret_keys)
            mocks = RecordingMocks(run, urn_prefix, sites)
            set_mocks(mocks, project=project, stack=stack, preview=preview, monitor=mocks.monitor)

            @pulumi.runtime.test
            def program() -> Any:
                outputs = declare() or {}
                return pulumi.Output.from_input(dict(outputs)).apply(run.outputs.update)

            try:
                if sites is None:
                    program()
                else:
                    with sites.recording():
                        program()
            finally:
                set_all_config({}, secret_keys=[])

    with _LOCK:
        if timeout is None:
            body()
            return run
        failure: list[BaseException] = []

        def worker() -> None:
            try:
                body()
            except BaseException as exc:  # noqa: BLE001 -- handed to the caller's thread
                failure.append(exc)

        thread = threading.Thread(target=worker, name="sarguard-program", daemon=True)
        thread.start()
        thread.join(timeout)
        if thread.is_alive():
            raise ProgramTimeout(f"did not finish within {timeout:g} s")
        if failure:
            raise failure[0]
    return run
