"""The investigation scopes are exactly the cheat-sheet's event sets, all in Okta's catalog."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sarguard.systemlog import eventcatalog, scopes

SEED = Path(__file__).resolve().parents[2].parent / "shared" / "seeds" / "003_b94876f1dd188e18.txt"


def test_counts() -> None:
    expected = {"signin": 23, "logout": 2, "mfa": 6, "recovery": 12, "unlock": 12}
    assert {k: len(v) for k, v in scopes.SCOPES.items() if v is not None} == expected
    assert scopes.SCOPES["all"] is None
    assert scopes.DEFAULT_SCOPE == "signin"
    for name, types in scopes.SCOPES.items():
        if types is not None:
            assert len(set(types)) == len(types), f"{name} repeats an event type"


def test_every_type_exists_in_the_catalog() -> None:
    for name, types in scopes.SCOPES.items():
        for event_type in types or ():
            assert eventcatalog.lookup(event_type) is not None, f"{name}: {event_type}"


def _seed_queries(text: str) -> list[list[str]]:
    """Each multi-event query of the cheat-sheet, as its ordered list of event types."""
    blocks = re.findall(r"\) and \(\n(.*?)\n\)", text, re.S)
    return [re.findall(r'eventType eq "([^"]+)"', block) for block in blocks]


def test_sets_match_the_cheat_sheet_in_order() -> None:
    if not SEED.is_file():
        pytest.skip(f"the investigation cheat-sheet seed is not available at {SEED}")
    queries = _seed_queries(SEED.read_text(encoding="utf-8"))
    # By user, by IP, by session (sign-in), logout, MFA changes, SSPR, self-service unlock.
    s = scopes
    assert queries == [list(t) for t in (s.SIGNIN, s.SIGNIN, s.SIGNIN, s.LOGOUT, s.MFA,
                                          s.RECOVERY, s.UNLOCK)]


def test_unknown_scope_is_a_clear_error() -> None:
    with pytest.raises(scopes.ScopeError, match="expected one of: signin, logout"):
        scopes.scope_events("signon")
