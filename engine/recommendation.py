"""The recommendation record of ``contract.md`` section 2, and its JSON form."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any


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
        return document


@dataclass(frozen=True)
class Suppressed:
    """A recommendation a rule made that a cooldown, a compliance veto or a duplicate removed."""

    recommendation: Recommendation
    reason: str  # compliance | cooldown | duplicate | exclusive | cap
    detail: str


def recommendation_id(account_id: str, action: str, subject_kind: str, subject_id: str, rule: str) -> str:
    """Stable across runs: the same account, action, subject and rule give the same id."""
    text = "\x1f".join((account_id, action, subject_kind, subject_id, rule))
    return "rec-" + hashlib.sha256(text.encode()).hexdigest()[:16]
