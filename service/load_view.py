"""The portfolio page's load section from the store: each person's meetings per week over the plan's horizon, and
what the plan could not place; for a member, the people of their accounts and those accounts' advice."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from kamengine.engine.api.week import load

from .pages.load import LoadSection
from .planned import stored_week
from .state import Service

if TYPE_CHECKING:
    from kamengine.engine.api.access import TokenHolder


def portfolio_load(service: Service, holder: TokenHolder) -> LoadSection:
    """The plan of the reader's accounts and all that shares their people (admin: every account's) as each
    person's load. A member sees the people who lead or attend the advice of their accounts, with their whole
    weeks counted (a colleague's meetings elsewhere fill the same weeks), and only their accounts' unplanned advice."""
    stored = stored_week(service, holder, None, dt.date.today())
    plan, seen = stored.plan, stored.sees
    missed = [u for u in plan.unplanned if u.item.meeting and seen(u.item.lead)]
    missed.sort(key=lambda u: (u.item.owner_name, -u.item.lead.priority, u.item.lead.id))
    people = load(plan)
    if not holder.may("admin"):
        theirs = {p for item in (*plan.items, *(u.item for u in missed)) if seen(item.lead) for p in item.people}
        people = [p for p in people if p.person.id in theirs]
    return LoadSection(plan.as_of, plan.weeks, people, missed)
