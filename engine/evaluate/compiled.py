"""The compiled evaluator: each rule's condition tree composed once into Python closures, then run per snapshot.

No text is ever turned into code: every closure below is one of a fixed set of Python
functions, specialised by the parsed tree (a field name, an operator, a literal), the way
``durable_rulesets.py`` builds durable's JSON from the same tree. Quantifiers are evaluated
lazily, per subject, only when the evaluation of a condition reaches them; a rule that fires
then gets the items of every one of its quantifiers, as durable reports them.
``tests/engine/evaluate/test_differential.py`` holds it to the reference evaluator and durable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import EvaluationError, plain
from ..playbooks.conditions import ACCOUNT_PREFIX, AllOf, AnyOf, Condition, FieldTest, Quantifier
from ..playbooks.playbook import Rule
from ..playbooks.values import COMPARE
from .facts import Facts, Record
from .firing import Firing

#: A compiled condition: does it hold for this record, in this snapshot?
Test = Callable[[Record, "Scope"], bool]


class Scope:
    """What a compiled condition reads besides its record: the snapshot, and the current subject's quantifiers."""

    __slots__ = ("account", "facts", "found")

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.account = facts.account
        # quantifier index -> (every item, the items matching where), for the subject under test
        self.found: dict[int, tuple[list[Record], list[Record]]] = {}


@dataclass(frozen=True)
class CompiledRule:
    """One rule and its condition as a closure."""

    rule: Rule
    test: Test
    quantifiers: tuple[tuple[Quantifier, Test | None], ...]  # each with its compiled ``where``


class CompiledEvaluator:
    """Rules compiled once; ``evaluate`` runs them on one snapshot at a time (thread-safe: no state kept)."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = list(rules)
        self._compiled = [compile_rule(rule) for rule in self.rules]

    def evaluate(self, facts: Facts) -> list[Firing]:
        """Every (rule, subject) whose conditions hold, in rule order then subject order."""
        scope = Scope(facts)
        firings = []
        for compiled in self._compiled:
            rule, test, quantified = compiled.rule, compiled.test, bool(compiled.quantifiers)
            for subject in facts.subjects(rule.subject):
                if quantified:
                    scope.found = {}
                try:
                    fired = test(subject, scope)
                except Exception as exc:  # a value a rule cannot compare (an enricher's): the account fails, named
                    raise EvaluationError(
                        f"rule {rule.qualified_id} ({rule.source}) failed on {rule.subject} {subject.get('id')!r}: "
                        f"{plain(exc)}"
                    ) from exc
                if fired:
                    matches = _matches(compiled, subject, scope) if quantified else {}
                    firings.append(Firing(rule, subject, matches))
        return firings

    def close(self) -> None:
        """Nothing to free (closures are Python objects); here so that every evaluator closes alike."""


def compile_rule(rule: Rule) -> CompiledRule:
    """A rule's condition as one closure, and its quantifiers with their ``where`` compiled."""
    quantifiers = tuple((q, compile_condition(q.where, rule.subject) if q.where else None) for q in rule.quantifiers)
    return CompiledRule(rule, compile_condition(rule.when, rule.subject), quantifiers)


def _matches(compiled: CompiledRule, subject: Record, scope: Scope) -> dict[int, tuple[str, ...]]:
    """Per quantifier of the rule, the ids of the items matching its ``where`` (also those a short cut skipped)."""
    matches = {}
    for q, where in compiled.quantifiers:
        found = scope.found.get(q.index)
        matched = found[1] if found else _items(q, where, compiled.rule.subject, subject, scope)[1]
        matches[q.index] = tuple(str(item["id"]) for item in matched)
    return matches


def compile_condition(condition: Condition, kind: str) -> Test:
    """The closure of a condition on records of ``kind`` (quantifiers walk that kind's collections)."""
    if isinstance(condition, FieldTest):
        return _field_test(condition)
    if isinstance(condition, Quantifier):
        return _quantifier(condition, kind)
    children = [compile_condition(child, kind) for child in _flattened(condition)]
    if isinstance(condition, AllOf):
        return _all(children)
    return _any(children)


def _flattened(condition: AllOf | AnyOf) -> list[Condition]:
    """Children, with nested combinators of the same kind lifted into this one (same truth, fewer calls)."""
    children: list[Condition] = []
    for child in condition.children:
        if type(child) is type(condition):
            assert isinstance(child, AllOf | AnyOf)
            children.extend(_flattened(child))
        else:
            children.append(child)
    return children


def _all(tests: list[Test]) -> Test:
    if not tests:
        return lambda record, scope: True
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        first, second = tests
        return lambda record, scope: first(record, scope) and second(record, scope)
    frozen = tuple(tests)

    def every(record: Record, scope: Scope) -> bool:
        for test in frozen:  # noqa: SIM110 - a loop, not all(generator): under half the time per call
            if not test(record, scope):
                return False
        return True

    return every


def _any(tests: list[Test]) -> Test:
    if not tests:
        return lambda record, scope: False
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        first, second = tests
        return lambda record, scope: first(record, scope) or second(record, scope)
    frozen = tuple(tests)

    def some(record: Record, scope: Scope) -> bool:
        for test in frozen:  # noqa: SIM110 - a loop, not any(generator): under half the time per call
            if test(record, scope):
                return True
        return False

    return some


def _field_test(test: FieldTest) -> Test:
    """``field op literal``; a missing (null) value fails every comparison, as in ``values.test_field``."""
    on_record = _value_test(test.field, test.op, test.value)
    if not test.field.startswith(ACCOUNT_PREFIX):
        return on_record
    on_account = _value_test(test.field[len(ACCOUNT_PREFIX) :], test.op, test.value)
    return lambda record, scope: on_account(scope.account, scope)


def _value_test(name: str, op: str, literal: Any) -> Test:
    if op == "exists":
        if literal:
            return lambda record, scope: record.get(name) is not None
        return lambda record, scope: record.get(name) is None
    if op == "in":

        def among(record: Record, scope: Scope) -> bool:
            value = record.get(name)
            return value is not None and value in literal

        return among
    if op == "not_in":

        def outside(record: Record, scope: Scope) -> bool:
            value = record.get(name)
            return value is not None and value not in literal

        return outside
    compare = COMPARE[op]

    def compared(record: Record, scope: Scope) -> bool:
        value = record.get(name)
        return value is not None and compare(value, literal)

    return compared


def _quantifier(q: Quantifier, kind: str) -> Test:
    """``any | all | none | count`` of the subject's collection, its items tested when first reached."""
    where = compile_condition(q.where, q.item_kind) if q.where is not None else None
    index, value = q.index, q.value
    compare = COMPARE[q.op] if q.op is not None else None

    def quantified(subject: Record, scope: Scope) -> bool:
        found = scope.found.get(index)
        if found is None:
            found = scope.found[index] = _items(q, where, kind, subject, scope)
        items, matched = found
        if q.quantifier == "any":
            return bool(matched)
        if q.quantifier == "none":
            return not matched
        if q.quantifier == "all":
            return len(matched) == len(items)
        assert compare is not None
        return bool(compare(len(matched), value))

    return quantified


def _items(
    q: Quantifier, where: Test | None, kind: str, subject: Record, scope: Scope
) -> tuple[list[Record], list[Record]]:
    """``(every item, the items matching where)`` of the subject's collection."""
    items = scope.facts.items(kind, str(subject["id"]), q.collection)
    if where is None:
        return items, items
    return items, [item for item in items if where(item, scope)]
