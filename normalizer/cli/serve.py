"""`uanorm serve`: the reconciliation service for OpenRefine and the lookup page, over HTTP."""

from __future__ import annotations

import argparse
import ipaddress
import socket
import sys

from . import CommandError

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
    parser.add_argument("--access-log", action="store_true", help="log every request to stderr")
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
    _check_free(args.host, args.port)
    url = _url(args.host, args.port)
    print(f"uanorm serve: lookup page {url}/ ; reconciliation service {url}/reconcile (Ctrl-C stops)",
          file=sys.stderr, flush=True)
    if not _is_loopback(args.host):
        print(f"uanorm serve: warning: {args.host} is reachable from other machines; the service is read-only "
              "and has no authentication", file=sys.stderr, flush=True)
    uvicorn.run("normalizer.serve.app:create_app", factory=True, host=args.host, port=args.port,
                workers=args.workers, access_log=args.access_log, log_level="info" if args.access_log else "warning",
                server_header=False, proxy_headers=False)
    return 0


def _check_free(host: str, port: int) -> None:
    """Fail in one line, before starting workers, when the address cannot be bound."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise CommandError(f"cannot bind {host}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise CommandError(f"cannot listen on {_url(host, port)}: {exc.strerror}") from None


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
