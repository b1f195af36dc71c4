"""``NotificationSink``: a loopback JSON webhook, standing in for a SOC's chat or SOAR.

What the responder's ``notify`` action sends through Apprise's ``json://`` (a POST of
``{"version", "title", "message", "type"}``) lands here, for the demo, the tests and the
benchmarks. It binds 127.0.0.1 only; ``status`` makes it fail on purpose.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sarguard.emulator.serving import ServedInThread


class NotificationSink(ServedInThread):
    """Records every JSON POST; ``status`` is what it answers (500 makes Apprise fail).

    Its ``url`` (once started) is the Apprise URL, ``json://127.0.0.1:PORT/notify``."""

    thread_name = "sarguard-notification-sink"
    what = "notification sink"

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.status = 200
        self._lock = threading.Lock()

    def start(self) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        return self._serve(server, f"json://127.0.0.1:{server.server_address[1]}/notify")

    def wait_for(self, condition: Callable[[list[dict[str, Any]]], bool],
                 timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if condition(list(self.messages)):
                    return True
            time.sleep(0.02)
        return False

    def record(self, body: bytes) -> int:
        """Keep one POSTed message (unless failing on purpose); the status to answer."""
        status = self.status
        if status < 300:
            with self._lock:
                self.messages.append(json.loads(body))
        return status


def _handler_for(sink: NotificationSink) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

        def do_POST(self) -> None:  # noqa: N802 - stdlib name
            length = int(self.headers.get("Content-Length") or 0)
            status = sink.record(self.rfile.read(length))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler
