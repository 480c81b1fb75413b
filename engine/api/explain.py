"""Explaining advice through the Engine: why a rule fired, or did not, for a subject of a snapshot.

``compute_facts`` (and its ``Facts``) is here too: what the rules test, derived from a snapshot, which an
account's pages show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..errors import UsageError, did_you_mean
from ..evaluate.facts import Facts, Record, compute_facts
from .base import EngineParts

if TYPE_CHECKING:
    from ..advise.advisor import Advisor
    from ..advise.spec import AdvisorSpec
    from ..playbooks.playbook import Rule

__all__ = ["ExplainAPI", "Facts", "NoSuchChoice", "compute_facts"]

#: One explained outcome: the rule, the subject, whether it fired, the first failure, each action's fate.
Outcome = dict[str, Any]


class NoSuchChoice(UsageError):
    """The rule or subject asked to explain is not there (or the rule's id is ambiguous); ``option`` names what
    was asked (``rule`` or ``subject``), for the front end to point at the option it came from."""

    def __init__(self, message: str, option: str) -> None:
        super().__init__(message)
        self.option = option


class ExplainAPI(EngineParts):
    """The Engine's part for explaining advice."""

    if TYPE_CHECKING:  # the Engine's core sets these (engine.py)
        spec: AdvisorSpec

        @property
        def advisor(self) -> Advisor: ...

    def explain(
        self, snapshot: str, *, rule: str | None = None, subject: str | None = None, as_of: dt.date | None = None
    ) -> list[Outcome]:
        """Why ``rule`` (``playbook/rule``, or the rule's id when unambiguous) did or did not recommend something
        for the subjects of its kind in the snapshot file ``snapshot`` (only ``subject``, when given), evaluated as
        of ``as_of`` (None: the run options', else the snapshot's): the first condition that failed, with the
        value seen and wanted, or what became of each action it asked for.

        With ``subject`` alone, "why nothing for them?": every rule that could recommend something for that
        contact, deal or account, what the plan recommended itself, the rules kamengine.toml switches off, and
        each other rule's first failure. A rule or subject that is not there is a ``NoSuchChoice``; an account
        whose evaluation outlasts ``[limits] account_seconds`` a ``DeadlineExceeded``.
        """
        from ..delivery.deadlines import alarm
        from ..evaluate.explain import outcome, subject_outcomes, switched_off_outcome
        from ..model.fields import SUBJECT_KINDS
        from ..model.loading import load_snapshot

        if rule is None and subject is None:
            raise UsageError("give a rule, a subject or both to explain")
        off = self.spec.switched_off
        with alarm(self.config.limits.account_seconds, "explaining this account"):  # an enricher that loops ends
            advisor = self.advisor
            facts, firings = advisor.evaluate(load_snapshot(snapshot, self.registry.actions), as_of or self.spec.as_of)
            advice = advisor.plan(facts, firings)
        if rule is None:
            found = [(s, kind) for kind in SUBJECT_KINDS for s in facts.subjects(kind) if str(s["id"]) == subject]
            if not found:
                ids = [str(s["id"]) for kind in SUBJECT_KINDS for s in facts.subjects(kind)]
                hint = did_you_mean(str(subject), ids)
                raise NoSuchChoice(f"no contact, opportunity or account '{subject}' in {snapshot}{hint}", "subject")
            return [o for s, kind in found for o in subject_outcomes(s, kind, facts, advice, advisor.rules, off)]
        asked, switched = _find_rule(advisor.rules, off, rule)
        subjects = _subjects(asked, facts, subject, snapshot)
        if switched is None:
            return [outcome(asked, each, facts, advice) for each in subjects]
        return [switched_off_outcome(asked, switched, each, facts) for each in subjects]


def _subjects(rule: Rule, facts: Facts, subject: str | None, snapshot: str) -> list[Record]:
    """The subjects of the rule's kind to explain it for: every one, or ``subject`` only."""
    subjects = facts.subjects(rule.subject)
    if subject is None:
        return subjects
    chosen = [s for s in subjects if str(s["id"]) == subject]
    if not chosen:
        ids = [str(s["id"]) for s in subjects]
        raise NoSuchChoice(f"no {rule.subject} '{subject}' in {snapshot}{did_you_mean(subject, ids)}", "subject")
    return chosen


def _find_rule(rules: Sequence[Rule], off: Sequence[tuple[Rule, str]], rule_id: str) -> tuple[Rule, str | None]:
    """The rule named, and where it was switched off (None: it is on)."""
    every = [(rule, None) for rule in rules] + list(off)
    matches = [(r, w) for r, w in every if r.qualified_id == rule_id or ("/" not in rule_id and r.id == rule_id)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise NoSuchChoice(f"'{rule_id}' is ambiguous: {', '.join(r.qualified_id for r, _ in matches)}", "rule")
    hint = did_you_mean(rule_id, [r.qualified_id for r, _ in every] + [r.id for r, _ in every])
    raise NoSuchChoice(f"no rule '{rule_id}'{hint}; see kamengine rules list", "rule")
