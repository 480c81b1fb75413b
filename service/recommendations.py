"""The stored recommendations: list (paged), one with its history, and people's decisions on them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from kamengine.engine.errors import UsageError
from kamengine.engine.model.recommendation import Recommendation
from kamengine.engine.store.decisions import immediate, log_decision
from kamengine.engine.store.snapshots import team_accounts
from kamengine.engine.store.statuses import API, LIVE, Status
from kamengine.engine.store.store import Store
from kamengine.engine.store.store_file import StoreError
from kamengine.engine.store.tokens import TokenHolder

from .access import holder_of, may_act, visible
from .cursors import fingerprint, make_cursor, read_cursor
from .models import Decision, RecommendationPage, StoredRecommendation, StoredWithHistory, Verb
from .problems import Problem, forbidden
from .state import Service

router = APIRouter(prefix="/v1/recommendations", tags=["recommendations"])

#: What a stored recommendation adds to its advice's JSON document (as ``recs list --format json``).
LIFECYCLE = ("status", "status_by", "status_at", "status_reason", "snoozed_until", "first_run", "last_run", "as_of")
STATUSES = {
    "accept": Status.ACCEPTED, "done": Status.DONE, "dismiss": Status.DISMISSED, "snooze": Status.SNOOZED,
    "reopen": Status.OPEN,
}  # fmt: skip
DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def stored_document(row: dict[str, Any]) -> dict[str, Any]:
    return {**Recommendation.from_row(row).to_dict(), **{key: row[key] for key in LIFECYCLE}}


def _key(row: dict[str, Any]) -> list[Any]:
    """Where a row sits in the list's order (``Store.find``'s): account, most urgent first, id."""
    return [row["account_id"], -row["priority"], row["id"]]


#: The type of each part of ``_key``: account, minus its priority, id (what a cursor must hold).
KEY_SHAPE = (str, int | float, str)


def listing(
    store: Store,
    holder: TokenHolder,
    owner: str | None = None,
    account: str | None = None,
    statuses: list[str] | None = None,
) -> list[dict[str, Any]]:
    """The stored recommendations the holder may see, most urgent first per account."""
    rows = store.find(account, statuses or LIVE, owner)
    if holder.may("admin"):
        return rows
    theirs = team_accounts(store, holder.member)
    return [row for row in rows if row["account_id"] in theirs or row["owner_id"] == holder.member]


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
        rows = listing(store, holder, owner, account, wanted)
    if after is not None:
        rows = [row for row in rows if _key(row) > after]
    page = rows[:limit]
    following = make_cursor(filters, _key(page[-1])) if len(rows) > limit else None
    return JSONResponse({"items": [stored_document(r) for r in page], "next_cursor": following})


@router.get("/{rec_id}", response_model=StoredWithHistory, summary="One stored recommendation with its history")
def get_recommendation(rec_id: str, request: Request) -> JSONResponse:
    holder = holder_of(request)
    service: Service = request.app.state.service
    with service.store() as store:
        row = visible(store, holder, rec_id)
        history = store.history(rec_id)
    entries = [{k: h[k] for k in ("status", "by", "at", "reason", "run_id")} for h in history]
    return JSONResponse({**stored_document(row), "history": entries})


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
    with service.store() as store:
        row = visible(store, holder, rec_id)
        if not may_act(store, holder, row):
            raise forbidden(f"recommendation {rec_id}")
        until = None
        if verb == "snooze":
            until = snooze_end(decision.until)
        try:
            with service.writing, immediate(store):
                changed = store.change(
                    row["id"], STATUSES[verb], holder.member, decision.reason, until=until, asked=API
                )
                said = decision.model_dump_json().encode()
                revision = service.revision
                log_decision(store, verb, row["account_id"], revision, holder.token_id, said, [row["id"]])
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
