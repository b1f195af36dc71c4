"""Drift of brands, template settings (recipients) and template customizations.

Brands match by key (``default`` is the default brand on both sides), falling back to the
brand id and to the live default brand, so a program that names the default brand by its id
still lines up. Every resource key uses the *declared* brand key so a report points at the
program. Templates the stack does not declare are not compared, except that any live
customization of a link-carrying template in a declared brand must be declared (``unmanaged``).
A live brand the stack does not declare at all is ``unmanaged`` (``brand/<id>``) when one of its
link-carrying templates is customized or not sent to all users, so the unmanaged list is the
import list.

Whole-resource items (``missing`` / ``unmanaged``) use the resource's own key with the type as
``field``: ``brand`` (``brand/<key>``), ``settings``, ``customization``.
"""

from __future__ import annotations

from sarguard.drift.normalize import first_difference, normalize_body, normalize_subject
from sarguard.drift.result import Collector
from sarguard.drift.unread import unread_reason
from sarguard.model import (
    LINK_TEMPLATES,
    Brand,
    Customization,
    OrgState,
    Template,
    key_customization,
    key_template_settings,
)


def _brand_aliases(key: str, *brands: Brand | None) -> list[str]:
    """Every name a brand may go by in unread keys: declared key, live key, ids."""
    names = [key]
    for brand in brands:
        if brand is None:
            continue
        for name in (brand.key, brand.id):
            if isinstance(name, str) and name and name not in names:
                names.append(name)
    return names


def match_brand(key: str, declared: Brand, live: OrgState) -> Brand | None:
    """The live brand a declared brand stands for, or None when the live org has none."""
    if key in live.brands:
        return live.brands[key]
    names = set(_brand_aliases(key, declared))
    candidates = sorted(live.brands.values(), key=lambda b: b.key)
    for brand in candidates:
        if brand.key in names or brand.id in names:
            return brand
    if key == "default" or declared.is_default:
        return next((b for b in candidates if b.is_default), None)
    return None


def _declared_keys(key: str, brand: Brand) -> list[str]:
    """The resource keys a declared brand contributes (settings and customizations)."""
    keys: list[str] = []
    for name, template in sorted(brand.templates.items()):
        if template.recipients is not None:
            keys.append(key_template_settings(key, name))
        keys.extend(
            key_customization(key, name, c.language)
            for c in template.customizations
            if isinstance(c.language, str)
        )
    return keys


def _alias_keys(resource: str, key: str, aliases: list[str]) -> list[str]:
    """``resource`` rewritten with each brand alias in place of the declared key."""
    prefix = f"brand/{key}/"
    tail = resource[len(prefix) :] if resource.startswith(prefix) else ""
    return [f"brand/{alias}/{tail}" if tail else f"brand/{alias}" for alias in aliases]


def _summary(c: Customization) -> dict[str, object]:
    """What a whole-customization item shows (the body is left out: it can be 64 KB)."""
    return {"language": c.language, "subject": c.subject, "isDefault": c.is_default}


def _body_key(value: object) -> object:
    return normalize_body(value) if isinstance(value, str) else value


def _subject_key(value: object) -> object:
    return normalize_subject(value) if isinstance(value, str) else value


def _body_note(declared: object, live: object) -> str | None:
    if isinstance(declared, str) and isinstance(live, str):
        return first_difference(normalize_body(declared), normalize_body(live))
    return None


def compare_brands(declared: OrgState, live: OrgState, out: Collector) -> None:
    """Compare every declared brand with its live counterpart, then list undeclared ones."""
    matched: set[str] = set()
    for key in sorted(declared.brands):
        dbrand = declared.brands[key]
        lbrand = match_brand(key, dbrand, live)
        aliases = _brand_aliases(key, dbrand, lbrand)
        if lbrand is None:
            _brand_absent(key, dbrand, live, aliases, out)
            continue
        matched.add(lbrand.key)
        names = set(dbrand.templates) | {t for t in LINK_TEMPLATES if t in lbrand.templates}
        for name in sorted(names):
            _compare_template(
                key,
                name,
                dbrand.templates.get(name),
                lbrand.templates.get(name),
                live,
                aliases,
                out,
            )
    _undeclared_brands(live, matched, out)


def _undeclared_brands(live: OrgState, matched: set[str], out: Collector) -> None:
    """Live brands no declared brand stands for, whose link-carrying emails differ from Okta's
    stock ones (customized) or do not reach every user: ``unmanaged`` with what differs."""
    for key in sorted(set(live.brands) - matched):
        brand = live.brands[key]
        resource = f"brand/{key}"
        reason = unread_reason(live, *_alias_keys(resource, key, _brand_aliases(key, brand)))
        if reason is not None:
            out.note(f"{resource}: not declared, and not checked for customizations ({reason})")
            continue
        differs: dict[str, dict[str, object]] = {}
        unknown: list[str] = []
        for name in LINK_TEMPLATES:
            template = brand.templates.get(name)
            if template is None or unread_reason(live, key_template_settings(key, name)):
                unknown.append(name)
                continue
            count = template.customization_count
            if count is None:
                count = len(template.customizations) or None
            what: dict[str, object] = {}
            if count:
                what["customizations"] = count
            if template.recipients not in (None, "ALL_USERS"):
                what["recipients"] = template.recipients
            if what:
                differs[name] = what
        if unknown:
            out.note(f"{resource}: not declared; {', '.join(unknown)} could not be checked")
        if differs:
            out.add(
                "unmanaged",
                resource,
                "brand",
                live={"id": brand.id, "name": brand.name, "templates": differs},
                note="a brand the stack does not declare customizes link-carrying templates or "
                "does not send them to all users; declare it (and import its customizations)",
            )


def _brand_absent(
    key: str, dbrand: Brand, live: OrgState, aliases: list[str], out: Collector
) -> None:
    """A declared brand with no live match: unread when the live side was not read, else missing."""
    keys = _declared_keys(key, dbrand)
    reason = unread_reason(live, *_alias_keys(f"brand/{key}", key, aliases))
    if reason is not None:
        for resource in keys or [f"brand/{key}"]:
            out.unread(resource, reason)
        return
    blocked = [r for r in keys if out.blocked(r, *_alias_keys(r, key, aliases))]
    if blocked:  # the reader says part of this brand was unreadable: do not call it missing
        for resource in keys:
            out.unread(resource, f"brand/{key} not found live and part of it was not read")
        return
    out.add(
        "missing",
        f"brand/{key}",
        "brand",
        declared=key,
        note=f"no such brand live; its {len(keys)} declared resource(s) were not compared",
    )


def _compare_template(
    key: str,
    name: str,
    dt: Template | None,
    lt: Template | None,
    live: OrgState,
    aliases: list[str],
    out: Collector,
) -> None:
    """Recipients (when declared) and customizations of one template of one brand."""
    if dt is not None and dt.recipients is not None:
        resource = key_template_settings(key, name)
        if not out.blocked(resource, *_alias_keys(resource, key, aliases)):
            if lt is None:
                out.add(
                    "missing",
                    resource,
                    "settings",
                    declared={"recipients": dt.recipients},
                    note=f"the live brand has no template {name}",
                )
            else:
                out.compare(resource, "recipients", dt.recipients, lt.recipients)
    _compare_customizations(key, name, dt, lt, live, aliases, out)


def _compare_customizations(
    key: str,
    name: str,
    dt: Template | None,
    lt: Template | None,
    live: OrgState,
    aliases: list[str],
    out: Collector,
) -> None:
    """Declared customizations against live ones (by language), then unmanaged live ones."""
    template_key = f"brand/{key}/template/{name}"
    live_custs = lt.customizations if lt is not None else []
    by_language = {c.language: c for c in live_custs if isinstance(c.language, str)}
    incomplete = _incomplete_reason(name, lt) or _unlisted_reason(key, name, lt, live, aliases)
    declared_languages: set[str] = set()
    language_unknown = False
    for dc in dt.customizations if dt is not None else []:
        if not isinstance(dc.language, str):
            language_unknown = True
            out.note(
                f"{template_key}: a declared customization's language is unknown; not compared"
            )
            continue
        declared_languages.add(dc.language)
        resource = key_customization(key, name, dc.language)
        if out.blocked(resource, *_alias_keys(resource, key, aliases)):
            continue
        lc = by_language.get(dc.language)
        if lc is not None:
            _compare_customization(resource, dc, lc, out)
        elif incomplete is not None:
            out.unread(resource, incomplete)
        else:
            out.add("missing", resource, "customization", declared=_summary(dc))

    if name not in LINK_TEMPLATES or lt is None:
        return
    reason = unread_reason(live, *_alias_keys(template_key, key, aliases))
    if reason is not None or language_unknown:
        why = reason or "a declared language is unknown"
        out.note(f"{template_key}: unmanaged customizations not checked ({why})")
        return
    if incomplete is not None:
        out.note(f"{template_key}: unmanaged customizations may be missed: {incomplete}")
    for language in sorted(set(by_language) - declared_languages):
        resource = key_customization(key, name, language)
        out.add(
            "unmanaged",
            resource,
            "customization",
            live=_summary(by_language[language]),
            note="a link-carrying template is customized in the live org but not in the stack",
        )


def _incomplete_reason(name: str, lt: Template | None) -> str | None:
    """Why the live customization list is partial (Okta counted more than were read), or None."""
    if lt is None or lt.customization_count is None:
        return None
    if lt.customization_count <= len(lt.customizations):
        return None
    return (
        f"the live org reports {lt.customization_count} customization(s) of {name} "
        f"but only {len(lt.customizations)} were read"
    )


def _unlisted_reason(
    key: str, name: str, lt: Template | None, live: OrgState, aliases: list[str]
) -> str | None:
    """Why nothing is known of a live template's customizations: the template itself (listed
    with its settings and customization count) was not read. Then none is ``missing``."""
    if lt is not None and (lt.customization_count is not None or lt.customizations):
        return None
    settings = key_template_settings(key, name)
    return unread_reason(live, *_alias_keys(settings, key, aliases))


def _compare_customization(
    resource: str, dc: Customization, lc: Customization, out: Collector
) -> None:
    """``subject`` and ``body`` (whitespace-normalized) and ``isDefault`` of one language."""
    out.compare(resource, "subject", dc.subject, lc.subject, key=_subject_key)
    out.compare(resource, "body", dc.body, lc.body, key=_body_key, note=_body_note)
    out.compare(resource, "isDefault", dc.is_default, lc.is_default)
