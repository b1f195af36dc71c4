"""The stack file ``sarguard import`` writes: ``okta:*`` where the org URL allows, and
``sarguard:settings`` declaring the plan, with comments on where each part came from and what
still needs the user. Secrets never appear: the hook's auth value and credential-like header
values are left to ``pulumi config set --secret`` (the comments show the commands).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sarguard.adopt.nextsteps import hook_secret_command
from sarguard.adopt.plan import AdoptionPlan, BrandPlan, HookPlan, shown
from sarguard.adopt.yamlwriter import Path, render
from sarguard.settings.loader import (
    HEADER_SECRETS_KEY,
    SECRET_KEY,
    SETTINGS_KEY,
    URL_SECRETS_KEY,
    header_secret_command,
    url_secret_command,
)
from sarguard.util.credentials import is_credential_header

TEMPLATES_DIR = "email-templates"
NOTIFICATION_ORDER = ("newSignOn", "factorEnrolled", "factorReset", "passwordChanged",
                      "reportSuspiciousActivity")


def body_path(stack: str, brand: str, template: str, language: str) -> str:
    """Where one imported body lives, relative to the project:
    ``email-templates/<stack>/<brand>/<T>.<lang>.html`` — per stack, so a second org imported into
    the same project never writes over the first one's bodies."""
    return f"{TEMPLATES_DIR}/{stack}/{brand}/{template}.{language}.html"


@dataclass
class StackDocument:
    document: dict[str, Any]
    comments: dict[Path, list[str]]
    header: list[str]

    @property
    def settings(self) -> dict[str, Any]:
        return self.document["config"][SETTINGS_KEY]

    def text(self) -> str:
        return render(self.document, self.comments, self.header)


def _domains() -> str:
    """``okta.com, .oktapreview.com, … or .okta.mil``: the Okta domains, as the header says them."""
    from sarguard.adopt.orgurl import PROVIDER_DOMAINS

    *rest, last = PROVIDER_DOMAINS
    return ", .".join(rest) + f" or .{last}"


def stack_document(plan: AdoptionPlan, stack: str, read_at: str) -> StackDocument:
    comments: dict[Path, list[str]] = {}
    config: dict[str, Any] = {}
    what = "what it should be (--fix: the changes are marked '--fix SAR-xx')" if plan.fixed \
        else "exactly what is live"
    header = [f"Written by `sarguard import --stack {stack}` from {shown(plan.org_url)} at {read_at}:",
              f"the settings declare {what}.",
              "Review it, then follow the steps the command printed (README: 'Adopting an existing org')."]
    if plan.provider is not None:
        config["okta:orgName"] = plan.provider.org_name
        config["okta:baseUrl"] = plan.provider.base_url
    else:
        header += ["", f"okta:orgName/okta:baseUrl are left out: {shown(plan.org_url)} is not",
                   f"https://<org>.{_domains()} (a custom domain, the emulator).",
                   "sarguard takes the org from --org-url; give the provider its Okta name with",
                   "`pulumi config set okta:orgName <org>` (and okta:baseUrl), or OKTA_ORG_NAME and "
                   "OKTA_BASE_URL."]
    settings = _settings(plan, stack, comments)
    config[SETTINGS_KEY] = settings
    at = ("config", SETTINGS_KEY)
    comments[at] = _secret_comments(plan.hook, stack)
    return StackDocument({"config": config}, comments, header)


def _secret_comments(hook: HookPlan | None, stack: str) -> list[str]:
    if hook is None:
        return []
    lines = [f"{SECRET_KEY} (not written: Okta never returns a hook's auth value) — set it with",
             f"  {hook_secret_command(stack)}"] if hook.auth_header else []
    if hook.secret_headers:
        lines.append(f"{HEADER_SECRETS_KEY} (credential-like headers, never written in clear) — "
                     "set each with")
        lines += [f"  {header_secret_command(h.name)} --stack {stack}" for h in hook.secret_headers]
    if hook.url_secrets:
        lines.append(f"{URL_SECRETS_KEY} (credentials in the hook URL, never written in clear) — "
                     "set each with")
        lines += [f"  {url_secret_command(s.name)} --stack {stack}" for s in hook.url_secrets]
    return lines


def _settings(plan: AdoptionPlan, stack: str, comments: dict[Path, list[str]]) -> dict[str, Any]:
    root: Path = ("config", SETTINGS_KEY)
    settings: dict[str, Any] = {}
    if plan.notifications is None:
        settings["notifications"] = {"manage": False}
        comments[(*root, "notifications")] = [
            f"Security > General: not read ({shown(plan.notifications_unread)}), so not managed",
            "by this stack; sarguard drift/audit judge the switches live (README: OAuth-only orgs)."]
    else:
        settings["notifications"] = {name: plan.notifications[name] for name in NOTIFICATION_ORDER}
        comments[(*root, "notifications")] = ["Security > General, as read from the org's -admin host"]
    settings["brands"] = [_brand(b, stack, (*root, "brands", i), comments)
                          for i, b in enumerate(plan.brands)]
    if plan.hook is not None:
        settings["eventHook"] = _hook(plan.hook, plan, (*root, "eventHook"), comments)
    else:
        why = "and --hook-url was not given " if plan.fixed else ""
        comments[(*root, "adminNotifications")] = [
            f"no eventHook: no hook is subscribed to the report event {why}(SAR-05 fails)"]
    settings["adminNotifications"] = {"roles": list(plan.roles)}
    roles_comment = comments.setdefault((*root, "adminNotifications"), [])
    roles_comment.append("roles subscribed to REPORT_SUSPICIOUS_ACTIVITY"
                         + ("" if plan.roles else ": none (SAR-08 fails)"))
    threat: dict[str, Any] = {"action": plan.threat_action}
    if plan.threat_zones:
        threat["excludeZones"] = list(plan.threat_zones)
    settings["threatInsight"] = threat
    return settings


def _brand(brand: BrandPlan, stack: str, at: Path, comments: dict[Path, list[str]]) -> dict[str, Any]:
    label = f"brand {shown(brand.name)!s} (id {brand.id})" if brand.name else f"brand id {brand.id}"
    comments[at] = [f"{label}{', the default brand' if brand.key == 'default' else ''}",
                    *(shown(n) for n in brand.notes)]
    templates: dict[str, Any] = {}
    for template in brand.templates:
        t_at = (*at, "templates", template.name)
        entry: dict[str, Any] = {"recipients": template.recipients}
        if template.notes:
            comments[t_at] = [shown(n) for n in template.notes]
        if template.customizations:
            items = []
            for i, custom in enumerate(template.customizations):
                item: dict[str, Any] = {"language": custom.language}
                if custom.is_default:
                    item["isDefault"] = True
                item["subject"] = custom.subject
                item["bodyFile"] = body_path(stack, brand.key, template.name, custom.language)
                origin = f"customization {shown(custom.id)}" if custom.id else "new customization"
                comments[(*t_at, "customizations", i)] = [origin, *(shown(n) for n in custom.notes)]
                items.append(item)
            entry["customizations"] = items
        templates[template.name] = entry
    return {"id": brand.key, "templates": templates}


def _hook(hook: HookPlan, plan: AdoptionPlan, at: Path, comments: dict[Path, list[str]]) -> dict[str, Any]:
    lines: list[str] = []
    if hook.id:
        lines.append(f"the hook subscribed to the report event: id {shown(hook.id)}, "
                     f"{shown(hook.status)}/{shown(hook.verification)}")
    if plan.other_report_hooks:
        lines.append("not imported (the stack holds one hook): "
                     + ", ".join(shown(h) for h in plan.other_report_hooks))
    lines += [shown(n) for n in hook.notes]
    comments[at] = lines
    entry: dict[str, Any] = {"name": hook.name, "url": hook.url}
    if hook.auth_header:
        entry["authHeader"] = hook.auth_header
    entry["events"] = list(hook.events)
    if hook.headers:
        # Credential-like values never reach a file (the plan puts them in secret_headers).
        entry["headers"] = {k: v for k, v in hook.headers.items() if not is_credential_header(k)}
    if hook.secret_headers:
        entry["secretHeaders"] = [h.name for h in hook.secret_headers]
        comments[(*at, "secretHeaders")] = [
            f"values from {HEADER_SECRETS_KEY} (credential-like names: never written in clear)"]
    if hook.url_secrets:
        comments[(*at, "url")] = [
            f"{{secret:NAME}} values from {URL_SECRETS_KEY} (credential parameters: never written "
            "in clear)"]
    entry["active"] = hook.active
    entry["verify"] = hook.verify
    if not hook.active:
        comments[(*at, "active")] = ["the live hook is INACTIVE: declared as it is (SAR-05 fails)"]
    if not hook.verify:
        comments[(*at, "verify")] = ["the live hook is UNVERIFIED: declared as it is (SAR-05 fails)"]
    return entry


def body_files(plan: AdoptionPlan, stack: str) -> dict[str, bytes]:
    """Every body the stack points at, by path: the text Okta returned, byte for byte, as
    UTF-8 (the settings loader reads it back the same way, with no newline translation)."""
    files: dict[str, bytes] = {}
    for brand, template, custom in plan.customizations():
        files[body_path(stack, brand.key, template.name, custom.language)] = _utf8(custom.body, brand.key,
                                                                          template.name, custom.language)
    return files


def _utf8(body: str, brand: str, template: str, language: str) -> bytes:
    from sarguard.adopt.errors import AdoptError

    try:
        return body.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise AdoptError(f"cannot import: the {language} body of {template} (brand {brand}) is not "
                         f"valid Unicode text (a lone surrogate at offset {exc.start})") from None
