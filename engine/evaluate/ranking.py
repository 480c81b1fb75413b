"""From firings to recommendations: titles, evidence, compliance vetoes, cooldowns, ranking."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..model.actions import ActionCatalogue
from ..model.config import DEFAULT_GIFT_CAP
from ..model.i18n import DEFAULT_LANGUAGE, pick
from ..model.recommendation import Note, Recommendation, Suppressed, recommendation_id
from ..playbooks.playbook import ActionSpec, Playbook
from ..playbooks.templates import render
from .compliance import compliant
from .facts import Facts, Record
from .firing import Firing
from .reference import field_value

#: Influence of a power role on ranking (A > D > S > E > I), and of being a key person.
ROLE_WEIGHT = {"A": 1.5, "D": 1.4, "S": 1.3, "E": 1.2, "I": 1.1, None: 1.0}
KEY_PERSON_WEIGHT = 1.25


@dataclass(frozen=True)
class Advice:
    """What kamengine says about one account: ranked recommendations and what was held back."""

    account_id: str
    as_of: dt.date
    recommendations: list[Recommendation]
    suppressed: list[Suppressed]
    notes: list[Note] = field(default_factory=list)  # what the plan decided, for explain


def rank(
    firings: Iterable[Firing],
    facts: Facts,
    playbooks: Mapping[str, Playbook],
    actions: ActionCatalogue,
    gift_cap: float = DEFAULT_GIFT_CAP,
    lang: str = DEFAULT_LANGUAGE,
) -> Advice:
    """Turn firings into ranked recommendations: compliance, cooldowns, one per slot, exclusive groups.

    The plan (``engine/plan``) then gives them owners, urgency, dates, approaches and caps.
    """
    kept: dict[tuple[str, str, str], Recommendation] = {}
    candidates: list[Recommendation] = []
    groups: dict[str, str] = {}  # recommendation id -> exclusive group
    suppressed: list[Suppressed] = []
    account_values = {f"account.{k}": v for k, v in facts.account.items()}
    currency = str(facts.account.get("currency"))
    for firing in firings:
        for spec in firing.rule.actions:
            rec = _recommend(firing, spec, facts, account_values, lang)
            cooling = functools.partial(_cooldown, firing=firing, facts=facts, playbooks=playbooks, actions=actions)
            allowed, vetoed = compliant(rec, spec, firing, actions, gift_cap, currency, lang, cooling)
            if vetoed is not None:
                suppressed.append(vetoed)
            if allowed is None:
                continue
            rec = allowed
            cooldown = cooling(rec.action)
            if cooldown:
                suppressed.append(Suppressed(rec, "cooldown", cooldown))
                continue
            if firing.rule.exclusive_group:
                groups[rec.id] = f"{firing.rule.playbook}/{firing.rule.exclusive_group}"
            candidates.append(rec)
    # Exclusive groups first: the group's best rule wins even if another rule gives its action.
    for rec in _exclusive(sorted(candidates, key=_order), groups, suppressed):
        slot = (rec.action, rec.subject_kind, rec.subject_id)
        other = kept.get(slot)
        if other is None:
            kept[slot] = rec
            continue
        suppressed.append(Suppressed(rec, "duplicate", f"the same action is recommended by {other.rule}"))
    return Advice(str(facts.account["id"]), facts.as_of, sorted(kept.values(), key=_order), suppressed)


def _exclusive(
    ranked: list[Recommendation], groups: Mapping[str, str], suppressed: list[Suppressed]
) -> list[Recommendation]:
    """Per subject, only the best-ranked rule of an exclusive group survives (with all its actions)."""
    winners: dict[tuple[str, str, str], str] = {}  # (group, subject kind, subject id) -> rule
    kept = []
    for rec in ranked:
        group = groups.get(rec.id)
        if group is None:
            kept.append(rec)
            continue
        winner = winners.setdefault((group, rec.subject_kind, rec.subject_id), rec.rule)
        if winner == rec.rule:
            kept.append(rec)
        else:
            suppressed.append(Suppressed(rec, "exclusive", f"exclusive group {group}: {winner} ranks higher"))
    return kept


def _order(rec: Recommendation) -> tuple[Any, ...]:
    # Deterministic: priority first, then the earliest due date, then ids.
    return (-rec.priority, rec.due, rec.rule, rec.subject_id, rec.action)


def _recommend(
    firing: Firing, spec: ActionSpec, facts: Facts, account_values: Mapping[str, Any], lang: str
) -> Recommendation:
    rule, subject = firing.rule, firing.subject
    values = _Fields(subject, account_values)
    subject_id = str(subject["id"])
    return Recommendation(
        id=recommendation_id(str(facts.account["id"]), spec.action, rule.subject, subject_id, rule.qualified_id),
        account_id=str(facts.account["id"]),
        action=spec.action,
        subject_kind=rule.subject,
        subject_id=subject_id,
        title=render(pick(spec.title, lang), values),
        rationale=_one_line(pick(rule.rationale, lang)),
        rule=rule.qualified_id,
        priority=round(rule.priority_for(_in_crisis(facts)) * _influence(subject, rule.subject), 2),
        due=facts.as_of + dt.timedelta(days=spec.due_in_days),
        owner_role=spec.owner_role,
        evidence=_evidence(firing, facts),
        body=render(pick(spec.body, lang), values).strip() if spec.body else None,
        account_name=str(facts.account["name"]),
    )


class _Fields:
    """What a title placeholder reads: a subject field, or ``account.<field>`` (no merged copy:
    a title reads one or two fields)."""

    __slots__ = ("account", "subject")

    def __init__(self, subject: Record, account: Mapping[str, Any]) -> None:
        self.subject, self.account = subject, account

    def get(self, name: str) -> Any:
        return self.account.get(name) if name.startswith("account.") else self.subject.get(name)


@functools.lru_cache(maxsize=1024)
def _one_line(text: str) -> str:
    return " ".join(text.split())


def _in_crisis(facts: Facts) -> bool:
    """The customer's own crisis, or one of ours or the market's (the crisis enricher)."""
    return bool(facts.account.get("crisis") or facts.account.get("market_crisis"))


def _influence(subject: Record, kind: str) -> float:
    if kind != "contact":
        return 1.0
    weight = ROLE_WEIGHT.get(subject.get("role"), 1.0)
    return weight * KEY_PERSON_WEIGHT if subject.get("key_person") else weight


def _evidence(firing: Firing, facts: Facts) -> dict[str, Any]:
    tested = firing.rule.tested_fields
    evidence: dict[str, Any] = {
        f"{firing.rule.subject}_id": str(firing.subject["id"]),
        "fields": {name: _json(field_value(firing.subject, name, facts)) for name in tested},
    }
    quantifiers = firing.rule.quantifiers
    if quantifiers:
        evidence["matched"] = {
            f"{q.quantifier} {q.collection}": list(firing.matches.get(q.index, ())) for q in quantifiers
        }
    return evidence


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _cooldown(
    action: str, *, firing: Firing, facts: Facts, playbooks: Mapping[str, Playbook], actions: ActionCatalogue
) -> str | None:
    """A reason to hold the action back: done too recently on this subject, or already scheduled."""
    playbook = playbooks.get(firing.rule.playbook)
    days = playbook.cooldowns.get(action) if playbook else None
    if days is None:
        days = actions[action].cooldown_days
    kind, subject_id = firing.rule.subject, str(firing.subject["id"])
    history = facts.items(kind, subject_id, "activities")
    same = [a for a in history if a["type"] == action]
    planned = sorted(a["date"] for a in same if a["planned"])
    if planned:
        return f"a {action} is already scheduled for {planned[0].isoformat()}"
    if days is None:
        return None
    recent = min((a["days_ago"] for a in same), default=None)
    if recent is not None and recent < days:
        return f"last {action} was {recent} days ago; cooldown is {days} days"
    return None
