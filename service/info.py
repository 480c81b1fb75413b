"""Read-only views: the plan, the accounts, the rules, the runs, the decision log and a person's calendar."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from kamengine.engine.api import Engine
from kamengine.engine.api.stores import Store
from kamengine.engine.model.actions import ActionCatalogue
from kamengine.engine.model.documents import Document
from kamengine.engine.model.loading import snapshot_from_document
from kamengine.engine.model.recommendation import Recommendation
from kamengine.engine.model.snapshot import Snapshot

from .access import holder_of, sees_account
from .calendar_feed import calendar_of
from .models import AccountDetail, AccountRow, PlanItem
from .pages import account_summary
from .plan_view import ALL, PlanFilters, page_of, shown_week
from .planned import everyone_page, plan_items
from .problems import Problem, forbidden
from .recommendations import stored_document
from .state import Service

router = APIRouter(prefix="/v1", tags=["views"])
#: Weeks 01-53 of years 0001-9999 (0000-W00 matched the pattern and was refused); a week 53 of a year without one is
#: still refused, the ISO calendar's rule (the schemathesis baseline says so).
WEEK = Query(
    pattern=r"^(([1-9]\d{3}|0[1-9]\d\d|00[1-9]\d|000[1-9])-W(0[1-9]|[1-4]\d|5[0-3])|all)$",
    description="an ISO week like 2026-W49 (default: this week), or all",
)


@router.get(
    "/plan",
    response_model=list[PlanItem],
    summary="One page of the plan from the store's live advice: by default the reader's own week",
    responses={
        200: {
            "headers": {"Link": {"description": 'the next page: <ADDRESS>; rel="next"', "schema": {"type": "string"}}}
        }
    },
)
def plan(
    request: Request,
    owner: Annotated[
        str | None,
        Query(description="a member id (default: the token's own), or all"),
    ] = None,
    week: Annotated[str | None, WEEK] = None,
    account: Annotated[str | None, Query(description="only this account's items")] = None,
    action: Annotated[str | None, Query(description="only items with this action (lead or companion)")] = None,
    overdue: Annotated[bool, Query(description="only items past their due date")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> JSONResponse:
    """Items in order of owner, day and urgency; more than ``limit`` of them: the ``Link`` header's ``rel="next"``
    gives the next page's address (its cursor continues after the last item shown, under the same filters only).
    One week is planned from the advice due by its Sunday (the items the whole horizon's plan puts in it). An admin
    token's ``owner=all`` is everyone's plan, a page made owner by owner: the items nobody owns first, then each
    owner's (in the order of their ids) from their own week, from the cursor's owner until the page is full; with
    ``account``, the plan of everyone sharing people with that account."""
    holder = holder_of(request)
    whose = holder.member if owner is None else None if owner == ALL else owner
    everyone = whose is None and holder.may("admin")
    if everyone and account is None:  # everyone's plan, a page made owner by owner from the cursor's
        filters = PlanFilters(None, shown_week(week, dt.date.today()), None, action, overdue)
        page = everyone_page(request.app.state.service, holder, filters, limit, cursor)
    else:
        planned = plan_items(request.app.state.service, holder, whose, week, account if everyone else None)
        filters = PlanFilters(whose, planned.week, account, action, overdue)
        page = page_of(planned.items, filters, holder.token_id, limit, cursor)
    headers = {}
    if page.next_cursor:
        asked = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
        headers["Link"] = f'<{request.url.path}?{urlencode([*asked, ("cursor", page.next_cursor)])}>; rel="next"'
    return JSONResponse([item.to_dict() for item in page.items], headers=headers)


@router.get("/accounts", response_model=list[AccountRow], summary="The accounts this token may see")
def list_accounts(request: Request) -> JSONResponse:
    holder = holder_of(request)
    service: Service = request.app.state.service
    with service.store() as store:
        rows = Engine.accounts_seen_by(store, holder)
    return JSONResponse(rows)


def power_map(snapshot: dict[str, Any]) -> dict[str, Any]:
    """How the account's people stand: by power role and stance, who supports us, who nobody owns."""
    contacts = snapshot.get("contacts", [])
    stances = [int(c.get("stance", 0)) for c in contacts]
    return {
        "contacts": len(contacts),
        "by_role": dict(sorted(Counter(c.get("role") or "none" for c in contacts).items())),
        "by_stance": {str(k): v for k, v in sorted(Counter(stances).items())},
        "supporters": sum(1 for s in stances if s >= 1),
        "opponents": sum(1 for s in stances if s < 0),
        "without_owner": [c["id"] for c in contacts if not c.get("owner")],
    }


def stored_snapshot(store: Store, account_id: str, actions: ActionCatalogue) -> Snapshot | None:
    """The account's last snapshot the service received, validated again (the store is only data)."""
    last = Engine.last_snapshot(store, account_id)
    return None if last is None else validated(last["body"], account_id, actions)


def validated(data: Any, account_id: str, actions: ActionCatalogue) -> Snapshot:
    return snapshot_from_document(Document(data, f"the stored snapshot of {account_id}"), actions)


@router.get("/accounts/{account_id}", response_model=AccountDetail, summary="An account's last snapshot and power map")
def get_account(account_id: str, request: Request) -> JSONResponse:
    holder = holder_of(request)
    service: Service = request.app.state.service
    with service.store() as store:
        if not sees_account(store, holder, account_id):
            raise forbidden(f"account {account_id}")
        last = Engine.last_snapshot(store, account_id)
        live = Engine.live_recommendations(store, account_id)
        if last is None and not live:
            raise Problem(404, "not-found", "Not found", f"no account '{account_id}' in the store")
    body = last["body"] if last else None
    snapshot = validated(body, account_id, service.registry.actions) if body else None
    recs = [Recommendation.from_row(r) for r in live]
    document = {
        "account_id": account_id,
        "snapshot": body,
        "received_at": last["received_at"] if last else None,
        "power_map": power_map(body) if body else None,
        "summary": account_summary(snapshot, recs).model_dump(mode="json") if snapshot else None,
        "live": [stored_document(r) for r in live],
    }
    return JSONResponse(document)


@router.get("/rules", summary="The loaded playbooks and their rules, with the revision decisions carry")
def rules(request: Request) -> JSONResponse:
    holder_of(request)
    engine = request.app.state.service.engine()
    playbooks = engine.spec.playbooks
    return JSONResponse(
        {
            "revision": engine.revision,
            "playbooks": [{"id": p.id, "version": p.version, "description": p.description} for p in playbooks],
            "rules": [
                {"rule": r.qualified_id, "subject": r.subject, "priority": r.priority,
                 "actions": [a.action for a in r.actions], "description": r.description}
                for p in playbooks for r in p.rules
            ],
        }
    )  # fmt: skip


@router.get("/runs", summary="The store's runs, newest first (admin)")
def runs(request: Request, limit: Annotated[int, Query(ge=1, le=500)] = 50) -> JSONResponse:
    holder_of(request, "admin")
    with request.app.state.service.store() as store:
        return JSONResponse(Engine.runs(store, limit))  # each run's totals as an object


@router.get("/decisions", summary="The decision log, newest first: what was evaluated, by whom, on which revision")
def decision_log(request: Request, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> JSONResponse:
    holder = holder_of(request)
    with request.app.state.service.store() as store:
        return JSONResponse(Engine.decision_log(store, holder, limit))  # their accounts', and their own


@router.get(
    "/calendar/{owner}.ics",
    summary="A person's planned meetings over the horizon as a calendar to subscribe to (?token= their token)",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
def calendar(owner: str, request: Request, token: str | None = None) -> Response:
    """Their own calendar for a member's token; any for admin: the meetings they lead and attend over the plan's
    horizon, each inviting its people by e-mail. Calendar programs cannot send headers, so the token may come as
    ``?token=`` (the access log never writes the query)."""
    holder = holder_of(request, query=True)
    if not holder.may("admin") and holder.member != owner:
        raise forbidden(f"the calendar of {owner}")
    calendar = calendar_of(request.app.state.service, holder, owner)
    return Response(calendar, media_type="text/calendar; charset=utf-8")
