"""``symtutor serve``: the checker as a JSON API, and practice in the browser.

One process serves both: FastAPI routes under /api/v1 (validate, check,
exercise, steps, progress, practice) on uvicorn, and the practice app's
static files (MathLive shipped inside the package).  Checks run in a pool of
sandboxed workers, one per core, behind a bounded queue.

The server binds 127.0.0.1 unless told otherwise and prints its URL with an
access token; bound to any other interface it refuses every request without
the token.  This module stays light: FastAPI and uvicorn are imported when the
server starts.
"""

from __future__ import annotations

import argparse
import ipaddress
import socket

from ..errors import SymtutorError

__all__ = ["add_parser", "main", "is_loopback"]


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only.

    Examples:
        >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
        (True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def add_parser(sub) -> None:
    """Register the ``serve`` sub-command on the CLI's sub-parsers."""
    p = sub.add_parser(
        "serve",
        help="the checker as a web service, and practice in the browser",
        description="Serve the JSON API (/api/v1, schema at /api/v1/openapi.json) and the practice app. "
        "Prints the URL to open, with an access token; bound to an interface other than loopback, every "
        "request must carry the token.",
        epilog="examples:\n  symtutor serve\n  symtutor serve --port 8080 --db class.sqlite3\n"
        "  symtutor serve --host 0.0.0.0 --workers 4",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1", help="the interface to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="the port (default 8000; 0 picks a free one)")
    p.add_argument("--db", metavar="PATH", help="the progress store (default: $SYMTUTOR_DB or your data folder)")
    p.add_argument("--workers", type=int, help="sandboxed check workers (default: one per core)")
    p.add_argument("--queue", type=int, help="requests that may wait for a worker (default 32 per worker); "
                   "past that the server answers 503 with Retry-After")
    p.add_argument("--token", help="the access token (default: a fresh random one)")
    p.add_argument("--client-timeout", type=float, default=10.0, metavar="SECONDS",
                   help="seconds a client has to send a request's head, and again its body (default 10)")
    p.add_argument("--require-token", action="store_true",
                   help="ask for the token on loopback too (always asked elsewhere)")
    p.set_defaults(handler=main)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise SymtutorError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def main(args) -> int:
    """Run the server the sub-command's arguments describe, until interrupted."""
    if not 0 <= args.port <= 65535:
        raise SymtutorError(f"--port must be between 0 and 65535, not {args.port}")
    if args.workers is not None and not 1 <= args.workers <= 64:
        raise SymtutorError(f"--workers must be between 1 and 64, not {args.workers}")
    if not 0 < args.client_timeout <= 600:
        raise SymtutorError(f"--client-timeout must be between 0 and 600 seconds, not {args.client_timeout}")
    if args.queue is not None and args.queue < 0:
        raise SymtutorError(f"--queue must be 0 or more, not {args.queue}")
    try:
        import uvicorn

        from .app import create_app, new_token
        from .guard import LOOPBACK_HOSTS, Guard, HeaderDeadlineH11, keep_sockets_from_workers
    except ImportError as exc:
        raise SymtutorError(f"symtutor serve needs {exc.name}: pip install 'symtutor[serve]'") from None
    from ..progress import ProgressStore

    try:  # a store that cannot be used is an error now, not at the first answer
        with ProgressStore(args.db) as store:
            db = store.path
    except OSError as exc:
        raise SymtutorError(f"cannot use the progress store {args.db}: {exc.strerror or exc}") from None
    loopback = is_loopback(args.host)
    token = args.token or new_token()
    sock = _bind(args.host, args.port)
    keep_sockets_from_workers(sock)
    port = sock.getsockname()[1]
    shown = f"[{args.host.strip('[]')}]" if ":" in args.host else args.host
    url = f"http://{shown}:{port}/?token={token}"

    def ready() -> None:
        print(f"symtutor serve: {url}", flush=True)
        print(f"  API: http://{shown}:{port}/api/v1 (schema: /api/v1/openapi.json); progress store: {db}",
              flush=True)
        if not loopback:
            print("  bound beyond this machine: every request must carry the token", flush=True)

    app = create_app(db=db, workers=args.workers, queue=args.queue, on_ready=ready)
    # on loopback, the Host check lets through the names of this machine, and the one the server is bound to
    hosts = (*LOOPBACK_HOSTS, shown) if loopback else None
    guarded = Guard(app, token=token, require_token=args.require_token or not loopback,
                    allowed_hosts=hosts, body_timeout=args.client_timeout)
    protocol = type("Protocol", (HeaderDeadlineH11,), {"header_timeout": args.client_timeout})
    config = uvicorn.Config(guarded, http=protocol, lifespan="on", log_level="warning",
                            access_log=False, timeout_keep_alive=5, limit_concurrency=2000,
                            timeout_graceful_shutdown=3, server_header=False)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:  # pragma: no cover
        pass
    finally:
        sock.close()
    return 0
