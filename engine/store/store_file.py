"""The store's file: where it lives, opening it, and what can go wrong with it (busy, full, read-only, damaged)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from pathlib import Path

import sqlite_utils

from ..errors import KamengineError
from .schema import migrations


class StoreError(KamengineError):
    """A lifecycle command named an unknown recommendation or an impossible change."""


#: How long a command waits for another one writing to the store (a batch commits every few
#: hundred accounts) before it says the store is busy.
BUSY_SECONDS = 30.0


def default_db_path() -> Path:
    """``$KAMENGINE_HOME/kamengine.db`` (``~/.kamengine`` by default)."""
    home = Path(os.environ.get("KAMENGINE_HOME") or Path.home() / ".kamengine")
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"KAMENGINE_HOME {home}: cannot be the store's directory ({exc.strerror})") from None
    return home / "kamengine.db"


def trouble(exc: sqlite3.Error, path: Path | None) -> str:
    """One line for what went wrong with the store: busy, full, read-only or damaged."""
    text, where = str(exc).lower(), path or "the store"
    if "locked" in text or "busy" in text:
        return f"the store is busy: {_writer(path)}; try again when it has finished ({where})"
    if "full" in text:
        return f"the store's disk is full ({where}): nothing half-written was kept; free some space and run again"
    if "readonly" in text or "read-only" in text:
        return f"the store is read-only ({where}): kamengine needs to write to it"
    return f"the store cannot be used ({where}): {exc}; restore it from a backup or move it away"


def _writer(path: Path | None) -> str:
    """Who holds the store: the batch run still running, if the store can tell."""
    if path is None:
        return "another kamengine command is writing to it"
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)) as conn:
            row = conn.execute("select id from runs where status = 'running' order by started_at desc").fetchone()
    except sqlite3.Error:
        row = None
    return f"a batch is running (run {row[0]})" if row else "another kamengine command is writing to it"


def open_database(path: Path) -> sqlite_utils.Database:
    """The store at ``path``, tuned and migrated to the current schema."""
    try:
        # The service lends a connection to one request at a time, from whichever thread serves it.
        db = sqlite_utils.Database(sqlite3.connect(path, check_same_thread=False))
        db.execute(f"pragma busy_timeout = {int(BUSY_SECONDS * 1000)}")
        db.execute("pragma journal_mode = wal")
        # WAL with synchronous=NORMAL: a crash of kamengine loses nothing committed; a
        # power cut may lose the last accounts, which --resume then evaluates again.
        db.execute("pragma synchronous = normal")
        # Recommendation ids are hashes, so a run touches index pages all over the file; a
        # 32 MiB page cache (the default is 2 MiB) keeps them: a third less write time at
        # 20,000 accounts.
        db.execute("pragma cache_size = -32768")
        _migrate(db)
    except sqlite3.Error as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise StoreError(trouble(exc, path)) from None
        raise StoreError(f"{path}: cannot use as the kamengine store ({exc})") from None
    return db


def _migrate(db: sqlite_utils.Database) -> None:
    """Apply the pending migrations. Two processes opening a new store at once (two ``serve`` instances) meet here:
    SQLite answers busy at once, without waiting, to a migration that read before the other wrote, and the other may
    have applied it meanwhile (``table already exists``; or, for a migration whose statements may run twice, such as
    ``drop trigger if exists``, its record already written: a UNIQUE constraint on ``_sqlite_migrations``; or, first
    of all, the record table itself, created by the other one after this one found none): look again at what is
    pending, for up to the busy timeout. An error with nothing moved on is the store's own, at once."""
    deadline = time.monotonic() + BUSY_SECONDS
    while True:
        before = _progress(db)
        try:
            migrations.apply(db)
            return
        except (sqlite3.OperationalError, sqlite3.IntegrityError) as exc:
            with contextlib.suppress(sqlite3.Error):
                db.conn.rollback()
            busy = "locked" in str(exc) or "busy" in str(exc)
            moved_on = _progress(db) != before  # the other process applied some, or made the record table
            if not (busy or moved_on) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _progress(db: sqlite_utils.Database) -> tuple[bool, int]:
    """How far the store's migrations are: whether their record table exists, and how many are pending."""
    return db[migrations.migrations_table].exists(), len(migrations.pending(db))
