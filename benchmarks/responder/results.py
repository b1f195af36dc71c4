"""The responder's section of RESULTS.md: rendered from the measurements, written between two
markers so the rest of the file (the drift and offline figures) is never touched."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.history import render as render_history
from benchmarks.responder.burst import BurstSettings
from benchmarks.responder.crash import CrashResult

START = "<!-- responder:start (written by python -m benchmarks.responder) -->"
END = "<!-- responder:end -->"
PACKAGES = ("starlette", "uvicorn", "sqlalchemy", "alembic", "psycopg", "apprise",
            "prometheus-client")
ACK_TARGET_MS = 150.0


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _ms(value: float) -> str:
    return f"{value:.1f} ms" if value < 1000 else f"{value / 1000:.2f} s"


def render_section(*, command: str, started: str, duration_s: float, machine: list[str],
                   settings: BurstSettings, bursts: list[dict[str, Any]],
                   crash: CrashResult, contain: dict[str, Any] | None = None,
                   history: list[dict[str, Any]] | None = None) -> str:
    lines = [
        START,
        "## Responder: a burst of deliveries, and kill -9",
        "",
        f"Written by `{command}` on {started} (the responder part took {duration_s / 60:.1f} "
        "min). Machine as above; for this run: " + "; ".join(
            m for m in machine if m.startswith(("load average", "Python"))) + "; packages: "
        + ", ".join(f"{p} {_version(p)}" for p in PACKAGES) + ".",
        "",
        f"The burst: {settings.senders} concurrent senders, {settings.deliveries:,} deliveries of "
        f"{settings.min_events}-{settings.max_events} report events each (Okta's envelope and "
        f"auth header), {settings.redeliver_share:.0%} of them sent again (Okta's retry; on "
        f"PostgreSQL to the other process), reports from {settings.users:,} users with the "
        "15-minute cooldown on (so a user is answered once and the rest are linked), the "
        f"response `clearSessions` + `resetPassword` + `notify` (to a loopback JSON sink), "
        f"{settings.workers} workers per process, against the bundled emulator (in its own "
        "process, no added latency); PostgreSQL 15 from the machine's binaries with its "
        "default durability (fsync on). "
        "Acknowledgement = the time a sender waited for the 204. Done = from a report's "
        "delivery to its last action, per answered report. Duplicates are counted in the "
        "emulator's System Log (`user.account.reset_password`, `user.session.clear` per user).",
        "",
        "| store | processes | deliveries | events | ack p50 | ack p99 | ack max | p99 <= "
        f"{ACK_TARGET_MS:.0f} ms | lost events | duplicate actions | answered / linked | done p50 "
        "| done p99 | burst | drained |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for b in bursts:
        lines.append(
            f"| {b['database']} | {b['processes']} | {b['deliveries']:,} | {b['eventsSent']:,} | "
            f"{_ms(b['ackP50'])} | {_ms(b['ackP99'])} | {_ms(b['ackMax'])} | "
            f"{'yes' if b['ackP99'] <= ACK_TARGET_MS else 'NO'} | {b['lost']} | "
            f"{b['duplicateActions']} | {b['answered']:,} / {b['linked']:,} | "
            f"{_ms(b['doneP50'])} | {_ms(b['doneP99'])} | {b['burstS']:.1f} s | "
            f"{b['drainS']:.1f} s |")
    for b in bursts:
        lines.append("")
        lines.append(
            f"{b['database']}: the responders' own histogram (`sarguard_responder_ack_seconds`) "
            f"has {b['serverWithinTarget']:.1%} of acknowledgements within 150 ms (p99 in the "
            f"<= {b['serverAckP99']:.0f} ms bucket); the senders' figures above add their own "
            "HTTP client and the machine's two shared cores. After the burst the queue drained "
            f"at {b['answered'] / max(b['drainS'] - b['burstS'], 0.001):.0f} responses/s (each a "
            "session clear, a reset and a notification with the user's System Log timeline), "
            "which is what the done times measure: reports waiting their turn, none lost or "
            f"repeated ({b['notifications']:,} notifications for {b['answered']:,} responses).")
    if contain is not None:
        lines += ["", *contain_lines(contain)]
    delays = sorted(crash.kill_delays_ms)
    lines += [
        "",
        f"kill -9 chain: {crash.runs} runs (seed {crash.seed}), each a report then SIGKILL "
        f"{delays[0]:.0f}-{delays[-1]:.0f} ms later, wherever the responder was; the next "
        "process recovered. "
        + ("Every report's password was reset exactly once, sessions cleared at least once, "
           "a notification sent at least once" if crash.ok else
           "PROBLEMS: " + "; ".join(crash.problems))
        + f" ({crash.reconciled} report(s) came back through reconciliation; "
        f"{crash.seconds:.0f} s).",
        "",
    ]
    if history:
        lines += [
            "The responder's targets across its last full runs (`benchmarks/history.json`), "
            "oldest first; a target holds when each of the last three runs met it:",
            "",
            *render_history(history),
        ]
    lines += [
        "",
        "Commands: `make bench` (everything), or `python -m benchmarks.responder` for this "
        "section alone (`--quick` for a smoke run that prints, `--no-postgres`, "
        "`--only-postgres` for the two-process burst alone, printed, `--crash-runs N`). The suite runs a 20-run chain (`tests/responder/test_crash.py`).",
        END,
    ]
    return "\n".join(lines) + "\n"


@dataclass
class ResponderTarget:
    """One of issue 20's targets as this run measured it (what ``benchmarks.history`` keeps)."""

    name: str
    wanted: str
    measured: str
    met: bool | None


def responder_targets(bursts: list[dict[str, Any]], contain: dict[str, Any] | None,
                      crash: CrashResult | None) -> list[ResponderTarget]:
    """The burst's acknowledgement p99 per store, time to contain (single reports, and the
    burst against its floor with containment first), and the kill -9 chain."""
    out = [ResponderTarget(f"burst ack p99 (senders), {b['database']}, {b['processes']} "
                           f"process{'es' if b['processes'] > 1 else ''}",
                           f"<= {ACK_TARGET_MS:.0f} ms", _ms(b["ackP99"]),
                           b["ackP99"] <= ACK_TARGET_MS) for b in bursts]
    if contain is not None:
        out.append(ResponderTarget("time to contain, single reports, p99", "<= 1 s",
                                   _ms(contain["singleP99"]), contain["singleP99"] <= 1000))
        first = contain["burst"].get("containment first")
        out.append(ResponderTarget(
            f"time to contain, {contain['burstUsers']:,}-user burst vs floor", "<= 1.15x",
            "n/a" if first is None else f"{first['xFloor']:.2f}x",
            None if first is None else first["xFloor"] <= 1.15))
    if crash is not None:
        out.append(ResponderTarget(f"kill -9 chain ({crash.runs} runs)",
                                   "no lost or repeated action",
                                   "held" if crash.ok else "PROBLEMS", crash.ok))
    return out


def contain_lines(c: dict[str, Any]) -> list[str]:
    """Time to contain: single reports, and a burst against the users bucket's floor."""
    lines = [
        f"Time to contain (issue 20): the emulator with 150 ms latency per call and Okta-shaped "
        f"buckets (`/api/v1/users` 600/min for the single reports and {c['usersPerMin']}/min for "
        f"the burst, `/api/v1/logs` {c['logsPerMin']}/min; "
        "the responder's client uses 50% of each), the response `clearSessions` + "
        "`resetPassword` + `notify`, 4 workers, SQLite. Delivery → sessions cleared over "
        f"{c['singles']} single reports: p50 {_ms(c['singleP50'])}, p99 {_ms(c['singleP99'])} "
        f"(target p99 <= 1 s: {'yes' if c['singleP99'] <= 1000 else 'NO'}).",
        "",
        f"A burst of {c['burstUsers']:,} users' reports: the time until every user's sessions "
        f"are cleared, against the floor the users bucket allows ({c['floorS']:.0f} s = the "
        "clears / this responder's share of the bucket per minute); target <= 1.15x.",
        "",
        "| claim order | time to contain | x floor | <= 1.15x |",
        "|---|---|---|---|",
    ]
    for order, figures in c["burst"].items():
        lines.append(f"| {order} | {figures['s']:.1f} s | {figures['xFloor']:.2f} | "
                     f"{'yes' if figures['xFloor'] <= 1.15 else 'NO'} |")
    return lines


def write_section(path: Path, section: str) -> None:
    """Replace the responder section of ``path`` (or append it), keeping the rest."""
    text = path.read_text("utf-8") if path.is_file() else ""
    if START in text and END in text:
        head, rest = text.split(START, 1)
        tail = rest.split(END, 1)[1].lstrip("\n")
        text = head + section + ("\n" + tail if tail else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, "utf-8")


def keep_section(old: str, new: str) -> str:
    """``new`` (a freshly rendered RESULTS.md) with ``old``'s responder section carried over."""
    if START not in old or END not in old or START in new:
        return new
    section = START + old.split(START, 1)[1].split(END, 1)[0] + END + "\n"
    return new.rstrip("\n") + "\n\n" + section
