"""The listener holds under abuse (issue 20 §6): idle connections, slow heads, slow bodies.

uvicorn (0.55, ``uvicorn/protocols/http/h11_impl.py``) arms its keep-alive timeout only after a
response, and ``limit_concurrency`` answers 503 to *every* request past the limit (the real
delivery too); it has no deadline for a request's head or body. The responder adds them
(``sarguard/responder/listener.py``); these tests hold it to them.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from benchmarks.responder.harness import delivery_body
from sarguard.responder.listener import ListenerLimits, connection_cap
from sarguard.responder.service import bind_socket
from tests.responder.conftest import EMU_TOKEN, SECRET, sqlite_url, wait_until, write_config
from tests.responder.test_app import report_event

REPO = Path(__file__).resolve().parents[2]


async def _echo(request: Request) -> PlainTextResponse:
    body = await request.body()
    return PlainTextResponse(f"got {len(body)}")


@contextlib.contextmanager
def guarded_server(cap: int, head_s: float, body_s: float) -> Iterator[int]:
    limits = ListenerLimits(nofile=cap + 100, max_connections=cap, head_timeout_s=head_s,
                            body_timeout_s=body_s)
    app = limits.wrap(Starlette(routes=[Route("/", _echo, methods=["POST", "GET"])]))
    sock = bind_socket("127.0.0.1", 0, limits)
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, lifespan="off",
                                           **limits.uvicorn_options()))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    wait_until(lambda: server.started, 30)
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _closed_within(conn: socket.socket, seconds: float) -> float | None:
    """Seconds until the server closed ``conn`` (None if still open after ``seconds``)."""
    conn.settimeout(seconds)
    started = time.monotonic()
    try:
        while True:
            data = conn.recv(4096)
            if not data:
                return time.monotonic() - started
    except TimeoutError:
        return None
    except ConnectionResetError:
        return time.monotonic() - started


def _request(port: int, timeout: float = 10) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        chunks = []
        while chunk := conn.recv(4096):
            chunks.append(chunk)
        return b"".join(chunks)


def test_a_head_that_never_completes_is_closed_at_its_deadline() -> None:
    with guarded_server(cap=50, head_s=0.5, body_s=5) as port:
        silent = socket.create_connection(("127.0.0.1", port))
        trickle = socket.create_connection(("127.0.0.1", port))
        trickle.sendall(b"GET / HTT")  # slowloris: part of a head, never the rest
        for conn in (silent, trickle):
            took = _closed_within(conn, 10)
            assert took is not None and took < 5, took
            conn.close()
        assert _request(port).startswith(b"HTTP/1.1 200")


def test_a_body_that_never_completes_is_answered_408() -> None:
    with guarded_server(cap=50, head_s=5, body_s=0.5) as port:
        conn = socket.create_connection(("127.0.0.1", port), timeout=10)
        conn.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789")
        answer = conn.recv(4096)
        assert answer.startswith(b"HTTP/1.1 408"), answer
        conn.close()


def test_at_the_cap_a_new_connection_evicts_the_oldest_idle_one() -> None:
    with guarded_server(cap=5, head_s=60, body_s=60) as port:
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(5)]
        time.sleep(0.2)  # let the server register them (order matters for "oldest")
        assert _request(port).startswith(b"HTTP/1.1 200")  # evicts idle[0], is served
        assert _closed_within(idle[0], 5) is not None
        for conn in idle:
            conn.close()


def test_the_cap_leaves_headroom_under_the_file_limit() -> None:
    assert connection_cap(256) == 160
    assert connection_cap(1024) == 768
    assert connection_cap(65536) == 49152
    assert connection_cap(50) == 8


def test_300_idle_connections_do_not_keep_a_delivery_out_under_a_256_file_limit(
        tmp_path, org, sink) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < 700:
        pytest.skip(f"this test opens 300+ sockets itself; its file limit is {soft}")
    config = write_config(tmp_path / "responder.yaml", org_url=org.emu.url,
                          database=sqlite_url(tmp_path))
    env = {**os.environ, "SARGUARD_EVENT_HOOK_SECRET": SECRET, "OKTA_API_TOKEN": EMU_TOKEN}

    def limit_files() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, min(256, hard) if hard != -1 else 256))

    log_path = tmp_path / "stderr.log"
    log_file = log_path.open("w")  # a file, not a pipe: a full pipe would stall the responder
    proc = subprocess.Popen(
        [sys.executable, "-m", "sarguard", "responder", "serve", "--config", str(config),
         "--port", "0", "--log-format", "json"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=log_file, text=True,
        preexec_fn=limit_files)
    idle: list[socket.socket] = []
    try:
        line = proc.stdout.readline()
        assert "listening on" in line, (line, log_path.read_text()[-2000:])
        url = line.split("listening on ", 1)[1].split(" ", 1)[0]
        port = int(url.split(":")[2].split("/")[0])
        for _ in range(300):
            try:
                idle.append(socket.create_connection(("127.0.0.1", port), timeout=5))
            except OSError:
                break
        started = time.monotonic()
        import httpx

        answer = httpx.post(url, content=delivery_body([report_event("behind-the-idle-ones")]),
                            headers={"Authorization": SECRET,
                                     "Content-Type": "application/json"},
                            timeout=25, trust_env=False)
        took = time.monotonic() - started
        assert answer.status_code == 204
        assert took < 20, took
        assert proc.poll() is None  # still serving
    finally:
        for conn in idle:
            conn.close()
        proc.terminate()
        try:
            proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
        log_file.close()
    err = log_path.read_text()
    lines = [json.loads(x) for x in err.splitlines() if x.startswith("{")]
    assert any(x["event"] == "received" and x.get("uuid") == "behind-the-idle-ones"
               for x in lines), err[-2000:]
    assert all({"ts", "level", "event"} <= set(x) for x in lines)
    assert SECRET not in err
