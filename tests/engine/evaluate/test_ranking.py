"""Recommendations: titles, evidence, stable ids, ranking, cooldowns and compliance (with its compliant steps)."""

from __future__ import annotations

import datetime as dt

from kamengine.engine.advise.advisor import Advisor
from kamengine.engine.model.recommendation import recommendation_id
from support import activity, contact, make_playbook, make_snapshot

PLAYBOOK = """\
playbook: t
cooldowns: {hq_tour: 10}
rules:
  - id: visit
    rationale: "  Opponents   need a visit. "
    subject: contact
    priority: 100
    when: [{stance: -1}]
    actions:
      - {action: executive_visit, title: "Visit {name} of {account.name}", owner_role: AD, due_in_days: 7}
      - {action: hq_tour, title: "Tour for {name}", due_in_days: 30}
  - id: treat
    rationale: Friends deserve care.
    subject: contact
    priority: 10
    when: [{stance: {gte: 2}}]
    actions:
      - {action: private_activity, title: "Dinner with {name}"}
      - {action: compliant_gift, title: "Small gift for {name}", value: 150}
      - {action: compliant_gift, title: "Big gift for {name}", value: 500}
  - id: visit-again
    rationale: Also visit.
    subject: contact
    priority: 5
    when: [{stance: -1}]
    actions: [{action: executive_visit, title: "Again {name}"}]
"""


def _advice(*contacts: dict, activities: list | None = None, gift_cap: float = 200.0):  # type: ignore[no-untyped-def]
    snapshot = make_snapshot(
        account={"id": "acct", "name": "ACME", "currency": "EUR"}, contacts=list(contacts), activities=activities or []
    )
    return Advisor([make_playbook(PLAYBOOK)], gift_cap=gift_cap).advise(snapshot)


def test_every_contract_field_is_filled() -> None:
    advice = _advice(contact("c1", name="Ana", role="E", stance=-1))
    top = advice.recommendations[0].to_dict()
    assert top == {
        "id": recommendation_id("acct", "executive_visit", "contact", "c1", "t/visit"),
        "account_id": "acct",
        "action": "executive_visit",
        "subject": {"kind": "contact", "id": "c1"},
        "title": "Visit Ana of ACME",
        "rationale": "Opponents need a visit.",
        "rule": "t/visit",
        "priority": 120.0,
        "due": "2026-11-27",
        "owner_role": "AD",
        "evidence": {"contact_id": "c1", "fields": {"stance": -1}},
        "owner": {"id": "u-ad", "name": "Chen", "role": "AD"},
        "approach": top["approach"],
        "opportunity_id": None,
        "compliance": None,
        "account_name": "ACME",
        "attendees": [{"id": "u-ar", "name": "Li", "role": "AR"}],  # Ana's relationship owner comes along
    }
    assert top["approach"].startswith("apr-")


def test_ids_are_stable_and_distinct() -> None:
    first = [r.id for r in _advice(contact("c1", stance=-1), contact("c2", stance=-1)).recommendations]
    again = [r.id for r in _advice(contact("c1", stance=-1), contact("c2", stance=-1)).recommendations]
    assert first == again and len(set(first)) == len(first) == 4
    assert recommendation_id("a", "hq_tour", "contact", "c1", "t/x") != recommendation_id(
        "b", "hq_tour", "contact", "c1", "t/x"
    )


def test_influence_weights_the_ranking_and_ties_break_deterministically() -> None:
    advice = _advice(
        contact("c-i", role="I", stance=-1),
        contact("c-a", role="A", stance=-1),
        contact("c-none", stance=-1),
        contact("c-e", role="E", stance=-1),
    )
    visits = [(r.subject_id, r.priority) for r in advice.recommendations if r.action == "executive_visit"]
    assert visits == [("c-a", 150.0), ("c-e", 120.0), ("c-i", 110.0), ("c-none", 100.0)]


def test_key_person_of_a_live_deal_outranks_the_same_role() -> None:
    deal = {
        "id": "o1",
        "name": "Core",
        "stage": "bidding",
        "decision_groups": [{"group": "technical", "members": [{"contact_id": "c2", "proximity": 1}]}],
    }
    snapshot = make_snapshot(
        contacts=[contact("c1", role="E", stance=-1), contact("c2", role="E", stance=-1)], opportunities=[deal]
    )
    advice = Advisor([make_playbook(PLAYBOOK)]).advise(snapshot)
    # 100 x 1.2 (evaluator) x 1.25 (key person) = 150, x 1.15 for the deal in bidding that c2's visit serves.
    assert [(r.subject_id, r.priority) for r in advice.recommendations if r.action == "executive_visit"] == [
        ("c2", 172.5),
        ("c1", 120.0),
    ]


def test_cooldown_holds_back_a_recent_action_and_says_why() -> None:
    advice = _advice(contact("c1", stance=-1), activities=[activity("a1", "executive_visit", "2026-10-31", "c1")])
    assert [r.action for r in advice.recommendations] == ["hq_tour"]
    assert [(s.reason, s.detail) for s in advice.suppressed] == [
        ("cooldown", "last executive_visit was 20 days ago; cooldown is 90 days"),
        ("cooldown", "last executive_visit was 20 days ago; cooldown is 90 days"),
    ]


def test_cooldown_ends_and_a_playbook_can_shorten_it() -> None:
    advice = _advice(
        contact("c1", stance=-1),
        activities=[
            activity("a1", "executive_visit", "2026-08-01", "c1"),
            activity("a2", "hq_tour", "2026-11-09", "c1"),
        ],
    )
    assert sorted(r.action for r in advice.recommendations) == ["executive_visit", "hq_tour"]


def test_an_action_already_scheduled_is_not_recommended_again() -> None:
    advice = _advice(contact("c1", stance=-1), activities=[activity("a1", "hq_tour", "2027-01-10", "c1")])
    assert ("cooldown", "a hq_tour is already scheduled for 2027-01-10") in [
        (s.reason, s.detail) for s in advice.suppressed
    ]


def test_a_public_official_is_offered_the_compliant_step_instead() -> None:
    advice = _advice(contact("c1", title="Regulator", stance=2, public_official=True))
    offered = sorted((r.action, r.title, r.compliance) for r in advice.recommendations)
    assert offered == [
        (
            "festival_visit",
            "Festival visit with C1 (Regulator)",
            "Compliant gift is never offered to a public official; Festival visit instead",
        ),
        (
            "regular_office_visit",
            "Regular office visit with C1 (Regulator)",
            "Private one-to-one activity is never offered to a public official; Regular office visit instead",
        ),
    ]
    assert sorted((s.recommendation.action, s.reason, s.detail) for s in advice.suppressed)[-1] == (
        "private_activity",
        "compliance",
        "private_activity is never offered to a public official; regular_office_visit offered instead",
    )


def test_with_the_compliant_step_cooling_down_the_next_one_is_offered() -> None:
    recent = [activity("a1", "regular_office_visit", "2026-11-10", "c1")]
    snapshot = make_snapshot(
        contacts=[contact("c1", stance=2, public_official=True)],
        activities=recent,
        team=[{"id": "u-ar", "name": "Li", "role": "AR"}, {"id": "u-sr", "name": "Sofia", "role": "SR"}],
    )
    advice = Advisor([make_playbook(PLAYBOOK)]).advise(snapshot)
    exchange = next(r for r in advice.recommendations if r.action == "technical_exchange")
    assert exchange.owner is not None and exchange.owner.role == "SR"


def test_gifts_above_the_cap_keep_a_note_to_stay_within_it() -> None:
    advice = _advice(contact("c1", stance=2))
    notes = {r.title: r.compliance for r in advice.recommendations if r.action == "compliant_gift"}
    # Two gifts for one person are one slot: the better-ranked one is kept, and it is within the cap.
    assert notes == {"Small gift for C1": None}
    lower_cap = _advice(contact("c1", stance=2), gift_cap=100)
    gift = next(r for r in lower_cap.recommendations if r.action == "compliant_gift")
    assert gift.compliance == "the proposed gift (150) is above the cap of 100 EUR: keep it within the cap"


def test_the_same_action_on_the_same_subject_is_recommended_once() -> None:
    advice = _advice(contact("c1", stance=-1))
    assert [r.rule for r in advice.recommendations if r.action == "executive_visit"] == ["t/visit"]
    assert [(s.recommendation.rule, s.reason, s.detail) for s in advice.suppressed] == [
        ("t/visit-again", "duplicate", "the same action is recommended by t/visit")
    ]


def test_as_of_override_moves_due_dates() -> None:
    snapshot = make_snapshot(contacts=[contact("c1", stance=-1)])
    advice = Advisor([make_playbook(PLAYBOOK)]).advise(snapshot, as_of=dt.date(2027, 1, 1))
    assert advice.as_of == dt.date(2027, 1, 1)
    assert advice.recommendations[0].due == dt.date(2027, 1, 8)


GROUPED = """\
playbook: g
caps: {per_contact: 5}
rules:
  - id: strong
    rationale: x
    subject: contact
    priority: 80
    exclusive_group: approach
    when: [{stance: -1}]
    actions: [{action: executive_visit, title: "Visit {name}"}, {action: hq_tour, title: "Tour {name}"}]
  - id: gentle
    rationale: x
    subject: contact
    priority: 20
    exclusive_group: approach
    when: [{stance: {lte: 0}}]
    actions: [{action: regular_office_visit, title: "Drop by {name}"}]
"""


def test_only_the_best_ranked_rule_of_an_exclusive_group_survives_per_subject() -> None:
    snapshot = make_snapshot(contacts=[contact("c1", stance=-1), contact("c2", stance=0)])
    advice = Advisor([make_playbook(GROUPED)]).advise(snapshot)
    assert sorted((r.subject_id, r.rule, r.action) for r in advice.recommendations) == [
        ("c1", "g/strong", "executive_visit"),
        ("c1", "g/strong", "hq_tour"),
        ("c2", "g/gentle", "regular_office_visit"),
    ]
    assert [(s.recommendation.subject_id, s.reason, s.detail) for s in advice.suppressed] == [
        ("c1", "exclusive", "exclusive group g/approach: g/strong ranks higher")
    ]


def test_playbook_caps_apply_and_the_caller_can_tighten_them() -> None:
    snapshot = make_snapshot(contacts=[contact("c1", stance=-1), contact("c2", stance=-1)])
    playbook = make_playbook(GROUPED)
    assert Advisor([playbook]).caps == {"per_contact": 5}
    tight = Advisor([playbook], caps={"per_contact": 1, "per_account": 1}).advise(snapshot)
    # Caps count approaches (an HQ tour a month after the visit is another one) and keep the most urgent.
    assert [(r.subject_id, r.action) for r in tight.recommendations] == [("c1", "executive_visit")]
    assert sorted((s.recommendation.subject_id, s.detail) for s in tight.suppressed if s.reason == "cap") == [
        ("c1", "at most 1 approaches per account"),
        ("c2", "at most 1 approaches per account"),
        ("c2", "at most 1 approaches per account"),
    ]
