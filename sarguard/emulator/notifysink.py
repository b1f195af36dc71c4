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


class NotificationSink:
    """Records every JSON POST; ``status`` is what it answers (500 makes Apprise fail)."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.status = 200
        self._lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

            def do_POST(self) -> None:  # noqa: N802 - stdlib name
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status = sink.status
                if status < 300:
                    with sink._lock:
                        sink.messages.append(json.loads(body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The Apprise URL of this sink (``json://127.0.0.1:PORT/notify``)."""
        return f"json://127.0.0.1:{self._server.server_address[1]}/notify"

    def __enter__(self) -> NotificationSink:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait_for(self, condition: Callable[[list[dict[str, Any]]], bool],
                 timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if condition(list(self.messages)):
                    return True
            time.sleep(0.02)
        return False
