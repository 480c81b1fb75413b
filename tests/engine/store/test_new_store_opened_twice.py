"""Two processes opening a new store at the same moment (two ``serve`` instances started together) both get it."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from queue import Queue
from typing import Any

import sqlite_utils


def _open(path: Path, answers: Queue[str]) -> None:
    from kamengine.engine.store.store import Store

    try:
        Store(path).close()
        answers.put("ok")
    except Exception as exc:  # the test reports what a process met, whatever it is
        answers.put(f"{type(exc).__name__}: {exc}")


def test_two_processes_migrate_a_new_store_at_once(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    for trial in range(4):  # without the retry, 8 of 12 such pairs had one fail
        answers = context.Queue()
        path = tmp_path / f"k{trial}.db"
        processes = [context.Process(target=_open, args=(path, answers)) for _ in range(2)]
        for process in processes:
            process.start()
        for process in processes:
            process.join(60)
        assert sorted(answers.get(timeout=5) for _ in processes) == ["ok", "ok"]


def test_a_migration_the_other_process_recorded_meanwhile_is_not_an_error(tmp_path: Path, monkeypatch: Any) -> None:
    """m014 runs twice without an error of its own (``drop trigger if exists``, then the same triggers): a process
    that read it as pending before the other recorded it meets the record's UNIQUE constraint, and looks again."""
    import sqlite3

    from kamengine.engine.store import store_file
    from kamengine.engine.store.store import Store

    path = tmp_path / "k.db"
    Store(path).close()
    real_pending = store_file.migrations.pending
    stale = [m for m in store_file.migrations._migrations if m.name == "m014_summary_triggers_lean"]
    assert stale, "the test needs a migration whose statements run twice without an error"
    seen: list[int] = []

    def pending_as_read_before_the_other_wrote(db: Any) -> list[Any]:
        seen.append(1)  # _migrate's count and apply's own look see it pending; a look after the error does not
        return stale if len(seen) <= 2 else real_pending(db)

    monkeypatch.setattr(store_file.migrations, "pending", pending_as_read_before_the_other_wrote)
    Store(path).close()
    assert len(seen) >= 3
    names = [row[0] for row in sqlite3.connect(path).execute("select name from _sqlite_migrations")]
    assert names.count("m014_summary_triggers_lean") == 1


def test_the_record_table_made_meanwhile_by_the_other_process_is_not_an_error(tmp_path: Path, monkeypatch: Any) -> None:
    """Both found no ``_sqlite_migrations``; the other made it first: this one's create fails, and it looks again."""
    import sqlite3

    from kamengine.engine.store import store_file
    from kamengine.engine.store.store import Store

    path = tmp_path / "k.db"
    real_ensure = store_file.migrations.ensure_migrations_table
    raced: list[int] = []

    def the_other_made_it_first(db: Any) -> None:
        if not raced:
            raced.append(1)
            other = sqlite_utils.Database(sqlite3.connect(path))
            real_ensure(other)  # the other process, between this one's look and its create
            other.conn.commit()
            other.close()
            db.execute("create table _sqlite_migrations (id integer)")  # this one's create, as it found none
        real_ensure(db)

    monkeypatch.setattr(store_file.migrations, "ensure_migrations_table", the_other_made_it_first)
    Store(path).close()
    assert raced
    assert not store_file.migrations.pending(sqlite_utils.Database(path))
