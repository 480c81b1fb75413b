"""The reference evaluator: the rule language in plain Python, used to judge durable_rules and the compiled evaluator.

It is deliberately simple and slow. ``tests/engine/evaluate/test_differential.py`` runs
random snapshots and random rules through it, through ``durable.py`` and through
``compiled.py`` and demands the same firings and matches; ``explain`` uses it to say why a
rule did or did not fire.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..playbooks.conditions import ACCOUNT_PREFIX, AllOf, AnyOf, Condition, FieldTest, Quantifier
from ..playbooks.playbook import Rule
from ..playbooks.values import COMPARE, test_field
from .facts import Facts, Record
from .firing import Firing


def evaluate_reference(rules: Iterable[Rule], facts: Facts) -> list[Firing]:
    """Every (rule, subject) whose conditions hold, in rule order then subject order."""
    firings = []
    for rule in rules:
        for subject in facts.subjects(rule.subject):
            matches: dict[int, tuple[str, ...]] = {}
            if holds(rule.when, subject, facts, rule.subject, matches):
                firings.append(Firing(rule, subject, reported(rule, subject, facts, matches)))
    return firings


def reported(
    rule: Rule, subject: Record, facts: Facts, tested: dict[int, tuple[str, ...]]
) -> dict[int, tuple[str, ...]]:
    """A firing's ``matches``: every quantifier of the rule in order, also one that ``any_of`` never reached
    (durable reports them all; the evidence must not depend on the evaluator)."""
    matches = {}
    for q in rule.quantifiers:
        if q.index not in tested:
            tested[q.index] = tuple(str(item["id"]) for item in quantifier_items(q, subject, facts, rule.subject)[1])
        matches[q.index] = tested[q.index]
    return matches


def field_value(record: Record, name: str, facts: Facts) -> Any:
    """The value a field test reads: the record's own, or the account's for ``account.x``."""
    if name.startswith(ACCOUNT_PREFIX):
        return facts.account.get(name[len(ACCOUNT_PREFIX) :])
    return record.get(name)


def quantifier_items(q: Quantifier, subject: Record, facts: Facts, kind: str) -> tuple[list[Record], list[Record]]:
    """``(all items, items matching where)`` of a quantifier's collection for one subject."""
    items = facts.items(kind, str(subject["id"]), q.collection)
    if q.where is None:
        return items, items
    return items, [item for item in items if holds(q.where, item, facts, q.item_kind, {})]


def quantifier_holds(q: Quantifier, total: int, matched: int) -> bool:
    """Whether a quantifier is true given how many items there are and how many matched."""
    if q.quantifier == "any":
        return matched > 0
    if q.quantifier == "none":
        return matched == 0
    if q.quantifier == "all":
        return matched == total
    assert q.op is not None
    return COMPARE[q.op](matched, q.value)


def holds(condition: Condition, record: Record, facts: Facts, kind: str, matches: dict[int, tuple[str, ...]]) -> bool:
    """Whether a condition holds for a record; fills ``matches`` for quantifiers that were tested."""
    if isinstance(condition, FieldTest):
        return test_field(condition, field_value(record, condition.field, facts))
    if isinstance(condition, AllOf):
        return all(holds(child, record, facts, kind, matches) for child in condition.children)
    if isinstance(condition, AnyOf):
        return any(holds(child, record, facts, kind, matches) for child in condition.children)
    items, matched = quantifier_items(condition, record, facts, kind)
    matches[condition.index] = tuple(str(item["id"]) for item in matched)
    return quantifier_holds(condition, len(items), len(matched))
