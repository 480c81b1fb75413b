"""durable_rules and the compiled evaluator judged by the reference evaluator on random snapshots and random rules."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from durable_marker import DURABLE_MISSING
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kamengine.engine.errors import EvaluationError
from kamengine.engine.evaluate.compiled import CompiledEvaluator
from kamengine.engine.evaluate.facts import Facts, compute_facts
from kamengine.engine.evaluate.reference import evaluate_reference, holds, quantifier_items
from kamengine.engine.model.fields import COLLECTIONS, KINDS, FieldSpec
from kamengine.engine.model.snapshot import Snapshot
from kamengine.engine.playbooks.conditions import ORDERING, AllOf, AnyOf, Condition, FieldTest, Quantifier
from kamengine.engine.playbooks.playbook import ActionSpec, Rule
from kamengine.engine.playbooks.table_logic import HIT_POLICIES, Grid, Row, compile_rows

pytest.importorskip("durable_rules_engine", reason=DURABLE_MISSING)  # durable is what this test judges
from kamengine.engine.evaluate.durable import DurableEvaluator

AS_OF = dt.date(2026, 11, 20)
NAMES = ["Ana", "李伟", "O'Brien", 'Quote "Q"', "ana", "Zoë", "x"]
ACTIONS = [
    "executive_visit", "project_office_visit", "regular_office_visit", "private_activity", "hq_tour",
    "reference_site_visit", "birthday_greeting",
]  # fmt: skip
DATES = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2027, 6, 30))


@st.composite
def snapshots(draw: st.DrawFn) -> Snapshot:
    team = [
        {
            "id": f"u{i}",
            "name": draw(st.sampled_from(NAMES)),
            "role": draw(st.sampled_from(["AR", "SR", "FR", "AD"])),
            "level": draw(st.sampled_from(["executive", "senior", "middle", "staff"])),
        }
        for i in range(draw(st.integers(1, 3)))
    ]
    owners = st.none() | st.sampled_from([m["id"] for m in team])
    contacts = []
    for i in range(draw(st.integers(0, 6))):
        contacts.append(
            {
                "id": f"c{i}",
                "name": draw(st.sampled_from(NAMES)),
                "title": draw(st.none() | st.sampled_from(NAMES)),
                "department": draw(st.none() | st.sampled_from(["Network", "IT"])),
                "level": draw(st.sampled_from(["executive", "senior", "middle", "staff"])),
                "role": draw(st.none() | st.sampled_from(["A", "D", "S", "E", "I"])),
                "stance": draw(st.sampled_from([-1, 0, 1, 2, 3])),
                "rising_star": draw(st.booleans()),
                "public_official": draw(st.booleans()),
                "birthday": draw(st.none() | DATES),
                "owner": draw(owners),
                "in_role_since": draw(st.none() | DATES),
                "previous_stance": draw(st.none() | st.sampled_from([-1, 0, 1, 2, 3])),
                "backs_competitor": draw(st.none() | st.sampled_from(["RivalTel", "Zoë"])),
            }
        )
    ids = [c["id"] for c in contacts]
    deals = []
    for i in range(draw(st.integers(0, 3))):
        groups = []
        for group in draw(
            st.lists(st.sampled_from(["commercial", "technical", "selection", "final"]), unique=True, max_size=3)
        ):
            members = draw(st.lists(st.sampled_from(ids), unique=True, max_size=3)) if ids else []
            groups.append(
                {"group": group, "members": [{"contact_id": m, "proximity": draw(st.integers(1, 3))} for m in members]}
            )
        deals.append(
            {
                "id": f"o{i}",
                "name": draw(st.sampled_from(NAMES)),
                "stage": draw(st.sampled_from(["lead", "qualified", "bidding", "negotiation", "won", "lost"])),
                "value": draw(st.none() | st.integers(0, 10**7) | st.floats(min_value=0, max_value=1e18)),
                "close_date": draw(st.none() | DATES),
                "decision_groups": groups,
            }
        )
    activities = []
    for i in range(draw(st.integers(0, 8))):
        activities.append(
            {
                "id": f"a{i}",
                "type": draw(st.sampled_from(ACTIONS)),
                "date": draw(DATES),
                "contact_ids": draw(st.lists(st.sampled_from(ids), unique=True, max_size=2)) if ids else [],
                "opportunity_id": draw(st.none() | st.sampled_from([d["id"] for d in deals])) if deals else None,
                "owner": draw(owners),
            }
        )
    return Snapshot.model_validate(
        {
            "as_of": AS_OF,
            "account": {
                "id": "acct",
                "name": draw(st.sampled_from(NAMES)),
                "tier": draw(st.sampled_from(["strategic", "key", "standard"])),
                "strategic_partner": draw(st.booleans()),
                "crisis": draw(st.booleans()),
                "stage": draw(st.none() | st.sampled_from(["expansion", "growth", "mature"])),
                "org_relationship": {"joint": draw(st.integers(0, 3))},
            },
            "contacts": contacts,
            "opportunities": deals,
            "activities": activities,
            "team": team,
        }
    )


def literals(spec: FieldSpec) -> st.SearchStrategy[Any]:
    """Literals of the field's type, biased toward values snapshots really have."""
    if spec.choices:
        return st.sampled_from(spec.choices)
    return {
        "int": st.integers(-3, 400),
        "number": st.integers(-5, 10**7) | st.floats(allow_nan=False, allow_infinity=False),
        "str": st.sampled_from([*NAMES, "c0", "c1", "o0", "u0", "a1", "Network", ""]),
        "bool": st.booleans(),
        "date": DATES,
        "action": st.sampled_from(ACTIONS),
    }[spec.type]


@st.composite
def field_tests(draw: st.DrawFn, kind: str) -> Condition:
    fields = dict(KINDS[kind])
    if kind in ("contact", "opportunity"):
        fields.update({f"account.{k}": v for k, v in KINDS["account"].items()})
    name = draw(st.sampled_from(sorted(fields)))
    spec = fields[name]
    ops = ["eq", "ne", "in", "not_in", "exists"]
    if spec.type in ("int", "number", "date"):
        ops += list(ORDERING)
    op = draw(st.sampled_from(ops))
    if op == "exists":
        return FieldTest(name, op, draw(st.booleans()), spec.type)
    if op in ("in", "not_in"):
        return FieldTest(name, op, tuple(draw(st.lists(literals(spec), min_size=1, max_size=3))), spec.type)
    return FieldTest(name, op, draw(literals(spec)), spec.type)


def conditions(kind: str, counter: list[int], quantified: bool = True) -> st.SearchStrategy[Condition]:
    leaves: st.SearchStrategy[Condition] = field_tests(kind)
    if quantified and kind in COLLECTIONS:
        leaves = leaves | quantifiers(kind, counter)
    return st.recursive(
        leaves,
        lambda inner: (
            st.lists(inner, min_size=1, max_size=3).map(lambda c: AllOf(tuple(c)))
            | st.lists(inner, min_size=1, max_size=3).map(lambda c: AnyOf(tuple(c)))
        ),
        max_leaves=4,
    )


@st.composite
def quantifiers(draw: st.DrawFn, kind: str, counter: list[int]) -> Condition:
    collection = draw(st.sampled_from(sorted(COLLECTIONS[kind])))
    item_kind = COLLECTIONS[kind][collection][0]
    where = draw(st.none() | conditions(item_kind, counter, quantified=False))
    quantifier = draw(st.sampled_from(["any", "all", "none", "count"]))
    counter[0] += 1
    if quantifier == "count":
        op = draw(st.sampled_from(["eq", "ne", *ORDERING]))
        return Quantifier(quantifier, collection, item_kind, where, counter[0], op, draw(st.integers(0, 4)))
    return Quantifier(quantifier, collection, item_kind, where, counter[0])


ACTION = ActionSpec("executive_visit", "t", "AD", 1)


@st.composite
def rule_lists(draw: st.DrawFn) -> list[Rule]:
    rules = []
    for index in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["contact", "opportunity", "account"]))
        if draw(st.integers(0, 3)) == 0:  # a decision table, compiled to its rules
            policy, table = draw(tables(kind))
            rules += table_rules(f"t{index}", kind, policy, table)
            continue
        when = draw(conditions(kind, [0]))
        rules.append(Rule("random", f"r{index}", "", "why", kind, 50, when, (ACTION,), "<generated>"))
    return rules


def _specs(kind: str) -> dict[str, FieldSpec]:
    fields = dict(KINDS[kind])
    if kind in ("contact", "opportunity"):
        fields.update({f"account.{k}": v for k, v in KINDS["account"].items()})
    return fields


@st.composite
def cells(draw: st.DrawFn, name: str, spec: FieldSpec) -> Condition | None:
    """A table cell: any value, a test of the column's field, or a range."""
    choice = draw(st.integers(0, 3))
    if choice == 0:
        return None
    if choice == 1 and spec.type in ("int", "number", "date"):
        low, high = sorted([draw(literals(spec)), draw(literals(spec))])
        return AllOf((FieldTest(name, "gte", low, spec.type), FieldTest(name, "lte", high, spec.type)))
    ops = ["eq", "ne", "in", "not_in", "exists", *(ORDERING if spec.type in ("int", "number", "date") else ())]
    op = draw(st.sampled_from(ops))
    if op == "exists":
        return FieldTest(name, op, draw(st.booleans()), spec.type)
    if op in ("in", "not_in"):
        return FieldTest(name, op, tuple(draw(st.lists(literals(spec), min_size=1, max_size=3))), spec.type)
    return FieldTest(name, op, draw(literals(spec)), spec.type)


@st.composite
def tables(draw: st.DrawFn, kind: str) -> tuple[str, Grid]:
    """A hit policy and a grid of 1-4 rows over 1-3 inputs, some rows with a ``when`` of their own."""
    fields = _specs(kind)
    inputs = draw(st.lists(st.sampled_from(sorted(fields)), min_size=1, max_size=3, unique=True))
    rows = []
    for _ in range(draw(st.integers(1, 4))):
        row_cells = tuple(draw(cells(name, fields[name])) for name in inputs)
        when = draw(st.none() | conditions(kind, [0])) if draw(st.booleans()) else None
        rows.append(Row(row_cells, when))
    return draw(st.sampled_from(HIT_POLICIES)), Grid(rows, [fields[name] for name in inputs])


def table_rules(table_id: str, kind: str, policy: str, grid: Grid) -> list[Rule]:
    return [
        Rule("random", f"{table_id}-{k}", "", "why", kind, 50, when, (ACTION,), "<generated>", table=table_id)
        for k, when in enumerate(compile_rows(policy, grid.rows, grid))
    ]


def _quantifier_matches(rule: Rule, subject: dict[str, Any], facts: Facts) -> dict[int, tuple[str, ...]]:
    found: dict[int, tuple[str, ...]] = {}
    stack: list[Condition] = [rule.when]
    while stack:
        node = stack.pop()
        if isinstance(node, Quantifier):
            _, matched = quantifier_items(node, subject, facts, rule.subject)
            found[node.index] = tuple(str(item["id"]) for item in matched)
        elif isinstance(node, AllOf | AnyOf):
            stack.extend(node.children)
    return found


@settings(
    max_examples=int(os.environ.get("KAMENGINE_DIFFERENTIAL_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(snapshots(), rule_lists())
def test_durable_and_compiled_fire_exactly_what_the_reference_fires(snapshot: Snapshot, rules: list[Rule]) -> None:
    facts = compute_facts(snapshot)
    expected = evaluate_reference(rules, facts)
    with DurableEvaluator(rules) as evaluator:
        actual = evaluator.evaluate(facts)
    compiled = CompiledEvaluator(rules).evaluate(facts)
    assert [f.key for f in actual] == [f.key for f in expected]
    assert [f.key for f in compiled] == [f.key for f in expected]
    for firing in actual:
        assert firing.matches == _quantifier_matches(firing.rule, firing.subject, facts)
    # the same evidence from all three, quantifier by quantifier in the same order (it reaches the output)
    assert [list(f.matches.items()) for f in compiled] == [list(f.matches.items()) for f in actual]
    assert [list(f.matches.items()) for f in expected] == [list(f.matches.items()) for f in actual]
    assert [f.subject for f in compiled] == [f.subject for f in actual]


@settings(
    max_examples=int(os.environ.get("KAMENGINE_DIFFERENTIAL_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    snapshots(),
    st.sampled_from(["contact", "opportunity", "account"]).flatmap(lambda k: st.tuples(st.just(k), tables(k))),
)
def test_a_table_fires_the_rows_its_hit_policy_picks(snapshot: Snapshot, drawn: tuple[str, tuple[str, Grid]]) -> None:
    """Compiled rows fire, on all three evaluators, exactly the rows that hold (the first of them under ``first``)."""
    kind, (policy, grid) = drawn
    facts = compute_facts(snapshot)
    rules = table_rules("t", kind, policy, grid)
    expected = []
    for subject in facts.subjects(kind):
        held = [
            k
            for k, row in enumerate(grid.rows)
            if all(
                holds(part, subject, facts, kind, {}) for part in [*filter(None, row.cells), *filter(None, [row.when])]
            )
        ]
        expected += [(f"random/t-{k}", str(subject["id"])) for k in (held[:1] if policy == "first" else held)]
    assert sorted(f.key for f in evaluate_reference(rules, facts)) == sorted(expected)
    assert sorted(f.key for f in CompiledEvaluator(rules).evaluate(facts)) == sorted(expected)
    try:
        evaluator = DurableEvaluator(rules)
    except EvaluationError as exc:  # too many expressions for durable: refused at load, naming the rows
        assert "error code: 113; it cannot hold <generated> (random/t-" in str(exc)
        return
    with evaluator:
        actual = evaluator.evaluate(facts)
    assert sorted(f.key for f in actual) == sorted(expected)
