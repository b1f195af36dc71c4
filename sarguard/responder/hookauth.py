"""The hook's auth header, checked in constant time against the current and previous secret.

Why two: rotating the secret means changing it in Okta and in the responder, which never happen
at the same instant; while ``previousSecretEnv`` is set, deliveries carrying either value are
accepted, so none is dropped during the change. Both comparisons always run (``hmac.
compare_digest``, no early exit), so the answer's timing says nothing about which part of a
guess was right or which of the two secrets matched.

A rotation must end: ``previousSecretEnv`` needs ``previousSecretUntil`` (the last day it is
accepted, checked at every delivery, in UTC), is warned about the day before, and is refused
after; it gets the same strength checks as the current secret.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta

from sarguard.errors import SarguardError
from sarguard.util.redaction import register as register_secrets

log = logging.getLogger("sarguard.responder")
WEAK_SECRET_CHARS = 16


class HookSecretError(SarguardError):
    """The environment does not hold the hook's secret."""


def _wire(value: str) -> bytes:
    return value.encode("utf-8")


class HookSecrets:
    """The accepted auth values (never printed: ``repr`` shows only how many there are;
    registered with :mod:`sarguard.util.redaction` while they are held)."""

    __slots__ = ("_current", "_previous", "_until", "_today", "_warned", "__weakref__")

    def __init__(self, current: str, previous: str | None = None, *,
                 previous_until: date | None = None,
                 today: Callable[[], date] = lambda: datetime.now(UTC).date()) -> None:
        if not current:
            raise HookSecretError("the hook's secret is empty")
        self._current = _wire(current)
        self._previous = _wire(previous) if previous else None
        self._until = previous_until
        self._today = today
        self._warned = False
        register_secrets(self.values)

    def _previous_valid(self) -> bool:
        if self._previous is None:
            return False
        if self._until is None:
            return True
        today = self._today()
        if today >= self._until and not self._warned:
            self._warned = True
            log.warning("hook.previousSecretUntil: the previous secret is accepted for the last "
                        "time today (%s); finish the rotation", self._until.isoformat())
        return today <= self._until

    def __repr__(self) -> str:
        return f"HookSecrets({1 + (self._previous is not None)} value(s))"

    def values(self) -> tuple[str, ...]:
        """The secrets as text, for redaction only."""
        out = [self._current.decode()]
        if self._previous is not None:
            out.append(self._previous.decode())
        return tuple(out)

    def accepts(self, header: str | None) -> bool:
        """Whether the auth header's value (as received, ``None`` when absent) is accepted."""
        # Starlette decodes header bytes as latin-1: undo that to compare the bytes Okta sent.
        given = header.encode("latin-1", "replace") if header is not None else b""
        other = self._previous if self._previous is not None else self._current
        matched_current = hmac.compare_digest(given, self._current)
        matched_other = hmac.compare_digest(given, other)  # always run: same work either way
        return header is not None and (
            matched_current or (matched_other and self._previous_valid()))


def _weak(value: str, name: str, what: str) -> None:
    if len(value) < WEAK_SECRET_CHARS:
        log.warning("%s in %s is shorter than %d characters: use a long random value (e.g. "
                    "`openssl rand -base64 32`)", what, name, WEAK_SECRET_CHARS)


def secrets_from_env(env: Mapping[str, str], secret_env: str, previous_env: str | None, *,
                     previous_until: date | None = None, today: date | None = None
                     ) -> HookSecrets:
    """Read the secret(s) the config names; raise naming the variable when one is missing."""
    current = env.get(secret_env, "")
    if not current:
        raise HookSecretError(
            f"hook.secretEnv: the environment variable {secret_env} is not set (or empty); it "
            "must hold the event hook's auth header value, the same value as the stack's "
            "sarguard:eventHookSecret")
    previous = None
    day = today or datetime.now(UTC).date()
    if previous_env:
        previous = env.get(previous_env) or None
        if previous is None:
            log.warning("hook.previousSecretEnv: %s is not set: only the current secret is "
                        "accepted", previous_env)
        elif previous_until is not None and day > previous_until:
            log.warning("hook.previousSecretEnv: the rotation ended on %s (previousSecretUntil): "
                        "the previous secret in %s is refused; remove it from the config",
                        previous_until.isoformat(), previous_env)
            previous = None
        elif previous_until is not None and day >= previous_until - timedelta(days=1):
            log.warning("hook.previousSecretEnv: the previous secret in %s is accepted until the "
                        "end of %s (previousSecretUntil), then refused: finish the rotation",
                        previous_env, previous_until.isoformat())
    _weak(current, secret_env, "the hook's secret")
    if previous is not None:
        _weak(previous, str(previous_env), "the hook's previous secret")
        if previous == current:
            log.warning("hook.previousSecretEnv: %s holds the same value as %s", previous_env,
                        secret_env)
    return HookSecrets(current, previous, previous_until=previous_until)
