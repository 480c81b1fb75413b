"""benchmarks/compare_stores.py finds every difference of two stores but run ids, clocks and write order."""

from __future__ import annotations

import importlib.util
import sqlite3
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "compare_stores.py"
SCHEMA = (
    "create table runs (id text primary key, started_at text, revision text)",
    "create table recommendations (id text primary key, status text, status_at text, last_run text, evidence text)",
    "create table status_history (id integer primary key, recommendation_id text, status text, at text, run_id text)",
)


@pytest.fixture(scope="module")
def compare() -> ModuleType:
    spec = importlib.util.spec_from_file_location("compare_stores", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["compare_stores"] = module
    spec.loader.exec_module(module)
    return module


def store(path: Path, clock: str, reverse: bool = False, status: str = "open", extra: bool = False) -> Path:
    """A small store two runs wrote; ``clock`` makes its run ids and timestamps, ``reverse`` its write order."""
    runs = [f"run-20261207T{clock}0{n}000000Z" for n in (1, 2)]
    history = [("rec-a", "open", runs[0]), ("rec-b", "open", runs[0]), ("rec-b", "resolved", runs[1])]
    history += [("rec-a", "done", runs[1])] if extra else []
    with sqlite3.connect(path) as conn:
        for statement in SCHEMA:
            conn.execute(statement)
        conn.executemany("insert into runs values (?, ?, 'r1')", [(r, f"2026-12-07T{clock}:00") for r in runs])
        conn.executemany(
            "insert into recommendations values (?, ?, ?, ?, ?)",
            [("rec-a", status, clock, runs[1], f'{{"seen": "{runs[0]}"}}'), ("rec-b", "resolved", clock, runs[1], "")],
        )
        conn.executemany(
            "insert into status_history (recommendation_id, status, at, run_id) values (?, ?, ?, ?)",
            [(rec, state, clock, run) for rec, state, run in (history[::-1] if reverse else history)],
        )
    return path


def test_run_ids_clocks_and_write_order_are_not_differences(
    compare: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = store(tmp_path / "before.db", "10")
    after = store(tmp_path / "after.db", "11", reverse=True)
    with sqlite3.connect(after) as conn:
        conn.execute("create table account_summary (account_id text primary key)")
    assert compare.report(before, after)
    out = capsys.readouterr().out
    assert out.rstrip().endswith("identical")
    assert "account_summary: only in after.db, not compared" in out
    assert "status_history: 3 / 3 rows, 3 columns, as whole rows: same" in out


def test_a_changed_value_and_an_extra_row_are_reported(
    compare: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = store(tmp_path / "before.db", "10")
    after = store(tmp_path / "after.db", "11", status="accepted", extra=True)
    assert not compare.report(before, after)
    out = capsys.readouterr().out
    assert "recommendations ('rec-a',).status: 'open' -> 'accepted'" in out
    assert "status_history only in after: ('rec-a', 'done', 'run #2')" in out
    assert out.rstrip().endswith("2 differences")


def test_a_run_id_inside_a_text_is_mapped_to_its_run(compare: ModuleType, tmp_path: Path) -> None:
    path = store(tmp_path / "one.db", "10")
    with sqlite3.connect(path) as conn:
        rows = list(compare._rows(conn, "recommendations", ["id", "last_run", "evidence"]))
    assert rows == [("rec-a", "run #2", '{"seen": "run #1"}'), ("rec-b", "run #2", "")]
