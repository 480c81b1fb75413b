"""``POST /v1/advise`` (a snapshot in, ``advise --format json`` out) and ``PUT /v1/accounts/{id}/snapshot``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from kamengine.engine.api import on_demand
from kamengine.engine.api.documents import RecommendationDoc
from kamengine.engine.errors import SnapshotError
from kamengine.engine.model.documents import parse
from kamengine.engine.model.loading import snapshot_from_document, snapshot_from_text
from kamengine.engine.model.snapshot import Snapshot
from kamengine.toolkit import DeadlineExceeded
from starlette.concurrency import run_in_threadpool

from . import calls
from .access import holder_of
from .calls import Timed
from .models import Lang, Refresh
from .problems import Problem, invalid_snapshot
from .state import Service

if TYPE_CHECKING:
    from kamengine.engine.api.access import TokenHolder

router = APIRouter(prefix="/v1", tags=["advice"])
T = TypeVar("T")
#: The request body is validated by kamengine (for its messages), documented as the snapshot's schema.
_SNAPSHOT = {"schema": {"$ref": "#/components/schemas/Snapshot"}}
SNAPSHOT_BODY = {"requestBody": {"required": True, "content": {"application/json": _SNAPSHOT}}}
_INVALID: dict[int | str, dict[str, Any]] = {
    422: {"description": "The snapshot is invalid: RFC 7807 problem details, one error per field path"}
}
_OUT_OF_ORDER: dict[int | str, dict[str, Any]] = {
    409: {
        "description": "The snapshot is dated before the account's last stored one, or more than [limits]"
        " future_days after today: nothing changed (RFC 7807 problem details naming both dates)"
    }
}


#: What a request past its deadline was doing, as the 503 says it.
ADVISING = "advising this account"


def _late(exc: DeadlineExceeded) -> Problem:
    return Problem(503, "deadline", "The account took too long", f"{exc} ([limits] account_seconds)")


def within_deadline(service: Service, call: Callable[[], T]) -> T:
    """``call()``, or a 503 when it runs past the account deadline ([limits] account_seconds): a request's thread
    has no alarm to stop a plugin that loops, so the request is answered and the call is left to end alone."""

    def timed_call(timed: Timed[T]) -> T:
        timed.start()
        return call()

    try:
        return calls.wait(service.workers, Timed(timed_call), service.config.limits.account_seconds, ADVISING)
    except DeadlineExceeded as exc:
        raise _late(exc) from None


def read_snapshot(service: Service, body: bytes) -> tuple[Snapshot, Any]:
    """The validated snapshot of a request body (JSON or YAML) and its data; 422 with the CLI's messages."""
    try:
        document = parse(_text(body), "request", SnapshotError, aliases=False)
        return snapshot_from_document(document, service.registry.actions), document.data
    except SnapshotError as exc:
        raise invalid_snapshot(exc) from None


def read_snapshot_only(service: Service, body: bytes) -> Snapshot:
    """``read_snapshot`` when the data is not kept (advice on demand): JSON through pydantic's JSON mode, with the
    same messages."""
    try:
        return snapshot_from_text(_text(body), "request", service.registry.actions)
    except SnapshotError as exc:
        raise invalid_snapshot(exc) from None


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SnapshotError([f"request: not UTF-8 text ({exc.reason} at byte {exc.start})"]) from None


@dataclass(frozen=True)
class Advised:
    """A snapshot's advice, rendered: what the engine's thread hands back to the request."""

    account_id: str
    ids: list[str]
    rendered: str
    revision: str


def _advised(service: Service, body: bytes, explain: bool, lang: str | None, timed: Timed[Advised]) -> Advised:
    """Parse, advise, render, in one worker thread; the deadline covers the advice only (``timed``)."""
    snapshot = read_snapshot_only(service, body)
    engine = service.engine()
    given = on_demand.snapshot_source(snapshot)
    timed.start()
    result = engine.advise([given], explain=explain, lang=lang)
    timed.stop()
    if result.failures:
        status = 500 if "internal error" in result.failures[0] else 422
        raise Problem(status, "advice-failed", "The account could not be advised", result.failures[0])
    rendered = on_demand.as_json(service.registry, result.recommendations, result.explanations, service.config.limits)
    return Advised(snapshot.account.id, [r.id for r in result.recommendations], rendered, engine.revision)


def _logs(service: Service, log: bool | None) -> bool:
    """Whether this request goes into the decision log: read-only advice is logged only when asked."""
    return service.config.retention.log_advise if log is None else log


def _answer(service: Service, holder: TokenHolder, body: bytes, advised: Advised, log: bool | None) -> Response:
    """The response; with the decision logged first when asked (a store write: in a thread, never the loop)."""
    headers = {"X-Kamengine-Revision": advised.revision}
    if _logs(service, log):
        with service.store() as store, service.writing:
            headers["X-Kamengine-Decision"] = service.decisions.log(
                store, "advise", advised.account_id, advised.revision, holder.token_id, body, advised.ids
            )
            service.decisions.prune_when_due(store)
    return Response(advised.rendered, media_type="application/json", headers=headers)


def _advise(
    service: Service, holder: TokenHolder, body: bytes, explain: bool, lang: str | None, log: bool | None = None
) -> Response:
    """``POST /v1/advise`` from a thread that may wait (the route itself waits on the event loop)."""
    timed = Timed(functools.partial(_advised, service, body, explain, lang))
    try:
        advised = calls.wait(service.workers, timed, service.config.limits.account_seconds, ADVISING)
    except DeadlineExceeded as exc:
        raise _late(exc) from None
    return _answer(service, holder, body, advised, log)


@router.post(
    "/advise",
    summary="Advise on one snapshot, exactly as `kamengine advise --format json`",
    openapi_extra=SNAPSHOT_BODY,
    responses={200: {"model": list[RecommendationDoc]}, **_INVALID},
)
async def advise(
    request: Request, explain: bool = False, lang: Lang | None = None, log: bool | None = None
) -> Response:
    """The snapshot's recommendations, most urgent first; nothing is stored. With ``log=true`` (or [retention]
    log_advise) the request is kept in the decision log, its id in ``X-Kamengine-Decision``."""
    holder = holder_of(request)
    service: Service = request.app.state.service
    body = await request.body()  # bounded by the guard (service/guard.py) as it streams in
    # One hand-off: a worker thread parses, advises and renders while the loop serves others, and wakes it once.
    timed = Timed(functools.partial(_advised, service, body, explain, lang))
    try:
        advised = await calls.wait_async(service.workers, timed, service.config.limits.account_seconds, ADVISING)
    except DeadlineExceeded as exc:
        raise _late(exc) from None
    if _logs(service, log):
        return await run_in_threadpool(_answer, service, holder, body, advised, log)
    return _answer(service, holder, body, advised, log)


def _refresh(service: Service, holder: TokenHolder, account_id: str, body: bytes) -> JSONResponse:
    snapshot, data = read_snapshot(service, body)
    if snapshot.account.id != account_id:
        detail = f"request: account.id: '{snapshot.account.id}' is not the account of the URL, '{account_id}'"
        errors = [{"path": "account.id", "message": detail}]
        raise Problem(422, "invalid-snapshot", "The snapshot is invalid", detail, errors=errors)
    engine = service.engine()
    with service.account_lock(account_id), service.store() as store:
        guard = functools.partial(within_deadline, service)  # the advice under the deadline; the writes after it
        try:
            refreshed, notices = on_demand.refresh(
                engine, (snapshot, data, body), store, holder.token_id, service.loaded_rules, service.writing, guard
            )
        except on_demand.TimeOrderError as exc:
            raise Problem(409, "out-of-order", "The snapshot is out of time order", str(exc)) from None
        service.decisions.prune_when_due(store)
    document = on_demand.refresh_document(account_id, refreshed, engine.revision, notices)
    return JSONResponse(document, headers={"X-Kamengine-Decision": refreshed.decision_id})


@router.put(
    "/accounts/{account_id}/snapshot",
    summary="Store an account's new snapshot and run its advice through the store now",
    openapi_extra=SNAPSHOT_BODY,
    response_model=Refresh,
    responses={**_INVALID, **_OUT_OF_ORDER},
)
async def put_snapshot(account_id: str, request: Request) -> JSONResponse:
    """The nightly batch for one account, on demand (admin tokens: a CRM's hook). Updates of one account
    are applied one after the other, in the order they arrive."""
    holder = holder_of(request, "admin")
    service: Service = request.app.state.service
    body = await request.body()  # bounded by the guard (service/guard.py) as it streams in
    return await run_in_threadpool(_refresh, service, holder, account_id, body)
