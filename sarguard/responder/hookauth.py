"""The hook's auth header, checked in constant time against the current and previous secret.

Why two: rotating the secret means changing it in Okta and in the responder, which never happen
at the same instant; while ``previousSecretEnv`` is set, deliveries carrying either value are
accepted, so none is dropped during the change. Both comparisons always run (``hmac.
compare_digest``, no early exit), so the answer's timing says nothing about which part of a
guess was right or which of the two secrets matched.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Mapping

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

    __slots__ = ("_current", "_previous", "__weakref__")

    def __init__(self, current: str, previous: str | None = None) -> None:
        if not current:
            raise HookSecretError("the hook's secret is empty")
        self._current = _wire(current)
        self._previous = _wire(previous) if previous else None
        register_secrets(self.values)

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
            matched_current or (self._previous is not None and matched_other))


def secrets_from_env(env: Mapping[str, str], secret_env: str,
                     previous_env: str | None) -> HookSecrets:
    """Read the secret(s) the config names; raise naming the variable when one is missing."""
    current = env.get(secret_env, "")
    if not current:
        raise HookSecretError(
            f"hook.secretEnv: the environment variable {secret_env} is not set (or empty); it "
            "must hold the event hook's auth header value, the same value as the stack's "
            "sarguard:eventHookSecret")
    previous = None
    if previous_env:
        previous = env.get(previous_env) or None
        if previous is None:
            log.warning("hook.previousSecretEnv: %s is not set: only the current secret is "
                        "accepted", previous_env)
    if len(current) < WEAK_SECRET_CHARS:
        log.warning("the hook's secret in %s is shorter than %d characters: use a long random "
                    "value (e.g. `openssl rand -base64 32`)", secret_env, WEAK_SECRET_CHARS)
    return HookSecrets(current, previous)
