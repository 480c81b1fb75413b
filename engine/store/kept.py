"""The snapshots table's writes: an account's latest snapshots (the pages draw them) and its team (who may see it)."""

from __future__ import annotations

import datetime as dt
import sqlite3

from ..model.rows import KeptSnapshot, body_digest

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
    again on the same export), told by its digest."""
    digest = kept.digest or body_digest(kept.body)
    if not always and _same_as_latest(conn, account_id, kept.body, digest):
        return
    received_at = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
    conn.execute(
        INSERT, [account_id, kept.account_name, kept.tier, kept.as_of, received_at, kept.body, decision_id, digest]
    )
    conn.execute(DROP_OLDER, [account_id, account_id, KEPT_PER_ACCOUNT])
    if not kept.team:  # an export without its team (no team.csv) says nothing of who is on it: leave it be
        return
    team = [(member, role) for member, role in kept.team]
    if conn.execute(SELECT_TEAM, [account_id]).fetchall() == sorted(team):
        return  # the same team as the night before: nothing to write
    conn.execute("delete from account_team where account_id = ?", [account_id])
    conn.executemany(
        "insert or replace into account_team (account_id, member_id, role) values (?, ?, ?)",
        [(account_id, member, role) for member, role in team],
    )


def _same_as_latest(conn: sqlite3.Connection, account_id: str, body: str, digest: str) -> bool:
    """Whether the account's latest kept snapshot is ``body``: by its digest, or by its text when it was kept without
    one (before ``m011_snapshot_digest``)."""
    latest = conn.execute(SELECT_LATEST, [account_id]).fetchone()
    if latest is None:
        return False
    kept_digest, kept_body = latest
    return bool(kept_digest == digest) if kept_digest is not None else bool(kept_body == body)


INSERT = (
    "insert into snapshots (account_id, account_name, tier, as_of, received_at, body, decision_id, digest)"
    " values (?, ?, ?, ?, ?, ?, ?, ?)"
)
# The text is read only for a row kept before digests were (SQLite reads no column a ``case`` does not reach).
SELECT_LATEST = (
    "select digest, case when digest is null then body end from snapshots where account_id = ? order by id desc limit 1"
)
DROP_OLDER = (
    "delete from snapshots where account_id = ? and id not in"
    " (select id from snapshots where account_id = ? order by id desc limit ?)"
)
SELECT_TEAM = "select member_id, role from account_team where account_id = ? order by member_id, role"
