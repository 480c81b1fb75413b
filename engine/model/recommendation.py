"""The recommendation record of the contract (docs/recommendations.md): its JSON form and its row form.

These two are the only serialisations of a recommendation: ``to_dict`` is the JSON document
that ``advise --format json``, the webhook and ``recs list --format json`` give; ``to_row``
is the flat form (evidence as JSON text) that the store, CSV and the sqlite emitter keep,
and ``from_row`` reads it back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple


@dataclass(frozen=True)
class Owner:
    """The team member who should act."""

    id: str
    name: str
    role: str  # AR | SR | FR | AD
    email: str | None = None  # where a calendar invitation reaches them (the team entry's ``email``)

    def to_dict(self) -> dict[str, str]:
        document = {"id": self.id, "name": self.name, "role": self.role}
        if self.email is not None:  # only when set: the contract's owner has three keys otherwise
            document["email"] = self.email
        return document


class Row(NamedTuple):
    """The flat form with names: ``Row._make(recommendation.to_row())``."""

    id: str
    account_id: str
    action: str
    subject_kind: str
    subject_id: str
    rule: str
    title: str
    rationale: str
    priority: float
    due: str  # ISO date
    owner_role: str
    evidence: str  # JSON text
    body: str | None
    owner_id: str | None
    owner_name: str | None
    approach: str | None
    opportunity_id: str | None
    compliance: str | None
    account_name: str | None
    attendees: str | None  # JSON text: the colleagues who come along, [{id, name, role}]; None: nobody


#: The flat columns of a recommendation, in the order ``to_row`` gives them.
COLUMNS: tuple[str, ...] = Row._fields


@dataclass(frozen=True)
class Recommendation:
    """One ranked, explained, owned action for one subject of one account."""

    id: str
    account_id: str
    action: str
    subject_kind: str
    subject_id: str
    title: str
    rationale: str
    rule: str
    priority: float
    due: dt.date
    owner_role: str
    evidence: dict[str, Any] = field(default_factory=dict)
    body: str | None = None  # a longer text some actions carry, e.g. a drafted open letter
    owner: Owner | None = None  # who should act (the plan's choice); None: nobody on the team can
    approach: str | None = None  # id shared by the recommendations one meeting carries; the lead first
    opportunity_id: str | None = None  # the deal it serves, when it serves one
    compliance: str | None = None  # a note when a compliance rule shaped it
    account_name: str | None = None  # the company, for people and calendars that do not know the id
    attendees: tuple[Owner, ...] = ()  # the colleagues the occasion brings along besides its owner (the SR, the FR)

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON shape (``body`` only when there is one: fields are only added)."""
        document = {
            "id": self.id,
            "account_id": self.account_id,
            "action": self.action,
            "subject": {"kind": self.subject_kind, "id": self.subject_id},
            "title": self.title,
            "rationale": self.rationale,
            "rule": self.rule,
            "priority": self.priority,
            "due": self.due.isoformat(),
            "owner_role": self.owner_role,
            "evidence": self.evidence,
        }
        if self.body is not None:
            document["body"] = self.body
        document["owner"] = self.owner.to_dict() if self.owner else None
        document["approach"] = self.approach
        document["opportunity_id"] = self.opportunity_id
        document["compliance"] = self.compliance
        document["account_name"] = self.account_name
        document["attendees"] = [attendee.to_dict() for attendee in self.attendees]
        return document

    def to_row(self) -> tuple[Any, ...]:
        """The flat form, values in ``COLUMNS`` order: dates as ISO text, evidence as JSON text.

        A plain tuple (a ``Row`` pickles several times larger on its way from a batch worker).
        """
        return (
            self.id, self.account_id, self.action, self.subject_kind, self.subject_id, self.rule, self.title,
            self.rationale, self.priority, self.due.isoformat(), self.owner_role, evidence_json(self.evidence),
            self.body, self.owner.id if self.owner else None, self.owner.name if self.owner else None, self.approach,
            self.opportunity_id, self.compliance, self.account_name, attendees_json(self.attendees),
        )  # fmt: skip

    def row_dict(self) -> dict[str, Any]:
        """``to_row`` keyed by column name."""
        return dict(zip(COLUMNS, self.to_row(), strict=True))

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Recommendation:
        """A recommendation from its flat form (a store row, say); other keys are ignored."""
        return cls(
            id=row["id"], account_id=row["account_id"], action=row["action"], subject_kind=row["subject_kind"],
            subject_id=row["subject_id"], title=row["title"], rationale=row["rationale"], rule=row["rule"],
            priority=row["priority"], due=dt.date.fromisoformat(row["due"]), owner_role=row["owner_role"],
            evidence=json.loads(row["evidence"]) if row["evidence"] else {}, body=row["body"],
            owner=Owner(row["owner_id"], row["owner_name"] or "", row["owner_role"]) if row.get("owner_id") else None,
            approach=row.get("approach"), opportunity_id=row.get("opportunity_id"), compliance=row.get("compliance"),
            account_name=row.get("account_name"), attendees=attendees_from_json(row.get("attendees")),
        )  # fmt: skip


def evidence_json(evidence: Mapping[str, Any]) -> str:
    """Evidence as the text the flat form keeps: keys sorted, so equal evidence is equal text."""
    return json.dumps(evidence, ensure_ascii=False, sort_keys=True)


def attendees_json(attendees: tuple[Owner, ...]) -> str | None:
    """Attendees as the flat form keeps them: JSON text, or None when nobody comes along."""
    if not attendees:
        return None
    return json.dumps([a.to_dict() for a in attendees], ensure_ascii=False)


def attendees_from_json(text: str | None) -> tuple[Owner, ...]:
    """The attendees of ``attendees_json`` (a row without the column has none)."""
    if not text:
        return ()
    return tuple(Owner(a["id"], a["name"], a["role"], a.get("email")) for a in json.loads(text))


class Note(NamedTuple):  # a tuple: dozens per account, made on the plan's hot path
    """One thing the plan decided about a recommendation (its owner, its approach, its date), for explain."""

    recommendation: Recommendation
    text: str


@dataclass(frozen=True)
class Suppressed:
    """A recommendation a rule made that a cooldown, a compliance veto or a duplicate removed."""

    recommendation: Recommendation
    reason: str  # compliance | cooldown | duplicate | exclusive | staffing | timing | approach | cap
    detail: str


def recommendation_id(account_id: str, action: str, subject_kind: str, subject_id: str, rule: str) -> str:
    """Stable across runs: the same account, action, subject and rule give the same id."""
    text = "\x1f".join((account_id, action, subject_kind, subject_id, rule))
    return "rec-" + hashlib.sha256(text.encode()).hexdigest()[:16]
