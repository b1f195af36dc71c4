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

import logging
import sys

from sarguard.util.redaction import redact

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


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


def configure_logging(*, level: int = logging.INFO) -> logging.Handler:
    """Route every logger (uvicorn's and Apprise's included) through one redacting handler."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("apprise", "httpx", "httpcore", "alembic", "sqlalchemy"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler
