"""The compiled evaluator: each rule's condition tree composed once into Python closures, then run per snapshot.

No text is ever turned into code: every closure is one of a fixed set of Python functions
(``compiled_conditions.py``), specialised by the parsed tree (a field name, an operator, a
literal), the way ``durable_rulesets.py`` builds durable's JSON from the same tree.
Quantifiers are evaluated lazily, per subject, when the evaluation of a condition first
reaches them; a rule that fires then reports the items of every one of its quantifiers, as
durable does. The tests of a contact or deal rule that read only the account are decided
once per snapshot. ``tests/engine/evaluate/test_differential.py`` holds it to the reference
evaluator and durable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import EvaluationError, plain
from ..playbooks.conditions import AllOf, Condition
from ..playbooks.playbook import Rule
from .compiled_conditions import Found, Scope, Test, compile_condition, quantifier_items, reads_account_only
from .facts import Facts, Record
from .firing import Firing

__all__ = ["CompiledEvaluator", "CompiledRule", "compile_rule"]


@dataclass(frozen=True)
class CompiledRule:
    """One rule as closures: what only the account decides, the rest, and each quantifier on its own."""

    rule: Rule
    gate: Test | None  # the account-only part of a contact or deal rule, tested once per snapshot
    test: Test
    quantifiers: tuple[tuple[int, Found], ...]  # (quantifier index, its walk): what a firing reports


class CompiledEvaluator:
    """Rules compiled once; ``evaluate`` runs them on one snapshot at a time (no state kept between snapshots)."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = list(rules)
        self._compiled = [compile_rule(rule) for rule in self.rules]

    def evaluate(self, facts: Facts) -> list[Firing]:
        """Every (rule, subject) whose conditions hold, in rule order then subject order."""
        scope = Scope(facts)
        firings: list[Firing] = []
        for compiled in self._compiled:
            rule, test, gate = compiled.rule, compiled.test, compiled.gate
            subjects = facts.subjects(rule.subject)
            try:
                if not subjects or (gate is not None and not gate(facts.account, scope)):
                    continue
                if not compiled.quantifiers:  # most rules: one comprehension, the fastest loop Python has
                    firings += [Firing(rule, subject, {}) for subject in subjects if test(subject, scope)]
                    continue
                for subject in subjects:
                    if test(subject, scope):
                        firings.append(Firing(rule, subject, _matches(compiled, subject, scope)))
            except Exception as exc:  # a value a rule cannot compare (an enricher's): the account fails, naming it
                raise _failure(compiled, subjects, scope, exc) from exc
        return firings

    def close(self) -> None:
        """Nothing to free (closures are Python objects); here so that every evaluator closes alike."""


def compile_rule(rule: Rule) -> CompiledRule:
    """A rule's condition as closures (its account-only tests apart on a contact or deal rule)."""
    parts: list[Condition] = list(rule.when.children) if isinstance(rule.when, AllOf) else [rule.when]
    on_account = [rule.subject != "account" and reads_account_only(part) for part in parts]
    gated = tuple(part for part, gate in zip(parts, on_account, strict=True) if gate)
    rest = tuple(part for part, gate in zip(parts, on_account, strict=True) if not gate)
    walks = {q.index: quantifier_items(q, rule.subject) for q in rule.quantifiers}  # one walk per quantifier
    gate = compile_condition(AllOf(gated), rule.subject) if gated else None
    test = compile_condition(AllOf(rest), rule.subject, walks)
    return CompiledRule(rule, gate, test, tuple(walks.items()))


def _failure(compiled: CompiledRule, subjects: list[Record], scope: Scope, exc: Exception) -> EvaluationError:
    """The error of a rule that raised, naming the rule and the first subject it raises on (the account's own test
    when none does)."""
    rule, kind, culprit = compiled.rule, "account", scope.account
    for subject in subjects:
        try:
            compiled.test(subject, scope)
        except Exception:  # the one the loop stopped at
            kind, culprit = rule.subject, subject
            break
    reason = f"a value of the wrong type ({exc})" if isinstance(exc, TypeError) else plain(exc)
    return EvaluationError(f"rule {rule.qualified_id} ({rule.source}) failed on {kind} {culprit.get('id')!r}: {reason}")


def _matches(compiled: CompiledRule, subject: Record, scope: Scope) -> dict[int, tuple[str, ...]]:
    """Per quantifier of the rule, the ids of the items matching its ``where`` (those a short cut passed over too)."""
    matches = {}
    for index, found in compiled.quantifiers:  # found() walks a collection no short cut reached
        matches[index] = tuple(str(item["id"]) for item in found(subject, scope)[1])
    return matches
