"""The internal Security > General switches (``security-notification-settings``).

Real Okta serves this on the org's ``-admin`` host and only to SSWS tokens; the emulator serves
it on its one host (OAuth callers get 401 E0000011). The response adds two derived lists about
the default brand's link templates: which are customized, and which customized ones still
carry the report link in every language.
"""

from __future__ import annotations

from typing import Any

from sarguard.emulator.api.context import ApiContext
from sarguard.emulator.errors import validation_failed
from sarguard.emulator.routing import Request, Response, Router
from sarguard.emulator.state import LINK_TEMPLATES, NOTIFICATION_FIELDS, REPORT_TOKEN, OrgStore

PATH = "/api/internal/org/settings/security-notification-settings"


def render(store: OrgStore) -> dict[str, Any]:
    body: dict[str, Any] = {name: bool(store.notifications.get(name, True))
                            for name in NOTIFICATION_FIELDS}
    customized: list[str] = []
    with_button: list[str] = []
    brand = store.default_brand()
    for name in LINK_TEMPLATES:
        template = brand.template(name) if brand else None
        if template is None or not template.customizations:
            continue
        customized.append(name)
        if all(REPORT_TOKEN in c.body for c in template.customizations):
            with_button.append(name)
    body["customizedEmailsList"] = customized
    body["customizedEmailsWithReportButtonList"] = with_button
    return body


def register(router: Router, ctx: ApiContext) -> None:
    store = ctx.store

    def get_settings(req: Request) -> Response:
        return Response(200, render(store))

    def put_settings(req: Request) -> Response:
        body = req.json_object()
        derived = {"customizedEmailsList", "customizedEmailsWithReportButtonList"}
        unknown = sorted(set(body) - set(NOTIFICATION_FIELDS) - derived)
        if unknown:
            raise validation_failed(unknown[0], f"{unknown[0]}: unknown setting (expected "
                                    f"{', '.join(NOTIFICATION_FIELDS)})")
        updates = {}
        for name in NOTIFICATION_FIELDS:
            if name in body:
                if not isinstance(body[name], bool):
                    raise validation_failed(name, f"{name}: expected true or false")
                updates[name] = body[name]
        store.notifications.update(updates)
        return Response(200, render(store))

    router.add("GET", PATH, get_settings, auth="ssws")
    router.add("PUT", PATH, put_settings, auth="ssws")
