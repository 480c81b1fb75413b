"""Every write of the store takes the write lock first and waits its turn; the decision log is pruned by its age."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest
from kamengine.engine.model.rows import account_advice
from kamengine.engine.store import store_file as files
from kamengine.engine.store.decisions import Pruning, log_decision, prune_decisions
from kamengine.engine.store.store import Store
from kamengine.engine.store.transactions import begin_immediate
from support import builtin_advisor, contact, make_snapshot


def _holding(path: Path, seconds: float) -> threading.Thread:
    """Another connection that commits a write every few milliseconds for ``seconds`` (a service deciding)."""
    started = threading.Event()

    def write() -> None:
        with closing(sqlite3.connect(path, isolation_level=None, timeout=30)) as conn:
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                conn.execute("begin immediate")
                conn.execute("insert into runs (id, status) values (?, 'finished')", [f"other-{time.monotonic_ns()}"])
                started.set()
                time.sleep(0.004)
                conn.execute("commit")

    thread = threading.Thread(target=write)
    thread.start()
    started.wait(10)
    return thread


def test_a_group_of_accounts_reads_and_writes_while_another_connection_keeps_committing(tmp_path: Path) -> None:
    """A deferred group read first and then wrote: SQLite failed it at once (SQLITE_BUSY_SNAPSHOT) whenever
    another connection had committed in between, busy timeout or not."""
    store = Store(tmp_path / "k.db")
    run_id, _ = store.start_run("test")
    snapshot = make_snapshot(as_of="2026-11-20", contacts=[contact("c1", name="J", role="E", stance=-1)])
    advice = account_advice(snapshot, builtin_advisor().advise(snapshot).recommendations)
    other = _holding(store.path, 1.5)
    try:
        with store.group_commit(accounts=3, seconds=3600) as group:
            for number in range(30):
                rows = tuple((f"{row[0]}-{number}", f"a{number}", *row[2:]) for row in advice.rows)
                store.apply(run_id, advice._replace(account_id=f"a{number}", rows=rows))
                group.account_written()
                time.sleep(0.01)  # a worker's next answer: the other writer commits meanwhile
    finally:
        other.join()
    assert store.run_counts(run_id) == (30, 0)


def test_begin_immediate_tries_again_while_the_store_is_busy_for_its_patience(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "BUSY_SECONDS", 0.05)  # one try waits 50 ms
    path = tmp_path / "k.db"
    Store(path).close()
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("begin immediate")
    threading.Timer(0.6, lambda: holder.execute("rollback")).start()
    store = Store(path)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        begin_immediate(store.db.conn, patience=0.1)
    begin_immediate(store.db.conn, patience=10)  # past the other's 0.6 s
    store.db.conn.execute("rollback")
    holder.close()


def test_a_decision_is_read_and_written_under_the_write_lock(tmp_path: Path) -> None:
    store = Store(tmp_path / "k.db")
    run_id, _ = store.start_run("test")
    snapshot = make_snapshot(as_of="2026-11-20", contacts=[contact("c1", name="J", role="E", stance=-1)])
    store.apply_advice(run_id, snapshot, builtin_advisor().advise(snapshot).recommendations)
    rec = store.find()[0]["id"]
    seen: list[str] = []
    store.db.conn.set_trace_callback(seen.append)
    store.change(rec, "accepted", "li.wei")
    store.db.conn.set_trace_callback(None)
    begin = next(i for i, s in enumerate(seen) if s.lower().startswith("begin"))
    assert seen[begin].lower() == "begin immediate"
    read = next(i for i, s in enumerate(seen) if s.startswith('select * from "recommendations"'))
    write = next(i for i, s in enumerate(seen) if s.startswith("update recommendations"))
    assert begin < read < write  # what the decision saw is what it changed


def test_the_decision_log_keeps_its_retention_days(tmp_path: Path) -> None:
    store = Store(tmp_path / "k.db")
    for days in (400, 31, 29, 0):
        decision = log_decision(store, "advise", "acct", "rev", "tok", b"{}", [])
        at = (dt.datetime.now(dt.UTC) - dt.timedelta(days=days)).isoformat(timespec="milliseconds")
        store.db.execute("update decisions set at = ? where id = ?", [at, decision])
        store.db.conn.commit()
    assert prune_decisions(store, 365) == 1
    assert prune_decisions(store, 30) == 1
    assert store.db.execute("select count(*) from decisions").fetchone() == (2,)
    pruning = Pruning(30, every=3600)
    assert pruning.due() and not pruning.due()  # once an hour, whoever asks


def test_a_group_waiting_for_a_slow_account_leaves_the_lock_to_others_once_it_is_old(tmp_path: Path) -> None:
    store = Store(tmp_path / "k.db")
    run_id, _ = store.start_run("test")
    snapshot = make_snapshot(as_of="2026-11-20", contacts=[contact("c1", name="J", role="E", stance=-1)])
    advice = account_advice(snapshot, builtin_advisor().advise(snapshot).recommendations)
    other = sqlite3.connect(store.path, isolation_level=None, timeout=0)
    with store.group_commit(accounts=500, seconds=0.2) as group:
        store.apply(run_id, advice)
        group.account_written()
        group.idle()  # young: the group goes on
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("begin immediate")
        time.sleep(0.25)  # the executor waits for a slow account and calls idle meanwhile
        group.idle()
        other.execute("begin immediate")  # the lock is free while the slow account is worked on
        other.execute("rollback")
        later = advice._replace(account_id="b", rows=tuple((f"{r[0]}-b", "b", *r[2:]) for r in advice.rows))
        store.apply(run_id, later)  # the next account begins a new group
        group.account_written()
    other.close()
    assert store.run_counts(run_id) == (2, 0)


def test_a_writer_waiting_for_the_store_knocks_and_the_group_commits_after_its_account(tmp_path: Path) -> None:
    store = Store(tmp_path / "k.db")
    run_id, _ = store.start_run("test")
    snapshot = make_snapshot(as_of="2026-11-20", contacts=[contact("c1", name="J", role="E", stance=-1)])
    advice = account_advice(snapshot, builtin_advisor().advise(snapshot).recommendations)
    done = threading.Event()

    def decide() -> None:  # a person's decision through the service, while the night's group holds the store
        other = Store(store.path)
        with other.writing():
            other.db.execute("insert into runs (id, status) values ('decided', 'finished')")
        other.close()
        done.set()

    with store.group_commit(accounts=500, seconds=3600) as group:  # a group that would hold the lock for an hour
        for number in range(3):
            rows = tuple((f"{row[0]}-{number}", f"a{number}", *row[2:]) for row in advice.rows)
            store.apply(run_id, advice._replace(account_id=f"a{number}", rows=rows))
            group.account_written()
            if number == 0:
                deciding = threading.Thread(target=decide)
                deciding.start()
                time.sleep(0.3)  # it waits, and knocks
        assert done.wait(2)  # in while the group went on: it did not wait for the hour
    deciding.join()
    assert store.run_counts(run_id) == (3, 0)
