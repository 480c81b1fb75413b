"""Ranking makes a recommendation for what it keeps, and for what it holds back only when that is read."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle

import pytest
from kamengine.engine.advise.advisor import Advisor
from kamengine.engine.evaluate import candidates
from kamengine.engine.evaluate.candidates import Held, made_directly
from kamengine.engine.evaluate.cooldowns import history
from kamengine.engine.evaluate.facts import compute_facts
from kamengine.engine.model.recommendation import Recommendation, Suppressed
from support import activity, contact, make_playbook, make_snapshot

PLAYBOOK = """\
playbook: t
rules:
  - id: visit
    rationale: Opponents need a visit.
    subject: contact
    priority: 100
    when: [{stance: -1}]
    actions:
      - {action: executive_visit, title: "Visit {name}", owner_role: AD, due_in_days: 7}
      - {action: hq_tour, title: "Tour for {name}", due_in_days: 30}
  - id: visit-again
    rationale: Also visit.
    subject: contact
    priority: 5
    when: [{stance: -1}]
    actions: [{action: executive_visit, title: "Again {name}"}]
"""

VALUES = {
    "id": "rec-1", "account_id": "acct", "action": "hq_tour", "subject_kind": "contact", "subject_id": "c1",
    "title": "Tour", "rationale": "Why.", "rule": "t/visit", "priority": 1.5, "due": dt.date(2026, 12, 1),
    "owner_role": "AR", "evidence": {"contact_id": "c1", "fields": {"stance": -1}}, "body": None,
    "account_name": "ACME",
}  # fmt: skip


def test_a_recommendation_made_directly_is_the_one_the_constructor_makes() -> None:
    made = made_directly(**VALUES)
    assert made == Recommendation(**VALUES)  # type: ignore[arg-type]
    assert set(vars(made)) == {f.name for f in dataclasses.fields(Recommendation)}  # every field set
    assert made.to_dict() == Recommendation(**VALUES).to_dict()  # type: ignore[arg-type]
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.title = "changed"  # type: ignore[misc]


def test_a_held_recommendation_is_made_once_when_read_and_is_a_plain_suppressed() -> None:
    made: list[Recommendation] = []

    def make() -> Recommendation:
        made.append(Recommendation(**VALUES))  # type: ignore[arg-type]
        return made[-1]

    held = Held(make, "cooldown", "last hq_tour was 3 days ago; cooldown is 90 days")
    assert made == []
    plain = Suppressed(Recommendation(**VALUES), held.reason, held.detail)  # type: ignore[arg-type]
    assert held == plain and plain == held and held.recommendation is made[0] and len(made) == 1
    assert type(pickle.loads(pickle.dumps(held))) is Suppressed and pickle.loads(pickle.dumps(held)) == plain
    assert held != Suppressed(plain.recommendation, "duplicate", plain.detail)
    assert dataclasses.replace(held, reason="duplicate").reason == "duplicate"


def test_ranking_writes_only_what_it_keeps_until_a_held_back_one_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    written: list[str] = []
    recommend = candidates._recommend

    def counting(candidate: candidates.Candidate, writer: candidates.Writer) -> Recommendation:
        written.append(candidate.action)
        return recommend(candidate, writer)

    monkeypatch.setattr(candidates, "_recommend", counting)
    snapshot = make_snapshot(
        account={"id": "acct", "name": "ACME"},
        contacts=[contact("c1", name="Ana", stance=-1)],
        activities=[activity("a1", "hq_tour", "2026-11-10", "c1")],
    )
    advice = Advisor([make_playbook(PLAYBOOK)], engine="reference").advise(snapshot)
    assert [r.action for r in advice.recommendations] == ["executive_visit"]
    assert [(s.reason, s.detail) for s in advice.suppressed] == [
        ("cooldown", "last hq_tour was 10 days ago; cooldown is 90 days"),
        ("duplicate", "the same action is recommended by t/visit"),
    ]
    assert written == ["executive_visit"]  # the reasons above were read, the held-back recommendations not
    assert [(s.recommendation.action, s.recommendation.title) for s in advice.suppressed] == [
        ("hq_tour", "Tour for Ana"),
        ("executive_visit", "Again Ana"),
    ]
    assert written == ["executive_visit", "hq_tour", "executive_visit"]


def test_a_subject_s_history_is_its_earliest_scheduled_date_and_its_latest_time_per_action() -> None:
    snapshot = make_snapshot(
        contacts=[contact("c1"), contact("c2")],
        activities=[
            activity("a1", "hq_tour", "2027-02-10", "c1"),
            activity("a2", "hq_tour", "2027-01-10", "c1"),
            activity("a3", "hq_tour", "2026-10-01", "c1"),
            activity("a4", "executive_visit", "2026-06-01", "c1"),
            activity("a5", "executive_visit", "2026-11-01", "c1"),
            activity("a6", "executive_visit", "2026-11-19", "c2"),
        ],
    )
    facts = compute_facts(snapshot)
    assert facts.as_of == dt.date(2026, 11, 20)
    assert history(facts, "contact", "c1") == {
        "hq_tour": (dt.date(2027, 1, 10), -82),  # the earliest scheduled; fewest days ago: the latest, below zero
        "executive_visit": (None, 19),
    }
    assert history(facts, "contact", "c2") == {"executive_visit": (None, 1)}
    assert history(facts, "contact", "nobody") == {}
