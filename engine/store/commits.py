"""Group commits: many accounts' writes per SQLite commit, each account still all or nothing."""

from __future__ import annotations

import sqlite3
import time


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
