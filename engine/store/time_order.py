"""Time only moves forward in a store: no run or snapshot dated before an account's last, none far in the future.

A nightly run dated before what an account already has would put old advice over new and
reopen what people decided since; one dated weeks ahead (a typo in ``--as-of``, a CRM's
clock) would end every snooze and cooldown at once. Both are refused per account, before
anything is written. A deliberate what-if (``--allow-backdate``) goes into a copy of the
store only (``copies.py``), where dates are taken as given.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field

from .store_file import StoreError

#: How far after the machine's today a run or snapshot may be dated ([limits] future_days): a CRM a
#: time zone or a day ahead is fine; a typo of a month or a year is not.
DEFAULT_FUTURE_DAYS = 2

#: An account's last night in the store beside its advice's: its latest kept snapshot's and its people's stances'
#: (an account given no advice and kept no snapshot still has those). Stance history keeps changes only, so the
#: nights its people were recorded on are ``stance_nights`` (stances.py): the same dates, one seek.
LAST_KEPT = (
    "select max(d) from (select as_of as d from (select as_of from snapshots where account_id = ? order by id desc"
    " limit 1) union all select max(as_of) from stance_nights where account_id = ?)"
)


def machine_today() -> dt.date:
    """The machine's today, which runs are judged by (looked up when used, so that a test can be a later night)."""
    return dt.date.today()


class TimeOrderError(StoreError):
    """A run or snapshot of an account dated before its last stored one, or too far after today."""


@dataclass(frozen=True)
class TimeOrder:
    """What dates a store takes. ``future_days`` None: no bound ahead (a library caller's own clock);
    ``what_if``: dates are taken as given (only ever on a copy of a store)."""

    future_days: int | None = None
    what_if: bool = False
    today: Callable[[], dt.date] = field(default=lambda: machine_today(), compare=False)

    def check(self, conn: sqlite3.Connection, account_id: str, as_of: str, advised: str | None = None) -> None:
        """Raise ``TimeOrderError`` (naming both dates) if ``account_id`` may not take advice dated ``as_of``;
        ``advised``: the latest date of the account's stored advice (the caller has read it already)."""
        if self.what_if:
            return
        if self.future_days is not None:
            latest = self.today() + dt.timedelta(days=self.future_days)
            if as_of > latest.isoformat():
                raise TimeOrderError(
                    f"account '{account_id}' is dated {as_of}, more than {self.future_days} days after today"
                    f" ({self.today().isoformat()}): refused, nothing changed ([limits] future_days)"
                )
        last = _last(conn, account_id, advised)
        if last is not None and as_of < last:
            raise TimeOrderError(
                f"account '{account_id}' is dated {as_of}, before its last one in the store ({last}): refused,"
                " nothing changed (time only moves forward; a what-if goes into a copy: kamengine batch"
                " --allow-backdate, docs/batch.md)"
            )

    def clock(self, as_of: str) -> dt.date:
        """The date snoozes end and cooldowns run out by: the run's, but never after the machine's today, so
        that no run dated ahead reopens what people decided (a what-if takes its own date)."""
        given = dt.date.fromisoformat(as_of)
        return given if self.what_if else min(given, self.today())


def _last(conn: sqlite3.Connection, account_id: str, advised: str | None) -> str | None:
    """The account's last night in the store: two indexed look-ups beside what the caller read of its advice
    (a query of all three tables, the advice's rows too, cost 0.12 ms an account: 6% of a night's writing)."""
    kept = conn.execute(LAST_KEPT, [account_id, account_id]).fetchone()[0]
    return max((d for d in (advised, kept) if d), default=None)
