"""What people ask of the store by hand: ids by prefix, a page of the list, one item with its history, decisions."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..errors import KamengineError, UsageError
from ..model.recommendation import Recommendation
from .decisions import immediate, log_decision
from .record_shapes import DEFAULT_LIMIT, Decided, Logged, Page, Slice, seen_key
from .snapshots import team_accounts
from .statuses import COMMAND_LINE, LIVE, VERBS, Asked, Status, decision_error
from .store_file import StoreError
from .unknown_ids import unknown_id

if TYPE_CHECKING:
    from .holders import TokenHolder
    from .store import Store

#: How many candidates an ambiguous prefix lists.
CANDIDATES = 10
#: Sorts after every character an id can hold: ``id >= p and id < p + END`` is "starts with p" on the index.
_END = "\U0010ffff"
#: The order a person works through: soonest due, then most urgent, then as the planner gave them.
ORDER = "due, priority desc, rowid"
#: ``seen_slice``'s order (``Store.find``'s, ``seen_key``'s): by account, most urgent first.
_SEEN = "account_id, priority desc, id"


def resolve(store: Store, ref: str) -> str:
    """The whole id of the one recommendation whose id starts with ``ref`` (``rec-`` may be left out)."""
    ref = ref.strip()
    if not ref:
        raise UsageError("a recommendation id is empty")
    for prefix in (ref,) if ref.startswith("rec-") else (ref, "rec-" + ref):
        query = "select id from recommendations where id >= ? and id < ? order by id limit ?"
        ids = [row[0] for row in store.db.conn.execute(query, [prefix, prefix + _END, CANDIDATES + 1])]
        if len(ids) == 1 or ref in ids:
            return ref if ref in ids else ids[0]
        if ids:
            more = ", …" if len(ids) > CANDIDATES else ""
            raise StoreError(
                f"'{ref}' is the start of more than one id ({', '.join(ids[:CANDIDATES])}{more}); give more of it"
            )
    raise StoreError(unknown_id(store.db.conn, ref, store.path))


def list_page(
    store: Store,
    account: str | None = None,
    statuses: Iterable[str] = (),
    owner: str | None = None,
    limit: int = DEFAULT_LIMIT,
    page: int = 1,
) -> Page:
    """The ``page``-th ``limit`` recommendations (``limit`` 0: all) by account, statuses (none: all) and owner."""
    if limit < 0 or page < 1:
        raise UsageError(f"a page is 1 or more and a limit 0 (no limit) or more, not page {page}, limit {limit}")
    where, args = [], []
    for column, value in (("account_id", account), ("owner_id", owner)):
        if value:
            where.append(f"{column} = ?")
            args.append(value)
    statuses = list(statuses)
    if statuses:
        where.append(f"status in ({', '.join('?' for _ in statuses)})")
        args += statuses
    clause = " and ".join(where) or None
    table = store.db.table("recommendations")
    total = table.count_where(clause, args)
    rows = table.rows_where(clause, args, order_by=ORDER, limit=limit or None, offset=(page - 1) * limit or None)
    return Page(list(rows), total, page, limit)


def show(store: Store, ref: str) -> dict[str, Any]:
    """One recommendation (an id or a unique prefix of one): every stored field, and its ``history`` (each
    ``status_history`` row: status, by, at, reason, run_id...), oldest first."""
    rec_id = resolve(store, ref)
    return {**store.get(rec_id), "history": store.history(rec_id)}


def decide(
    store: Store,
    refs: Sequence[str],
    status: str,
    by: str,
    reason: str = "",
    until: dt.date | None = None,
    today: dt.date | None = None,
) -> list[Decided]:
    """One decision on several recommendations (ids or unique prefixes): each is made, or says why
    not, whatever became of the others. A mistake in the decision itself (a dismissal without a
    reason, a snooze that ends in the past) is a ``UsageError`` before any is made."""
    mistake = decision_error(status, reason, until, today or dt.date.today())
    if mistake:
        raise UsageError(mistake)
    decisions = []
    for ref in refs:
        try:
            decisions.append(Decided(ref, store.change(resolve(store, ref), status, by, reason, until)))
        except KamengineError as exc:
            decisions.append(Decided(ref, error=str(exc)))
    return decisions


def decide_logged(
    store: Store,
    rec_id: str,
    verb: str,
    by: str,
    reason: str = "",
    until: dt.date | None = None,
    *,
    logged: Logged,
    asked: Asked = COMMAND_LINE,
    writing: AbstractContextManager[Any] | None = None,
) -> dict[str, Any]:
    """One decision (``VERBS``: accept, done, dismiss, snooze, reopen) on one recommendation (its whole id), kept
    in the decision log in the same transaction: the recommendation as it is now.

    ``writing`` is held around the transaction (the service's lock: its threads take turns at the store). The
    transaction takes the store's write lock before it reads (``Store.writing``), so a nightly run that reads the
    account after it sees the decision, and one that wrote before it is what the decision changes: a person's
    decision wins over that night's refresh. A mistake in the decision is a ``UsageError``, a change its status
    does not allow a ``StoreError``; either way nothing is written.
    """
    with writing or contextlib.nullcontext(), immediate(store):
        changed = store.change(rec_id, VERBS[verb], by, reason, until=until, asked=asked)
        account = changed["account_id"]
        log_decision(store, verb, account, logged.revision, logged.principal, logged.said, [rec_id])
    return changed


def seen_slice(
    store: Store,
    holder: TokenHolder,
    owner: str | None = None,
    account: str | None = None,
    statuses: Iterable[str] = (),
    after: Sequence[Any] | None = None,
    limit: int = 50,
) -> Slice:
    """The ``limit`` stored recommendations after the key ``after`` (``seen_key``; None: from the first) that
    the holder may see (admin: all; else their own and their accounts'), by owner, account and statuses (none:
    the live ones), most urgent first per account."""
    if limit < 1:
        raise UsageError(f"a slice holds 1 or more rows, not {limit}")
    wanted = list(statuses) or list(LIVE)
    if holder.may("admin") and account is None and owner is None:
        rows = _keyset(store, wanted, after, limit + 1)  # the whole store's list: read on the index, a page at a time
    else:
        rows = _scoped(store, holder, owner, account, wanted)  # bounded by the account, the owner or the reader's
        if after is not None:
            rows = [row for row in rows if seen_key(row) > list(after)]
    shown = rows[:limit]
    return Slice(shown, seen_key(shown[-1]) if len(rows) > limit else None)


def _scoped(
    store: Store, holder: TokenHolder, owner: str | None, account: str | None, statuses: list[str]
) -> list[dict[str, Any]]:
    """The rows of ``account`` or ``owner`` (or, neither given, of the reader's accounts and their own) that the
    holder may see, in ``seen_key`` order: each read on the account's or the owner's index."""
    if account is not None or owner is not None:
        rows = store.find(account, statuses, owner)
    else:
        theirs = sorted(team_accounts(store, holder.member))
        rows = [row for one in theirs for row in store.find(one, statuses)] + store.find(None, statuses, holder.member)
    if not holder.may("admin"):
        mine = team_accounts(store, holder.member)
        rows = [row for row in rows if row["account_id"] in mine or row["owner_id"] == holder.member]
    unique = {row["id"]: row for row in rows}  # their own advice on their accounts came twice
    return sorted(unique.values(), key=seen_key)


def _keyset(store: Store, statuses: list[str], after: Sequence[Any] | None, count: int) -> list[dict[str, Any]]:
    """The first ``count`` rows of ``statuses`` after the key ``after`` in ``seen_key`` order: per status, the rest
    of ``after``'s account and the accounts after it, each a bounded search of the (status, account, priority, id)
    index; merged."""
    found: list[dict[str, Any]] = []
    rest = "select * from recommendations where status = ? and account_id = ? and (priority < ? or (priority = ?"
    later = "select * from recommendations where status = ? and account_id > ?"
    for status in statuses:
        if after is not None:
            account, priority, rec_id = after[0], -after[1], after[2]
            query = f"{rest} and id > ?)) order by priority desc, id limit ?"
            found += _rows(store, query, [status, account, priority, priority, rec_id, count])
            found += _rows(store, f"{later} order by {_SEEN} limit ?", [status, account, count])
        else:
            found += _rows(store, f"select * from recommendations where status = ? order by {_SEEN} limit ?",
                           [status, count])  # fmt: skip
    return sorted(found, key=seen_key)[:count]


def live_of(store: Store, accounts: Sequence[str]) -> list[dict[str, Any]]:
    """The live advice of ``accounts``, by account, most urgent first (``Store.find``'s order, one account after
    another): a read a few hundred accounts at a time on the (status, account) index."""
    wanted, rows = sorted(set(accounts)), []
    for start in range(0, len(wanted), 400):  # SQLite's older builds take 999 parameters at most
        chunk = wanted[start : start + 400]
        query = (
            f"select * from recommendations where account_id in ({', '.join('?' for _ in chunk)})"
            f" and status in ({', '.join('?' for _ in LIVE)}) order by {_SEEN}"
        )
        rows += _rows(store, query, [*chunk, *LIVE])
    return rows


def _rows(store: Store, query: str, args: list[Any]) -> list[dict[str, Any]]:
    cursor = store.db.execute(query, args)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def plan_advice(rows: Iterable[dict[str, Any]]) -> list[Recommendation]:
    """The store's live advice as a plan takes it: snoozed advice is not due before it wakes."""
    return [as_planned(row) for row in rows]


def as_planned(row: dict[str, Any]) -> Recommendation:
    """A stored recommendation as the plan and the calendar take it: due when it wakes, if snoozed past its date."""
    rec = Recommendation.from_row(row)
    wakes = row.get("snoozed_until") if row.get("status") == Status.SNOOZED else None
    return replace(rec, due=dt.date.fromisoformat(wakes)) if wakes and wakes > row["due"] else rec
