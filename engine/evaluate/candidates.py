"""A rule's action for one subject before it is a recommendation: what ranking decides on, made into a
``Recommendation`` (title, rationale, evidence) only when one is kept or someone reads a held-back one."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import MISSING, fields
from typing import Any

from ..model.i18n import pick
from ..model.recommendation import Recommendation, Suppressed, recommendation_id
from ..playbooks.conditions import ACCOUNT_PREFIX
from ..playbooks.playbook import ActionSpec
from ..playbooks.templates import render
from .compliance import Offer
from .facts import Facts, Record
from .firing import Firing


class Writer:
    """What every recommendation of one account shares: its facts, its fields for titles, the language."""

    __slots__ = ("account_id", "account_name", "facts", "lang")

    def __init__(self, facts: Facts, lang: str) -> None:
        self.facts, self.lang = facts, lang
        self.account_id, self.account_name = str(facts.account["id"]), str(facts.account["name"])


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
        self.due = writer.facts.as_of + dt.timedelta(days=spec.due_in_days)
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
#: Whether a recommendation is its fields and nothing more (no ``__post_init__`` to run, no slots).
_PLAIN = not hasattr(Recommendation, "__post_init__") and not hasattr(Recommendation, "__slots__")


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
    firing, spec = candidate.firing, candidate.spec
    rule, subject = firing.rule, firing.subject
    values = _Fields(subject, writer.facts.account)
    return made_directly(
        id=recommendation_id(writer.account_id, spec.action, rule.subject, candidate.subject_id, rule.qualified_id),
        account_id=writer.account_id,
        action=spec.action,
        subject_kind=rule.subject,
        subject_id=candidate.subject_id,
        title=render(pick(spec.title, writer.lang), values),
        rationale=one_line(pick(rule.rationale, writer.lang)),
        rule=rule.qualified_id,
        priority=candidate.priority,
        due=candidate.due,
        owner_role=spec.owner_role,
        evidence=_evidence(firing, writer.facts),
        body=render(pick(spec.body, writer.lang), values).strip() if spec.body else None,
        account_name=writer.account_name,
    )


class _Fields:
    """What a title placeholder reads: a subject field, or ``account.<field>`` (no merged copy:
    a title reads one or two fields)."""

    __slots__ = ("account", "subject")

    def __init__(self, subject: Record, account: Record) -> None:
        self.subject, self.account = subject, account

    def get(self, name: str) -> Any:
        return (
            self.account.get(name[len(ACCOUNT_PREFIX) :]) if name.startswith(ACCOUNT_PREFIX) else self.subject.get(name)
        )


@functools.lru_cache(maxsize=1024)
def one_line(text: str) -> str:
    """A rationale as one line: its whitespace runs made single spaces."""
    return " ".join(text.split())


def _evidence(firing: Firing, facts: Facts) -> dict[str, Any]:
    subject, account = firing.subject, facts.account
    evidence: dict[str, Any] = {
        f"{firing.rule.subject}_id": str(subject["id"]),
        "fields": {
            name: _json(subject.get(name) if own is None else account.get(own))
            for name, own in _readers(firing.rule.tested_fields)
        },
    }
    quantifiers = firing.rule.quantifiers
    if quantifiers:
        evidence["matched"] = {
            f"{q.quantifier} {q.collection}": list(firing.matches.get(q.index, ())) for q in quantifiers
        }
    return evidence


@functools.lru_cache(maxsize=1024)
def _readers(tested: tuple[str, ...]) -> tuple[tuple[str, str | None], ...]:
    """Each tested field with the account's field it reads (None: the subject's own), as ``field_value`` reads
    it: worked out once per rule, not for every recommendation."""
    return tuple((name, name[len(ACCOUNT_PREFIX) :] if name.startswith(ACCOUNT_PREFIX) else None) for name in tested)


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value
