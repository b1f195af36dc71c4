"""Org strings made inert for the SOC's chat before a notification is sent.

Why: a user's name, login, browser, city or an Okta error summary is written by whoever controls
the profile or the delivery. Apprise converts our plain text for Markdown targets (Slack, Teams
workflows) and HTML targets (email) by escaping it, but Discord and Mattermost take text as is and
render Markdown and mentions themselves — so a name like ``@everyone [re-verify](https://evil)``
would ping the whole channel and show a phishing link. Each org string therefore goes through
:func:`neutralise`, which keeps it readable (an analyst can still see what was written) and
breaks only the grammar the chat targets act on:

* mass and direct mentions: ``@everyone``, ``@here``, ``@channel``, ``@all`` (Discord, Slack,
  Mattermost) get a full-width ``＠``; Slack's ``<!channel>`` / ``<@U…>`` and Discord's ``<@…>`` /
  ``<@&…>`` lose their angle brackets (``‹ ›``), which also ends any HTML tag such as ``<a ``;
* Markdown links and images ``[x](y)`` / ``![x](y)``: the ``](`` joint is split and the ``!``
  before ``[`` kept apart, so no renderer sees a link;
* bare ``http(s)://`` URLs are defanged (``hxxps[://]…``), the way SOC tools show indicators, so a
  chat client does not auto-link them;
* backticks become ``'``, so no code span or fence can swallow the rest of the message.

Strings the responder writes itself (links to the Admin Console) never pass through here.
"""

from __future__ import annotations

import re

# Mentions that reach everyone in a channel, on the targets Apprise serves.
MASS_MENTIONS = ("everyone", "here", "channel", "all", "group", "room", "online")
_MENTION = re.compile(r"@(?=(?:" + "|".join(MASS_MENTIONS) + r")\b)", re.IGNORECASE)
# "@name" at the start of a word (not "alice@acme.test"): a direct mention on Mattermost/Slack.
_WORD_MENTION = re.compile(r"(?<![^\s(\[{'\"])@(?=[\w.-])")
_URL = re.compile(r"\b(h)tt(ps?)://", re.IGNORECASE)
_OTHER_SCHEME = re.compile(r"\b(ftp|file|javascript|data|mailto|tel)(:)(?=[^\s\[])", re.IGNORECASE)
FULLWIDTH_AT = "\uff20"


def neutralise(text: str) -> str:
    """``text`` with mentions, links, images, HTML tags and code fences made inert."""
    out = text.replace("<", "\u2039").replace(">", "\u203a").replace("`", "'")
    out = _MENTION.sub(FULLWIDTH_AT, out)
    out = _WORD_MENTION.sub(FULLWIDTH_AT, out)
    out = out.replace("](", "] (").replace("![", "! [")
    out = _URL.sub(lambda m: f"{m.group(1)}xx{m.group(2)}[://]", out)
    return _OTHER_SCHEME.sub(lambda m: f"{m.group(1)}[:]", out)
