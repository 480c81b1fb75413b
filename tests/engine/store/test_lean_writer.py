"""The batch writer's shortcuts leave the store as the plain writes did: advice given again as stored has only its run
and night written, a snapshot kept already is told by its digest (or, kept before digests, by its text), a team kept
already is not written again."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from kamengine.engine.model.rows import AccountAdvice, KeptSnapshot, body_digest
from kamengine.engine.store import lifecycle
from kamengine.engine.store.store import Store
from kamengine.engine.store.time_order import TimeOrder

TODAY = dt.date(2026, 12, 7)
FIRST = dt.date(2026, 11, 1)
TEAM = (("u-ar", "AR"), ("u-sr", "SR"))


def _row(account: str, n: int, night: int, **changed: Any) -> tuple[Any, ...]:
    """One recommendation's row (``COLUMNS`` order); ``changed``: title, due or owner_id other than usual."""
    due = changed.get("due", (FIRST + dt.timedelta(days=7)).isoformat())
    return (
        f"rec-{account}-{n}", account, "regular_office_visit", "contact", f"c{n}", "synthetic/visit",
        changed.get("title", f"Visit c{n}"), "why", 1.0 + n, due, "AR", "[]", None, changed.get("owner_id", "u-ar"),
        "Ann", None, None, None, account.upper(), None,
    )  # fmt: skip


def _advice(account: str, night: int, rows: tuple[tuple[Any, ...], ...]) -> AccountAdvice:
    as_of = (FIRST + dt.timedelta(days=night)).isoformat()
    kept = KeptSnapshot(account.upper(), "key", as_of, json.dumps({"account": account, "as_of": as_of}), TEAM)
    return AccountAdvice(account, as_of, (("c0", 1), ("c1", night % 2)), rows, kept)


# Each night's rows of account "a": the same again, one retitled, one due later, one given to another owner, one
# gone and a new one, then the first back after it was resolved.
NIGHTS: list[tuple[tuple[Any, ...], ...]] = [
    tuple(_row("a", n, 0) for n in range(4)),
    tuple(_row("a", n, 1) for n in range(4)),
    (_row("a", 0, 2, title="Visit c0 soon"), _row("a", 1, 2, due="2026-11-20"), _row("a", 2, 2), _row("a", 3, 2)),
    (_row("a", 0, 3, title="Visit c0 soon"), _row("a", 1, 3, owner_id="u-sr"), _row("a", 2, 3), _row("a", 4, 3)),
    (_row("a", 1, 4, owner_id="u-sr"), _row("a", 2, 4), _row("a", 4, 4)),
    (_row("a", 0, 5), _row("a", 1, 5, owner_id="u-sr"), _row("a", 2, 5), _row("a", 4, 5)),
]


def _run_nights(path: Path, runs: int = 2) -> Store:
    """Every night of ``NIGHTS`` written, each ``runs`` times (a re-run of the same export), a snooze on night 2."""
    store = Store(path)
    store.time_order = TimeOrder(today=lambda: TODAY)
    for night, rows in enumerate(NIGHTS):
        for _ in range(runs):
            run_id, _ = store.start_run("file:synthetic/")
            with store.group_commit():
                store.apply(run_id, _advice("a", night, rows))
            store.finish_run(run_id, {})
        if night == 2:
            store.change("rec-a-2", "snoozed", "u-ar", until=FIRST + dt.timedelta(days=4), on=FIRST + dt.timedelta(2))
    return store


def _tables(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """What the store holds, every column, the run ids as the runs' order and the clock's times left out."""
    runs = {r: f"run {n}" for n, (r,) in enumerate(store.db.execute("select id from runs order by started_at, id"))}
    queries = {
        "recommendations": "select * from recommendations order by id",
        "status_history": "select recommendation_id, status, by, reason, run_id from status_history order by id",
        "account_summary": "select * from account_summary order by account_id",
        "snapshots": "select account_id, account_name, tier, as_of, body, digest from snapshots order by id",
        "account_team": "select * from account_team order by account_id, member_id",
        "stance_history": "select * from stance_history order by account_id, contact_id, as_of",
    }
    return {
        table: [tuple(runs.get(value, value) for value in row) for row in store.db.execute(query)]
        for table, query in queries.items()
    }


def test_advice_given_again_as_stored_leaves_the_store_as_a_full_refresh_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lean = _tables(_run_nights(tmp_path / "lean.db"))
    reads = lifecycle.read_stored
    monkeypatch.setattr(lifecycle, "read_stored", lambda conn, account: (reads(conn, account)[0], {}))
    full = _run_nights(tmp_path / "full.db")
    assert lean == _tables(full)
    # the nights were not all alike: the comparison saw a snooze, a resolve and a reopen as well as refreshes
    reasons = {(row[1], row[3]) for row in lean["status_history"]}
    assert {
        ("snoozed", ""),
        ("resolved", "its rule no longer fires"),
        ("open", "fires again after resolved"),
    } <= reasons


def test_a_re_run_writes_only_the_run_and_night_of_advice_given_again(tmp_path: Path) -> None:
    store = Store(tmp_path / "k.db")
    store.time_order = TimeOrder(today=lambda: TODAY)
    first, _ = store.start_run("file:synthetic/")
    store.apply(first, _advice("a", 0, NIGHTS[0]))
    again, _ = store.start_run("file:synthetic/")
    plan = lifecycle.AccountPlan(again, _advice("a", 1, NIGHTS[2]), "", "now")
    stored, kept = lifecycle.read_stored(store.db.conn, "a")
    plan.plan(stored, lambda row: False, kept)
    assert [row[-1] for row in plan.rerun] == ["rec-a-2", "rec-a-3"]  # as stored: the run and the night only
    assert [row[-1] for row in plan.refreshed] == ["rec-a-0", "rec-a-1"]  # retitled, due later: every column
    store.apply(again, _advice("a", 1, NIGHTS[2]))
    rows = store.db.execute("select id, last_run, as_of, title from recommendations order by id").fetchall()
    assert rows == [
        ("rec-a-0", again, "2026-11-02", "Visit c0 soon"),
        ("rec-a-1", again, "2026-11-02", "Visit c1"),
        ("rec-a-2", again, "2026-11-02", "Visit c2"),
        ("rec-a-3", again, "2026-11-02", "Visit c3"),
    ]


def test_a_snapshot_kept_already_is_told_by_its_digest_or_by_its_text_when_kept_before_digests(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path / "k.db")
    store.time_order = TimeOrder(today=lambda: TODAY)
    advice = _advice("a", 0, NIGHTS[0])
    for _ in range(2):
        run_id, _ = store.start_run("file:synthetic/")
        store.apply(run_id, advice)
    kept = store.db.execute("select body, digest from snapshots").fetchall()
    assert kept == [(advice.kept.body, body_digest(advice.kept.body))]  # once, with its digest
    # A row kept before the digest column (none in it): compared by its text, so the same export adds none ...
    with store.writing():
        store.db.execute("update snapshots set digest = null")
    run_id, _ = store.start_run("file:synthetic/")
    store.apply(run_id, advice)
    assert store.db.execute("select count(*), count(digest) from snapshots").fetchone() == (1, 0)
    # ... and another text is kept, with its digest (the worker's, else worked out as it is kept).
    later = _advice("a", 1, NIGHTS[1])
    store.apply(run_id, later._replace(kept=later.kept._replace(digest=None)))
    digests = [row[0] for row in store.db.execute("select digest from snapshots order by id")]
    assert digests == [None, body_digest(later.kept.body)]


def test_an_old_store_gains_the_digest_column_and_keeps_its_snapshots(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    Store(path).close()
    with sqlite3.connect(path) as conn:  # as a store from before m011_snapshot_digest was
        conn.execute("alter table snapshots drop column digest")
        conn.execute("delete from _sqlite_migrations where name = 'm011_snapshot_digest'")
        conn.execute(
            "insert into snapshots (account_id, account_name, tier, as_of, received_at, body) values"
            " ('a', 'A', 'key', '2026-11-01', '2026-11-01T02:00:00', ?)",
            [_advice("a", 0, ()).kept.body],
        )
    store = Store(path)
    store.time_order = TimeOrder(today=lambda: TODAY)
    run_id, _ = store.start_run("file:synthetic/")
    store.apply(run_id, _advice("a", 0, NIGHTS[0]))  # the same text as the old row: not kept again
    assert store.db.execute("select count(*), count(digest) from snapshots").fetchone() == (1, 0)


def test_a_team_kept_already_is_left_as_it_is_and_another_replaces_it(tmp_path: Path) -> None:
    store = Store(tmp_path / "k.db")
    store.time_order = TimeOrder(today=lambda: TODAY)
    run_id, _ = store.start_run("file:synthetic/")
    store.apply(run_id, _advice("a", 0, NIGHTS[0]))
    before = store.db.execute("select rowid, * from account_team order by rowid").fetchall()
    store.apply(run_id, _advice("a", 1, NIGHTS[1]))  # another night, the same team: its rows are not written again
    assert store.db.execute("select rowid, * from account_team order by rowid").fetchall() == before
    night = _advice("a", 2, NIGHTS[2])
    store.apply(run_id, night._replace(kept=night.kept._replace(team=(("u-fr", "FR"), ("u-ar", "AD")))))
    team = store.db.execute("select member_id, role from account_team order by member_id").fetchall()
    assert team == [("u-ar", "AD"), ("u-fr", "FR")]  # the one who left is gone, the new one and the new role there
