"""``sarguard reports [--since 30d]``: suspicious-activity reports with what was reported."""

from __future__ import annotations

import argparse

from sarguard.commands.logs_common import (
    add_log_arguments,
    connection_args,
    fetcher,
    unread_json,
    unread_text,
    window,
)
from sarguard.systemlog.reports import fetch_reports, render_reports_json, render_reports_text
from sarguard.util.output import write_output
from sarguard.util.termwidth import table_width


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_log_arguments(parser, until=True)
    parser.add_argument("--responder-db", metavar="URL",
                        help="link each report to its response in a `sarguard responder` store "
                             "(sqlite:////path/responder.db or postgresql+psycopg://host/db; a "
                             "password only through PGPASSWORD or ~/.pgpass); needs the "
                             "'responder' extra")


def run(args: argparse.Namespace) -> int:
    now, since, until = window(args)
    if args.responder_db:
        from sarguard.responder.links import check_responder_db, link_responses

        check_responder_db(args.responder_db)  # before the System Log is queried
    unread: list[str] = []  # what the run's --deadline left unread: a partial list, exit 2
    rows = fetch_reports(fetcher(args, unread), since=since, until=until, now=now,
                         connection=connection_args(args))
    if args.responder_db:
        rows = link_responses(rows, args.responder_db)
    if args.format == "json":
        text = render_reports_json(rows, since=since, until=until, unread=unread_json(unread))
    else:
        text = (render_reports_text(rows, since=since, until=until, width=table_width(args.output))
                + unread_text(unread))
    write_output(text, args.output)
    return 2 if unread else 0
