"""``python -m sarguard``."""

from sarguard.cli import entry

entry()
