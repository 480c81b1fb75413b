"""Closures for the condition tree: one fixed Python function per node kind, specialised by the parsed node.

Nothing here turns text into code: a field test is a closure over its field name and its
literal, a combinator over its children's closures, a quantifier over its ``where``'s.
A missing (null) value fails every comparison, as in ``playbooks/values.test_field``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from typing import Any

from ..playbooks.conditions import ACCOUNT_PREFIX, AllOf, AnyOf, Condition, FieldTest, Quantifier
from ..playbooks.values import COMPARE
from .facts import Facts, Record

#: A compiled condition: does it hold for this record, in this snapshot?
Test = Callable[[Record, "Scope"], bool]
#: A quantifier's walk of one subject's collection: (every item, the items matching ``where``).
Found = Callable[[Record, "Scope"], tuple[list[Record], list[Record]]]
_slots = itertools.count()


class Scope:
    """What a compiled condition reads besides its record: the snapshot, and the current subject's quantifiers."""

    __slots__ = ("account", "facts", "found")

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.account = facts.account
        # (quantifier's slot, id of the subject) -> (every item, the items matching where); the
        # subjects live as long as this scope, so their ids are theirs alone
        self.found: dict[tuple[int, int], tuple[list[Record], list[Record]]] = {}


def compile_condition(condition: Condition, kind: str, walks: Mapping[int, Found] | None = None) -> Test:
    """The closure of a condition on records of ``kind``; its quantifiers walk with ``walks`` (by index) if given."""
    if isinstance(condition, FieldTest):
        return field_test(condition)
    if isinstance(condition, Quantifier):
        found = walks[condition.index] if walks else quantifier_items(condition, kind)
        return quantifier_test(condition, found)
    children = [compile_condition(child, kind, walks) for child in ordered(condition)]
    return every(children) if isinstance(condition, AllOf) else some(children)


def ordered(condition: AllOf | AnyOf) -> list[Condition]:
    """Children, nested combinators of the same kind lifted into this one, quantifiers last.

    Neither changes what holds (the tests have no side effects: a quantifier only caches its
    items, and every quantifier of a firing is reported anyway); both spare work: a subject's
    own fields decide most rules before any collection is walked.
    """
    children: list[Condition] = []
    for child in condition.children:
        if type(child) is type(condition):
            assert isinstance(child, AllOf | AnyOf)
            children.extend(ordered(child))
        else:
            children.append(child)
    return sorted(children, key=lambda child: bool(quantifiers_within(child)))  # stable: the rule's order otherwise


def quantifiers_within(condition: Condition) -> bool:
    """Whether a condition walks a collection anywhere inside it."""
    if isinstance(condition, Quantifier):
        return True
    if isinstance(condition, AllOf | AnyOf):
        return any(quantifiers_within(child) for child in condition.children)
    return False


def every(tests: list[Test]) -> Test:
    """All of ``tests``, short-circuited (unrolled up to four: a quarter less time than a loop)."""
    if not tests:
        return lambda record, scope: True
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        a, b = tests
        return lambda record, scope: a(record, scope) and b(record, scope)
    if len(tests) == 3:
        a, b, c = tests
        return lambda record, scope: a(record, scope) and b(record, scope) and c(record, scope)
    if len(tests) == 4:
        a, b, c, d = tests
        return lambda record, scope: a(record, scope) and b(record, scope) and c(record, scope) and d(record, scope)
    frozen = tuple(tests)

    def all_of(record: Record, scope: Scope) -> bool:
        for test in frozen:  # noqa: SIM110 - a loop, not all(generator): under half the time per call
            if not test(record, scope):
                return False
        return True

    return all_of


def some(tests: list[Test]) -> Test:
    """Any of ``tests``, short-circuited."""
    if not tests:
        return lambda record, scope: False
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        a, b = tests
        return lambda record, scope: a(record, scope) or b(record, scope)
    if len(tests) == 3:
        a, b, c = tests
        return lambda record, scope: a(record, scope) or b(record, scope) or c(record, scope)
    frozen = tuple(tests)

    def any_of(record: Record, scope: Scope) -> bool:
        for test in frozen:  # noqa: SIM110 - a loop, not any(generator): under half the time per call
            if test(record, scope):
                return True
        return False

    return any_of


def reads_account_only(condition: Condition) -> bool:
    """Whether a condition reads nothing but the account's fields (``account.x``): the same for every subject."""
    if isinstance(condition, FieldTest):
        return condition.field.startswith(ACCOUNT_PREFIX)
    if isinstance(condition, AllOf | AnyOf):
        return bool(condition.children) and all(reads_account_only(child) for child in condition.children)
    return False


def field_test(test: FieldTest) -> Test:
    """``field op literal`` on the record, or on the account for ``account.x``."""
    if not test.field.startswith(ACCOUNT_PREFIX):
        return value_test(test.field, test.op, test.value)
    on_account = value_test(test.field[len(ACCOUNT_PREFIX) :], test.op, test.value)
    return lambda record, scope: on_account(scope.account, scope)


def value_test(name: str, op: str, literal: Any) -> Test:
    """The closure of one operator on one field (the same comparisons as ``COMPARE``), a missing value failing it."""
    if op == "exists":
        if literal:
            return lambda record, scope: record.get(name) is not None
        return lambda record, scope: record.get(name) is None
    if op == "eq":
        return lambda record, scope: (value := record.get(name)) is not None and value == literal
    if op == "ne":
        return lambda record, scope: (value := record.get(name)) is not None and value != literal
    if op == "lt":
        return lambda record, scope: (value := record.get(name)) is not None and value < literal
    if op == "lte":
        return lambda record, scope: (value := record.get(name)) is not None and value <= literal
    if op == "gt":
        return lambda record, scope: (value := record.get(name)) is not None and value > literal
    if op == "gte":
        return lambda record, scope: (value := record.get(name)) is not None and value >= literal
    if op == "in":
        return lambda record, scope: (value := record.get(name)) is not None and value in literal
    if op == "not_in":
        return lambda record, scope: (value := record.get(name)) is not None and value not in literal
    raise ValueError(f"unknown operator {op!r}")  # the parser admits no other


def quantifier_items(q: Quantifier, kind: str) -> Found:
    """The subject's items of ``q``'s collection and those matching its ``where``: walked once per subject."""
    where = compile_condition(q.where, q.item_kind) if q.where is not None else None
    collection, slot = q.collection, next(_slots)  # the slot, not q.index, is unique across rules

    def found(subject: Record, scope: Scope) -> tuple[list[Record], list[Record]]:
        key = (slot, id(subject))
        cached = scope.found.get(key)
        if cached is None:
            items = scope.facts.items(kind, str(subject["id"]), collection)
            matched = items if where is None else [item for item in items if where(item, scope)]
            cached = scope.found[key] = (items, matched)
        return cached

    return found


def quantifier_test(q: Quantifier, found: Found) -> Test:
    """``any | all | none | count`` of the subject's collection, its items tested when first reached."""
    count, op = q.value, q.op
    if q.quantifier == "any":
        return lambda subject, scope: bool(found(subject, scope)[1])
    if q.quantifier == "none":
        return lambda subject, scope: not found(subject, scope)[1]
    if q.quantifier == "all":
        return lambda subject, scope: len((items := found(subject, scope))[0]) == len(items[1])
    assert op is not None
    compare = COMPARE[op]
    return lambda subject, scope: bool(compare(len(found(subject, scope)[1]), count))
