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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from ..model.actions import ActionCatalogue, Mode
from ..model.plan_settings import PlanSettings
from ..model.recommendation import Recommendation
from .allocation import Diary, horizon, place
from .approaches import carrier_rank, leads
from .dates import ON_DATE
from .items import Item, Unplanned, WeekPlan, iso_week, monday

#: What takes a person's time at the customer: a meeting, an event, a private occasion, an invitation handed over.
MEETINGS = frozenset({Mode.MEETING, Mode.EVENT, Mode.PRIVATE, Mode.INVITATION, Mode.CARE})

__all__ = ["MEETINGS", "Item", "Unplanned", "WeekPlan", "iso_week", "monday", "schedule"]


def schedule(
    recommendations: Iterable[Recommendation],
    actions: ActionCatalogue,
    settings: PlanSettings,
    as_of: dt.date,
    *,
    overdue_on: dt.date | None = None,
    regions: Mapping[str, str | None] | None = None,
    through: dt.date | None = None,
    person: str | None = None,
) -> WeekPlan:
    """Every approach and piece of own work on a working day of its owner's horizon, most valuable first.

    ``overdue_on`` (advice a store kept since an earlier night) is the plan's today instead of ``as_of``.
    What was due before the plan's today is placed from it on, and says since when it was due.
    ``regions`` (account id -> region) gives each account's public holidays; without one, weekends and
    the year-end break are closed.

    ``through`` bounds the plan to the days up to it (a week's Sunday): the items placed on those days are those of
    the whole plan (an approach only moves later, so what falls due after ``through`` never lands before it, and
    what lands after it books nothing before it); what finds no day by then is left out, not listed as unplanned.
    ``person``: only their approaches and those that bear on their days are placed (``bearing_on``).
    """
    start = overdue_on or as_of
    items = _items(recommendations, actions)
    items.sort(key=lambda i: (-i.lead.priority, i.day, i.lead.id))
    items = bearing_on(items, person) if person is not None else items
    weeks, end = _bounded(horizon(start, settings.horizon_weeks), through)
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
    if through is not None:  # why an approach found no day by ``through`` says nothing of the whole plan
        unplanned = []
    return WeekPlan(placed, unplanned, weeks, start, settings)


def _bounded(found: tuple[tuple[str, ...], dt.date], through: dt.date | None) -> tuple[tuple[str, ...], dt.date]:
    """The horizon's weeks and last day, cut at ``through``."""
    weeks, end = found
    return (weeks, end) if through is None else (tuple(w for w in weeks if monday(w) <= through), min(end, through))


def bearing_on(items: Sequence[Item], person: str) -> list[Item]:
    """Of ``items`` in the plan's order, ``person``'s and those whose day can change one of theirs: an approach's
    day depends only on what the approaches before it booked of its people's time, so going back from the last,
    one that books a person who matters (theirs, or one's that matters after it) matters, and so do its people."""
    matter, kept = {person}, []
    for item in reversed(items):
        people = {*item.people, *(c.owner.id for c in item.companions if c.owner)}  # an occasion's own day too
        books = item.meeting or any(c.action in ON_DATE for c in item.companions)
        if person in people or (books and not matter.isdisjoint(people)):
            kept.append(item)
            matter |= people
    return kept[::-1]


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
