"""Whether the store's file can be read now: what the service's liveness and readiness probes ask of the store."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

#: The tables every request reads; each must open from the file, not from a connection's cache.
_TABLES = ("runs", "recommendations", "snapshots", "account_team", "decisions", "tokens")


def file_trouble(path: Path) -> str | None:
    """What keeps the store at ``path`` from being read, or None. A fresh read-only connection reads the file
    itself (a pool's connections keep pages in their cache, so ``select 1`` answered 'ok' over an overwritten
    file): the header, the schema and the first page of each table. A full check reads every page: ``PRAGMA
    integrity_check`` on a copy, not on every probe."""
    if not path.is_file():
        return "the store's file is gone"
    try:
        uri = f"file:{path}?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=2, check_same_thread=False)) as conn:
            names = {row[0] for row in conn.execute("select name from sqlite_master where type = 'table'")}
            missing = [table for table in _TABLES if table not in names]
            if missing:
                return f"the store has no table {missing[0]}"
            for table in _TABLES:
                conn.execute(f"select * from {table} limit 1").fetchall()  # names from _TABLES, never a request
    except sqlite3.Error as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return None  # a writer holds it for a moment: the file is not damaged for that
        return f"the store cannot be read ({exc})"
    return None
