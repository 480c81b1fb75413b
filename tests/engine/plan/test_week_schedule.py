"""The week's allocation on its own: closed days, the year-end break, dates that have passed, lead times."""

from __future__ import annotations

import datetime as dt

from kamengine.engine.model.actions import ActionCatalogue
from kamengine.engine.model.plan_settings import PlanSettings
from kamengine.engine.model.recommendation import Owner, Recommendation
from kamengine.engine.plan.week import schedule

LI = Owner("u-ar", "Li", "AR")


def _rec(rec_id: str, action: str, due: dt.date, priority: float = 50.0) -> Recommendation:
    return Recommendation(
        rec_id, "acct", action, "contact", rec_id, rec_id, "Why", "r", priority, due, "AR", owner=LI, account_name="A"
    )


def test_the_year_end_break_and_new_year_are_never_booked() -> None:
    visit = _rec("visit", "regular_office_visit", dt.date(2026, 12, 24))
    planned = schedule([visit], ActionCatalogue(), PlanSettings(), dt.date(2026, 12, 21), regions={"acct": "EU"})
    (item,) = planned.items
    assert item.day == dt.date(2027, 1, 4)  # 24 Dec - 1 Jan closed, 2-3 Jan a weekend
    assert (item.moved_from, item.moved_because) == (dt.date(2026, 12, 24), "not a working day")
    off = PlanSettings(closed=(), year_end_break=False)
    assert schedule([visit], ActionCatalogue(), off, dt.date(2026, 12, 21)).items[0].day == dt.date(2026, 12, 24)


def test_a_greeting_whose_day_has_passed_is_not_planned_late() -> None:
    late = _rec("wish", "birthday_greeting", dt.date(2026, 11, 24))
    planned = schedule([late], ActionCatalogue(), PlanSettings(), dt.date(2026, 12, 7))
    assert planned.items == [] and [u.reason for u in planned.unplanned] == ["its day, 2026-11-24, has passed"]


def test_nothing_is_placed_sooner_than_its_lead_time_or_earlier_than_its_own_date() -> None:
    today = dt.date(2026, 12, 7)
    tour = _rec("tour", "hq_tour", today, priority=90)
    later = _rec("later", "regular_office_visit", dt.date(2026, 12, 17), priority=10)
    planned = schedule([tour, later], ActionCatalogue(), PlanSettings(), today)
    days = {i.lead.id: i.day for i in planned.items}
    assert days["tour"] >= today + dt.timedelta(days=21) and days["later"] >= dt.date(2026, 12, 17)
    settings = PlanSettings(lead_days={"hq_tour": 28})
    assert schedule([tour], ActionCatalogue(), settings, today).items[0].day >= today + dt.timedelta(days=28)


def test_a_week_is_spread_over_its_days() -> None:
    monday = dt.date(2026, 12, 7)
    recs = [_rec(f"r{n}", "regular_office_visit", monday, priority=100 - n) for n in range(5)]
    days = sorted(i.day for i in schedule(recs, ActionCatalogue(), PlanSettings(), monday).items)
    assert days == [monday + dt.timedelta(days=n) for n in range(5)]  # one a day, not five on Monday
