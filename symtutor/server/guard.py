"""The server's outer guards, as plain ASGI middleware and an HTTP protocol with a header deadline.

* :class:`Guard`: the access token (header, cookie or ``?token=``, which
  becomes a cookie), the Host check on loopback (against DNS rebinding), the
  body cap counted while the body streams in, a deadline on reading the body,
  and security headers on every answer.
* :class:`HeaderDeadlineH11`: uvicorn's h11 protocol, closing a connection
  whose request head has not fully arrived within a few seconds (slowloris).
* :func:`keep_sockets_from_workers`: a sandbox worker forked while the server
  runs closes its copies of the server's sockets, so that a connection the
  server closes is closed (the client sees the end of it) and the port is
  free when the server stops.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import os
import socket
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

import h11
from starlette.exceptions import HTTPException
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["Guard", "HeaderDeadlineH11", "COOKIE", "LOOPBACK_HOSTS", "keep_sockets_from_workers"]

COOKIE = "symtutor_token"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")

_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; "
    "img-src 'self' data:; connect-src 'self'; media-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", _CSP.encode()),
]


_SERVER_FDS: set[int] = set()  # the listening socket and every open connection of this server process
_AT_FORK = False


def _close_server_fds() -> None:
    for fd in list(_SERVER_FDS):
        try:
            os.close(fd)
        except OSError:
            pass
    _SERVER_FDS.clear()


def keep_sockets_from_workers(listening: socket.socket) -> None:
    """Close the server's sockets (``listening`` and the open connections) in every process forked from now on.

    Sandbox workers are forked from the server process, some while it serves:
    without this, each would hold a copy of every connection open at that
    moment, and a connection the server closes would stay open for its client.

    Examples:
        >>> import socket
        >>> with socket.socket() as s:
        ...     keep_sockets_from_workers(s)
        ...     s.fileno() in _SERVER_FDS
        True
    """
    global _AT_FORK
    _SERVER_FDS.add(listening.fileno())
    if not _AT_FORK:
        os.register_at_fork(after_in_child=_close_server_fds)
        _AT_FORK = True


class _BodyError(HTTPException):
    """A body too large or too slow: raised while the app reads it, answered as a 4xx."""

    def __init__(self, status: int, message: str):
        super().__init__(status, message)
        self.status = status
        self.message = message


async def _send_json(send, status: int, code: str, message: str, extra_headers=()) -> None:
    body = json.dumps({"error": code, "message": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               (b"connection", b"close"), *extra_headers, *_HEADERS]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class Guard:
    """ASGI middleware: token, Host check, body cap and body deadline, security headers."""

    def __init__(self, app, *, token: str, require_token: bool, max_body: int = 256 * 1024,
                 body_timeout: float = 10.0, allowed_hosts=LOOPBACK_HOSTS):
        self.app = app
        self.token = token
        self.require_token = require_token
        self.max_body = max_body
        self.body_timeout = body_timeout
        self.allowed_hosts = tuple(allowed_hosts) if allowed_hosts else None

    def _authorised(self, scope, headers: dict) -> tuple[bool, bool]:
        """(the request carries the token, it carried it in the query string)."""
        given = []
        auth = headers.get(b"authorization", b"").decode("latin-1")
        if auth.lower().startswith("bearer "):
            given.append(auth[7:].strip())
        if b"x-symtutor-token" in headers:
            given.append(headers[b"x-symtutor-token"].decode("latin-1"))
        if b"cookie" in headers:
            jar = SimpleCookie()
            try:
                jar.load(headers[b"cookie"].decode("latin-1"))
            except Exception:  # a malformed cookie header: ignore it
                jar = SimpleCookie()
            if COOKIE in jar:
                given.append(jar[COOKIE].value)
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        in_query = "token" in query
        if in_query:
            given.append(query["token"])
        ok = any(hmac.compare_digest(g.encode(), self.token.encode()) for g in given)
        return ok, in_query and ok

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {}
        for k, v in scope["headers"]:
            headers.setdefault(k, v)
        if self.allowed_hosts is not None:
            host = headers.get(b"host", b"").decode("latin-1")
            name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
            if name not in self.allowed_hosts:
                return await _send_json(send, 403, "forbidden_host",
                                        f"this server answers to {', '.join(self.allowed_hosts[:2])} only")
        ok, from_query = self._authorised(scope, headers)
        if self.require_token and not ok:
            return await _send_json(send, 401, "token_required",
                                    "open the URL that 'symtutor serve' printed, or send the token "
                                    "(Authorization: Bearer TOKEN)",
                                    [(b"www-authenticate", b"Bearer")])
        if from_query and scope["method"] == "GET" and not scope["path"].startswith("/api/"):
            # token in the URL: keep it in a cookie, and take it out of the address bar
            query = [(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1")) if k != "token"]
            location = scope["path"] + ("?" + urlencode(query) if query else "")
            cookie = f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict"
            await send({"type": "http.response.start", "status": 303,
                        "headers": [(b"location", location.encode()), (b"set-cookie", cookie.encode()),
                                    (b"content-length", b"0"), *_HEADERS]})
            return await send({"type": "http.response.body", "body": b""})
        length = headers.get(b"content-length")
        if length is not None:
            try:
                n = int(length)
            except ValueError:
                return await _send_json(send, 400, "bad_length", "Content-Length is not a number")
            if n > self.max_body:
                return await _send_json(send, 413, "too_large", f"the body is over {self.max_body} bytes")
        received = 0
        started = False

        async def guarded_receive():
            nonlocal received
            try:
                message = await asyncio.wait_for(receive(), self.body_timeout)
            except asyncio.TimeoutError:
                raise _BodyError(408, f"the body did not arrive within {self.body_timeout:g} s") from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise _BodyError(413, f"the body is over {self.max_body} bytes")
            return message

        async def guarded_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = dict(message)
                message["headers"] = [*message.get("headers", []), *_HEADERS]
            await send(message)

        try:
            await self.app(scope, guarded_receive, guarded_send)
        except _BodyError as exc:
            if not started:
                await _send_json(send, exc.status, "too_large" if exc.status == 413 else "too_slow", exc.message)


class HeaderDeadlineH11(H11Protocol):
    """uvicorn's h11 protocol, with a deadline for each request's head (slowloris)."""

    header_timeout = 10.0

    def _arm(self) -> None:
        self._disarm()
        self._head_deadline = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        handle = getattr(self, "_head_deadline", None)
        if handle is not None:
            handle.cancel()
            self._head_deadline = None

    def _too_slow(self) -> None:
        self._head_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport):
        super().connection_made(transport)
        sock = transport.get_extra_info("socket")
        self._fd = -1
        if sock is not None:
            self._fd = sock.fileno()
            _SERVER_FDS.add(self._fd)
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            # a response goes out as two writes (head, body): without this, Nagle holds the second
            # back until the client's delayed ACK, some 40 ms on every keep-alive request
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm()

    def connection_lost(self, exc):
        self._disarm()
        _SERVER_FDS.discard(getattr(self, "_fd", -1))
        sock = self.transport.get_extra_info("socket") if self.transport is not None else None
        if sock is not None:
            try:  # the end of the connection for the client, whichever process still holds a copy of it
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        super().connection_lost(exc)
