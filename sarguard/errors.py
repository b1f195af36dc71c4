"""Errors that mean the command could not run as asked (exit 2 with the message)."""


class UsageError(Exception):
    """A bad combination of flags or an unreadable input named by the user."""
