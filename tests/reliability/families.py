"""The endpoint families the live reader calls, and what each one's loss must look like.

A family's controls are the ones that must say ``not_evaluated`` when the family cannot be read
(and only those); its resource pattern says which ``unread`` entries may appear. Derived from
the design (which control reads which evidence), not from observed output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The emulator's fault kinds (sarguard/emulator/faults.py KINDS), in the order the matrix shows.
KINDS: tuple[str, ...] = ("429", "429-noheaders", "500", "502", "503", "timeout", "reset",
                          "malformed")
DEFAULT_BRAND_ID = "bnd1dfltBrand00000001"  # the default brand in the bundled seeds
TEMPLATES = f"/api/v1/brands/{DEFAULT_BRAND_ID}/templates/email"


@dataclass(frozen=True)
class Family:
    name: str
    prefix: str  # emulator fault prefix (segment-wise prefix of the request path)
    controls: frozenset[str]  # not_evaluated when the family is unreadable
    unread: str  # regex every unread resource must match
    paginated: bool  # the reader follows ``next`` links here (elsewhere one is refused)
    scope: str | None  # the OAuth scope that reads it (None: SSWS only / no scope)
    fatal: bool = False  # unreadable means nothing can be read (the credential check)

    def unread_ok(self, resource: str) -> bool:
        return re.match(self.unread, resource) is not None


def _controls(*numbers: int) -> frozenset[str]:
    return frozenset(f"SAR-{n:02d}" for n in numbers)


FAMILIES: tuple[Family, ...] = (
    Family("brands", "/api/v1/brands", _controls(3, 4, 9), r"^(brands$|brand/)", True,
           "okta.brands.read"),
    Family("templates", TEMPLATES, _controls(3, 4, 9), r"^brand/[^/]+/template/", True,
           "okta.templates.read"),
    Family("customizations", f"{TEMPLATES}/NewSignOnNotification/customizations",
           _controls(3, 9), r"^brand/default/template/NewSignOnNotification/customization/",
           True, "okta.templates.read"),
    # Not paged: Okta's spec gives GET /api/v1/eventHooks no limit/after (listEventHooks).
    Family("eventHooks", "/api/v1/eventHooks", _controls(5, 6, 7, 11), r"^eventHooks?(/|$)",
           False, "okta.eventHooks.read"),
    Family("roleSubs", "/api/v1/roles", _controls(8), r"^roleSubscriptions?(/|$)", False,
           "okta.roles.read"),
    Family("threatInsight", "/api/v1/threats", _controls(10), r"^threatInsight$", False,
           "okta.threatInsights.read"),
    Family("internal", "/api/internal", _controls(1, 2), r"^securityNotificationEmails$", False,
           None),
    Family("systemLog", "/api/v1/logs", _controls(11, 12), r"^systemLog$", True,
           "okta.logs.read"),
    Family("users/me", "/api/v1/users/me", frozenset(), r"^$", False, None, fatal=True),
)
BY_NAME = {f.name: f for f in FAMILIES}
READ_SCOPES: tuple[str, ...] = tuple(sorted({f.scope for f in FAMILIES if f.scope}))
OAUTH_ONLY_UNREADABLE = BY_NAME["internal"]  # the internal endpoint refuses OAuth
