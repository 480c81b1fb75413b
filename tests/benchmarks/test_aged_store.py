"""benchmarks/aged_store.py seeds a store's stance history as the store keeps it: changes only, every night noted."""

from __future__ import annotations

import importlib.util
import sqlite3
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def aged_store() -> ModuleType:
    spec = importlib.util.spec_from_file_location("aged_store", BENCHMARKS / "aged_store.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["aged_store"] = module
    spec.loader.exec_module(module)
    return module


def documents(accounts: int, contacts: int) -> list[dict[str, object]]:
    people = [{"id": f"c{n}", "stance": n % 3} for n in range(contacts)]
    return [{"as_of": "2026-11-20", "account": {"id": f"a{n}"}, "contacts": people} for n in range(accounts)]


def test_the_nights_before_are_changes_only_and_each_is_noted(aged_store: ModuleType, tmp_path: Path) -> None:
    rows, kind = aged_store.seed(tmp_path / "aged.db", documents(3, 40), 60)
    assert kind == "changes only"
    with sqlite3.connect(tmp_path / "aged.db") as conn:
        history = conn.execute(
            "select account_id, contact_id, as_of, stance, lag(stance) over (partition by account_id, contact_id"
            " order by as_of) from stance_history"
        ).fetchall()
        nights = conn.execute("select count(*), count(distinct as_of), min(as_of), max(as_of) from stance_nights")
        assert nights.fetchone() == (3 * 59, 59, "2026-09-22", "2026-11-19")
    assert rows == len(history)
    firsts = [row for row in history if row[4] is None]
    assert len(firsts) == 3 * 40 and {row[2] for row in firsts} == {"2026-09-22"}
    changes = [row for row in history if row[4] is not None]
    assert changes and all(row[3] != row[4] for row in changes)  # about 1 in 50 a night: some, never a repeat
    assert all(row[2] < "2026-11-20" for row in history)  # the night being timed has nothing yet


def test_tonight_differs_from_the_last_recorded_stance_as_often_at_any_age(
    aged_store: ModuleType, tmp_path: Path
) -> None:
    # The history is walked back from tonight's stance: about 1 contact in 50 changed since the last night, on
    # night 2 as on night 365 (drawn forwards, a year's history ended on a random stance: more advice on night 365).
    people = documents(20, 50)
    for nights in (2, 365):
        aged_store.seed(tmp_path / f"night-{nights}.db", people, nights)
        with sqlite3.connect(tmp_path / f"night-{nights}.db") as conn:
            last = dict(
                conn.execute(
                    "select account_id || ' ' || contact_id, stance from stance_history h where as_of ="
                    " (select max(as_of) from stance_history where account_id = h.account_id"
                    " and contact_id = h.contact_id)"
                )
            )
        tonight = {f"{d['account']['id']} {p['id']}": p["stance"] for d in people for p in d["contacts"]}  # type: ignore[index]
        assert last.keys() == tonight.keys()
        moved = sum(last[key] != stance for key, stance in tonight.items())
        assert 0 < moved < len(tonight) * 0.05, (nights, moved)


def test_night_one_has_no_history(aged_store: ModuleType, tmp_path: Path) -> None:
    assert aged_store.seed(tmp_path / "new.db", documents(2, 5), 1) == (0, "changes only")
