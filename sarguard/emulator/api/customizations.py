"""Email customizations, with Okta's rules about the default one.

Rules (409s are Okta's error codes): the first customization of a template becomes its default;
exactly one default while any exist; one customization per language (E0000183); creating a
second default is refused (E0000182); the default cannot be deleted while others exist
(E0000184) nor be un-defaulted (E0000185); making another one default moves the flag. Bodies
must be < 64 KB, subjects <= 128 characters, languages ones Okta supports, and templates that
need certain variables must contain them.
"""

from __future__ import annotations

import re
from typing import Any

from sarguard.emulator.api.brands import template_or_404, template_url
from sarguard.emulator.api.context import ApiContext, href, require_bool
from sarguard.emulator.errors import ApiError, not_found, validation_failed
from sarguard.emulator.pagination import paginate
from sarguard.emulator.routing import Request, Response, Router
from sarguard.emulator.state import LANGUAGES, Customization, Template

MAX_BODY_BYTES = 64 * 1024
MAX_SUBJECT = 128
# Variables Okta insists on, per template: each inner tuple is "one of these".
REQUIRED_VARIABLES: dict[str, tuple[tuple[str, ...], ...]] = {
    "NewSignOnNotification": (
        ("request.browser",), ("request.date",), ("request.time",),
        ("request.location",), ("request.ipAddress",),
    ),
    "AuthenticatorEnrolled": (("request.factor", "request.authenticator"),),
    "AuthenticatorReset": (("request.factors", "request.authenticators"),),
}


def has_variable(body: str, name: str) -> bool:
    """``${name}``, ``$!{name}``, ``$name`` or ``$!name`` (Velocity reference forms)."""
    escaped = re.escape(name)
    return re.search(rf"\$!?\{{{escaped}\}}|\$!?{escaped}(?![\w.])", body) is not None


def missing_variables(template: str, body: str) -> list[str]:
    missing = []
    for options in REQUIRED_VARIABLES.get(template, ()):
        if not any(has_variable(body, name) for name in options):
            missing.append(" or ".join("${" + name + "}" for name in options))
    return missing


def render(base: str, brand_id: str, template: str, item: Customization) -> dict[str, Any]:
    turl = template_url(base, brand_id, template)
    url = f"{turl}/customizations/{item.id}"
    return {
        "id": item.id,
        "language": item.language,
        "subject": item.subject,
        "body": item.body,
        "isDefault": item.is_default,
        "created": item.created,
        "lastUpdated": item.last_updated,
        "_links": {
            "self": href(url, "GET", "PUT", "DELETE"),
            "template": href(turl, "GET"),
            "preview": href(f"{url}/preview", "GET"),
            "test": href(f"{turl}/test", "POST"),
        },
    }


def validated_content(body: dict[str, Any], template: str) -> tuple[str, str, str]:
    """(language, subject, body) after Okta's field checks; 400 E0000001 otherwise."""
    language, subject, text = body.get("language"), body.get("subject"), body.get("body")
    for key, value in (("language", language), ("subject", subject), ("body", text)):
        if not isinstance(value, str) or not value.strip():
            raise validation_failed(key, f"{key}: The field cannot be left blank.")
    assert isinstance(language, str) and isinstance(subject, str) and isinstance(text, str)
    if language not in LANGUAGES:
        raise validation_failed("language", f"language: '{language[:20]}' is not a supported "
                                "language.")
    if len(subject) > MAX_SUBJECT:
        raise validation_failed("subject", f"subject: The subject must be {MAX_SUBJECT} "
                                "characters or fewer.")
    if len(text.encode("utf-8")) >= MAX_BODY_BYTES:
        raise validation_failed("body", "body: The body must be smaller than 64 KB.")
    missing = missing_variables(template, text)
    if missing:
        raise validation_failed("body", "body: The template is missing required variables: "
                                + ", ".join(missing))
    return language, subject, text


def find(template: Template, customization_id: str) -> Customization:
    item = next((c for c in template.customizations if c.id == customization_id), None)
    if item is None:
        raise not_found(f"{customization_id} (EmailCustomization)")
    return item


def register(router: Router, ctx: ApiContext) -> None:
    store = ctx.store

    def located(req: Request) -> tuple[str, Template]:
        brand, template = template_or_404(store, req.path_params["brandId"],
                                          req.path_params["templateName"])
        return brand.id, template

    def list_items(req: Request) -> Response:
        brand_id, template = located(req)
        page, links = paginate(template.customizations, lambda c: c.id, req)
        body = [render(req.base_url, brand_id, template.name, c) for c in page]
        return Response(200, body, {"Link": links})

    def create(req: Request) -> Response:
        brand_id, template = located(req)
        body = req.json_object()
        language, subject, text = validated_content(body, template.name)
        wants_default = require_bool(body, "isDefault", "isDefault")
        if any(c.language == language for c in template.customizations):
            raise ApiError(409, "E0000183")
        current = template.default_customization()
        if wants_default and current is not None:
            raise ApiError(409, "E0000182")
        now = ctx.now()
        item = Customization(
            id=store.ids.new("oel"), language=language, subject=subject, body=text,
            is_default=current is None, created=now, last_updated=now,
        )
        template.customizations.append(item)
        return Response(201, render(req.base_url, brand_id, template.name, item))

    def delete_all(req: Request) -> Response:
        _, template = located(req)
        template.customizations.clear()
        return Response(204)

    def get_item(req: Request) -> Response:
        brand_id, template = located(req)
        item = find(template, req.path_params["customizationId"])
        return Response(200, render(req.base_url, brand_id, template.name, item))

    def replace(req: Request) -> Response:
        brand_id, template = located(req)
        item = find(template, req.path_params["customizationId"])
        body = req.json_object()
        language, subject, text = validated_content(body, template.name)
        wants_default = require_bool(body, "isDefault", "isDefault")
        if any(c.language == language and c is not item for c in template.customizations):
            raise ApiError(409, "E0000183")
        if item.is_default and wants_default is False:
            raise ApiError(409, "E0000185")
        if wants_default and not item.is_default:
            for other in template.customizations:
                other.is_default = False
            item.is_default = True
        item.language, item.subject, item.body = language, subject, text
        item.last_updated = ctx.now()
        return Response(200, render(req.base_url, brand_id, template.name, item))

    def delete_item(req: Request) -> Response:
        _, template = located(req)
        item = find(template, req.path_params["customizationId"])
        if item.is_default and len(template.customizations) > 1:
            raise ApiError(409, "E0000184")
        template.customizations.remove(item)
        return Response(204)

    path = "/api/v1/brands/{brandId}/templates/email/{templateName}/customizations"
    router.add("GET", path, list_items, scope="okta.templates.read")
    router.add("POST", path, create, scope="okta.templates.manage")
    router.add("DELETE", path, delete_all, scope="okta.templates.manage")
    item_path = path + "/{customizationId}"
    router.add("GET", item_path, get_item, scope="okta.templates.read")
    router.add("PUT", item_path, replace, scope="okta.templates.manage")
    router.add("DELETE", item_path, delete_item, scope="okta.templates.manage")
