"""The recommendation store: SQLite through sqlite-utils, schema by migrations, a lifecycle per run.

A recommendation keeps its id across runs (``recommendation_id``), so a nightly run can tell
new advice from advice it already gave (``lifecycle.py``). Each account's writes are all or
nothing (one transaction, or a savepoint in a ``GroupCommit``), so a run killed half-way
loses nothing that was committed and ``--resume`` finishes the rest.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..model.actions import ActionCatalogue
from ..model.recommendation import Recommendation
from ..model.rows import AccountAdvice, account_advice
from ..model.snapshot import Snapshot
from . import lifecycle
from .commits import GroupCommit
from .fingerprints import record_revision
from .kept import keep_snapshot
from .lifecycle import AccountOutcome, AccountPlan, Stored
from .statuses import COMMAND_LINE, DEFAULT_EXPIRY_GRACE_DAYS, Asked, Status, decision_error, refusal
from .store_file import StoreError, default_db_path, open_database
from .summary_writes import deferred
from .time_order import TimeOrder
from .transactions import immediate, knocks_of
from .unknown_ids import unknown_id


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Store:
    """One SQLite database of runs, recommendations and their history."""

    last_path: Path | None = None  # the store this process opened last, for ``trouble`` to name

    def __init__(
        self, path: str | Path | None = None, actions: ActionCatalogue | None = None, must_exist: bool = False
    ) -> None:
        self.path = Path(path) if path else default_db_path()
        if must_exist and not self.path.exists():
            raise StoreError(f"no store at {self.path}; run kamengine batch first")
        Store.last_path = self.path
        self.db = open_database(self.path)
        self._knocks = knocks_of(
            self.path
        )  # where a writer waiting for this store knocks (made once: every write asks)
        self.actions = actions or ActionCatalogue()
        #: How long a write waits for the store in all (0: one try, up to SQLite's busy timeout); a nightly
        #: batch waits longer, so that people deciding through the service never end its run.
        self.patience = 0.0
        #: What dates a run may write (the backdate and future rules, ``time_order.py``).
        self.time_order = TimeOrder()
        self._group: GroupCommit | None = None  # the group commit under way: writes join it
        #: The playbooks' revision of the runs this store starts (kept with each; a change from the last run is
        #: ``revision_notice``), and the rules they evaluate (None: all; else advice of other rules is left alone).
        self.revision: str | None = None
        self.revision_notice: str | None = None
        self.loaded_rules: frozenset[str] | None = None
        self.left_alone: list[Stored] = []  # the last ``apply``'s advice of rules not loaded, left as it was

    def close(self) -> None:
        self.db.close()

    # -- runs ----------------------------------------------------------------------------

    def start_run(self, source: str, resume: bool = False, retry_failed: bool = False) -> tuple[str, set[str]]:
        """A new run id; with ``resume`` the last unfinished run's id and its finished accounts; with
        ``retry_failed`` the last finished run of ``source``, reopened, and the accounts it advised."""
        if retry_failed:
            return self._reopen(source)
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
        with self.writing():
            self.db.table("runs").insert({"id": run_id, "started_at": _now(), "source": source, "status": "running"})
            if self.revision is not None:
                self.revision_notice = record_revision(self.db.conn, run_id, self.revision)
        if self.revision_notice:
            logging.getLogger("kamengine.store").warning("%s", self.revision_notice)
        return run_id, set()

    def _reopen(self, source: str) -> tuple[str, set[str]]:
        rows = list(self.db.table("runs").rows_where("source = ?", [source], order_by="started_at desc", limit=1))
        if not rows:
            raise StoreError(f"{self.path}: no run of {source} to retry")
        run_id = rows[0]["id"]
        if rows[0]["status"] != "finished":
            raise StoreError(f"the last run of {source}, {run_id}, did not finish: finish it with --resume")
        accounts = self.db.table("run_accounts").rows_where("run_id = ?", [run_id], select="account_id, status")
        advised = {r["account_id"] for r in accounts if r["status"] == "done"}
        with self.writing():
            self.db.table("runs").update(run_id, {"status": "running"})
        return run_id, advised

    def run_counts(self, run_id: str) -> tuple[int, int]:
        """How many accounts a run has records of, and how many of them failed (and were not advised since)."""
        query = "select count(distinct account_id), count(distinct case when status = 'failed' then account_id end)"
        row = self.db.execute(f"{query} from run_accounts where run_id = ?", [run_id]).fetchone()
        return int(row[0]), int(row[1])

    def run_summary(self, run_id: str) -> dict[str, Any]:
        """The totals the store kept with a run so far (an interrupted one's, a finished one's); empty if none."""
        row = self.db.execute("select summary from runs where id = ?", [run_id]).fetchone()
        return json.loads(row[0]) if row and row[0] else {}

    def keep_summary(self, run_id: str, summary: Mapping[str, Any]) -> None:
        """The totals of a run that stopped before its end (it stays open for ``--resume``)."""
        with self.writing():
            self.db.table("runs").update(run_id, {"summary": json.dumps(summary)})

    def finish_run(self, run_id: str, summary: Mapping[str, Any]) -> None:
        with self.writing():
            self.db.table("runs").update(
                run_id, {"finished_at": _now(), "status": "finished", "summary": json.dumps(summary)}
            )

    def record_failure(self, run_id: str, account_id: str, origin: str, error: str) -> None:
        """A bad account: recorded with its error, its recommendations untouched."""
        with self.writing():
            self.db.conn.execute(lifecycle.INSERT_RUN_ACCOUNT, [run_id, account_id, origin, "failed", error, _now()])

    # -- one account's advice ------------------------------------------------------------

    def apply_advice(
        self, run_id: str, snapshot: Snapshot, recommendations: Sequence[Recommendation], origin: str = ""
    ) -> AccountOutcome:
        """Bring one account's stored recommendations in line with today's advice, in one transaction."""
        return self.apply(run_id, account_advice(snapshot, recommendations), origin)

    def apply(self, run_id: str, advice: AccountAdvice, origin: str = "") -> AccountOutcome:
        """``apply_advice`` for advice already in the store's row form (as batch workers send it)."""
        plan = AccountPlan(run_id, advice, origin, _now(), self.time_order.clock(advice.as_of), self.loaded_rules)
        with self._account_transaction():
            stored, kept = lifecycle.read_stored(self.db.conn, advice.account_id)
            advised = max((row.as_of for row in stored.values() if row.as_of), default=None)
            self.time_order.check(self.db.conn, advice.account_id, advice.as_of, advised)
            plan.plan(stored, lambda row: self._cooled_down(row, plan.clock), kept)
            with deferred(self.db.conn, advice.account_id, plan.counted_changed):  # counted once, not per row
                plan.write(self.db.conn)
            self.left_alone = plan.left_alone
            if advice.kept is not None:  # the same snapshot again (a re-run) is not kept twice
                keep_snapshot(self.db.conn, advice.account_id, advice.kept, always=False)
        return plan.outcome

    def expire_unseen(self, run_id: str, grace_days: int = DEFAULT_EXPIRY_GRACE_DAYS) -> int:
        """Expire the open advice of accounts this run of the source did not advise (gone from the
        export), once more than ``grace_days`` past due on the run's latest snapshot date; how many."""
        with self.writing():
            return lifecycle.expire_unseen(self.db.conn, run_id, grace_days, _now())

    def _cooled_down(self, row: Stored, as_of: dt.date) -> bool:
        days = self.actions[row.action].cooldown_days if row.action in self.actions else None
        if days is None or not row.status_at:
            return False
        closed = dt.date.fromisoformat(row.status_at[:10])
        return (as_of - closed).days >= days

    # -- people's decisions --------------------------------------------------------------

    def change(
        self,
        rec_id: str,
        status: str,
        by: str,
        reason: str = "",
        until: dt.date | None = None,
        on: dt.date | None = None,
        asked: Asked = COMMAND_LINE,
    ) -> dict[str, Any]:
        """A person accepts, completes, dismisses, snoozes or reopens a recommendation (``on``: when; today).

        Done and dismissed are final until someone reopens them; resolved advice can only be
        dismissed. Saying again what a recommendation already is changes nothing: a second
        ``done`` does not restart its cooldown. A dismissal needs a reason, a snooze a date
        from today on (``decision_error``). ``asked``: the words of the messages (the command
        line's ``--until``, or the API's ``until``).
        """
        mistake = decision_error(status, reason, until, on or dt.date.today(), asked.prefix)
        if mistake:
            raise UsageError(mistake)
        now = _now()
        at = on.isoformat() + "T00:00:00+00:00" if on else now
        # Read and written under the write lock: a nightly run or another person cannot change the
        # recommendation between what this decision saw and what it writes.
        with self.writing():
            row = self.get(rec_id)
            if status == row["status"] and status != Status.SNOOZED:
                return row
            refused = refusal(rec_id, row["status"], status, asked.reopen)
            if refused:
                raise StoreError(refused)
            conn = self.db.conn
            conn.execute(
                lifecycle.UPDATE_STATUS, [status, by, at, reason, until.isoformat() if until else None, rec_id]
            )
            conn.execute(lifecycle.INSERT_HISTORY, [rec_id, status, by, now, reason, None])
        return self.get(rec_id)

    def done_activities(self, account: str | None = None) -> list[dict[str, Any]]:
        """Recommendations marked done, as ``activities`` entries for the next snapshot."""
        activities = []
        for row in self.find(account, [Status.DONE]):
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
        """One recommendation by its whole id (``records.resolve`` accepts a prefix)."""
        rows = list(self.db.table("recommendations").rows_where("id = ?", [rec_id]))
        if not rows:
            raise StoreError(unknown_id(self.db.conn, rec_id, self.path))
        return rows[0]

    def find(
        self, account: str | None = None, statuses: Iterable[str] = (), owner: str | None = None
    ) -> list[dict[str, Any]]:
        """Stored recommendations, by account, status and owner (team member id), most urgent first per account."""
        where, args = [], []
        if account:
            where.append("account_id = ?")
            args.append(account)
        if owner:
            where.append("owner_id = ?")
            args.append(owner)
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
        """What became of a recommendation (its whole id): its ``status_history`` rows, oldest first."""
        return list(self.db.table("status_history").rows_where("recommendation_id = ?", [rec_id], order_by="id"))

    # -- transactions ----------------------------------------------------------------------

    def _account_transaction(self) -> contextlib.AbstractContextManager[None]:
        """One account's writes, all or nothing: a savepoint inside a group commit, else a transaction."""
        return self.writing()

    def writing(self) -> contextlib.AbstractContextManager[None]:
        """A write transaction that takes the write lock first and waits up to ``patience`` for it
        (``transactions.py``); a savepoint inside a transaction already open, or inside the group commit
        under way (begun now if it has not yet)."""
        if self._group is not None:
            self._group.before_write()
        return immediate(self.db.conn, self.patience, self._knocks)

    def group_commit(self, accounts: int = 500, seconds: float = 1.0) -> GroupCommit:
        """Commit many accounts at once (see ``GroupCommit``); use as a context manager."""

        def ended() -> None:
            self._group = None

        self._group = GroupCommit(self.db.conn, accounts, seconds, self.patience, ended, self._knocks)
        return self._group
