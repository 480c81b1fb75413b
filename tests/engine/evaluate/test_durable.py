"""The durable_rules wrapper and its guards (docs/durable.md)."""

from __future__ import annotations

import json

import pytest
from durable_marker import DURABLE_MISSING
from kamengine.engine.errors import EvaluationError
from kamengine.engine.evaluate.durable_rulesets import encode as _encode
from kamengine.engine.evaluate.facts import compute_facts
from kamengine.engine.evaluate.reference import evaluate_reference
from support import activity, contact, make_playbook, make_snapshot

pytest.importorskip("durable_rules_engine", reason=DURABLE_MISSING)  # the wrapper below imports it
from kamengine.engine.evaluate import durable as durable_engine
from kamengine.engine.evaluate.durable import DurableEvaluator


def _rules(body: str):  # type: ignore[no-untyped-def]
    return make_playbook("playbook: t\nrules:\n" + body).rules


ONE_RULE = """\
  - id: opposes
    rationale: x
    subject: contact
    when: [{stance: -1}]
    actions: [{action: executive_visit, title: t}]
"""


def test_only_this_module_imports_durable() -> None:
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[3]
    importers = [
        str(path.relative_to(root))
        for folder in ("engine", "cli", "plugins")
        for path in (root / folder).rglob("*.py")
        if "import durable" in path.read_text(encoding="utf-8")
    ]
    assert importers == ["engine/evaluate/durable.py"]


def test_fires_per_subject_and_reuses_one_session_across_accounts() -> None:
    rules = _rules(ONE_RULE)
    first = compute_facts(make_snapshot(contacts=[contact("c1", stance=-1), contact("c2", stance=1)]))
    second = compute_facts(
        make_snapshot(
            account={"id": "other", "name": "O"}, contacts=[contact("c1", stance=1), contact("c3", stance=-1)]
        )
    )
    with DurableEvaluator(rules) as evaluator:
        assert [f.key for f in evaluator.evaluate(first)] == [("t/opposes", "c1")]
        # Nothing leaks from the first account's session into the second (guard 5).
        assert [f.key for f in evaluator.evaluate(second)] == [("t/opposes", "c3")]
        assert [f.key for f in evaluator.evaluate(first)] == [("t/opposes", "c1")]


def test_no_rule_matching_is_empty_advice_and_does_not_crash_delete_state() -> None:
    # guard 1: without the sentinel, deleting a session in which no action ran segfaults.
    facts = compute_facts(make_snapshot(contacts=[contact("c1", stance=2)]))
    with DurableEvaluator(_rules(ONE_RULE)) as evaluator:
        for _ in range(50):
            assert evaluator.evaluate(facts) == []


def test_many_range_rules_on_one_fact_all_fire() -> None:
    # guard 13 (#312): 64+ range rules matching one fact silently fire nothing in one ruleset.
    body = "".join(
        f"  - {{id: r{i}, rationale: x, subject: contact, when: [{{days_since_last_activity: {{gte: {i}}}}}], "
        "actions: [{action: executive_visit, title: t}]}\n"
        for i in range(150)
    )
    facts = compute_facts(
        make_snapshot(contacts=[contact("c1")], activities=[activity("a1", "hq_tour", "2026-01-01", "c1")])
    )
    with DurableEvaluator(_rules(body)) as evaluator:
        assert len(evaluator.evaluate(facts)) == 150
        assert len(evaluator._handles) == 150 // durable_engine.RULES_PER_RULESET + 1


def test_numbers_in_exponent_form_reach_durable_as_plain_decimals() -> None:
    assert _encode({"v": 1e16, "w": 5e-324, "x": 1.5, "y": 3, "z": "1e5"}) == (
        '{"v":10000000000000000.0,"w":0.' + "0" * 323 + '5,"x":1.5,"y":3,"z":"1e5"}'
    )
    body = "  - {id: big, rationale: x, subject: opportunity, when: [{value: {gt: 1.0e+15}}], actions: [{action: hq_tour, title: t}]}\n"
    deals = [{"id": "o1", "name": "A", "value": 1e16}, {"id": "o2", "name": "B", "value": 1e-7}]
    facts = compute_facts(make_snapshot(opportunities=deals))
    with DurableEvaluator(_rules(body)) as evaluator:
        assert [f.key for f in evaluator.evaluate(facts)] == [("t/big", "o1")]


def test_a_failing_action_fails_the_account_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    # guard 11: durable swallows exceptions raised in actions.
    facts = compute_facts(make_snapshot(contacts=[contact("c1", stance=-1)]))
    with DurableEvaluator(_rules(ONE_RULE)) as evaluator:

        def explode(rule_index: int):  # type: ignore[no-untyped-def]
            def action(fact: dict) -> None:
                raise RuntimeError("boom")

            return action

        evaluator._actions["r0"] = evaluator._guarded(explode(0))
        with pytest.raises(EvaluationError, match="a rule action failed: boom"):
            evaluator.evaluate(facts)
        evaluator._actions["r0"] = evaluator._action(("subject", 0))
        assert [f.key for f in evaluator.evaluate(facts)] == [("t/opposes", "c1")]


def test_a_closed_evaluator_refuses_to_evaluate() -> None:
    evaluator = DurableEvaluator(_rules(ONE_RULE))
    evaluator.close()
    with pytest.raises(EvaluationError, match="closed"):
        evaluator.evaluate(compute_facts(make_snapshot()))


def test_quantifiers_count_items_and_report_them() -> None:
    body = """\
  - id: coachless
    rationale: x
    subject: opportunity
    when:
      - live: true
      - none: {of: members, where: {stance: 3}}
      - count: {of: members, where: {stance: {gte: 1}}, gte: 1}
      - all: {of: members, where: {stance: {gte: 0}}}
    actions: [{action: coach_development, title: t}]
"""
    groups = [
        {"group": "final", "members": [{"contact_id": "c1", "proximity": 1}, {"contact_id": "c2", "proximity": 2}]}
    ]
    snapshot = make_snapshot(
        contacts=[contact("c1", stance=2), contact("c2", stance=0)],
        opportunities=[
            {"id": "o1", "name": "A", "stage": "bidding", "decision_groups": groups},
            {"id": "o2", "name": "B"},
        ],
    )
    facts = compute_facts(snapshot)
    rules = _rules(body)
    with DurableEvaluator(rules) as evaluator:
        firings = evaluator.evaluate(facts)
    assert [f.key for f in firings] == [f.key for f in evaluate_reference(rules, facts)] == [("t/coachless", "o1")]
    assert firings[0].matches == {1: (), 2: ("c1",), 3: ("c1", "c2")}


def test_account_fields_are_visible_to_contact_rules() -> None:
    body = "  - {id: sp, rationale: x, subject: contact, when: [{account.strategic_partner: true}], actions: [{action: hq_tour, title: t}]}\n"
    rules = _rules(body)
    yes = compute_facts(
        make_snapshot(account={"id": "a", "name": "A", "strategic_partner": True}, contacts=[contact("c1")])
    )
    no = compute_facts(make_snapshot(contacts=[contact("c1")]))
    with DurableEvaluator(rules) as evaluator:
        assert [f.key for f in evaluator.evaluate(yes)] == [("t/sp", "c1")]
        assert evaluator.evaluate(no) == []


def test_facts_travel_as_the_standard_library_would_write_them_even_beyond_64_bit_integers() -> None:
    from kamengine.engine.evaluate.durable import _dumps

    batch = [{"name": "Zoë", "value": 1.5, "big": 2**70, "flag": True}]
    assert json.loads(_dumps(batch)) == batch
    assert _dumps([{"name": "Zoë", "value": 100.0}]) == '[{"name":"Zoë","value":100.0}]'
