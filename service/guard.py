"""What a request must be before the app reads it: a bounded body, and with ``--no-auth`` a loopback Host and origin."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .problems import Problem
from .server import is_loopback

#: Every body but a snapshot's: a decision, a login form, a button's form are a few hundred bytes.
SMALL_BODY = 64 * 1024
#: The requests whose body is a snapshot (bounded by ``[limits] snapshot_mb``) and the types it may come as.
SNAPSHOT_ROUTES = re.compile(r"^(POST /v1/advise|PUT /v1/accounts/[^/]+/snapshot)/?$")
SNAPSHOT_TYPES = {"application/json", "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"}
DECISION_ROUTE = re.compile(r"^POST /v1/recommendations/[^/]+/[^/]+/?$")
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class _TooLarge(Exception):
    """Raised into the app by its ``receive`` when the body passes its cap: the app stops reading it."""


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


class Guard:
    """Pure ASGI middleware: refuses what must not reach the app, and caps every body as it streams in — a
    declared length over the cap is refused unread, a chunked body as soon as it passes the cap."""

    def __init__(self, app: ASGIApp, snapshot_cap: Callable[[], int], auth: Callable[[], bool]) -> None:
        self.app, self.snapshot_cap, self.auth = app, snapshot_cap, auth

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
        if refused is not None:
            await refused.response()(scope, receive, send)
            return
        received, over, started = 0, False, False

        async def receiving() -> Message:
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    over = True
                    raise _TooLarge
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            if over:  # what the app makes of a cut body is not sent: the 413 is
                return
            started = True
            await send(message)

        try:
            await self.app(scope, receiving, sending)
        except Exception:
            if not over:
                raise
        if over and not started:
            await too_large(snapshot, cap).response()(scope, receive, send)
