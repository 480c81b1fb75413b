"""A week's advice read on its indexes: the live advice that can land on a week's days or before it, nothing later.

A plan places an approach on its due day or later, never earlier: what falls due after a week's Sunday never lands
in that week, and books nobody's time before it. So a week reads the live advice due by its Sunday (overdue advice
included), every approach with a member due by then read whole (its lead decides its day, its companions ride with
it), on the (owner, due) index for a person's own advice and the accounts' index for the accounts that share people.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from .statuses import LIVE, Status

if TYPE_CHECKING:
    from .store import Store

#: The index a person's week reads their own advice on (migration ``m012_owner_due_index``).
OWNER_DUE_INDEX = "recommendations_owner_due"
_LIVE = f"status in ({', '.join('?' for _ in LIVE)})"
_CHUNK = 400  # accounts a statement: SQLite's older builds take 999 parameters at most


def week_rows(store: Store, accounts: Sequence[str], owners: Iterable[str], through: dt.date) -> list[dict[str, Any]]:
    """The live advice of ``accounts`` (by account, most urgent first) and then the advice ``owners`` own on other
    accounts, as the whole plan reads them, kept to what can be placed by ``through``: every approach that has a
    member due (or, snoozed, waking) by then, with all its members, and advice outside an approach due by then."""
    day = through.isoformat()
    wanted, own = sorted(set(accounts)), sorted(set(owners))
    rows = _of_accounts(store, wanted, "due <= ?", [day])
    theirs = [row for owner in own for row in _rows(store, "owner_id = ? and due <= ?", [owner, day])]
    approaches = json.dumps(sorted({str(r["approach"]) for r in (*rows, *theirs) if r["approach"]}))
    if approaches != "[]":  # the members of those approaches due later: the lead may be one of them
        mates = "due > ? and approach in (select value from json_each(?))"
        rows += _of_accounts(store, wanted, mates, [day, approaches])
        theirs += [row for owner in own for row in _rows(store, f"owner_id = ? and {mates}", [owner, day, approaches])]
    rows.sort(key=_seen_order)
    seen = set(wanted)
    rows += sorted((r for r in _unique(theirs) if r["account_id"] not in seen), key=_seen_order)
    return _by(rows, through)


def advised_accounts(store: Store, owner: str) -> set[str]:
    """The accounts on which ``owner`` owns live advice (their team's or not), on the owner's index."""
    rows = store.db.execute(f"select distinct account_id from recommendations where owner_id = ? and {_LIVE}",
                            [owner, *LIVE])  # fmt: skip
    return {str(account) for (account,) in rows}


def _of_accounts(store: Store, accounts: Sequence[str], where: str, args: list[Any]) -> list[dict[str, Any]]:
    """The live rows of ``accounts`` that also meet ``where``, a few hundred accounts a statement."""
    found = []
    for start in range(0, len(accounts), _CHUNK):
        chunk = accounts[start : start + _CHUNK]
        found += _rows(store, f"account_id in ({', '.join('?' for _ in chunk)}) and {where}", [*chunk, *args])
    return found


def _rows(store: Store, where: str, args: list[Any]) -> list[dict[str, Any]]:
    cursor = store.db.execute(f"select * from recommendations where {where} and {_LIVE}", [*args, *LIVE])
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def _seen_order(row: dict[str, Any]) -> tuple[str, float, str]:
    """``Store.find``'s order: by account, most urgent first, then id."""
    return str(row["account_id"]), -float(row["priority"]), str(row["id"])


def _unique(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row once (one read after another may meet a row twice), in the order first met."""
    return list({row["id"]: row for row in rows}.values())


def due_by(row: dict[str, Any]) -> str:
    """The day a stored recommendation is due as the plan takes it: when it wakes, if snoozed past its date."""
    wakes = row.get("snoozed_until") if row.get("status") == Status.SNOOZED else None
    return str(wakes) if wakes and wakes > row["due"] else str(row["due"])


def _by(rows: list[dict[str, Any]], through: dt.date) -> list[dict[str, Any]]:
    """The rows of the approaches (or single pieces of advice) whose soonest member is due by ``through``."""
    soonest: dict[str, str] = {}
    for row in rows:
        key = str(row["approach"] or f"id:{row['id']}")
        due = due_by(row)
        if key not in soonest or due < soonest[key]:
            soonest[key] = due
    day = through.isoformat()
    return [row for row in rows if soonest[str(row["approach"] or f"id:{row['id']}")] <= day]


def live_owners(store: Store, first: str) -> Iterator[str]:
    """The owners of advice, in order from ``first`` (itself included), one seek on the (owner, status) index each,
    read as the caller goes on."""
    after, op = first, ">="
    while True:
        found = store.db.execute(
            f"select owner_id from recommendations where owner_id {op} ? order by owner_id limit 1", [after]
        ).fetchone()
        if found is None:
            return
        after, op = str(found[0]), ">"
        yield after


#: What tells which row leads its approach (``plan.week``'s choice) and whether one is an occasion of its own day.
_LEADING = "id, account_id, subject_id, approach, action, priority, owner_id, due"


def owned_by(store: Store, owner: str, through: dt.date) -> list[dict[str, Any]]:
    """``owner``'s live advice due by ``through`` (``_LEADING``'s columns), on the (owner, due) index."""
    where = f"owner_id = ? and due <= ? and {_LIVE}"
    cursor = store.db.execute(
        f"select {_LEADING} from recommendations where {where}", [owner, through.isoformat(), *LIVE]
    )
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def members_of(store: Store, accounts: Iterable[str], approaches: Iterable[str]) -> list[dict[str, Any]]:
    """The live members (``_LEADING``'s columns) of ``approaches`` on ``accounts`` (theirs), on the accounts' index."""
    chosen, wanted = sorted(set(accounts)), json.dumps(sorted(set(approaches)))
    found = []
    for start in range(0, len(chosen), _CHUNK):
        chunk = chosen[start : start + _CHUNK]
        where = f"account_id in ({', '.join('?' for _ in chunk)}) and approach in (select value from json_each(?))"
        cursor = store.db.execute(f"select {_LEADING} from recommendations where {where} and {_LIVE}",
                                  [*chunk, wanted, *LIVE])  # fmt: skip
        names = [c[0] for c in cursor.description]
        found += [dict(zip(names, row, strict=True)) for row in cursor]
    return found


def unowned_accounts(store: Store) -> list[str]:
    """The accounts that have live advice nobody owns (an account without a team: its staffing), on the owner's
    index, in order."""
    rows = store.db.execute(f"select distinct account_id from recommendations where owner_id is null and {_LIVE}",
                            [*LIVE])  # fmt: skip
    return sorted(str(account) for (account,) in rows)
