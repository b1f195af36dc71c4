"""Org strings cannot steer the SOC's chat (issue 20 item 5): a hostile name, login, browser,
place and Okta error summary go through Apprise's real plugins — Slack, Discord, Mattermost,
Microsoft Teams (Power Automate workflows), email and JSON — and what each would send (captured
at ``requests`` and ``smtplib``; no network) carries no mass mention, no link or image, no HTML
tag and no code fence.

Why each pattern matters, from the targets' own code (apprise 2.x):
- caronc/apprise apprise/plugins/discord.py ``USER_ROLE_DETECTION_RE``: ``@everyone``/``@here``
  and ``<@id>``/``<@&id>`` in a body become ``allow_mentions`` (a ping);
- caronc/apprise apprise/plugins/slack.py: ``<!channel>``/``<!here>`` are Slack's channel pings;
- Discord and Mattermost take text as is (their ``notify_format`` is text) and render Markdown
  links ``[x](y)`` and images ``![x](y)`` themselves.
"""

from __future__ import annotations

import asyncio
import json
import re
from email import message_from_string
from email.policy import default as email_policy
from typing import Any

import pytest
import requests

from sarguard.responder.config import NotifyTarget
from sarguard.responder.message import ActionLine, MessageFacts, compose
from sarguard.responder.neutralise import neutralise
from sarguard.responder.notifier import Sender

HOSTILE_NAME = ("@everyone @here [Okta admin: re-verify your session]"
                "(https://okta-admin.evil.example/login)")
HOSTILE = {
    "name": HOSTILE_NAME,
    "login": "<!channel> <@U024BE7LH> <@&123456789>@channel ```",
    "browser": "![pixel](https://evil.example/p.png) <a href='https://evil.example'>x</a>",
    "location": "@all ``` swallow",
    "error": "E0000006 <!here> [click](https://evil.example) @everyone",
}
TARGETS = {
    "slack": "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#soc",
    "discord": "discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js",
    "mattermost": "mmosts://chat.example.com/3ccdd113474722377935511fc85d3dd4",
    "teams": "workflow://prod-00.westus.logic.azure.com:443/abc123def/sig-Xyz_0123456789",
    "email": "mailtos://soc:pw@smtp.example.com?to=soc@example.com&from=sarguard@example.com",
    "json": "json://soar.example.com/hook",
}
# What a target would act on, in anything it is sent.
FORBIDDEN = [
    re.compile(r"(?<![\w＠])@(everyone|here|channel|all)\b", re.IGNORECASE),
    re.compile(r"<[!@#]"),
    re.compile(r"!?\[[^\]\n]*\]\("),
    re.compile(r"<a\s", re.IGNORECASE),
    re.compile(r"<img", re.IGNORECASE),
    re.compile(r"```"),
    re.compile(r"https://(okta-admin\.)?evil\.example"),
]


def hostile_message() -> tuple[str, str]:
    facts = MessageFacts(
        report_id=1, event_uuid="ev-1", origin="delivery", disposition="respond",
        dry_run=False, user_id="00u1alice0000000001", login=HOSTILE["login"],
        user_name=HOSTILE["name"],
        reported={"ip": "198.51.100.7", "location": HOSTILE["location"],
                  "browser": HOSTILE["browser"], "os": "Windows",
                  "activityEventType": "user.session.start"},
        actions=[ActionLine("resetPassword", "failed", error=HOSTILE["error"])],
        admin_url="https://acme-admin.okta.com")
    message = compose(facts)
    return message.title, message.body


class Captured:
    def __init__(self) -> None:
        self.http: list[dict[str, Any]] = []
        self.mail: list[str] = []


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> Captured:
    seen = Captured()

    def request(self, method, url, **kw):  # noqa: ANN001 - requests' own signature
        seen.http.append({"method": method, "url": url, "data": kw.get("data"),
                          "json": kw.get("json")})
        response = requests.Response()
        response.status_code = 200
        # Slack's webhook answers the bare word ok; the others JSON
        response._content = b"ok" if "hooks.slack.com" in url else b'{"ok": true}'
        response.url = url
        return response

    class FakeSMTP:
        def __init__(self, *a, **kw) -> None: ...
        def __getattr__(self, name):  # ehlo, starttls, login, quit …
            return lambda *a, **kw: (250, b"ok")
        def sendmail(self, from_addr, to_addrs, body):  # noqa: ANN001
            seen.mail.append(body)
            return {}

    monkeypatch.setattr(requests.Session, "request", request)
    monkeypatch.setattr("smtplib.SMTP", FakeSMTP)
    monkeypatch.setattr("smtplib.SMTP_SSL", FakeSMTP)
    return seen


def _sent_text(captured: Captured, kind: str) -> str:
    if kind == "email":
        [raw] = captured.mail
        mail = message_from_string(raw, policy=email_policy)
        parts = [p.get_content() for p in mail.walk() if p.get_content_maintype() == "text"]
        return str(mail["Subject"]) + "\n" + "\n".join(parts)
    posts = [h for h in captured.http if h["method"].upper() == "POST"]
    assert posts, f"{kind}: Apprise sent nothing"
    out = []
    for post in posts:
        data = post["json"] if post["json"] is not None else post["data"]
        if isinstance(data, (bytes, bytearray)):
            data = data.decode()
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                pass  # a form body (Slack's payload= is JSON too; others send JSON)
        out.append(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False))
    return "\n".join(out)


@pytest.mark.parametrize("kind", sorted(TARGETS))
def test_injected_strings_reach_no_target_as_mentions_links_or_fences(kind, captured) -> None:
    title, body = hostile_message()
    sender = Sender([NotifyTarget(kind, TARGETS[kind])])
    assert asyncio.run(sender.send(0, title, body, "failure")) is True
    sent = _sent_text(captured, kind)
    for pattern in FORBIDDEN:
        assert not pattern.search(sent), f"{kind} would send {pattern.pattern!r}: {sent[:600]}"
    assert "evil" in sent, f"{kind}: the hostile text should still be visible, inert"
    if kind == "discord":
        for post in captured.http:
            payload = post["json"] or json.loads(post["data"] or "{}")
            assert not (payload.get("allow_mentions") or {}).get("parse"), payload


def test_a_login_stays_readable_and_an_address_is_not_a_mention() -> None:
    assert neutralise("alice@acme.test") == "alice@acme.test"
    assert neutralise("198.51.100.7, Lyon, France") == "198.51.100.7, Lyon, France"
    assert neutralise("Chrome 120 on Windows 10") == "Chrome 120 on Windows 10"


@pytest.mark.parametrize("raw", [
    "@everyone", "@Here", "<!channel>", "<!here>", "<@U024BE7LH>", "<@&42>",
    "[x](https://e.example)", "![x](https://e.example/i.png)", "<a href=x>", "```", "@channel",
])
def test_each_steering_form_is_broken(raw: str) -> None:
    out = neutralise(raw)
    assert out != raw
    for pattern in FORBIDDEN:
        assert not pattern.search(out), (raw, out)
