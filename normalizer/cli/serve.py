"""`uanorm serve`: the reconciliation service for OpenRefine and the lookup page, over HTTP."""

from __future__ import annotations

import argparse
import ipaddress
import sys
from typing import Any

from . import EXIT_ERROR, EXIT_OK, CommandError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
#: What `pip install` needs for this command.
EXTRA_HINT = "uanorm serve needs the serve extra: pip install 'uanorm[serve]'"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `serve` command."""
    parser = subparsers.add_parser(
        "serve",
        help="run the reconciliation service (OpenRefine) and the lookup page",
        description="Serve the Reconciliation Service API 0.2 at /reconcile (in OpenRefine: Reconcile -> "
                    "Start reconciling -> Add standard service -> http://HOST:PORT/reconcile) and a lookup "
                    "page at /. Read-only; binds 127.0.0.1 unless told otherwise.",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST}; "
                        "0.0.0.0 shares the service with the network, without authentication)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--workers", type=int, default=1,
                        help="worker processes, each with its own matcher (default 1; up to one per core)")
    parser.add_argument("--access-log", action="store_true", help="log every request to standard output")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Check the set-up, build the gazetteer once, then serve until interrupted."""
    if not 1 <= args.port <= 65535:
        raise CommandError(f"--port must be between 1 and 65535, not {args.port}")
    if args.workers < 1:
        raise CommandError(f"--workers must be at least 1, not {args.workers}")
    try:
        import starlette  # noqa: F401 (the app's framework, imported by the workers)
        import uvicorn
    except ImportError:
        raise CommandError(EXTRA_HINT) from None

    from normalizer import Normalizer

    Normalizer().close()  # build (or check) the home once, before the workers open it
    url = _url(args.host, args.port)
    print(f"uanorm serve: lookup page {url}/ ; reconciliation service {url}/reconcile (Ctrl-C stops)",
          file=sys.stderr, flush=True)
    if not _is_loopback(args.host):
        print(f"uanorm serve: warning: {args.host} is reachable from other machines; the service is read-only "
              "and has no authentication", file=sys.stderr, flush=True)
    try:
        uvicorn.run("normalizer.serve.app:create_app", factory=True, host=args.host, port=args.port,
                    workers=args.workers, access_log=args.access_log, log_config=log_config(args.access_log),
                    server_header=False, proxy_headers=False)
    except SystemExit as exc:  # uvicorn could not start (the address is taken ...): it said why, in one line
        return EXIT_ERROR if exc.code not in (0, None) else EXIT_OK
    return EXIT_OK


def log_config(access_log: bool) -> dict[str, Any]:
    """uvicorn's logging: problems as one 'uanorm serve: ...' line on stderr; requests on stdout if asked."""
    stream = {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "line"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"line": {"format": "uanorm serve: %(levelname)s: %(message)s"},
                       "access": {"()": "uvicorn.logging.AccessFormatter", "use_colors": False,
                                  "fmt": '%(asctime)s %(client_addr)s "%(request_line)s" %(status_code)s'}},
        "handlers": {"line": stream, "access": {**stream, "stream": "ext://sys.stdout", "formatter": "access"}},
        "loggers": {
            "uvicorn": {"handlers": ["line"], "level": "WARNING", "propagate": False},
            "uanorm.serve": {"handlers": ["line"], "level": "WARNING", "propagate": False},
            "uvicorn.access": {"handlers": ["access"], "level": "INFO" if access_log else "WARNING",
                               "propagate": False},
        },
    }


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
