"""Pruning the store by the ``[retention]`` settings: closed advice, old snapshots, runs and the decision log.

Rows go in batches of ``BATCH``, each batch its own write transaction that takes the write lock first
(``Store.writing``), so a service deciding on the same store waits a batch, never the whole prune.
Nothing goes that the store still reads: closed advice whose cooldown still holds (the lifecycle would
open it again as new), advice an emitter still holds live (its closing is not delivered yet), each
account's latest snapshot and those the decision log names, a run still running, the latest run of a
source (``--resume``, ``--retry-failed``, coverage), runs live advice was last given by (expiry reads
them) and runs with deliveries pending. Stance history is not pruned: it keeps changes only.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ..model.retention import Retention, cutoff
from .statuses import CLOSED_FOR_COOLDOWN, LIVE, Status
from .store import Store

#: Rows deleted per write transaction: about 10-30 ms each, so a waiting writer waits no longer than that.
BATCH = 500
#: The tables a prune reports, in this order.
TABLES = ("recommendations", "status_history", "snapshots", "runs", "run_accounts", "deliveries", "decisions")
#: Rows removed per table by one batch.
Removed = dict[str, int]

_LIVE = ", ".join(f"'{status.value}'" for status in LIVE)
_COOLING = ", ".join(f"'{status.value}'" for status in CLOSED_FOR_COOLDOWN)
_GONE = f"'{Status.RESOLVED.value}', '{Status.EXPIRED.value}'"

# ?1 cutoff date, ?2 today, ?3 the actions' cooldowns ({"action": days}, JSON). Done and dismissed advice goes once
# its cooldown has passed by the account's last advised night (no run of the account can be dated before that:
# time_order.py) and by today; an action without a cooldown, or unknown here, keeps it closed for good: it stays.
CLOSED = f"""
    select r.id as k from recommendations r
    where r.status_at < ?1 and (
        r.status in ({_GONE})
        or (r.status in ({_COOLING}) and exists (
            select 1 from json_each(?3) c where c.key = r.action and c.value is not null
            and julianday(min(?2, (select max(o.as_of) from recommendations o where o.account_id = r.account_id)))
                - julianday(substr(r.status_at, 1, 10)) >= c.value)))
    and not exists (select 1 from delivered d where d.recommendation_id = r.id and d.live = 1)
"""  # built from constants: every value is a parameter
# ?1 cutoff date, ?2 the decision log's cutoff (None: it keeps everything).
SNAPSHOTS = """
    select s.id as k from snapshots s
    where s.as_of < ?1 and s.id not in (select max(id) from snapshots group by account_id)
    and (s.decision_id is null or not exists (select 1 from decisions d where d.id = s.decision_id
                                              and (?2 is null or d.at >= ?2)))
"""
# ?1 cutoff date.
RUNS = f"""
    select r.id as k from runs r
    where r.started_at < ?1 and r.status != 'running'
    and r.id not in (select id from (select id, row_number() over
                                      (partition by source order by started_at desc, id desc) as n from runs)
                     where n = 1)
    and not exists (select 1 from recommendations l where l.last_run = r.id and l.status in ({_LIVE}))
    and not exists (select 1 from deliveries d where d.run_id = r.id and d.status = 'pending')
"""
DECISIONS = "select rowid as k from decisions where at < ?1"


@dataclass
class Pruned:
    """What a prune removed (or, dry, would remove) per table, and what the file can give back."""

    removed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    dry_run: bool = False
    free_bytes: int = 0  # pages the file holds free after the prune (reused by later writes)
    auto_vacuum: str = "none"  # the store's auto_vacuum mode: none, full or incremental


def prune(
    store: Store, retention: Retention, today: dt.date | None = None, *, dry_run: bool = False, batch: int = BATCH
) -> Pruned:
    """Remove from ``store`` what ``retention`` no longer keeps as of ``today`` (the machine's UTC date); with
    ``dry_run``, only count it. The store's actions (``Store.actions``) give the cooldowns."""
    day = today or dt.datetime.now(dt.UTC).date()
    result = Pruned(dry_run=dry_run)
    decisions_from = cutoff(day, retention.decision_log_days)
    cooldowns = json.dumps({action: store.actions[action].cooldown_days for action in store.actions.ids()})
    steps: list[tuple[str, str, list[object], Callable[[sqlite3.Connection, list[object]], Removed]]] = []
    if decisions_from is not None:
        steps.append(("decisions", DECISIONS, [decisions_from], _delete_decisions))
    closed_from = cutoff(day, retention.closed_recommendation_days)
    if closed_from is not None:
        steps.append(("recommendations", CLOSED, [closed_from, day.isoformat(), cooldowns], _delete_recommendations))
    snapshots_from = cutoff(day, retention.snapshot_days)
    if snapshots_from is not None:
        steps.append(("snapshots", SNAPSHOTS, [snapshots_from, decisions_from], _delete_snapshots))
    runs_from = cutoff(day, retention.run_days)
    if runs_from is not None:
        steps.append(("runs", RUNS, [runs_from], _delete_runs))
    for table, query, args, delete in steps:
        if dry_run:
            _count(store.db.conn, table, query, args, result)
            continue
        for found in _batches(store.db.conn, query, args, batch):
            with store.writing():  # asked again under the lock: a person may have reopened advice meanwhile
                keys = [row[0] for row in store.db.conn.execute(_AGAIN.format(query, _marks(found)), [*args, *found])]
                for name, removed in delete(store.db.conn, keys).items() if keys else ():
                    result.removed[name] += removed
    result.free_bytes, result.auto_vacuum = _free(store.db.conn)
    return result


def _batches(conn: sqlite3.Connection, query: str, args: list[object], size: int) -> Iterator[list[object]]:
    """The keys ``query`` finds, ``size`` at a time in key order, each batch read outside any transaction (a serving
    process may write in between); -1 sorts before every key, integer or text."""
    last: object = -1
    while True:
        keys = [row[0] for row in conn.execute(_NEXT.format(query), [*args, last, size])]
        if not keys:
            return
        yield keys
        last = keys[-1]


_NEXT = "select k from ({}) where k > ? order by k limit ?"
_AGAIN = "select k from ({}) where k in ({})"


def _marks(keys: list[object]) -> str:
    return ", ".join("?" for _ in keys)


def _delete_decisions(conn: sqlite3.Connection, keys: list[object]) -> Removed:
    return {"decisions": conn.execute(f"delete from decisions where rowid in ({_marks(keys)})", keys).rowcount}


def _delete_recommendations(conn: sqlite3.Connection, keys: list[object]) -> Removed:
    marks = _marks(keys)
    history = conn.execute(f"delete from status_history where recommendation_id in ({marks})", keys).rowcount
    return {
        "status_history": history,
        "recommendations": conn.execute(f"delete from recommendations where id in ({marks})", keys).rowcount,
    }


def _delete_snapshots(conn: sqlite3.Connection, keys: list[object]) -> Removed:
    return {"snapshots": conn.execute(f"delete from snapshots where id in ({_marks(keys)})", keys).rowcount}


def _delete_runs(conn: sqlite3.Connection, keys: list[object]) -> Removed:
    marks = _marks(keys)
    conn.execute(
        f"delete from delivery_items where delivery_id in (select id from deliveries where run_id in ({marks}))", keys
    )
    return {
        "deliveries": conn.execute(f"delete from deliveries where run_id in ({marks})", keys).rowcount,
        "run_accounts": conn.execute(f"delete from run_accounts where run_id in ({marks})", keys).rowcount,
        "runs": conn.execute(f"delete from runs where id in ({marks})", keys).rowcount,
    }


def _count(conn: sqlite3.Connection, table: str, query: str, args: list[object], result: Pruned) -> None:
    """What the step would remove, its dependent rows too, without removing anything."""
    keys = f"select k from ({query})"
    result.removed[table] += conn.execute(f"select count(*) from ({keys})", args).fetchone()[0]
    for dependent, counting in _DEPENDENT_COUNTS.get(table, ()):
        result.removed[dependent] += conn.execute(counting.format(keys=keys), args).fetchone()[0]


_DEPENDENT_COUNTS = {
    "recommendations": (("status_history", "select count(*) from status_history where recommendation_id in ({keys})"),),
    "runs": (
        ("run_accounts", "select count(*) from run_accounts where run_id in ({keys})"),
        ("deliveries", "select count(*) from deliveries where run_id in ({keys})"),
    ),
}


def _free(conn: sqlite3.Connection) -> tuple[int, str]:
    """The bytes the file holds in free pages, and its auto_vacuum mode; incremental mode gives them back now."""
    (mode,) = conn.execute("pragma auto_vacuum").fetchone()
    name = {0: "none", 1: "full", 2: "incremental"}.get(int(mode), "none")
    if name == "incremental":
        conn.execute("pragma incremental_vacuum")
    (pages,) = conn.execute("pragma freelist_count").fetchone()
    (size,) = conn.execute("pragma page_size").fetchone()
    return int(pages) * int(size), name


def vacuum(store: Store) -> int:
    """Rebuild the store's file without its free pages (``VACUUM``: it holds the store for as long as it takes, so
    never while a service or a batch uses it); the bytes the file shrank by."""
    before = store.path.stat().st_size
    store.db.conn.execute("pragma wal_checkpoint(truncate)")
    store.db.conn.execute("vacuum")
    store.db.conn.execute("pragma wal_checkpoint(truncate)")
    return max(0, before - store.path.stat().st_size)
