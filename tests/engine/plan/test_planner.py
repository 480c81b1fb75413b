"""The planning stage: owners, staffing, urgency from the deal, dates, approaches and what they carry."""

from __future__ import annotations

import datetime as dt

from kamengine.engine.advise.advisor import Advisor
from support import activity, advise_builtin, contact, make_playbook, make_snapshot

TEAM = [
    {"id": "u-ar", "name": "Li Wei", "role": "AR", "level": "middle"},
    {"id": "u-sr", "name": "Sofia Marin", "role": "SR", "level": "senior"},
    {"id": "u-ad", "name": "Chen Jing", "role": "AD", "level": "executive"},
]

PLAYBOOK = """\
playbook: p
rules:
  - id: exchange
    rationale: Talk shop.
    subject: contact
    priority: 50
    when: [{role: E}]
    actions: [{action: technical_exchange, title: "Exchange with {name}", due_in_days: 10}]
  - id: wishes
    rationale: Birthdays matter.
    subject: contact
    priority: 30
    when: [{days_to_birthday: {lte: 7}}]
    actions: [{action: birthday_greeting, title: "Wish {name} a happy birthday", due_in_days: 0}]
  - id: top
    rationale: Executives meet executives.
    subject: contact
    priority: 90
    when: [{level: executive}]
    actions: [{action: executive_visit, title: "Our executive meets {name}", due_in_days: 14}]
  - id: dinner
    rationale: Warm friends.
    subject: contact
    priority: 40
    when: [{stance: 2}]
    actions: [{action: private_activity, title: "Dinner with {name}", due_in_days: 12}]
  - id: tour
    rationale: Show them who we are.
    subject: opportunity
    priority: 60
    when: [{live: true}]
    actions: [{action: hq_tour, title: "HQ tour for {name}", due_in_days: 45}]
"""


def _plan(*contacts: dict, team: list | None = None, **sections: object):  # type: ignore[no-untyped-def]
    snapshot = make_snapshot(contacts=list(contacts), team=TEAM if team is None else team, **sections)
    return Advisor([make_playbook(PLAYBOOK)]).advise(snapshot)


def test_the_relationship_owner_acts_when_their_role_fits_else_the_role_and_executives_go_to_the_director() -> None:
    advice = _plan(contact("c1", role="E", owner="u-ar"), contact("c2", level="executive", owner="u-ar"))
    owners = {(r.subject_id, r.action): (r.owner.id if r.owner else None) for r in advice.recommendations}
    assert owners == {("c1", "technical_exchange"): "u-sr", ("c2", "executive_visit"): "u-ad"}
    exchange = next(r for r in advice.recommendations if r.action == "technical_exchange")
    assert exchange.owner_role == "SR"
    assert "owner: Sofia Marin (SR), the team's SR" in [
        n.text for n in advice.notes if n.recommendation.id == exchange.id
    ]


def test_work_for_a_missing_role_becomes_one_staffing_recommendation() -> None:
    advice = _plan(contact("c1", role="E"), contact("c2", role="E"), team=TEAM[:1])
    assert [(r.action, r.rule, r.owner) for r in advice.recommendations] == [
        ("staff_iron_triangle", "plan/staff-SR", None)
    ]
    staffing = advice.recommendations[0]
    assert staffing.title.startswith("Staff or borrow an SR for Account: 2 action(s) need one")
    assert len(staffing.evidence["needed_by"]) == 2
    assert sorted(s.reason for s in advice.suppressed) == ["staffing", "staffing"]
    with_director = _plan(contact("c1", role="E"), team=[TEAM[0], TEAM[2]])
    assert [r.owner.id for r in with_director.recommendations if r.owner] == ["u-ad"]


def test_an_executive_visit_carries_the_birthday_wishes_as_one_approach() -> None:
    advice = _plan(contact("c1", level="executive", birthday="1970-11-25", owner="u-ar"))
    visit, wishes = advice.recommendations
    assert (visit.action, wishes.action) == ("executive_visit", "birthday_greeting")
    assert visit.approach == wishes.approach and visit.due == wishes.due == dt.date(2026, 11, 25)
    assert visit.owner is not None and visit.owner.id == "u-ad" and wishes.owner is not None


def test_a_private_occasion_and_a_formal_meeting_do_not_share_a_fortnight() -> None:
    advice = _plan(contact("c1", level="executive", stance=2, owner="u-ar"))
    assert [r.action for r in advice.recommendations] == ["executive_visit"]
    (dropped,) = [s for s in advice.suppressed if s.reason == "approach"]
    assert dropped.recommendation.action == "private_activity"
    assert dropped.detail == "cannot share one occasion with executive_visit due 2026-12-04"


def test_an_occasion_already_scheduled_carries_what_it_can_on_its_date() -> None:
    scheduled = [activity("a1", "hq_tour", "2026-12-01", "c1", owner="u-ar")]
    advice = _plan(contact("c1", level="executive", owner="u-ar"), activities=scheduled)
    (visit,) = advice.recommendations
    assert visit.due == dt.date(2026, 12, 1)
    notes = [n.text for n in advice.notes if n.recommendation.id == visit.id]
    assert "approach: rides on the hq_tour already scheduled for 2026-12-01" in notes


def _deal(deal_id: str, value: float, close: str, stage: str = "bidding") -> dict:
    return {"id": deal_id, "name": deal_id, "stage": stage, "value": value, "close_date": close}


def test_urgency_comes_from_the_deal_and_nothing_serving_it_falls_after_its_close() -> None:
    deals = [_deal("big-soon", 12_000_000, "2027-02-01"), _deal("small-late", 100_000, "2027-10-01")]
    advice = _plan(opportunities=deals)
    tours = {r.subject_id: r for r in advice.recommendations}
    assert tours["big-soon"].priority > tours["small-late"].priority
    assert [r.subject_id for r in advice.recommendations] == ["big-soon", "small-late"]
    closing = _plan(opportunities=[_deal("closing", 5_000_000, "2026-12-20")])
    assert closing.recommendations == []
    (timing,) = closing.suppressed
    assert (timing.reason, timing.detail) == (
        "timing",
        "hq_tour takes 45 days to organise; closing closes on 2026-12-20",
    )


def test_a_tier_weighs_in() -> None:
    person = contact("c1", level="executive", owner="u-ad")
    strategic = _plan(person, account={"id": "a", "name": "A", "tier": "strategic"}).recommendations[0]
    standard = _plan(person, account={"id": "a", "name": "A", "tier": "standard"}).recommendations[0]
    assert strategic.priority == round(standard.priority * 1.2, 2)


def test_due_dates_skip_the_region_s_public_holidays() -> None:
    china = {"id": "a", "name": "A", "extra": {"region": "CN"}}
    advice = _plan(contact("c1", level="executive", owner="u-ad"), account=china, as_of="2027-01-27")
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
