"""The plan as the service shows it: the store's live advice placed over people's weeks, cut to what a reader sees."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING

from kamengine.engine.api.week import status_label

from .plan_view import ALL, PlanFilters, PlanPage, cursor_after, horizon_end, page_by_owner, shown_week, sunday
from .state import Service

if TYPE_CHECKING:
    from kamengine.engine.api.access import TokenHolder
    from kamengine.engine.api.week import Item, StoredWeek, WeekPlan

__all__ = ["Planned", "everyone_page", "plan_items", "status_label", "stored_week"]


@dataclasses.dataclass(frozen=True)
class Planned:
    """The week shown (or ``all``), its items, what people decided of each recommendation (if not open), the
    whole plan they come from (its horizon, what it could not place), and each team member's e-mail per account
    (the store keeps none with the advice)."""

    week: str
    items: list[Item]
    statuses: dict[str, str]
    plan: WeekPlan
    emails: dict[tuple[str, str], str] = dataclasses.field(default_factory=dict)  # (account, member) -> e-mail


def plan_items(
    service: Service, holder: TokenHolder, owner: str | None, week: str | None, account: str | None = None
) -> Planned:
    """The live advice the holder may see, spread over people's weeks; one week (default this one, or ``all``) of
    one person (None: everyone the holder sees; an admin's with ``account``: everyone who shares people with that
    account), the meetings they lead and those they attend. The plan is the one of every account that shares
    someone with theirs (the same people's time), so a person's week reads the same whoever looks; then only what
    the reader may see is kept. One week plans only its days and those before it, from the advice due by its end
    (``all``: the horizon's)."""
    today = dt.date.today()
    shown = shown_week(week, today)
    # The horizon's last day for every week: what falls due after it is placed in none of them.
    through = horizon_end(today, service.config.plan.horizon_weeks) if shown == ALL else sunday(shown)
    stored = stored_week(service, holder, owner, today, through, account)
    plan = stored.plan
    chosen = [i for i in plan.items if shown in (ALL, i.week) and owner in (None, *i.people) and stored.sees(i.lead)]
    return Planned(shown, chosen, stored.statuses, plan, stored.teams.emails)


def stored_week(
    service: Service, holder: TokenHolder, owner: str | None, today: dt.date, through: dt.date | None = None,
    account: str | None = None,
) -> StoredWeek:  # fmt: skip
    """The plan from ``today`` of the store's live advice that shares people with ``owner``'s weeks (None: with
    those of everyone the holder sees); ``through``: of the days up to it only (``Engine.stored_week``)."""
    with service.store() as store:
        engine = service.engine()
        return engine.stored_week(store, today, reader=holder, person=owner, through=through, account=account)


def everyone_page(
    service: Service, holder: TokenHolder, filters: PlanFilters, limit: int, cursor: str | None
) -> PlanPage:
    """One page of everyone's plan for an admin (``filters.owner`` None, no account): owner by owner from the
    cursor's, each owner's bounded week (``Engine.led_by_owner``), until the page is full; a week outside the
    plan's days (before today's, after the horizon) holds nothing, read from nobody."""
    after = cursor_after(filters, holder.token_id, cursor)
    today = dt.date.today()
    end = horizon_end(today, service.config.plan.horizon_weeks)
    through = end if filters.week == ALL else sunday(filters.week)
    if filters.week != ALL and not today <= through <= end:  # Sundays: a week within the horizon ends within it
        return page_by_owner([], filters, holder.token_id, limit, after)
    with service.store() as store:
        led = service.engine().led_by_owner(store, today, through, str(after[0]) if after else "", reader=holder)
        return page_by_owner(led, filters, holder.token_id, limit, after)
