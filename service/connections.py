"""uvicorn's HTTP/1.1 protocol with what it lacks facing a network: a deadline for a request's head, a cap on
open connections. An ASGI middleware cannot do either: it first sees a request once its head is parsed."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from .metrics import OPEN_CONNECTIONS

#: A request's head (request line and headers) must arrive whole within this many seconds of the connection
#: opening, or of the first byte of the next request on a kept-alive one: a client sending it a byte at a time
#: (slowloris) held a connection for as long as it liked — h11 has no deadline of its own.
HEAD_SECONDS = 10.0
#: Open connections this process keeps; the next one is answered 503 and closed before a byte of it is read.
#: A file descriptor and a little memory each; a real load of 32 clients uses 32.
MAX_CONNECTIONS = 512
RETRY_AFTER_SECONDS = 5


def _problem(status: int, reason: str, kind: str, title: str, detail: str, retry_after: int | None = None) -> bytes:
    """A whole HTTP/1.1 answer with an RFC 7807 body that closes the connection, written before h11 saw a request."""
    body = json.dumps({"type": f"urn:kamengine:problem:{kind}", "title": title, "status": status, "detail": detail})
    head = [
        f"HTTP/1.1 {status} {reason}",
        "content-type: application/problem+json",
        f"content-length: {len(body.encode())}",
        "connection: close",
        *([f"retry-after: {retry_after}"] if retry_after is not None else []),
    ]
    return ("\r\n".join(head) + "\r\n\r\n" + body).encode()


TOO_MANY = _problem(
    503, "Service Unavailable", "busy", "The service is busy",
    f"over {MAX_CONNECTIONS} open connections; try again shortly", RETRY_AFTER_SECONDS,
)  # fmt: skip
HEAD_TOO_SLOW = _problem(
    408, "Request Timeout", "request-timeout", "The request took too long",
    f"the request's head did not arrive within {HEAD_SECONDS:g} seconds",
)  # fmt: skip


class GuardedH11Protocol(H11Protocol):
    """H11Protocol that closes a connection whose request head is late, and refuses connections over the cap."""

    max_connections = MAX_CONNECTIONS
    head_seconds = HEAD_SECONDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]
        OPEN_CONNECTIONS.inc()  # every connection made is lost once: connection_lost takes it off
        if len(self.connections) > self.max_connections:
            self.transport.write(TOO_MANY)
            self.transport.close()
            return
        self._await_head()

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE and self._head_deadline is None:
            self._await_head()  # the first byte of a kept-alive connection's next request: its head is due
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # the head arrived (h11 moves on once it has parsed one)
            self._head_arrived()

    def connection_lost(self, exc: Exception | None) -> None:
        OPEN_CONNECTIONS.dec()
        self._head_arrived()
        super().connection_lost(exc)

    def _await_head(self) -> None:
        self._head_deadline = self.loop.call_later(self.head_seconds, self._head_late)

    def _head_arrived(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_late(self) -> None:
        self._head_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.write(HEAD_TOO_SLOW)
            self.transport.close()
