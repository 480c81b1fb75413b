"""``/healthz`` (the store can be read from its file) and ``/readyz`` (the service can serve: read, write, room)."""

from __future__ import annotations

import os
import shutil

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from kamengine.engine.api import Engine

from .problems import Problem
from .state import Service

router = APIRouter(tags=["service"])
#: Below this much free disk a snapshot update or a decision may fail half-way: the service is not ready.
MIN_FREE_BYTES = 64 * 1024 * 1024


def store_trouble(service: Service) -> str | None:
    """What keeps the store from being read, or None: the engine reads the file itself through a fresh read-only
    connection (the pool's connections keep pages in their cache, so ``select 1`` answered 'ok' over an overwritten
    file)."""
    return Engine.store_trouble(service.db_path)


def readiness_trouble(service: Service) -> str | None:
    """What keeps the service from serving every request now, or None: a store it cannot read or write, or a disk
    without room for a transaction."""
    damaged = store_trouble(service)
    if damaged:
        return damaged
    path = service.db_path
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        return "the store is read-only: snapshot updates and decisions would fail"
    free = shutil.disk_usage(path.parent).free
    if free < MIN_FREE_BYTES:
        return f"the store's disk has {free // (1024 * 1024)} MB free (under {MIN_FREE_BYTES // (1024 * 1024)} MB)"
    return None


def _unavailable(detail: str) -> JSONResponse:
    return Problem(503, "store", "The store cannot be used now", detail).response({"Retry-After": "30"})


@router.get("/healthz", summary="Liveness: the store's file reads")
def healthz(request: Request) -> JSONResponse:
    service: Service = request.app.state.service
    trouble = store_trouble(service)
    if trouble:
        return _unavailable(trouble)
    return JSONResponse({"status": "ok", "revision": service.revision})


@router.get("/readyz", summary="Readiness: the store reads and writes, its disk has room")
def readyz(request: Request) -> JSONResponse:
    service: Service = request.app.state.service
    trouble = readiness_trouble(service)
    if trouble:
        return _unavailable(trouble)
    return JSONResponse({"status": "ready", "revision": service.revision})
