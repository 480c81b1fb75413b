"""The "My week" page of the service: one ISO week of one person's plan as the reader may see it, filtered, paged."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from kamengine.engine.api import Engine
from kamengine.engine.api.access import TokenHolder
from kamengine.engine.api.week import monday
from kamengine.engine.model.recommendation import Recommendation

from . import pages
from .access import may_act
from .pages.forms import ActionUrlFor, segment
from .pages.week import WeekFilters, WeekView
from .plan_view import ALL, PlanFilters, neighbour, page_of
from .planned import plan_items
from .problems import Problem
from .state import Service

#: Items (approaches) on one page by default: the director's busiest week of a 40-account portfolio stays
#: well under 150 KB of HTML with every button (tests/service/test_week_paging.py measures it).
PAGE_LIMIT = 25
MAX_LIMIT = 200


def week_page(
    service: Service,
    holder: TokenHolder,
    owner: str,
    query: Mapping[str, str],
    url_for: ActionUrlFor | None,
    form_fields: Mapping[str, str],
    header: Mapping[str, Any],
) -> str:
    """The page of ``owner``'s week asked by ``query`` (``week``, ``account``, ``action``, ``overdue``, ``limit``,
    ``cursor``); a week, limit or cursor that is not one is a 422 Problem in the service's words."""
    week = query.get("week") or None
    if week == ALL:
        raise _invalid("week: a page shows one week (2026-W49); every week is GET /v1/plan?week=all")
    chosen = WeekFilters(_id(query.get("account")), _id(query.get("action")), query.get("overdue") in ("1", "on"))
    cursor = query.get("cursor") or None
    planned = plan_items(service, holder, owner, week)
    filters = PlanFilters(owner, planned.week, chosen.account, chosen.action, chosen.overdue)
    page = page_of(planned.items, filters, holder.token_id, _limit(query.get("limit")), cursor)
    companies = {(i.lead.account_id, i.lead.account_name or i.lead.account_id) for i in planned.items}
    view = WeekView(
        path=f"/week/{segment(owner)}", week=planned.week, previous=neighbour(planned.week, -1),
        following=neighbour(planned.week, 1), first_day=monday(planned.week), filters=chosen,
        accounts=sorted(companies, key=lambda a: (a[1].casefold(), a[0])),
        actions=sorted({r.action for i in planned.items for r in (i.lead, *i.companions)}),
        total=page.total, next_cursor=page.next_cursor, later_page=cursor is not None, person_id=owner,
    )  # fmt: skip
    with service.store() as store:
        person = Engine.member_name(store, owner) or owner
        recs = [r for item in page.items for r in (item.lead, *item.companions)]
        decidable = {r.id for r in recs if may_act(store, holder, _row_of(r))}
    back = view.address(cursor=cursor) if query else view.path  # a decision comes back to this very page
    fields = {**form_fields, "next": back}
    return pages.render_my_week_page(
        person, page.items, action_url_for=url_for, form_fields=fields, statuses=planned.statuses,
        actionable=decidable, view=view, **header,
    )  # fmt: skip


def _row_of(rec: Recommendation) -> dict[str, Any]:
    """What ``may_act`` reads of a stored recommendation."""
    return {"owner_id": rec.owner.id if rec.owner else None, "account_id": rec.account_id}


def _id(value: str | None) -> str | None:
    """A filter's id as the page's choices and links send it: percent-encoded (no raw text in an attribute)."""
    return unquote(value) if value else None


def _limit(value: str | None) -> int:
    if value is None or value == "":
        return PAGE_LIMIT
    if not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise _invalid(f"limit: expected a number of items from 1 to {MAX_LIMIT}, found {value[:40]!r}")
    return int(value)


def _invalid(detail: str) -> Problem:
    return Problem(422, "invalid-request", "The request is invalid", detail)
