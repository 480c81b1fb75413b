"""Snapshots the service received, per account, and each account's team: who may see it."""

from __future__ import annotations

import json
from typing import Any

from ..model.rows import kept_snapshot
from ..model.snapshot import Snapshot
from .kept import keep_snapshot
from .store import Store


def save_snapshot(store: Store, snapshot: Snapshot, data: Any, decision_id: str | None = None) -> None:
    """Keep ``data`` (the snapshot as received, validated as ``snapshot``) as its account's latest; its team
    becomes the account's team. Inside the caller's transaction if one is open."""
    with store.writing():
        keep_snapshot(store.db.conn, snapshot.account.id, kept_snapshot(snapshot, data), decision_id)


def last_snapshot(store: Store, account_id: str) -> dict[str, Any] | None:
    """The account's latest snapshot row, its ``body`` parsed back; None if the service never got one."""
    row = store.db.execute(
        "select id, account_id, account_name, tier, as_of, received_at, body, decision_id from snapshots"
        " where account_id = ? order by id desc limit 1",
        [account_id],
    ).fetchone()
    if row is None:
        return None
    keys = ("id", "account_id", "account_name", "tier", "as_of", "received_at", "body", "decision_id")
    found = dict(zip(keys, row, strict=True))
    return {**found, "body": json.loads(found["body"])}


def latest_snapshots(store: Store, member: str | None = None) -> list[dict[str, Any]]:
    """Every account's latest snapshot (``account_id``, ``body`` parsed back), in one query; with ``member``,
    only those of the accounts whose team they are on."""
    query = """
        select s.account_id, s.body from snapshots s
        join (select account_id, max(id) as id from snapshots group by account_id) l on l.id = s.id
        left join account_team t on t.account_id = s.account_id and t.member_id = ?
        where ? is null or t.member_id is not null
        order by s.account_id
    """
    return [{"account_id": a, "body": json.loads(body)} for a, body in store.db.execute(query, [member, member])]


def accounts(store: Store, member: str | None = None) -> list[dict[str, Any]]:
    """Every account the store knows (from snapshots or from advice), with its live advice counted; with
    ``member``, only the accounts whose last snapshot has them on the team (and their role). From the summary the
    store keeps (``summaries.py``), not the recommendations themselves."""
    query = """
        select s.account_id, coalesce(n.account_name, s.rec_name) as account_name, n.tier, n.as_of, n.received_at,
               t.role, s.live
        from account_summary s
        left join snapshots n on n.id = s.snapshot_id
        left join account_team t on t.account_id = s.account_id and t.member_id = ?
        where ? is null or t.member_id is not null
        order by s.account_id
    """
    cursor = store.db.execute(query, [member, member])
    columns = [c[0] for c in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor]


def role_on(store: Store, account_id: str, member: str) -> str | None:
    """The member's role on the account's current team (AR, SR, FR, AD), or None if they are not on it."""
    row = store.db.execute(
        "select role from account_team where account_id = ? and member_id = ?", [account_id, member]
    ).fetchone()
    return str(row[0]) if row else None


def team_accounts(store: Store, member: str) -> set[str]:
    """The accounts whose current team has ``member`` on it."""
    rows = store.db.execute("select account_id from account_team where member_id = ?", [member])
    return {str(row[0]) for row in rows}


def member_name(store: Store, member: str) -> str | None:
    """What the team calls ``member`` ("Chen Jing (AD)"), from the latest snapshot of an account they are on."""
    row = store.db.execute(
        "select s.body from account_team t join snapshots s on s.account_id = t.account_id"
        " where t.member_id = ? order by s.id desc limit 1",
        [member],
    ).fetchone()
    if row is None:
        return None
    team = json.loads(row[0]).get("team") or []
    found = next((m for m in team if isinstance(m, dict) and m.get("id") == member), None)
    return f"{found.get('name') or member} ({found.get('role')})" if found else None


def sharing(store: Store, people: set[str], accounts: set[str]) -> set[str]:
    """``accounts`` and every account reachable from them and from ``people`` through the current teams (person -
    account - person ...), walked on the teams' indexes: the read costs the accounts found, not every team."""
    found, met = set(accounts), set(people)
    new_people, new_accounts = set(people), set(accounts)
    while new_people or new_accounts:
        for _, member in _links(store, "account_id", new_accounts):
            if member not in met:
                met.add(member)
                new_people.add(member)
        new_accounts = {account for account, _ in _links(store, "member_id", new_people)} - found
        found |= new_accounts
        new_people = set()
    return found


def _links(store: Store, column: str, values: set[str]) -> list[tuple[str, str]]:
    """The (account id, member id) team rows whose ``column`` (account_id or member_id) is one of ``values``."""
    wanted, links = sorted(values), []
    for start in range(0, len(wanted), 500):  # SQLite's older builds take 999 parameters at most
        chunk = wanted[start : start + 500]
        query = f"select account_id, member_id from account_team where {column} in ({', '.join('?' for _ in chunk)})"
        links += [(str(account), str(member)) for account, member in store.db.execute(query, chunk)]
    return links


def team_links(store: Store) -> list[tuple[str, str]]:
    """Every (account id, member id) of the accounts' current teams: who works on what."""
    rows = store.db.execute("select account_id, member_id from account_team")
    return [(str(account), str(member)) for account, member in rows]
