"""One HTTP request of a drill, bounded in time as a whole, classified when it goes wrong.

Why a thread per probe: httpx's timeouts bound each read, so an endpoint that trickles bytes
could hold a probe far past ``--timeout``; the probe runs on a daemon thread and is abandoned
(reported as a timeout) once its deadline passes. TLS is verified the way httpx does with
``trust_env`` (``SSL_CERT_FILE``/``SSL_CERT_DIR``, else certifi), always — proxies from the
environment are used except for loopback endpoints. Failure texts carry exception type names and
TLS reasons only, never a header value.
"""

from __future__ import annotations

import ssl
import threading
import time
from dataclasses import dataclass

import httpx

import sarguard

MAX_ANSWER_BYTES = 65536
USER_AGENT = f"sarguard-drill/{sarguard.__version__}"


@dataclass(frozen=True)
class Probe:
    """An answer (``status``) or why there is none (``failure``: connect, tls, timeout, broken)."""

    status: int | None
    body: bytes
    seconds: float
    failure: str | None = None
    detail: str | None = None
    tls_version: str | None = None


def tls_context() -> ssl.SSLContext:
    """The verifying context httpx builds from the environment (never verification off)."""
    return httpx.create_ssl_context(verify=True, trust_env=True)


def _tls_reason(exc: BaseException) -> str | None:
    seen: set[int] = set()
    node: BaseException | None = exc
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        if isinstance(node, ssl.SSLCertVerificationError):
            return node.verify_message or "certificate verify failed"
        if isinstance(node, ssl.SSLError):
            return node.reason or type(node).__name__
        node = node.__cause__ or node.__context__
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text or "SSL" in text:
        return "the TLS handshake failed"
    return None


def _classify(exc: httpx.HTTPError) -> tuple[str, str]:
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        reason = _tls_reason(exc)
        if reason is not None:
            return "tls", reason
        return "connect", f"could not connect ({type(exc).__name__})"
    if isinstance(exc, httpx.TimeoutException):
        return "timeout", "no answer within the timeout"
    return "broken", f"the connection ended without an answer ({type(exc).__name__})"


def _request(method: str, url: str, headers: dict[str, str], body: bytes | None, timeout: float,
             verify: ssl.SSLContext, trust_env: bool) -> Probe:
    started = time.perf_counter()
    try:
        with httpx.Client(verify=verify, trust_env=trust_env, timeout=httpx.Timeout(timeout),
                          follow_redirects=False, headers={"User-Agent": USER_AGENT}) as client, \
                client.stream(method, url, headers=headers, content=body) as response:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_raw():
                chunks.append(chunk)
                size += len(chunk)
                if size >= MAX_ANSWER_BYTES:
                    break
            stream = response.extensions.get("network_stream")
            ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
            version = ssl_object.version() if ssl_object is not None else None
            return Probe(response.status_code, b"".join(chunks)[:MAX_ANSWER_BYTES],
                         time.perf_counter() - started, tls_version=version)
    except httpx.HTTPError as exc:
        failure, detail = _classify(exc)
        return Probe(None, b"", time.perf_counter() - started, failure, detail)


def send(method: str, url: str, headers: dict[str, str], body: bytes | None, *, timeout: float,
         verify: ssl.SSLContext, trust_env: bool) -> Probe:
    """``method url``; at most ``timeout`` seconds (plus a moment) whatever the endpoint does."""
    result: list[Probe] = []

    def run() -> None:
        result.append(_request(method, url, headers, body, timeout, verify, trust_env))

    started = time.perf_counter()
    worker = threading.Thread(target=run, name="sarguard-drill-probe", daemon=True)
    worker.start()
    worker.join(timeout + 0.5)
    if not result:
        return Probe(None, b"", time.perf_counter() - started, "timeout",
                     "no complete answer within the timeout")
    return result[0]
