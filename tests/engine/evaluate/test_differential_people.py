"""The differential test on snapshots with people events: role history, open questions, project offices, slipped deals.

The random snapshots of ``test_differential`` carry none of these, so the fields derived from them
(``successor_met``, ``open_question_count``, ``close_date_passed``...) were always null or false there.
"""

from __future__ import annotations

import os

import pytest
from durable_marker import DURABLE_MISSING
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kamengine.engine.evaluate.compiled import CompiledEvaluator
from kamengine.engine.evaluate.facts import compute_facts
from kamengine.engine.evaluate.reference import evaluate_reference
from kamengine.engine.model.fields import KINDS
from kamengine.engine.model.snapshot import Snapshot
from kamengine.engine.playbooks.conditions import AllOf, AnyOf, Condition, FieldTest
from kamengine.engine.playbooks.playbook import Rule

pytest.importorskip("durable_rules_engine", reason=DURABLE_MISSING)  # durable is what this test judges
from kamengine.engine.evaluate.durable import DurableEvaluator
from test_differential import ACTION, AS_OF, DATES, literals, snapshots

PEOPLE_FIELDS = {
    "contact": [
        "moved", "previous_title", "days_since_role_change", "moved_to", "successor_name", "successor_title",
        "successor_met", "predecessor_name", "predecessor_stance", "project_office", "open_question_count",
        "open_question", "days_since_open_question", "deal_close_date_passed",
    ],
    "opportunity": ["close_date_passed"],
    "account": ["project_office_contacts", "departments_without_supporter"],
}  # fmt: skip


@st.composite
def people_snapshots(draw: st.DrawFn) -> Snapshot:
    """A random snapshot whose people moved, asked questions and sit in project offices; deals slipped."""
    data = draw(snapshots()).model_dump(mode="json")
    ids = [c["id"] for c in data["contacts"]]
    for contact in data["contacts"]:
        if draw(st.booleans()):
            contact["previous_role"] = {"title": draw(st.none() | st.just("CTO")), "until": draw(st.none() | DATES)}
        others = [i for i in ids if i != contact["id"]]
        if others and draw(st.booleans()):
            contact["replaced_by"] = draw(st.sampled_from(others))
        contact["moved_to"] = draw(st.none() | st.just("RivalTel"))
        contact["department"] = draw(st.sampled_from([contact["department"], "Project Office", "PMO"]))
        contact["extra"] = {"project_office": draw(st.booleans())}
        contact["open_questions"] = [_question(draw, None) for _ in range(draw(st.integers(0, 2)))]
    for activity in data["activities"]:
        asked_by = st.none() | st.sampled_from(activity["contact_ids"]) if activity["contact_ids"] else st.none()
        activity["open_questions"] = [_question(draw, draw(asked_by)) for _ in range(draw(st.integers(0, 2)))]
    for deal in data["opportunities"]:
        if draw(st.booleans()):
            deal["close_date"] = draw(st.dates(min_value=AS_OF.replace(month=1), max_value=AS_OF)).isoformat()
    return Snapshot.model_validate(data)


def _question(draw: st.DrawFn, by: str | None) -> dict[str, object]:
    return {
        "asked": draw(DATES).isoformat(),
        "by": by,
        "text": draw(st.sampled_from(["Price?", "问题", "Who leads the rollout?"])),
        "answered": draw(st.none() | DATES.map(lambda d: d.isoformat())),
    }


@st.composite
def people_conditions(draw: st.DrawFn, kind: str) -> Condition:
    """One to three tests of the new fields (and their account's), joined by all_of or any_of."""
    names = PEOPLE_FIELDS[kind] + (
        [f"account.{n}" for n in PEOPLE_FIELDS["account"]] if kind != "account" else []
    )  # fmt: skip
    tests = []
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(names))
        spec = KINDS["account" if name.startswith("account.") else kind][name.removeprefix("account.")]
        ops = ["eq", "ne", "exists"] + (["lt", "lte", "gt", "gte"] if spec.type in ("int", "number") else [])
        op = draw(st.sampled_from(ops))
        value = draw(st.booleans()) if op == "exists" else draw(literals(spec))
        tests.append(FieldTest(name, op, value, spec.type))
    return draw(st.sampled_from([AllOf, AnyOf]))(tuple(tests))


@st.composite
def people_rules(draw: st.DrawFn) -> list[Rule]:
    rules = []
    for index in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["contact", "opportunity", "account"]))
        when = draw(people_conditions(kind))
        rules.append(Rule("random", f"r{index}", "", "why", kind, 50, when, (ACTION,), "<generated>"))
    return rules


@settings(
    max_examples=int(os.environ.get("KAMENGINE_DIFFERENTIAL_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(people_snapshots(), people_rules())
def test_the_people_fields_fire_alike_on_every_evaluator(snapshot: Snapshot, rules: list[Rule]) -> None:
    facts = compute_facts(snapshot)
    expected = [f.key for f in evaluate_reference(rules, facts)]
    with DurableEvaluator(rules) as evaluator:
        assert [f.key for f in evaluator.evaluate(facts)] == expected
    assert [f.key for f in CompiledEvaluator(rules).evaluate(facts)] == expected
