"""Whether Okta accepts the responder's credential, as the last answers showed it.

Why a state of its own: a wrong or revoked token (401), or a service app that lost a scope (403
naming the scope), stops every action at once while deliveries keep arriving; the SOC must
hear that the responder cannot act, and ``GET /status`` must say so, rather than each action
quietly retrying until ``giveUpAfter``. Every Okta call the responder makes goes through a
:class:`WatchedClient`, which tells the shared :class:`CredentialState` what Okta answered:
a 401, a 403 naming a scope, or a refused token request is *refused*; an answer given with the
credential accepted (2xx, and a 400/404/409 about the request itself) is *works*; a 5xx, a 429
or a timeout says nothing either way. Listeners (the notifier) are called once per change.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sarguard.okta.client import OktaClient
from sarguard.okta.errors import OktaApiError, OktaAuthError, OktaError

log = logging.getLogger("sarguard.responder")
UNKNOWN, WORKS, REFUSED = "unknown", "works", "refused"


@dataclass(frozen=True)
class CredentialChange:
    """One change of state: ``state`` now, ``reason`` (refused: what Okta said, redacted)."""

    state: str
    previous: str
    reason: str | None
    at: datetime


Listener = Callable[[CredentialChange], None]


class CredentialState:
    """The credential's state, shared by every task (thread-safe; listeners run in the caller's
    thread and must not block: the notifier's one queues a message)."""

    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self.state = UNKNOWN
        self.reason: str | None = None
        self.since: datetime | None = None
        self._listeners: list[Listener] = []

    @property
    def refused(self) -> bool:
        return self.state == REFUSED

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener`` on every change (works → refused, refused → works, …)."""
        with self._lock:
            self._listeners.append(listener)

    def worked(self) -> None:
        self._set(WORKS, None)

    def refuse(self, reason: str) -> None:
        self._set(REFUSED, reason)

    def observe(self, exc: BaseException) -> None:
        """Learn from a failed call: a refusal of the credential, or nothing about it."""
        reason = refusal(exc)
        if reason is not None:
            self.refuse(reason)
        elif isinstance(exc, OktaApiError) and 400 <= exc.status < 500 and exc.status not in (
                401, 403, 429):
            self.worked()  # Okta judged the request itself: the credential was accepted

    def _set(self, state: str, reason: str | None) -> None:
        with self._lock:
            if state == self.state and (state != REFUSED or reason == self.reason):
                return
            change = CredentialChange(state, self.state, reason, self._clock())
            if state == self.state:  # still refused, another reason: no new outage
                self.reason = reason
                return
            self.state, self.reason, self.since = state, reason, change.at
            listeners = list(self._listeners)
        if state == REFUSED:
            log.error("Okta refused the responder's credential (%s): actions wait until it is "
                      "fixed; deliveries are still accepted", reason)
        elif change.previous == REFUSED:
            log.warning("Okta accepts the responder's credential again: the waiting actions "
                        "resume")
        for listener in listeners:
            try:
                listener(change)
            except Exception:  # noqa: BLE001 - a listener's bug must not break an Okta call
                log.exception("a credential-state listener failed")

    def to_dict(self) -> dict[str, Any]:
        return {"state": self.state, "reason": self.reason,
                "since": self.since.isoformat() if self.since else None}


def refusal(exc: BaseException) -> str | None:
    """Why ``exc`` means the credential itself is refused — a 401, a 403 naming a missing scope,
    a token request Okta refused — else None: a 403 about one user's status or a 5xx is not an
    outage."""
    if isinstance(exc, OktaAuthError):
        return str(exc)
    if isinstance(exc, OktaApiError) and exc.status == 401:
        return f"HTTP 401{' ' + exc.error_code if exc.error_code else ''}: Okta rejected the credential"
    if isinstance(exc, OktaApiError) and exc.status == 403 and exc.scope:
        return f"HTTP 403: missing OAuth scope {exc.scope}"
    return None


def is_refusal(exc: BaseException) -> bool:
    return refusal(exc) is not None


class WatchedClient(OktaClient):
    """An :class:`OktaClient` that reports each answer to a :class:`CredentialState`.

    Built from a configured client by :func:`watch` (same org, credential, limits, buckets);
    copies of it (``users.single_attempt``) keep reporting to the same state.
    """

    credential: CredentialState

    async def _request(self, method: str, url: str, **kwargs: Any) -> Any:
        try:
            answer = await super()._request(method, url, **kwargs)
        except OktaError as exc:
            self.credential.observe(exc)
            raise
        self.credential.worked()
        return answer

    async def check_credentials(self) -> None:
        try:
            await super().check_credentials()
        except OktaError as exc:
            self.credential.observe(exc)
            raise
        self.credential.worked()


def watch(client: OktaClient, credential: CredentialState) -> WatchedClient:
    """``client`` as a :class:`WatchedClient` reporting to ``credential``."""
    watched = WatchedClient.__new__(WatchedClient)
    watched.__dict__.update(client.__dict__)
    watched.credential = credential
    return watched
