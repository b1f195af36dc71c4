"""Loopback detection, shared by settings, controls, the API client and the emulator: plain
http is acceptable only to these hosts (local testing), never to anything routable."""

from __future__ import annotations

import ipaddress


def is_loopback_host(host: str | None) -> bool:
    """``localhost``, a 127.0.0.0/8 literal or ``::1`` — nothing that needs a resolver's answer.

    ``*.localhost`` names are refused: RFC 6761 asks resolvers to answer them with loopback, but
    whether this machine's resolver (or a corporate DNS, or /etc/hosts) does so is not ours to
    check, and a credential sent in plain http to a name that resolves elsewhere is gone.
    """
    if not host:
        return False
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
