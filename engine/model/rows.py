"""One account's advice in the store's row form: what a batch worker sends the writer."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any, NamedTuple

from .recommendation import COLUMNS, Recommendation
from .snapshot import Snapshot


class KeptSnapshot(NamedTuple):
    """An account's snapshot as the store keeps it, for the service's pages and access: its text and its team."""

    account_name: str | None
    tier: str
    as_of: str
    body: str  # the snapshot as JSON text
    team: tuple[tuple[str, str], ...]  # (member id, role)
    #: ``body_digest(body)``, worked out where the snapshot is made (a batch worker): the writer tells a snapshot it
    #: has already kept by this, without reading the kept text back. None: worked out when it is kept.
    digest: str | None = None


class AccountAdvice(NamedTuple):
    """One account's advice as the store keeps it: small to pickle, nothing left to compute."""

    account_id: str
    as_of: str  # ISO date of the snapshot
    stances: tuple[tuple[str, int], ...]  # (contact id, stance) as the snapshot had them
    rows: tuple[tuple[Any, ...], ...]  # one per recommendation: ``Recommendation.to_row``, in ``COLUMNS`` order
    kept: KeptSnapshot | None = None  # the snapshot to keep with the advice (a batch's); None: kept elsewhere


ID, ACTION, DUE = COLUMNS.index("id"), COLUMNS.index("action"), COLUMNS.index("due")


def account_advice(
    snapshot: Snapshot, recommendations: Iterable[Recommendation], kept: KeptSnapshot | None = None
) -> AccountAdvice:
    """The row form of one account's advice (with ``kept``, the snapshot to keep along with it)."""
    stances = tuple((contact.id, contact.stance) for contact in snapshot.contacts)
    return AccountAdvice(
        snapshot.account.id, snapshot.as_of.isoformat(), stances, tuple(r.to_row() for r in recommendations), kept
    )


def kept_snapshot(snapshot: Snapshot, data: Any = None) -> KeptSnapshot:
    """What the store keeps of a snapshot: ``data`` as received (the service), else the validated model's JSON."""
    body = json.dumps(data, ensure_ascii=False) if data is not None else snapshot.model_dump_json(exclude_none=True)
    team = tuple((member.id, member.role) for member in snapshot.team)
    account = snapshot.account
    return KeptSnapshot(account.name, account.tier, snapshot.as_of.isoformat(), body, team, body_digest(body))


def body_digest(body: str) -> str:
    """A kept snapshot's text as the store keeps its digest (SHA-256, hex): the same text, the same digest."""
    return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()
