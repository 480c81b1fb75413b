"""One team goes: a companion of another role keeps its owner, who comes along; so does the relationship owner."""

from __future__ import annotations

import datetime as dt

from kamengine.engine.model.actions import ActionCatalogue
from kamengine.engine.model.plan_settings import PlanSettings
from kamengine.engine.model.recommendation import Owner, Recommendation
from kamengine.engine.plan.week import schedule
from planning import TEAM, plan_for
from support import contact

EMAILS = [{**m, "email": f"{m['id']}@example.com"} for m in TEAM]


def test_the_sr_keeps_the_technical_exchange_and_comes_to_the_executive_s_visit() -> None:
    # An executive who evaluates: our executive's visit carries the technical exchange, which stays the SR's.
    person = contact("c1", name="Ana", level="executive", role="E", owner="u-ar")
    recs = plan_for(person, team=EMAILS).recommendations
    visit = next(r for r in recs if r.action == "executive_visit")
    exchange = next(r for r in recs if r.action == "technical_exchange")
    assert visit.approach == exchange.approach and visit.due == exchange.due
    assert visit.owner == Owner("u-ad", "Chen Jing", "AD", "u-ad@example.com")
    assert exchange.owner is not None and exchange.owner.id == "u-sr"  # role-specific work is never the lead's
    assert [a.id for a in visit.attendees] == ["u-ar", "u-sr"]  # Ana's relationship owner, and the SR
    assert exchange.attendees == visit.attendees
    assert visit.to_dict()["attendees"][1] == {
        "id": "u-sr",
        "name": "Sofia Marin",
        "role": "SR",
        "email": "u-sr@example.com",
    }


def test_nobody_comes_along_when_the_owner_leads_alone() -> None:
    person = contact("c1", name="Bo", level="middle", role="E", owner="u-sr")
    (exchange,) = plan_for(person).recommendations
    assert exchange.owner is not None and exchange.owner.id == "u-sr" and exchange.attendees == ()
    assert exchange.to_dict()["attendees"] == [] and "email" not in exchange.to_dict()["owner"]


def _rec(rec_id: str, owner: Owner, attendees: tuple[Owner, ...] = (), priority: float = 50.0) -> Recommendation:
    return Recommendation(
        rec_id, "acct", "regular_office_visit", "contact", rec_id, "Visit", "Why", "r", priority,
        dt.date(2026, 12, 14), "AR", owner=owner, attendees=attendees, account_name="A",
    )  # fmt: skip


def test_an_attendee_s_time_is_counted_like_the_lead_s() -> None:
    sr, ar = Owner("u-sr", "Sofia", "SR"), Owner("u-ar", "Li", "AR")
    recs = [_rec(f"r{n}", ar, (sr,), priority=100 - n) for n in range(3)] + [_rec("solo", sr, priority=10)]
    plan = schedule(recs, ActionCatalogue(), PlanSettings(weekly_capacity=3, horizon_weeks=1), dt.date(2026, 12, 14))
    assert [u.item.lead.id for u in plan.unplanned] == ["solo"]  # Sofia's week went to the three visits she attends
    assert plan.unplanned[0].reason == "over capacity until 2026-W51: Sofia (SR)"


def test_the_fr_keeps_the_kick_off_of_a_won_deal_and_comes_to_the_celebration() -> None:
    from support import advise_builtin, make_snapshot

    team = [*TEAM[:1], TEAM[2], {"id": "u-fr", "name": "Omar", "role": "FR", "level": "middle"}]
    won = {"id": "o1", "name": "Deal", "stage": "won", "value": 1_000_000, "close_date": "2026-11-10"}
    snapshot = make_snapshot(
        account={"id": "a", "name": "A", "tier": "key"}, contacts=[contact("c1", level="executive", role="D")],
        opportunities=[won], team=team,
    )  # fmt: skip
    recs = {r.action: r for r in advise_builtin(snapshot).recommendations}
    celebration, kick_off = recs["project_celebration"], recs["project_office_visit"]
    assert kick_off.approach == celebration.approach  # the kick-off rides on the celebration ...
    assert celebration.owner is not None and celebration.owner.role == "AD"
    assert kick_off.owner is not None and kick_off.owner.id == "u-fr"  # ... and stays the FR's (the rule asks the FR)
    assert [a.id for a in celebration.attendees] == ["u-fr"]
