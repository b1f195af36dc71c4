"""Two orgs in one program: one component instance per org, each on its own provider."""

import pulumi
import pulumi_okta as okta

from sarguard import SuspiciousActivityReporting

config = pulumi.Config()


def settings(hook_url: str) -> dict:
    """The same shape as the sarguard:settings stack value."""
    return {
        "notifications": {"newSignOn": True, "factorEnrolled": True, "factorReset": True,
                          "passwordChanged": True, "reportSuspiciousActivity": True},
        "brands": [{"id": "default"}],
        "eventHook": {"name": "soc-reports", "url": hook_url, "authHeader": "Authorization",
                      "events": ["user.account.report_suspicious_activity_by_enduser"]},
        "adminNotifications": {"roles": ["SUPER_ADMIN"]},
        "threatInsight": {"action": "audit"},
    }


for org in ("emea", "amer"):
    provider = okta.Provider(org, org_name=config.require(f"{org}OrgName"), base_url="okta.com",
                             api_token=config.require_secret(f"{org}ApiToken"))
    SuspiciousActivityReporting(
        f"sar-{org}", settings(f"https://soc.example.com/okta/{org}"),
        hook_secret=config.require_secret("hookSecret"),
        opts=pulumi.ResourceOptions(provider=provider))
