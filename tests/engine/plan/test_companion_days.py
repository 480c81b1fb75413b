"""A greeting, a festival visit or gift has a day of its own: it never rides on an occasion after it, and an
invitation moved off a holiday is never moved before it can be organised (so one person gets one approach)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from click.testing import CliRunner
from durable_marker import prints_as_on_durable
from kamengine.cli import main
from kamengine.engine.model.actions import BUILTIN_ACTIONS, ActionCatalogue
from kamengine.engine.model.plan_settings import PlanSettings
from kamengine.engine.model.recommendation import Owner, Recommendation
from kamengine.engine.plan.approaches import Scheduled, form_approaches, make_approach_id
from kamengine.engine.plan.calendar import calendar_for
from kamengine.engine.plan.dates import set_due
from kamengine.engine.plan.draft import Draft
from kamengine.engine.plan.week import schedule

AS_OF = dt.date(2026, 12, 11)


def _draft(action: str, due: str, priority: float, subject: str = "c1") -> Draft:
    rec = Recommendation(
        f"rec-{action}", "acct", action, "contact", subject, f"{action} for {subject}", "why", f"r/{action}",
        priority, dt.date.fromisoformat(due), "AR",
    )  # fmt: skip
    return Draft(rec, BUILTIN_ACTIONS[action], {"id": subject})


def _day_of(approaches: list[list[Draft]], action: str) -> tuple[dt.date, list[str]]:
    """The day of the approach carrying ``action`` and the actions of that approach."""
    (found,) = [a for a in approaches if any(d.action.id == action for d in a)]
    return _formed_day(found), [d.action.id for d in found]


def _formed_day(approach: list[Draft]) -> dt.date:
    days = {d.due for d in approach}  # _settle gives every member the occasion's day
    assert len(days) == 1
    return days.pop()


def test_a_festival_visit_that_cannot_join_keeps_its_own_day_instead_of_following_after_the_fortnight() -> None:
    # The exhibition invitation is not ready (21 days) on the festival visit's day: before the fix the visit
    # was moved past the fortnight (2027-01-07) and rode on whatever was there, after Christmas.
    drafts = [_draft("exhibition_invite", "2026-12-23", 290), _draft("festival_visit", "2026-12-18", 57)]
    approaches, dropped = form_approaches(drafts, 14, "acct", AS_OF, None, calendar_for("EU"))
    assert _day_of(approaches, "festival_visit") == (dt.date(2026, 12, 18), ["festival_visit"])
    assert _day_of(approaches, "exhibition_invite")[1] == ["exhibition_invite"]
    assert dropped == []


def test_a_birthday_never_rides_on_an_occasion_its_lead_s_lead_time_puts_after_the_birthday() -> None:
    # An HQ tour (21 days to organise, ready on 2027-01-01) would carry the greeting of 2026-12-24 on 2027-01-01.
    drafts = [_draft("hq_tour", "2027-01-05", 200), _draft("birthday_greeting", "2026-12-24", 30)]
    approaches, _ = form_approaches(drafts, 14, "acct", AS_OF)
    assert _day_of(approaches, "birthday_greeting") == (dt.date(2026, 12, 24), ["birthday_greeting"])
    assert _day_of(approaches, "hq_tour") == (dt.date(2027, 1, 5), ["hq_tour"])


def test_an_occasion_already_scheduled_after_the_birthday_does_not_carry_the_greeting() -> None:
    tour = Scheduled(BUILTIN_ACTIONS["hq_tour"], dt.date(2026, 12, 30), "a1")
    drafts = [_draft("birthday_greeting", "2026-12-24", 30)]
    approaches, dropped = form_approaches(drafts, 14, "acct", AS_OF, {"c1": [tour, tour]})
    assert _day_of(approaches, "birthday_greeting") == (dt.date(2026, 12, 24), ["birthday_greeting"])
    assert dropped == []


def test_an_invitation_due_on_a_holiday_moves_to_when_it_can_be_organised_not_before() -> None:
    # Ready on 2027-01-01 (21 days): a holiday. Work for a closing deal moves before holidays, but not to
    # 2026-12-23, twelve days after today, when it takes 21 to organise.
    draft = _draft("exhibition_invite", "2026-12-20", 290)
    draft.deal = {"id": "d1", "name": "Tender", "live": True, "close_date": dt.date(2027, 1, 29), "days_to_close": 49}
    assert set_due(draft, AS_OF, {}, calendar_for("EU")) is None
    assert draft.due == dt.date(2027, 1, 4)


def _kenji_week() -> list[dict[str, Any]]:
    result = CliRunner().invoke(
        main,
        ["plan", "--source", "file:examples/acme-telecom.yaml", "--source", "file:examples/portfolio/",
         "--week", "all", "--as-of", "2026-12-11", "--owner", "u-ks", "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    items: list[dict[str, Any]] = json.loads(result.output)
    return items


@prints_as_on_durable
def test_rosa_diaz_gets_one_approach_in_the_new_year_and_her_festival_visit_before_christmas() -> None:
    rosa = [i for i in _kenji_week() if i["lead"]["subject"]["id"] == "v-plant"]
    by_action = {r["action"]: i["day"] for i in rosa for r in (i["lead"], *i["companions"])}
    assert by_action["festival_visit"] == "2026-12-18"
    assert by_action["hq_tour"] == by_action["exhibition_invite"]  # the tour carries the invitation
    new_year = [i for i in rosa if i["day"] >= "2027-01-01"]
    assert len(new_year) == 1


def _owned(rec_id: str, action: str, due: dt.date, priority: float, approach: str | None = None) -> Recommendation:
    li = Owner("u-ar", "Li", "AR")
    return Recommendation(
        rec_id, "acct", action, "contact", "c1", rec_id, "Why", "r", priority, due, "AR", owner=li, approach=approach
    )  # fmt: skip


def test_an_occasion_the_allocation_moves_past_a_companion_s_day_leaves_it_on_its_own_day() -> None:
    monday, wednesday = dt.date(2026, 12, 14), dt.date(2026, 12, 16)
    apr = make_approach_id("acct", "c1", "visit")
    recs = [
        _owned("first", "regular_office_visit", wednesday, 90),  # takes the week's only meeting
        _owned("visit", "regular_office_visit", wednesday, 50, apr),
        _owned("wish", "birthday_greeting", wednesday, 50, apr),
        _owned("festival", "festival_visit", wednesday, 50, apr),
    ]
    planned = schedule(recs, ActionCatalogue(), PlanSettings(weekly_capacity=1), monday)
    days = {i.lead.id: (i.day, [c.id for c in i.companions]) for i in planned.items}
    assert days["visit"] == (dt.date(2026, 12, 21), [])  # moved to next week, without what was for Wednesday
    assert days["wish"] == (wednesday, [])  # a greeting takes nobody's meeting time: on its day
    (festival,) = [u for u in planned.unplanned if u.item.lead.id == "festival"]
    assert festival.reason.startswith("its day, 2026-12-16: over capacity")
