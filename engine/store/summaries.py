"""Each account's summary, kept by the store itself: live advice counted by status, next due, owners, last run, and
its latest snapshot (name, tier, as of), so the portfolio page reads a page of accounts, not the whole store.

Triggers keep it (``create_summary``): every write to ``recommendations`` (a night's batch, a PUT's refresh, a
decision, an expiry) and every snapshot kept updates the account's row in the same transaction, whichever module
writes. Nothing here imports the store: the migration (``schema.py``) and the reads take the connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlite_utils

#: The tiers in the page's order (``model.fields.TIERS``): the page sorts on their rank.
_RANK = "case {0} when 'strategic' then 0 when 'key' then 1 else 2 end"
#: The account's live advice summed up; ``{0}`` is the account id's expression (``new.account_id`` in a trigger).
_REFRESH = """
insert into account_summary (account_id, open_count, accepted_count, snoozed_count, live, sort_open, next_due,
                             owners, last_run, flagged)
select {0}, coalesce(sum(status = 'open'), 0), coalesce(sum(status = 'accepted'), 0),
       coalesce(sum(status = 'snoozed'), 0), count(*), -count(*), min(due), group_concat(distinct owner_id),
       max(last_run), coalesce(sum(action = 'broaden_relationships' and subject_kind = 'account'), 0)
from recommendations where account_id = {0} and status in ('open', 'accepted', 'snoozed')
on conflict (account_id) do update set open_count = excluded.open_count, accepted_count = excluded.accepted_count,
    snoozed_count = excluded.snoozed_count, live = excluded.live, sort_open = excluded.sort_open,
    next_due = excluded.next_due, owners = excluded.owners, last_run = excluded.last_run, flagged = excluded.flagged
"""
#: The name the advice gives the account (``accounts`` shows it until a snapshot names it): the greatest seen, as
#: the store's reads before the summary took it, kept as each row comes rather than read again from all of them.
_NAME = """
update account_summary set rec_name = new.account_name
where account_id = new.account_id and new.account_name is not null
  and (rec_name is null or rec_name < new.account_name)
"""
#: The columns the sums count by: a change to one of them reads the account's live advice again.
_COUNTED = ("account_id", "status", "due", "owner_id", "action", "subject_kind")
#: A live row's run: the latest the account's live advice has (the sums' ``max(last_run)``), kept as it comes.
_RUN = """
update account_summary set last_run = new.last_run
where account_id = new.account_id and (last_run is null or last_run < new.last_run)
"""
#: The account's latest snapshot: what the page lists it by.
_SNAPSHOT = f"""
insert into account_summary (account_id, account_name, name_key, tier, tier_rank, as_of, snapshot_id)
values (new.account_id, new.account_name, lower(new.account_name), new.tier, {_RANK.format("new.tier")}, new.as_of,
        new.id)
on conflict (account_id) do update set account_name = excluded.account_name, name_key = excluded.name_key,
    tier = excluded.tier, tier_rank = excluded.tier_rank, as_of = excluded.as_of, snapshot_id = excluded.snapshot_id
where account_summary.snapshot_id is null or excluded.snapshot_id > account_summary.snapshot_id
"""
_TRIGGERS = (
    "create trigger account_summary_rec_insert after insert on recommendations"
    f" begin {_REFRESH.format('new.account_id')}; {_NAME}; end",
    # A night refreshes every live row of an account it advises, most changing only their run and text: the sums
    # are read again only when what they count changed, the run and the name are kept from the row itself.
    "create trigger account_summary_rec_update after update on recommendations when"
    + " or ".join(f" old.{c} is not new.{c}" for c in _COUNTED)
    + f" begin {_REFRESH.format('new.account_id')}; end",
    "create trigger account_summary_rec_run after update of last_run on recommendations"
    f" when new.status in ('open', 'accepted', 'snoozed') begin {_RUN}; end",
    f"create trigger account_summary_rec_name after update of account_name on recommendations begin {_NAME}; end",
    "create trigger account_summary_rec_moved after update of account_id on recommendations"
    f" when old.account_id is not new.account_id begin {_REFRESH.format('old.account_id')}; end",
    "create trigger account_summary_rec_delete after delete on recommendations"
    f" begin {_REFRESH.format('old.account_id')}; end",
    f"create trigger account_summary_snapshot after insert on snapshots begin {_SNAPSHOT}; end",
    # A latest snapshot dropped (a prune, an account removed): the one before it, if any, is the latest again.
    "create trigger account_summary_snapshot_gone after delete on snapshots begin update account_summary set"
    " (account_name, name_key, tier, tier_rank, as_of, snapshot_id) = (select account_name, lower(account_name),"
    f" tier, {_RANK.format('tier')}, as_of, id from snapshots where account_id = old.account_id order by id desc"
    " limit 1) where account_id = old.account_id and snapshot_id = old.id; end",
)
_COLUMNS = {
    "account_id": str, "account_name": str, "name_key": str, "tier": str, "tier_rank": int, "as_of": str,
    "snapshot_id": int, "open_count": int, "accepted_count": int, "snoozed_count": int, "live": int, "sort_open": int,
    "next_due": str, "owners": str, "last_run": str, "flagged": int, "rec_name": str,
}  # fmt: skip
_ZERO = {"open_count": 0, "accepted_count": 0, "snoozed_count": 0, "live": 0, "sort_open": 0, "flagged": 0}
#: Where a page sits in the portfolio's order: tier, most live advice first, name, id (``PageKey``).
ORDER = "tier_rank, sort_open, name_key, account_id"


def create_summary(db: sqlite_utils.Database) -> None:
    """The table, its page index, the triggers that keep it, and its rows filled from the store as it is."""
    db.table("account_summary").create(_COLUMNS, pk="account_id", defaults=_ZERO)
    db.execute(f"create index account_summary_page on account_summary ({ORDER}) where snapshot_id is not null")
    # The reads the pages and the API make, bounded by their page (records.seen_slice, the plan's own advice).
    db.execute("create index recommendations_seen on recommendations (status, account_id, priority desc, id)")
    db.execute(
        "insert into account_summary (account_id, account_name, name_key, tier, tier_rank, as_of, snapshot_id)"
        f" select account_id, account_name, lower(account_name), tier, {_RANK.format('tier')}, as_of, id"
        " from snapshots where id in (select max(id) from snapshots group by account_id)"
    )
    accounts = [row[0] for row in db.execute("select distinct account_id from recommendations")]
    refresh = _REFRESH.format("?")
    for account in accounts:
        db.execute(refresh, [account, account])
    db.execute(
        "update account_summary set rec_name = (select max(account_name) from recommendations r"
        " where r.account_id = account_summary.account_id)"
    )
    for trigger in _TRIGGERS:
        db.execute(trigger)


@dataclass(frozen=True)
class PortfolioPage:
    """One page of the accounts a reader sees: each one's ``account_id``, its latest snapshot's ``snapshot_id`` and
    ``received_at``, its ``live`` advice counted and ``flagged`` (live advice to broaden its relationships), from the
    summary; how many accounts there are in all; the key the next page starts after (None: this is the last)."""

    accounts: list[dict[str, Any]]
    total: int
    next_after: list[Any] | None


def portfolio_page(
    conn: sqlite3.Connection, member: str | None, after: Sequence[Any] | None, size: int
) -> PortfolioPage:
    """``size`` accounts with a snapshot after the key ``after`` (None: from the first) in the portfolio's order;
    ``member``: only the accounts whose team has them (None: every account)."""
    where, args = ["s.snapshot_id is not null"], []
    join = ""
    if member is not None:
        join = " join account_team t on t.account_id = s.account_id and t.member_id = ?"
        args.append(member)
    counted = conn.execute(f"select count(*) from account_summary s{join} where {where[0]}", args).fetchone()[0]
    if after is not None:
        where.append("(s.tier_rank, s.sort_open, s.name_key, s.account_id) > (?, ?, ?, ?)")
        args.extend(after)
    order = ", ".join(f"s.{column}" for column in ORDER.split(", "))
    query = (
        f"select s.tier_rank, s.sort_open, s.name_key, s.account_id, s.snapshot_id, n.received_at, s.live, s.flagged"
        f" from account_summary s join snapshots n on n.id = s.snapshot_id{join} where {' and '.join(where)}"
        f" order by {order} limit ?"
    )
    rows = conn.execute(query, [*args, size + 1]).fetchall()
    shown = rows[:size]
    keys = ("account_id", "snapshot_id", "received_at", "live", "flagged")
    accounts = [dict(zip(keys, row[3:], strict=True)) for row in shown]
    return PortfolioPage(accounts, int(counted), list(shown[-1][:4]) if len(rows) > size else None)


def snapshot_bodies(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, str]:
    """The bodies (JSON text) of the snapshots of ``ids`` (their primary keys)."""
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    return {
        int(i): str(body)
        for i, body in conn.execute(f"select id, body from snapshots where id in ({marks})", list(ids))
    }
