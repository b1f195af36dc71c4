"""Run the Pulumi program in-process under Pulumi's mock engine (no CLI, no credentials).

Used by ``sarguard plan``, ``check`` and ``drift`` for the declared side, and by the tests. The
mocks record every resource with its camelCase inputs exactly as the engine would see them.
"""

from __future__ import annotations

import gc
import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import MockCallArgs, MockResourceArgs, Mocks, set_all_config, set_mocks

SECRET_SIG = "4dabf18193072939515e22adb298388d"
SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270"
UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SECRET_PLACEHOLDER = "[secret]"
# What the org's default brand resolves to offline (the real id is only known to Okta).
OFFLINE_DEFAULT_BRAND_ID = "default-brand-id"
VERIFICATION_TYPE = "okta:index/eventHookVerification:EventHookVerification"
GET_BRAND = "okta:index/getBrand:getBrand"

_LOCK = threading.Lock()  # the Pulumi runtime's settings are process-global
# Objects a collector pause may leave before it ends with a full collection (about the size of
# the heap after imports: below it, the usual young-generation sweeps are cheaper).
_COLLECT_AFTER = 100_000


@dataclass
class MockedResource:
    type: str
    name: str
    inputs: dict[str, Any]
    id: str
    outputs: dict[str, Any]
    urn: str


@dataclass
class MockRun:
    resources: list[MockedResource] = field(default_factory=list)
    # Component resources (no provider; ``resources`` holds only what a provider would create).
    components: list[MockedResource] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    invokes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


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


class RecordingMocks(Mocks):
    """Returns plausible provider outputs and records every registration."""

    def __init__(self, run: MockRun, urn_prefix: str, parent_type: str | None) -> None:
        self.run = run
        self.urn_prefix = urn_prefix
        self.parent_type = parent_type

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if args.typ.startswith("pulumi:providers:"):
            return f"{args.name}-provider-id", {}
        if not args.custom:
            self.run.components.append(MockedResource(args.typ, args.name, dict(args.inputs), "",
                                                      dict(args.inputs),
                                                      f"{self.urn_prefix}::{args.typ}::{args.name}"))
            return None, dict(args.inputs)
        resource_id = f"{args.name}-id"
        outputs = dict(args.inputs)
        if args.typ == VERIFICATION_TYPE:
            outputs["verificationStatus"] = "VERIFIED"
        qualified = f"{self.parent_type}${args.typ}" if self.parent_type else args.typ
        urn = f"{self.urn_prefix}::{qualified}::{args.name}"
        self.run.resources.append(MockedResource(args.typ, args.name, dict(args.inputs), resource_id,
                                                 outputs, urn))
        return resource_id, outputs

    def call(self, args: MockCallArgs) -> dict[str, Any]:
        self.run.invokes.append((args.token, dict(args.args)))
        if args.token == GET_BRAND:
            return {"id": OFFLINE_DEFAULT_BRAND_ID, "brandId": args.args.get("brandId"),
                    "name": "Default brand (offline placeholder)"}
        return {}


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
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a burst of allocations that mostly stay alive.

    Why: registering thousands of resources creates hundreds of thousands of objects (outputs,
    futures, tasks) that live until the run ends, and the collector rescans all of them every
    few thousand allocations: 37% of an 8,000-resource run here, for little garbage. Reference
    counting still frees what it can; cycles wait until the pause ends (about 50 MB more peak
    memory at 8,000 resources). The outermost pause then settles that debt so it does not land
    on whatever runs next (a live read, say): after a big run with one full collection, now;
    after a small one by moving its objects to the oldest generation unscanned (they live on;
    the next full collection frees any cycles among them). Nests; restores the collector only
    if it was on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            if gc.get_count()[0] > _COLLECT_AFTER:
                gc.collect()
            elif gc.get_freeze_count() == 0:  # never thaw objects someone else froze
                gc.freeze()
                gc.unfreeze()


def _ensure_event_loop() -> None:
    """Pulumi's mock runtime needs a current event loop on this thread; asyncio.run() elsewhere
    (e.g. the API client) leaves none behind."""
    import asyncio

    try:
        asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        asyncio.set_event_loop(asyncio.new_event_loop())


def run_under_mocks(
    declare: Callable[[], Mapping[str, Any] | None],
    *,
    project: str,
    stack: str,
    config: Mapping[str, Any],
    parent_type: str | None = None,
    preview: bool = False,
) -> MockRun:
    """Run ``declare()`` under mocks with ``config`` and return every registered resource."""
    run = MockRun()
    strings, secret_keys = config_strings(config)
    urn_prefix = f"urn:pulumi:{stack}::{project}"
    with _LOCK, paused_gc():
        _ensure_event_loop()
        set_all_config(strings, secret_keys=secret_keys)
        set_mocks(RecordingMocks(run, urn_prefix, parent_type), project=project, stack=stack,
                  preview=preview)

        @pulumi.runtime.test
        def program() -> Any:
            outputs = declare() or {}
            return pulumi.Output.from_input(dict(outputs)).apply(run.outputs.update)

        try:
            program()
        finally:
            set_all_config({}, secret_keys=[])
    return run
