"""Soil, not sorghum (issue 22 point 3): who holds the people who sign is measured, not only head-count; the
star's meetings with them bring a second colleague, sharing ranks above the star's private occasions, and
a contact is never moved to the star because their own owner's role cannot host an action."""

from __future__ import annotations

import pytest
from kamengine.engine.evaluate.facts import compute_facts
from kamengine.engine.model.recommendation import Recommendation
from support import activity, advise_builtin, contact, make_snapshot

TEAM = [
    {"id": "u-ar", "name": "Lukas Weber", "role": "AR", "level": "senior"},
    {"id": "u-sr", "name": "Sofia Marin", "role": "SR", "level": "senior"},
    {"id": "u-fr", "name": "Ines Duarte", "role": "FR", "level": "middle"},
    {"id": "u-ad", "name": "Chen Jing", "role": "AD", "level": "executive"},
]
# The star holds all three deciders but only 3 of the 7 supporters: head-count (43%) never trips the 70%.
PEOPLE = [
    contact("c-ceo", name="Marek Lis", title="CEO", level="executive", role="A", stance=2, owner="u-ar"),
    contact("c-cfo", name="Ewa Nowak", title="CFO", level="executive", role="D", stance=1, owner="u-ar"),
    contact("c-coo", name="Jan Kowal", title="COO", level="executive", role="D", stance=1, owner="u-ar"),
    contact("c-eng", name="Ola Wrona", title="Engineer", level="staff", role="I", stance=1, owner="u-sr"),
    contact("c-pln", name="Piotr Lis", title="Planner", level="staff", role="I", stance=1, owner="u-sr"),
    contact("c-ctl", name="Adam Bem", title="Controller", level="middle", role="S", stance=2, owner="u-fr"),
    contact("c-buy", name="Kasia Nowak", title="Buyer", level="middle", role="I", stance=1, owner="u-ad"),
]
HISTORY = [
    activity("a-1", "project_office_visit", "2026-10-01", "c-ceo", "c-cfo", "c-coo", "c-ctl", owner="u-ar"),
    activity("a-2", "regular_office_visit", "2026-10-20", "c-ceo", "c-ctl", owner="u-ar"),
    activity("a-3", "private_activity", "2026-11-02", "c-ceo", owner="u-ar"),
    activity("a-4", "executive_visit", "2026-11-05", "c-cfo", "c-coo", owner="u-ad"),
]


# An €8M deal the CEO decides weighs his family banquet far above an account-wide line.
GRID = {"id": "o-grid", "name": "Grid", "stage": "qualified", "value": 8_000_000, "close_date": "2027-03-01",
        "decision_groups": [{"group": "final", "members": [{"contact_id": "c-ceo", "proximity": 1}]}]}  # fmt: skip


def _snapshot(*deals: dict) -> object:  # type: ignore[type-arg]
    return make_snapshot(
        account={"id": "globex", "name": "Globex Energy", "tier": "key"},
        contacts=PEOPLE, activities=HISTORY, team=TEAM, opportunities=list(deals),
    )  # fmt: skip


def _recs(*deals: dict) -> list[Recommendation]:  # type: ignore[type-arg]
    return advise_builtin(_snapshot(*deals)).recommendations  # type: ignore[arg-type]


def test_who_holds_the_deciders_is_measured_not_only_head_count() -> None:
    facts = compute_facts(_snapshot())  # type: ignore[arg-type]
    assert facts.account["top_owner_share"] < 0.7
    assert facts.account["decider_holder"] == "u-ar"
    assert facts.account["decider_holder_share"] == 1.0
    assert facts.account["decider_holder_contacts"] == "Marek Lis, Ewa Nowak, Jan Kowal"
    star = next(m for m in facts.team if m["id"] == "u-ar")
    assert (star["decider_count"], star["decider_share"]) == (3, 1.0)


@pytest.mark.parametrize("deals", [(), (GRID,)], ids=["no deal", "an 8M deal"])
def test_sharing_the_relationship_ranks_above_the_stars_private_occasions(deals: tuple) -> None:  # type: ignore[type-arg]
    recs = _recs(*deals)
    (share,) = [r for r in recs if r.action == "broaden_relationships"]
    assert share.rule == "power-map/share-decider-relationships"
    private = [
        r for r in recs if r.owner and r.owner.id == "u-ar" and r.action in ("family_banquet", "private_activity")
    ]
    assert private, "the star still deepens the relationship, after sharing it"
    assert all(share.priority > r.priority for r in private)


def test_the_stars_meetings_with_a_decider_bring_a_second_colleague() -> None:
    recs = _recs()
    meetings = [r for r in recs if r.owner and r.owner.id == "u-ar" and r.subject_id in ("c-cfo", "c-coo")]
    assert meetings
    for rec in meetings:
        assert "u-ad" in {a.id for a in rec.attendees}, rec.title


def test_a_contact_is_not_moved_to_the_star_when_the_owners_role_cannot_host_the_occasion() -> None:
    recs = [r for r in _recs() if r.subject_id == "c-ctl"]
    assert recs
    assert all(r.owner is not None and r.owner.id == "u-fr" for r in recs), [(r.action, r.owner) for r in recs]
    assert "private_activity" not in {r.action for r in recs}
    assert "team_activity" in {r.action for r in recs}
