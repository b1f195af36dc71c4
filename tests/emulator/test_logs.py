"""System Log queries over HTTP: filters, time bounds, bounded vs polling paging, errors."""

from __future__ import annotations

from sarguard.emulator import Emulator
from sarguard.emulator.timeutil import iso
from tests.emulator.helpers import REPORT, FakeClock, follow

LOGS = "/api/v1/logs"


def uuids(events: list[dict]) -> list[str]:
    return [e["uuid"] for e in events]


def bounded(clock: FakeClock, **params) -> dict:
    return {"since": iso(clock() - 86400), "until": iso(clock() + 1), **params}


def test_filter_by_event_type(api, clock) -> None:
    r = api.get(LOGS, params=bounded(clock, filter=f'eventType eq "{REPORT}"'))
    assert r.status_code == 200
    assert uuids(r.json()) == ["evt-04"]


def test_cheat_sheet_queries_by_user_ip_and_session(api, clock) -> None:
    by_user = ('(actor.id eq "00uBob" or target.id eq "00uBob") and ((eventType eq '
               '"user.session.start") or (eventType eq "user.account.update_password"))')
    assert uuids(follow(api, LOGS, **bounded(clock, filter=by_user))) == ["evt-03", "evt-05"]
    by_ip = 'client.ipAddress eq "203.0.113.5"'
    assert uuids(follow(api, LOGS, **bounded(clock, filter=by_ip))) == ["evt-00", "evt-01",
                                                                         "evt-02"]
    by_session = 'authenticationContext.externalSessionId eq "sessA" and eventType sw "policy."'
    assert uuids(follow(api, LOGS, **bounded(clock, filter=by_session))) == ["evt-01"]
    debug = 'debugContext.debugData.requestUri co "update_password"'
    assert uuids(follow(api, LOGS, **bounded(clock, filter=debug))) == ["evt-05"]


def test_keyword_search_is_case_insensitive(api, clock) -> None:
    events = follow(api, LOGS, **bounded(clock, q="UPDATE_password 192.0.2.1"))
    assert uuids(events) == ["evt-05"]


def test_bounded_query_pages_end(api, clock) -> None:
    first = api.get(LOGS, params=bounded(clock, limit=4))
    assert len(first.json()) == 4 and "next" in first.links
    second = api.get(first.links["next"]["url"])
    assert len(second.json()) == 2 and "next" not in second.links
    assert uuids(follow(api, LOGS, **bounded(clock, limit=2))) == [f"evt-{i:02d}" for i in range(6)]


def test_descending_order(api, clock) -> None:
    events = follow(api, LOGS, since=iso(clock() - 86400), sortOrder="DESCENDING", limit=4)
    assert uuids(events) == [f"evt-{i:02d}" for i in reversed(range(6))]


def test_polling_always_links_next_and_sees_new_events(api, emu: Emulator, clock) -> None:
    response = api.get(LOGS, params={"since": iso(clock() - 86400), "limit": 10})
    assert len(response.json()) == 6
    nxt = response.links["next"]["url"]
    empty = api.get(nxt)
    assert empty.json() == [] and "next" in empty.links  # polling never ends
    clock.advance(60)
    emu.state.add_log_event({"uuid": "evt-new", "published": iso(clock() - 1),
                             "eventType": REPORT, "severity": "WARN"})
    fresh = api.get(empty.links["next"]["url"])
    assert uuids(fresh.json()) == ["evt-new"] and "next" in fresh.links
    assert api.get(fresh.links["next"]["url"]).json() == []


def test_default_window_is_seven_days(api, emu: Emulator, clock) -> None:
    emu.state.add_log_event({"uuid": "evt-old", "published": iso(clock() - 8 * 86400),
                             "eventType": REPORT})
    recent = api.get(LOGS, params={"until": iso(clock() + 1)}).json()
    assert "evt-old" not in uuids(recent) and len(recent) == 6
    everything = follow(api, LOGS, since=iso(clock() - 9 * 86400), until=iso(clock() + 1))
    assert uuids(everything)[0] == "evt-old"


def test_until_is_exclusive_and_since_inclusive(api, emu: Emulator) -> None:
    published = emu.state.logs[2]["published"]
    at = api.get(LOGS, params={"since": published, "until": published}).json()
    assert at == []
    from_it = api.get(LOGS, params={"since": published, "until": emu.state.logs[3]["published"]})
    assert uuids(from_it.json()) == ["evt-02"]


def test_invalid_queries_are_400(api, clock) -> None:
    r = api.get(LOGS, params={"filter": 'eventType eq "x" and ('})
    assert r.status_code == 400
    body = r.json()
    assert body["errorCode"] == "E0000031" and "Invalid filter" in body["errorCauses"][0][
        "errorSummary"]
    assert api.get(LOGS, params={"since": "yesterday"}).status_code == 400
    assert api.get(LOGS, params={"sortOrder": "RANDOM"}).status_code == 400
    assert api.get(LOGS, params={"after": "!!!"}).status_code == 400
    assert api.get(LOGS, params={"limit": -1}).status_code == 400
    assert api.get(LOGS, params={"q": " ".join(["w"] * 11)}).status_code == 400
    assert api.get(LOGS, params={"since": iso(clock()), "until": iso(clock() - 60)}
                   ).status_code == 400


def test_limit_is_capped_at_1000(api, emu: Emulator, clock) -> None:
    for i in range(1005):
        emu.state.logs.append({"uuid": f"bulk-{i:04d}", "published": iso(clock() - 3600 + i / 1000),
                               "eventType": "user.session.end"})
    emu.state.logs.sort(key=lambda e: (e["published"], e["uuid"]))
    ended = 'eventType eq "user.session.end"'
    page = api.get(LOGS, params=bounded(clock, limit=5000, filter=ended))
    assert len(page.json()) == 1000 and "next" in page.links
