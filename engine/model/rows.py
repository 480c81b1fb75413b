"""One account's advice in the store's row form: what a batch worker sends the writer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from .recommendation import COLUMNS, Recommendation
from .snapshot import Snapshot


class AccountAdvice(NamedTuple):
    """One account's advice as the store keeps it: small to pickle, nothing left to compute."""

    account_id: str
    as_of: str  # ISO date of the snapshot
    stances: tuple[tuple[str, int], ...]  # (contact id, stance) as the snapshot had them
    rows: tuple[tuple[Any, ...], ...]  # one per recommendation: ``Recommendation.to_row``, in ``COLUMNS`` order


ID, ACTION, DUE = COLUMNS.index("id"), COLUMNS.index("action"), COLUMNS.index("due")


def account_advice(snapshot: Snapshot, recommendations: Iterable[Recommendation]) -> AccountAdvice:
    """The row form of one account's advice."""
    stances = tuple((contact.id, contact.stance) for contact in snapshot.contacts)
    return AccountAdvice(
        snapshot.account.id, snapshot.as_of.isoformat(), stances, tuple(r.to_row() for r in recommendations)
    )
