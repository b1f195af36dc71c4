"""Every credential the run holds, in one place, so that no output can carry one.

Credentials are held by different objects (the SSWS token, the OAuth private key, its signed
client assertions, DPoP proofs and access tokens, a hook's secret), and a hostile server can
reflect any of them into any field of an answer. Each holder registers a *source* — a callable
that returns the values it holds right now — and :func:`redact` replaces every value any live
source names. Sources are held weakly: a client that is gone no longer contributes.

The Okta client redacts its error messages with it; the output writer and the CLI's error line
apply it once more to everything they print, as the last line of defence.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping

MASK = "***"
MIN_LENGTH = 4  # shorter values would mask ordinary words

Source = Callable[[], Iterable[str]]
_sources: list[weakref.ReferenceType | Callable[[], Source | None]] = []
_lock = threading.Lock()


def register(source: Source) -> None:
    """Remember ``source`` (a bound method is held weakly, so its object can still be freed)."""
    ref: Callable[[], Source | None]
    if hasattr(source, "__self__") and hasattr(source, "__func__"):
        ref = weakref.WeakMethod(source)  # type: ignore[arg-type]
    else:
        ref = lambda: source  # noqa: E731 - a plain function lives as long as its module
    with _lock:
        _sources.append(ref)


def known_secrets() -> list[str]:
    """Every value the live sources hold, longest first (so a value's parts go after it)."""
    values: set[str] = set()
    with _lock:
        alive = []
        for ref in _sources:
            source = ref()
            if source is None:
                continue
            alive.append(ref)
            values.update(v for v in source() if isinstance(v, str) and len(v) >= MIN_LENGTH)
        _sources[:] = alive
    return sorted(values, key=len, reverse=True)


def redact(text: str, secrets: Iterable[str] | None = None) -> str:
    """``text`` with every known secret (or every one of ``secrets``) replaced by ``***``."""
    values = known_secrets() if secrets is None else sorted(
        (s for s in secrets if s and len(s) >= MIN_LENGTH), key=len, reverse=True)
    for secret in values:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


# Environment variables whose values are credentials: the provider's own names, and any name
# that says it holds one (PULUMI_CONFIG_PASSPHRASE, GITHUB_TOKEN, ...).
_CREDENTIAL_ENV = re.compile(r"TOKEN|SECRET|PASSWORD|PASSPHRASE|PRIVATE_KEY|API_?KEY|ASSERTION",
                             re.IGNORECASE)


def env_secrets(env: Mapping[str, str]) -> tuple[str, ...]:
    """Every credential-looking value in ``env``, for redacting messages nothing else vetted
    (an unexpected exception's text)."""
    return tuple(v for k, v in env.items() if _CREDENTIAL_ENV.search(k) and v)
