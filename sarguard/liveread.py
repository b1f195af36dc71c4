"""Read a live org (configuration + System Log) into one OrgState. The only place the live
commands touch the network; controls and drift then work on the result."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from sarguard.evidence.live import describe_failure, read_live_state_sync
from sarguard.model import OrgState
from sarguard.okta.client import OktaClient
from sarguard.okta.errors import OktaAuthError, OktaError
from sarguard.okta.logs import iter_logs
from sarguard.systemlog.evidence import SystemLogUnavailable, attach_system_log

Progress = Callable[[str, int, int], None]


def log_fetcher(client: OktaClient) -> Callable[[str | None, datetime, datetime], Iterator[dict[str, Any]]]:
    """A System Log fetcher whose failures carry the exact unread reason (e.g. the scope)."""

    def fetch(filter_: str | None, since: datetime, until: datetime) -> Iterator[dict[str, Any]]:
        try:
            yield from iter_logs(client, since=since, until=until, filter=filter_)
        except OktaAuthError:
            raise
        except OktaError as exc:
            raise SystemLogUnavailable(describe_failure(exc, "the System Log")) from None

    return fetch


def read_org(client: OktaClient, *, since: datetime | None, until: datetime | None,
             progress: Progress | None = None) -> OrgState:
    """Configuration, then (when a window is given) System Log evidence over ``since..until``."""
    state = read_live_state_sync(client, progress=progress)
    if since is not None and until is not None:
        attach_system_log(state, log_fetcher(client), since=since, until=until)
        state.meta["api"] = client.stats.as_dict()
    return state
