"""What a week plan is made of: the items placed on people's days, those not planned, the plan, and its ISO weeks."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..model.plan_settings import PlanSettings
from ..model.recommendation import Owner, Recommendation


@dataclass(frozen=True)
class Item:
    """One approach (its lead and companions) or one piece of our own work, in a person's week."""

    owner_id: str | None  # None: nobody on the team can do it yet (a staffing decision)
    owner_name: str
    week: str  # ISO week, e.g. 2026-W49
    day: dt.date
    lead: Recommendation
    companions: tuple[Recommendation, ...] = ()
    moved_from: dt.date | None = None  # the due date the plan gave it, when it moved to a later week
    over_capacity: bool = False  # never true any more: what does not fit is not planned (kept for the JSON)
    overdue_since: dt.date | None = None  # its due date, when that was before the plan's day (stored advice)
    customer_action: bool = True  # a meeting or message for the customer, not our own work
    attendees: tuple[Owner, ...] = ()  # the colleagues who come along; their time is counted too
    meeting: bool = True  # takes the owner's and attendees' time (not a greeting, a gift or our own work)
    moved_because: str = ""  # why it moved from its due date: "the week was full", "not a working day", ...

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``plan --format json`` (and of the service's ``/v1/plan``)."""
        return {
            "owner": self.lead.owner.to_dict() if self.lead.owner else None,
            "attendees": [a.to_dict() for a in self.attendees],
            "week": self.week,
            "day": self.day.isoformat(),
            "moved_from": self.moved_from.isoformat() if self.moved_from else None,
            "moved_because": self.moved_because or None,
            "over_capacity": self.over_capacity,
            "overdue_since": self.overdue_since.isoformat() if self.overdue_since else None,
            "lead": self.lead.to_dict(),
            "companions": [c.to_dict() for c in self.companions],
        }

    @property
    def people(self) -> tuple[str, ...]:
        """Whose time it takes: the owner and every attendee."""
        return tuple(dict.fromkeys(p for p in (self.owner_id, *(a.id for a in self.attendees)) if p is not None))


@dataclass(frozen=True)
class Unplanned:
    """An approach the horizon had no room for (or that is due after it), and why."""

    item: Item
    reason: str  # e.g. "over capacity until 2027-W04: u-ad"

    @property
    def over_capacity(self) -> bool:
        """No room within the horizon (not simply due after it)."""
        return self.reason.startswith("over capacity")

    def to_dict(self) -> dict[str, Any]:
        return {**self.item.to_dict(), "week": None, "day": None, "not_planned": self.reason}


@dataclass(frozen=True)
class WeekPlan:
    """The placed items (by owner, day, urgency) and those not planned, over the plan's weeks.

    Iterating it gives the placed items, as ``schedule`` gave them before it said what it could not place.
    """

    items: list[Item]
    unplanned: list[Unplanned]
    weeks: tuple[str, ...]  # the horizon, this week first
    as_of: dt.date
    settings: PlanSettings = field(default_factory=PlanSettings)  # whose capacities the plan kept to

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> Item:
        return self.items[index]


@functools.lru_cache(maxsize=4096)  # asked for every approach placed: the same few weeks of days
def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def monday(week: str) -> dt.date:
    """The Monday of an ISO week like 2026-W49."""
    return dt.date.fromisocalendar(int(week[:4]), int(week.split("W")[1]), 1)
