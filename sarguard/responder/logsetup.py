"""The responder's log: one line per record on stderr, with every known secret masked.

Why a filter on the handler: the hook's auth values, the Okta credential, the database
password and notification URLs from the environment must never reach a log line, whoever
writes it (uvicorn, Apprise, SQLAlchemy, an exception's text). Messages are formatted first,
then each secret value is replaced with ``***``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

from sarguard.okta.errors import redact

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = tuple(sorted({s for s in secrets if s and len(s) >= 4}, key=len,
                                    reverse=True))

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg = redact(message, self.secrets)
        record.args = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        return True


def configure_logging(secrets: Iterable[str], *, level: int = logging.INFO) -> logging.Handler:
    """Route every logger (uvicorn's and Apprise's included) through one redacting handler."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("apprise", "httpx", "httpcore", "alembic", "sqlalchemy"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler
