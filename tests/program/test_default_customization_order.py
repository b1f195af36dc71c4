"""Okta's default-customization rules, and the order the program and the README's procedures use.

Okta (OpenAPI spec, CustomTemplates): while a template has customizations exactly one is the
default; creating a second default is 409 E0000182, a second one for a language E0000183,
deleting the default while others exist E0000184, setting the default's ``isDefault`` to false
E0000185, and a PUT with ``isDefault: true`` moves the flag (okta/terraform-provider-okta
``resource_okta_email_customization.go`` docs). The provider creates with ``isDefault`` false
unless set, deletes the last customization with "delete all", and asks programs to make every
other language depend on the default (its ``force_is_default`` is a deprecated no-op: "Rely upon
the depends_on meta argument"). Pulumi runs creates and updates in program order (a resource
waits for its ``depends_on``) and deletes only after the program has finished (pulumi
``pkg/resource/deploy/deployment_executor.go`` ``performPostSteps`` -> ``GenerateDeletes``).
"""

from __future__ import annotations

import pulumi_okta
import pytest

from sarguard.emulator import Emulator
from sarguard.pulumi.declared import run_program

TEMPLATE = "PasswordChanged"


def stack(customizations: str) -> str:
    return f"""\
config:
  sarguard:settings:
    brands:
      - id: default
        templates:
          {TEMPLATE}:
            customizations:
{customizations}"""


def entry(language: str, default: bool) -> str:
    flag = "\n                isDefault: true" if default else ""
    return f"""              - language: {language}{flag}
                subject: "Password changed ({language})"
                body: "<p>${{request.reportSuspiciousActivityToken}}</p>"
"""


def test_every_other_language_waits_for_the_default(make_project, monkeypatch):
    """The default is registered first and the others depend on it, so a switch of the default
    between existing customizations updates the new default first (Okta moves the flag), and
    only then the old one, which is by then no longer the default (no E0000185)."""
    seen: list[tuple[str, bool, list[str]]] = []
    real = pulumi_okta.EmailCustomization

    class Recording(real):  # type: ignore[misc, valid-type]
        def __init__(self, name, opts=None, **kwargs):
            deps = [getattr(d, "_name", "?") for d in (getattr(opts, "depends_on", None) or [])]
            seen.append((name, bool(kwargs.get("is_default")), deps))
            super().__init__(name, opts=opts, **kwargs)

    monkeypatch.setattr(pulumi_okta, "EmailCustomization", Recording)
    run_program("test", make_project(stack(entry("fr", False) + entry("de", False) + entry("en", True))))
    base = f"suspicious-activity-reporting-default-{TEMPLATE}"  # children: "<component>-<name>"
    assert seen[0] == (f"{base}-en", True, [])
    assert sorted(seen[1:]) == [(f"{base}-de", False, [f"{base}-en"]),
                                (f"{base}-fr", False, [f"{base}-en"])]


# ---- the procedures, against the emulator (which answers as Okta's spec says) -----------------

@pytest.fixture
def okta():
    emu = Emulator(seed="demo")
    emu.start(port=0)
    import httpx

    client = httpx.Client(base_url=emu.url, headers={"Authorization": f"SSWS {emu.token}"}, timeout=30)
    brand = next(b["id"] for b in client.get("/api/v1/brands").json() if b["isDefault"])
    base = f"/api/v1/brands/{brand}/templates/email/{TEMPLATE}/customizations"
    client.delete(base)
    try:
        yield client, base
    finally:
        client.close()
        emu.stop()


def _body(language: str, is_default: bool) -> dict:
    return {"language": language, "subject": f"Password changed ({language})", "isDefault": is_default,
            "body": "<p>${request.reportSuspiciousActivityToken}</p>"}


def _ids(client, base) -> dict[str, tuple[str, bool]]:
    return {c["language"]: (c["id"], c["isDefault"]) for c in client.get(base).json()}


def test_switching_between_existing_customizations_in_one_up(okta):
    client, base = okta
    client.post(base, json=_body("en", True))
    client.post(base, json=_body("fr", False))
    ids = _ids(client, base)
    # The program's order: the new default (fr) first...
    assert client.put(f"{base}/{ids['fr'][0]}", json=_body("fr", True)).status_code == 200
    # ...then the old one, no longer the default
    assert client.put(f"{base}/{ids['en'][0]}", json=_body("en", False)).status_code == 200
    assert {lang: d for lang, (_, d) in _ids(client, base).items()} == {"en": False, "fr": True}


def test_the_other_order_is_refused_e0000185(okta):
    client, base = okta
    client.post(base, json=_body("en", True))
    client.post(base, json=_body("fr", False))
    ids = _ids(client, base)
    refused = client.put(f"{base}/{ids['en'][0]}", json=_body("en", False))
    assert refused.status_code == 409 and refused.json()["errorCode"] == "E0000185"


def test_a_new_language_cannot_become_the_default_in_one_up(okta):
    """Creating it as the default while the old default exists is 409 E0000182, whatever the
    order: the README's two steps (add it as non-default, then move the flag) work."""
    client, base = okta
    client.post(base, json=_body("en", True))
    refused = client.post(base, json=_body("de", True))
    assert refused.status_code == 409 and refused.json()["errorCode"] == "E0000182"
    # step 1: add it, not default; step 2: move the flag, then the old one follows
    assert client.post(base, json=_body("de", False)).status_code == 201
    ids = _ids(client, base)
    assert client.put(f"{base}/{ids['de'][0]}", json=_body("de", True)).status_code == 200
    assert client.put(f"{base}/{ids['en'][0]}", json=_body("en", False)).status_code == 200


def test_removing_the_default_while_others_remain(okta):
    """Marking another one default in the same change works (updates run before deletes);
    deleting the default first is 409 E0000184."""
    client, base = okta
    client.post(base, json=_body("en", True))
    client.post(base, json=_body("fr", False))
    ids = _ids(client, base)
    refused = client.delete(f"{base}/{ids['en'][0]}")
    assert refused.status_code == 409 and refused.json()["errorCode"] == "E0000184"
    assert client.put(f"{base}/{ids['fr'][0]}", json=_body("fr", True)).status_code == 200
    assert client.delete(f"{base}/{ids['en'][0]}").status_code == 204
    assert list(_ids(client, base)) == ["fr"]


def test_removing_every_customization(okta):
    """Deletes run in reverse dependency order: the others first, the default last, when the
    provider deletes "all" (it is the only one left)."""
    client, base = okta
    client.post(base, json=_body("en", True))
    client.post(base, json=_body("fr", False))
    ids = _ids(client, base)
    assert client.delete(f"{base}/{ids['fr'][0]}").status_code == 204
    assert client.delete(base).status_code == 204
    assert _ids(client, base) == {}
