"""What people ask of the store by hand: ids by prefix, a page of the list, one item with its history, decisions."""

from __future__ import annotations

import datetime as dt
import difflib
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import KamengineError, UsageError
from ..model.recommendation import Recommendation
from .statuses import Status, decision_error
from .store_file import StoreError

if TYPE_CHECKING:
    from .store import Store

#: How many candidates an ambiguous prefix lists.
CANDIDATES = 10
#: ``recs list`` shows this many rows unless asked for more (as ``gh`` does).
DEFAULT_LIMIT = 30
#: Sorts after every character an id can hold: ``id >= p and id < p + END`` is "starts with p" on the index.
_END = "\U0010ffff"
#: The order a person works through: soonest due, then most urgent, then as the planner gave them.
ORDER = "due, priority desc, rowid"


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


def unknown_id(conn: sqlite3.Connection, ref: str, path: Path) -> str:
    """No recommendation has this id: say so, with the id whose start is closest when one is close."""
    probe = ref if ref.startswith("rec-") else "rec-" + ref
    near = "select id from recommendations where id {} ? order by id {} limit 5"
    ids = [r[0] for op, way in ((">=", "asc"), ("<", "desc")) for r in conn.execute(near.format(op, way), [probe])]
    starts = {i[: len(probe)]: i for i in ids}  # a prefix is compared with prefixes, a whole id with ids
    close = difflib.get_close_matches(probe, list(starts), n=1, cutoff=0.6)
    return f"no recommendation '{ref}' in {path}" + (f" (did you mean '{starts[close[0]]}'?)" if close else "")


@dataclass(frozen=True)
class Page:
    """One page of a listing: its rows, how many match in all, and where it starts."""

    rows: list[dict[str, Any]]
    total: int
    page: int
    limit: int  # 0: no limit

    @property
    def first(self) -> int:
        """The 1-based position of the page's first row."""
        return (self.page - 1) * self.limit + 1 if self.limit else 1

    @property
    def more(self) -> bool:
        """Whether rows after this page match."""
        return bool(self.limit) and self.page * self.limit < self.total


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
    """One recommendation (an id or a unique prefix of one): every stored field, and its ``history``
    (status, by, at, reason, run_id), oldest first."""
    rec_id = resolve(store, ref)
    history = [{key: h[key] for key in ("status", "by", "at", "reason", "run_id")} for h in store.history(rec_id)]
    return {**store.get(rec_id), "history": history}


@dataclass(frozen=True)
class Decision:
    """What became of one id of a decision: the recommendation as it is now, or why not."""

    ref: str
    row: dict[str, Any] | None = None
    error: str | None = None


def decide(
    store: Store,
    refs: Sequence[str],
    status: str,
    by: str,
    reason: str = "",
    until: dt.date | None = None,
    today: dt.date | None = None,
) -> list[Decision]:
    """One decision on several recommendations (ids or unique prefixes): each is made, or says why
    not, whatever became of the others. A mistake in the decision itself (a dismissal without a
    reason, a snooze that ends in the past) is a ``UsageError`` before any is made."""
    mistake = decision_error(status, reason, until, today or dt.date.today())
    if mistake:
        raise UsageError(mistake)
    decisions = []
    for ref in refs:
        try:
            decisions.append(Decision(ref, store.change(resolve(store, ref), status, by, reason, until)))
        except KamengineError as exc:
            decisions.append(Decision(ref, error=str(exc)))
    return decisions


def plan_advice(rows: Iterable[dict[str, Any]]) -> list[Recommendation]:
    """The store's live advice as a plan takes it: snoozed advice is not due before it wakes."""
    return [as_planned(row) for row in rows]


def as_planned(row: dict[str, Any]) -> Recommendation:
    """A stored recommendation as the plan and the calendar take it: due when it wakes, if snoozed past its date."""
    rec = Recommendation.from_row(row)
    wakes = row.get("snoozed_until") if row.get("status") == Status.SNOOZED else None
    return replace(rec, due=dt.date.fromisoformat(wakes)) if wakes and wakes > row["due"] else rec
