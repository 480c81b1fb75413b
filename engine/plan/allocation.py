"""Each person's diary over the plan's horizon: meetings per week and per day, and the day an approach gets.

An approach needs a day that is a working day of its account's region (no weekend, public holiday
or year-end break), on or after its earliest day, on which its owner and every attendee are under
their weekly and daily capacity. Of the days of the first week that has one, it takes the one where
its owner has the fewest meetings yet (the earliest of those): a person's week is spread over its
days, not stacked on Monday.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from typing import TYPE_CHECKING

from ..model.plan_settings import PlanSettings
from .calendar import Calendar, calendar_for

if TYPE_CHECKING:
    from .items import Item

_DAY = dt.timedelta(days=1)


class Diary:
    """Who has how many customer meetings in which week and on which day."""

    def __init__(self, settings: PlanSettings) -> None:
        self.settings = settings
        self.weekly: dict[tuple[str, tuple[int, int]], int] = defaultdict(int)
        self.daily: dict[tuple[str, dt.date], int] = defaultdict(int)
        self._caps: dict[str, tuple[int, int]] = {}
        # Whether a day is open in a calendar: asked for every day of every approach's search, the same few weeks.
        self._open: dict[tuple[Calendar, dt.date], bool] = {}

    def caps(self, person: str) -> tuple[int, int]:
        """(weekly, daily) capacity of a person, with the team's per-member figures."""
        found = self._caps.get(person)
        if found is None:
            s = self.settings
            found = self._caps[person] = (s.capacity_of(person), s.daily_capacity_of(person))
        return found

    def week_full(self, person: str, day: dt.date) -> bool:
        return self.weekly[(person, _week_key(day))] >= self.caps(person)[0]

    def day_full(self, person: str, day: dt.date) -> bool:
        return self.daily[(person, day)] >= self.caps(person)[1]

    def works(self, calendar: Calendar, day: dt.date) -> bool:
        """Whether ``day`` is a working day of ``calendar`` outside the settings' closed days."""
        found = self._open.get((calendar, day))
        if found is None:
            found = self._open[(calendar, day)] = not self.settings.is_closed(day) and calendar.is_working_day(day)
        return found

    def book(self, people: tuple[str, ...], day: dt.date) -> None:
        for person in people:
            self.weekly[(person, _week_key(day))] += 1
            self.daily[(person, day)] += 1


def horizon(start: dt.date, weeks: int) -> tuple[tuple[str, ...], dt.date]:
    """The ISO weeks of the plan (``start``'s first) and its last day (a Sunday)."""
    first = start - dt.timedelta(days=start.weekday())
    mondays = [first + dt.timedelta(weeks=n) for n in range(weeks)]
    names = tuple(f"{d.isocalendar()[0]}-W{d.isocalendar()[1]:02d}" for d in mondays)
    return names, mondays[-1] + dt.timedelta(days=6)


def place(
    item: Item, earliest: dt.date, end: dt.date, region: str | None, diary: Diary, settings: PlanSettings
) -> tuple[dt.date, str] | str:
    """The day ``item`` gets and why it moved (``""``: it did not), booked in ``diary``; or why it gets none."""
    calendar = calendar_for(region, settings.year_end_break)
    if earliest > end:
        return f"due {earliest.isoformat()}, after the plan's horizon (to {_week_name(end)})"
    if not item.meeting:  # a greeting, a gift, our own work: on its working day, taking nobody's meeting time
        day = _open_day(earliest, calendar, diary)
        return (day, "" if day == earliest else "not a working day") if day <= end else _after(end)
    people = item.people
    day = earliest
    why = ""  # what was met on the way: whose week or days were full, or closed days
    while day <= end:
        full = [p for p in people if diary.week_full(p, day)]
        if full:
            why = why or f"{_names(full, item)}: the week was full"
        else:
            chosen = _best_day(day, end, people, calendar, diary)
            if chosen is not None:
                diary.book(people, chosen)
                return chosen, why
            days = [d for d in _days(day, end) if diary.works(calendar, d)]
            busy = [p for p in people if any(diary.day_full(p, d) for d in days)]
            why = why or (f"{_names(busy, item)}: the days were full" if days else "not a working day")
        day = day + dt.timedelta(days=7 - day.weekday())  # the next Monday
    busy = [p for p in people if _full_throughout(p, earliest, end, diary)] or list(people)
    return f"over capacity until {_week_name(end)}: " + _names(busy, item)


def _names(people: list[str], item: Item) -> str:
    """The people as the reasons name them; made only when a reason is (most approaches take their day)."""
    names = {a.id: f"{a.name} ({a.role})" for a in (item.lead.owner, *item.attendees) if a is not None}
    return ", ".join(names.get(p, p) for p in people)


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    """The days from ``start`` to its week's Sunday (or ``end``)."""
    last = min(start + dt.timedelta(days=6 - start.weekday()), end)
    return [start + dt.timedelta(days=n) for n in range((last - start).days + 1)]


def _best_day(
    start: dt.date, end: dt.date, people: tuple[str, ...], calendar: Calendar, diary: Diary
) -> dt.date | None:
    """Of the working days from ``start`` to that week's Sunday, the one with room where the owner is least busy."""
    owner = people[0]
    best: tuple[int, dt.date] | None = None
    for day in _days(start, end):
        if diary.works(calendar, day) and not any(diary.day_full(p, day) for p in people):
            load = diary.daily[(owner, day)]
            if best is None or load < best[0]:
                best = (load, day)
    return best[1] if best else None


def _open_day(day: dt.date, calendar: Calendar, diary: Diary) -> dt.date:
    for _ in range(400):  # a year of closed days is a misconfiguration, not a reason to loop forever
        if diary.works(calendar, day):
            return day
        day += _DAY
    return day


def _full_throughout(person: str, start: dt.date, end: dt.date, diary: Diary) -> bool:
    day = start
    while day <= end:
        if not diary.week_full(person, day):
            return False
        day += dt.timedelta(days=7 - day.weekday())
    return True


def _after(end: dt.date) -> str:
    return f"no working day before the plan's horizon ends ({_week_name(end)})"


@functools.lru_cache(maxsize=4096)
def _week_key(day: dt.date) -> tuple[int, int]:
    year, week, _ = day.isocalendar()
    return year, week


def _week_name(day: dt.date) -> str:
    year, week = _week_key(day)
    return f"{year}-W{week:02d}"
