"""The figures a monitoring scrape reads of the store: the last finished batch run, the store's size."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .store import Store


@dataclass(frozen=True)
class LastRun:
    """The latest finished batch run: its accounts, failed accounts, when it finished and how long it took."""

    run_id: str
    accounts: int
    failed: int
    finished_at: dt.datetime
    seconds: float


def last_finished_run(store: Store) -> LastRun | None:
    """The latest finished batch run, or None before the first. A snapshot update through the service is a run of
    its own (source ``api:ACCOUNT``), not a batch: left out. Read newest first by rowid, which stops at the first
    batch run found: only the updates since it are passed over, however many runs the table holds."""
    row = store.db.execute(
        "select id, started_at, finished_at, summary from runs "
        "where status = ? and finished_at is not null and source not like ? order by rowid desc limit 1",
        ["finished", "api:%"],
    ).fetchone()
    if row is None:
        return None
    run_id, started, finished, summary = row
    totals = json.loads(summary) if summary else {}
    started_at, finished_at = dt.datetime.fromisoformat(started), dt.datetime.fromisoformat(finished)
    seconds = (finished_at - started_at).total_seconds()
    return LastRun(run_id, int(totals.get("accounts", 0)), int(totals.get("failed", 0)), finished_at, seconds)


def store_bytes(store: Store) -> int:
    """The store's size in bytes: its pages, as SQLite counts them (the write-ahead log aside)."""
    pages = store.db.execute("pragma page_count").fetchone()[0]
    size = store.db.execute("pragma page_size").fetchone()[0]
    return int(pages) * int(size)
