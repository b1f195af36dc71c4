"""Okta's event hook delivery contract, as constants and two small judgements.

Source: Okta's event hook concepts page (okta/okta-developer-docs,
``packages/@okta/vuepress-site/docs/concepts/event-hooks/index.md``): a one-time ``GET`` with
``X-Okta-Verification-Challenge``; ``POST`` deliveries with ``Accept``/``Content-Type:
application/json`` and the hook's auth header; "a default timeout of 3 seconds", "at most one
retry", "responses with a 4xx status code are not retried"; the answer is empty with 200 or 204.
Everything that sends or judges a delivery (the emulator, ``sarguard drill``, the responder)
reads these values from here, so they cannot drift apart.
"""

from __future__ import annotations

ENVELOPE_EVENT_TYPE = "com.okta.event_hook"
EVENT_TYPE_VERSION = "1.0"
CLOUD_EVENTS_VERSION = "0.1"
CONTENT_TYPE = "application/json"

VERIFICATION_HEADER = "X-Okta-Verification-Challenge"

TIMEOUT_S = 3.0  # Okta's budget for one call (verification or delivery)
MAX_ATTEMPTS = 2  # the first call plus at most one retry
ANSWER_STATUSES: tuple[int, ...] = (200, 204)  # what an endpoint should answer a delivery

REPORT_EVENT_TYPE = "user.account.report_suspicious_activity_by_enduser"
DELIVERY_FAILURE_EVENT_TYPE = "event_hook.delivery"  # written only when a delivery fails


def is_retryable(status: int | None) -> bool:
    """Whether Okta retries after this answer (None: no answer, e.g. a timeout or a reset).

    4xx answers are final; anything else that is not a success (no answer, 5xx, 3xx) gets the
    one retry.
    """
    if status is None:
        return True
    if 200 <= status < 300:
        return False
    return not 400 <= status < 500
