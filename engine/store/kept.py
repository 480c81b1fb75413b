"""The snapshots table's writes: an account's latest snapshots (the pages draw them) and its team (who may see it)."""

from __future__ import annotations

import datetime as dt
import sqlite3

from ..model.rows import KeptSnapshot

#: Snapshots kept per account (the newest); older ones are dropped when a new one comes. The pages and the API
#: read only the latest; a nightly batch writes one per account and night, so the history stays short.
KEPT_PER_ACCOUNT = 3


def keep_snapshot(
    conn: sqlite3.Connection,
    account_id: str,
    kept: KeptSnapshot,
    decision_id: str | None = None,
    *,
    always: bool = True,
) -> None:
    """``kept`` as the account's latest snapshot and its team (if it names one) as the account's team, in the
    caller's transaction; unless ``always``, nothing is written when the latest is the same text (a batch run
    again on the same export)."""
    if not always:
        latest = conn.execute(
            "select body from snapshots where account_id = ? order by id desc limit 1", [account_id]
        ).fetchone()
        if latest is not None and latest[0] == kept.body:
            return
    received_at = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
    conn.execute(
        "insert into snapshots (account_id, account_name, tier, as_of, received_at, body, decision_id)"
        " values (?, ?, ?, ?, ?, ?, ?)",
        [account_id, kept.account_name, kept.tier, kept.as_of, received_at, kept.body, decision_id],
    )
    conn.execute(
        "delete from snapshots where account_id = ? and id not in"
        " (select id from snapshots where account_id = ? order by id desc limit ?)",
        [account_id, account_id, KEPT_PER_ACCOUNT],
    )
    if not kept.team:  # an export without its team (no team.csv) says nothing of who is on it: leave it be
        return
    conn.execute("delete from account_team where account_id = ?", [account_id])
    conn.executemany(
        "insert or replace into account_team (account_id, member_id, role) values (?, ?, ?)",
        [(account_id, member, role) for member, role in kept.team],
    )
