"""The plan as the service shows it: the store's live advice placed over people's weeks, cut to what a reader sees."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING

from kamengine.engine.api.week import status_label

from .plan_view import ALL, shown_week
from .state import Service

if TYPE_CHECKING:
    from kamengine.engine.api.access import TokenHolder
    from kamengine.engine.api.week import Item, StoredWeek, WeekPlan

__all__ = ["Planned", "plan_items", "status_label", "stored_week"]


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


def plan_items(service: Service, holder: TokenHolder, owner: str | None, week: str | None) -> Planned:
    """The live advice the holder may see, spread over people's weeks; one week (default this one, or ``all``) of
    one person (None: everyone the holder sees), the meetings they lead and those they attend. The plan is the one
    of every account that shares someone with theirs (the same people's time), so a person's week reads the same
    whoever looks; then only what the reader may see is kept."""
    today = dt.date.today()
    shown = shown_week(week, today)
    stored = stored_week(service, holder, owner, today)
    plan = stored.plan
    chosen = [i for i in plan.items if shown in (ALL, i.week) and owner in (None, *i.people) and stored.sees(i.lead)]
    return Planned(shown, chosen, stored.statuses, plan, stored.teams.emails)


def stored_week(service: Service, holder: TokenHolder, owner: str | None, today: dt.date) -> StoredWeek:
    """The plan from ``today`` of the store's live advice that shares people with ``owner``'s weeks (None: with
    those of everyone the holder sees)."""
    with service.store() as store:
        return service.engine().stored_week(store, today, reader=holder, person=owner)
