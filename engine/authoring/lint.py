"""``rules lint``: rules that can never fire, overlapping exclusive rules, actions without a cooldown.

Satisfiability is decided per field for the conditions a rule requires together (its
top-level conjunction): the only values that matter are the literals themselves, their
neighbours and the midpoints between them, so trying those is exact for ints and dates
and for the open intervals between number literals.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations, pairwise
from typing import Any

from ..evaluate.explain import describe
from ..evaluate.reference import test_field
from ..model.actions import ActionCatalogue
from ..playbooks.conditions import AllOf, Condition, FieldTest
from ..playbooks.playbook import Kinds, Playbook, Rule


def lint_playbook(playbook: Playbook, actions: ActionCatalogue, kinds: Kinds) -> list[str]:
    """Findings, one line each, naming the rule and its location."""
    findings = []
    for rule in playbook.rules:
        contradiction = _contradiction(_required_tests(rule.when), kinds[rule.subject])
        if contradiction:
            findings.append(f"{rule.source}: {rule.qualified_id} can never fire: {contradiction}")
        for spec in rule.actions:
            if actions[spec.action].cooldown_days is None and spec.action not in playbook.cooldowns:
                problem = f"recommends {spec.action}, which has no cooldown: it may be repeated every run"
                findings.append(f"{rule.source}: {rule.qualified_id} {problem}")
    groups: dict[tuple[str, str], list[Rule]] = defaultdict(list)
    for rule in playbook.rules:
        if rule.exclusive_group:
            groups[(rule.exclusive_group, rule.subject)].append(rule)
    for (group, kind), members in groups.items():
        for first, second in combinations(members, 2):
            if first.priority != second.priority:
                continue  # the group keeps the higher priority: overlapping is what the group is for
            both = _required_tests(first.when) + _required_tests(second.when)
            if _contradiction(both, kinds[kind]) is None:
                findings.append(
                    f"{second.source}: {first.qualified_id} and {second.qualified_id} in exclusive group '{group}' "
                    "can fire together for one subject at the same priority; which one is kept is an accident"
                )
    return findings


def _required_tests(condition: Condition) -> list[FieldTest]:
    if isinstance(condition, FieldTest):
        return [condition]
    if isinstance(condition, AllOf):
        return [test for child in condition.children for test in _required_tests(child)]
    return []  # alternatives and quantifiers: not decided here


def _contradiction(tests: Iterable[FieldTest], fields: Any) -> str | None:
    by_field: dict[str, list[FieldTest]] = defaultdict(list)
    for test in tests:
        by_field[test.field].append(test)
    for name, group in by_field.items():
        spec = fields.get(name) if not name.startswith("account.") else None
        choices = spec.choices if spec is not None else None
        if not any(all(test_field(t, value) for t in group) for value in _candidates(group, choices)):
            return " and ".join(describe(t) for t in group) + " cannot all hold"
    return None


# A value of each type, for fields tested only with ``exists``.
_SAMPLES: dict[str, tuple[Any, ...]] = {
    "int": (0,),
    "number": (0.0,),
    "str": ("x",),
    "bool": (True,),
    "date": (dt.date(2000, 1, 1),),
    "action": ("x",),
}


def _candidates(tests: list[FieldTest], choices: tuple[object, ...] | None) -> list[Any]:
    literals: list[Any] = []
    for test in tests:
        if test.op == "exists":
            continue
        literals.extend(test.value if isinstance(test.value, tuple) else [test.value])
    values: list[Any] = [None, *literals, *_SAMPLES.get(tests[0].type, ())]
    if choices is not None:
        return values + list(choices)
    kind = tests[0].type
    if kind == "bool":
        return [*values, True, False]
    if kind in ("int", "number"):
        numbers = sorted(set(literals))
        values += [n + d for n in numbers for d in (-1, 1)]
        if kind == "number":  # open intervals between literals hold non-integers only
            values += [(a + b) / 2 for a, b in pairwise(numbers)]
        return values
    if kind == "date":
        return values + [d + dt.timedelta(days=k) for d in literals for k in (-1, 1)]
    return [*values, "\x00 a value no rule names"]
