"""``kb serve``: the command-line face of :mod:`kb.serve` (registered by :mod:`kb.cli`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kb.model.errors import UsageError


def cmd_serve(args: argparse.Namespace) -> int:
    from kb.serve.http import Settings, serve

    if args.site is not None and not Path(args.site).is_dir():
        raise UsageError(f"{args.site}: no such folder (build the site first: kb site build)")
    for name in ("workers", "max_rows", "max_body", "max_memory", "max_reply", "max_connections"):
        if getattr(args, name) < 1:
            raise UsageError(f"--{name.replace('_', '-')} must be at least 1")
    if not 0 <= args.port <= 65535:
        raise UsageError("--port must be between 0 and 65535")
    if args.cache_mb < 0:
        raise UsageError("--cache-mb must be 0 or more")
    if args.timeout <= 0 or args.request_timeout <= 0:
        raise UsageError("--timeout and --request-timeout must be more than 0 seconds")
    serve(
        Settings(
            host=args.host,
            port=args.port,
            paths=tuple(args.paths) or None,
            site=Path(args.site) if args.site else None,
            workers=args.workers,
            timeout=args.timeout,
            max_rows=args.max_rows,
            max_body=args.max_body,
            max_memory=args.max_memory,
            max_reply=args.max_reply,
            max_connections=args.max_connections,
            request_timeout=args.request_timeout,
            allowed_hosts=tuple(args.allowed_host),
            cors_origins=tuple(args.cors_origin),
            cache_mb=args.cache_mb,
            quiet=args.quiet,
        )
    )
    return 0


def register(sub: Any) -> None:
    help_text = "Serve the KB as a read-only SPARQL 1.1 endpoint, with the named questions as JSON."
    p = sub.add_parser("serve", help=help_text, description=help_text)
    p.set_defaults(handler=cmd_serve)
    p.add_argument(
        "paths", nargs="*", metavar="PATH", help="Turtle files or folders (default: bundled KB)"
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    p.add_argument(
        "--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)"
    )
    p.add_argument("--site", metavar="DIR", help="also serve this built site at /")
    p.add_argument("--workers", type=int, default=2, help="query worker processes (default: 2)")
    p.add_argument(
        "--timeout",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="time limit per query; longer ones are stopped (default: 5)",
    )
    p.add_argument(
        "--max-rows",
        type=int,
        default=10_000,
        metavar="N",
        help="most rows or triples a result may have (default: 10000)",
    )
    p.add_argument(
        "--max-body",
        type=int,
        default=64 * 1024,
        metavar="BYTES",
        help="largest request body accepted (default: 65536)",
    )
    p.add_argument(
        "--max-memory",
        type=int,
        default=1024,
        metavar="MB",
        help="memory each query worker may use; a query needing more is stopped (default: 1024)",
    )
    p.add_argument(
        "--max-reply",
        type=int,
        default=16 * 1024 * 1024,
        metavar="BYTES",
        help="largest answer sent; a larger one is refused (default: 16777216)",
    )
    p.add_argument(
        "--max-connections",
        type=int,
        default=128,
        metavar="N",
        help="most open connections; stalled ones make way for new (default: 128)",
    )
    p.add_argument(
        "--request-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="time a client has to send a whole request (default: 10)",
    )
    p.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="answer requests whose Host is NAME (IP addresses and localhost always are)",
    )
    p.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="let pages from ORIGIN (or * for any) read answers; none by default",
    )
    p.add_argument(
        "--cache-mb",
        type=int,
        default=64,
        metavar="MB",
        help="memory for answers kept for repeated requests; 0 keeps none (default: 64)",
    )
    p.add_argument("--quiet", action="store_true", help="do not log each request")
