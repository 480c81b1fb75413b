"""What an account director reading the plan asked of it: approvals said, one owner per occasion,
reviews held once, no date inside the year-end break, staffing escalated by someone on the team."""

from __future__ import annotations

import datetime as dt

from kamengine.engine.model.plan_settings import PlanSettings
from kamengine.engine.plan.calendar import calendar_for
from planning import plan_for
from support import contact


def _deal(stage: str, *members: tuple[str, str], close: str = "2027-06-30") -> dict:
    groups = [{"group": group, "members": [{"contact_id": who, "proximity": 1}]} for who, group in members]
    return {
        "id": "o1",
        "name": "Core",
        "stage": stage,
        "value": 1_000_000,
        "close_date": close,
        "decision_groups": groups,
    }


def test_a_private_occasion_with_someone_deciding_a_deal_in_negotiation_becomes_the_compliant_step() -> None:
    friend = contact("c1", stance=2)
    advice = plan_for(friend, opportunities=[_deal("negotiation", ("c1", "commercial"))])
    assert not [r for r in advice.recommendations if r.action == "private_activity"]
    visit = next(r for r in advice.recommendations if r.action == "regular_office_visit")
    assert visit.compliance == (
        "Core is being decided (quiet period): no private one-to-one activity with the people who decide it;"
        " Regular office visit instead"
    )
    relaxed = plan_for(
        friend, opportunities=[_deal("negotiation", ("c1", "commercial"))], settings=PlanSettings(quiet_stages=())
    )
    assert next(r for r in relaxed.recommendations if r.action == "private_activity").compliance is None


def test_our_event_for_a_deal_says_when_it_hosts_public_officials_or_its_deciders() -> None:
    official = contact("c1", public_official=True)
    advice = plan_for(official, opportunities=[_deal("bidding", ("c1", "technical"))])
    (tour,) = [r for r in advice.recommendations if r.action == "hq_tour"]
    assert tour.compliance is not None
    assert tour.compliance.split("; ") == [
        "A headquarters tour with public officials needs compliance approval",
        "Core is being decided (quiet period): a headquarters tour with the people who decide it needs compliance"
        " approval",
    ]
    early = plan_for(contact("c1"), opportunities=[_deal("qualified", ("c1", "technical"))])
    assert [r.compliance for r in early.recommendations if r.action == "hq_tour"] == [None]


def test_one_owner_leads_an_occasion_and_says_whose_relationship_it_was() -> None:
    advice = plan_for(contact("c1", level="executive", birthday="1970-11-25", owner="u-ar"))
    assert {r.owner.id for r in advice.recommendations if r.owner} == {"u-ad"}
    wishes = next(r for r in advice.recommendations if r.action == "birthday_greeting")
    notes = [n.text for n in advice.notes if n.recommendation.id == wishes.id]
    assert "owner: Chen Jing (AD), who leads the approach (not Li Wei (AR))" in notes


def test_a_deal_s_review_is_held_in_the_account_review() -> None:
    won = {"id": "o1", "name": "Core", "stage": "won", "value": 1_000_000, "close_date": "2026-11-10"}
    advice = plan_for(account={"id": "a", "name": "A", "tier": "key"}, opportunities=[won])
    reviews = [r for r in advice.recommendations if r.action in ("win_review", "account_review")]
    assert len(reviews) == 2 and len({r.approach for r in reviews}) == 1
    assert len({r.due for r in reviews}) == 1


def test_account_wide_work_rides_on_the_same_kind_of_occasion_with_a_person() -> None:
    advice = plan_for(contact("c1", department="Works"), account={"id": "a", "name": "A", "tier": "key"})
    outings = [r for r in advice.recommendations if r.action == "team_activity"]
    assert [r.subject_kind for r in outings] == ["contact"]  # one outing, not two in one occasion (issue 22)
    (carried,) = [s for s in advice.suppressed if s.recommendation.action == "team_activity"]
    assert (carried.recommendation.subject_kind, carried.reason) == ("account", "approach")
    assert carried.detail.startswith("the occasion already carries a team_activity")


def test_nothing_falls_due_in_the_year_end_break_and_deal_work_comes_before_it() -> None:
    germany = {"id": "a", "name": "A", "extra": {"region": "DE"}}
    ceo = contact("c1", level="executive", owner="u-ad")
    alone = plan_for(ceo, account=germany, as_of="2026-12-15").recommendations[0]
    assert alone.due == dt.date(2027, 1, 4)  # 12-29 is in the break; 1 January is a holiday
    deciding = plan_for(
        ceo,
        account=germany,
        as_of="2026-12-15",
        opportunities=[_deal("qualified", ("c1", "final"), close="2027-01-20")],
    )
    visit = next(r for r in deciding.recommendations if r.action == "executive_visit")
    assert (visit.opportunity_id, visit.due) == ("o1", dt.date(2026, 12, 23))  # before the customer leaves


def test_the_year_end_break_is_where_christmas_is_a_holiday_and_can_be_switched_off() -> None:
    assert not calendar_for("DE").is_working_day(dt.date(2026, 12, 28))
    assert calendar_for("DE", year_end_break=False).is_working_day(dt.date(2026, 12, 28))
    assert calendar_for("CN").is_working_day(dt.date(2026, 12, 28))


def test_staffing_without_a_director_is_taken_up_by_the_most_senior_member() -> None:
    team = [{"id": "u-ar", "name": "Li Wei", "role": "AR", "level": "middle"}]
    advice = plan_for(contact("c1", level="executive"), team=team)
    (staffing,) = advice.recommendations
    assert (staffing.action, staffing.owner_role) == ("staff_iron_triangle", "AR")
    assert staffing.owner is not None and staffing.owner.id == "u-ar"
    assert staffing.title == "Staff or borrow an AD for Account, needed for: Our executive meets C1"
