"""A team's Okta program: groups and an app, and the reporting resources as plain pulumi-okta."""

import pulumi
import pulumi_okta as okta

config = pulumi.Config()
team = okta.group.Group("team", name=config.require("teamGroup"))
app = okta.app.OAuth("portal", label="Portal", type="web", grant_types=["authorization_code"],
                     redirect_uris=["https://portal.example.com/callback"], response_types=["code"])
okta.app.GroupAssignment("portal-team", app_id=app.id, group_id=team.id)

okta.SecurityNotificationEmails(
    "notifications",
    send_email_for_new_device_enabled=True,
    send_email_for_factor_enrollment_enabled=True,
    send_email_for_factor_reset_enabled=True,
    send_email_for_password_changed_enabled=True,
    report_suspicious_activity_enabled=True,
)
brand = okta.get_brand_output(brand_id="default")
okta.EmailCustomization(
    "new-sign-on-en",
    brand_id=brand.id,
    template_name="NewSignOnNotification",
    language="en",
    is_default=True,
    subject="New sign-on to ${org.name}",
    body="<html><body>New sign-on. Not you? Contact IT.</body></html>",  # the report link is gone
)
hook = okta.EventHook(
    "soc-reports",
    name="soc-reports",
    events=["user.account.report_suspicious_activity_by_enduser"],
    channel={"type": "HTTP", "version": "1.0.0", "uri": "https://soc.example.com/okta/report"},
    auth={"type": "HEADER", "key": "Authorization", "value": config.require_secret("hookSecret")},
)
okta.EventHookVerification("soc-reports-verification", event_hook_id=hook.id)
okta.RoleSubscription("super-admin-reports", role_ref="SUPER_ADMIN",
                      notification_type="REPORT_SUSPICIOUS_ACTIVITY")
okta.ThreatInsightSettings("threat-insight", action="audit")
