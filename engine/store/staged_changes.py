"""One delivery's changes: compared with what its emitter was last sent, staged, streamed in pages, recorded.

The comparison happens inside SQLite (``stage``): the recommendations of the run's accounts, and those
the emitter holds live, against the ``delivered`` table of that emitter, into ``delivery_items``. An emitter then reads
them a page of accounts at a time through a connection of its own (it runs in its own thread), so memory stays
flat however many there are, and the store's write-ahead log is checkpointed as it acknowledges. Only a
delivery that went through (or the chunks a receiver acknowledged) moves ``delivered`` on: a failed one is
compared again next time, losing nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from ..plugin.outgoing import Change, Event
from .records import as_planned
from .statuses import LIVE
from .store import Store
from .store_file import BUSY_SECONDS
from .transactions import immediate

#: The fields whose change is worth a delivery: what to do, when, by whom, in which meeting,
#: and where it stands. Priorities and evidence move every day with the calendar; so do the
#: counts in a title ("67 days in the job"), which are compared without their digits.
VERSIONED = (
    "status", "due", "owner_id", "owner_role", "approach", "opportunity_id", "compliance", "account_name",
    "snoozed_until", "body", "title",
)  # fmt: skip
_DIGITS = re.compile(r"\d+")


def version(*values: Any) -> str:
    """The digest of a recommendation's ``VERSIONED`` fields, in that order."""
    *fields, title = ("" if v is None else str(v) for v in values)
    text = "\x1f".join((*fields, _DIGITS.sub("#", title)))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


_LIVE = ", ".join("?" for _ in LIVE)
# Per recommendation of the run's accounts, and every one the emitter holds live (a person's decision or an
# expiry on an account tonight did not advise is news too): live now or not, its version, what was delivered.
_COMPARED = f"""
    select r.id, r.status in ({_LIVE}) as live_now,
           kamengine_version({", ".join("r." + f for f in VERSIONED)}) as version,
           d.live as was_live, d.version as was, d.sequence as sequence
    from (
        select r2.id as id from run_accounts a join recommendations r2 on r2.account_id = a.account_id
        where a.run_id = ? and a.status = 'done'
        union
        select recommendation_id from delivered where emitter = ? and live = 1
    ) compared join recommendations r on r.id = compared.id
    left join delivered d on d.emitter = ? and d.recommendation_id = r.id
"""  # built from constants: every value is a parameter
STAGE = f"""
    insert into delivery_items (delivery_id, recommendation_id, event, version, sequence)
    select ?, id, event, version, case when sequence is null then 0 else sequence + 1 end from (
        select id, version, sequence, case
            when live_now and coalesce(was_live, 0) = 0 then 'new'
            when live_now and was != version then 'changed'
            when not live_now and was_live = 1 then 'closed'
        end as event
        from ({_COMPARED})
    ) where event is not null
"""
_ORDER = "order by r.account_id, coalesce(r.approach, r.id), r.priority desc, r.id"
# Streams read a page of accounts at a time (``{after}`` is ``>`` or, on the first page, ``>=``): a read held open
# for the whole stream kept SQLite's write-ahead log from being checkpointed while the acknowledgements wrote, and
# a first night of 20,000 accounts grew it past 3.6 GB. The recommendations of the page's accounts are the outer
# loop (a cross join keeps SQLite from scanning the delivery's items for every page).
ACCOUNTS_PAGE = "select distinct account_id from recommendations where account_id {after} ? order by account_id limit ?"
SELECT_CHANGES = f"""
    select i.event, i.version, i.sequence, r.* from recommendations r
    cross join delivery_items i on i.delivery_id = ? and i.recommendation_id = r.id
    where r.account_id {{after}} ? and r.account_id <= ? {_ORDER}
"""
# Tonight's changes, and everything this emitter holds live that did not change: of tonight's accounts, and of
# accounts tonight did not advise (one that failed, another source's): a whole calendar loses none of them.
SELECT_CURRENT = f"""
    select coalesce(i.event, 'unchanged'), coalesce(i.version, d.version), coalesce(i.sequence, d.sequence), r.*
    from recommendations r
    left join delivery_items i on i.delivery_id = ? and i.recommendation_id = r.id
    left join delivered d on d.emitter = ? and d.recommendation_id = r.id and d.live = 1
    where r.account_id {{after}} ? and r.account_id <= ?
    and (i.recommendation_id is not null or (d.recommendation_id is not null and r.status in ({_LIVE}))) {_ORDER}
"""
UPSERT_DELIVERED = """
    insert into delivered (emitter, recommendation_id, version, live, sequence, at) values (?, ?, ?, ?, ?, ?)
    on conflict (emitter, recommendation_id) do update set
        version = excluded.version, live = excluded.live, sequence = excluded.sequence, at = excluded.at
"""
APPLY = """
    insert into delivered (emitter, recommendation_id, version, live, sequence, at)
    select ?, recommendation_id, version, event != 'closed', sequence, ? from delivery_items where delivery_id = ?
    on conflict (emitter, recommendation_id) do update set
        version = excluded.version, live = excluded.live, sequence = excluded.sequence, at = excluded.at
"""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class StoredChanges:
    """The ``Outgoing`` of one pending delivery: ``stage``, let the emitter read, then ``settle``."""

    def __init__(self, store: Store, delivery_id: int, emitter: str, run_id: str, accounts_per_page: int = 50) -> None:
        self.store, self.delivery_id, self.emitter, self.run_id = store, delivery_id, emitter, run_id
        self.accounts_per_page = accounts_per_page
        self.key = str(delivery_id)
        self.count = 0
        self.counts: dict[str, int] = {}  # event -> how many
        self._writer: sqlite3.Connection | None = None  # the emitter thread's, for acknowledgements

    def stage(self) -> None:
        """Compare the run's accounts' recommendations with what the emitter was sent."""
        conn = self.store.db.conn
        conn.create_function("kamengine_version", len(VERSIONED), version, deterministic=True)
        with self.store.writing():
            # Left by a delivery that was killed half-way: compared afresh.
            conn.execute("delete from delivery_items where delivery_id = ?", [self.delivery_id])
            conn.execute(STAGE, [self.delivery_id, *LIVE, self.run_id, self.emitter, self.emitter])
        query = "select event, count(*) from delivery_items where delivery_id = ? group by event"
        self.counts = {event: n for event, n in conn.execute(query, [self.delivery_id])}
        self.count = sum(self.counts.values())

    def changes(self) -> Iterator[Change]:
        return self._stream(SELECT_CHANGES, [self.delivery_id])

    def current(self) -> Iterator[Change]:
        return self._stream(SELECT_CURRENT, [self.delivery_id, self.emitter], [*LIVE])

    def acknowledge(self, changes: Sequence[Change]) -> None:
        now = _now()
        rows = [
            (self.emitter, c.recommendation.id, c.version, c.event != Event.CLOSED, c.sequence, now) for c in changes
        ]
        if self._writer is None:
            self._writer = self._connect()
            # As the store's own connection: a crash may lose the last acknowledgements, which
            # are then sent again (receivers take an item twice: docs/batch.md), never lost.
            self._writer.execute("pragma synchronous = normal")
        with immediate(self._writer, self.store.patience):
            self._writer.executemany(UPSERT_DELIVERED, rows)

    def settle(self, delivered: bool) -> None:
        """Record what a delivery that went through sent; either way, drop what was staged for it."""
        if self._writer is not None:
            self._writer.close()
        with self.store.writing():
            if delivered:
                self.store.db.conn.execute(APPLY, [self.emitter, _now(), self.delivery_id])
            self.store.db.conn.execute("delete from delivery_items where delivery_id = ?", [self.delivery_id])

    def _connect(self) -> sqlite3.Connection:
        # The emitter's thread reads and acknowledges through connections of its own; a stream
        # it leaves unfinished may be closed by the garbage collector in another thread.
        return sqlite3.connect(self.store.path, timeout=BUSY_SECONDS, check_same_thread=False)

    def _stream(self, sql: str, args: list[Any], after_range: Sequence[Any] = ()) -> Iterator[Change]:
        """``sql``'s rows, read a page of accounts at a time: no read is open while the emitter holds a change."""
        with contextlib.closing(self._connect()) as conn:
            after, start = ">=", ""  # every account id is >= "", and the first page includes it
            while accounts := [
                a for (a,) in conn.execute(ACCOUNTS_PAGE.format(after=after), [start, self.accounts_per_page])
            ]:
                cursor = conn.execute(sql.format(after=after), [*args, start, accounts[-1], *after_range])
                names = [column[0] for column in cursor.description][3:]
                for event, digest, sequence, *values in cursor.fetchall():
                    row = dict(zip(names, values, strict=True))
                    yield Change(Event(event), as_planned(row), row["status"], digest or "", sequence or 0)
                after, start = ">", accounts[-1]
