"""``GET /metrics`` in Prometheus' text format: requests by route and status, latencies, open connections (counted
in this process, or in every process of one service when ``PROMETHEUS_MULTIPROC_DIR`` is set), and the last batch
run and the store's size, read from the store at each scrape (the batch is another process)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence

import prometheus_client
from fastapi import APIRouter, Request, Response
from kamengine.engine.api import Engine
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .access import holder_of
from .state import Service

#: Set, the counts of every process are kept as files there and summed at a scrape (prometheus-client's
#: multiprocess mode): behind one port the kernel hands a scrape to any process, so one process's counts would jump.
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# No *_created series beside each counter and histogram: noise in the text format, which Prometheus ignores.
prometheus_client.disable_created_metrics()  # type: ignore[no-untyped-call]  # untyped in prometheus-client
#: This process's figures. Its own registry, not prometheus-client's global one: nothing else registers here.
PROCESS = CollectorRegistry()
ProcessCollector(registry=PROCESS)  # CPU, memory, open files of this process (without multiprocess mode)

REQUESTS = Counter(
    "kamengine_http_requests", "Requests answered, by method, route template and status.",
    ["method", "route", "status"], registry=PROCESS,
)  # fmt: skip
LATENCY = Histogram(
    "kamengine_http_request_duration_seconds", "Time from a request's arrival to its answer's last byte handed on.",
    ["method", "route"], registry=PROCESS,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)  # fmt: skip
OPEN_CONNECTIONS = Gauge(
    "kamengine_http_open_connections", "HTTP connections open now (those refused over the cap included).",
    registry=PROCESS, multiprocess_mode="livesum",
)  # fmt: skip

#: Label values stay few: a method outside these, a path no route serves, count as one each.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"

router = APIRouter(include_in_schema=False)  # Prometheus' format, not the JSON API the OpenAPI document describes


def route_template(scope: Scope, arrived: Scope, routes: Sequence[BaseRoute]) -> str:
    """The template of the route that served (or would have served) the request, never its raw path: ``/v1/
    accounts/{account_id}``. A request no API route took (refused before routing, a static file) is matched here
    as it ``arrived``."""
    served = scope.get("route")
    if served is not None and hasattr(served, "path"):
        return str(served.path)
    for route in routes:
        match, _ = route.matches(arrived)
        if match is not Match.NONE and hasattr(route, "path"):
            return str(route.path)
    return UNMATCHED


class Measured:
    """Pure ASGI middleware, outermost: counts each request by method, route and status and times it. Counted as
    its last byte is handed on, so a client that has the answer finds it counted."""

    def __init__(self, app: ASGIApp, routes: Callable[[], Sequence[BaseRoute]]) -> None:
        self.app, self.routes = app, routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status, counted = time.perf_counter(), 500, False
        arrived = dict(scope)  # as it came: a mount rewrites the scope's paths, so it no longer matches afterwards

        def count() -> None:
            nonlocal counted
            counted = True
            method = scope["method"] if scope["method"] in METHODS else "other"
            route = route_template(scope, arrived, self.routes())
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route).observe(time.perf_counter() - started)

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body") and not counted:
                count()
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            if not counted:  # the client left, or the app failed before its answer ended
                count()


class StoreFigures:
    """A collector of what the store says at this scrape: the last finished batch run and the store's size."""

    def __init__(self, service: Service) -> None:
        self.service = service

    def collect(self) -> Iterator[Metric]:
        """Read at each scrape, through the Engine (the runs table is the engine's to read)."""
        with self.service.store() as store:
            run, size = Engine.last_finished_run(store), Engine.store_bytes(store)
        yield GaugeMetricFamily("kamengine_store_bytes", "The store's file size in bytes (its pages).", value=size)
        if run is None:  # before the first batch: no figures rather than zeros that look like a run
            return
        last = {
            "accounts": ("Accounts of the last finished batch run.", run.accounts),
            "failed_accounts": ("Accounts the last finished batch run failed to advise.", run.failed),
            "duration_seconds": ("How long the last finished batch run took.", run.seconds),
            "finished_timestamp_seconds": ("When the last finished batch run ended.", run.finished_at.timestamp()),
        }
        for name, (text, value) in last.items():
            yield GaugeMetricFamily(f"kamengine_batch_last_{name}", text, value=value)


class _Forward:
    """A registry's collectors, as one collector of another registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterable[Metric]:
        """The registry's metrics, as it collects them."""
        return self.registry.collect()


def scrape(store_figures: Collector) -> bytes:
    """The text a scrape gets: every process's figures (multiprocess mode) or this one's, and the store's."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get(MULTIPROC_ENV):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_Forward(PROCESS))
    registry.register(store_figures)
    return generate_latest(registry)


def process_ended() -> None:
    """At shutdown: this process's open connections leave the multiprocess sum (its counts stay)."""
    if os.environ.get(MULTIPROC_ENV):
        mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


@router.get("/metrics")
def metrics(request: Request) -> Response:
    """Prometheus' text format; a token with the ``metrics`` scope (or admin), or ``--no-auth`` on loopback."""
    holder_of(request, scope="metrics")
    body = scrape(StoreFigures(request.app.state.service))
    return Response(body, media_type=CONTENT_TYPE_LATEST)
