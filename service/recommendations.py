"""The stored recommendations: list (paged), one with its history, and people's decisions on them."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from kamengine.engine.api.documents import StoredRecommendation, StoredWithHistory, shown_document, stored_document
from kamengine.engine.api.recommendations import API, KEY_SHAPE, VERBS, Status
from kamengine.engine.api.stores import StoreError
from kamengine.engine.errors import UsageError

from .access import holder_of, may_act, visible
from .cursors import fingerprint, make_cursor, read_cursor
from .models import Decision, RecommendationPage, Verb
from .problems import Problem, forbidden
from .state import Service

if TYPE_CHECKING:
    from kamengine.engine.api.access import TokenHolder

__all__ = ["STATUSES", "decide", "router", "snooze_end", "stored_document"]

PREFIX = "/v1/recommendations"
# The collection's name is its tag in the OpenAPI document.
router = APIRouter(prefix=PREFIX, tags=[PREFIX.rpartition("/")[2]])

#: The decisions by the verb of their path (``POST /v1/recommendations/{id}/{verb}``).
STATUSES = VERBS
DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


@router.get("", response_model=RecommendationPage, summary="Stored recommendations, most urgent first per account")
def list_recommendations(
    request: Request,
    owner: str | None = None,
    account: str | None = None,
    status: Annotated[list[Status] | None, Query(description="repeatable; default open, accepted, snoozed")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> JSONResponse:
    holder = holder_of(request)
    service: Service = request.app.state.service
    wanted = sorted(s.value for s in status or [])
    filters = fingerprint(holder.token_id, owner, account, wanted)
    after = read_cursor(cursor, filters, KEY_SHAPE)
    with service.store() as store:
        found = service.engine().recommendations_seen(
            store, holder, account=account, statuses=wanted, owner=owner, after=after, limit=limit
        )
    following = make_cursor(filters, found.next_after) if found.next_after is not None else None
    return JSONResponse({"items": [stored_document(r) for r in found.rows], "next_cursor": following})


@router.get("/{rec_id}", response_model=StoredWithHistory, summary="One stored recommendation with its history")
def get_recommendation(rec_id: str, request: Request) -> JSONResponse:
    holder = holder_of(request)
    service: Service = request.app.state.service
    with service.store() as store:
        row = visible(store, holder, rec_id)
        history = service.engine().history(store, rec_id)
    return JSONResponse(shown_document(row, history))


def snooze_end(until: str | None) -> dt.date:
    """A snooze's end as the document declares it, a date YYYY-MM-DD; 422 otherwise. Python's ``fromisoformat``
    alone also reads 20261210 and 2026-W50-1, which the document's ``format: date`` does not allow."""
    try:
        if until is not None and DATE.fullmatch(until):
            return dt.date.fromisoformat(until)
    except ValueError:
        pass
    detail = f"until: a snooze needs an end date YYYY-MM-DD, found {until!r}"
    raise Problem(422, "invalid-request", "The request is invalid", detail)


def decide(service: Service, holder: TokenHolder, rec_id: str, verb: str, decision: Decision) -> dict[str, Any]:
    """Accept, complete, dismiss or snooze a recommendation for the holder; 403 if it is not theirs to act on."""
    engine = service.engine()
    with service.store() as store:
        row = visible(store, holder, rec_id)
        if not may_act(store, holder, row):
            raise forbidden(f"recommendation {rec_id}")
        until = snooze_end(decision.until) if verb == "snooze" else None
        said = decision.model_dump_json().encode()
        try:
            changed = engine.decide(
                store, row["id"], verb, by=holder.member, principal=holder.token_id, said=said,
                reason=decision.reason, until=until, asked=API, writing=service.writing,
            )  # fmt: skip
        except UsageError as exc:  # a decision asked wrongly (a dismissal without its reason, say)
            raise Problem(422, "invalid-request", "The request is invalid", str(exc)) from None
        except StoreError as exc:
            raise Problem(409, "conflict", "The change is not possible", str(exc)) from None
    return stored_document(changed)


@router.post(
    "/{rec_id}/{verb}", response_model=StoredRecommendation, summary="Accept, complete, dismiss, snooze or reopen"
)
def act(rec_id: str, verb: Verb, request: Request, decision: Decision | None = None) -> JSONResponse:
    """``act`` tokens, on the holder's own recommendations (an account director: on all of their account's).
    A snooze needs ``until``, a dismissal a ``reason``; done and dismissed advice changes only once reopened;
    a change the lifecycle does not allow (done advice accepted) is a 409."""
    holder = holder_of(request, "act")
    service: Service = request.app.state.service
    return JSONResponse(decide(service, holder, rec_id, verb, decision or Decision(until=None)))
