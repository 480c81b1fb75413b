"""What a request must be before the app reads it: a bounded body, and with ``--no-auth`` a loopback Host and origin."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .problems import Problem
from .server import is_loopback

#: Every body but a snapshot's: a decision, a login form, a button's form are a few hundred bytes.
SMALL_BODY = 64 * 1024
#: The requests whose body is a snapshot (bounded by ``[limits] snapshot_mb``) and the types it may come as.
SNAPSHOT_ROUTES = re.compile(r"^(POST /v1/advise|PUT /v1/accounts/[^/]+/snapshot)/?$")
SNAPSHOT_TYPES = {"application/json", "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"}
DECISION_ROUTE = re.compile(r"^POST /v1/recommendations/[^/]+/[^/]+/?$")
#: A snapshot body this large is a big account's (30 contacts are 15 KB). Parsed, validated and advised, one costs
#: about 45 times its size in memory (a 47 MB one 2.1 GB, docs/serve.md "Memory"), so large ones are read at once
#: only while their sizes together fit the budget (``[limits] snapshot_mb``); the next is answered 503 with
#: Retry-After, unread. Smaller snapshots, the everyday kind, are never held back.
LARGE_BODY = 1024 * 1024
LARGE_RETRY_SECONDS = 10
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class _Cut(Exception):
    """Raised into the app by its ``receive`` when the body passes its cap, or becomes large when no place for a
    large one is free: the app stops reading it."""


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _host_of(authority: str) -> str:
    """The host of ``host[:port]`` or ``[v6]:port``, without the brackets."""
    if authority.startswith("["):
        return authority[1:].partition("]")[0]
    return authority.rpartition(":")[0] if authority.count(":") == 1 else authority


def _own_origin(url: str, port: int) -> bool:
    """Whether ``url`` (an Origin or a Referer) is this server on a loopback name: another page is not."""
    try:
        parts = urlsplit(url)
        return parts.scheme == "http" and is_loopback(parts.hostname or "") and (parts.port or 80) == port
    except ValueError:
        return False


def local_refusal(scope: Scope) -> Problem | None:
    """With ``--no-auth`` the server acts as admin for whoever reaches it: only this machine's own requests do.
    A Host that is not loopback is DNS rebinding; an unsafe request from another origin is another site's page."""
    host = _host_of(_header(scope, b"host") or "")
    if not is_loopback(host):
        return Problem(403, "forbidden", "Forbidden", "with --no-auth only requests to a loopback Host are served")
    if scope["method"] in UNSAFE:
        port = scope["server"][1] if scope.get("server") else 0
        for name in (b"origin", b"referer"):
            said = _header(scope, name)
            if said is not None and not _own_origin(said, port):
                detail = f"with --no-auth a {scope['method']} must come from this server's own pages"
                return Problem(403, "forbidden", "Forbidden", detail)
    return None


def media_refusal(route: str, scope: Scope) -> Problem | None:
    """A snapshot comes as JSON or YAML, a decision as JSON: a form or plain text (what another site's page can
    send without asking) is refused. A body without a type is taken as before."""
    declared = _header(scope, b"content-type")
    if declared is None:
        return None
    kind = declared.partition(";")[0].strip().lower()
    if SNAPSHOT_ROUTES.match(route):
        wanted = SNAPSHOT_TYPES
    elif DECISION_ROUTE.match(route):
        wanted = {"application/json"}
    else:
        return None
    if kind in wanted:
        return None
    detail = f"Content-Type {kind or declared!r} is not taken here: send {' or '.join(sorted(wanted))}"
    return Problem(415, "unsupported-media-type", "Unsupported media type", detail)


def too_large(snapshot: bool, cap: int) -> Problem:
    title = "The snapshot is too large" if snapshot else "The request body is too large"
    return Problem(413, "too-large", title, f"over the limit of {cap} bytes")


def too_busy(budget: int) -> Problem:
    detail = f"snapshots of {budget // (1024 * 1024)} MB together are being read already; try again shortly"
    return Problem(503, "busy", "The service is busy", detail)


def _answer(problem: Problem) -> JSONResponse:
    """The refusal as sent: a busy service says when to try again."""
    return problem.response({"Retry-After": str(LARGE_RETRY_SECONDS)} if problem.kind == "busy" else None)


class Guard:
    """Pure ASGI middleware: refuses what must not reach the app, and caps every body as it streams in — a
    declared length over the cap is refused unread, a chunked body as soon as it passes the cap. Large snapshots
    share a budget of bytes (by default the snapshot cap: one of the largest at a time)."""

    def __init__(
        self,
        app: ASGIApp,
        snapshot_cap: Callable[[], int],
        auth: Callable[[], bool],
        large_budget: Callable[[], int] | None = None,
    ) -> None:
        self.app, self.snapshot_cap, self.auth = app, snapshot_cap, auth
        self.large_budget = large_budget or snapshot_cap
        self.large_bytes = 0  # of the large snapshots being read or advised; changed on the event loop's one thread

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = f"{scope['method']} {scope['path']}"
        snapshot = bool(SNAPSHOT_ROUTES.match(route))
        cap = self.snapshot_cap() if snapshot else SMALL_BODY
        declared = _header(scope, b"content-length") or ""
        refused = (None if self.auth() else local_refusal(scope)) or media_refusal(route, scope)
        if refused is None and declared.isdigit() and int(declared) > cap:
            refused = too_large(snapshot, cap)
        reserved = 0  # what this request holds of the budget: its declared length, or what a chunked body has grown to
        if refused is None and snapshot and declared.isdigit() and int(declared) > LARGE_BODY:
            reserved = self._reserve(0, int(declared))
            refused = None if reserved else too_busy(self.large_budget())
        if refused is not None:
            await _answer(refused)(scope, receive, send)
            return
        received, cut, started = 0, None, False

        async def receiving() -> Message:
            nonlocal received, cut, reserved
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    cut = too_large(snapshot, cap)
                elif snapshot and received > max(reserved, LARGE_BODY):  # a body larger than it said, or chunked
                    held = self._reserve(reserved, received)
                    cut = None if held else too_busy(self.large_budget())
                    reserved = held or reserved
                if cut is not None:
                    raise _Cut
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            if cut is not None:  # what the app makes of a cut body is not sent: the refusal is
                return
            started = True
            await send(message)

        try:
            await self.app(scope, receiving, sending)
        except Exception:
            if cut is None:
                raise
        finally:
            self.large_bytes -= reserved
        if cut is not None and not started:
            await _answer(cut)(scope, receive, send)

    def _reserve(self, held: int, wanted: int) -> int:
        """Grow a request's share of the budget from ``held`` to ``wanted`` bytes; 0 when it does not fit. A request
        alone always fits (its body is capped already), so the largest snapshot is never refused for ever."""
        others = self.large_bytes - held
        if others and others + wanted > self.large_budget():
            return 0
        self.large_bytes += wanted - held
        return wanted
