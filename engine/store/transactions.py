"""The store's write transactions: each takes SQLite's write lock first (BEGIN IMMEDIATE) and waits its turn for it."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from . import store_file

#: The longest pause between two tries for the write lock. SQLite's own busy handler backs off to 100 ms
#: between tries, so a writer that had waited a while missed the few milliseconds the nightly batch leaves
#: between two groups of accounts; trying every few milliseconds takes its turn in that gap, and knocking
#: (``knock``) has the batch leave one after the account it is writing. benchmarks/shared_store_bench.py,
#: 8 people deciding through the service during a night of 1,000 accounts: p99 2.1-3.3 s before, 0.3 s after.
LONGEST_PAUSE = 0.005


def is_busy(exc: sqlite3.Error) -> bool:
    """Whether SQLite refused because another connection holds the store (busy, locked)."""
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def knocks_of(path: Path) -> Path:
    """The file a writer waiting for the store at ``path`` touches (``knock``), beside it."""
    return path.with_name(path.name + "-knock")


def knock(knocks: Path) -> None:
    """Say that a writer waits for the store: a nightly batch's group that sees it commits after its account."""
    with contextlib.suppress(OSError):  # a folder we cannot write to: the batch's group ends on time anyway
        knocks.touch()


def knocked_since(knocks: Path, since: float) -> bool:
    """Whether a writer knocked after ``since`` (a ``time.time()``)."""
    try:
        return knocks.stat().st_mtime >= since
    except OSError:
        return False


def begin_immediate(
    conn: sqlite3.Connection,
    patience: float = 0.0,
    sleep: Callable[[float], None] = time.sleep,
    knocks: Path | None = None,
) -> None:
    """``begin immediate`` on ``conn``, tried every few milliseconds while the store is busy, for ``patience``
    seconds or the store's busy timeout (``store_file.BUSY_SECONDS``), whichever is longer; then SQLite's busy
    error is raised. While it waits it knocks on ``knocks`` (every tenth of a second), if given.

    A deferred transaction (SQLite's default) asks for the write lock only at its first write: in WAL
    mode, one that has read first fails at once, without waiting, when another connection committed
    meanwhile (SQLITE_BUSY_SNAPSHOT: the busy timeout cannot help). Taking the lock first makes every
    writer queue for it. A try that fails has begun nothing, so trying again is always safe.
    """
    deadline, pause = time.monotonic() + max(patience, store_file.BUSY_SECONDS), 0.0005
    (timeout,) = conn.execute("pragma busy_timeout").fetchone()
    conn.execute("pragma busy_timeout = 0")  # the tries below wait instead of SQLite's backing-off handler
    knocked = 0.0
    try:
        while True:
            try:
                conn.execute("begin immediate")
                return
            except sqlite3.OperationalError as exc:
                if not is_busy(exc) or time.monotonic() + pause > deadline:
                    raise
            if knocks is not None and time.monotonic() - knocked >= 0.1:
                knock(knocks)
                knocked = time.monotonic()
            sleep(pause)
            pause = min(pause * 2, LONGEST_PAUSE)
    finally:
        conn.execute(f"pragma busy_timeout = {int(timeout)}")


@contextlib.contextmanager
def immediate(conn: sqlite3.Connection, patience: float = 0.0, knocks: Path | None = None) -> Iterator[None]:
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
    begin_immediate(conn, patience, knocks=knocks)
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("rollback")
        raise
    conn.execute("commit")
