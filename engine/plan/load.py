"""The load at a glance: each person's customer meetings per ISO week of the horizon, against capacity."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..model.recommendation import Owner
from .items import WeekPlan


@dataclass(frozen=True)
class PersonLoad:
    """One person's weeks: meetings they lead or attend, their capacity, and what was not planned for them."""

    person: Owner
    weekly_capacity: int
    daily_capacity: int
    weeks: dict[str, int]  # every week of the horizon, in order (0 when free)
    busiest_day: int  # the most meetings on one day
    not_planned: int  # approaches they lead that found no room within the horizon (not those due after it)

    def to_dict(self) -> dict[str, Any]:
        return {
            "person": self.person.to_dict(),
            "weekly_capacity": self.weekly_capacity,
            "daily_capacity": self.daily_capacity,
            "weeks": dict(self.weeks),
            "busiest_day": self.busiest_day,
            "not_planned": self.not_planned,
        }


def load(plan: WeekPlan) -> list[PersonLoad]:
    """Everyone the plan books (owners and attendees), by name: meetings per week over the horizon."""
    people: dict[str, Owner] = {}
    weekly: Counter[tuple[str, str]] = Counter()
    daily: Counter[tuple[str, str]] = Counter()
    for item in plan.items:
        if not item.meeting:
            continue
        for person in _people(item):
            people.setdefault(person.id, person)
            weekly[(person.id, item.week)] += 1
            daily[(person.id, item.day.isoformat())] += 1
    missed: Counter[str] = Counter()
    for unplanned in plan.unplanned:
        owner = unplanned.item.lead.owner
        if owner is not None and unplanned.item.meeting and unplanned.over_capacity:
            people.setdefault(owner.id, owner)
            missed[owner.id] += 1
    found = []
    for person in sorted(people.values(), key=lambda p: (p.name, p.id)):
        weekly_cap, daily_cap = plan.settings.capacity_of(person.id), plan.settings.daily_capacity_of(person.id)
        found.append(
            PersonLoad(
                person, weekly_cap, daily_cap, {week: weekly[(person.id, week)] for week in plan.weeks},
                max((n for (who, _), n in daily.items() if who == person.id), default=0), missed[person.id],
            )
        )  # fmt: skip
    return found


def _people(item: Any) -> list[Owner]:
    owner = item.lead.owner
    return [*([owner] if owner is not None else []), *item.attendees]
