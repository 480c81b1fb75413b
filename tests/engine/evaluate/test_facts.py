"""Derived facts: computed once per snapshot, documented in fields.py."""

from __future__ import annotations

import datetime as dt

from kamengine.engine.evaluate.facts import compute_facts
from kamengine.engine.model.fields import KINDS
from support import activity, contact, make_snapshot


def _deal(**fields: object) -> dict:
    groups = [
        {"group": "technical", "members": [{"contact_id": "c1", "proximity": 1}, {"contact_id": "c2", "proximity": 2}]},
        {"group": "final", "members": [{"contact_id": "c3", "proximity": 1}]},
    ]
    return {"id": "o1", "name": "Core", "stage": "bidding", "decision_groups": groups, **fields}


def _facts(**sections: object):  # type: ignore[no-untyped-def]
    return compute_facts(make_snapshot(**sections))


def test_every_record_has_exactly_the_documented_fields(example_path: str) -> None:
    from kamengine.engine.model.loading import load_snapshot

    facts = compute_facts(load_snapshot(example_path))
    assert set(facts.account) == set(KINDS["account"])
    assert all(set(c) == set(KINDS["contact"]) for c in facts.contacts)
    assert all(set(o) == set(KINDS["opportunity"]) for o in facts.opportunities)
    assert all(set(a) == set(KINDS["activity"]) for a in facts.activities)
    assert all(set(t) == set(KINDS["team_member"]) for t in facts.team)
    assert all(set(m) == set(KINDS["member"]) for m in facts.items("opportunity", "o-core", "members"))
    assert all(set(d) == set(KINDS["deal"]) for d in facts.items("contact", "c-eng", "deals"))


def test_contacted_and_days_since_ignore_scheduled_activities() -> None:
    facts = _facts(
        contacts=[contact("c1"), contact("c2"), contact("c3")],
        activities=[
            activity("a1", "executive_visit", "2026-10-21", "c1"),
            activity("a2", "executive_visit", "2026-06-01", "c1"),
            activity("a3", "hq_tour", "2026-12-01", "c2"),
        ],
    )
    c1, c2, c3 = facts.contacts
    assert (c1["contacted"], c1["days_since_last_activity"], c1["days_since_executive_visit"]) == (True, 30, 30)
    assert (c2["contacted"], c2["days_since_last_activity"], c2["planned_count"]) == (False, None, 1)
    assert (c3["contacted"], c3["days_since_last_activity"], c3["days_since_hq_tour"]) == (False, None, None)


def test_intimacy_level_is_the_highest_rung_reached() -> None:
    facts = _facts(
        contacts=[contact("c1"), contact("c2"), contact("c3")],
        activities=[
            activity("a1", "private_activity", "2026-10-01", "c1"),
            activity("a2", "project_office_visit", "2026-11-01", "c1"),
            activity("a3", "home_visit", "2026-12-24", "c2"),  # scheduled: not reached yet
        ],
    )
    levels = [(c["intimacy_level"], c["next_intimacy_action"]) for c in facts.contacts]
    assert levels == [(3, "family_banquet"), (0, "project_office_visit"), (0, "project_office_visit")]


def test_days_to_birthday_wraps_into_next_year_and_handles_29_february() -> None:
    facts = _facts(
        contacts=[
            contact("c1", birthday="1970-11-20"),
            contact("c2", birthday="1980-11-19"),
            contact("c3", birthday="1984-02-29"),
            contact("c4"),
        ]
    )
    assert [c["days_to_birthday"] for c in facts.contacts] == [0, 364, 100, None]


def test_key_person_is_nearest_the_axis_of_a_live_deal_only() -> None:
    people = [contact("c1", stance=1), contact("c2", stance=2), contact("c3", stance=0)]
    live = _facts(contacts=people, opportunities=[_deal()])
    assert [c["key_person"] for c in live.contacts] == [True, False, True]
    assert [c["live_deal_count"] for c in live.contacts] == [1, 1, 1]
    lost = _facts(contacts=people, opportunities=[_deal(stage="lost")])
    assert [c["key_person"] for c in lost.contacts] == [False, False, False]
    assert lost.items("contact", "c1", "deals") == []


def test_key_people_also_include_approvers_deciders_and_our_coach_on_a_live_deal() -> None:
    groups = [
        {
            "group": "final",
            "members": [{"contact_id": "c-a", "proximity": 1}, {"contact_id": "c-approver", "proximity": 3}],
        },
        {
            "group": "technical",
            "members": [{"contact_id": "c-b", "proximity": 1}, {"contact_id": "c-coach", "proximity": 2}],
        },
    ]
    people = [
        contact("c-a"), contact("c-b"), contact("c-approver", role="A"), contact("c-coach", stance=3),
        contact("c-far", role="D"),  # decides nothing we are selling
    ]  # fmt: skip
    deal = {"id": "o1", "name": "Core", "stage": "bidding", "decision_groups": groups}
    facts = _facts(contacts=people, opportunities=[deal])
    key = {c["id"]: (c["key_person"], c["fishbone_key_person"]) for c in facts.contacts}
    assert key == {
        "c-a": (True, True), "c-b": (True, True), "c-approver": (True, False), "c-coach": (True, False),
        "c-far": (False, False),
    }  # fmt: skip
    lost = _facts(contacts=people, opportunities=[{**deal, "stage": "lost"}])
    assert not any(c["key_person"] for c in lost.contacts)


def test_opportunity_counts_and_strongest_supporter() -> None:
    facts = _facts(
        contacts=[contact("c1", stance=1), contact("c2", stance=2), contact("c3", stance=-1)],
        opportunities=[_deal(close_date="2026-12-20")],
    )
    deal = facts.opportunities[0]
    assert {k: deal[k] for k in ("member_count", "supporter_count", "opposer_count", "coach_count", "best_stance")} == {
        "member_count": 3,
        "supporter_count": 2,
        "opposer_count": 1,
        "coach_count": 0,
        "best_stance": 2,
    }
    assert deal["groups_without_supporter"] == 1 and deal["days_to_close"] == 30
    members = facts.items("opportunity", "o1", "members")
    assert [(m["id"], m["group"], m["group_key_person"], m["strongest_supporter"]) for m in members] == [
        ("c1", "technical", True, False),
        ("c2", "technical", False, True),
        ("c3", "final", True, False),
    ]


def test_account_counts_and_owner_share() -> None:
    facts = _facts(
        contacts=[
            contact("c1", role="A", stance=2, owner="u-ar"),
            contact("c2", role="E", stance=1, owner="u-ar"),
            contact("c3", role="E", stance=1, owner="u-ad"),
            contact("c4", stance=-1, owner="u-ad"),
        ]
    )
    account = facts.account
    assert (account["count_role_E"], account["count_role_A"], account["count_stance_m1"]) == (2, 1, 1)
    assert (account["supporter_count"], account["top_owner"]) == (3, "u-ar")
    assert account["top_owner_share"] == 2 / 3
    assert [(t["id"], t["supportive_count"]) for t in facts.team] == [("u-ar", 2), ("u-ad", 1)]


def test_as_of_drives_every_day_count() -> None:
    snapshot = make_snapshot(contacts=[contact("c1")], activities=[activity("a1", "hq_tour", "2026-11-10", "c1")])
    later = compute_facts(snapshot.model_copy(update={"as_of": dt.date(2026, 12, 10)}))
    assert later.contacts[0]["days_since_hq_tour"] == 30


def test_departments_heads_and_supporters() -> None:
    facts = _facts(
        contacts=[
            contact("c1", department="IT", level="middle", stance=0),
            contact("c2", department="IT", level="senior", stance=1),
            contact("c3", department="Ops", level="staff", stance=0),
            contact("c4", level="executive", stance=2),
        ]
    )
    assert [(c["department_head"], c["department_supporters"]) for c in facts.contacts] == [
        (False, 1), (True, 1), (True, 0), (False, None),
    ]  # fmt: skip


def test_group_supporters_and_the_151_sequence() -> None:
    facts = _facts(
        contacts=[contact("c1", stance=1), contact("c2", stance=0), contact("c3", stance=0)],
        opportunities=[_deal()],
        activities=[
            activity("a1", "technical_exchange", "2026-10-01", "c1", opportunity_id="o1"),
            activity("a2", "onsite_meeting", "2026-12-01", "c1", opportunity_id="o1"),  # scheduled: under way
        ],
    )
    groups = {(m["id"], m["group"]): m["group_supporters"] for m in facts.items("opportunity", "o1", "members")}
    assert groups == {("c1", "technical"): 1, ("c2", "technical"): 1, ("c3", "final"): 0}
    deal = facts.opportunities[0]
    assert (deal["sales_actions_done"], deal["next_151_action"]) == (2, "reference_site_visit")


def test_account_layers_team_roles_and_top_level_dialogue() -> None:
    facts = _facts(
        contacts=[
            contact("c1", role="A", level="executive", stance=2, owner="u-ad"),
            contact("c2", level="staff", stance=0, owner="u-ar"),
            contact("c3", level="middle", stance=1, owner="u-ad"),
        ],
        activities=[
            activity("a1", "executive_visit", "2026-05-24", "c1"),
            activity("a2", "summit_dialogue", "2025-01-01"),
        ],
    )
    account = facts.account
    assert (account["senior_supporters"], account["working_contacts"], account["working_supporters"]) == (1, 2, 1)
    assert (account["decider_supporters"], account["team_count_AR"], account["team_count_SR"]) == (1, 1, 0)
    assert (account["days_since_top_level_dialogue"], account["days_since_summit_dialogue"]) == (180, 688)
    assert (account["top_owner"], account["top_owner_name"]) == ("u-ad", "Chen")
    assert [c["owned_by_top_owner"] for c in facts.contacts] == [True, False, True]
