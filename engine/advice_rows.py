"""One account's advice in the store's row form: what a batch worker sends the writer."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, NamedTuple

from .recommendation import Recommendation
from .snapshot import Snapshot


class AccountAdvice(NamedTuple):
    """One account's advice as the store keeps it: small to pickle, nothing left to compute."""

    account_id: str
    as_of: str  # ISO date of the snapshot
    stances: tuple[tuple[str, int], ...]  # (contact id, stance) as the snapshot had them
    rows: tuple[tuple[Any, ...], ...]  # one per recommendation, columns in ``REC_COLUMNS`` order


#: A recommendation's own columns, in the order ``AccountAdvice.rows`` carries them.
REC_COLUMNS = (
    "id", "action", "subject_kind", "subject_id", "rule", "title", "rationale", "priority", "due", "owner_role",
    "evidence", "body",
)  # fmt: skip
ACTION, DUE = REC_COLUMNS.index("action"), REC_COLUMNS.index("due")


def account_advice(snapshot: Snapshot, recommendations: Iterable[Recommendation]) -> AccountAdvice:
    """The row form of one account's advice."""
    stances = tuple((contact.id, contact.stance) for contact in snapshot.contacts)
    return AccountAdvice(
        snapshot.account.id, snapshot.as_of.isoformat(), stances, tuple(map(_rec_row, recommendations))
    )


def _rec_row(r: Recommendation) -> tuple[Any, ...]:
    evidence = json.dumps(r.evidence, ensure_ascii=False, sort_keys=True)
    return (
        r.id, r.action, r.subject_kind, r.subject_id, r.rule, r.title, r.rationale, r.priority, r.due.isoformat(),
        r.owner_role, evidence, r.body,
    )  # fmt: skip
