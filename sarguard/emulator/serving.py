"""Serving an HTTP server from a daemon thread: the part the loopback servers share.

The emulator, the hook receiver and the notification sink each bind 127.0.0.1, serve from a
daemon thread, stop with ``shutdown()`` then ``server_close()``, are used as context managers
and know their URL once started. Each says how it builds its server (``start``) and what it
stops besides (``stop``); the serving and the lifecycle are written once, here.
"""

from __future__ import annotations

import threading
from http.server import ThreadingHTTPServer
from typing import Any, Self


class ServedInThread:
    """A ``start()``/``stop()`` pair usable as ``with``, and the URL of the running server."""

    thread_name = "sarguard-server"
    what = "server"  # for the not-started error: "the receiver has not been started"
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _url: str | None = None

    def start(self) -> str:  # pragma: no cover - each server builds its own
        raise NotImplementedError

    def stop(self) -> None:
        self._stop_serving()

    def _serve(self, server: ThreadingHTTPServer, url: str) -> str:
        """Serve ``server`` (answered at ``url``) from a daemon thread; returns ``url``."""
        server.daemon_threads = True
        self._server, self._url = server, url
        self._thread = threading.Thread(target=server.serve_forever,
                                        kwargs={"poll_interval": 0.02}, name=self.thread_name,
                                        daemon=True)
        self._thread.start()
        return url

    def _stop_serving(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _not_started(self) -> Exception:
        return RuntimeError(f"the {self.what} has not been started")

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._url is None:
            raise self._not_started()
        return self._url
