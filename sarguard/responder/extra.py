"""The ``responder`` extra: say how to install it instead of failing with an ImportError.

Why a check up front: ``sarguard`` itself does not depend on a web server, an ORM or a
notification library; only the responder does. A user who runs ``sarguard responder`` without
them gets one line that says what to install.
"""

from __future__ import annotations

import importlib.util

from sarguard.errors import SarguardError

# import name -> the requirement in pyproject.toml's ``responder`` extra
REQUIRED: dict[str, str] = {
    "starlette": "starlette",
    "uvicorn": "uvicorn",
    "sqlalchemy": "sqlalchemy>=2",
    "alembic": "alembic",
    "psycopg": "psycopg[binary]>=3.1",
    "apprise": "apprise",
    "prometheus_client": "prometheus-client",
}
INSTALL_HINT = "pip install 'sarguard[responder]'"


class ResponderExtraMissing(SarguardError):
    """The responder's libraries are not installed."""


def missing_requirements() -> list[str]:
    """The requirements of the extra whose modules cannot be found."""
    return [req for name, req in REQUIRED.items() if importlib.util.find_spec(name) is None]


def require_extra() -> None:
    """Raise :class:`ResponderExtraMissing` naming what to install when the extra is absent."""
    missing = missing_requirements()
    if missing:
        raise ResponderExtraMissing(
            f"sarguard responder needs the 'responder' extra, which is not installed (missing: "
            f"{', '.join(missing)}); install it with: {INSTALL_HINT} (in a checkout: "
            "pip install -e '.[responder]')"
        )
