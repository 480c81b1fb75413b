"""A region's year of holidays is built from the library once, then read from the cache file."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from kamengine.engine.plan import holiday_years

PROBE = """
import datetime as dt, sys
from kamengine.engine.plan.calendar import calendar_for
china = calendar_for("CN")
print(china.is_working_day(dt.date(2026, 10, 1)), china.is_working_day(dt.date(2026, 9, 20)), "holidays" in sys.modules)
"""


@pytest.fixture(autouse=True)
def fresh_caches() -> Iterator[None]:
    for cached in (holiday_years._path, holiday_years._cache, holiday_years.year_of):
        cached.cache_clear()
    yield
    for cached in (holiday_years._path, holiday_years._cache, holiday_years.year_of):
        cached.cache_clear()


def _probe() -> list[str]:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60)
    return done.stdout.split()


def test_the_second_process_reads_the_cache_and_never_imports_the_library() -> None:
    # National Day is a holiday; Sunday 20 September 2026 is a make-up working day.
    assert _probe() == ["False", "True", "True"]
    assert _probe() == ["False", "True", "False"]


def test_the_cache_holds_exactly_what_the_library_says(tmp_path: Path) -> None:
    built = holiday_years.year_of("DE", 2026)
    assert built is not None
    cache = json.loads(next((tmp_path / "home" / "cache").glob("holidays-*.json")).read_text())
    assert holiday_years._from_json(cache["DE/2026"]) == built
    assert (dt.date(2026, 10, 3), "German Unity Day") in built.holidays
    assert holiday_years.year_of("ZZ", 2026) is None and cache.get("ZZ/2026") is None


def test_a_damaged_or_unwritable_cache_is_rebuilt_or_skipped_never_an_error(tmp_path: Path) -> None:
    cache_dir = tmp_path / "home" / "cache"
    cache_dir.mkdir(parents=True)
    path = holiday_years._path()
    assert path is not None
    path.write_text('{"DE/2026": {"holidays": 7}}', encoding="utf-8")
    built = holiday_years.year_of("DE", 2026)
    assert built is not None and not built.is_working_day(dt.date(2026, 12, 25))
    path.unlink()
    cache_dir.rmdir()
    cache_dir.write_text("not a directory", encoding="utf-8")  # a home where no cache can be written
    holiday_years.year_of.cache_clear()
    holiday_years._cache.cache_clear()
    assert holiday_years.year_of("US", 2026) is not None
    assert cache_dir.read_text(encoding="utf-8") == "not a directory"
