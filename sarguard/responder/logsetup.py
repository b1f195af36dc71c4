"""The responder's log: one line per record on stderr, with every known secret masked.

Why a filter on the handler: the hook's auth values, the Okta credential, the database
password and notification URLs from the environment must never reach a log line, whoever
writes it (uvicorn, Apprise, SQLAlchemy, an exception's text). Messages are formatted first,
then each secret value is replaced with ``***``. The values are the ones their holders
registered with :mod:`sarguard.util.redaction` (the config's expanded ``${NAME}`` values, the
hook secrets, the Okta credential with the access tokens and proofs it issues as it goes),
asked for at each record: one registry for the log and every other output.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from sarguard.util.redaction import redact
from sarguard.util.texttable import clean

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_FORMATS = ("text", "json")
STEP = "sarguard_step"  # the LogRecord attribute holding a step's name
IDS = "sarguard_ids"  # ... and its ids (delivery, uuid, user, report, action)


def step(logger: logging.Logger, level: int, name: str, message: str, **ids: Any) -> None:
    """Log one step of an event or an action: ``name`` (received, duplicate, drill, excluded,
    cooldown, planned, failed, started, done, retry, notified) and its ids, which the JSON
    form carries as fields and the text form already names in ``message``.

    Values from a delivery (a user id, an event uuid) are made printable first: a line break
    would forge a log line, and a lone surrogate cannot be written as UTF-8 at all."""
    logger.log(level, "%s", clean(message), extra={STEP: name, IDS: {
        k: clean(v) if isinstance(v, str) else v for k, v in ids.items() if v is not None}})


class Encodable(logging.Filter):
    """On the responder's own logger: a message is made writable as UTF-8 before any handler
    sees it (a hostile delivery's lone surrogate, in an exception's text, would otherwise break
    the log stream — or a test runner that ships captured logs between processes)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        try:
            message.encode("utf-8")
        except UnicodeEncodeError:
            record.msg, record.args = message.encode("utf-8", "backslashreplace").decode(), None
        return True


logging.getLogger("sarguard.responder").addFilter(Encodable())


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ``ts``, ``level``, ``event``, the ids, ``message``, ``logger``
    (and ``exception``); every value passed through the redaction registry."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "event": getattr(record, STEP, None) or "log",
        }
        for key, value in (getattr(record, IDS, None) or {}).items():
            out[key] = redact(value) if isinstance(value, str) else value
        out["message"] = record.getMessage()
        out["logger"] = record.name
        if record.exc_text:
            out["exception"] = record.exc_text
        return json.dumps(out, ensure_ascii=False, default=str)


class RedactSecrets(logging.Filter):
    """Masks every registered secret in the formatted message and the traceback text."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg = redact(message)
        record.args = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record is emitted, not the object it was
    at start-up: a stream replaced and closed since (a test runner's capture, an embedding
    program's redirect) would otherwise turn every later line into a "Logging error"."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self):  # noqa: ANN201 - the stream of the moment
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:
        pass  # always sys.stderr


def configure_logging(*, level: int = logging.INFO, fmt: str = "text") -> logging.Handler:
    """Route every logger (uvicorn's and Apprise's included) through one redacting handler,
    as text lines or (``fmt="json"``) one JSON object a line."""
    handler = CurrentStderr()
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(FORMAT))
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("apprise", "httpx", "httpcore", "alembic", "sqlalchemy"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler
