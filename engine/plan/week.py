"""A person's weeks: approaches placed in their owner's week, a handful of customer actions each.

The most urgent first, each approach goes to the week of its due date; a person whose week is
full (``weekly_capacity`` customer actions, or their own figure) gets it the week after — unless
it serves a deal, whose date was fitted before the deal closes: that one goes to an earlier week
with room, or stays, marked over capacity for the director. Our own work (reviews, staffing)
does not count against a week.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..model.actions import ActionCatalogue, Mode
from ..model.plan_settings import PlanSettings
from ..model.recommendation import Recommendation
from .approaches import carrier_rank, leads


@dataclass(frozen=True)
class Item:
    """One approach (its lead and companions) or one piece of our own work, in a person's week."""

    owner_id: str | None  # None: nobody on the team can do it yet (a staffing decision)
    owner_name: str
    week: str  # ISO week, e.g. 2026-W49
    day: dt.date
    lead: Recommendation
    companions: tuple[Recommendation, ...] = ()
    moved_from: dt.date | None = None  # the due date the plan gave it, when capacity moved it
    over_capacity: bool = False
    overdue_since: dt.date | None = None  # its due date, when that was before the plan's day (stored advice)
    customer_action: bool = True  # a meeting or message for the customer, not our own work

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``plan --format json`` (and of the service's ``/v1/plan``)."""
        return {
            "owner": self.lead.owner.to_dict() if self.lead.owner else None,
            "week": self.week,
            "day": self.day.isoformat(),
            "moved_from": self.moved_from.isoformat() if self.moved_from else None,
            "over_capacity": self.over_capacity,
            "overdue_since": self.overdue_since.isoformat() if self.overdue_since else None,
            "lead": self.lead.to_dict(),
            "companions": [c.to_dict() for c in self.companions],
        }


def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def monday(week: str) -> dt.date:
    """The Monday of an ISO week like 2026-W49."""
    return dt.date.fromisocalendar(int(week[:4]), int(week.split("W")[1]), 1)


def schedule(
    recommendations: Iterable[Recommendation],
    actions: ActionCatalogue,
    settings: PlanSettings,
    as_of: dt.date,
    *,
    overdue_on: dt.date | None = None,
) -> list[Item]:
    """Every approach and piece of own work in its owner's week, spread by capacity, most urgent first.
    ``overdue_on`` (for advice a store kept since an earlier night): what was due before that day is placed on
    it, and says since when it was due."""
    items = [
        replace(item, day=overdue_on, week=iso_week(overdue_on), overdue_since=item.day)
        if overdue_on is not None and item.day < overdue_on
        else item
        for item in _items(recommendations, actions)
    ]
    items.sort(key=lambda i: (-i.lead.priority, i.day, i.lead.id))
    load: dict[tuple[str | None, str], int] = defaultdict(int)
    placed = []
    for item in items:
        if not item.customer_action or item.owner_id is None:
            placed.append(item)
            continue
        capacity = settings.capacity_of(item.owner_id)
        week = item.week
        if load[(item.owner_id, week)] >= capacity:
            week = _other_week(item, load, capacity, as_of)
        if week == item.week:
            full = load[(item.owner_id, week)] >= capacity
            placed.append(replace(item, over_capacity=full))
        else:
            day = max(monday(week), as_of)
            placed.append(replace(item, week=week, day=day, moved_from=item.day))
        load[(item.owner_id, week)] += 1
    return sorted(placed, key=lambda i: (i.owner_name, i.day, -i.lead.priority, i.lead.id))


def _other_week(item: Item, load: dict[tuple[str | None, str], int], capacity: int, as_of: dt.date) -> str:
    """The next week with room; for work that serves a deal, an earlier week with room (or its own)."""
    if item.lead.opportunity_id:
        day = as_of
        while iso_week(day) < item.week:
            if load[(item.owner_id, iso_week(day))] < capacity:
                return iso_week(day)
            day += dt.timedelta(days=7)
        return item.week
    day = item.day
    while load[(item.owner_id, iso_week(day))] >= capacity:
        day += dt.timedelta(days=7)
    return iso_week(day)


def _items(recommendations: Iterable[Recommendation], actions: ActionCatalogue) -> list[Item]:
    """Recommendations back into approaches: the lead (the best carrier of its approach) and its companions."""
    groups: dict[str, list[Recommendation]] = defaultdict(list)
    alone: list[Recommendation] = []
    for rec in recommendations:
        (groups[rec.approach] if rec.approach else alone).append(rec)
    items = []
    for group in [*groups.values(), *([rec] for rec in alone)]:
        group.sort(key=lambda r: (not leads(r), carrier_rank(r.action), -r.priority, r.id))
        action = actions.get(group[0].action)
        items.append(_item(group[0], group[1:], action is None or action.kind != Mode.INTERNAL))
    return items


def _item(lead: Recommendation, companions: Sequence[Recommendation], customer_action: bool) -> Item:
    owner = lead.owner
    return Item(
        owner.id if owner else None, owner.name if owner else "(unassigned)", iso_week(lead.due), lead.due, lead,
        tuple(companions), customer_action=customer_action,
    )  # fmt: skip
