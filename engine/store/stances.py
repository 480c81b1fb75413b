"""What a batch worker reads of the store: each contact's stance on the last night, so a drop is an event.

A snapshot may say ``previous_stance`` itself; when it does not, the stance the store recorded
for the contact on an earlier night stands in. Workers read the store read-only; one that
cannot (a Dask worker on another machine) goes without, and snapshots' own fields still work.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..model.snapshot import Snapshot

_LAST = "select contact_id, stance from stance_history where account_id = ? and as_of < ? order by contact_id, as_of"


class StanceHistory:
    """Earlier nights' stances, from the store at ``path`` (opened on first use, read-only)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._usable = Path(path).is_file()

    def fill(self, snapshot: Snapshot) -> Snapshot:
        """The snapshot with ``previous_stance`` set from the store where the snapshot left it out."""
        if not self._usable or all(c.previous_stance is not None for c in snapshot.contacts):
            return snapshot
        try:
            last = dict(self._connection().execute(_LAST, [snapshot.account.id, snapshot.as_of.isoformat()]))
        except sqlite3.Error:  # no store here, or not ours: go without, as a remote worker does
            self._usable = False
            return snapshot
        contacts = [
            c.model_copy(update={"previous_stance": last[c.id]}) if c.previous_stance is None and c.id in last else c
            for c in snapshot.contacts
        ]
        return snapshot.model_copy(update={"contacts": contacts})

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
