"""A delivery's changes are read a page of accounts at a time: the same changes, and no read held while an emitter works."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner
from kamengine.cli import main
from kamengine.engine.plugin.changes import Change, Event
from kamengine.engine.store.changes import StoredChanges
from kamengine.engine.store.outbox import queue
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


def test_any_page_size_streams_the_same_changes_in_the_same_order(tmp_path: Path) -> None:
    db, spec = _delivered_store(tmp_path, 5)
    with sqlite3.connect(db) as conn:
        (first,) = conn.execute("select id from recommendations where account_id = 'acct-03' limit 1").fetchone()
    assert CliRunner().invoke(main, ["recs", "done", first, "--reason", "met", "--db", str(db)]).exit_code == 0
    store = Store(db)
    streams = {}
    for size in (1, 2, 1000):
        outgoing = _next_delivery(store, spec, size)
        streams[size] = (_keys(list(outgoing.current())), _keys(list(outgoing.changes())))
        outgoing.settle(False)
    assert streams[1] == streams[2] == streams[1000]
    current, changed = streams[1]
    assert [(event, rec) for event, rec, *_ in changed] == [("closed", first)]
    with sqlite3.connect(db) as conn:
        live = {r for (r,) in conn.execute("select id from recommendations where status in ('open', 'accepted')")}
    assert {rec for event, rec, *_ in current if event == Event.UNCHANGED} == live
    accounts = [account for _, _, account, *_ in current]
    assert len(current) == len(live) + 1 and accounts == sorted(accounts) and len({*accounts}) == 5


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
