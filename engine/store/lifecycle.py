"""A nightly run's effect on one account's stored recommendations, decided before anything is written.

Today's advice is compared with what is stored, recommendation by recommendation (ids are
stable across runs): new advice opens, live advice is refreshed (its due date too), a snooze
ends on its date, done and dismissed advice stays closed for its action's cooldown, resolved
and expired advice opens again, and advice no longer given is resolved (the table in
docs/batch.md) — unless its rule is not among the rules the run loaded (``loaded``: the service's),
which leaves it as it was: a run without the team's playbooks cannot tell whether their advice
still holds. Expiry is not decided here: only advice a run did not see expires
(``expire_unseen``, after the run).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from ..model.recommendation import COLUMNS
from ..model.rows import ID, AccountAdvice
from .bulk_rows import insert_rows, update_where_in
from .stances import record_stances
from .statuses import CLOSED_FOR_COOLDOWN, LIVE, Status

# The statuses as the plain text the rows hold: a StrEnum's ``.value`` costs a descriptor call, thousands a night.
OPEN, SNOOZED, RESOLVED = Status.OPEN.value, Status.SNOOZED.value, Status.RESOLVED.value
_REFRESHED = (Status.OPEN.value, Status.ACCEPTED.value)  # live advice a run refreshes as it is


class Stored(NamedTuple):
    """What the lifecycle needs of a recommendation already in the store."""

    id: str
    status: str
    due: str
    snoozed_until: str | None
    status_at: str | None
    action: str
    as_of: str | None  # the night that last gave it (the time order's last date of the account)
    rule: str  # ``playbook/rule``


@dataclass
class AccountOutcome:
    """What one account's advice did to the store."""

    new: int = 0
    refreshed: int = 0
    woken: int = 0
    resolved: int = 0
    expired: int = 0


class AccountPlan:
    """The writes one account's advice makes: collected by ``plan``, made by ``write``."""

    def __init__(
        self,
        run_id: str,
        advice: AccountAdvice,
        origin: str,
        now: str,
        clock: dt.date | None = None,
        loaded: frozenset[str] | None = None,
    ) -> None:
        self.run_id, self.advice, self.origin, self.now = run_id, advice, origin, now
        self.loaded = loaded  # the rules the run evaluated (None: all there are)
        self.left_alone: list[Stored] = []  # live advice of rules the run did not load: not resolved
        self.account_id = advice.account_id
        self.as_of = dt.date.fromisoformat(advice.as_of)
        #: The date snoozes end and cooldowns run out by: the run's, never after the machine's today
        #: (``TimeOrder.clock``), so that a run dated ahead cannot reopen what people decided.
        self.clock = clock or self.as_of
        self.outcome = AccountOutcome()
        self.new: list[tuple[Any, ...]] = []
        self.refreshed: list[tuple[Any, ...]] = []
        self.rerun: list[tuple[str, str, str]] = []  # refreshed advice whose text is as stored: its run and night
        self.kept: Mapping[str, tuple[Any, ...]] = {}  # the stored advice's columns after the account's, by id
        self.status: list[tuple[Any, ...]] = []
        self.history: list[tuple[Any, ...]] = []
        self.recounted = False  # a refreshed row changed a column the account's summary counts

    def plan(
        self,
        stored: dict[str, Stored],
        cooled_down: Callable[[Stored], bool],
        kept: Mapping[str, tuple[Any, ...]] | None = None,
    ) -> None:
        """Decide every change; ``stored`` is the account's stored advice by id (consumed); ``kept``, its columns
        after the account's (``COLUMNS[2:]``) by id, if read (``read_stored``): advice given again as it is stored
        has only its run and night written."""
        self.kept = kept or {}
        for row in self.advice.rows:
            self._upsert(row, stored.pop(row[ID], None), cooled_down)
        for gone in stored.values():  # advice that is no longer given
            if gone.status in LIVE and self.loaded is not None and gone.rule not in self.loaded:
                self.left_alone.append(gone)
            elif gone.status in LIVE:
                self.change(gone.id, RESOLVED, "its rule no longer fires")
                self.outcome.resolved += 1

    def _upsert(self, rec: tuple[Any, ...], stored: Stored | None, cooled_down: Callable[[Stored], bool]) -> None:
        """``rec``: a row in ``COLUMNS`` order (``Recommendation.to_row``)."""
        if stored is None:
            self.new.append((*rec, OPEN, self.run_id, self.run_id, self.advice.as_of))
            self.history.append((rec[ID], OPEN, "kamengine", self.now, "new", self.run_id))
            self.outcome.new += 1
            return
        status = stored.status
        # Live advice takes tonight's title, priority, due date, owner and evidence: the due date
        # is the planner's answer for today (a person who has not acted is asked again, dated
        # from today), so advice still given never lapses while its reason holds.
        if status in _REFRESHED:
            self.outcome.refreshed += 1
        elif status == SNOOZED:
            if stored.snoozed_until and stored.snoozed_until <= self.clock.isoformat():
                self.change(rec[ID], OPEN, f"snooze ended {stored.snoozed_until}")
                self.outcome.woken += 1
            else:
                self.outcome.refreshed += 1
        elif status in CLOSED_FOR_COOLDOWN and not cooled_down(stored):
            return  # closed by a person inside the action's cooldown: it stays closed
        else:  # resolved, expired, or closed long enough ago: the reason is back; due from today
            self.change(rec[ID], OPEN, f"fires again after {status}")
            self.outcome.new += 1
        kept = self.kept.get(rec[ID])
        if kept == rec[2:]:  # SQLite rewrites the indexes of every column an update sets
            self.rerun.append((self.run_id, self.advice.as_of, rec[ID]))
            return
        self.refreshed.append((*rec[2:], self.run_id, self.advice.as_of, rec[ID]))
        if not self.recounted:
            self.recounted = kept is None or any(kept[i] != rec[i + 2] for i in _COUNTED_KEPT)

    def counted_changed(self) -> bool:
        """Whether the writes change anything the account's summary counts (``summaries._COUNTED``): a row inserted,
        a status changed, or a refreshed row's due date, owner, action or subject kind."""
        return bool(self.new or self.status) or self.recounted

    def change(self, rec_id: str, status: str, reason: str) -> None:
        """``rec_id`` goes to ``status`` (a ``Status`` value) for ``reason``."""
        # A run's lifecycle changes are dated by the snapshot, not by the clock.
        self.status.append((status, "kamengine", self.advice.as_of + "T00:00:00+00:00", reason, None, rec_id))
        self.history.append((rec_id, status, "kamengine", self.now, reason, self.run_id))

    def write(self, conn: sqlite3.Connection) -> None:
        """Each table gets one statement for all of the account's rows (``bulk_rows``: a statement runs once)."""
        insert_rows(conn, INSERT_NEW_HEAD, self.new)
        if self.refreshed:
            conn.executemany(UPDATE_REFRESHED, self.refreshed)
        if self.rerun:  # every one takes the same run and night
            ids = [rec_id for _, _, rec_id in self.rerun]
            update_where_in(conn, UPDATE_RUN_HEAD, (self.run_id, self.advice.as_of), ids)
        if self.status:
            conn.executemany(UPDATE_STATUS, self.status)
        insert_rows(conn, INSERT_HISTORY_HEAD, self.history)
        record_stances(conn, self.account_id, self.advice.as_of, self.advice.stances)
        conn.execute(INSERT_RUN_ACCOUNT, [self.run_id, self.account_id, self.origin, "done", None, self.now])


def read_stored(conn: sqlite3.Connection, account_id: str) -> tuple[dict[str, Stored], dict[str, tuple[Any, ...]]]:
    """The account's stored advice by id: what the lifecycle decides by, and its columns after the account's."""
    stored, kept = {}, {}
    for row in conn.execute(SELECT_STORED, [account_id]):
        rec = Stored._make(row[:_STORED])
        stored[rec.id], kept[rec.id] = rec, row[_STORED:]
    return stored, kept


def expire_unseen(conn: sqlite3.Connection, run_id: str, grace_days: int, now: str) -> int:
    """Expire the open advice a run did not see, more than ``grace_days`` past due; how many.

    Only advice last given by a run of the same source, of accounts this run did not read at
    all (a failed account is not forgotten advice), judged by the run's latest snapshot date
    rather than the clock, as every change a run makes is.
    """
    latest = conn.execute("select max(as_of) from recommendations where last_run = ?", [run_id]).fetchone()[0]
    if latest is None:
        return 0
    cutoff = (dt.date.fromisoformat(latest) - dt.timedelta(days=grace_days)).isoformat()
    unseen = conn.execute(SELECT_UNSEEN, [cutoff, run_id, run_id, run_id]).fetchall()
    at = latest + "T00:00:00+00:00"
    reasons = [(rec_id, f"not advised since {as_of}, more than {grace_days} days past due") for rec_id, as_of in unseen]
    conn.executemany(UPDATE_STATUS, [(Status.EXPIRED.value, "kamengine", at, why, None, i) for i, why in reasons])
    conn.executemany(INSERT_HISTORY, [(i, Status.EXPIRED.value, "kamengine", now, why, run_id) for i, why in reasons])
    return len(unseen)


_STORED = len(Stored._fields)
#: Where the columns the summary counts by are in ``COLUMNS[2:]`` (the kept columns; status is not among them).
_COUNTED_KEPT = tuple(COLUMNS.index(c) - 2 for c in ("due", "owner_id", "action", "subject_kind"))
SELECT_STORED = f"select {', '.join(Stored._fields + COLUMNS[2:])} from recommendations where account_id = ?"
SELECT_UNSEEN = (
    "select id, as_of from recommendations where status = 'open' and due < ? and last_run != ?"
    " and last_run in (select id from runs where source = (select source from runs where id = ?))"
    " and account_id not in (select account_id from run_accounts where run_id = ?)"
)
INSERT_NEW_HEAD = f"insert into recommendations ({', '.join(COLUMNS)}, status, first_run, last_run, as_of)"
# Every column but id and account_id (which never change), then the run, then the id.
UPDATE_REFRESHED = (
    f"update recommendations set {', '.join(f'{c} = ?' for c in COLUMNS[2:])}, last_run = ?, as_of = ? where id = ?"
)
# Advice given again as it is: the triggers that watch its other columns have nothing to see.
UPDATE_RUN_HEAD = "update recommendations set last_run = ?, as_of = ?"
UPDATE_STATUS = (
    "update recommendations set status = ?, status_by = ?, status_at = ?, status_reason = ?, snoozed_until = ?"
    " where id = ?"
)
INSERT_HISTORY_HEAD = "insert into status_history (recommendation_id, status, by, at, reason, run_id)"
INSERT_HISTORY = f"{INSERT_HISTORY_HEAD} values (?, ?, ?, ?, ?, ?)"
INSERT_RUN_ACCOUNT = (
    "insert or replace into run_accounts (run_id, account_id, origin, status, error, at) values (?, ?, ?, ?, ?, ?)"
)
