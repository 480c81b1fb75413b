"""A region's year of holidays: from the maintained ``holidays`` library, kept in a cache file once read.

Importing the library and building a country's year takes about 0.1 s (its packages import
every country), more than the rest of ``kamengine advise`` on one snapshot. So a year, once
built, is written to ``$KAMENGINE_HOME/cache/holidays-<library version>.json``: the next
process reads it there and never imports the library. A new library version starts a new
file; a cache that cannot be read or written is skipped, never an error.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_FINANCIAL = {"EU": "XECB"}  # regions that are not countries: their common closing days


@dataclass(frozen=True)
class Year:
    """One region's year: its holidays by name, and where its working days differ from Monday to Friday."""

    holidays: tuple[tuple[dt.date, str], ...]
    closed: frozenset[dt.date]  # Monday to Friday, but not a working day (a public holiday)
    opened: frozenset[dt.date]  # a weekend day that is a working day (a make-up day)

    def is_working_day(self, day: dt.date) -> bool:
        return day in self.opened if day.weekday() >= 5 else day not in self.closed


@functools.lru_cache(maxsize=512)
def year_of(region: str | None, year: int) -> Year | None:
    """The region's year; None for no region, or one the library does not know (weekends only)."""
    if region is None:
        return None
    key = f"{region}/{year}"
    cache = _cache()
    if key in cache:
        return _from_json(cache[key])
    built = _build(region, year)
    cache[key] = _to_json(built)
    _save(cache)
    return built


def _build(region: str, year: int) -> Year | None:
    import holidays  # only when the cache has not got this year yet

    try:
        if region in _FINANCIAL:
            source = holidays.financial_holidays(_FINANCIAL[region], years=year)
        else:
            source = holidays.country_holidays(region, years=year, language="en_US")
    except (NotImplementedError, KeyError):
        return None
    first = dt.date(year, 1, 1)
    days = [first + dt.timedelta(days=n) for n in range((dt.date(year + 1, 1, 1) - first).days)]
    closed = frozenset(d for d in days if d.weekday() < 5 and not source.is_working_day(d))
    opened = frozenset(d for d in days if d.weekday() >= 5 and source.is_working_day(d))
    return Year(tuple(sorted(source.items())), closed, opened)


def _to_json(year: Year | None) -> dict[str, Any] | None:
    if year is None:
        return None
    return {
        "holidays": [[day.isoformat(), name] for day, name in year.holidays],
        "closed": sorted(d.isoformat() for d in year.closed),
        "opened": sorted(d.isoformat() for d in year.opened),
    }


def _from_json(data: dict[str, Any] | None) -> Year | None:
    if data is None:
        return None
    day = dt.date.fromisoformat
    return Year(
        tuple((day(d), str(name)) for d, name in data["holidays"]),
        frozenset(map(day, data["closed"])),
        frozenset(map(day, data["opened"])),
    )


@functools.cache
def _path() -> Path | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("holidays")
        home = Path(os.environ.get("KAMENGINE_HOME") or Path.home() / ".kamengine")
    except (PackageNotFoundError, RuntimeError):  # RuntimeError: no home directory to be found
        return None
    return home / "cache" / f"holidays-{release}.json"


@functools.cache
def _cache() -> dict[str, Any]:
    """The cache file's years (read once per process); empty when there is none or it is unreadable."""
    path = _path()
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        for value in data.values():  # a damaged file is rebuilt, not trusted
            if value is not None:
                _from_json(value)
        return dict(data)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def _save(cache: dict[str, Any]) -> None:
    """Write the cache whole, atomically; a home we cannot write to keeps no cache."""
    path = _path()
    if path is None:
        return
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".holidays-", suffix=".json")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(cache, out)
            os.replace(temporary, path)
        except OSError:
            Path(temporary).unlink(missing_ok=True)
            raise
