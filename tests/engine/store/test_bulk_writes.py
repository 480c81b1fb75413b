"""The lean writer's statements (bulk_rows.py, m014, stances read before written) leave what a row at a time left."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from kamengine.engine.model.recommendation import COLUMNS
from kamengine.engine.model.rows import AccountAdvice, KeptSnapshot
from kamengine.engine.store import stances as stances_module
from kamengine.engine.store.bulk_rows import insert_rows, update_where_in
from kamengine.engine.store.store import Store
from kamengine.engine.store.summaries import _REFRESH
from kamengine.engine.store.time_order import TimeOrder

TODAY = dt.date(2026, 12, 7)
FIRST = dt.date(2026, 11, 1)


def _row(account: str, n: int, owner: str = "u-ar", due: str = "2026-11-20") -> tuple[Any, ...]:
    values = {c: None for c in COLUMNS} | {
        "id": f"rec-{account}-{n}", "account_id": account, "action": "regular_office_visit", "subject_kind": "contact",
        "subject_id": f"c{n}", "rule": "synthetic/visit", "title": f"Visit c{n}", "rationale": "why",
        "priority": 1.0 + n, "due": due, "owner_role": "AR", "evidence": "[]", "owner_id": owner,
        "account_name": f"{account.upper()} Ltd",
    }  # fmt: skip
    return tuple(values[c] for c in COLUMNS)


def _advice(account: str, night: int, rows: list[tuple[Any, ...]]) -> AccountAdvice:
    as_of = (FIRST + dt.timedelta(days=night)).isoformat()
    kept = KeptSnapshot(f"{account.upper()} Ltd", "key", as_of, json.dumps({"as_of": as_of}), (("u-ar", "AR"),))
    return AccountAdvice(account, as_of, (), tuple(rows), kept)


def _store(path: Path) -> Store:
    store = Store(path)
    store.time_order = TimeOrder(today=lambda: TODAY)
    return store


def _summary(store: Store, account: str) -> tuple[Any, ...]:
    query = "select live, open_count, next_due, owners, last_run, rec_name from account_summary where account_id = ?"
    live, open_count, next_due, owners, last_run, rec_name = store.db.execute(query, [account]).fetchone()
    return live, open_count, next_due, set(owners.split(",")), last_run, rec_name  # owners' order is the scan's


def test_an_owner_changed_on_refreshed_advice_alone_is_counted_again(tmp_path: Path) -> None:
    store = _store(tmp_path / "k.db")
    first, _ = store.start_run("file:x")
    store.apply(first, _advice("a", 0, [_row("a", 1), _row("a", 2)]))
    assert _summary(store, "a")[3] == {"u-ar"}
    again, _ = store.start_run("file:x")
    # nothing new, no status changed: only a column the summary counts, on a refreshed row
    store.apply(again, _advice("a", 1, [_row("a", 1), _row("a", 2, owner="u-sr")]))
    assert _summary(store, "a")[3] == {"u-ar", "u-sr"}
    third, _ = store.start_run("file:x")
    store.apply(third, _advice("a", 2, [_row("a", 1, due="2026-11-10"), _row("a", 2, owner="u-sr")]))
    assert _summary(store, "a")[2] == "2026-11-10"
    assert _summary(store, "a")[4] == third  # the run moved on with it


def test_a_row_written_by_another_program_is_counted_at_once(tmp_path: Path) -> None:
    store = _store(tmp_path / "k.db")
    run_id, _ = store.start_run("file:x")
    store.apply(run_id, _advice("a", 0, [_row("a", 1)]))
    with store.db.conn:  # no account held: the triggers count as each row comes
        insert_rows(store.db.conn, f"insert into recommendations ({', '.join(COLUMNS)}, status, last_run)",
                    [(*_row("a", 5, owner="u-x", due="2026-11-03"), "open", "run-z")])  # fmt: skip
        store.db.conn.execute("update recommendations set due = '2026-11-02' where id = 'rec-a-1'")
    assert _summary(store, "a") == (2, 2, "2026-11-02", {"u-ar", "u-x"}, "run-z", "A Ltd")
    with store.db.conn:
        store.db.conn.execute("update recommendations set status = 'dismissed' where id = 'rec-a-5'")
    assert _summary(store, "a")[:4] == (1, 1, "2026-11-02", {"u-ar"})


def test_the_kept_summary_is_the_one_counted_from_scratch_after_many_rows(tmp_path: Path) -> None:
    store = _store(tmp_path / "k.db")
    for night, count in enumerate((120, 120, 60, 90)):  # more rows than one statement binds; some resolved, reopened
        run_id, _ = store.start_run("file:x")
        with store.group_commit():
            store.apply(
                run_id, _advice("a", night, [_row("a", n, due=f"2026-11-{10 + n % 9:02d}") for n in range(count)])
            )
        store.finish_run(run_id, {})
    kept = store.db.execute("select * from account_summary").fetchall()
    with store.writing():
        store.db.execute(_REFRESH.format("?"), ["a", "a"])
    assert store.db.execute("select * from account_summary").fetchall() == kept
    statuses = dict(store.db.execute("select status, count(*) from recommendations group by status").fetchall())
    assert statuses == {"open": 90, "resolved": 30}


def test_many_rows_go_in_as_many_statements_as_the_parameters_allow(tmp_path: Path) -> None:
    store = Store(tmp_path / "k.db")
    rows = [(f"id-{n}", "a", f"t{n}") for n in range(1000)]  # 3,000 parameters
    with store.db.conn:
        store.db.conn.execute("create table t (id text primary key, account text, title text)")
        insert_rows(store.db.conn, "insert into t (id, account, title)", rows)
        update_where_in(store.db.conn, "update t set title = ?", ["x"], [f"id-{n}" for n in range(0, 1000, 2)])
    assert store.db.execute("select count(*), sum(title = 'x') from t").fetchone() == (1000, 500)


CONTACTS = ("c1", "c2", "c3")
# Nights in any order (a what-if copy writes one before later ones), often again (a re-run), stances often the same.
nights = st.lists(
    st.tuples(st.integers(0, 6), st.dictionaries(st.sampled_from(CONTACTS), st.sampled_from([-1, 0, 2, 2, 3]))),
    min_size=1,
    max_size=14,
)


@settings(max_examples=200, deadline=None)
@given(nights)
def test_stances_read_first_are_recorded_as_a_statement_a_row_recorded_them(night_list: list[Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        lean, one_by_one = Store(Path(folder) / "lean.db"), Store(Path(folder) / "rows.db")
        for day, stances in night_list:
            as_of = (FIRST + dt.timedelta(days=day)).isoformat()
            with lean.db.conn:
                stances_module.record_stances(lean.db.conn, "a", as_of, sorted(stances.items()))
            rows = [("a", contact, as_of, stance) for contact, stance in sorted(stances.items())]
            with one_by_one.db.conn:
                if rows:
                    stances_module._record_one_by_one(one_by_one.db.conn, rows)
                    one_by_one.db.conn.execute(stances_module.INSERT_NIGHT, ["a", as_of])
        for table in ("stance_history", "stance_nights"):
            query = (
                f"select * from {table} order by 1, 2, 3"
                if table == "stance_history"
                else f"select * from {table} order by 1, 2"
            )
            assert lean.db.execute(query).fetchall() == one_by_one.db.execute(query).fetchall()
        lean.close()
        one_by_one.close()
