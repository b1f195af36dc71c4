"""Peak memory of ``sarguard audit`` against a server that answers with a 400 MB body.

The live reader stops reading a response at 64 MiB (Okta's largest page is ~13 MB), while
streaming, so the process's memory must stay flat however much the server sends. Measured as
the child process's peak RSS (``wait4``'s ``ru_maxrss``), next to the same audit against a
server whose brand list is ordinary; the bytes the client read come from the report's
``evidence.api.bytes_received``.

The server is a tiny fake on 127.0.0.1 (the credential check, the brand list, 404 for the
rest): what is measured is the client, not an org.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HUGE = 400 * 1024 * 1024
CHUNK = 64 * 1024
TOKEN = "00bench-hugebody-token-0123456789"
SECTION = "## Memory against a 400 MB response body"


@dataclass
class HugeBodyResult:
    peak_rss_kib: int
    baseline_rss_kib: int
    bytes_read: int | None
    bytes_sent: int
    seconds: float
    exit_code: int
    problems: list[str] = field(default_factory=list)
    measured: str = ""  # when, and the machine's load then

    @property
    def ok(self) -> bool:
        return not self.problems


def _brands(huge: bool) -> Iterator[bytes]:
    if not huge:
        yield json.dumps([{"id": "bnd1bench", "name": "Bench", "isDefault": True}]).encode()
        return
    item = b'{"id":"bnd1hugebody00000000","name":"x","isDefault":false},'
    block = item * (CHUNK // len(item))
    yield b"["
    sent = 1
    while sent + len(block) < HUGE:
        yield block
        sent += len(block)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, huge: bool) -> None:
        self.huge = huge
        self.sent = 0
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        path = self.path.split("?", 1)[0]
        self.close_connection = True
        if path == "/api/v1/users/me":
            self._send(200, [json.dumps({"id": "00ubench"}).encode()])
        elif path == "/api/v1/brands":
            self._send(200, _brands(self.server.huge), until_close=self.server.huge)
        else:
            body = {"errorCode": "E0000007", "errorSummary": f"Not found: {path}",
                    "errorLink": "E0000007", "errorId": "oaebench", "errorCauses": []}
            self._send(404, [json.dumps(body).encode()])

    def _send(self, status: int, chunks: Any, *, until_close: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Connection", "close")
        parts = None if until_close else list(chunks)
        if parts is not None:
            self.send_header("Content-Length", str(sum(len(p) for p in parts)))
        self.end_headers()
        try:
            for chunk in parts if parts is not None else chunks:
                self.wfile.write(chunk)
                self.server.sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading at its cap


def _audit(huge: bool) -> tuple[int, int, dict[str, Any] | None, int, float]:
    """(exit code, peak RSS KiB, report, bytes the server sent, seconds) of one audit."""
    server = _Server(huge)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OKTA_")}
    env.update({"OKTA_API_TOKEN": TOKEN, "SARGUARD_NO_PROGRESS": "1"})
    url = f"http://127.0.0.1:{server.server_address[1]}"
    started = time.perf_counter()
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "sarguard", "audit", "--org-url", url, "--no-system-log",
             "--format", "json", "--timeout", "120"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        out = child.stdout.read() if child.stdout else b""
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    finally:
        server.shutdown()
        server.server_close()
    try:
        report = json.loads(out)
    except ValueError:
        report = None
    return child.returncode, usage.ru_maxrss, report, server.sent, time.perf_counter() - started


def measure_huge_body() -> HugeBodyResult:
    from datetime import UTC, datetime

    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    when = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {load}"
    code, peak, report, sent, seconds = _audit(huge=True)
    base_code, base_peak, base_report, _, _ = _audit(huge=False)
    api = ((report or {}).get("evidence") or {}).get("api") or {}
    result = HugeBodyResult(peak, base_peak, api.get("bytes_received"), sent, seconds, code,
                            measured=when)
    unread = " ".join(u.get("reason", "") for u in (report or {}).get("unread", []))
    if report is None:
        result.problems.append("the audit printed no JSON report")
    elif "larger than 64 MiB" not in unread:
        result.problems.append("the brand list was not reported as too large")
    if code != 2:
        result.problems.append(f"exit {code}, expected 2 (brands unread)")
    if base_report is None or base_code != 2:  # templates answer 404: unread, exit 2
        result.problems.append(f"the baseline audit ended with exit {base_code}")
    return result


def render_huge_body(result: HugeBodyResult) -> list[str]:
    mib = 1024
    read = f"{result.bytes_read / 2**20:.1f} MiB" if result.bytes_read is not None else "unknown"
    return [
        SECTION,
        "",
        "`sarguard audit` against a fake server whose `/api/v1/brands` streams a 400 MB JSON "
        "array (no `Content-Length`; `benchmarks/hugebody.py`). The client stops at its 64 MiB "
        "cap while streaming: the brands are `unread`, the run exits 2. What stays in memory is "
        "at most the cap (a page is parsed only once complete), not what the server sends.",
        "",
        f"Measured {result.measured} (`python -m benchmarks --only huge-body` refreshes this "
        "section alone; `make bench` measures it with everything else).",
        "",
        "| measure | value |",
        "|---|---|",
        f"| peak RSS of the audit process | {result.peak_rss_kib / mib:.0f} MiB |",
        f"| peak RSS, same audit, an ordinary brand list | {result.baseline_rss_kib / mib:.0f} MiB |",
        f"| bytes the client read (`evidence.api.bytes_received`) | {read} |",
        f"| bytes the server got to send before the client hung up | "
        f"{result.bytes_sent / 2**20:.1f} MiB |",
        f"| wall time | {result.seconds:.1f} s |",
        f"| result | {'ok' if result.ok else '; '.join(result.problems)} |",
        "",
    ]


def splice_section(text: str, lines: list[str]) -> str:
    """``text`` (RESULTS.md) with this section replaced, or inserted before "## Plots"."""
    block = "\n".join(lines).rstrip() + "\n\n"
    if SECTION in text:
        start = text.index(SECTION)
        end = text.find("\n## ", start + len(SECTION))
        return text[:start] + block + (text[end + 1:] if end != -1 else "")
    anchor = text.find("\n## Plots")
    if anchor == -1:
        return text.rstrip() + "\n\n" + block
    return text[:anchor + 1] + block + text[anchor + 1:]
