"""Working days and festivals of an account's region, from the maintained ``holidays`` library.

A region is ``account.extra.region``: an ISO country code the library knows (``CN``, ``DE``,
``US``...), or ``EU``, for which the days the euro area's payment system closes are the
holidays every member state shares. An unknown region has weekends only. Where Christmas is a
public holiday, the days from Christmas Eve to New Year's Eve count as closed too (``[plan]
year_end_break``): they are working days by law, but the customer is away. A region's year is
built once and kept in a cache file (``holiday_years``); then it is lookups.
"""

from __future__ import annotations

import datetime as dt
import functools

from ..model.config import Festival
from .holiday_years import year_of

#: Holidays that are festivals worth a visit, by the library's English name, and how we call them.
FESTIVAL_NAMES = {
    "Chinese New Year (Spring Festival)": "Spring Festival 春节",
    "Mid-Autumn Festival": "Mid-Autumn Festival 中秋节",
    "Christmas Day": "Christmas",
    "New Year's Day": "New Year",
}


class Calendar:
    """One region's working days and festivals."""

    def __init__(self, region: str | None, year_end_break: bool = True) -> None:
        self.region = region
        self.year_end_break = year_end_break
        self._working: dict[dt.date, bool] = {}  # asked for every recommendation: the same few weeks

    def holidays(self, year: int) -> dict[dt.date, str]:
        """The region's public holidays in a year, date -> name (English)."""
        return dict(_holidays(self.region, year))

    def is_working_day(self, day: dt.date) -> bool:
        """Not a weekend, not a public holiday (a region's make-up working days count as working), not
        in the year-end break."""
        known = self._working.get(day)
        if known is None:
            in_break = day.month == 12 and day.day >= 24 and _keeps_christmas(self.region, day.year)
            known = self._working[day] = not (self.year_end_break and in_break) and _is_working_day(self.region, day)
        return known

    def next_working_day(self, day: dt.date) -> dt.date:
        """``day`` if it is a working day, else the first one after it."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def previous_working_day(self, day: dt.date) -> dt.date:
        """``day`` if it is a working day, else the last one before it."""
        while not self.is_working_day(day):
            day -= dt.timedelta(days=1)
        return day

    def festivals(self, start: dt.date, end: dt.date) -> list[Festival]:
        """The festivals from ``start`` to ``end`` (inclusive), the first day of each."""
        found = []
        for year in range(start.year, end.year + 1):
            seen: set[str] = set()
            for day, name in sorted(_holidays(self.region, year)):
                label = FESTIVAL_NAMES.get(name)
                if label and label not in seen and start <= day <= end:
                    seen.add(label)
                    found.append(Festival(label, day, (self.region,) if self.region else ()))
        return found


@functools.lru_cache(maxsize=64)
def calendar_for(region: str | None, year_end_break: bool = True) -> Calendar:
    """The calendar of a region (one per process)."""
    return Calendar(region.upper() if region else None, year_end_break)


@functools.lru_cache(maxsize=512)
def _keeps_christmas(region: str | None, year: int) -> bool:
    return any(day.month == 12 and day.day == 25 for day, _ in _holidays(region, year))


def _holidays(region: str | None, year: int) -> tuple[tuple[dt.date, str], ...]:
    days = year_of(region, year)
    return days.holidays if days is not None else ()


@functools.lru_cache(maxsize=4096)
def _is_working_day(region: str | None, day: dt.date) -> bool:
    days = year_of(region, day.year)
    return days.is_working_day(day) if days is not None else day.weekday() < 5
