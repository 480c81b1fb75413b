"""The store's write transactions: each takes SQLite's write lock first (BEGIN IMMEDIATE) and waits its turn for it."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator

#: The longest pause between two tries for the write lock (each try itself waits the busy timeout).
LONGEST_PAUSE = 2.0


def is_busy(exc: sqlite3.Error) -> bool:
    """Whether SQLite refused because another connection holds the store (busy, locked)."""
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def begin_immediate(
    conn: sqlite3.Connection, patience: float = 0.0, sleep: Callable[[float], None] = time.sleep
) -> None:
    """``begin immediate`` on ``conn``, tried again with a growing pause while the store stays busy for ``patience``
    seconds in all; then SQLite's busy error is raised.

    A deferred transaction (SQLite's default) asks for the write lock only at its first write: in WAL
    mode, one that has read first fails at once, without waiting, when another connection committed
    meanwhile (SQLITE_BUSY_SNAPSHOT: the busy timeout cannot help). Taking the lock first makes every
    writer queue for it. A try that fails has begun nothing, so trying again is always safe.
    """
    started, pause = time.monotonic(), 0.05
    while True:
        try:
            conn.execute("begin immediate")
            return
        except sqlite3.OperationalError as exc:
            if not is_busy(exc) or time.monotonic() - started + pause > patience:
                raise
        sleep(pause)
        pause = min(pause * 2, LONGEST_PAUSE)


@contextlib.contextmanager
def immediate(conn: sqlite3.Connection, patience: float = 0.0) -> Iterator[None]:
    """A write transaction that takes the write lock first (``begin_immediate``); a savepoint inside a transaction
    already open (its writer holds the lock already, or will take it at its first write)."""
    if conn.in_transaction:
        conn.execute("savepoint kamengine_nested")
        try:
            yield
        except BaseException:
            if conn.in_transaction:  # an error may have ended the whole transaction already
                conn.execute("rollback to kamengine_nested")
                conn.execute("release kamengine_nested")
            raise
        conn.execute("release kamengine_nested")
        return
    begin_immediate(conn, patience)
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("rollback")
        raise
    conn.execute("commit")
