"""A team's Okta program; sarguard's component is two lines (the import and the instance)."""

import pulumi_okta as okta

from sarguard import SuspiciousActivityReporting

okta.group.Group("admins", name="Okta Admins")
SuspiciousActivityReporting("suspicious-activity-reporting")  # reads sarguard:settings
