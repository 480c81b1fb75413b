"""``POST /v1/advise`` without a query string, handed to its endpoint directly: FastAPI's routing is skipped."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from . import advice
from .access import authenticated

#: The one request served directly: what a CRM or a script sends for each account.
PATH = "/v1/advise"


def advise_route() -> APIRoute:
    """The route ``POST /v1/advise`` is declared by (the OpenAPI document's, the metrics' template)."""
    return next(r for r in advice.router.routes if isinstance(r, APIRoute) and r.path == PATH)


class DirectAdvise:
    """Pure ASGI middleware, the innermost of the app's own: a ``POST /v1/advise`` with no query string (its
    parameters all at their defaults) goes to the route's endpoint as FastAPI would call it — the token check
    first (``authenticated``, the API routers' dependency), then ``advice.advise`` — without the search through
    every route and the solving of its parameters (a third of the app's own work on the event loop for such a
    request). Its errors answer through the app's exception handlers, as a routed request's do.
    Every other request, this one with a query string too, is routed as before."""

    def __init__(self, app: ASGIApp, api: FastAPI) -> None:
        self.app = app
        self.route = advise_route()
        # The handlers FastAPI's ExceptionMiddleware is given: all but the 500 one, which the outer
        # ServerErrorMiddleware applies to whatever escapes (an exception here escapes the same way).
        handlers = {key: value for key, value in api.exception_handlers.items() if key not in (500, Exception)}
        self.direct = ExceptionMiddleware(self._advise, handlers=handlers, debug=api.debug)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._direct(scope):
            await self.app(scope, receive, send)
            return
        scope["route"], scope["endpoint"], scope["path_params"] = self.route, advice.advise, {}
        await self.direct(scope, receive, send)

    @staticmethod
    def _direct(scope: Scope) -> bool:
        """Whether the request is served here: exactly ``POST /v1/advise``, nothing in the query, no root path."""
        return (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"] == PATH
            and not scope.get("query_string")
            and not scope.get("root_path")
        )

    @staticmethod
    async def _advise(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        await authenticated(request)
        response = await advice.advise(request)
        await response(scope, receive, send)
