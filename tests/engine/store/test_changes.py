"""A delivery's changes are read a page of accounts at a time: the same changes, and no read held while an emitter works."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner
from kamengine.cli import main
from kamengine.engine.plugin.outgoing import Change
from kamengine.engine.store.outbox import queue
from kamengine.engine.store.staged_changes import StoredChanges
from kamengine.engine.store.store import Store
from support import example_data


def _delivered_store(tmp_path: Path, accounts: int) -> tuple[Path, str]:
    """A store after a nightly batch of ``accounts`` copies of the example that delivered a calendar."""
    lines = []
    for index in range(accounts):
        data = example_data()
        data["account"]["id"] = f"acct-{index:02d}"
        lines.append(json.dumps(data))
    source = tmp_path / "p.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db, spec = tmp_path / "k.db", f"ics:{tmp_path / 'visits.ics'}"
    args = ["--config", "/dev/null", "batch", "--source", f"jsonl:{source}", "--db", str(db), "--workers", "1"]
    result = CliRunner().invoke(main, [*args, "--emit", spec])
    assert result.exit_code == 0, result.output
    return db, spec


def _next_delivery(store: Store, spec: str, accounts_per_page: int) -> StoredChanges:
    (run_id,) = store.db.execute("select id from runs").fetchone()
    queue(store, run_id, [spec])
    (delivery_id,) = store.db.execute("select max(id) from deliveries").fetchone()
    outgoing = StoredChanges(store, delivery_id, spec, run_id, accounts_per_page=accounts_per_page)
    outgoing.stage()
    return outgoing


def _keys(changes: list[Change]) -> list[tuple[str, str, str, str, int]]:
    return [(c.event.value, c.recommendation.id, c.recommendation.account_id, c.version, c.sequence) for c in changes]


def _expected_current(db: Path, delivery_id: int, emitter: str) -> set[tuple[str, str, str, str, int]]:
    """What ``current`` must give, from the tables: each staged item as staged, and each recommendation
    delivered live and still live as ``unchanged`` with what was delivered."""
    with sqlite3.connect(db) as conn:
        items = "select recommendation_id, event, version, sequence from delivery_items where delivery_id = ?"
        staged = {row[0]: row[1:] for row in conn.execute(items, [delivery_id])}
        sent = "select recommendation_id, version, sequence from delivered where emitter = ? and live = 1"
        delivered = {row[0]: row[1:] for row in conn.execute(sent, [emitter])}
        recs = conn.execute("select id, account_id, status from recommendations").fetchall()
    expected = set()
    for rec, account, status in recs:
        if rec in staged:
            event, version, sequence = staged[rec]
            expected.add((event, rec, account, version, sequence))
        elif rec in delivered and status in ("open", "accepted", "snoozed"):
            expected.add(("unchanged", rec, account, *delivered[rec]))
    return expected


def test_any_page_size_streams_what_the_tables_say_in_account_order(tmp_path: Path) -> None:
    db, spec = _delivered_store(tmp_path, 5)
    with sqlite3.connect(db) as conn:
        done, snoozed = (
            r for (r,) in conn.execute("select id from recommendations where account_id = 'acct-03' limit 2")
        )
    assert CliRunner().invoke(main, ["recs", "done", done, "--reason", "met", "--db", str(db)]).exit_code == 0
    snooze = ["recs", "snooze", snoozed, "--until", (dt.date.today() + dt.timedelta(days=30)).isoformat()]
    assert CliRunner().invoke(main, [*snooze, "--db", str(db)]).exit_code == 0
    store = Store(db)
    streams = {}
    for size in (1, 2, 1000):
        outgoing = _next_delivery(store, spec, size)
        streams[size] = (_keys(list(outgoing.current())), _keys(list(outgoing.changes())))
        assert {*streams[size][0]} == _expected_current(db, outgoing.delivery_id, spec)
        outgoing.settle(False)
    assert streams[1] == streams[2] == streams[1000]
    current, changed = streams[1]
    assert sorted((event, rec) for event, rec, *_ in changed) == sorted([("closed", done), ("changed", snoozed)])
    assert {key for key in current if key[0] != "unchanged"} == {*changed}
    accounts = [account for _, _, account, *_ in current]
    assert accounts == sorted(accounts) and len({*accounts}) == 5


def test_no_read_is_open_while_an_emitter_holds_a_change(tmp_path: Path) -> None:
    """A read held for the whole stream kept the write-ahead log from being checkpointed while acknowledgements
    wrote: a first night of 20,000 accounts grew it past 3.6 GB."""
    db, spec = _delivered_store(tmp_path, 24)
    store = Store(db)
    outgoing = _next_delivery(store, spec, 50)
    checker = sqlite3.connect(db, timeout=0)
    seen = 0
    for seen, _ in enumerate(outgoing.current(), start=1):
        if seen % 97 == 0:
            checker.execute(f"pragma user_version = {seen}")  # a write, as an acknowledgement is
            busy, _, _ = checker.execute("pragma wal_checkpoint(truncate)").fetchone()
            assert busy == 0, f"a read was open at change {seen}"
    assert seen > 500  # more than the 500 rows the stream used to fetch at a time
    checker.close()
    outgoing.settle(False)
