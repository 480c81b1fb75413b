"""``rules lint``: rules that can never fire, overlapping exclusive rules, actions without a cooldown, table gaps.

Satisfiability is decided per field for the conditions a rule requires together (its
top-level conjunction): the only values that matter are the literals themselves, their
neighbours and the midpoints between them, so trying those is exact for ints and dates
and for the open intervals between number literals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations
from typing import Any

from ..evaluate.explain import describe
from ..model.actions import ActionCatalogue
from ..playbooks.conditions import AllOf, Condition, FieldTest
from ..playbooks.playbook import Kinds, Playbook, Rule
from ..playbooks.values import candidates, test_field


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
    for table in playbook.tables:
        findings += [f"{table.source}: table {playbook.id}/{table.id}: {gap}" for gap in table.gaps]
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
        if not any(all(test_field(t, value) for t in group) for value in candidates(group, choices)):
            return " and ".join(describe(t) for t in group) + " cannot all hold"
    return None
