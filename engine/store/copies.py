"""Copies of a store for a what-if: made with SQLite's backup (consistent while others write), marked as copies.

``batch --allow-backdate`` writes runs dated as the user likes, so it writes only into a store
that says it is a copy: the ``store_copy`` table this module writes into the copy (never into
the live store, whose schema has no such table).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from pathlib import Path

from .store import Store
from .store_file import StoreError


def copy_store(live: Store, target: Path) -> None:
    """Copy ``live`` into ``target`` (a new file) and mark it as a copy of it."""
    if target.exists():
        raise StoreError(f"{target} exists: a copy goes into a new file (remove it, or name another)")
    try:
        with contextlib.closing(sqlite3.connect(target)) as copy:
            live.db.conn.backup(copy)  # page by page, a consistent picture even while others write
            copy.execute("create table store_copy (copied_from text, copied_at text)")
            copy.execute(
                "insert into store_copy values (?, ?)",
                [str(live.path), dt.datetime.now(dt.UTC).isoformat(timespec="seconds")],
            )
            copy.commit()
    except sqlite3.Error as exc:
        target.unlink(missing_ok=True)
        raise StoreError(f"{target}: cannot copy the store there ({exc})") from None


def copied_from(store: Store) -> str | None:
    """The store ``store`` is a copy of, or None if it is not a copy (a live store)."""
    found = store.db.execute("select name from sqlite_master where type = 'table' and name = 'store_copy'").fetchone()
    if found is None:
        return None
    row = store.db.execute("select copied_from from store_copy").fetchone()
    return str(row[0]) if row else None
