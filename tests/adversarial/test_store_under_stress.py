"""The store under stress: another writer, a damaged file, people's decisions in the wrong order."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from kamengine.cli import main
from kamengine.engine.store import store_file as files
from kamengine.engine.store.store_file import trouble
from support import REPO

EXAMPLE = REPO / "examples" / "acme-telecom.yaml"


def _kamengine(*args: str) -> Result:
    return CliRunner().invoke(main, ["--config", "/dev/null", *args])


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "k.db"
    assert _kamengine("batch", "--source", f"file:{EXAMPLE}", "--db", str(path), "--workers", "1").exit_code == 0
    return path


def _first(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return str(conn.execute("select id from recommendations order by id").fetchone()[0])


def test_a_second_writer_waits_then_says_which_batch_holds_the_store(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "BUSY_SECONDS", 0.5)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute(
        "insert into runs (id, started_at, source, status) values ('run-busy', '2026-11-25', 'x', 'running')"
    )
    holder.execute("begin immediate")  # what a batch does while it commits a group of accounts
    try:
        result = _kamengine("recs", "done", _first(db), "--reason", "met", "--db", str(db))
        again = _kamengine("batch", "--source", f"file:{EXAMPLE}", "--db", str(db), "--workers", "1")
    finally:
        holder.execute("rollback")
        holder.close()
    for attempt in (result, again):
        assert attempt.exit_code == 1
        assert "the store is busy: a batch is running (run run-busy); try again when it has finished" in attempt.stderr
        assert "Traceback" not in attempt.output


def test_a_damaged_store_is_one_line(db: Path) -> None:
    data = bytearray(db.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)
    db.write_bytes(bytes(data))
    db.with_name("k.db-wal").unlink(missing_ok=True)
    result = _kamengine("recs", "list", "--db", str(db))
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("error", "said"),
    [
        ("database or disk is full", "the store's disk is full"),
        ("attempt to write a readonly database", "the store is read-only"),
        ("database disk image is malformed", "the store cannot be used"),
    ],
)
def test_what_sqlite_says_becomes_one_line_naming_the_store(error: str, said: str) -> None:
    message = trouble(sqlite3.OperationalError(error), Path("/data/k.db"))
    assert message.startswith(said) and "/data/k.db" in message and "\n" not in message


def test_done_is_final_until_reopened_and_saying_it_twice_changes_nothing(db: Path) -> None:
    rec = _first(db)
    first = _kamengine("recs", "done", rec, "--reason", "met", "--db", str(db), "--by", "li.wei")
    assert first.exit_code == 0
    history = "select count(*) from status_history where recommendation_id = ?"
    with sqlite3.connect(db) as conn:
        (at,) = conn.execute("select status_at from recommendations where id = ?", [rec]).fetchone()
        before = conn.execute(history, [rec]).fetchone()
    assert _kamengine("recs", "done", rec, "--reason", "again", "--db", str(db)).exit_code == 0
    with sqlite3.connect(db) as conn:  # the cooldown counts from the first done
        assert conn.execute("select status_at from recommendations where id = ?", [rec]).fetchone() == (at,)
        assert conn.execute(history, [rec]).fetchone() == before
    accepted = _kamengine("recs", "accept", rec, "--reason", "oops", "--db", str(db))
    assert (
        accepted.exit_code == 1 and f"{rec} is done; reopen it first (kamengine recs reopen {rec})" in accepted.stderr
    )
    reopened = _kamengine("recs", "reopen", rec, "--reason", "done by mistake", "--db", str(db))
    assert reopened.exit_code == 0 and reopened.stdout.startswith(f"{rec}: open")
    assert _kamengine("recs", "accept", rec, "--reason", "now", "--db", str(db)).exit_code == 0
