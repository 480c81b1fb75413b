"""The ASGI application: the API under ``/v1``, ``/healthz``, the OpenAPI document, problem details, the access log."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from kamengine.engine.model.snapshot import Snapshot

from . import advice, health, info, problems, recommendations, web
from .access import authenticated
from .guard import Guard
from .pages import STATIC_DIR
from .state import Service


def create_app(service: Service) -> FastAPI:
    """The service's application over ``service`` (its engines and store), which it closes at shutdown."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        service.close()  # uvicorn's graceful shutdown (SIGTERM, SIGINT) ends here: the store is closed

    app = FastAPI(
        title="kamengine",
        version=version("kamengine"),
        description="Ranked, explained next actions for key accounts (docs/serve.md).",
        lifespan=lifespan,
        docs_url=None,  # FastAPI's viewers load their scripts from a CDN; the document itself is at /openapi.json
        redoc_url=None,
    )
    app.state.service = service
    # The pages' form tokens are keyed by a secret of this process: no other page can know or compute one.
    app.state.form_secret = secrets.token_bytes(32)
    problems.install(app)
    app.add_middleware(Guard, snapshot_cap=lambda: service.config.limits.snapshot_bytes, auth=lambda: service.auth)
    app.add_middleware(problems.AccessLog)  # added last, so outermost: it logs what the guard refuses too
    for module in (advice, recommendations, info):
        app.include_router(module.router, dependencies=[Depends(authenticated)])
    app.include_router(web.router)  # the pages: a cookie, and the login page instead of a 401
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    app.include_router(health.router)  # /healthz and /readyz: no token, nothing but the store's state

    def openapi() -> dict[str, Any]:
        """FastAPI's document plus the snapshot's schema, which the request bodies refer to."""
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            schema = Snapshot.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            schemas.update(schema.pop("$defs", {}))
            schemas["Snapshot"] = schema
            _security(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


#: What every /v1 operation may also answer, as problem details (docs/serve.md, "Refusals").
_REFUSALS = {
    "401": "No valid token (none, unknown, malformed or revoked): the same answer whichever it was",
    "403": "The token may not see or do this (or it does not exist: the same answer)",
}


def _security(document: dict[str, Any]) -> None:
    """The API's bearer tokens in the document, and the refusals every /v1 operation may answer."""
    components = document.setdefault("components", {})
    schemes = components.setdefault("securitySchemes", {})
    schemes["bearer"] = {"type": "http", "scheme": "bearer", "description": "a token from kamengine tokens create"}
    schemes["query"] = {"type": "apiKey", "in": "query", "name": "token", "description": "for calendar programs"}
    problem = {"application/problem+json": {"schema": {"type": "object"}}}
    for path, operations in document.get("paths", {}).items():
        if not path.startswith("/v1/"):
            continue
        for operation in operations.values():
            operation["security"] = [{"bearer": []}, *([{"query": []}] if path.endswith(".ics") else [])]
            for status, text in _REFUSALS.items():
                operation.setdefault("responses", {}).setdefault(status, {"description": text, "content": problem})
