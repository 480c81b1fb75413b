"""The recommendation store: SQLite through sqlite-utils, schema by migrations, a lifecycle per run.

A recommendation keeps its id across runs (``recommendation_id``), so a nightly run can tell
new advice from advice it already gave: open ones are refreshed, done or dismissed ones stay
closed for their action's cooldown, snoozed ones wake on their date, ones whose rule no
longer fires are resolved and ones long past due expire. Each account's writes are one
transaction, so a run killed half-way loses nothing that was committed and ``--resume``
finishes the rest.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from .actions import ActionCatalogue
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
        outcome = AccountOutcome()
        account_id, as_of = snapshot.account.id, snapshot.as_of
        with self.db.atomic():
            stored = {
                row["id"]: row
                for row in self.db.query("select * from recommendations where account_id = ?", [account_id])
            }
            writes = _Writes()  # rows are written together: one statement per table, not per row
            for rec in recommendations:
                row = stored.pop(rec.id, None)
                self._upsert(run_id, rec, row, as_of, outcome, writes)
            self._flush(writes)
            for row in stored.values():  # advice that is no longer given
                if row["status"] in LIVE:
                    self._set_status(row["id"], RESOLVED, "kamengine", "its rule no longer fires", run_id, on=as_of)
                    outcome.resolved += 1
            cutoff = (as_of - dt.timedelta(days=grace_days)).isoformat()
            overdue = self.db.query(
                "select id from recommendations where account_id = ? and status = ? and due < ?",
                [account_id, OPEN, cutoff],
            )
            for row in list(overdue):  # read first: the loop updates the same table
                self._set_status(
                    row["id"], EXPIRED, "kamengine", f"more than {grace_days} days past due", run_id, on=as_of
                )
                outcome.expired += 1
            self._insert_many(
                "stance_history",
                [
                    {"account_id": account_id, "contact_id": c.id, "as_of": as_of.isoformat(), "stance": c.stance}
                    for c in snapshot.contacts
                ],
                replace=True,
            )
            self._run_account(run_id, account_id, origin, "done", None)
        return outcome

    def _upsert(
        self,
        run_id: str,
        rec: Recommendation,
        row: Mapping[str, Any] | None,
        as_of: dt.date,
        outcome: AccountOutcome,
        writes: _Writes,
    ) -> None:
        fields = {
            **{k: v for k, v in rec.to_dict().items() if k not in ("subject", "evidence", "body")},
            "subject_kind": rec.subject_kind, "subject_id": rec.subject_id, "body": rec.body,
            "evidence": json.dumps(rec.evidence, ensure_ascii=False, sort_keys=True),
            "last_run": run_id, "as_of": as_of.isoformat(),
        }  # fmt: skip
        if row is None:
            writes.new.append({**fields, "first_run": run_id, "status": OPEN})
            writes.history.append(_history_row(rec.id, OPEN, "kamengine", "new", run_id))
            outcome.new += 1
            return
        status = row["status"]
        if status in (OPEN, ACCEPTED, SNOOZED):
            fields["due"] = row["due"]  # the same advice keeps the due date it was first given
        writes.refreshed.append(fields)
        if status in (OPEN, ACCEPTED):
            outcome.refreshed += 1
        elif status == SNOOZED:
            if row["snoozed_until"] and row["snoozed_until"] <= as_of.isoformat():
                self._set_status(rec.id, OPEN, "kamengine", f"snooze ended {row['snoozed_until']}", run_id, on=as_of)
                outcome.woken += 1
            else:
                outcome.refreshed += 1
        elif status in (DONE, DISMISSED, EXPIRED) and not self._cooled_down(row, rec.action, as_of):
            return  # closed (by a person, or let lapse) inside the action's cooldown: it stays closed
        else:  # resolved, expired, or closed long enough ago: the reason is back
            fields["due"] = rec.due.isoformat()  # a new cycle: due from today
            self._set_status(rec.id, OPEN, "kamengine", f"fires again after {status}", run_id, on=as_of)
            outcome.new += 1

    def _flush(self, writes: _Writes) -> None:
        self._insert_many("recommendations", writes.new)
        if writes.refreshed:
            columns = [c for c in writes.refreshed[0] if c != "id"]  # our own names, never input
            assignments = ", ".join(f"[{c}] = ?" for c in columns)
            self.db.conn.executemany(
                f"update recommendations set {assignments} where id = ?",
                [[row[c] for c in columns] + [row["id"]] for row in writes.refreshed],
            )
        self._insert_many("status_history", writes.history)

    def _insert_many(self, table: str, rows: list[dict[str, Any]], replace: bool = False) -> None:
        """One parameterised statement for many rows (sqlite-utils' insert_all is per-row heavy)."""
        if not rows:
            return
        columns = list(rows[0])  # our own column names, never input
        verb = "insert or replace" if replace else "insert"
        names, marks = ", ".join(f"[{c}]" for c in columns), ", ".join("?" for _ in columns)
        self.db.conn.executemany(
            f"{verb} into [{table}] ({names}) values ({marks})", [[r[c] for c in columns] for r in rows]
        )

    def _cooled_down(self, row: Mapping[str, Any], action: str, as_of: dt.date) -> bool:
        days = self.actions[action].cooldown_days if action in self.actions else None
        if days is None or not row["status_at"]:
            return False
        closed = dt.date.fromisoformat(row["status_at"][:10])
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
        at = on.isoformat() + "T00:00:00+00:00" if on else _now()
        self.db.execute(
            "update recommendations set status = ?, status_by = ?, status_at = ?, status_reason = ?,"
            " snoozed_until = ? where id = ?",
            [status, by, at, reason, until.isoformat() if until else None, rec_id],
        )
        self._insert_many("status_history", [_history_row(rec_id, status, by, reason, run_id)])

    def _run_account(self, run_id: str, account_id: str, origin: str, status: str, error: str | None) -> None:
        self._insert_many(
            "run_accounts",
            [
                {
                    "run_id": run_id,
                    "account_id": account_id,
                    "origin": origin,
                    "status": status,
                    "error": error,
                    "at": _now(),
                }
            ],
            replace=True,
        )


@dataclass
class _Writes:
    """One account's rows, collected so that each table gets one statement."""

    new: list[dict[str, Any]] = field(default_factory=list)
    refreshed: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)


def _history_row(rec_id: str, status: str, by: str, reason: str, run_id: str | None) -> dict[str, Any]:
    return {"recommendation_id": rec_id, "status": status, "by": by, "at": _now(), "reason": reason, "run_id": run_id}
