"""Errors as RFC 7807 problem details, and the access log: one JSON line per request."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
import time
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from kamengine.engine.api.stores import trouble
from kamengine.engine.errors import SnapshotError, format_path
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PROBLEM = "application/problem+json"
access_log = logging.getLogger("kamengine.access")


class Problem(Exception):
    """A request kamengine refuses or cannot serve: becomes a problem-details response."""

    def __init__(self, status: int, kind: str, title: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.kind, self.title, self.detail, self.extra = status, kind, title, detail, extra

    def response(self, headers: dict[str, str] | None = None) -> JSONResponse:
        body = {"type": f"urn:kamengine:problem:{self.kind}", "title": self.title, "status": self.status}
        body.update({"detail": self.detail, **self.extra})
        return JSONResponse(body, status_code=self.status, media_type=PROBLEM, headers=headers)


def unauthorized() -> Problem:
    """The one answer to a missing, unknown, malformed or revoked token (it never says which)."""
    return Problem(401, "unauthorized", "Unauthorized", "a valid API token is needed (Authorization: Bearer TOKEN)")


def forbidden(what: str) -> Problem:
    """The one answer to "not yours" and "does not exist" alike, so that a refusal tells nothing."""
    return Problem(403, "forbidden", "Forbidden", f"{what} is not one this token may use")


def invalid_snapshot(exc: SnapshotError) -> Problem:
    """The CLI's validation messages, each with the field path it names."""
    errors = [
        {"path": format_path(path) if path else None, "message": message}
        for message, path in zip(exc.problems, exc.paths, strict=True)
    ]
    return Problem(422, "invalid-snapshot", "The snapshot is invalid", exc.problems[0], errors=errors)


def _request_invalid(request: Request, exc: Exception) -> JSONResponse:
    found: Sequence[Any] = exc.errors() if isinstance(exc, RequestValidationError) else []
    errors = [{"path": format_path([str(p) for p in e["loc"]]), "message": e["msg"]} for e in found]
    detail = "; ".join(f"{e['path']}: {e['message']}" for e in errors) or "invalid request"
    return Problem(422, "invalid-request", "The request is invalid", detail, errors=errors).response()


#: What FastAPI says of a body it could not decode (not UTF-8): for the client, a request like any other invalid one.
_UNPARSED = "There was an error parsing the body"


def allowed_methods(request: Request, named: str | None) -> str:
    """Every method the path is served with, for the ``Allow`` header RFC 9110 asks of a 405 (``named``: what the
    router said, which is the first route that matched the path only; the static files answer GET and HEAD)."""
    methods = {m.strip() for m in (named or "").split(",") if m.strip()}
    path = request.scope["path"]
    for route in request.app.routes:  # FastAPI's flat list, as the OpenAPI document is made from
        if isinstance(route, Route) and route.path_regex.match(path):
            methods |= route.methods or set()
        elif isinstance(route, Mount) and path.startswith(route.path + "/"):
            methods |= {"GET", "HEAD"}
    return ", ".join(sorted(methods))


def _http_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.detail == _UNPARSED:
        detail = "body: not JSON text in UTF-8"
        errors = [{"path": "body", "message": detail}]
        return Problem(422, "invalid-request", "The request is invalid", detail, errors=errors).response()
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = allowed_methods(request, headers.pop("Allow", None) or headers.pop("allow", None))
    return Problem(exc.status_code, "http", str(exc.detail), str(exc.detail)).response(headers)


def _problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return exc.response(headers)


def _store_trouble(request: Request, exc: Exception) -> JSONResponse:
    """The store busy past its timeout, full, read-only or damaged: one line, as the CLI says it."""
    assert isinstance(exc, sqlite3.Error)
    return Problem(503, "store", "The store cannot be used now", trouble(exc, None)).response()


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    logging.getLogger("kamengine.service").exception("internal error on %s %s", request.method, request.url.path)
    detail = f"internal error, please report it: {type(exc).__name__}"
    return Problem(500, "internal", "Internal error", detail).response()


def install(app: FastAPI) -> None:
    """Every error the app raises answers as problem details."""
    app.add_exception_handler(Problem, _problem)
    app.add_exception_handler(sqlite3.Error, _store_trouble)
    app.add_exception_handler(Exception, _unexpected)
    app.add_exception_handler(RequestValidationError, _request_invalid)
    app.add_exception_handler(StarletteHTTPException, _http_problem)


class AccessLog:
    """ASGI middleware: one JSON line per request — when, from which address, method, path (never the query: it
    may carry a token), status, milliseconds and the token id the request spoke for."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        state = scope.setdefault("state", {})

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            holder = state.get("principal")
            client = scope.get("client")
            line = {
                "at": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
                "client": client[0] if client else None,
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 2),
                "principal": holder.token_id if holder is not None else None,
            }
            access_log.info(json.dumps(line))
