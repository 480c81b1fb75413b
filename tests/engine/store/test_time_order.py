"""Time only moves forward in the store: no run dated before an account's last, none far ahead, expiry by real dates."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from kamengine.engine.model.snapshot import Snapshot
from kamengine.engine.store.lifecycle import AccountOutcome
from kamengine.engine.store.snapshots import save_snapshot
from kamengine.engine.store.store import Store
from kamengine.engine.store.time_order import TimeOrder, TimeOrderError
from support import activity, builtin_advisor, contact, make_snapshot

TODAY = dt.date(2026, 12, 7)


def _snapshot(as_of: str) -> Snapshot:
    people = [contact(f"c{n}", name=f"P{n}", role="E", stance=-1) for n in range(4)]
    visits = [activity(f"a{n}", "project_office_visit", "2026-11-01", f"c{n}") for n in range(4)]
    return make_snapshot(as_of=as_of, contacts=people, activities=visits)


def _run(store: Store, as_of: str) -> AccountOutcome:
    snapshot = _snapshot(as_of)
    run_id, _ = store.start_run("test")
    outcome = store.apply_advice(run_id, snapshot, builtin_advisor().advise(snapshot).recommendations)
    store.finish_run(run_id, {})
    return outcome


def _tables(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with closing(sqlite3.connect(path)) as conn:
        tables = ("recommendations", "status_history", "run_accounts", "stance_history", "snapshots")
        return {t: conn.execute(f"select * from {t} order by 1, 2").fetchall() for t in tables}


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = Store(tmp_path / "k.db")
    opened.time_order = TimeOrder(future_days=2, today=lambda: TODAY)
    return opened


def test_a_run_dated_before_the_account_s_last_is_refused_and_changes_nothing(store: Store) -> None:
    _run(store, "2026-11-25")
    before = _tables(store.path)
    with pytest.raises(TimeOrderError) as refused:
        _run(store, "2026-11-20")
    message = str(refused.value)
    assert "dated 2026-11-20" in message and "last one in the store (2026-11-25)" in message
    assert "nothing changed" in message and "--allow-backdate" in message
    store.db.execute("delete from runs where status = 'running'")  # the refused run itself, left open
    assert _tables(store.path) == before
    assert _run(store, "2026-11-25").new == 0  # the same night again is no backdating


def test_a_snapshot_kept_by_the_service_counts_as_the_account_s_last(store: Store) -> None:
    later = _snapshot("2026-11-30")
    save_snapshot(store, later, {"as_of": "2026-11-30"})
    with pytest.raises(TimeOrderError, match=r"before its last one in the store \(2026-11-30\)"):
        _run(store, "2026-11-29")


def test_a_run_dated_more_than_future_days_ahead_is_refused(store: Store) -> None:
    ahead = (TODAY + dt.timedelta(days=3)).isoformat()
    with pytest.raises(TimeOrderError) as refused:
        _run(store, ahead)
    assert f"dated {ahead}, more than 2 days after today (2026-12-07)" in str(refused.value)
    assert "[limits] future_days" in str(refused.value)
    assert store.find() == []
    assert _run(store, (TODAY + dt.timedelta(days=2)).isoformat()).new > 0  # two days ahead: a CRM's clock


def test_snoozes_and_cooldowns_run_out_by_the_machine_s_today_not_by_a_run_dated_ahead(store: Store) -> None:
    _run(store, "2026-12-01")
    rows = store.find()
    assert len(rows) >= 3
    snoozed, done, dismissed = rows[0]["id"], rows[1]["id"], rows[2]["id"]
    store.change(snoozed, "snoozed", "li.wei", until=dt.date(2026, 12, 8), on=dt.date(2026, 12, 1))
    store.change(done, "done", "li.wei", "met", on=dt.date(2026, 12, 1))
    store.change(dismissed, "dismissed", "li.wei", "not now", on=dt.date(2026, 12, 1))
    # A run dated two days ahead (allowed): by its own date the snooze would have ended on the 8th.
    outcome = _run(store, "2026-12-09")
    assert outcome.woken == 0
    assert [store.get(r)["status"] for r in (snoozed, done, dismissed)] == ["snoozed", "done", "dismissed"]
    store.time_order = TimeOrder(future_days=2, today=lambda: dt.date(2026, 12, 9))  # the night of the 9th comes
    assert _run(store, "2026-12-09").woken == 1
    assert store.get(snoozed)["status"] == "open"


def test_a_what_if_takes_every_date_as_given(store: Store) -> None:
    store.time_order = TimeOrder(future_days=2, what_if=True, today=lambda: TODAY)
    _run(store, "2026-11-25")
    assert _run(store, "2026-11-20").refreshed > 0  # backdated
    assert _run(store, "2027-06-01").refreshed > 0  # far ahead
