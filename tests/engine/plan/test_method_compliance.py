"""Compliance replaces (issue 22 point 1): while a deal is decided, no private occasion or gift for the people
deciding it, but the compliant step or the occasion after the award; no trip we host in the 14 days before
the close. Public officials keep their own rules."""

from __future__ import annotations

import datetime as dt

from kamengine.engine.model.recommendation import Recommendation
from support import activity, advise_builtin, contact, make_snapshot

TEAM = [
    {"id": "u-ar", "name": "Lukas Weber", "role": "AR", "level": "senior"},
    {"id": "u-sr", "name": "Sofia Marin", "role": "SR", "level": "senior"},
    {"id": "u-ad", "name": "Chen Jing", "role": "AD", "level": "executive"},
]
PRIVATE = {"private_activity", "family_banquet", "home_visit", "compliant_gift"}
TRIPS = {"hq_tour", "exhibition_invite", "reference_site_visit", "summit_dialogue"}


def _deal(stage: str, close: str, *members: tuple[str, str], value: int = 8_000_000) -> dict:  # type: ignore[type-arg]
    groups = [{"group": group, "members": [{"contact_id": who, "proximity": 1}]} for who, group in members]
    return {"id": "o-grid", "name": "Grid tender", "stage": stage, "value": value, "close_date": close,
            "decision_groups": groups}  # fmt: skip


def _ladder(contact_id: str, *rungs: str) -> list[dict]:  # type: ignore[type-arg]
    days = ["2026-10-01", "2026-10-15", "2026-11-01", "2026-11-10"]
    return [activity(f"a{i}", rung, days[i], contact_id, owner="u-ar") for i, rung in enumerate(rungs)]


def _advise(people: list[dict], deals: list[dict], activities: list[dict]) -> list[Recommendation]:  # type: ignore[type-arg]
    snapshot = make_snapshot(
        account={"id": "globex", "name": "Globex Energy", "tier": "key"},
        contacts=people, opportunities=deals, activities=activities, team=TEAM,
    )  # fmt: skip
    return advise_builtin(snapshot).recommendations


def test_the_final_deciders_family_banquet_days_before_the_close_becomes_an_office_visit() -> None:
    # The director's edit: a family banquet with the final decider 4 days before an €8M close.
    ceo = contact("c-ceo", name="Marek Lis", title="Chief Executive Officer", level="executive", role="D", stance=2)
    recs = _advise([ceo], [_deal("negotiation", "2026-11-24", ("c-ceo", "final"))],
                   _ladder("c-ceo", "project_office_visit", "regular_office_visit", "private_activity"))  # fmt: skip
    assert not [r for r in recs if r.subject_id == "c-ceo" and r.action in PRIVATE]
    (visit,) = [r for r in recs if r.subject_id == "c-ceo" and r.action == "regular_office_visit"]
    assert visit.compliance is not None and "no family banquet" in visit.compliance


def test_hospitality_waits_until_after_the_award_when_no_compliant_step_is_free() -> None:
    # A private activity the day before the close, for a supporter met at a regular visit last week and at a
    # technical exchange: both compliant steps are cooling down, so the dinner waits for the award.
    buyer = contact("c-buy", name="Tom Keller", title="Head of Procurement", role="E", stance=1)
    history = [
        *_ladder("c-buy", "project_office_visit", "regular_office_visit"),
        activity("a-x", "technical_exchange", "2026-11-12", "c-buy", owner="u-sr"),
        activity("a-y", "regular_office_visit", "2026-11-13", "c-buy", owner="u-ar"),
    ]
    recs = _advise([buyer], [_deal("bidding", "2026-11-21", ("c-buy", "commercial"))], history)
    (dinner,) = [r for r in recs if r.subject_id == "c-buy" and r.action == "private_activity"]
    assert dinner.due > dt.date(2026, 11, 21)
    assert dinner.opportunity_id is None
    assert dinner.compliance is not None and "waits until after the award (2026-11-21)" in dinner.compliance


def test_no_trip_we_host_for_a_decider_in_the_14_days_before_the_close() -> None:
    # A weak spot on a deal closing in 25 days: the HQ tour (21 days to organise) would land 4 days before it.
    cfo = contact("c-cfo", name="Ewa Nowak", title="Chief Financial Officer", level="executive", role="D", stance=0)
    close = dt.date(2026, 12, 15)
    recs = _advise(
        [cfo], [_deal("qualified", close.isoformat(), ("c-cfo", "final"))], _ladder("c-cfo", "regular_office_visit")
    )
    trips = [r for r in recs if r.subject_id == "c-cfo" and r.action in TRIPS]
    assert trips, "the three axes still invite her: after the award"
    for trip in trips:
        assert not (close - dt.timedelta(days=14) <= trip.due <= close), (trip.action, trip.due)


def test_outside_a_quiet_period_the_ladder_goes_on() -> None:
    friend = contact("c-ceo", name="Marek Lis", title="Chief Executive Officer", level="executive", role="D", stance=2)
    recs = _advise([friend], [_deal("qualified", "2027-06-30", ("c-ceo", "final"))],
                   _ladder("c-ceo", "project_office_visit", "regular_office_visit", "private_activity"))  # fmt: skip
    assert [r.action for r in recs if r.subject_id == "c-ceo" and r.action in PRIVATE] == ["family_banquet"]


def test_a_public_official_keeps_todays_rules() -> None:
    official = contact(
        "c-reg", name="Paul Okafor", title="Regulatory Liaison", role="S", stance=1, public_official=True
    )
    recs = _advise([official], [_deal("qualified", "2027-06-30", ("c-reg", "technical"))],
                   _ladder("c-reg", "project_office_visit", "regular_office_visit"))  # fmt: skip
    (step,) = [r for r in recs if r.subject_id == "c-reg" and r.rule == "power-map/ladder-private-activity"]
    assert step.action == "regular_office_visit"
    assert (
        step.compliance
        == "Private one-to-one activity is never offered to a public official; Regular office visit instead"
    )
