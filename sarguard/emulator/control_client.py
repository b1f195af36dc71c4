"""A client for the emulator's control endpoints (``/__emulator/...``), for the CLI and the demo.

Why loopback only: the request carries the emulator's token, and the emulator itself listens on
127.0.0.1 only, so a URL anywhere else is a mistake that would send the token off the machine.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from sarguard.emulator.errors import EmulatorError
from sarguard.util.netutil import is_loopback_host
from sarguard.util.redaction import register as register_secrets

REPORT_PATH = "/__emulator/report-suspicious-activity"
DELIVERIES_PATH = "/__emulator/deliveries"


class ControlClient:
    """Holds the emulator's token: registered for redaction (sarguard.util.redaction) while the
    client lives, so that no output of the command carries it."""

    def __init__(self, url: str, token: str, timeout: float = 10.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not is_loopback_host(parts.hostname):
            raise EmulatorError(f"--url: expected the emulator's loopback URL such as "
                                f"http://127.0.0.1:PORT, got {url[:100]!r}")
        if not token:
            raise EmulatorError("no emulator token: give --token or set SARGUARD_EMULATOR_TOKEN "
                                "(the emulator prints it when it starts)")
        self._token = token
        register_secrets(self.secrets)
        self._http = httpx.Client(base_url=f"{parts.scheme}://{parts.netloc}", timeout=timeout,
                                  headers={"Authorization": f"SSWS {token}"}, trust_env=False)

    def secrets(self) -> tuple[str, ...]:
        return (self._token,)

    def __enter__(self) -> ControlClient:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise EmulatorError(f"the emulator at {self._http.base_url} could not be reached "
                                f"({type(exc).__name__})") from None
        if response.status_code == 401:
            raise EmulatorError("the emulator refused the token (401): use the token it printed "
                                "at start")
        if response.status_code >= 400:
            raise EmulatorError(f"the emulator answered {response.status_code}: "
                                f"{_error_text(response)}")
        try:
            return response.json()
        except ValueError:
            raise EmulatorError("the emulator's answer is not JSON") from None

    def report(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._call("POST", REPORT_PATH, json=body)

    def deliveries(self) -> list[dict[str, Any]]:
        return self._call("GET", DELIVERIES_PATH)

    def wait_for(self, ids: list[str], timeout: float) -> list[dict[str, Any]]:
        """The deliveries ``ids`` once none is queued or in flight (or when ``timeout`` ends)."""
        deadline = time.monotonic() + timeout
        while True:
            mine = [d for d in self.deliveries() if d.get("id") in ids]
            if all(d.get("finished") for d in mine) or time.monotonic() >= deadline:
                return mine
            time.sleep(0.1)


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return "(no JSON body)"
    causes = [c.get("errorSummary", "") for c in body.get("errorCauses") or []
              if isinstance(c, dict)]
    return "; ".join(str(x)[:200] for x in [body.get("errorSummary"), *causes] if x)
