"""The planning stage: owners, staffing, urgency from the deal, dates, approaches and what they carry."""

from __future__ import annotations

import datetime as dt

from planning import TEAM, plan_for
from support import activity, advise_builtin, contact, make_snapshot


def test_the_relationship_owner_acts_when_their_role_fits_else_the_role_and_executives_go_to_the_director() -> None:
    advice = plan_for(contact("c1", role="E", owner="u-ar"), contact("c2", level="executive", owner="u-ar"))
    owners = {(r.subject_id, r.action): (r.owner.id if r.owner else None) for r in advice.recommendations}
    assert owners == {("c1", "technical_exchange"): "u-sr", ("c2", "executive_visit"): "u-ad"}
    exchange = next(r for r in advice.recommendations if r.action == "technical_exchange")
    assert exchange.owner_role == "SR"
    assert "owner: Sofia Marin (SR), the team's SR" in [
        n.text for n in advice.notes if n.recommendation.id == exchange.id
    ]


def test_work_for_a_missing_role_becomes_one_staffing_recommendation() -> None:
    advice = plan_for(contact("c1", role="E"), contact("c2", role="E"), team=TEAM[:1])
    # Without an account director, the team's most senior member takes it to sales management.
    assert [(r.action, r.rule, r.owner.id if r.owner else None) for r in advice.recommendations] == [
        ("staff_iron_triangle", "plan/staff-SR", TEAM[0]["id"])
    ]
    staffing = advice.recommendations[0]
    assert staffing.title.startswith("Staff or borrow an SR for Account, needed for: ")
    assert staffing.title.endswith("(and 1 more)")
    assert len(staffing.evidence["needed_by"]) == 2
    assert sorted(s.reason for s in advice.suppressed) == ["staffing", "staffing"]
    with_director = plan_for(contact("c1", role="E"), team=[TEAM[0], TEAM[2]])
    assert [r.owner.id for r in with_director.recommendations if r.owner] == ["u-ad"]


def test_an_executive_visit_carries_the_birthday_wishes_as_one_approach() -> None:
    advice = plan_for(contact("c1", level="executive", birthday="1970-11-25", owner="u-ar"))
    visit, wishes = advice.recommendations
    assert (visit.action, wishes.action) == ("executive_visit", "birthday_greeting")
    assert visit.approach == wishes.approach and visit.due == wishes.due == dt.date(2026, 11, 25)
    assert visit.owner is not None and visit.owner.id == "u-ad" and wishes.owner is not None


def test_a_private_occasion_and_a_formal_meeting_do_not_share_a_fortnight() -> None:
    advice = plan_for(contact("c1", level="executive", stance=2, owner="u-ar"))
    assert [r.action for r in advice.recommendations] == ["executive_visit"]
    (dropped,) = [s for s in advice.suppressed if s.reason == "approach"]
    assert dropped.recommendation.action == "private_activity"
    assert dropped.detail == "cannot share one occasion with executive_visit due 2026-12-04"


def test_an_occasion_already_scheduled_carries_what_it_can_on_its_date() -> None:
    scheduled = [activity("a1", "hq_tour", "2026-12-01", "c1", owner="u-ar")]
    advice = plan_for(contact("c1", level="executive", owner="u-ar"), activities=scheduled)
    (visit,) = advice.recommendations
    assert visit.due == dt.date(2026, 12, 1)
    notes = [n.text for n in advice.notes if n.recommendation.id == visit.id]
    assert "approach: rides on the hq_tour already scheduled for 2026-12-01" in notes


def _deal(deal_id: str, value: float, close: str, stage: str = "bidding") -> dict:
    return {"id": deal_id, "name": deal_id, "stage": stage, "value": value, "close_date": close}


def test_urgency_comes_from_the_deal_and_nothing_serving_it_falls_after_its_close() -> None:
    deals = [_deal("big-soon", 12_000_000, "2027-02-01"), _deal("small-late", 100_000, "2027-10-01")]
    advice = plan_for(opportunities=deals)
    tours = {r.subject_id: r for r in advice.recommendations}
    assert tours["big-soon"].priority > tours["small-late"].priority
    assert [r.subject_id for r in advice.recommendations] == ["big-soon", "small-late"]
    closing = plan_for(opportunities=[_deal("closing", 5_000_000, "2026-12-08")])
    assert closing.recommendations == []
    (timing,) = closing.suppressed
    assert (timing.reason, timing.detail) == (
        "timing",
        "hq_tour takes 21 days to organise; closing closes on 2026-12-08",
    )


def test_a_tier_weighs_in() -> None:
    person = contact("c1", level="executive", owner="u-ad")
    strategic = plan_for(person, account={"id": "a", "name": "A", "tier": "strategic"}).recommendations[0]
    standard = plan_for(person, account={"id": "a", "name": "A", "tier": "standard"}).recommendations[0]
    assert strategic.priority == round(standard.priority * 1.2, 2)


def test_due_dates_skip_the_region_s_public_holidays() -> None:
    china = {"id": "a", "name": "A", "extra": {"region": "CN"}}
    advice = plan_for(contact("c1", level="executive", owner="u-ad"), account=china, as_of="2027-01-27")
    (visit,) = advice.recommendations
    # 14 days on is 2027-02-10, inside the Spring Festival holidays: the visit moves after them.
    assert visit.due > dt.date(2027, 2, 10) and visit.due.weekday() < 5
    from kamengine.engine.plan.calendar import calendar_for

    assert calendar_for("CN").is_working_day(visit.due)
    assert not calendar_for("CN").is_working_day(dt.date(2027, 2, 10))


def test_the_built_in_playbook_plans_a_never_met_group_cto_as_one_approach_at_the_top() -> None:
    # The case: a never-met Group CTO at a strategic partner, birthday and festival close.
    cto = contact("c-cto", name="Ana", level="executive", role="D", stance=0, birthday="1970-11-25", owner="u-ar")
    deal = {
        "id": "o1", "name": "Core", "stage": "bidding", "value": 5_000_000, "close_date": "2027-03-01",
        "decision_groups": [{"group": "final", "members": [{"contact_id": "c-cto", "proximity": 2}]}],
    }  # fmt: skip
    snapshot = make_snapshot(
        account={"id": "acct", "name": "ACME", "tier": "strategic", "strategic_partner": True},
        contacts=[cto], opportunities=[deal], team=TEAM,
    )  # fmt: skip
    recs = [r for r in advise_builtin(snapshot).recommendations if r.subject_id == "c-cto"]
    dates = {r.due for r in recs}
    assert recs[0].action == "executive_visit" and recs[0].owner is not None and recs[0].owner.role == "AD"
    assert "birthday_greeting" in {r.action for r in recs if r.approach == recs[0].approach}
    assert all(abs((a - b).days) > 14 for a in dates for b in dates if a != b)
    assert not any("gone cold" in r.title for r in recs)
    assert not any(r.action == "project_office_visit" for r in recs)
