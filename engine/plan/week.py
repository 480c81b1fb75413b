"""A person's weeks: every approach placed on a working day of its owner's (and attendees') weeks.

The plan is a portfolio-wide allocation of each person's time over ``horizon_weeks``: the most
valuable approach first, each goes to the first working day from its own due date (never earlier,
never before today plus its lead time) on which its owner and every attendee still have room
(``weekly_capacity`` and ``daily_capacity`` customer meetings), spread over the week's days. What
finds no room within the horizon is not planned: it is listed apart, with the reason. Our own work
(reviews, staffing) and a few words (a greeting, a gift) take no meeting's time.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..model.actions import ActionCatalogue, Mode
from ..model.plan_settings import PlanSettings
from ..model.recommendation import Owner, Recommendation
from .allocation import Diary, horizon, place
from .approaches import carrier_rank, leads
from .dates import ON_DATE

#: What takes a person's time at the customer: a meeting, an event, a private occasion, an invitation handed over.
MEETINGS = frozenset({Mode.MEETING, Mode.EVENT, Mode.PRIVATE, Mode.INVITATION, Mode.CARE})


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
    regions: Mapping[str, str | None] | None = None,
) -> WeekPlan:
    """Every approach and piece of own work on a working day of its owner's horizon, most valuable first.

    ``overdue_on`` (advice a store kept since an earlier night) is the plan's today instead of ``as_of``.
    What was due before the plan's today is placed from it on, and says since when it was due.
    ``regions`` (account id -> region) gives each account's public holidays; without one, weekends and
    the year-end break are closed.
    """
    start = overdue_on or as_of
    items = _items(recommendations, actions)
    items.sort(key=lambda i: (-i.lead.priority, i.day, i.lead.id))
    weeks, end = horizon(start, settings.horizon_weeks)
    diary = Diary(settings)
    placed: list[Item] = []
    unplanned: list[Unplanned] = []
    lead_days = _lead_days(actions, settings.lead_days)
    for item in items:
        overdue = item.day if item.day < start else None  # fell due before the plan's today: due now
        ready = start + dt.timedelta(days=max(lead_days.get(r.action, 0) for r in (item.lead, *item.companions)))
        earliest = max(item.day, start, ready if item.meeting else start)
        region = (regions or {}).get(item.lead.account_id)
        if overdue is not None and item.lead.action in ON_DATE:  # a birthday greeting two weeks late is not one
            unplanned.append(Unplanned(replace(item, overdue_since=overdue), f"its day, {overdue}, has passed"))
            continue
        found = place(item, earliest, end, region, diary, settings)
        if isinstance(found, str):
            unplanned.append(Unplanned(replace(item, overdue_since=overdue), found))
            continue
        day, because = found
        if day > item.day and any(c.action in ON_DATE for c in item.companions):
            item = _own_days(item, day, start, end, (region, diary, settings, actions), placed, unplanned)
        if not because and item.meeting and ready > max(item.day, start):
            because = f"it takes {(ready - start).days} days to organise"
        moved = item.day if iso_week(day) != iso_week(item.day) and overdue is None and because else None
        placed.append(
            replace(item, day=day, week=iso_week(day), overdue_since=overdue, moved_from=moved,
                    moved_because=because if moved else "")
        )  # fmt: skip
    placed.sort(key=lambda i: (i.owner_name, i.day, -i.lead.priority, i.lead.id))
    unplanned.sort(key=lambda u: (not u.over_capacity, -u.item.lead.priority, u.item.day, u.item.lead.id))
    return WeekPlan(placed, unplanned, weeks, start, settings)


def _own_days(
    item: Item, day: dt.date, start: dt.date, end: dt.date, where: tuple[Any, Diary, PlanSettings, ActionCatalogue],
    placed: list[Item], unplanned: list[Unplanned],
) -> Item:  # fmt: skip
    """The occasion moved to ``day``: a greeting, festival visit or gift it carried for an earlier day leaves
    it and is placed alone on that day (its own, or within its window before it), or listed if it cannot be."""
    region, diary, settings, actions = where
    leaving = [c for c in item.companions if c.action in ON_DATE and c.due < day]
    for companion in leaving:
        action = actions.get(companion.action)
        alone = _item(companion, (), action.kind if action is not None else Mode.MEETING)
        if companion.due < start:
            unplanned.append(
                Unplanned(replace(alone, overdue_since=companion.due), f"its day, {companion.due}, has passed")
            )
            continue
        found = place(alone, companion.due, min(end, companion.due), region, diary, settings)
        if isinstance(found, str):
            unplanned.append(Unplanned(alone, f"its day, {companion.due}: {found}"))
        else:
            placed.append(replace(alone, day=found[0], week=iso_week(found[0])))
    return replace(item, companions=tuple(c for c in item.companions if c not in leaving))


def _lead_days(actions: ActionCatalogue, overrides: Mapping[str, int]) -> dict[str, int]:
    found = {i: t.lead_days for i in actions.ids() if (t := actions[i]).lead_days}
    return {**found, **overrides}


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
        kind = action.kind if action is not None else Mode.MEETING
        items.append(_item(group[0], group[1:], kind))
    return items


def _item(lead: Recommendation, companions: Sequence[Recommendation], kind: Mode) -> Item:
    owner = lead.owner
    coming = {a.id: a for rec in (lead, *companions) for a in rec.attendees if owner is None or a.id != owner.id}
    customer = kind != Mode.INTERNAL
    return Item(
        owner.id if owner else None, owner.name if owner else "(unassigned)", iso_week(lead.due), lead.due, lead,
        tuple(companions), customer_action=customer, attendees=tuple(coming.values()),
        meeting=customer and kind in MEETINGS and owner is not None,
    )  # fmt: skip
