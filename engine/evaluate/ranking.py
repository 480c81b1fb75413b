"""From firings to recommendations: titles, evidence, compliance vetoes, cooldowns, ranking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from operator import attrgetter

from ..model.actions import ActionCatalogue
from ..model.config import DEFAULT_GIFT_CAP
from ..model.i18n import DEFAULT_LANGUAGE
from ..model.recommendation import Note, Recommendation, Suppressed
from ..playbooks.playbook import Playbook, Rule
from .candidates import Candidate, Held, Writer
from .compliance import compliant
from .cooldowns import Cooldowns
from .facts import Facts, Record
from .firing import Firing
from .rounding import hundredths

#: Influence of a power role on ranking (A > D > S > E > I), and of being a key person.
ROLE_WEIGHT = {"A": 1.5, "D": 1.4, "S": 1.3, "E": 1.2, "I": 1.1, None: 1.0}
KEY_PERSON_WEIGHT = 1.25

_KEY = attrgetter("key")


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

    What is held back is decided on each candidate's keys (action, subject, rule, priority, due date)
    before any title or evidence is written: a recommendation is made for what is kept, and for what
    is held back only when someone reads it (``Held``). The plan (``engine/plan``) then gives them
    owners, urgency, dates, approaches and caps.
    """
    suppressed: list[Suppressed] = []
    candidates = _candidates(firings, facts, playbooks, actions, gift_cap, lang, suppressed)
    kept: dict[tuple[str, str, str], Candidate] = {}
    # Exclusive groups first: the group's best rule wins even if another rule gives its action.
    for candidate in _exclusive(sorted(candidates, key=_KEY), suppressed):
        slot = candidate.slot
        other = kept.get(slot)
        if other is None:
            kept[slot] = candidate
            continue
        detail = f"the same action is recommended by {other.firing.rule.qualified_id}"
        suppressed.append(Held(candidate.made, "duplicate", detail))
    recommendations = [candidate.made() for candidate in sorted(kept.values(), key=_KEY)]
    return Advice(str(facts.account["id"]), facts.as_of, recommendations, suppressed)


def _candidates(
    firings: Iterable[Firing],
    facts: Facts,
    playbooks: Mapping[str, Playbook],
    actions: ActionCatalogue,
    gift_cap: float,
    lang: str,
    suppressed: list[Suppressed],
) -> list[Candidate]:
    """Every action the firings ask for that compliance and cooldowns leave, in the firings' order; what
    they hold back goes to ``suppressed``, in the same order."""
    writer, cooldowns = Writer(facts, lang), Cooldowns(facts, playbooks, actions)
    currency = str(facts.account.get("currency"))
    crisis = _in_crisis(facts)
    candidates: list[Candidate] = []
    for firing in firings:
        rule, subject = firing.rule, firing.subject
        subject_id = str(subject["id"])
        priority = hundredths(rule.priority_for(crisis) * _influence(subject, rule.subject))

        def cooling(action: str, rule: Rule = rule, subject_id: str = subject_id) -> str | None:
            return cooldowns.reason(rule, subject_id, action)

        for spec in rule.actions:
            verdict = compliant(spec, firing, actions, gift_cap, currency, lang, cooling)
            candidate = Candidate(firing, spec, verdict.action or spec.action, verdict.offer, priority, writer)
            if verdict.veto is not None:
                suppressed.append(Held(candidate.own, *verdict.veto))
            if verdict.action is None:
                continue
            cooldown = cooling(verdict.action)
            if cooldown:
                suppressed.append(Held(candidate.made, "cooldown", cooldown))
                continue
            candidates.append(candidate)
    return candidates


def _exclusive(ranked: list[Candidate], suppressed: list[Suppressed]) -> list[Candidate]:
    """Per subject, only the best-ranked rule of an exclusive group survives (with all its actions)."""
    winners: dict[tuple[str, str, str], str] = {}  # (group, subject kind, subject id) -> rule
    kept = []
    for candidate in ranked:
        group = candidate.group
        if group is None:
            kept.append(candidate)
            continue
        rule = candidate.firing.rule
        winner = winners.setdefault((group, rule.subject, candidate.subject_id), rule.qualified_id)
        if winner == rule.qualified_id:
            kept.append(candidate)
        else:
            suppressed.append(Held(candidate.made, "exclusive", f"exclusive group {group}: {winner} ranks higher"))
    return kept


def _in_crisis(facts: Facts) -> bool:
    """The customer's own crisis, or one of ours or the market's (the crisis enricher)."""
    return bool(facts.account.get("crisis") or facts.account.get("market_crisis"))


def _influence(subject: Record, kind: str) -> float:
    if kind != "contact":
        return 1.0
    weight = ROLE_WEIGHT.get(subject.get("role"), 1.0)
    return weight * KEY_PERSON_WEIGHT if subject.get("key_person") else weight
