"""Brands, their email templates, and each template's recipients setting.

Every brand has every Okta template; a template without customizations is "stock". The
template list can embed each template's settings and customization count
(``expand=settings,customizationCount``), which is how a reader learns cheaply which templates
need their customizations read.
"""

from __future__ import annotations

from typing import Any

from sarguard.emulator.api.context import ApiContext, href
from sarguard.emulator.errors import ApiError, not_found, validation_failed
from sarguard.emulator.pagination import paginate
from sarguard.emulator.routing import Request, Response, Router
from sarguard.emulator.state import RECIPIENTS, Brand, OrgStore, Template
from sarguard.model import allowed_recipients


def brand_or_404(store: OrgStore, brand_id: str) -> Brand:
    brand = store.brands.get(brand_id)
    if brand is None:
        raise not_found(f"{brand_id} (Brand)")
    return brand


def template_or_404(store: OrgStore, brand_id: str, name: str) -> tuple[Brand, Template]:
    brand = brand_or_404(store, brand_id)
    template = brand.template(name)
    if template is None:
        raise not_found(f"{name} (EmailTemplate)")
    return brand, template


def template_url(base: str, brand_id: str, name: str) -> str:
    return f"{base}/api/v1/brands/{brand_id}/templates/email/{name}"


def render_brand(brand: Brand, base: str) -> dict[str, Any]:
    url = f"{base}/api/v1/brands/{brand.id}"
    return {
        "id": brand.id,
        "name": brand.name,
        "isDefault": brand.is_default,
        "removePoweredByOkta": brand.remove_powered_by_okta,
        # Recorded Okta responses carry null here although the spec says string.
        "customPrivacyPolicyUrl": brand.custom_privacy_policy_url,
        "agreeToCustomPrivacyPolicy": brand.custom_privacy_policy_url is not None,
        "locale": brand.locale,
        "_links": {
            "themes": href(f"{url}/themes", "GET"),
            "self": href(url, "GET", "PUT", "DELETE"),
        },
    }


def render_settings(base: str, brand_id: str, template: Template) -> dict[str, Any]:
    url = template_url(base, brand_id, template.name)
    return {
        "recipients": template.recipients,
        "_links": {
            "self": href(f"{url}/settings", "GET", "PUT"),
            "template": href(url, "GET"),
        },
    }


def render_template(base: str, brand_id: str, template: Template, expand: set[str]) -> dict:
    url = template_url(base, brand_id, template.name)
    body: dict[str, Any] = {"name": template.name}
    embedded: dict[str, Any] = {}
    if "settings" in expand:
        embedded["settings"] = render_settings(base, brand_id, template)
    if "customizationCount" in expand:
        embedded["customizationCount"] = len(template.customizations)
    if embedded:
        body["_embedded"] = embedded
    body["_links"] = {
        "self": href(url, "GET"),
        "settings": href(f"{url}/settings", "GET", "PUT"),
        "defaultContent": href(f"{url}/default-content", "GET"),
        "customizations": href(f"{url}/customizations", "GET", "POST", "DELETE"),
        "test": href(f"{url}/test", "POST"),
    }
    return body


def parse_expand(req: Request) -> set[str]:
    return {part.strip() for value in req.query.get("expand", []) for part in value.split(",")}


def register(router: Router, ctx: ApiContext) -> None:
    store = ctx.store

    def list_brands(req: Request) -> Response:
        page, links = paginate(list(store.brands.values()), lambda b: b.id, req)
        return Response(200, [render_brand(b, req.base_url) for b in page], {"Link": links})

    def get_brand(req: Request) -> Response:
        return Response(200, render_brand(brand_or_404(store, req.path_params["brandId"]),
                                          req.base_url))

    def list_templates(req: Request) -> Response:
        brand = brand_or_404(store, req.path_params["brandId"])
        templates = sorted(brand.templates.values(), key=lambda t: t.name)
        page, links = paginate(templates, lambda t: t.name, req)
        expand = parse_expand(req)
        body = [render_template(req.base_url, brand.id, t, expand) for t in page]
        return Response(200, body, {"Link": links})

    def get_template(req: Request) -> Response:
        brand, template = template_or_404(store, req.path_params["brandId"],
                                          req.path_params["templateName"])
        return Response(200, render_template(req.base_url, brand.id, template, parse_expand(req)))

    def get_settings(req: Request) -> Response:
        brand, template = template_or_404(store, req.path_params["brandId"],
                                          req.path_params["templateName"])
        return Response(200, render_settings(req.base_url, brand.id, template))

    def put_settings(req: Request) -> Response:
        brand, template = template_or_404(store, req.path_params["brandId"],
                                          req.path_params["templateName"])
        body = req.json_object()
        recipients = body.get("recipients")
        if recipients is None:
            raise validation_failed("recipients", "recipients: The field cannot be left blank.")
        if recipients not in RECIPIENTS:
            raise ApiError(422, "E0000001", "Api validation failed: recipients",
                           [f"recipients: expected one of {', '.join(RECIPIENTS)}"])
        if recipients not in allowed_recipients(template.name):
            raise ApiError(422, "E0000189")  # the spec's ErrorInvalidEmailTemplateRecipients
        template.recipients = recipients
        return Response(200, render_settings(req.base_url, brand.id, template))

    base = "/api/v1/brands"
    router.add("GET", base, list_brands, scope="okta.brands.read")
    router.add("GET", base + "/{brandId}", get_brand, scope="okta.brands.read")
    tpl = base + "/{brandId}/templates/email"
    router.add("GET", tpl, list_templates, scope="okta.templates.read")
    router.add("GET", tpl + "/{templateName}", get_template, scope="okta.templates.read")
    router.add("GET", tpl + "/{templateName}/settings", get_settings, scope="okta.templates.read")
    router.add("PUT", tpl + "/{templateName}/settings", put_settings,
               scope="okta.templates.manage")
