"""A rule's action for one subject before it is a recommendation: what ranking decides on, made into a
``Recommendation`` (title, rationale, evidence) only when one is kept or someone reads a held-back one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import MISSING, fields
from typing import Any

from ..model.recommendation import Recommendation, Suppressed, recommendation_id
from ..playbooks.playbook import ActionSpec
from ..playbooks.templates import fill
from .compliance import Offer
from .facts import Facts, Record
from .firing import Firing
from .recipes import Recipe, recipe


class Writer:
    """What every recommendation of one account shares: its facts, its fields for titles, the language."""

    __slots__ = ("_dues", "account_id", "account_name", "facts", "lang")

    def __init__(self, facts: Facts, lang: str) -> None:
        self.facts, self.lang = facts, lang
        self.account_id, self.account_name = str(facts.account["id"]), str(facts.account["name"])
        self._dues: dict[int, dt.date] = {}

    def due(self, days: int) -> dt.date:
        """The date ``days`` after the snapshot's: worked out once per number of days (a handful per account)."""
        found = self._dues.get(days)
        if found is None:
            found = self._dues[days] = self.facts.as_of + dt.timedelta(days=days)
        return found


class Candidate:
    """One action a firing asks for, as compliance leaves it: the keys ranking decides on (``key``, the
    slot, the exclusive group) made at once, the recommendation only when asked (``made``, ``own``)."""

    __slots__ = (
        "_made", "_own", "action", "due", "firing", "group", "key", "offer", "priority", "spec", "subject_id", "writer",
    )  # fmt: skip

    def __init__(
        self, firing: Firing, spec: ActionSpec, action: str, offer: Offer | None, priority: float, writer: Writer
    ) -> None:
        self.firing, self.spec, self.action, self.offer, self.writer = firing, spec, action, offer, writer
        self.subject_id, self.priority = str(firing.subject["id"]), priority
        self.due = writer.due(spec.due_in_days)
        rule = firing.rule
        # Deterministic: priority first, then the earliest due date, then ids.
        self.key: tuple[Any, ...] = (-priority, self.due, rule.qualified_id, self.subject_id, action)
        self.group = f"{rule.playbook}/{rule.exclusive_group}" if rule.exclusive_group else None
        self._own: Recommendation | None = None
        self._made: Recommendation | None = None

    @property
    def slot(self) -> tuple[str, str, str]:
        """``(action, subject kind, subject id)``: one recommendation per slot survives."""
        return self.action, self.firing.rule.subject, self.subject_id

    def own(self) -> Recommendation:
        """The recommendation as the rule wrote it (before compliance offered a step in its place)."""
        if self._own is None:
            self._own = _recommend(self, self.writer)
        return self._own

    def made(self) -> Recommendation:
        """The recommendation as compliance allows it: the one kept, or held back by a later step."""
        if self._made is None:
            self._made = self.own() if self.offer is None else self.offer(self.own())
        return self._made


class Held(Suppressed):
    """A held-back recommendation whose ``Recommendation`` is made the first time it is read: most are
    never read (a batch keeps only what is recommended), ``explain`` and tests read them all alike.

    Equal to, and pickled as, the plain ``Suppressed`` it stands for.
    """

    _recommendation: Recommendation | Callable[[], Recommendation]

    def __init__(self, recommendation: Recommendation | Callable[[], Recommendation], reason: str, detail: str) -> None:
        object.__setattr__(self, "_recommendation", recommendation)
        object.__setattr__(self, "reason", reason)
        object.__setattr__(self, "detail", detail)

    @property
    def recommendation(self) -> Recommendation:
        """The held-back recommendation, made now if it was not yet."""
        found = self._recommendation
        if not isinstance(found, Recommendation):
            found = found()
            object.__setattr__(self, "_recommendation", found)
        return found

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Suppressed):
            return NotImplemented
        return (self.recommendation, self.reason, self.detail) == (other.recommendation, other.reason, other.detail)

    __hash__ = Suppressed.__hash__

    def __reduce__(self) -> tuple[type[Suppressed], tuple[Recommendation, str, str]]:
        return Suppressed, (self.recommendation, self.reason, self.detail)


#: A recommendation's fields with a default, and those made by a factory: what ``made_directly`` fills in.
_DEFAULTS = {f.name: f.default for f in fields(Recommendation) if f.default is not MISSING}
_FACTORIES = {f.name: f.default_factory for f in fields(Recommendation) if f.default_factory is not MISSING}
#: Whether a recommendation is its fields and nothing more (no ``__post_init__`` to run, no slots), and
#: ``_recommend`` gives every field made by a factory.
_PLAIN = (
    not hasattr(Recommendation, "__post_init__")
    and not hasattr(Recommendation, "__slots__")
    and set(_FACTORIES) <= {"evidence"}
)


def made_directly(**values: Any) -> Recommendation:
    """``Recommendation(**values)`` without the frozen dataclass's ``__init__`` (one ``object.__setattr__`` a
    field: a tenth of ranking's time): its fields set in one go, the defaults for those not given."""
    if not _PLAIN:
        return Recommendation(**values)
    rec = object.__new__(Recommendation)
    state = rec.__dict__
    state.update(_DEFAULTS)
    for name, factory in _FACTORIES.items():
        if name not in values:
            state[name] = factory()
    state.update(values)
    return rec


def _recommend(candidate: Candidate, writer: Writer) -> Recommendation:
    firing = candidate.firing
    made = recipe(firing.rule, candidate.spec, writer.lang)
    subject, account, subject_id = firing.subject, writer.facts.account, candidate.subject_id
    values: dict[str, Any] = {
        "id": recommendation_id(writer.account_id, made.action, made.kind, subject_id, made.rule_id),
        "account_id": writer.account_id,
        "action": made.action,
        "subject_kind": made.kind,
        "subject_id": subject_id,
        "title": fill(made.title, subject, account),
        "rationale": made.rationale,
        "rule": made.rule_id,
        "priority": candidate.priority,
        "due": candidate.due,
        "owner_role": made.owner_role,
        "evidence": _evidence(made, firing, account),
        "body": fill(made.body, subject, account).strip() if made.body is not None else None,
        "account_name": writer.account_name,
    }
    if not _PLAIN:
        return Recommendation(**values)
    # made_directly without its keyword dict: the defaults, then this recommendation's fields (every factory's)
    rec = object.__new__(Recommendation)
    state = rec.__dict__
    state.update(_DEFAULTS)
    state.update(values)
    return rec


def _evidence(made: Recipe, firing: Firing, account: Record) -> dict[str, Any]:
    subject = firing.subject
    fields = {}
    for name, own in made.readers:
        value = subject.get(name) if own is None else account.get(own)
        fields[name] = value.isoformat() if isinstance(value, dt.date) else value
    evidence: dict[str, Any] = {made.id_key: str(subject["id"]), "fields": fields}
    if made.quantifiers:
        matches = firing.matches
        evidence["matched"] = {key: list(matches.get(index, ())) for key, index in made.quantifiers}
    return evidence
