"""``sarguard responder serve|status``: the service a report's event hook points at."""

from __future__ import annotations

import argparse
import os

from sarguard.commands.argtypes import ranged
from sarguard.errors import UsageError
from sarguard.util.output import write_output
from sarguard.util.termwidth import table_width

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080


_port = ranged(int, lambda n: 0 <= n <= 65535, "a port number 0-65535")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="responder_command", metavar="SUBCOMMAND",
                                help="serve (the hook endpoint), status (what it did) or "
                                     "unblock (take back a campaign's IP block)")
    serve = sub.add_parser(
        "serve", help="receive Okta's deliveries and run the declared response",
        description="Serve the hook endpoint (and /healthz, /metrics) and run the response "
                    "declared in responder.yaml. Needs the 'responder' extra.")
    serve.add_argument("--config", required=True, metavar="FILE", help="the responder.yaml to use")
    serve.add_argument("--host", default=DEFAULT_HOST,
                       help=f"address to listen on (default {DEFAULT_HOST}; anything else only "
                            "behind a TLS-terminating proxy)")
    serve.add_argument("--port", type=_port, default=DEFAULT_PORT,
                       help=f"port to listen on (default {DEFAULT_PORT}; 0 picks a free one and "
                            "the 'listening on' line names it)")
    serve.add_argument("--log-format", choices=["text", "json"], default="text",
                       metavar="FORMAT",
                       help="the log on stderr: text lines, or json (one object a line: ts, "
                            "level, event and the ids); default text")
    status = sub.add_parser(
        "status", help="what the responder received, did, still has to do, and its last errors",
        description="Read the responder's store (works while a responder serves).")
    status.add_argument("--config", required=True, metavar="FILE", help="the responder.yaml to use")
    status.add_argument("--format", choices=["text", "json"], default="text",
                        help="output format (default text)")
    status.add_argument("--output", metavar="FILE",
                        help="write to FILE (atomically) instead of stdout")
    unblock = sub.add_parser(
        "unblock", help="remove an address campaign.blockIp added to the block-list zone",
        description="Take IP out of the Okta IP block-list zone the responder added it to "
                    "(recorded in its store), under the zone lease the responders use.")
    unblock.add_argument("ip", metavar="IP", help="the address to unblock (as blocked: a /32 "
                                                  "or /128)")
    unblock.add_argument("--config", required=True, metavar="FILE",
                         help="the responder.yaml to use")


def run(args: argparse.Namespace) -> int:
    from sarguard.responder.extra import require_extra

    if args.responder_command is None:
        raise UsageError("expected a subcommand: sarguard responder serve|status|unblock "
                         "--config FILE")
    require_extra()
    from sarguard.responder.config import load_config

    env = dict(os.environ)
    if args.responder_command == "serve":
        from sarguard.responder.service import serve

        config = load_config(args.config, env)
        return serve(config, host=args.host, port=args.port, env=env,
                     log_format=args.log_format)
    if args.responder_command == "unblock":
        from sarguard.responder.unblock import unblock

        print(unblock(load_config(args.config, env, serving=False), env, args.ip))
        return 0
    from sarguard.responder.status import render_status_json, render_status_text
    from sarguard.responder.store.engine import open_store
    from sarguard.responder.store.migrate import check_readable
    from sarguard.responder.store.readers import status_summary

    config = load_config(args.config, env, serving=False)
    store = open_store(config.database_url, pool_size=2, must_exist=True)
    try:
        check_readable(store)
        summary = status_summary(store)
    finally:
        store.dispose()
    text = (render_status_json(summary) if args.format == "json"
            else render_status_text(summary, width=table_width(args.output)))
    write_output(text, args.output)
    return 0
