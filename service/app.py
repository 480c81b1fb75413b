"""The ASGI application: the API under ``/v1``, ``/healthz``, ``/metrics``, the OpenAPI document, problem details."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp

from . import advice, health, info, metrics, openapi_doc, problems, recommendations, web
from .access import authenticated
from .direct import DirectAdvise
from .guard import Guard
from .pages import STATIC_DIR
from .request_ids import RequestIds
from .state import Service


class _App(FastAPI):
    """FastAPI with the request ids and the metrics outside its whole stack, error handling included: a 500 it
    makes of an exception carries the request's id and is counted, and the exception's log line has the id."""

    def build_middleware_stack(self) -> ASGIApp:
        return RequestIds(metrics.Measured(super().build_middleware_stack(), lambda: self.routes))


def create_app(service: Service) -> FastAPI:
    """The service's application over ``service`` (its engines and store), which it closes at shutdown."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        metrics.process_ended()
        service.close()  # uvicorn's graceful shutdown (SIGTERM, SIGINT) ends here: the store is closed

    app = _App(
        title="kamengine",
        version=version("kamengine"),
        description="Ranked, explained next actions for key accounts (docs/serve.md).",
        lifespan=lifespan,
        docs_url=None,  # FastAPI's viewers load their scripts from a CDN; the document itself is at /openapi.json
        redoc_url=None,
    )
    app.state.service = service
    # The pages' form tokens are keyed by the store's secret (or KAMENGINE_FORM_SECRET): no other page can know or
    # compute one, and a form served by one process is taken by another, or after a restart.
    app.state.form_secret = service.form_secret
    problems.install(app)
    app.add_middleware(DirectAdvise, api=app)  # added first, so innermost: inside the guard and the access log
    app.add_middleware(Guard, snapshot_cap=lambda: service.config.limits.snapshot_bytes, auth=lambda: service.auth)
    app.add_middleware(problems.AccessLog)  # added last, so outermost: it logs what the guard refuses too
    # DirectAdvise runs these dependencies itself for POST /v1/advise: one added here goes there too.
    for module in (advice, recommendations, info):
        app.include_router(module.router, dependencies=[Depends(authenticated)])
    app.include_router(web.router)  # the pages: a cookie, and the login page instead of a 401
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    app.include_router(health.router)  # /healthz and /readyz: no token, nothing but the store's state
    app.include_router(metrics.router)  # /metrics: a metrics (or admin) token

    def openapi() -> dict[str, Any]:
        """FastAPI's document with the snapshot's schema and every error each operation answers (openapi_doc)."""
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            app.openapi_schema = openapi_doc.complete(document, service.registry.actions.ids())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
