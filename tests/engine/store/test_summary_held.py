"""The batch writer counts an account's summary once after its rows (summary_writes.py), and the summary it leaves is
the one counted from scratch; other writers (a decision) still count at once; a failed account leaves nothing held."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from kamengine.engine.model.rows import AccountAdvice, KeptSnapshot
from kamengine.engine.store import lifecycle
from kamengine.engine.store.store import Store
from kamengine.engine.store.summaries import _REFRESH
from kamengine.engine.store.time_order import TimeOrder

TODAY = dt.date(2026, 12, 7)
FIRST = dt.date(2026, 11, 1)


def _row(account: str, n: int, owner: str, due_days: int = 7, action: str = "regular_office_visit") -> tuple[Any, ...]:
    """One recommendation's row in ``AccountAdvice``'s column order."""
    due = (FIRST + dt.timedelta(days=due_days)).isoformat()
    return (
        f"rec-{account}-{n}", account, action, "contact", f"c{n}", "synthetic/visit", f"Visit c{n}", "why", 1.0 + n,
        due, "AR", "[]", None, owner, "Ann", None, None, None, f"{account.upper()} Ltd", None,
    )  # fmt: skip


def _advice(account: str, night: int, rows: list[tuple[Any, ...]]) -> AccountAdvice:
    as_of = (FIRST + dt.timedelta(days=night)).isoformat()
    body = json.dumps({"account": account, "as_of": as_of})
    kept = KeptSnapshot(f"{account.upper()} Ltd", "key", as_of, body, (("u-ar", "AR"),))
    return AccountAdvice(account, as_of, (), tuple(rows), kept)


def _night(account: str, night: int) -> list[tuple[Any, ...]]:
    """Advice that changes from night to night: more of it, other owners and due days, some of it gone."""
    rows = [_row(account, n, "u-ar" if (n + night) % 3 else "u-sr", 7 + night + n) for n in range(2 + night % 4)]
    return [r for i, r in enumerate(rows) if (i + night) % 5]


def _write_nights(path: Path, accounts: list[str], nights: int) -> Store:
    store = Store(path)
    store.time_order = TimeOrder(today=lambda: TODAY)
    for night in range(nights):
        run_id, _ = store.start_run("file:synthetic/")
        with store.group_commit():
            for account in accounts:
                store.apply(run_id, _advice(account, night, _night(account, night)))
        store.finish_run(run_id, {})
        if night == 1:
            store.change(f"rec-{accounts[0]}-0", "accepted", "u-ar")
        if night == 2:
            store.change(f"rec-{accounts[1]}-1", "snoozed", "u-ar", until=TODAY + dt.timedelta(days=3))
    return store


def _summary(store: Store) -> list[tuple[Any, ...]]:
    return list(store.db.execute("select * from account_summary order by account_id"))


def _counted_from_scratch(kept: Store, copy: Path) -> list[tuple[Any, ...]]:
    """The summary of a copy of the store, every account counted again from its rows."""
    with sqlite3.connect(copy) as target:
        kept.db.conn.backup(target)
    store = Store(copy)
    with store.writing():
        for (account,) in list(store.db.execute("select distinct account_id from recommendations")):
            store.db.execute(_REFRESH.format("?"), [account, account])
        store.db.execute(
            "update account_summary set rec_name = (select max(account_name) from recommendations r"
            " where r.account_id = account_summary.account_id)"
        )
    return _summary(store)


def test_the_summary_a_batch_leaves_is_the_one_counted_from_scratch(tmp_path: Path) -> None:
    store = _write_nights(tmp_path / "store.db", ["a", "b", "c"], nights=6)
    kept = _summary(store)
    assert kept == _counted_from_scratch(store, tmp_path / "copy.db")
    assert {row[0] for row in kept} == {"a", "b", "c"}
    assert store.db.execute("select count(*) from account_summary_deferred").fetchone() == (0,)


def test_a_decision_counts_at_once(tmp_path: Path) -> None:
    store = _write_nights(tmp_path / "store.db", ["a", "b"], nights=1)
    live = store.db.execute("select live from account_summary where account_id = 'a'").fetchone()[0]
    store.change("rec-a-1", "dismissed", "u-ar", reason="not now")
    assert store.db.execute("select live from account_summary where account_id = 'a'").fetchone() == (live - 1,)


def test_a_failed_account_leaves_nothing_held_and_the_summary_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _write_nights(tmp_path / "store.db", ["a", "b"], nights=2)
    before = _summary(store)
    write = lifecycle.AccountPlan.write

    def write_then_fail(plan: lifecycle.AccountPlan, conn: Any) -> None:
        write(plan, conn)
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(lifecycle.AccountPlan, "write", write_then_fail)
    run_id, _ = store.start_run("file:synthetic/")
    with pytest.raises(RuntimeError), store.group_commit():
        store.apply(run_id, _advice("a", 3, _night("a", 3)))
    assert _summary(store) == before
    assert store.db.execute("select count(*) from account_summary_deferred").fetchone() == (0,)
