"""durable's fixed cost per account: few rulesets, one action per rule, facts by their own ids (docs/durable.md)."""

from __future__ import annotations

from typing import Any

import pytest
from durable_marker import DURABLE_MISSING
from kamengine.engine.errors import EvaluationError
from kamengine.engine.evaluate.durable_rulesets import RULES_PER_RULESET, compile_rules
from kamengine.engine.evaluate.facts import compute_facts
from kamengine.engine.evaluate.reference import evaluate_reference
from support import builtin_advisor, contact, make_playbook, make_snapshot

pytest.importorskip("durable_rules_engine", reason=DURABLE_MISSING)  # the modules below import it (and orjson)
from kamengine.engine.evaluate import durable as durable_engine
from kamengine.engine.evaluate.durable import DurableEvaluator
from kamengine.engine.evaluate.durable_facts import FactIds, FactWriter, dumps, fnv1a_32

# A member of a deal and a contact both have a stance: a rule on one must not fire for the other,
# though the two rules share a ruleset.
STANCES = """\
  - id: champion
    rationale: x
    subject: contact
    when: [{stance: 3}]
    actions: [{action: hq_tour, title: t}]
  - id: backed
    rationale: x
    subject: opportunity
    when: [{any: {of: members, where: {stance: 3}}}]
    actions: [{action: hq_tour, title: t}]
"""
GROUPS = [{"group": "final", "members": [{"contact_id": "c1", "proximity": 1}, {"contact_id": "c2", "proximity": 2}]}]


def _stances_snapshot(**stances: int) -> Any:
    contacts = [contact(name, stance=stance) for name, stance in stances.items()]
    deals = [{"id": "o1", "name": "A", "stage": "bidding", "decision_groups": GROUPS}]
    return make_snapshot(contacts=contacts, opportunities=deals)


def _keys(firings: list[Any]) -> list[tuple[tuple[str, str], dict[int, tuple[str, ...]]]]:
    return [(f.key, f.matches) for f in firings]


def test_durable_hashes_ids_as_we_do_and_none_of_ours_collide() -> None:
    # durable's own constants for the names "id" and "sid" (state.h): the same FNV-1a.
    assert (fnv1a_32("id"), fnv1a_32("sid")) == (926444256, 3593476751)
    ids = FactIds()
    ids.reach(50_000)
    assert ids.ids == list(range(50_000))  # the numbers as they are (all of 0..797,185 are: docs/durable.md)
    assert len({fnv1a_32(text) for text in ids.texts} | {fnv1a_32("sid-0"), fnv1a_32("$end")}) == 50_002
    assert fnv1a_32("797186") == fnv1a_32("40189")  # the first two numbers durable would take for one
    beyond = FactIds()
    beyond.texts, beyond.ids, beyond._next = ["40189"], [40189], 797_186
    beyond._hashes.add(fnv1a_32("40189"))
    beyond.reach(2)
    assert beyond.ids == [40189, 797_187]  # 797,186 is skipped, not dropped by durable as a duplicate


def test_the_built_in_rules_take_one_ruleset_of_at_most_40_rules_a_fact_type() -> None:
    compiled = compile_rules(builtin_advisor().rules)
    assert len(compiled.definitions) == 1  # it was one ruleset per fact type and 32 rules: 10, then 2
    by_ruleset_and_type = _rules_by_ruleset_and_type(compiled)
    first = next(iter(compiled.definitions))
    assert len([fact_type for name, fact_type in by_ruleset_and_type if name == first]) == 9
    assert len(by_ruleset_and_type[(first, "s:contact")]) == 37 <= RULES_PER_RULESET == 40
    for definition in compiled.definitions.values():
        assert all(rule.get("cap") for rule in definition.values())  # one action per rule that fired


def _rules_by_ruleset_and_type(compiled: Any) -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = {}
    for name, definition in compiled.definitions.items():
        for rule_name, rule in definition.items():
            if rule_name != "end":
                fact_type = rule["all"][0]["m"]["$and"][0]["_t"]  # guard 7's $and, the type's test first
                found.setdefault((name, fact_type), []).append(rule_name)
    return found


def test_a_fact_meets_only_its_own_types_rules_in_a_shared_ruleset() -> None:
    rules = make_playbook("playbook: t\nrules:\n" + STANCES).rules
    with DurableEvaluator(rules) as evaluator:
        assert len(evaluator._handles) == 1
        for stances in ({"c1": 3, "c2": 0}, {"c1": 0, "c2": 1}, {"c1": 2, "c2": 3}):
            facts = compute_facts(_stances_snapshot(**stances))
            assert _keys(evaluator.evaluate(facts)) == _keys(evaluate_reference(rules, facts))


def test_a_rule_that_fires_for_several_subjects_is_one_action(monkeypatch: pytest.MonkeyPatch) -> None:
    rules = make_playbook("playbook: t\nrules:\n" + STANCES).rules
    messages: list[str] = []
    real = durable_engine.core

    class Counting:
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def start_action_for_state(self, handle: int, state: int) -> Any:
            started = real.start_action_for_state(handle, state)
            messages.extend([started[1]] if started else [])
            return started

        def complete_and_start_action(self, handle: int, state: int) -> Any:
            message = real.complete_and_start_action(handle, state)
            messages.extend([message] if message else [])
            return message

    monkeypatch.setattr(durable_engine, "core", Counting())
    with DurableEvaluator(rules) as evaluator:
        firings = evaluator.evaluate(compute_facts(_stances_snapshot(c1=3, c2=3, c3=3)))
    assert [f.key[1] for f in firings] == ["c1", "c2", "c3", "o1"]
    # items (one action for both members), contacts (one for three), the opportunity, the end
    assert sorted(message[2 : message.index('"', 2)] for message in messages) == ["end", "q1_1", "r0", "r1"]


def test_a_failed_account_leaves_no_fact_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    # Ids start again at 0 with every account: a fact left in a session would shadow the next
    # account's fact of the same id (durable drops it as a duplicate).
    rules = make_playbook("playbook: t\nrules:\n" + STANCES).rules
    facts = compute_facts(_stances_snapshot(c1=3, c2=3))
    expected = _keys(evaluate_reference(rules, facts))
    real = durable_engine.core
    calls = []

    class FailingInPhaseTwo:
        error = real.error

        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def assert_facts(self, handle: int, text: str) -> Any:
            calls.append(text)
            if len(calls) == 2:  # the subjects, after the items are in the session
                raise real.error("Could not assert facts, error code: 999")
            return real.assert_facts(handle, text)

    with DurableEvaluator(rules) as evaluator:
        monkeypatch.setattr(durable_engine, "core", FailingInPhaseTwo())
        with pytest.raises(EvaluationError, match="error code: 999"):
            evaluator.evaluate(facts)
        monkeypatch.setattr(durable_engine, "core", real)
        assert _keys(evaluator.evaluate(facts)) == expected
        assert _keys(evaluator.evaluate(facts)) == expected


def test_an_action_is_read_for_its_ids_only_where_a_value_cannot_hold_one() -> None:
    writer = FactWriter({"s:contact": (("note", "note"), ("tags", "tags"))}, {})
    in_a_string = dumps([{"note": 'a "id":9 here', "id": 3}])[1:-1]
    assert writer.ids_in('{"r0":[{"m":' + in_a_string + "}]}") == ("r0", ["3"])
    assert writer.values({"tags": {"id": 5}}, "s:contact") == {"tags": {"id": 5}}
    assert writer.nested  # an object's "id" is not a fact's: the action is parsed in full
    in_an_object = dumps([{"tags": {"id": 5}, "id": 7}])[1:-1]
    assert writer.ids_in('{"r0":[{"m":' + in_an_object + "}]}") == ("r0", ["7"])
