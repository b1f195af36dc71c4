"""The hostile matrix: what each hostile server does, where, and what the run must conclude.

One row per case of issue 11 (bounded waits and reads, malformed links and shapes, absence is
not compliance, redaction); the columns are the endpoint families of ``families.py`` (plus
``oauth token`` and ``all``). File cases (``test_hostile_files.py``) add rows whose columns are
the command they go through.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.reliability import hostile
from tests.reliability.families import FAMILIES
from tests.reliability.harness import FAST_TIMEOUT, SAFE_TIMEOUT

DAY = 86_400
YEAR = 365 * DAY
PAGE_CAP_IN_MATRIX = 25  # the real cap (10,000) is tested on a transport: tests/okta
FAMILY_PAGE_CAP = 5  # brands, templates, customizations: sarguard/evidence/live.py


@dataclass(frozen=True)
class Case:
    row: str  # the matrix row
    behaviour: Callable[[], hostile.Behaviour]
    targets: tuple[str, ...]  # family names (or "all", "oauth token")
    expect: str  # "fail closed" | "bucket" | "recovered" | "fatal"
    reason: str  # every unread reason of the target (or the fatal error) contains this
    timeout: str = SAFE_TIMEOUT
    overrides: dict[str, Any] = field(default_factory=dict)
    oauth: bool = False  # run with an OAuth service app (DPoP) instead of an SSWS token
    only_path: str | None = None  # the behaviour applies to this exact path only


def _set(path: list[Any], value: Any, *, first: bool = True) -> Callable[[Any], Any]:
    """A mutation that sets ``path`` (from the first item when ``first``) to ``value``."""

    def mutate(data: Any) -> Any:
        if first and not data:
            return data
        node = data[0] if first else data
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value
        return data

    return mutate


def _no_default(data: Any) -> Any:
    for brand in data:
        brand["isDefault"] = False
    return data


def _impostor(data: Any) -> Any:
    return [*data, {"id": "default", "name": "Impostor Co", "isDefault": False}]


def _port(server: hostile.HostileServer, req: hostile.Req) -> str:
    return f"http://127.0.0.1:99999{req.path}?after=x"


def _unparsable(server: hostile.HostileServer, req: hostile.Req) -> str:
    return f"http://[::1{req.path}?after=x"


def _other_host(server: hostile.HostileServer, req: hostile.Req) -> str:
    return f"http://127.0.0.2:{server.server_address[1]}{req.path}?after=x"  # never contacted


WAIT = "more than --max-wait (120 s)"
SHAPE = "unexpected response from Okta at "

CASES: tuple[Case, ...] = (
    # -- bounded waits
    Case("429, reset a day away", lambda: hostile.rate_limited(DAY), ("internal", "systemLog"),
         "fail closed", WAIT),
    Case("429, reset a year away", lambda: hostile.rate_limited(YEAR), ("systemLog",),
         "fail closed", WAIT),
    Case("one 429 poisons the bucket", lambda: hostile.rate_limited(YEAR, once=True),
         ("threatInsight",), "bucket", WAIT),
    Case("Date 10 years ahead", lambda: hostile.skewed_date(10 * YEAR), ("all",), "recovered", ""),
    Case("Date 30 years behind", lambda: hostile.skewed_date(-30 * YEAR), ("all",), "recovered", ""),
    Case("Date 10 years ahead + 429", lambda: hostile.rate_limited(30, date_offset=10 * YEAR),
         ("systemLog",), "fail closed", WAIT),
    # -- bounded reads
    Case("body trickled 1 byte / 50 ms", lambda: hostile.trickle(0.05), ("eventHooks", "internal"),
         "fail closed", "no complete answer within 0.15 s", timeout=FAST_TIMEOUT),
    Case("400 MB body", lambda: hostile.huge_body(), ("brands",), "fail closed",
         "larger than 64 MiB (stopped reading after"),
    Case("400 MB announced", lambda: hostile.huge_body(announce=True), ("eventHooks",),
         "fail closed", "larger than 64 MiB (announced 419,430,400 bytes; not read)"),
    Case("pages never end", lambda: hostile.endless_pages(), ("systemLog",),
         "fail closed", f"pagination did not end after {PAGE_CAP_IN_MATRIX} pages",
         overrides={"max_pages": PAGE_CAP_IN_MATRIX}),
    # Brands, templates and customizations are capped by Okta's own limits, whatever the
    # client's cap: limit=200 is the spec's maximum (okta-management-openapi.yaml,
    # components.parameters.queryLimit); an org's brands are its default brand plus one per
    # custom domain, 3 by default and 200 on request (developer.okta.com/docs/concepts/brands,
    # "Multibrand and custom domains"); the email templates are a fixed set (31) and a
    # template's customizations one per language (27): each fits in one or two pages.
    Case("pages never end (capped family)", lambda: hostile.endless_pages(),
         ("brands", "templates", "customizations"), "fail closed",
         f"pagination did not end after {FAMILY_PAGE_CAP} pages (more than this list can hold"),
    # GET /api/v1/eventHooks has no pagination parameters in Okta's management spec: a next
    # link there is not Okta's answer (okta-management-openapi.yaml, listEventHooks).
    Case("next link on an unpaged list", lambda: hostile.endless_pages(), ("eventHooks",),
         "fail closed", "Okta's API does not page this resource, yet the answer has a next link"),
    # -- malformed links and shapes
    Case("next link: port 99999", lambda: hostile.next_link(_port), ("eventHooks",),
         "fail closed", "the next link is not a valid URL"),
    Case("next link: unparsable", lambda: hostile.next_link(_unparsable), ("brands",),
         "fail closed", "the next link is not a valid URL"),
    Case("next link: another host", lambda: hostile.next_link(_other_host), ("systemLog",),
         "fail closed", "the next link points at another host (http://127.0.0.2:"),
    Case("headers: 5", lambda: hostile.reshape(_set(["channel", "config", "headers"], 5)),
         ("eventHooks",), "fail closed",
         f"{SHAPE}/api/v1/eventHooks: [0].channel.config.headers should be an array or null "
         "(got an integer)"),
    Case("events.items: 7", lambda: hostile.reshape(_set(["events", "items"], 7)), ("eventHooks",),
         "fail closed", f"{SHAPE}/api/v1/eventHooks: [0].events.items should be an array"),
    Case("excludeZones: true", lambda: hostile.reshape(_set(["excludeZones"], True, first=False)),
         ("threatInsight",), "fail closed",
         f"{SHAPE}/api/v1/threats/configuration: excludeZones should be an array (got a boolean)"),
    Case("a list where an object belongs", lambda: hostile.reshape(lambda d: [d]),
         ("internal", "threatInsight"), "fail closed", "the response should be an object (got an array)"),
    Case("null instead of an object", lambda: hostile.reshape(lambda d: None), ("roleSubs",),
         "fail closed", "the response should be an object (got null)"),
    Case("brand entry is a list", lambda: hostile.reshape(lambda d: [[b] for b in d]), ("brands",),
         "fail closed", f"{SHAPE}/api/v1/brands: [0] should be an object (got an array)",
         only_path="/api/v1/brands"),
    Case("_embedded: []", lambda: hostile.reshape(_set(["_embedded"], [])), ("templates",),
         "fail closed", "[0]._embedded should be an object (got an array)"),
    Case("body: null", lambda: hostile.reshape(_set(["body"], None)), ("customizations",),
         "fail closed", "[0].body should be a string (got null)"),
    Case("log event target: {}", lambda: hostile.reshape(_set(["target"], {})), ("systemLog",),
         "fail closed", "[0].target should be an array or null (got an object)"),
    # -- absence is not compliance
    Case("brands: []", lambda: hostile.reshape(lambda d: []), ("brands",), "fail closed",
         "the org returned no default brand", only_path="/api/v1/brands"),
    Case("no default brand", lambda: hostile.reshape(_no_default), ("brands",), "fail closed",
         "the org returned no default brand", only_path="/api/v1/brands"),
    # Issue 19 §3: brands are keyed "default" or by id; an impostor would replace the default.
    Case("a non-default brand with id 'default'", lambda: hostile.reshape(_impostor), ("brands",),
         "fail closed", "the non-default brand 'Impostor Co' has the id 'default'",
         only_path="/api/v1/brands"),
    # -- a server that reflects the credentials into every error field
    Case("reflects token (403)", lambda: hostile.reflect(403),
         tuple(f.name for f in FAMILIES if not f.fatal), "fail closed", "HTTP 403"),
    Case("reflects token (500)", lambda: hostile.reflect(500), ("threatInsight",), "fail closed",
         "HTTP 500"),
    Case("reflects token (401)", lambda: hostile.reflect(401), ("users/me",), "fatal",
         "Okta rejected the API token"),
    Case("reflects assertion", lambda: hostile.reflect(401), ("oauth token",), "fatal",
         "Okta refused the OAuth token request", oauth=True),
    Case("reflects access token + DPoP proof", lambda: hostile.reflect(403), ("eventHooks",),
         "fail closed", "HTTP 403", oauth=True),
)

PREFIXES = {f.name: f.prefix for f in FAMILIES} | {"all": "/", "oauth token": "/oauth2/v1/token"}
COLUMNS = [f.name for f in FAMILIES] + ["all", "oauth token", "check", "plan", "drift"]
COLUMNS += ["audit", "import", "reports", "investigate"]  # test_deadline.py, the impostor brand
# Issue 19 §1: run with the real clock and pacing (test_deadline.py), each ends by --deadline.
DEADLINE_ROWS = ["deadline: bucket always empty", "deadline: brands never end, paced",
                 "deadline: brands never end, tight budget", "deadline: System Log never ends, slow"]
FILE_ROWS = [
    "bodyFile ../ escape", "bodyFile /proc/self/environ", "bodyFile symlink to /proc",
    "billion laughs stack", "alias in waivers", "alias in ignores", "--output is a directory",
    "--also parent is a file", "--output unwritable (/proc)", "*.localhost org URL",
]
ROWS = [c.row for c in CASES] + FILE_ROWS + DEADLINE_ROWS
