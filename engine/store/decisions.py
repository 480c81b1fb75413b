"""The decision log: every evaluation the service made, with its id, the playbook revision and the account."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..playbooks.playbook import Playbook
from .store import Store


def revision(playbooks: Iterable[Playbook]) -> str:
    """The playbooks' revision: a hash of their files' texts and the parameter values in force.

    Two servers with the same revision give the same advice for the same snapshot; a changed
    rule file or ``--param`` changes it.
    """
    digest = hashlib.sha256()
    for playbook in sorted(playbooks, key=lambda p: p.id):
        digest.update(playbook.id.encode())
        try:
            digest.update(Path(playbook.source).read_bytes())
        except OSError:  # a playbook not from a file (built in code): its id and values stand for it
            digest.update(playbook.source.encode())
        digest.update(json.dumps(dict(playbook.values), sort_keys=True, default=str).encode())
    return digest.hexdigest()[:16]


def immediate(store: Store) -> contextlib.AbstractContextManager[None]:
    """A write transaction that takes the store's write lock first, waiting up to its busy timeout; a savepoint
    inside a transaction already open (``Store.writing``: every write of the store begins this way)."""
    return store.writing()


def log_decision(
    store: Store,
    kind: str,
    account_id: str,
    revision: str,
    principal: str,
    body: bytes,
    recommendation_ids: Sequence[str],
    run_id: str | None = None,
) -> str:
    """Record one evaluation; returns its id (``dec-...``). Inside the caller's transaction if one is open."""
    decision_id = f"dec-{uuid.uuid4().hex[:20]}"
    with immediate(store):
        store.db.table("decisions").insert(
            {
                "id": decision_id,
                "at": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
                "kind": kind,
                "account_id": account_id,
                "revision": revision,
                "principal": principal,
                "input_sha256": hashlib.sha256(body).hexdigest(),
                "run_id": run_id,
                "recommendations": json.dumps(list(recommendation_ids)),
            }
        )
    return decision_id


def decisions(
    store: Store, accounts: Iterable[str] | None = None, limit: int = 100, principal: str | None = None
) -> list[dict[str, Any]]:
    """The latest decisions, newest first; only those of ``accounts`` when given, and ``principal``'s own."""
    if accounts is None:
        rows = store.db.execute("select * from decisions order by rowid desc limit ?", [limit])
    else:
        wanted = list(accounts)
        marks = ", ".join("?" for _ in wanted) or "null"
        query = f"select * from decisions where account_id in ({marks}) or principal = ? order by rowid desc limit ?"
        rows = store.db.execute(query, [*wanted, principal, limit])
    columns = [c[0] for c in rows.description]
    found = [dict(zip(columns, row, strict=True)) for row in rows]
    return [{**row, "recommendations": json.loads(row["recommendations"])} for row in found]


def prune_decisions(store: Store, keep_days: int, today: dt.date | None = None) -> int:
    """Remove the decision log's entries older than ``keep_days`` days ([retention] decision_log_days); how many."""
    cutoff = (today or dt.datetime.now(dt.UTC).date()) - dt.timedelta(days=keep_days)
    with store.writing():
        return store.db.execute("delete from decisions where at < ?", [cutoff.isoformat()]).rowcount


class Pruning:
    """Prunes the decision log at most once per ``every`` seconds (the service logs on many requests a second)."""

    def __init__(self, keep_days: int, every: float = 3600.0) -> None:
        self.keep_days, self.every = keep_days, every
        self._last: float | None = None
        self._lock = threading.Lock()

    def due(self) -> bool:
        """Whether it is time to prune again (claims the turn: only one caller gets True)."""
        with self._lock:
            now = time.monotonic()
            if self._last is not None and now - self._last < self.every:
                return False
            self._last = now
            return True
