"""Every read the pages and the API make is an indexed search: the SQL they run, traced, then EXPLAIN QUERY PLAN'd,
holds no full scan of recommendations or snapshots (a store of 40,000 accounts would read all of it a request)."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from kamengine.engine.api import Engine
from kamengine.engine.api.access import TokenHolder
from kamengine.engine.api.week import planner
from kamengine.engine.model.config import Config
from kamengine.engine.model.documents import Document
from kamengine.engine.model.loading import snapshot_from_document
from kamengine.engine.plugin._manager import get_plugin_manager
from kamengine.engine.plugin._registry import Registry
from kamengine.engine.store import records
from kamengine.engine.store.record_shapes import Logged
from kamengine.engine.store.snapshots import save_snapshot
from kamengine.engine.store.store import Store
from kamengine.engine.store.summaries import _REFRESH
from support import builtin_advisor, example_data

LARGE = ("recommendations", "snapshots")
ADMIN = TokenHolder("t-admin", "boss", "admin")
MEMBER = TokenHolder("t-ar", "u-ar", "act")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """Three accounts of the bundled example (each with its team and advice) after one run, never ANALYZEd: the
    planner then takes every table for a large one, as a store of an organisation is."""
    opened = advised(tmp_path_factory.mktemp("plans") / "k.db", 3)
    yield opened
    opened.close()


def advised(path: Path, accounts: int) -> Store:
    """A store at ``path`` with ``accounts`` accounts of the bundled example, advised and their snapshots kept."""
    opened = Store(path)
    run_id, _ = opened.start_run("test")
    for n in range(accounts):
        data = example_data()
        data["account"]["id"] = f"acct-{n}"
        snapshot = snapshot_from_document(Document(data, "example"))
        opened.apply_advice(run_id, snapshot, builtin_advisor().advise(snapshot).recommendations)
        save_snapshot(opened, snapshot, data)
    return opened


@contextlib.contextmanager
def traced(store: Store) -> Iterator[list[str]]:
    """The statements the store's connection runs inside the block, their parameters filled in."""
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    try:
        yield statements
    finally:
        store.db.conn.set_trace_callback(None)


def full_scans(conn: sqlite3.Connection, sql: str) -> list[str]:
    """The steps of ``sql``'s plan that read all of recommendations or snapshots (under their own name or an
    alias the statement gives them): a SCAN, or a search on the status alone without a limit (a status is most of
    the store)."""
    names = set(LARGE)
    for alias in re.findall(r"\b(?:recommendations|snapshots)\s+(?:as\s+)?(\w+)", sql, re.IGNORECASE):
        if alias.lower() not in {"where", "on", "join", "left", "order", "group", "limit", "set", "values"}:
            names.add(alias)
    plan = [str(row[3]) for row in conn.execute(f"explain query plan {sql}")]
    unlimited = not re.search(r"\blimit\b", sql, re.IGNORECASE)
    by_status = r"SEARCH (\w+) USING (?:COVERING )?INDEX \w+ \(status=\?\)$"
    return [
        step
        for step in plan
        if ((m := re.match(r"SCAN (\w+)", step)) and m.group(1) in names)
        or (unlimited and (m := re.match(by_status, step)) and m.group(1) in names)
    ]


def reads(statements: list[str]) -> list[str]:
    """The statements that read (a ``select``/``with``, an update or delete finds its rows too) a large table."""
    kept = [s for s in statements if re.match(r"\s*(select|with|update|delete)\b", s, re.IGNORECASE)]
    return [s for s in kept if any(t in s for t in LARGE)]


#: The Sunday of the week the bounded week reads are asked for (today being 2026-12-07, a Monday).
SUNDAY = dt.date(2026, 12, 13)


def _week(
    store: Store, reader: TokenHolder, person: str | None, through: dt.date | None = None, account: str | None = None
) -> Any:
    week = planner(Registry(get_plugin_manager(load_entry_points=False)), Config())
    return week.stored_week(store, dt.date(2026, 12, 7), reader=reader, person=person, through=through, account=account)


def _first_id(store: Store) -> str:
    return str(store.find("acct-1", ["open"])[0]["id"])


REQUESTS: dict[str, Callable[[Store], Any]] = {
    "portfolio page (admin)": lambda s: Engine.portfolio_page(s, ADMIN, None, 2),
    "portfolio next page (admin)": lambda s: Engine.portfolio_page(
        s, ADMIN, Engine.portfolio_page(s, ADMIN, None, 1).next_after, 1
    ),
    "portfolio page (member)": lambda s: Engine.portfolio_page(s, MEMBER, None, 2),
    "portfolio lines' snapshots": lambda s: Engine.snapshot_bodies(s, [1, 2]),
    "recommendations page (admin)": lambda s: Engine.recommendations_seen(s, ADMIN, limit=5),
    "recommendations next page (admin)": lambda s: Engine.recommendations_seen(
        s, ADMIN, after=Engine.recommendations_seen(s, ADMIN, limit=5).next_after, limit=5
    ),
    "recommendations page (member)": lambda s: Engine.recommendations_seen(s, MEMBER, limit=5),
    "recommendations of an owner": lambda s: Engine.recommendations_seen(s, ADMIN, owner="u-ar", limit=5),
    "recommendations of an account": lambda s: Engine.recommendations_seen(s, MEMBER, account="acct-1", limit=5),
    "a person's week (plan, week page, calendar)": lambda s: _week(s, MEMBER, "u-sr"),
    "the reader's own week": lambda s: _week(s, MEMBER, None),
    "one week of a person (week page, /v1/plan?week=)": lambda s: _week(s, MEMBER, "u-sr", SUNDAY),
    "one week of the reader's own": lambda s: _week(s, MEMBER, None, SUNDAY),
    "one week of everyone sharing an account (admin)": lambda s: _week(s, ADMIN, None, SUNDAY, "acct-1"),
    "accounts (admin)": lambda s: Engine.accounts_seen_by(s, ADMIN),
    "accounts (member)": lambda s: Engine.accounts_seen_by(s, MEMBER),
    "decision log (member)": lambda s: Engine.decision_log(s, MEMBER),
    "account page": lambda s: (Engine.last_snapshot(s, "acct-1"), Engine.live_recommendations(s, "acct-1")),
    "who reads": lambda s: (Engine.member_name(s, "u-ar"), Engine.role_on(s, "acct-1", "u-ar")),
    "one recommendation": lambda s: Engine.recommendation(s, _first_id(s)),
    "a decision": lambda s: records.decide_logged(s, _first_id(s), "accept", "u-ar", logged=Logged("r", "t-ar", b"{}")),
}


@pytest.mark.parametrize("name", list(REQUESTS))
def test_a_request_reads_recommendations_and_snapshots_on_their_indexes(store: Store, name: str) -> None:
    with traced(store) as statements:
        REQUESTS[name](store)
    read = reads(statements)
    assert read, f"{name}: no statement read recommendations or snapshots (the trace caught nothing)"
    scans = {sql: found for sql in read if (found := full_scans(store.db.conn, sql))}
    assert not scans, f"{name} scans a whole table: {scans}"


def test_a_week_reads_its_persons_advice_by_owner_and_due(store: Store) -> None:
    """One week's read of a person's own advice seeks their rows due by its Sunday on the (owner, due) index, and
    reads nothing due after it but the members of approaches due by then."""
    with traced(store) as statements:
        _week(store, MEMBER, "u-sr", SUNDAY)
    owned = [sql for sql in reads(statements) if "owner_id = 'u-sr' and due <=" in sql]
    assert owned, "the week read no advice by its owner and due day"
    for sql in owned:
        steps = [str(row[3]) for row in store.db.conn.execute(f"explain query plan {sql}")]
        assert any("recommendations_owner_due (owner_id=? AND due<?)" in step for step in steps), steps
    later = [sql for sql in reads(statements) if "due > " in sql]
    assert later and all("approach in (select value from json_each(" in sql for sql in later)


def test_the_summary_the_writer_keeps_is_refreshed_on_the_accounts_index(store: Store) -> None:
    """The triggers' statement (each write to recommendations runs it for its account): EXPLAIN of the write that
    fires it does not show it, so it is explained on its own."""
    assert not full_scans(store.db.conn, _REFRESH.format("'acct-1'"))


def test_the_check_sees_a_full_scan_under_a_name_or_an_alias(store: Store) -> None:
    conn = store.db.conn
    assert full_scans(conn, "select id from recommendations where title = 'x'")
    assert full_scans(conn, "select r.id from recommendations r where r.title = 'x'")
    assert full_scans(conn, "select s.id from snapshots as s where s.body like '%x%'")
    assert full_scans(conn, "select * from recommendations where status = 'open' order by account_id, priority desc")
    assert not full_scans(conn, "select * from recommendations where status = 'open' order by account_id limit 5")
    assert not full_scans(conn, "select id from recommendations where account_id = 'acct-1'")


def test_an_existing_store_gains_its_summary_when_opened(tmp_path: Path) -> None:
    """A store from before the summary (its migration undone) gets it filled from its rows when opened, the same
    as one the triggers kept from the start; its decisions keep it from then on."""
    opened = advised(tmp_path / "k.db", 2)
    query = "select * from account_summary order by account_id"
    kept = opened.db.execute(query).fetchall()
    assert len(kept) == 2
    conn = opened.db.conn
    for (trigger,) in conn.execute("select name from sqlite_master where type = 'trigger'").fetchall():
        conn.execute(f"drop trigger {trigger}")
    conn.execute("drop index recommendations_seen")
    conn.execute("drop table account_summary")
    conn.execute("delete from _sqlite_migrations where name = 'm009_portfolio_summary'")
    conn.commit()
    opened.close()
    again = Store(tmp_path / "k.db")
    assert again.db.execute(query).fetchall() == kept
    open_ones = again.find("acct-1", ["open"])
    records.decide_logged(again, open_ones[0]["id"], "done", "u-ar", logged=Logged("r", "t", b"{}"))
    row = again.db.execute("select open_count, live from account_summary where account_id = 'acct-1'").fetchone()
    assert row == (len(open_ones) - 1, len(open_ones) - 1)
    again.close()


def test_the_summary_counts_what_the_store_holds(tmp_path: Path) -> None:
    """The kept summary agrees with the recommendations and snapshots it summarises after a night's advice, a
    second night refreshing it, and decisions (the triggers ran in each writer's transaction)."""
    opened = advised(tmp_path / "k.db", 2)
    run_id, _ = opened.start_run("test")
    for n in range(2):  # the second night: the same advice refreshed, its run and text rewritten
        data = example_data()
        data["account"]["id"] = f"acct-{n}"
        snapshot = snapshot_from_document(Document(data, "example"))
        opened.apply_advice(run_id, snapshot, builtin_advisor().advise(snapshot).recommendations)
    live = opened.find("acct-1", ["open"])
    logged = Logged("r", "t", b"{}")
    records.decide_logged(opened, live[0]["id"], "accept", "u-ar", logged=logged)
    records.decide_logged(opened, live[1]["id"], "snooze", "u-ar", until=dt.date.today() + dt.timedelta(days=9),
                          logged=logged)  # fmt: skip
    records.decide_logged(opened, live[2]["id"], "done", "u-ar", logged=logged)
    counted = opened.db.execute(
        "select account_id, sum(status = 'open'), sum(status = 'accepted'), sum(status = 'snoozed'), count(*),"
        " min(due), max(last_run), sum(action = 'broaden_relationships' and subject_kind = 'account')"
        " from recommendations where status in ('open', 'accepted', 'snoozed') group by account_id order by 1"
    ).fetchall()
    kept = opened.db.execute(
        "select account_id, open_count, accepted_count, snoozed_count, live, next_due, last_run, flagged"
        " from account_summary order by 1"
    ).fetchall()
    assert kept == counted
    assert counted[1][1:4] == (len(live) - 3, 1, 1)
    latest = opened.db.execute("select account_id, max(id) from snapshots group by account_id order by 1").fetchall()
    assert opened.db.execute("select account_id, snapshot_id from account_summary order by 1").fetchall() == latest
    opened.close()


#: What ``snapshots.accounts`` read before the summary: every account from the recommendations and the snapshots.
BEFORE = """
    with known as (
        select account_id, max(account_name) as account_name from recommendations group by account_id
        union select account_id, account_name from snapshots
    ), latest as (select account_id, max(id) as id from snapshots group by account_id)
    select k.account_id, coalesce(s.account_name, max(k.account_name)) as account_name, s.tier, s.as_of,
           s.received_at, t.role,
           (select count(*) from recommendations r
             where r.account_id = k.account_id and r.status in ('open', 'accepted', 'snoozed')) as live
    from known k left join latest l on l.account_id = k.account_id left join snapshots s on s.id = l.id
    left join account_team t on t.account_id = k.account_id and t.member_id = ?
    where ? is null or t.member_id is not null
    group by k.account_id order by k.account_id
"""


def test_the_accounts_from_the_summary_are_those_the_whole_tables_gave(tmp_path: Path) -> None:
    """``/v1/accounts`` from the summary lists what the read of every recommendation listed, with an account known
    from its advice alone (no snapshot: the advice's name) and after a decision."""
    opened = advised(tmp_path / "k.db", 2)
    run_id, _ = opened.start_run("test")
    data = example_data()
    data["account"].update(id="acct-advice-only", name="Advice Only")
    snapshot = snapshot_from_document(Document(data, "example"))
    opened.apply_advice(run_id, snapshot, builtin_advisor().advise(snapshot).recommendations)
    records.decide_logged(opened, _first_id(opened), "dismiss", "u-ar", "no", logged=Logged("r", "t", b"{}"))
    with opened.writing():  # its snapshot gone (a prune): the advice alone names it
        opened.db.conn.execute("delete from snapshots where account_id = 'acct-advice-only'")
    for reader in (ADMIN, MEMBER):
        member = None if reader.may("admin") else reader.member
        cursor = opened.db.execute(BEFORE, [member, member])
        names = [c[0] for c in cursor.description]
        before = [dict(zip(names, row, strict=True)) for row in cursor]
        assert Engine.accounts_seen_by(opened, reader) == before
    assert any(row["account_name"] == "Advice Only" for row in Engine.accounts_seen_by(opened, ADMIN))
    opened.close()
