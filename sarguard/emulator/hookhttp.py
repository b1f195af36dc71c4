"""One HTTP call from the emulator to a loopback event hook endpoint, with a hard deadline.

Why a hard deadline: Okta gives an endpoint 3 seconds for the whole call. A socket timeout only
bounds each read, so an endpoint that trickles a byte every 2 s would hold the call forever; a
timer closes the socket when the budget is spent, whatever the endpoint is doing. Only loopback
endpoints are ever called (callers check), and their test certificates are not verified: the
emulator stands in for Okta only on this machine.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_ANSWER_BYTES = 65536


@dataclass(frozen=True)
class CallResult:
    """What came back: ``status`` None when there was no answer (``reason`` says why)."""

    status: int | None
    body: bytes
    elapsed_s: float
    reason: str | None = None  # why there is no (usable) answer; never contains a secret


def _connection(url: str, timeout: float) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    if parts.scheme == "https":
        context = ssl.create_default_context()
        context.check_hostname = False  # loopback test endpoints use self-signed certificates
        context.verify_mode = ssl.CERT_NONE
        return http.client.HTTPSConnection(parts.hostname or "", parts.port, timeout=timeout,
                                           context=context)
    return http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)


def call(method: str, url: str, headers: dict[str, str], body: bytes | None,
         timeout: float) -> CallResult:
    """``method url`` with ``headers``/``body``, ended after ``timeout`` seconds in total."""
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    conn = _connection(url, timeout)
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        sock = conn.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    timer = threading.Timer(timeout, expire)
    timer.daemon = True
    started = time.perf_counter()
    timer.start()
    try:
        conn.request(method, target, body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read(MAX_ANSWER_BYTES)
        status = response.status
    except TimeoutError:
        return CallResult(None, b"", time.perf_counter() - started,
                          f"no answer within the {timeout:g} s timeout")
    except (OSError, http.client.HTTPException) as exc:
        elapsed = time.perf_counter() - started
        if expired.is_set():
            return CallResult(None, b"", elapsed, f"no answer within the {timeout:g} s timeout")
        return CallResult(None, b"", elapsed,
                          f"the endpoint could not be reached ({type(exc).__name__})")
    finally:
        timer.cancel()
        conn.close()
    elapsed = time.perf_counter() - started
    if expired.is_set() or elapsed > timeout:
        return CallResult(None, b"", elapsed, f"no answer within the {timeout:g} s timeout")
    return CallResult(status, payload, elapsed)
