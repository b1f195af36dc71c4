"""PostgreSQL, the scale-out path: the whole loop on a real server (from the machine's
PostgreSQL 15 binaries, see ``pgserver``), and two responder processes sharing one database —
behind a load balancer each gets some deliveries, Okta's retry may land on the other, and one
may die — with no duplicate action and nothing left undone."""

from __future__ import annotations

import random
import threading
from collections import Counter
from pathlib import Path

import pytest

from benchmarks.responder.harness import (
    EMU_TOKEN,
    ResponderProcess,
    acted_on,
    bench_user,
    deliver,
    free_port,
    nothing_left,
    responder_env,
    seed,
    store_summary,
    wait_until,
    write_config,
)
from sarguard.emulator import Emulator
from sarguard.emulator.notifysink import NotificationSink
from tests.responder.conftest import ALICE
from tests.responder.test_app import report_event
from tests.responder.test_e2e import finished


def test_the_whole_loop_on_postgresql(tmp_path, org, sink, start_responder, pg_server) -> None:
    config = write_config(tmp_path / "responder.yaml", org_url=org.emu.url,
                          database=pg_server.new_database(), extra='reconcile: "off"\n')
    responder = start_responder(config)
    org.add_hook(responder.url)
    org.report(ALICE)
    wait_until(finished(responder, 1), 60, "the report answered")
    assert len(org.log("user.session.clear", ALICE)) == 1
    assert len(org.log("user.account.reset_password", ALICE)) == 1
    assert len(sink.messages) == 1


def _resets(emu: Emulator) -> Counter[str]:
    return acted_on(emu.url, EMU_TOKEN, "user.account.reset_password")


@pytest.fixture
def two_responders(tmp_path: Path, pg_server):
    database = pg_server.new_database()
    emu = Emulator(seed=seed(30), token="two-responders-control-token", latency_ms=5)
    emu.start()
    sink = NotificationSink().__enter__()
    config = write_config(tmp_path / "responder.yaml", org_url=emu.url, database=database,
                          extra='reconcile: "off"\ncooldown: 15m\nworkers: 3\n')
    env = responder_env(sink.url)
    processes = [ResponderProcess(config, free_port(), env, tmp_path / f"responder-{i}.log")
                 for i in range(2)]
    yield emu, sink, processes, database
    for process in processes:
        process.kill()
    sink.__exit__(None, None, None)
    emu.stop()


def _settled(database: str, reports: int) -> bool:
    summary = store_summary(database)
    return summary["reports"]["total"] == reports and nothing_left(summary)


def test_two_responders_share_one_database_with_no_duplicate_action(two_responders) -> None:
    emu, sink, processes, database = two_responders
    users = [bench_user(i) for i in range(20)]
    rng = random.Random(7)
    jobs = []
    for n, user in enumerate(users):
        events = [report_event(f"lb-{n}", user)]
        # The load balancer sends it to one; Okta's retry (a lost answer) lands on the other.
        jobs += [(processes[0].url, events), (processes[1].url, events)]
        # A second report by the same user inside the cooldown goes to a random one.
        jobs.append((rng.choice(processes).url, [report_event(f"lb-{n}-again", user)]))
    rng.shuffle(jobs)
    codes: list[int] = []

    def send(batch: list) -> None:
        for url, events in batch:
            codes.append(deliver(url, events))

    threads = [threading.Thread(target=send, args=(jobs[i::6],)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert codes.count(204) == len(jobs)
    wait_until(lambda: _settled(database, 2 * len(users)), 120, "every report answered")
    resets = _resets(emu)
    assert {u: resets[u] for u in users} == dict.fromkeys(users, 1)
    notified = Counter(u for m in sink.messages for u in users if u in m["message"])
    assert all(notified[u] >= 1 for u in users)


def test_a_killed_responders_claims_are_finished_by_the_other(two_responders) -> None:
    emu, sink, processes, database = two_responders
    victim, survivor = processes
    users = [bench_user(i) for i in range(20, 30)]
    for n, user in enumerate(users):
        assert deliver(victim.url, [report_event(f"kill-{n}", user)]) == 204
    wait_until(lambda: _resets(emu), 60, "the victim started acting")
    victim.kill()  # kill -9: its advisory lock goes with its connections
    wait_until(lambda: _settled(database, len(users)), 120, "the survivor finished the work")
    resets = _resets(emu)
    assert {u: resets[u] for u in users} == dict.fromkeys(users, 1)
    assert survivor.healthy()
