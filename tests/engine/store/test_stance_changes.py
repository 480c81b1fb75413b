"""Stance history as changes only: the same last stances, nights and report as a row per contact per night gave."""

from __future__ import annotations

import datetime as dt
import sqlite3
import tempfile
from collections import defaultdict
from contextlib import closing
from pathlib import Path

import sqlite_utils
from hypothesis import given, settings
from hypothesis import strategies as st
from kamengine.engine.store.reports import _nightly_history
from kamengine.engine.store.schema import m008_stance_changes
from kamengine.engine.store.stances import StanceHistory, record_stances
from kamengine.engine.store.store import Store
from kamengine.engine.store.time_order import _last
from support import contact, make_snapshot

#: The query workers ran before stance history kept changes only: every earlier night of the account, the last wins.
OLD_LAST = "select contact_id, stance from stance_history where account_id = ? and as_of < ? order by contact_id, as_of"
OLD_SCHEMA = (
    "create table stance_history (account_id text, contact_id text, as_of text, stance integer,"
    " primary key (account_id, contact_id, as_of))"
)
START = dt.date(2026, 1, 1)
CONTACTS = ("c1", "c2", "c3")


def _day(index: int) -> str:
    return (START + dt.timedelta(days=index)).isoformat()


# A night: the nights since the last one (0: the last night again, a re-run) and each present contact's stance
# (stances repeat more often than they change, as they do in a CRM).
nights = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=3),
        st.dictionaries(st.sampled_from(CONTACTS), st.sampled_from([-1, 0, 2, 2, 2, 3]), min_size=1),
    ),
    min_size=1,
    max_size=12,
)


def _write(nights_given: list[tuple[int, dict[str, int]]], folder: Path) -> tuple[Store, sqlite3.Connection, list[str]]:
    """The nights written through the store's writer, and (in memory) as the old writer wrote them: every row."""
    store, old = Store(folder / "k.db"), sqlite3.connect(":memory:")
    old.execute(OLD_SCHEMA)
    day, dates = 0, []
    for gap, stances in nights_given:
        day += gap
        dates.append(_day(day))
        with store.db.conn:
            record_stances(store.db.conn, "acct", _day(day), sorted(stances.items()))
        old.executemany(
            "insert or replace into stance_history values ('acct', ?, ?, ?)",
            [(c, _day(day), s) for c, s in stances.items()],
        )
    return store, old, sorted(set(dates))


@settings(max_examples=150, deadline=None)
@given(nights)
def test_a_worker_reads_the_same_last_stance_as_the_old_query(nights_given: list[tuple[int, dict[str, int]]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store, old, dates = _write(nights_given, Path(folder))
        history = StanceHistory(str(store.path))
        for index in range(sum(gap for gap, _ in nights_given) + 2):  # every night up to the day after the last
            as_of = _day(index)
            expected = dict(old.execute(OLD_LAST, ["acct", as_of]))
            people = [contact(c, role="E", stance=0) for c in CONTACTS]
            filled = history.fill(make_snapshot(as_of=as_of, account={"id": "acct", "name": "A"}, contacts=people))
            assert {c.id: c.previous_stance for c in filled.contacts if c.previous_stance is not None} == expected
        # The time-order rule's last night is the last night written, changed or not.
        assert _last(store.db.conn, "acct", None) == dates[-1]
        history.close()
        store.close()


@settings(max_examples=100, deadline=None)
@given(nights)
def test_the_report_reads_the_same_nightly_history(nights_given: list[tuple[int, dict[str, int]]]) -> None:
    # The report takes a person as present from their first night on: give every night everyone seen so far.
    seen: dict[str, int] = {}
    full = []
    for gap, stances in nights_given:
        seen = {**seen, **stances}
        full.append((gap, dict(seen)))
    with tempfile.TemporaryDirectory() as folder:
        store, old, _ = _write(full, Path(folder))
        expected: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
        for contact_id, as_of, stance in old.execute("select contact_id, as_of, stance from stance_history order by 2"):
            expected[("acct", contact_id)].append((as_of, stance))
        assert _nightly_history(store) == expected
        store.close()


def test_a_year_of_nights_grows_the_history_by_changes_only(tmp_path: Path) -> None:
    store = Store(tmp_path / "k.db")
    with store.db.conn:
        for night in range(365):  # 30 people; c0 changes stance every 30th night, the others never
            stances = [("c0", 2 + (night // 30) % 2)] + [(f"c{i}", 2) for i in range(1, 30)]
            record_stances(store.db.conn, "acct", _day(night), stances)
    rows = store.db.execute("select count(*) from stance_history").fetchone()[0]
    assert rows == 30 + 12  # the first night, then 12 changes; a row per contact per night would be 10,950
    assert store.db.execute("select count(*) from stance_nights").fetchone()[0] == 365


def test_the_migration_drops_the_rows_that_repeat_the_previous_stance(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(OLD_SCHEMA)
        rows = [("a", "c1", _day(d), s) for d, s in enumerate([1, 1, 2, 2, 2, 1])]
        rows += [("a", "c2", _day(d), 3) for d in range(2, 6)] + [("b", "c1", _day(4), 0)]
        conn.executemany("insert into stance_history values (?, ?, ?, ?)", rows)
        before = {night: dict(conn.execute(OLD_LAST, ["a", night])) for night in map(_day, range(8))}
    db = sqlite_utils.Database(path)
    m008_stance_changes(db)
    kept = db.execute("select account_id, contact_id, as_of, stance from stance_history order by 1, 2, 3").fetchall()
    assert kept == [
        ("a", "c1", _day(0), 1), ("a", "c1", _day(2), 2), ("a", "c1", _day(5), 1), ("a", "c2", _day(2), 3),
        ("b", "c1", _day(4), 0),
    ]  # fmt: skip
    assert db.execute("select count(*), max(as_of) from stance_nights where account_id = 'a'").fetchone() == (
        6,
        _day(5),
    )
    db.close()
    history = StanceHistory(str(path))
    for night, expected in before.items():
        people = [contact(c, role="E", stance=0) for c in ("c1", "c2")]
        filled = history.fill(make_snapshot(as_of=night, account={"id": "a", "name": "A"}, contacts=people))
        assert {c.id: c.previous_stance for c in filled.contacts if c.previous_stance is not None} == expected
    history.close()
