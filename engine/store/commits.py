"""Group commits: many accounts' writes per SQLite commit, each account still all or nothing."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from .transactions import begin_immediate, knocked_since

#: The pause after each group's commit (at most one a second: under 1% of a night): a writer that waits
#: for the store without knocking (another program) still gets its turn.
GAP_SECONDS = 0.01
#: The pause after a group cut short by a knock: the decisions queued behind the first get their turn too.
KNOCKED_GAP_SECONDS = 0.05
#: How often the group looks for a knock: a look is a ``stat`` of the knock file, as dear as a small account's
#: Python side, so at most one every few milliseconds; a person's decision waits that much longer at most.
KNOCK_LOOK_SECONDS = 0.005


class GroupCommit:
    """Many accounts per commit, each still all-or-nothing in its own savepoint.

    A commit writes every page the transaction touched to the WAL; accounts written together
    share pages, so committing every few hundred accounts (or half a second) writes a
    fraction of what one commit per account does. A crash loses only the accounts of the
    open group, and their ``run_accounts`` rows with them, so ``--resume`` evaluates exactly
    those again.

    A group begins only when its first account is about to be written (``before_write``), with
    ``begin immediate``: it takes the write lock before it reads anything, so people deciding
    through the service at the same time make it wait its turn (up to ``patience`` seconds, trying
    again every few milliseconds) instead of failing it. A group that cannot begin has written
    nothing, so waiting and trying again loses no account. The lock is held from the group's first
    write to its commit: ``seconds`` at most, also while no account comes (``idle``, which the
    executor calls while it waits for a slow one), and only until the account being written is
    done when another writer knocks (``transactions.knock``): a person's decision waits
    milliseconds, not a whole group.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        accounts: int,
        seconds: float,
        patience: float = 0.0,
        on_exit: Callable[[], None] | None = None,
        knocks: Path | None = None,
    ) -> None:
        self.conn, self.accounts, self.seconds, self.patience = conn, accounts, seconds, patience
        self.on_exit, self.knocks = on_exit, knocks
        self.pending, self.began, self.began_at = 0, time.monotonic(), time.time()
        self.looked = 0.0  # when the knock file was last looked at (``time.monotonic``)

    def __enter__(self) -> GroupCommit:
        return self

    def __exit__(self, *exc: object) -> None:
        # What was written is complete per account (a failed account's savepoint was rolled
        # back), so it is committed even when the run stops on an error.
        if self.on_exit is not None:
            self.on_exit()
        if self.conn.in_transaction:
            self.conn.execute("commit")

    def before_write(self) -> None:
        """Called before an account's writes: begins the group (waiting for the write lock) if none is open."""
        if not self.conn.in_transaction:
            begin_immediate(self.conn, self.patience)
            self.pending, self.began, self.began_at = 0, time.monotonic(), time.time()

    def idle(self) -> None:
        """Called while no account comes: commits the group once it is ``seconds`` old or someone knocks."""
        if self.conn.in_transaction and (time.monotonic() - self.began >= self.seconds or self._knocked()):
            self._commit()

    def account_written(self) -> None:
        """Called after each account; commits when the group is full or old enough, or someone knocked (looked for
        every ``KNOCK_LOOK_SECONDS``)."""
        self.pending += 1
        now = time.monotonic()
        if self.pending >= self.accounts or now - self.began >= self.seconds:
            self._commit()
        elif now - self.looked >= KNOCK_LOOK_SECONDS:
            self.looked = now
            if self._knocked():
                self._commit()

    def _knocked(self) -> bool:
        return self.knocks is not None and knocked_since(self.knocks, self.began_at)

    def _commit(self) -> None:
        if self.conn.in_transaction:
            knocked = self._knocked()
            self.conn.execute("commit")
            # A gap before the next group begins, for a writer waiting for the store (it tries every few
            # milliseconds); a longer one after a knock, for the decisions queued behind it.
            time.sleep(KNOCKED_GAP_SECONDS if knocked else GAP_SECONDS)
        self.pending = 0
