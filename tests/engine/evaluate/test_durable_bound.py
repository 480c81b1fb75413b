"""guard 13's bound (docs/durable.md): a full ruleset's rules, each as wide as durable takes, all fire on one fact."""

from __future__ import annotations

import pytest
from durable_marker import DURABLE_MISSING
from kamengine.engine.evaluate.facts import compute_facts
from kamengine.engine.evaluate.reference import evaluate_reference
from support import activity, contact, make_playbook, make_snapshot

pytest.importorskip("durable_rules_engine", reason=DURABLE_MISSING)  # the modules below import it
from kamengine.engine.evaluate.durable import RULES_PER_RULESET, DurableEvaluator

# Twelve alternatives of two expressions each (a comparison and guard 8's $ex): the widest `any_of` durable
# takes in one pattern (guard 17: 32 expressions a sequence). Every one of them holds.
WIDE = ", ".join(f"{{activity_count: {{lte: {100 + n}}}}}" for n in range(12))


def _playbook(rules: int) -> str:
    return "playbook: t\nrules:\n" + "".join(
        f"  - {{id: r{i}, rationale: x, subject: contact, when: [{{any_of: [{WIDE}]}}], "
        "actions: [{action: executive_visit, title: t}]}\n"
        for i in range(rules)
    )


def test_a_full_ruleset_of_the_widest_rules_all_matching_one_fact_fires_every_rule() -> None:
    rules = make_playbook(_playbook(RULES_PER_RULESET)).rules
    people = [contact(f"c{n}") for n in range(3)]
    facts = compute_facts(make_snapshot(contacts=people, activities=[activity("a1", "hq_tour", "2026-01-01", "c1")]))
    with DurableEvaluator(rules) as evaluator:
        assert len(evaluator._handles) == 1
        firings = evaluator.evaluate(facts)
    assert len(firings) == RULES_PER_RULESET * len(people)
    assert [f.key for f in firings] == [f.key for f in evaluate_reference(rules, facts)]


def test_one_rule_more_than_a_ruleset_holds_takes_a_second_ruleset() -> None:
    rules = make_playbook(_playbook(RULES_PER_RULESET + 1)).rules
    facts = compute_facts(make_snapshot(contacts=[contact("c1")]))
    with DurableEvaluator(rules) as evaluator:
        assert len(evaluator._handles) == 2
        assert len(evaluator.evaluate(facts)) == RULES_PER_RULESET + 1
