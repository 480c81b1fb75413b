"""Many rows per statement: an account's new advice in one INSERT, its runs in one UPDATE, not a statement a row.

A table with triggers costs SQLite a statement journal and the triggers' set-up per statement it runs, whatever the
triggers' conditions say (``recommendations`` has the summary's, ``summaries.py``): an ``executemany`` of 30 rows
runs the statement 30 times. One multi-row statement pays that once (Store.apply, 600 accounts x 32 rows: the
insert 0.81 -> 0.61 ms an account with one trigger, 0.48 without any). The rows go in chunks that stay within the
999 parameters older SQLite builds take; each size's text is made once (the driver caches the prepared statement).
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Sequence
from itertools import chain
from typing import Any

#: The most parameters one statement binds (SQLite before 3.32 takes 999).
_PARAMETERS = 999


def insert_rows(conn: sqlite3.Connection, head: str, rows: Sequence[tuple[Any, ...]], tail: str = "") -> None:
    """``rows`` (all of one width) inserted by ``head`` (``insert into T (columns)``) and ``tail`` (an upsert
    clause, if any), as few statements as fit."""
    if not rows:
        return
    width = len(rows[0])
    step = max(1, _PARAMETERS // width)
    for start in range(0, len(rows), step):
        chunk = rows[start : start + step]
        conn.execute(_values(head, width, len(chunk), tail), list(chain.from_iterable(chunk)))


def update_where_in(conn: sqlite3.Connection, head: str, values: Sequence[Any], ids: Sequence[str]) -> None:
    """``head`` (``update T set a = ?, b = ?``) with ``values``, on the rows whose ``id`` is one of ``ids``."""
    step = _PARAMETERS - len(values)
    for start in range(0, len(ids), step):
        chunk = ids[start : start + step]
        conn.execute(_where_in(head, len(chunk)), [*values, *chunk])


@functools.cache
def _values(head: str, width: int, count: int, tail: str) -> str:
    one = "(" + ", ".join("?" * width) + ")"
    return f"{head} values {', '.join([one] * count)}{tail}"


@functools.cache
def _where_in(head: str, count: int) -> str:
    return f"{head} where id in ({', '.join('?' * count)})"
