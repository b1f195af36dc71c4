"""Email customizations: Okta's default/language rules (409s) and content validation (400s)."""

from __future__ import annotations

import pytest

from tests.emulator.helpers import BRAND_ID, NEW_SIGN_ON_BODY, follow

BASE = f"/api/v1/brands/{BRAND_ID}/templates/email"
NEW = f"{BASE}/NewSignOnNotification/customizations"
PW = f"{BASE}/PasswordChanged/customizations"


def pw(language: str, **extra) -> dict:
    return {"language": language, "subject": f"Password changed ({language})",
            "body": "<p>changed ${request.date}</p>", **extra}


def test_first_customization_becomes_default_even_if_not_asked(api) -> None:
    r = api.post(PW, json=pw("en", isDefault=False))
    assert r.status_code == 201
    assert r.json()["isDefault"] is True
    second = api.post(PW, json=pw("fr"))
    assert second.status_code == 201 and second.json()["isDefault"] is False
    assert sum(c["isDefault"] for c in follow(api, PW)) == 1


def test_second_default_is_409_e0000182(api) -> None:
    api.post(PW, json=pw("en"))
    r = api.post(PW, json=pw("fr", isDefault=True))
    assert r.status_code == 409 and r.json()["errorCode"] == "E0000182"
    assert [c["language"] for c in follow(api, PW)] == ["en"]


def test_same_language_twice_is_409_e0000183(api) -> None:
    api.post(PW, json=pw("en"))
    r = api.post(PW, json=pw("en"))
    assert r.status_code == 409 and r.json()["errorCode"] == "E0000183"
    fr = api.post(PW, json=pw("fr")).json()
    moved = api.put(f"{PW}/{fr['id']}", json=pw("en"))
    assert moved.status_code == 409 and moved.json()["errorCode"] == "E0000183"


def test_deleting_the_default_while_others_exist_is_409_e0000184(api) -> None:
    en = api.post(PW, json=pw("en")).json()
    fr = api.post(PW, json=pw("fr")).json()
    r = api.delete(f"{PW}/{en['id']}")
    assert r.status_code == 409 and r.json()["errorCode"] == "E0000184"
    assert api.delete(f"{PW}/{fr['id']}").status_code == 204
    assert api.delete(f"{PW}/{en['id']}").status_code == 204  # the last one may go
    assert follow(api, PW) == []


def test_undefaulting_the_default_is_409_e0000185(api) -> None:
    en = api.post(PW, json=pw("en")).json()
    r = api.put(f"{PW}/{en['id']}", json=pw("en", isDefault=False))
    assert r.status_code == 409 and r.json()["errorCode"] == "E0000185"


def test_making_another_default_moves_the_flag(api) -> None:
    en = api.post(PW, json=pw("en")).json()
    fr = api.post(PW, json=pw("fr")).json()
    r = api.put(f"{PW}/{fr['id']}", json=pw("fr", isDefault=True, subject="Mot de passe"))
    assert r.status_code == 200 and r.json()["isDefault"] is True
    assert r.json()["subject"] == "Mot de passe"
    assert api.get(f"{PW}/{en['id']}").json()["isDefault"] is False


def test_delete_all_then_template_is_stock_again(api) -> None:
    api.post(PW, json=pw("en"))
    api.post(PW, json=pw("de"))
    assert api.delete(PW).status_code == 204
    assert follow(api, PW) == []
    count = api.get(f"{BASE}/PasswordChanged", params={"expand": "customizationCount"}).json()
    assert count["_embedded"]["customizationCount"] == 0


@pytest.mark.parametrize("payload, cause", [
    ({"language": "xx", "subject": "s", "body": "b"}, "language"),
    ({"language": "en", "subject": "s" * 129, "body": "b"}, "subject"),
    ({"language": "en", "subject": "s", "body": "b" * (64 * 1024)}, "body"),
    ({"language": "en", "body": "b"}, "subject"),
    ({"language": "en", "subject": "s"}, "body"),
    ({"language": "en", "subject": "s", "body": "b", "isDefault": "yes"}, "isDefault"),
])
def test_invalid_content_is_400(api, payload: dict, cause: str) -> None:
    r = api.post(PW, json=payload)
    assert r.status_code == 400
    body = r.json()
    assert body["errorCode"] == "E0000001"
    assert cause in body["errorSummary"]
    assert follow(api, PW) == []


def test_limits_are_inclusive_where_okta_allows(api) -> None:
    r = api.post(PW, json={"language": "en", "subject": "s" * 128,
                           "body": "b" * (64 * 1024 - 1)})
    assert r.status_code == 201


def test_required_variables_per_template(api) -> None:
    missing_browser = NEW_SIGN_ON_BODY.replace("${request.browser}", "")
    r = api.post(NEW, json={"language": "fr", "subject": "s", "body": missing_browser})
    assert r.status_code == 400 and "request.browser" in r.json()["errorCauses"][0]["errorSummary"]
    assert api.post(NEW, json={"language": "fr", "subject": "s",
                               "body": NEW_SIGN_ON_BODY}).status_code == 201
    enrolled = f"{BASE}/AuthenticatorEnrolled/customizations"
    assert api.post(enrolled, json={"language": "en", "subject": "s",
                                    "body": "no variable"}).status_code == 400
    # either the factor or the authenticator variable satisfies the rule, in any Velocity form
    assert api.post(enrolled, json={"language": "en", "subject": "s",
                                    "body": "added $!{request.authenticator}"}).status_code == 201
    reset = f"{BASE}/AuthenticatorReset/customizations"
    assert api.post(reset, json={"language": "en", "subject": "s",
                                 "body": "reset ${request.factor}"}).status_code == 400
    assert api.post(reset, json={"language": "en", "subject": "s",
                                 "body": "reset $request.factors"}).status_code == 201


def test_customization_pagination_and_fields(api) -> None:
    for language in ("en", "fr", "de", "es", "it"):
        assert api.post(PW, json=pw(language)).status_code == 201
    first = api.get(PW, params={"limit": 2})
    assert len(first.json()) == 2 and "next" in first.links
    items = follow(api, PW, limit=2)
    assert [c["language"] for c in items] == ["en", "fr", "de", "es", "it"]
    item = items[0]
    assert {"id", "language", "subject", "body", "isDefault", "created", "lastUpdated",
            "_links"} <= set(item)
    assert item["_links"]["self"]["href"].endswith(f"/customizations/{item['id']}")


def test_unknown_customization_is_404(api) -> None:
    assert api.get(f"{PW}/oelNope").status_code == 404
    assert api.put(f"{PW}/oelNope", json=pw("en")).status_code == 404
    assert api.delete(f"{PW}/oelNope").status_code == 404
