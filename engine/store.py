"""The recommendation store: SQLite through sqlite-utils, schema by migrations, a lifecycle per run.

A recommendation keeps its id across runs (``recommendation_id``), so a nightly run can tell
new advice from advice it already gave: open ones are refreshed, done or dismissed ones stay
closed for their action's cooldown, snoozed ones wake on their date, ones whose rule no
longer fires are resolved and ones long past due expire. Each account's writes are all or
nothing (one transaction, or a savepoint in a ``GroupCommit``), so a run killed half-way
loses nothing that was committed and ``--resume`` finishes the rest.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from .actions import ActionCatalogue
from .advice_rows import ACTION, DUE, REC_COLUMNS, AccountAdvice, account_advice
from .errors import KamengineError, did_you_mean
from .recommendation import Recommendation
from .snapshot import Snapshot

OPEN, ACCEPTED, DONE, DISMISSED, SNOOZED, RESOLVED, EXPIRED = (
    "open", "accepted", "done", "dismissed", "snoozed", "resolved", "expired",
)  # fmt: skip
STATUSES = (OPEN, ACCEPTED, DONE, DISMISSED, SNOOZED, RESOLVED, EXPIRED)
LIVE = (OPEN, ACCEPTED, SNOOZED)  # still to act on
DEFAULT_EXPIRY_GRACE_DAYS = 14

migrations = Migrations("kamengine")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db.table("runs").create(
        {"id": str, "started_at": str, "finished_at": str, "source": str, "status": str, "summary": str}, pk="id"
    )
    db.table("run_accounts").create(
        {"run_id": str, "account_id": str, "origin": str, "status": str, "error": str, "at": str},
        pk=("run_id", "account_id"),
    )
    db.table("recommendations").create(
        {
            "id": str, "account_id": str, "action": str, "subject_kind": str, "subject_id": str, "rule": str,
            "title": str, "rationale": str, "priority": float, "due": str, "owner_role": str, "evidence": str,
            "body": str, "status": str, "status_by": str, "status_at": str, "status_reason": str,
            "snoozed_until": str, "first_run": str, "last_run": str, "as_of": str,
        },
        pk="id",
    )  # fmt: skip
    db.table("recommendations").create_index(["account_id", "status"])
    db.table("status_history").create(
        {"id": int, "recommendation_id": str, "status": str, "by": str, "at": str, "reason": str, "run_id": str},
        pk="id",
    )
    db.table("status_history").create_index(["recommendation_id"])
    db.table("deliveries").create(
        {"id": int, "run_id": str, "emitter": str, "status": str, "attempts": int, "last_error": str,
         "payload": str, "created_at": str, "delivered_at": str},
        pk="id",
    )  # fmt: skip
    db.table("stance_history").create(
        {"account_id": str, "contact_id": str, "as_of": str, "stance": int},
        pk=("account_id", "contact_id", "as_of"),
    )


class StoreError(KamengineError):
    """A lifecycle command named an unknown recommendation or an impossible change."""


@dataclass
class AccountOutcome:
    """What one account's advice did to the store."""

    new: int = 0
    refreshed: int = 0
    woken: int = 0
    resolved: int = 0
    expired: int = 0


def default_db_path() -> Path:
    """``$KAMENGINE_HOME/kamengine.db`` (``~/.kamengine`` by default)."""
    home = Path(os.environ.get("KAMENGINE_HOME") or Path.home() / ".kamengine")
    home.mkdir(parents=True, exist_ok=True)
    return home / "kamengine.db"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Store:
    """One SQLite database of runs, recommendations and their history."""

    def __init__(self, path: str | Path | None = None, actions: ActionCatalogue | None = None) -> None:
        self.path = Path(path) if path else default_db_path()
        try:
            self.db = sqlite_utils.Database(self.path)
            self.db.execute("pragma journal_mode = wal")
            # WAL with synchronous=NORMAL: a crash of kamengine loses nothing committed; a
            # power cut may lose the last accounts, which --resume then evaluates again.
            self.db.execute("pragma synchronous = normal")
            # Recommendation ids are hashes, so a run touches index pages all over the file; a
            # 32 MiB page cache (the default is 2 MiB) keeps them: a third less write time at
            # 20,000 accounts.
            self.db.execute("pragma cache_size = -32768")
            migrations.apply(self.db)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot use as the kamengine store ({exc})") from None
        self.actions = actions or ActionCatalogue()

    def close(self) -> None:
        self.db.close()

    # -- runs ----------------------------------------------------------------------------

    def start_run(self, source: str, resume: bool = False) -> tuple[str, set[str]]:
        """A new run id, or with ``resume`` the last unfinished run's id and its finished accounts."""
        if resume:
            rows = list(
                self.db.table("runs").rows_where("status = ?", ["running"], order_by="started_at desc", limit=1)
            )
            if not rows:
                raise StoreError(f"{self.path}: no unfinished run to resume")
            run_id = rows[0]["id"]
            if rows[0]["source"] != source:
                raise StoreError(
                    f"the unfinished run {run_id} read {rows[0]['source']}, not {source}; resume it with that source"
                )
            done = {r["account_id"] for r in self.db.table("run_accounts").rows_where("run_id = ?", [run_id])}
            return run_id, done
        run_id = dt.datetime.now(dt.UTC).strftime("run-%Y%m%dT%H%M%S%fZ")
        with self.db.atomic():
            self.db.table("runs").insert({"id": run_id, "started_at": _now(), "source": source, "status": "running"})
        return run_id, set()

    def finish_run(self, run_id: str, summary: Mapping[str, Any]) -> None:
        with self.db.atomic():
            self.db.table("runs").update(
                run_id, {"finished_at": _now(), "status": "finished", "summary": json.dumps(summary)}
            )

    def record_failure(self, run_id: str, account_id: str, origin: str, error: str) -> None:
        """A bad account: recorded with its error, its recommendations untouched."""
        with self.db.atomic():
            self._run_account(run_id, account_id, origin, "failed", error)

    # -- one account's advice ------------------------------------------------------------

    def apply_advice(
        self,
        run_id: str,
        snapshot: Snapshot,
        recommendations: Sequence[Recommendation],
        origin: str = "",
        grace_days: int = DEFAULT_EXPIRY_GRACE_DAYS,
    ) -> AccountOutcome:
        """Bring one account's stored recommendations in line with today's advice, in one transaction."""
        return self.apply(run_id, account_advice(snapshot, recommendations), origin, grace_days)

    def apply(
        self, run_id: str, advice: AccountAdvice, origin: str = "", grace_days: int = DEFAULT_EXPIRY_GRACE_DAYS
    ) -> AccountOutcome:
        """``apply_advice`` for advice already in the store's row form (as batch workers send it)."""
        plan = _Plan(run_id, advice, origin, _now())
        with self._account_transaction():
            plan.stored = {row[0]: row for row in self.db.conn.execute(_SELECT_STORED, [advice.account_id])}
            for rec in advice.rows:
                self._upsert(plan, rec, plan.stored.pop(rec[0], None))
            for rec_id, status, *_ in plan.stored.values():  # advice that is no longer given
                if status in LIVE:
                    plan.change(rec_id, RESOLVED, "its rule no longer fires")
                    plan.outcome.resolved += 1
            cutoff = (plan.as_of - dt.timedelta(days=grace_days)).isoformat()
            for rec_id, due in list(plan.open_due.items()):  # expiring takes it out of open_due
                if due < cutoff:
                    plan.change(rec_id, EXPIRED, f"more than {grace_days} days past due")
                    plan.outcome.expired += 1
            self._write(plan)
        return plan.outcome

    def _upsert(self, plan: _Plan, rec: tuple[Any, ...], row: tuple[Any, ...] | None) -> None:
        rec_id = rec[0]
        if row is None:
            plan.new.append((*rec, plan.account_id, OPEN, plan.run_id, plan.run_id, plan.advice.as_of))
            plan.history.append((rec_id, OPEN, "kamengine", plan.now, "new", plan.run_id))
            plan.open_due[rec_id] = rec[DUE]
            plan.outcome.new += 1
            return
        _, status, due, snoozed_until, status_at, _ = row
        if status in LIVE:
            rec = (*rec[:DUE], due, *rec[DUE + 1 :])  # the same advice keeps the due date it was first given
        if status in (OPEN, ACCEPTED):
            plan.outcome.refreshed += 1
        elif status == SNOOZED:
            if snoozed_until and snoozed_until <= plan.advice.as_of:
                plan.change(rec_id, OPEN, f"snooze ended {snoozed_until}")
                plan.outcome.woken += 1
                status = OPEN
            else:
                plan.outcome.refreshed += 1
        elif status in (DONE, DISMISSED, EXPIRED) and not self._cooled_down(status_at, rec[ACTION], plan.as_of):
            return  # closed (by a person, or let lapse) inside the action's cooldown: it stays closed
        else:  # resolved, expired, or closed long enough ago: the reason is back; due from today
            plan.change(rec_id, OPEN, f"fires again after {status}")
            plan.outcome.new += 1
            status = OPEN
        if status == OPEN:
            plan.open_due[rec_id] = rec[DUE]
        plan.refreshed.append((*rec[1:], plan.run_id, plan.advice.as_of, rec_id))

    def _write(self, plan: _Plan) -> None:
        """Each table gets one statement for all of the account's rows."""
        conn = self.db.conn
        if plan.new:
            conn.executemany(_INSERT_NEW, plan.new)
        if plan.refreshed:
            conn.executemany(_UPDATE_REFRESHED, plan.refreshed)
        if plan.status:
            conn.executemany(_UPDATE_STATUS, plan.status)
        conn.executemany(_INSERT_HISTORY, plan.history)
        conn.executemany(
            _INSERT_STANCE,
            [(plan.account_id, contact, plan.advice.as_of, stance) for contact, stance in plan.advice.stances],
        )
        conn.execute(_INSERT_RUN_ACCOUNT, [plan.run_id, plan.account_id, plan.origin, "done", None, plan.now])

    def _cooled_down(self, status_at: str | None, action: str, as_of: dt.date) -> bool:
        days = self.actions[action].cooldown_days if action in self.actions else None
        if days is None or not status_at:
            return False
        closed = dt.date.fromisoformat(status_at[:10])
        return (as_of - closed).days >= days

    # -- people's decisions --------------------------------------------------------------

    def change(
        self, rec_id: str, status: str, by: str, reason: str, until: dt.date | None = None, on: dt.date | None = None
    ) -> dict[str, Any]:
        """A person accepts, completes, dismisses or snoozes a recommendation (``on``: when; today)."""
        row = self.get(rec_id)
        if row["status"] in (RESOLVED, EXPIRED) and status != DISMISSED:
            raise StoreError(f"{rec_id} is {row['status']}; it can only be dismissed")
        if status == SNOOZED and until is None:
            raise StoreError("a snooze needs an end date (--until)")
        with self.db.atomic():
            self._set_status(rec_id, status, by, reason, None, until, on)
        return self.get(rec_id)

    def done_activities(self, account: str | None = None) -> list[dict[str, Any]]:
        """Recommendations marked done, as ``activities`` entries for the next snapshot."""
        activities = []
        for row in self.find(account, [DONE]):
            contacts = [row["subject_id"]] if row["subject_kind"] == "contact" else []
            activity: dict[str, Any] = {
                "id": row["id"],
                "type": row["action"],
                "date": row["status_at"][:10],
                "contact_ids": contacts,
            }
            if row["subject_kind"] == "opportunity":
                activity["opportunity_id"] = row["subject_id"]
            activities.append({"account_id": row["account_id"], **activity})
        return activities

    def get(self, rec_id: str) -> dict[str, Any]:
        rows = list(self.db.table("recommendations").rows_where("id = ?", [rec_id]))
        if not rows:
            ids = [r["id"] for r in self.db.table("recommendations").rows_where(select="id", limit=1000)]
            raise StoreError(f"no recommendation '{rec_id}' in {self.path}{did_you_mean(rec_id, ids)}")
        return rows[0]

    def find(self, account: str | None = None, statuses: Iterable[str] = ()) -> list[dict[str, Any]]:
        where, args = [], []
        if account:
            where.append("account_id = ?")
            args.append(account)
        statuses = list(statuses)
        if statuses:
            where.append(f"status in ({', '.join('?' for _ in statuses)})")
            args += statuses
        return list(
            self.db.table("recommendations").rows_where(
                " and ".join(where) or None, args, order_by="account_id, priority desc, id"
            )
        )

    def run_recommendations(self, run_id: str, statuses: Iterable[str]) -> list[dict[str, Any]]:
        """The recommendations a run gave (or refreshed) that have one of these statuses now."""
        statuses = list(statuses)
        marks = ", ".join("?" for _ in statuses)
        where = f"last_run = ? and status in ({marks})"
        return list(
            self.db.table("recommendations").rows_where(where, [run_id, *statuses], order_by="priority desc, id")
        )

    def history(self, rec_id: str) -> list[dict[str, Any]]:
        return list(self.db.table("status_history").rows_where("recommendation_id = ?", [rec_id], order_by="id"))

    def _set_status(
        self, rec_id: str, status: str, by: str, reason: str, run_id: str | None,
        until: dt.date | None = None, on: dt.date | None = None,
    ) -> None:  # fmt: skip
        now = _now()
        at = on.isoformat() + "T00:00:00+00:00" if on else now
        self.db.conn.execute(_UPDATE_STATUS, [status, by, at, reason, until.isoformat() if until else None, rec_id])
        self.db.conn.execute(_INSERT_HISTORY, [rec_id, status, by, now, reason, run_id])

    def _run_account(self, run_id: str, account_id: str, origin: str, status: str, error: str | None) -> None:
        self.db.conn.execute(_INSERT_RUN_ACCOUNT, [run_id, account_id, origin, status, error, _now()])

    @contextlib.contextmanager
    def _account_transaction(self) -> Iterator[None]:
        """One account's writes, all or nothing: a savepoint inside a group commit, else a transaction."""
        conn = self.db.conn
        if not conn.in_transaction:
            with self.db.atomic():
                yield
            return
        conn.execute("savepoint account")
        try:
            yield
        except BaseException:
            if conn.in_transaction:  # an error may have ended the whole transaction already
                conn.execute("rollback to account")
                conn.execute("release account")
            raise
        conn.execute("release account")

    def group_commit(self, accounts: int = 500, seconds: float = 1.0) -> GroupCommit:
        """Commit many accounts at once (see ``GroupCommit``); use as a context manager."""
        return GroupCommit(self.db.conn, accounts, seconds)


class GroupCommit:
    """Many accounts per commit, each still all-or-nothing in its own savepoint.

    A commit writes every page the transaction touched to the WAL; accounts written together
    share pages, so committing every few hundred accounts (or half a second) writes a
    fraction of what one commit per account does. A crash loses only the accounts of the
    open group, and their ``run_accounts`` rows with them, so ``--resume`` evaluates exactly
    those again. The write lock is held at most ``seconds`` between accounts' writes.
    """

    def __init__(self, conn: sqlite3.Connection, accounts: int, seconds: float) -> None:
        self.conn, self.accounts, self.seconds = conn, accounts, seconds
        self.pending, self.began = 0, time.monotonic()

    def __enter__(self) -> GroupCommit:
        self._begin()
        return self

    def __exit__(self, *exc: object) -> None:
        # What was written is complete per account (a failed account's savepoint was rolled
        # back), so it is committed even when the run stops on an error.
        if self.conn.in_transaction:
            self.conn.execute("commit")

    def account_written(self) -> None:
        """Called after each account; commits when the group is full or old enough."""
        self.pending += 1
        if self.pending >= self.accounts or time.monotonic() - self.began >= self.seconds:
            if self.conn.in_transaction:
                self.conn.execute("commit")
            self._begin()

    def _begin(self) -> None:
        if not self.conn.in_transaction:
            self.conn.execute("begin")
        self.pending, self.began = 0, time.monotonic()


class _Plan:
    """What one account's advice does to the store, collected before anything is written."""

    def __init__(self, run_id: str, advice: AccountAdvice, origin: str, now: str) -> None:
        self.run_id, self.advice, self.origin, self.now = run_id, advice, origin, now
        self.account_id = advice.account_id
        self.as_of = dt.date.fromisoformat(advice.as_of)
        self.outcome = AccountOutcome()
        self.stored: dict[str, tuple[Any, ...]] = {}
        self.open_due: dict[str, str] = {}  # open after this run -> due date: candidates to expire
        self.new: list[tuple[Any, ...]] = []
        self.refreshed: list[tuple[Any, ...]] = []
        self.status: list[tuple[Any, ...]] = []
        self.history: list[tuple[Any, ...]] = []

    def change(self, rec_id: str, status: str, reason: str) -> None:
        # A run's lifecycle changes are dated by the snapshot, not by the clock.
        self.status.append((status, "kamengine", self.advice.as_of + "T00:00:00+00:00", reason, None, rec_id))
        self.history.append((rec_id, status, "kamengine", self.now, reason, self.run_id))
        if status != OPEN:
            self.open_due.pop(rec_id, None)


_SELECT_STORED = "select id, status, due, snoozed_until, status_at, action from recommendations where account_id = ?"
_INSERT_NEW = (
    f"insert into recommendations ({', '.join(REC_COLUMNS)}, account_id, status, first_run, last_run, as_of)"
    f" values ({', '.join('?' * (len(REC_COLUMNS) + 5))})"
)
_UPDATE_REFRESHED = (
    f"update recommendations set {', '.join(f'{c} = ?' for c in REC_COLUMNS[1:])}, last_run = ?, as_of = ? where id = ?"
)
_UPDATE_STATUS = (
    "update recommendations set status = ?, status_by = ?, status_at = ?, status_reason = ?, snoozed_until = ?"
    " where id = ?"
)
_INSERT_HISTORY = (
    "insert into status_history (recommendation_id, status, by, at, reason, run_id) values (?, ?, ?, ?, ?, ?)"
)
# Re-running a snapshot writes its stances again: only a changed one costs a write.
_INSERT_STANCE = (
    "insert into stance_history (account_id, contact_id, as_of, stance) values (?, ?, ?, ?)"
    " on conflict (account_id, contact_id, as_of) do update set stance = excluded.stance"
    " where stance is not excluded.stance"
)
_INSERT_RUN_ACCOUNT = (
    "insert or replace into run_accounts (run_id, account_id, origin, status, error, at) values (?, ?, ?, ?, ?, ?)"
)
