"""The event sets of Okta's System Log investigation cheat-sheet, one per ``--scope``.

Why fixed lists: analysts trust these queries because Okta Security published them; sarguard
reproduces each set exactly (same events, same order) rather than inventing its own.
"""

from __future__ import annotations

# Factor-specific messages and the MFA answer, shared by several sets (order as published).
_FACTOR_MESSAGES: tuple[str, ...] = (
    "system.push.send_factor_verify_push",
    "system.email.send_factor_verify_message",
    "system.sms.send_factor_verify_message",
    "system.sms.send_phone_verification_message",
    "system.voice.send_mfa_challenge_call",
    "system.voice.send_phone_verification_call",
)
RESET_MESSAGES: tuple[str, ...] = (
    "system.email.password_reset.sent_message",
    "system.sms.send_password_reset_message",
    "system.voice.send_password_reset_call",
)
UNLOCK_MESSAGES: tuple[str, ...] = (
    "system.email.account_unlock.sent_message",
    "system.sms.send_account_unlock_message",
    "system.voice.send_account_unlock_call",
)

# "Search events by user / IP address / External Session ID": sign-in and recovery.
SIGNIN: tuple[str, ...] = (
    "user.session.start",
    "policy.evaluate_sign_on",
    "user.authentication.verify",
    "application.policy.sign_on.deny_access",
    "user.authentication.sso",
    "user.authentication.auth_via_mfa",
    "user.mfa.factor.activate",
    *_FACTOR_MESSAGES,
    *RESET_MESSAGES,
    "user.account.reset_password",
    "user.account.update_password",
    *UNLOCK_MESSAGES,
    "user.account.unlock_token",
    "user.account.unlock",
)

# "View logout events for a user".
LOGOUT: tuple[str, ...] = ("user.session.end", "user.authentication.slo")

# "View MFA configuration changes for a user".
MFA: tuple[str, ...] = (
    "user.mfa.factor.activate",
    "user.mfa.factor.deactivate",
    "user.mfa.factor.reset_all",
    "user.mfa.factor.suspend",
    "user.mfa.factor.unsuspend",
    "user.mfa.factor.update",
)

# Self-service password reset query.
RECOVERY: tuple[str, ...] = (
    *RESET_MESSAGES,
    *_FACTOR_MESSAGES,
    "user.authentication.auth_via_mfa",
    "user.account.reset_password",
    "user.account.update_password",
)

# Self-service account unlock query.
UNLOCK: tuple[str, ...] = (
    *UNLOCK_MESSAGES,
    *_FACTOR_MESSAGES,
    "user.authentication.auth_via_mfa",
    "user.account.unlock_token",
    "user.account.unlock",
)

# MFA events that may appear inside a sign-in or recovery flow (timeline scenario matching).
MFA_FLOW_EVENTS: frozenset[str] = frozenset(
    {*_FACTOR_MESSAGES, "user.authentication.auth_via_mfa", "user.mfa.factor.activate"}
)

DEFAULT_SCOPE = "signin"
# scope name -> event types; None means "no event filter".
SCOPES: dict[str, tuple[str, ...] | None] = {
    "signin": SIGNIN,
    "logout": LOGOUT,
    "mfa": MFA,
    "recovery": RECOVERY,
    "unlock": UNLOCK,
    "all": None,
}


class ScopeError(ValueError):
    """An unknown ``--scope`` value."""


def scope_events(scope: str) -> tuple[str, ...] | None:
    """The event types of ``scope`` (None for ``all``); ScopeError names the valid scopes."""
    try:
        return SCOPES[scope]
    except KeyError:
        valid = ", ".join(SCOPES)
        raise ScopeError(f"--scope: unknown scope {scope!r}; expected one of: {valid}") from None
