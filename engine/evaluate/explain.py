"""Why a rule fired (the conditions that held, with the values seen) and why it did not."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from ..model.recommendation import Recommendation
from ..playbooks.conditions import AllOf, AnyOf, Condition, FieldTest, Quantifier
from ..playbooks.playbook import Rule
from .facts import Facts, Record
from .firing import Firing
from .ranking import Advice
from .reference import field_value, holds, quantifier_holds, quantifier_items

_SYMBOLS = {"eq": "=", "ne": "≠", "lt": "<", "lte": "≤", "gt": ">", "gte": "≥", "in": "in", "not_in": "not in"}


def describe(condition: Condition | None) -> str:
    """A condition in words, as a person reads it."""
    if condition is None:
        return "every item"
    if isinstance(condition, FieldTest):
        if condition.op == "exists":
            return f"{condition.field} {'is set' if condition.value else 'is missing'}"
        return f"{condition.field} {_SYMBOLS[condition.op]} {_show(condition.value)}"
    if isinstance(condition, AllOf):
        return " and ".join(describe(c) for c in condition.children) or "always"
    if isinstance(condition, AnyOf):
        return "(" + " or ".join(describe(c) for c in condition.children) + ")"
    where = f" where {describe(condition.where)}" if condition.where is not None else ""
    count = f" {_SYMBOLS[condition.op or 'eq']} {condition.value}" if condition.quantifier == "count" else ""
    return f"{condition.quantifier} {condition.collection}{where}{count}"


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if value is None:
        return "missing"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _seen(condition: Condition, record: Record, facts: Facts, kind: str) -> str:
    if isinstance(condition, FieldTest):
        return f"seen {_show(field_value(record, condition.field, facts))}"
    if isinstance(condition, Quantifier):
        items, matched = quantifier_items(condition, record, facts, kind)
        ids = ", ".join(str(item["id"]) for item in matched)
        return f"{len(matched)} of {len(items)} matched" + (f": {ids}" if ids else "")
    if isinstance(condition, AnyOf):
        for child in condition.children:
            if holds(child, record, facts, kind, {}):
                return f"{describe(child)}: {_seen(child, record, facts, kind)}"
        return "none held"
    return "held" if holds(condition, record, facts, kind, {}) else "failed"


def _conjuncts(condition: Condition) -> list[Condition]:
    if isinstance(condition, AllOf):
        return [part for child in condition.children for part in _conjuncts(child)]
    return [condition]


def held_conditions(rule: Rule, subject: Record, facts: Facts) -> list[str]:
    """For a rule that fired: each condition, with the value seen (``advise --explain``)."""
    return [f"{describe(c)} ({_seen(c, subject, facts, rule.subject)})" for c in _conjuncts(rule.when)]


def explanations(advice: Advice, firings: Iterable[Firing], facts: Facts) -> dict[str, list[str]]:
    """Every recommendation's explanation (``advise --explain``): a rule's, the conditions that held with the
    values seen; one the plan made itself (staffing a role the team lacks), what the plan decided and why."""
    firing_of = {firing.key: firing for firing in firings}
    plan_notes: dict[str, list[str]] = defaultdict(list)
    for note in advice.notes:
        plan_notes[note.recommendation.id].append(note.text)
    found: dict[str, list[str]] = {}
    for rec in advice.recommendations:
        firing = firing_of.get((rec.rule, rec.subject_id))
        if firing is not None:
            found[rec.id] = held_conditions(firing.rule, firing.subject, facts)
        else:  # no rule fired for it: the planner's own (plan/staff-SR for a team without an SR)
            found[rec.id] = [f"no rule fired: the plan made it ({rec.rule})", *plan_notes[rec.id]]
    return found


def first_failure(condition: Condition, record: Record, facts: Facts, kind: str) -> str | None:
    """The first condition that does not hold, with the value seen and the value wanted."""
    for part in _conjuncts(condition):
        if holds(part, record, facts, kind, {}):
            continue
        if isinstance(part, FieldTest):
            seen = field_value(record, part.field, facts)
            wanted = describe(part)
            if seen is None and part.op != "exists":
                return f"{wanted}: {part.field} is missing (comparisons with a missing value are false)"
            return f"{wanted}: seen {_show(seen)}"
        if isinstance(part, Quantifier):
            items, matched = quantifier_items(part, record, facts, kind)
            assert not quantifier_holds(part, len(items), len(matched))
            return f"{describe(part)}: {len(matched)} of {len(items)} {part.collection} matched"
        if isinstance(part, AnyOf):
            reasons = [first_failure(child, record, facts, kind) for child in part.children]
            return "none of the alternatives held: " + "; ".join(r for r in reasons if r)
    return None


def outcome(rule: Rule, subject: Record, facts: Facts, advice: Advice) -> dict[str, Any]:
    """What became of ``rule`` for ``subject``, as a record: the first condition that failed, or each
    action it asked for, held back (and why) or recommended (with what the plan decided)."""
    mine = str(subject["id"])
    failure = first_failure(rule.when, subject, facts, rule.subject)
    actions: list[dict[str, Any]] = []
    if failure is None:
        for held in advice.suppressed:
            rec = held.recommendation
            if rec.rule == rule.qualified_id and rec.subject_id == mine:
                actions.append(
                    {"action": rec.action, "outcome": "held back", "reason": held.reason, "detail": held.detail}
                )
        actions += [_recommended(rec, advice) for rec in advice.recommendations
                    if rec.rule == rule.qualified_id and rec.subject_id == mine]  # fmt: skip
    subject_of = {"kind": rule.subject, "id": mine}
    return {
        "rule": rule.qualified_id,
        "subject": subject_of,
        "fired": failure is None,
        "failed": failure,
        "actions": actions,
        "switched_off": None,
    }


def _recommended(rec: Recommendation, advice: Advice) -> dict[str, Any]:
    """A recommendation as ``outcome`` shows it, with what the plan decided about it."""
    notes = [note.text for note in advice.notes if note.recommendation.id == rec.id]
    return {
        "action": rec.action, "outcome": "recommended", "id": rec.id, "priority": rec.priority,
        "due": rec.due.isoformat(), "owner": rec.owner.to_dict() if rec.owner else None, "notes": notes,
        "compliance": rec.compliance,
    }  # fmt: skip


def plan_outcomes(subject: Record, kind: str, advice: Advice, rules: Sequence[Rule]) -> list[dict[str, Any]]:
    """What the plan recommended for ``subject`` with no rule behind it (staffing a role the team lacks, for
    the account), as ``outcome`` records: no rule fired, and the notes say why the plan made it."""
    ours = {rule.qualified_id for rule in rules}
    mine = str(subject["id"])
    return [
        {"rule": rec.rule, "subject": {"kind": kind, "id": mine}, "fired": False, "failed": None,
         "actions": [_recommended(rec, advice)], "switched_off": None}
        for rec in advice.recommendations
        if rec.subject_kind == kind and rec.subject_id == mine and rec.rule not in ours
    ]  # fmt: skip


def switched_off_outcome(rule: Rule, where: str, subject: Record, facts: Facts) -> dict[str, Any]:
    """``outcome`` of a rule kamengine.toml switched off (``where`` says how and in which file): it did
    not fire, and ``failed`` says whether it would have (None: it would)."""
    failure = first_failure(rule.when, subject, facts, rule.subject)
    return {
        "rule": rule.qualified_id,
        "subject": {"kind": rule.subject, "id": str(subject["id"])},
        "fired": False,
        "failed": failure,
        "actions": [],
        "switched_off": where,
    }


def subject_outcomes(
    subject: Record, kind: str, facts: Facts, advice: Advice, rules: Sequence[Rule], off: Sequence[tuple[Rule, str]]
) -> list[dict[str, Any]]:
    """Every rule that could recommend something for one subject, and what became of it — the answer to
    "why nothing for this person?": the rules that fired (recommended, held back, merged into an
    approach, dropped by the plan), then what the plan recommended itself, then the rules switched off,
    then each other rule's first failure."""
    found = [outcome(rule, subject, facts, advice) for rule in rules if rule.subject == kind]
    switched = [switched_off_outcome(rule, where, subject, facts) for rule, where in off if rule.subject == kind]
    planned = plan_outcomes(subject, kind, advice, rules)
    return [o for o in found if o["fired"]] + planned + switched + [o for o in found if not o["fired"]]
