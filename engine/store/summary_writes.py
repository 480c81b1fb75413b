"""The summary brought up to date once per account a batch writes, not once per row: the row triggers step aside.

A night inserts or changes some 30 rows an account; the triggers of ``summaries.py`` counted the account's live advice
again after each one (2.3 ms of CPU an account where the rows themselves cost 0.6). While the writer holds an account
(``deferred``), its id is in ``account_summary_deferred`` and the counting triggers skip its rows; at the end the
account is counted once. The row is inserted and deleted inside the writer's own transaction, so no other connection
ever sees it: every other writer (a decision, a refresh, a prune, another program) keeps the triggers as they were.
Since m014 the writer says itself whether the account needs counting (it knows what it wrote: no trigger marks
it), and a run-only update fires no counting trigger at all (``lean_summaries``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import sqlite_utils

from .summaries import _COUNTED, _REFRESH, _RUN

#: The accounts a writer is holding, each only inside that writer's transaction.
DEFERRED = "account_summary_deferred"
#: The counting triggers' condition: the row's account is not being written as a whole.
_NOT_HELD = "not exists (select 1 from account_summary_deferred where account_id = {0})"
#: The name the advice gives the account, kept as each row comes: its row is made when missing (while the counting
#: waits, the account may have none yet), and only ever takes a greater name, as ``summaries._NAME`` does.
_NAME_KEPT = """
insert into account_summary (account_id, rec_name) values (new.account_id, new.account_name)
on conflict (account_id) do update set rec_name = excluded.rec_name
where excluded.rec_name is not null and (rec_name is null or rec_name < excluded.rec_name)
"""
#: A held account's name and run, once at the end: the greatest name its rows give (those it had before are no greater
#: than the one kept), the latest run of its live advice (the run trigger's, for every row at once).
_NAME_AT_END = """
insert into account_summary (account_id, rec_name) select ?, max(account_name) from recommendations where account_id = ?
on conflict (account_id) do update set rec_name = excluded.rec_name
where excluded.rec_name is not null and (rec_name is null or rec_name < excluded.rec_name)
"""
_RUN_AT_END = """
update account_summary set last_run = nullif(max(coalesce(last_run, ''), coalesce((select max(last_run)
from recommendations where account_id = ?1 and status in ('open', 'accepted', 'snoozed')), '')), '')
where account_id = ?1
"""
#: A held account's first counted change marks it: it is counted at the end only if something it counts changed
#: (a night that gives the same advice again writes only each row's run, which the summary keeps without counting).
_MARK = "update account_summary_deferred set dirty = 1 where account_id = {0}"
_HELD_CLEAN = "exists (select 1 from account_summary_deferred where account_id = {0} and dirty = 0)"
#: The triggers that count, replaced by ones that skip a held account; the others (run, name, snapshots) stay.
_REPLACED = ("account_summary_rec_insert", "account_summary_rec_update", "account_summary_rec_moved",
             "account_summary_rec_delete", "account_summary_rec_run")  # fmt: skip
_CHANGED = "(" + " or ".join(f"old.{c} is not new.{c}" for c in _COUNTED) + ")"


def _counting(name: str, event: str, account: str, when: str = "") -> tuple[str, str]:
    """The trigger that counts ``account`` after ``event`` unless it is held, and the one that marks it if it is."""
    also = f"{when} and " if when else ""
    return (
        f"create trigger {name} after {event} on recommendations when {also}{_NOT_HELD.format(account)}"
        f" begin {_REFRESH.format(account)}; end",
        f"create trigger {name}_held after {event} on recommendations when {also}{_HELD_CLEAN.format(account)}"
        f" begin {_MARK.format(account)}; end",
    )


_TRIGGERS = (
    *_counting("account_summary_rec_insert", "insert", "new.account_id"),
    "create trigger account_summary_rec_insert_name after insert on recommendations"
    f" when {_NOT_HELD.format('new.account_id')} begin {_NAME_KEPT}; end",
    "create trigger account_summary_rec_run after update of last_run on recommendations"
    f" when new.status in ('open', 'accepted', 'snoozed') and {_NOT_HELD.format('new.account_id')} begin {_RUN}; end",
    *_counting("account_summary_rec_update", "update", "new.account_id", _CHANGED),
    "create trigger account_summary_rec_moved after update of account_id on recommendations"
    f" when old.account_id is not new.account_id begin {_REFRESH.format('old.account_id')}; end",
    *_counting("account_summary_rec_delete", "delete", "old.account_id"),
)


def hold_summaries(db: sqlite_utils.Database) -> None:
    """The table of held accounts, and the counting triggers that skip them (the migration's work)."""
    db.execute(f"create table if not exists {DEFERRED} (account_id text primary key, dirty integer not null default 0)")
    for name in _REPLACED:
        db.execute(f"drop trigger if exists {name}")
    for trigger in _TRIGGERS:
        db.execute(trigger)


#: m014: m013's counting triggers without the marks (the writer knows what it changed: ``deferred``'s ``changed``), the
#: insert's two in one, and the update's fired only by an update that sets a column it counts: SQLite starts a
#: trigger's program for every row it fires on, a third of an inserted row's cost, so a night's run-only update
#: (``lifecycle.UPDATE_RUN``) now fires one trigger a row, not three, and an inserted row one, not three.
_LEAN_TRIGGERS = (
    "create trigger account_summary_rec_insert after insert on recommendations"
    f" when {_NOT_HELD.format('new.account_id')} begin {_REFRESH.format('new.account_id')}; {_NAME_KEPT}; end",
    f"create trigger account_summary_rec_update after update of {', '.join(_COUNTED)} on recommendations"
    f" when {_CHANGED} and {_NOT_HELD.format('new.account_id')} begin {_REFRESH.format('new.account_id')}; end",
)
_LEAN_DROPPED = (
    "account_summary_rec_insert", "account_summary_rec_insert_held", "account_summary_rec_insert_name",
    "account_summary_rec_update", "account_summary_rec_update_held", "account_summary_rec_delete_held",
)  # fmt: skip


def lean_summaries(db: sqlite_utils.Database) -> None:
    """m014's work: the held accounts' marking triggers go, and the triggers that count fire on fewer rows."""
    for name in _LEAN_DROPPED:
        db.execute(f"drop trigger if exists {name}")
    for trigger in _LEAN_TRIGGERS:
        db.execute(trigger)


@contextmanager
def deferred(conn: sqlite3.Connection, account_id: str, changed: Callable[[], bool]) -> Iterator[None]:
    """Inside the caller's transaction: ``account_id``'s rows are written without counting it after each one, and it
    is counted once at the end if ``changed()`` says that anything it counts changed (the writer knows what it
    wrote: no trigger marks it). On an error nothing is counted: the caller rolls the account's writes back, the
    held row with them."""
    conn.execute(f"insert or replace into {DEFERRED} (account_id, dirty) values (?, 0)", [account_id])
    yield
    conn.execute(f"delete from {DEFERRED} where account_id = ?", [account_id])
    if changed():  # counted again: its run is its live advice's latest
        conn.execute(_REFRESH.format("?"), [account_id, account_id])
        conn.execute(_NAME_AT_END, [account_id, account_id])
    else:  # the same advice again: only its run moved on
        conn.execute(_RUN_AT_END, [account_id])
