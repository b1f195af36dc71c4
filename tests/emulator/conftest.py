"""Fixtures: a started emulator on the tiny seed with a fake clock, and an SSWS client."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sarguard.emulator import Emulator
from tests.emulator.helpers import FakeClock, client_for, small_seed


@pytest.fixture
def seed() -> dict[str, Any]:
    return small_seed()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def emu(seed: dict[str, Any], clock: FakeClock) -> Iterator[Emulator]:
    with Emulator(seed=copy.deepcopy(seed), clock=clock, token="test-token-0001") as running:
        yield running
    assert running.errors == []  # no handler crashed during the test


@pytest.fixture
def api(emu: Emulator) -> Iterator[httpx.Client]:
    with client_for(emu) as c:
        yield c
